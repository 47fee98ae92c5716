//! The 277 (005010X212) writer, for tests and the payer simulator: one
//! subscriber level (and dependent level) per claim reported on.

use crate::claim::write_person;
use crate::error::WriteError;
use crate::status::inquiry::check_header;
use crate::status::levels::{Level, write_parties};
use crate::status::{ClaimStatusResponse, ClaimStatusResult, StatusDetail, VERSION};
use crate::write::{
    El, InterchangeParams, Num, SegmentWriter, procedure_parts, write_dtp, write_interchange,
};

/// Writes one interchange (GS01 `HN`) holding one 277 per response;
/// `read_277` of the result gives back `responses`.
pub fn write_277(
    params: &InterchangeParams,
    responses: &[ClaimStatusResponse],
) -> Result<Vec<u8>, WriteError> {
    write_interchange(params, "HN", VERSION, |w| {
        for (i, response) in responses.iter().enumerate() {
            let path = format!("responses[{i}]");
            check(&path, response)?;
            write_response(w, response)?;
        }
        Ok(responses.len())
    })
}

fn check(path: &str, r: &ClaimStatusResponse) -> Result<(), WriteError> {
    check_header(
        path,
        &r.control_number,
        &r.reference_id,
        &r.created_time,
        &r.parties,
    )?;
    let err = |field: String, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    for (name, level) in [
        ("receiver_status", &r.receiver_status),
        ("provider_status", &r.provider_status),
    ] {
        if let Some(s) = level {
            if s.trace_number.is_empty() || s.trace_number.len() > 50 {
                return err(format!("{name}.trace_number"), "1 to 50 characters");
            }
            check_statuses(&format!("{path}.{name}.statuses"), &s.statuses)?;
        }
    }
    for (n, c) in r.claims.iter().enumerate() {
        let at = |f: &str| format!("claims[{n}].{f}");
        if c.trace_number.is_empty() || c.trace_number.len() > 50 {
            return err(at("trace_number"), "1 to 50 characters");
        }
        if c.subscriber.last.expose().is_empty()
            || c.patient
                .as_ref()
                .is_some_and(|p| p.last.expose().is_empty())
        {
            return err(at("subscriber"), "last names are required");
        }
        check_statuses(&at("statuses"), &c.statuses)?;
        for (l, line) in c.lines.iter().enumerate() {
            check_statuses(&at(&format!("lines[{l}].statuses")), &line.statuses)?;
        }
    }
    Ok(())
}

fn check_statuses(field: &str, statuses: &[StatusDetail]) -> Result<(), WriteError> {
    if statuses.is_empty() {
        return Err(WriteError::new(field, "at least one status (STC)"));
    }
    for s in statuses {
        if s.codes.is_empty() || s.codes.len() > 3 {
            return Err(WriteError::new(
                field,
                "one to three status composites per STC",
            ));
        }
        if s.codes
            .iter()
            .any(|c| c.category.is_empty() || c.status.is_empty())
        {
            return Err(WriteError::new(field, "category and status are required"));
        }
    }
    Ok(())
}

