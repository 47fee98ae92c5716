//! The 837P writer: checks each claim against the guide's rules that a
//! type cannot express, then writes it loop by loop.

use crate::claim::{
    ClaimBatch, Frequency, Parties, check_npi, write_header, write_hierarchy,
    write_line_adjudications, write_other_payers, write_practitioner, write_service_facility,
};
use crate::common::DateRef;
use crate::error::WriteError;
use crate::professional::{ProfessionalBatch, ProfessionalClaim, VERSION};
use crate::values::Amount;
use crate::write::{El, InterchangeParams, SegmentWriter, write_interchange};

/// Writes one interchange holding one 837P transaction set per batch.
pub fn write_837p(
    params: &InterchangeParams,
    batches: &[ProfessionalBatch],
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
    batch: &ClaimBatch<ProfessionalClaim>,
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
        let path = format!("batches[{b}].claims[{c}]");
        check_claim(&path, claim)?;
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

fn write_claim(w: &mut SegmentWriter, c: &ProfessionalClaim) -> Result<(), WriteError> {
    let s = &c.signatures;
    let yn = |b: bool| if b { "Y" } else { "N" };
    let (assignment, benefits, release) = (
        s.assignment.to_string(),
        s.benefits_assigned.to_string(),
        s.release_of_information.to_string(),
    );
    let charge = c.total_charge.to_x12();
    w.seg(
        "CLM",
        &[
            El::S(&c.patient_control_number),
            El::S(&charge),
            El::S(""),
            El::S(""),
            El::C(&[&c.place_of_service, "B", c.frequency.code()]),
            El::S(yn(s.provider_signature)),
            El::S(&assignment),
            El::S(&benefits),
            El::S(&release),
        ],
    )?;
    if let Some(onset) = c.onset_date {
        w.simple("DTP", &["431", "D8", &onset.to_x12()])?;
    }
    if let Some(auth) = &c.prior_authorization {
        w.simple("REF", &["G1", auth])?;
    }
    if let Some(icn) = &c.payer_claim_control_number {
        w.simple("REF", &["F8", icn])?;
    }
    let codes: Vec<[&str; 2]> = c
        .diagnoses
        .iter()
        .enumerate()
        .map(|(i, d)| [if i == 0 { "ABK" } else { "ABF" }, d.as_str()])
        .collect();
    let hi: Vec<El<'_>> = codes.iter().map(|pair| El::C(pair)).collect();
    w.seg("HI", &hi)?;
    if let Some(r) = &c.rendering_provider {
        write_practitioner(w, "82", "PE", r)?;
    }
    if let Some(f) = &c.service_facility {
        write_service_facility(w, f)?;
    }
    write_other_payers(
        w,
        &c.other_payers,
        s.benefits_assigned,
        s.release_of_information,
    )?;
    for (n, line) in c.lines.iter().enumerate() {
        w.simple("LX", &[&(n + 1).to_string()])?;
        let mut procedure = vec!["HC", line.procedure_code.as_str()];
        procedure.extend(line.modifiers.iter().map(String::as_str));
        let pointers: Vec<String> = line.diagnosis_pointers.iter().map(u8::to_string).collect();
        let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let (charge, units) = (line.charge.to_x12(), line.units.to_x12());
        w.seg(
            "SV1",
            &[
                El::C(&procedure),
                El::S(&charge),
                El::S("UN"),
                El::S(&units),
                El::S(line.place_of_service.as_deref().unwrap_or("")),
                El::S(""),
                El::C(&pointers),
            ],
        )?;
        let date = DateRef {
            qualifier: "472".into(),
            date: line.service_date,
            end: line.service_date_end,
        };
        let (format, value) = date.to_dtp();
        w.simple("DTP", &["472", format, &value])?;
        w.simple("REF", &["6R", &line.line_item_control_number])?;
        write_line_adjudications(w, &line.adjudications, &procedure, "")?;
    }
    Ok(())
}

/// The guide's rules that the claim's types do not already guarantee.
fn check_claim(path: &str, c: &ProfessionalClaim) -> Result<(), WriteError> {
    let err = |field: &str, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    check_npi(
        &format!("{path}.billing_provider.npi"),
        &c.billing_provider.npi,
    )?;
    if let Some(r) = &c.rendering_provider {
        check_npi(&format!("{path}.rendering_provider.npi"), &r.npi)?;
    }
    if let Some(f) = &c.service_facility {
        check_npi(&format!("{path}.service_facility.npi"), &f.npi)?;
        if f.name.trim().is_empty() {
            return err("service_facility.name", "required");
        }
    }
    let ein = &c.billing_provider.ein;
    if ein.len() != 9 || !ein.bytes().all(|b| b.is_ascii_digit()) {
        return err("billing_provider.ein", "nine digits");
    }
    if c.patient_control_number.is_empty() || c.patient_control_number.len() > 38 {
        return err("patient_control_number", "1 to 38 characters");
    }
    if c.place_of_service.len() != 2 || !c.place_of_service.bytes().all(|b| b.is_ascii_digit()) {
        return err("place_of_service", "a two-digit place of service code");
    }
    if c.frequency != Frequency::Original && c.payer_claim_control_number.is_none() {
        return err(
            "payer_claim_control_number",
            "required for replacement (7) and void (8) claims",
        );
    }
    if c.subscriber.address.is_none() != c.patient.is_some()
        || c.subscriber.demographics.is_none() != c.patient.is_some()
    {
        return err(
            "subscriber",
            "address and demographics are required exactly when the subscriber is the patient",
        );
    }
    if c.diagnoses.is_empty() || c.diagnoses.len() > 12 {
        return err("diagnoses", "one to twelve diagnosis codes");
    }
    if let Some(d) = c
        .diagnoses
        .iter()
        .find(|d| d.len() < 3 || d.len() > 7 || !d.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return err(
            "diagnoses",
            &format!("{d:?} is not an ICD-10-CM code without its dot"),
        );
    }
    if c.lines.is_empty() || c.lines.len() > 50 {
        return err("lines", "one to fifty service lines");
    }
    if c.other_payers.len() > 10 {
        return err("other_payers", "at most ten other payers");
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
        if line.modifiers.len() > 4 || line.modifiers.iter().any(|m| m.len() != 2) {
            return err(&at("modifiers"), "up to four two-character modifiers");
        }
        let pointers_ok = (1..=4).contains(&line.diagnosis_pointers.len())
            && line
                .diagnosis_pointers
                .iter()
                .all(|p| (1..=c.diagnoses.len()).contains(&usize::from(*p)));
        if !pointers_ok {
            return err(
                &at("diagnosis_pointers"),
                "one to four pointers to the claim's diagnoses",
            );
        }
        if line.line_item_control_number.is_empty() || line.line_item_control_number.len() > 50 {
            return err(&at("line_item_control_number"), "1 to 50 characters");
        }
        if line.units.value() <= rust_decimal::Decimal::ZERO {
            return err(&at("units"), "positive");
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
