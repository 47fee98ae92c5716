//! The 837I writer: checks each claim against the guide's rules that the
//! types cannot express, then writes it loop by loop.

use crate::claim::{
    ClaimBatch, Frequency, Parties, check_npi, write_header, write_hierarchy,
    write_line_adjudications, write_other_payers, write_practitioner, write_service_facility,
};
use crate::error::WriteError;
use crate::institutional::{Diagnosis, InstitutionalBatch, InstitutionalClaim, VERSION};
use crate::values::Amount;
use crate::write::{El, InterchangeParams, SegmentWriter, write_interchange};

/// Writes one interchange holding one 837I transaction set per batch.
pub fn write_837i(
    params: &InterchangeParams,
    batches: &[InstitutionalBatch],
) -> Result<Vec<u8>, WriteError> {
    write_interchange(params, "HC", VERSION, |w| {
        for (b, batch) in batches.iter().enumerate() {
            write_batch(w, batch, b)?;
        }
        Ok(batches.len())
    })
}

fn write_batch(
    w: &mut SegmentWriter,
    batch: &ClaimBatch<InstitutionalClaim>,
    b: usize,
) -> Result<(), WriteError> {
    if batch.claims.is_empty() {
        return Err(WriteError::new(
            format!("batches[{b}].claims"),
            "a batch needs at least one claim",
        ));
    }
    w.start_transaction("837", &batch.control_number, VERSION)?;
    write_header(w, batch)?;
    let (mut hl, mut provider_hl) = (0, None);
    for (c, claim) in batch.claims.iter().enumerate() {
        check_claim(&format!("batches[{b}].claims[{c}]"), claim)?;
        let parties = Parties {
            provider: &claim.billing_provider,
            subscriber: &claim.subscriber,
            payer: &claim.payer,
            patient: claim.patient.as_ref(),
        };
        write_hierarchy(w, &mut hl, &mut provider_hl, parties)?;
        write_claim(w, claim)?;
    }
    w.end_transaction(&batch.control_number)
}

/// HI segments hold at most twelve codes; longer lists continue in a
/// second segment of the same kind.
fn write_hi(w: &mut SegmentWriter, codes: &[Vec<String>]) -> Result<(), WriteError> {
    for chunk in codes.chunks(12) {
        let parts: Vec<Vec<&str>> = chunk
            .iter()
            .map(|c| c.iter().map(String::as_str).collect())
            .collect();
        let elements: Vec<El<'_>> = parts.iter().map(|p| El::C(p)).collect();
        w.seg("HI", &elements)?;
    }
    Ok(())
}

fn write_claim(w: &mut SegmentWriter, c: &InstitutionalClaim) -> Result<(), WriteError> {
    let (assignment, benefits, release) = (
        c.assignment.to_string(),
        c.benefits_assigned.to_string(),
        c.release_of_information.to_string(),
    );
    let charge = c.total_charge.to_x12();
    w.seg(
        "CLM",
        &[
            El::S(&c.patient_control_number),
            El::S(&charge),
            El::S(""),
            El::S(""),
            El::C(&[&c.facility_type, "A", c.frequency.code()]),
            El::S(""),
            El::S(&assignment),
            El::S(&benefits),
            El::S(&release),
        ],
    )?;
    if let Some(hour) = c.discharge_hour {
        w.simple("DTP", &["096", "TM", &format!("{hour:02}00")])?;
    }
    let period = format!("{}-{}", c.statement_from.to_x12(), c.statement_to.to_x12());
    w.simple("DTP", &["434", "RD8", &period])?;
    if let Some(admission) = c.admission_date {
        match c.admission_hour {
            Some(hour) => {
                let at = format!("{}{hour:02}00", admission.to_x12());
                w.simple("DTP", &["435", "DT", &at])?
            }
            None => w.simple("DTP", &["435", "D8", &admission.to_x12()])?,
        }
    }
    w.simple(
        "CL1",
        &[
            c.admission_type.as_deref().unwrap_or(""),
            c.admission_source.as_deref().unwrap_or(""),
            &c.patient_status,
        ],
    )?;
    if let Some(auth) = &c.prior_authorization {
        w.simple("REF", &["G1", auth])?;
    }
    if let Some(icn) = &c.payer_claim_control_number {
        w.simple("REF", &["F8", icn])?;
    }
    let coded = |q: &str, code: &str| vec![q.to_owned(), code.to_owned()];
    let dated = |q: &str, code: &str, date: crate::values::Date| {
        vec![
            q.to_owned(),
            code.to_owned(),
            "D8".to_owned(),
            date.to_x12(),
        ]
    };
    // HI0n-9 carries the present-on-admission indicator, after the six
    // components a diagnosis does not use (HI0n-3 to 8).
    let diagnosis = |q: &str, d: &Diagnosis| {
        let mut parts = coded(q, &d.code);
        if let Some(poa) = d.present_on_admission {
            parts.resize(8, String::new());
            parts.push(poa.code().to_owned());
        }
        parts
    };
    write_hi(w, &[diagnosis("ABK", &c.principal_diagnosis)])?;
    if let Some(admitting) = &c.admitting_diagnosis {
        write_hi(w, &[coded("ABJ", admitting)])?;
    }
    let others: Vec<_> = c
        .other_diagnoses
        .iter()
        .map(|d| diagnosis("ABF", d))
        .collect();
    write_hi(w, &others)?;
    if let Some(p) = &c.principal_procedure {
        write_hi(w, &[dated("BBR", &p.code, p.date)])?;
    }
    let procedures: Vec<_> = c
        .other_procedures
        .iter()
        .map(|p| dated("BBQ", &p.code, p.date))
        .collect();
    write_hi(w, &procedures)?;
    let occurrences: Vec<_> = c
        .occurrence_codes
        .iter()
        .map(|o| dated("BH", &o.code, o.date))
        .collect();
    write_hi(w, &occurrences)?;
    let values: Vec<_> = c
        .value_codes
        .iter()
        .map(|v| {
            vec![
                "BE".into(),
                v.code.clone(),
                String::new(),
                String::new(),
                v.amount.to_x12(),
            ]
        })
        .collect();
    write_hi(w, &values)?;
    let conditions: Vec<_> = c.condition_codes.iter().map(|d| coded("BG", d)).collect();
    write_hi(w, &conditions)?;
    if let Some(attending) = &c.attending_provider {
        write_practitioner(w, "71", "AT", attending)?;
    }
    if let Some(f) = &c.service_facility {
        write_service_facility(w, f)?;
    }
    write_other_payers(
        w,
        &c.other_payers,
        c.benefits_assigned,
        c.release_of_information,
    )?;
    for (n, line) in c.lines.iter().enumerate() {
        w.simple("LX", &[&(n + 1).to_string()])?;
        let mut procedure: Vec<&str> = Vec::new();
        if let Some(code) = &line.procedure_code {
            procedure.extend(["HC", code.as_str()]);
            procedure.extend(line.modifiers.iter().map(String::as_str));
        }
        let (charge, units) = (line.charge.to_x12(), line.units.to_x12());
        w.seg(
            "SV2",
            &[
                El::S(&line.revenue_code),
                El::C(&procedure),
                El::S(&charge),
                El::S("UN"),
                El::S(&units),
            ],
        )?;
        if let Some(date) = line.service_date {
            w.simple("DTP", &["472", "D8", &date.to_x12()])?;
        }
        w.simple("REF", &["6R", &line.line_item_control_number])?;
        write_line_adjudications(w, &line.adjudications, &procedure, &line.revenue_code)?;
    }
    Ok(())
}

