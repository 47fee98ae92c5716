//! The 277CA writer: the HL hierarchy (20 source, 21 receiver, 19
//! provider, PT claim) from a [`ClaimAcknowledgment`], for tests and the
//! payer simulator. Claims are written under their provider level, so they
//! must be listed in the order of their providers.

use std::collections::HashSet;

use crate::claim_ack::{
    ClaimAcknowledgment, ClaimStatusReport, Disposition, LineStatusReport, StatusInfo, StatusLevel,
};
use crate::common::Reference;
use crate::error::WriteError;
use crate::write::{
    El, InterchangeParams, Num, SegmentWriter, procedure_parts, write_dtp, write_entity,
    write_interchange,
};

/// GS08/ST03 of the 277CAs this writer produces.
pub const VERSION: &str = "005010X214";

/// Writes one interchange (GS01 `HN`) holding one 277CA per
/// acknowledgment; BHT05 is the interchange time. `read_277ca` of the
/// result gives back `acks`.
pub fn write_277ca(
    params: &InterchangeParams,
    acks: &[ClaimAcknowledgment],
) -> Result<Vec<u8>, WriteError> {
    write_interchange(params, "HN", VERSION, |w| {
        for (i, ack) in acks.iter().enumerate() {
            let path = format!("acks[{i}]");
            let order = check(&path, ack)?;
            write_ack(w, ack, &params.time, &order)?;
        }
        Ok(acks.len())
    })
}

/// Checks what the reader would not give back and returns, per claim, the
/// index of its provider level.
fn check(path: &str, a: &ClaimAcknowledgment) -> Result<Vec<Option<usize>>, WriteError> {
    let err = |field: String, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    if !(4..=9).contains(&a.control_number.len()) {
        return err("control_number".into(), "4 to 9 characters");
    }
    if a.reference_id.is_empty() {
        return err("reference_id".into(), "required (BHT03)");
    }
    let levels = std::iter::once(&a.information_source)
        .chain(&a.information_receiver)
        .chain(&a.providers);
    let mut ids = HashSet::new();
    for level in levels {
        if level.hl_id.is_empty() || level.hl_id.len() > 12 || !ids.insert(level.hl_id.as_str()) {
            return err(
                format!("hl_id {:?}", level.hl_id),
                "1 to 12 characters, unique",
            );
        }
    }
    let mut order = Vec::with_capacity(a.claims.len());
    let mut last = None;
    for (c, claim) in a.claims.iter().enumerate() {
        let at = |f: &str| format!("claims[{c}].{f}");
        if claim.patient_control_number.is_empty() {
            return err(at("patient_control_number"), "required (TRN02)");
        }
        let Some(first) = claim.statuses.first() else {
            return err(at("statuses"), "at least one status");
        };
        if claim.disposition != Disposition::from_category(&first.category) {
            return err(
                at("disposition"),
                "must be what the first status's category implies",
            );
        }
        let provider = match &claim.provider_hl_id {
            None => None,
            Some(id) => match a.providers.iter().position(|p| &p.hl_id == id) {
                Some(n) => Some(n),
                None => return err(at("provider_hl_id"), "names no provider level"),
            },
        };
        if provider < last {
            return err(
                at("provider_hl_id"),
                "claims must be listed in the order of their provider levels",
            );
        }
        last = provider;
        order.push(provider);
        for (n, reference) in claim.references.iter().enumerate() {
            if matches!(reference.qualifier.as_str(), "1K" | "D9" | "BLT") {
                return err(
                    at(&format!("references[{n}]")),
                    "1K, D9 and BLT have their own fields",
                );
            }
        }
        for (l, line) in claim.lines.iter().enumerate() {
            if line.statuses.is_empty() {
                return err(at(&format!("lines[{l}].statuses")), "at least one status");
            }
        }
    }
    Ok(order)
}

fn write_ack(
    w: &mut SegmentWriter,
    a: &ClaimAcknowledgment,
    time: &str,
    order: &[Option<usize>],
) -> Result<(), WriteError> {
    w.start_transaction("277", &a.control_number, VERSION)?;
    let created = a.created.to_x12();
    w.seg(
        "BHT",
        &[
            El::S("0085"),
            El::S("08"),
            El::S(&a.reference_id),
            El::S(&created),
            El::S(time),
            El::S("TH"),
        ],
    )?;
    let source = &a.information_source;
    write_level(w, source, None, "20", "1", "1")?;
    let mut parent = source.hl_id.as_str();
    if let Some(receiver) = &a.information_receiver {
        write_level(w, receiver, Some(parent), "21", "1", "2")?;
        parent = receiver.hl_id.as_str();
    }
    let used: HashSet<&str> = std::iter::once(source)
        .chain(&a.information_receiver)
        .chain(&a.providers)
        .map(|l| l.hl_id.as_str())
        .collect();
    let mut next = 0u64;
    let mut claim_hl = || loop {
        next += 1;
        let id = Num::count(next);
        if !used.contains(id.as_str()) {
            return id;
        }
    };
    let mut claims = a.claims.iter().zip(order).peekable();
    while let Some((claim, _)) = claims.next_if(|(_, p)| p.is_none()) {
        write_claim(w, claim, claim_hl().as_str(), None)?;
    }
    for (n, provider) in a.providers.iter().enumerate() {
        let has_claims = claims.peek().is_some_and(|(_, p)| **p == Some(n));
        let child = if has_claims { "1" } else { "0" };
        write_level(w, provider, Some(parent), "19", child, "1")?;
        while let Some((claim, _)) = claims.next_if(|(_, p)| **p == Some(n)) {
            write_claim(w, claim, claim_hl().as_str(), Some(&provider.hl_id))?;
        }
    }
    w.end_transaction(&a.control_number)
}