fn write_response(w: &mut SegmentWriter, r: &ClaimStatusResponse) -> Result<(), WriteError> {
    w.start_transaction("277", &r.control_number, VERSION)?;
    let created = r.created.to_x12();
    w.seg(
        "BHT",
        &[
            El::S("0010"),
            El::S("08"),
            El::S(&r.reference_id),
            El::S(&created),
            El::S(&r.created_time),
            El::S("DG"),
        ],
    )?;
    write_parties(w, &r.parties, |w, level| {
        let (trace_type, status) = match level {
            Level::Receiver => ("2", &r.receiver_status),
            Level::Provider => ("1", &r.provider_status),
            _ => return Ok(()),
        };
        if let Some(s) = status {
            w.seg("TRN", &[El::S(trace_type), El::S(&s.trace_number)])?;
            for detail in &s.statuses {
                write_stc(w, detail)?;
            }
        }
        Ok(())
    })?;
    let mut hl = 3u64;
    for c in &r.claims {
        hl += 1;
        let subscriber_hl = Num::count(hl);
        let child = if c.patient.is_some() { "1" } else { "0" };
        w.seg(
            "HL",
            &[
                El::S(subscriber_hl.as_str()),
                El::S("3"),
                El::S("22"),
                El::S(child),
            ],
        )?;
        let member = c.member_id.as_ref().map(|id| ("MI", id.expose().as_str()));
        write_person(w, "IL", &c.subscriber, member)?;
        if let Some(patient) = &c.patient {
            hl += 1;
            let dependent_hl = Num::count(hl);
            w.seg(
                "HL",
                &[
                    El::S(dependent_hl.as_str()),
                    El::S(subscriber_hl.as_str()),
                    El::S("23"),
                ],
            )?;
            write_person(w, "QC", patient, None)?;
        }
        write_result(w, c)?;
    }
    w.end_transaction(&r.control_number)
}

fn write_result(w: &mut SegmentWriter, c: &ClaimStatusResult) -> Result<(), WriteError> {
    w.seg("TRN", &[El::S("2"), El::S(&c.trace_number)])?;
    for s in &c.statuses {
        write_stc(w, s)?;
    }
    for (qualifier, value) in [
        ("1K", &c.payer_claim_control_number),
        ("BLT", &c.bill_type),
        ("EJ", &c.patient_control_number),
        ("D9", &c.clearinghouse_trace_number),
    ] {
        if let Some(value) = value {
            w.seg("REF", &[El::S(qualifier), El::S(value)])?;
        }
    }
    if let Some(period) = c.service_period {
        write_dtp(w, &period.to_date_ref())?;
    }
    for line in &c.lines {
        let paid = line.paid.map(Num::amount);
        let units = line.units.map(|u| u.to_x12()).unwrap_or_default();
        w.seg(
            "SVC",
            &[
                El::C(&procedure_parts(&line.procedure)),
                El::S(Num::amount(line.charge).as_str()),
                El::S(paid.as_ref().map_or("", Num::as_str)),
                El::S(line.revenue_code.as_deref().unwrap_or("")),
                El::S(""),
                El::S(""),
                El::S(&units),
            ],
        )?;
        for s in &line.statuses {
            write_stc(w, s)?;
        }
        if let Some(control) = &line.line_item_control_number {
            w.seg("REF", &[El::S("FJ"), El::S(control)])?;
        }
        if let Some(period) = line.service_period {
            write_dtp(w, &period.to_date_ref())?;
        }
    }
    Ok(())
}

fn write_stc(w: &mut SegmentWriter, s: &StatusDetail) -> Result<(), WriteError> {
    let none = ["", "", ""];
    let mut codes = [none; 3];
    for (slot, c) in codes.iter_mut().zip(&s.codes) {
        *slot = [&c.category, &c.status, c.entity.as_deref().unwrap_or("")];
    }
    let date = |d: Option<crate::values::Date>| d.map(|d| d.to_x12()).unwrap_or_default();
    let (effective, adjudicated, check_date) = (
        date(s.effective_date),
        date(s.adjudicated),
        date(s.check_date),
    );
    let (charge, paid) = (s.total_charge.map(Num::amount), s.paid.map(Num::amount));
    w.seg(
        "STC",
        &[
            El::C(&codes[0]),
            El::S(&effective),
            El::S(s.action.as_deref().unwrap_or("")),
            El::S(charge.as_ref().map_or("", Num::as_str)),
            El::S(paid.as_ref().map_or("", Num::as_str)),
            El::S(&adjudicated),
            El::S(s.payment_method.as_deref().unwrap_or("")),
            El::S(&check_date),
            El::S(s.check_number.as_deref().unwrap_or("")),
            El::C(&codes[1]),
            El::C(&codes[2]),
            El::S(s.message.as_deref().unwrap_or("")),
        ],
    )
}