/// The guide's rules that the claim's types do not already guarantee.
fn check_claim(path: &str, c: &InstitutionalClaim) -> Result<(), WriteError> {
    let err = |field: &str, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    check_npi(
        &format!("{path}.billing_provider.npi"),
        &c.billing_provider.npi,
    )?;
    if let Some(a) = &c.attending_provider {
        check_npi(&format!("{path}.attending_provider.npi"), &a.npi)?;
    }
    if let Some(f) = &c.service_facility {
        check_npi(&format!("{path}.service_facility.npi"), &f.npi)?;
        if f.name.trim().is_empty() {
            return err("service_facility.name", "required");
        }
    }
    if c.patient_control_number.is_empty() || c.patient_control_number.len() > 38 {
        return err("patient_control_number", "1 to 38 characters");
    }
    if c.facility_type.len() != 2 || !c.facility_type.bytes().all(|b| b.is_ascii_digit()) {
        return err("facility_type", "two digits of the type of bill");
    }
    if c.frequency != Frequency::Original && c.payer_claim_control_number.is_none() {
        return err(
            "payer_claim_control_number",
            "required for replacement (7) and void (8) claims",
        );
    }
    if c.statement_to < c.statement_from {
        return err("statement_to", "the statement period ends before it starts");
    }
    if c.patient_status.is_empty() {
        return err("patient_status", "CL103 is required");
    }
    if c.admission_hour.is_some() && c.admission_date.is_none() {
        return err(
            "admission_hour",
            "an admission hour needs the admission date",
        );
    }
    for (field, hour) in [
        ("admission_hour", c.admission_hour),
        ("discharge_hour", c.discharge_hour),
    ] {
        if hour.is_some_and(|h| h > 23) {
            return err(field, "an hour of the day, 0-23");
        }
    }
    let lists = [
        ("other_diagnoses", c.other_diagnoses.len()),
        ("other_procedures", c.other_procedures.len()),
        ("occurrence_codes", c.occurrence_codes.len()),
        ("value_codes", c.value_codes.len()),
        ("condition_codes", c.condition_codes.len()),
    ];
    if let Some((field, _)) = lists.iter().find(|(_, n)| *n > 24) {
        return err(field, "at most 24 codes");
    }
    if c.lines.is_empty() || c.lines.len() > 999 {
        return err("lines", "one to 999 service lines");
    }
    let total: Amount = c.lines.iter().map(|l| l.charge).sum();
    if total != c.total_charge {
        return err(
            "total_charge",
            &format!(
                "CLM02 {} must equal the line charges {total}",
                c.total_charge
            ),
        );
    }
    for (n, line) in c.lines.iter().enumerate() {
        let at = |f: &str| format!("lines[{n}].{f}");
        if line.revenue_code.len() != 4 || !line.revenue_code.bytes().all(|b| b.is_ascii_digit()) {
            return err(&at("revenue_code"), "a four-digit revenue code");
        }
        if line.modifiers.len() > 4 || (line.procedure_code.is_none() && !line.modifiers.is_empty())
        {
            return err(
                &at("modifiers"),
                "up to four modifiers, only with a procedure code",
            );
        }
        if line.line_item_control_number.is_empty() {
            return err(
                &at("line_item_control_number"),
                "required so remittance lines match back",
            );
        }
        for a in &line.adjudications {
            if !c.other_payers.iter().any(|o| o.payer_id == a.payer_id) {
                return err(
                    &at("adjudications"),
                    "SVD01 must name a payer of the other-payer loops",
                );
            }
        }
    }
    Ok(())
}