fn write_level(
    w: &mut SegmentWriter,
    level: &StatusLevel,
    parent: Option<&str>,
    code: &str,
    child: &str,
    trace_type: &str,
) -> Result<(), WriteError> {
    w.seg(
        "HL",
        &[
            El::S(&level.hl_id),
            El::S(parent.unwrap_or("")),
            El::S(code),
            El::S(child),
        ],
    )?;
    if let Some(entity) = &level.entity {
        write_entity(w, entity)?;
    }
    if let Some(trace) = &level.trace_number {
        w.seg("TRN", &[El::S(trace_type), El::S(trace)])?;
    }
    write_statuses(w, &level.statuses)?;
    for Reference { qualifier, value } in &level.references {
        w.seg("REF", &[El::S(qualifier), El::S(value)])?;
    }
    for date in &level.dates {
        write_dtp(w, date)?;
    }
    for (qualifier, quantity) in &level.quantities {
        w.seg("QTY", &[El::S(qualifier), El::S(&quantity.to_x12())])?;
    }
    for (qualifier, amount) in &level.amounts {
        w.seg(
            "AMT",
            &[El::S(qualifier), El::S(Num::amount(*amount).as_str())],
        )?;
    }
    Ok(())
}

fn write_claim(
    w: &mut SegmentWriter,
    c: &ClaimStatusReport,
    hl: &str,
    provider: Option<&str>,
) -> Result<(), WriteError> {
    w.seg(
        "HL",
        &[El::S(hl), El::S(provider.unwrap_or("")), El::S("PT")],
    )?;
    if let Some(patient) = &c.patient {
        write_entity(w, patient)?;
    }
    w.seg("TRN", &[El::S("2"), El::S(&c.patient_control_number)])?;
    write_statuses(w, &c.statuses)?;
    for (qualifier, value) in [
        ("1K", &c.payer_claim_control_number),
        ("D9", &c.clearinghouse_trace_number),
        ("BLT", &c.bill_type),
    ] {
        if let Some(value) = value {
            w.seg("REF", &[El::S(qualifier), El::S(value)])?;
        }
    }
    for Reference { qualifier, value } in &c.references {
        w.seg("REF", &[El::S(qualifier), El::S(value)])?;
    }
    if let Some(dates) = &c.service_dates {
        write_dtp(w, dates)?;
    }
    for line in &c.lines {
        write_line(w, line)?;
    }
    Ok(())
}

fn write_line(w: &mut SegmentWriter, l: &LineStatusReport) -> Result<(), WriteError> {
    let units = l.units.map(|u| u.to_x12()).unwrap_or_default();
    w.seg(
        "SVC",
        &[
            El::C(&procedure_parts(&l.procedure)),
            El::S(Num::amount(l.charge).as_str()),
            El::S(""),
            El::S(l.revenue_code.as_deref().unwrap_or("")),
            El::S(""),
            El::S(""),
            El::S(&units),
        ],
    )?;
    write_statuses(w, &l.statuses)?;
    if let Some(control) = &l.line_item_control_number {
        w.seg("REF", &[El::S("FJ"), El::S(control)])?;
    }
    if let Some(date) = &l.service_date {
        write_dtp(w, date)?;
    }
    Ok(())
}

/// STC segments: up to three consecutive statuses that share the date,
/// action, charge and message go in one STC (STC01, STC10, STC11), which
/// the reader splits back into the same list.
fn write_statuses(w: &mut SegmentWriter, statuses: &[StatusInfo]) -> Result<(), WriteError> {
    let shared = |a: &StatusInfo, b: &StatusInfo| {
        a.date == b.date && a.action == b.action && a.charge == b.charge && a.message == b.message
    };
    let mut rest = statuses;
    while let Some(first) = rest.first() {
        let run = rest.iter().take(3).take_while(|s| shared(s, first)).count();
        let none: [&str; 3] = ["", "", ""];
        let mut parts = [none; 3];
        for (slot, status) in parts.iter_mut().zip(&rest[..run]) {
            if status.category.is_empty() || status.status.is_empty() {
                return Err(WriteError::new(
                    "statuses",
                    "each status needs its category and status code",
                ));
            }
            *slot = [
                &status.category,
                &status.status,
                status.entity.as_deref().unwrap_or(""),
            ];
        }
        let date = first.date.map(|d| d.to_x12()).unwrap_or_default();
        let charge = first.charge.map(Num::amount);
        w.seg(
            "STC",
            &[
                El::C(&parts[0]),
                El::S(&date),
                El::S(first.action.as_deref().unwrap_or("")),
                El::S(charge.as_ref().map_or("", Num::as_str)),
                El::S(""),
                El::S(""),
                El::S(""),
                El::S(""),
                El::S(""),
                El::C(&parts[1]),
                El::C(&parts[2]),
                El::S(first.message.as_deref().unwrap_or("")),
            ],
        )?;
        rest = &rest[run..];
    }
    Ok(())
}
