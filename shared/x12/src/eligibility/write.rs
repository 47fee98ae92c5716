//! The 271 writer, for tests and the payer simulator: the HL hierarchy
//! (20 payer, 21 provider, 22 subscriber, 23 dependent) and each member's
//! EB loops, written from the reader's own model so that
//! `read_271(write_271(responses)) == responses`.

use std::collections::HashSet;

use crate::common::{DateRef, Entity, Reference};
use crate::eligibility::{
    Benefit, BenefitKind, CoverageReport, EligibilityResponse, Rejection, VERSION,
};
use crate::error::WriteError;
use crate::write::{
    El, InterchangeParams, Num, SegmentWriter, procedure_parts, write_dtp, write_entity,
    write_interchange,
};

/// NM101 codes the guide allows for the information source (2100A).
const SOURCE_ROLES: [&str; 5] = ["2B", "36", "GP", "P5", "PR"];

/// Writes one interchange (GS01 `HB`) holding one 271 per response; BHT05
/// is the interchange time. Member levels are written with their own
/// `hl_id`; a dependent (HL 23) hangs under the subscriber before it.
pub fn write_271(
    params: &InterchangeParams,
    responses: &[EligibilityResponse],
) -> Result<Vec<u8>, WriteError> {
    write_interchange(params, "HB", VERSION, |w| {
        for (i, response) in responses.iter().enumerate() {
            check(&format!("responses[{i}]"), response)?;
            write_response(w, response, &params.time)?;
        }
        Ok(responses.len())
    })
}

/// Refuses what the guide forbids or the reader could not give back.
fn check(path: &str, r: &EligibilityResponse) -> Result<(), WriteError> {
    let err = |field: String, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    if !(4..=9).contains(&r.control_number.len()) {
        return err("control_number".into(), "4 to 9 characters");
    }
    if r.reference_id.is_empty() || r.reference_id.len() > 50 {
        return err("reference_id".into(), "1 to 50 characters (BHT03)");
    }
    match &r.payer {
        Some(p) if SOURCE_ROLES.contains(&p.role.as_str()) => {}
        Some(_) => return err("payer.role".into(), "NM101 2B, 36, GP, P5 or PR"),
        None => return err("payer".into(), "required (loop 2100A)"),
    }
    if r.receiver.is_none() {
        return err("receiver".into(), "required (loop 2100B)");
    }
    check_rejections(&format!("{path}.payer_rejections"), &r.payer_rejections)?;
    check_rejections(
        &format!("{path}.receiver_rejections"),
        &r.receiver_rejections,
    )?;
    let mut ids: HashSet<&str> = HashSet::from(["1", "2"]);
    let fail = |field: String, why: &str| Err(WriteError::new(field, why));
    for (n, m) in r.members.iter().enumerate() {
        let at = |f: &str| format!("{path}.members[{n}].{f}");
        if m.hl_id.is_empty() || m.hl_id.len() > 12 || !ids.insert(m.hl_id.as_str()) {
            return fail(at("hl_id"), "1 to 12 characters, unique, not 1 or 2");
        }
        if n == 0 && m.dependent {
            return fail(at("dependent"), "a dependent follows its subscriber");
        }
        if m.member.is_none() {
            return fail(at("member"), "required (NM1 of loop 2100C/D)");
        }
        if m.sex.is_some() && m.birth_date.is_none() {
            return fail(at("sex"), "only sent with a birth date");
        }
        for t in &m.traces {
            let bad = |v: &str, max| v.is_empty() || v.len() > max;
            if !matches!(t.kind.as_str(), "1" | "2") || bad(&t.number, 50) || bad(&t.originator, 10)
            {
                return fail(
                    at("traces"),
                    "TRN01 1 or 2, TRN02 1 to 50 and TRN03 1 to 10 characters",
                );
            }
        }
        check_references(&at("references"), &m.references)?;
        check_rejections(&at("rejections"), &m.rejections)?;
        for (b, benefit) in m.benefits.iter().enumerate() {
            check_benefit(&at(&format!("benefits[{b}]")), benefit)?;
        }
    }
    Ok(())
}

fn check_benefit(path: &str, b: &Benefit) -> Result<(), WriteError> {
    let err = |field: &str, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    if b.code.is_empty() {
        return err("code", "required (EB01)");
    }
    if b.kind != BenefitKind::from_code(&b.code) {
        return err("kind", "must be what EB01 implies");
    }
    if b.service_types.len() > 99 || b.service_types.iter().any(String::is_empty) {
        return err("service_types", "at most 99 non-empty codes");
    }
    if b.messages.iter().any(|m| m.is_empty() || m.len() > 264) {
        return err("messages", "1 to 264 characters each (MSG01)");
    }
    check_references(&format!("{path}.references"), &b.references)?;
    check_rejections(&format!("{path}.rejections"), &b.rejections)
}

fn check_references(field: &str, references: &[Reference]) -> Result<(), WriteError> {
    if references
        .iter()
        .any(|r| r.qualifier.is_empty() || r.value.is_empty())
    {
        return Err(WriteError::new(field, "REF01 and REF02 are required"));
    }
    Ok(())
}

fn check_rejections(field: &str, rejections: &[Rejection]) -> Result<(), WriteError> {
    if rejections.iter().any(|r| r.reason.is_empty()) {
        return Err(WriteError::new(field, "AAA03 is required"));
    }
    Ok(())
}

fn write_response(
    w: &mut SegmentWriter,
    r: &EligibilityResponse,
    time: &str,
) -> Result<(), WriteError> {
    w.start_transaction("271", &r.control_number, VERSION)?;
    let created = r.created.to_x12();
    w.simple("BHT", &["0022", "11", &r.reference_id, &created, time])?;
    w.simple("HL", &["1", "", "20", "1"])?;
    write_party(w, r.payer.as_ref(), &r.payer_rejections)?;
    let has_members = if r.members.is_empty() { "0" } else { "1" };
    w.simple("HL", &["2", "1", "21", has_members])?;
    write_party(w, r.receiver.as_ref(), &r.receiver_rejections)?;
    let mut subscriber_hl = "2";
    for (n, m) in r.members.iter().enumerate() {
        let next_is_dependent = r.members.get(n + 1).is_some_and(|d| d.dependent);
        let (parent, code, child) = if m.dependent {
            (subscriber_hl, "23", "0")
        } else {
            subscriber_hl = &m.hl_id;
            ("2", "22", if next_is_dependent { "1" } else { "0" })
        };
        w.simple("HL", &[&m.hl_id, parent, code, child])?;
        write_member(w, m)?;
    }
    w.end_transaction(&r.control_number)
}

fn write_party(
    w: &mut SegmentWriter,
    entity: Option<&Entity>,
    rejections: &[Rejection],
) -> Result<(), WriteError> {
    if let Some(e) = entity {
        write_entity(w, e)?;
    }
    write_rejections(w, rejections)
}

/// Loops 2000C/D-2100C/D in the guide's order (TRN, NM1, REF, AAA, DMG,
/// DTP), then the EB loops.
fn write_member(w: &mut SegmentWriter, m: &CoverageReport) -> Result<(), WriteError> {
    for t in &m.traces {
        w.simple("TRN", &[&t.kind, &t.number, &t.originator])?;
    }
    if let Some(e) = &m.member {
        write_entity(w, e)?;
    }
    write_references(w, &m.references)?;
    write_rejections(w, &m.rejections)?;
    if let Some(birth) = &m.birth_date {
        let sex = m.sex.map_or("", |s| s.code());
        w.simple("DMG", &["D8", &birth.expose().to_x12(), sex])?;
    }
    write_dates(w, &m.dates)?;
    for b in &m.benefits {
        write_benefit(w, b)?;
    }
    Ok(())
}

/// Loop 2110C/D: EB, REF, DTP, AAA, MSG, then the 2120 entities inside
/// LS/LE.
fn write_benefit(w: &mut SegmentWriter, b: &Benefit) -> Result<(), WriteError> {
    let types: Vec<&str> = b.service_types.iter().map(String::as_str).collect();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let amount = b.amount.map(Num::amount);
    let percent = b.percent.map(|p| p.to_x12()).unwrap_or_default();
    let quantity = b.quantity.map(|q| q.to_x12()).unwrap_or_default();
    let procedure = b.procedure.as_ref().map(procedure_parts);
    let (level, insurance, plan, period) = (
        opt(&b.coverage_level),
        opt(&b.insurance_type),
        opt(&b.plan_description),
        opt(&b.time_period),
    );
    let (qualifier, authorization, network) = (
        opt(&b.quantity_qualifier),
        opt(&b.authorization_required),
        opt(&b.in_network),
    );
    w.seg(
        "EB",
        &[
            El::S(&b.code),
            El::S(&level),
            El::R(&types),
            El::S(&insurance),
            El::S(&plan),
            El::S(&period),
            El::S(amount.as_ref().map_or("", Num::as_str)),
            El::S(&percent),
            El::S(&qualifier),
            El::S(&quantity),
            El::S(&authorization),
            El::S(&network),
            El::C(procedure.as_ref().map_or(&[][..], |p| &p[..])),
        ],
    )?;
    write_references(w, &b.references)?;
    write_dates(w, &b.dates)?;
    write_rejections(w, &b.rejections)?;
    for message in &b.messages {
        w.simple("MSG", &[message])?;
    }
    if !b.related_entities.is_empty() {
        w.simple("LS", &["2120"])?;
        for e in &b.related_entities {
            write_entity(w, e)?;
        }
        w.simple("LE", &["2120"])?;
    }
    Ok(())
}

fn write_references(w: &mut SegmentWriter, references: &[Reference]) -> Result<(), WriteError> {
    for r in references {
        w.simple("REF", &[&r.qualifier, &r.value])?;
    }
    Ok(())
}

fn write_dates(w: &mut SegmentWriter, dates: &[DateRef]) -> Result<(), WriteError> {
    for d in dates {
        write_dtp(w, d)?;
    }
    Ok(())
}

fn write_rejections(w: &mut SegmentWriter, rejections: &[Rejection]) -> Result<(), WriteError> {
    for r in rejections {
        let valid = if r.valid_request { "Y" } else { "N" };
        let follow_up = r.follow_up.as_deref().unwrap_or("");
        w.simple("AAA", &[valid, "", &r.reason, follow_up])?;
    }
    Ok(())
}
