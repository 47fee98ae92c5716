//! The 276 claim status inquiry and its writer: one subscriber level (and,
//! when the patient is a dependent, one dependent level) per claim asked
//! about, each with its TRN trace and what identifies the claim.

use serde::Serialize;

use crate::claim::{Demographics, PersonName, write_person};
use crate::error::WriteError;
use crate::status::levels::{check_parties, write_parties};
use crate::status::{ServicePeriod, StatusParties, VERSION};
use crate::values::{Amount, Date, Phi};
use crate::write::{El, InterchangeParams, Num, SegmentWriter, write_dtp, write_interchange};

/// One 276 transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimStatusInquiry {
    /// ST02, 4 to 9 characters.
    pub control_number: String,
    /// BHT03: our reference for the inquiry.
    pub reference_id: String,
    /// BHT04.
    pub created: Date,
    /// BHT05 (`HHMM`).
    pub created_time: String,
    /// Payer, information receiver and provider (HL 20, 21, 19).
    pub parties: StatusParties,
    /// The claims asked about, at least one.
    pub claims: Vec<ClaimStatusRequest>,
}

/// Loop 2000D/2100D: the subscriber of the claim asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusSubscriber {
    /// NM103-107 (NM1*IL).
    pub name: PersonName,
    /// NM109 with NM108 `MI`.
    pub member_id: Phi<String>,
    /// DMG: required when the subscriber is the patient.
    pub demographics: Option<Demographics>,
}

/// Loop 2000E/2100E: the patient when it is not the subscriber.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusDependent {
    /// NM103-107 (NM1*QC).
    pub name: PersonName,
    /// DMG.
    pub demographics: Demographics,
}

/// Loop 2200D (or 2200E): one claim asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimStatusRequest {
    /// The subscriber.
    pub subscriber: StatusSubscriber,
    /// The patient, when a dependent rather than the subscriber.
    pub patient: Option<StatusDependent>,
    /// TRN02: our trace number, echoed in the 277 so the answer finds its
    /// question.
    pub trace_number: String,
    /// REF*1K: the payer's claim control number (835 CLP07), when known.
    pub payer_claim_control_number: Option<String>,
    /// REF*BLT: institutional type of bill.
    pub bill_type: Option<String>,
    /// REF*EJ: our patient control number (837 CLM01).
    pub patient_control_number: Option<String>,
    /// AMT*T3: the claim's total submitted charge.
    pub total_charge: Option<Amount>,
    /// DTP*472: the claim's service date or period.
    pub service_period: Option<ServicePeriod>,
}

/// Writes one interchange (GS01 `HR`) holding one 276 per inquiry;
/// `read_276` of the result gives back `inquiries`.
pub fn write_276(
    params: &InterchangeParams,
    inquiries: &[ClaimStatusInquiry],
) -> Result<Vec<u8>, WriteError> {
    write_interchange(params, "HR", VERSION, |w| {
        for (i, inquiry) in inquiries.iter().enumerate() {
            let path = format!("inquiries[{i}]");
            check(&path, inquiry)?;
            write_inquiry(w, inquiry)?;
        }
        Ok(inquiries.len())
    })
}

/// The header checks the 276 and 277 share.
pub(crate) fn check_header(
    path: &str,
    control_number: &str,
    reference_id: &str,
    created_time: &str,
    parties: &StatusParties,
) -> Result<(), WriteError> {
    let err = |field: &str, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    if !(4..=9).contains(&control_number.len()) {
        return err("control_number", "4 to 9 characters");
    }
    if reference_id.is_empty() || reference_id.len() > 50 {
        return err("reference_id", "1 to 50 characters");
    }
    if created_time.len() != 4 || !created_time.bytes().all(|b| b.is_ascii_digit()) {
        return err("created_time", "HHMM");
    }
    check_parties(path, parties)
}

fn check(path: &str, q: &ClaimStatusInquiry) -> Result<(), WriteError> {
    check_header(
        path,
        &q.control_number,
        &q.reference_id,
        &q.created_time,
        &q.parties,
    )?;
    let err = |field: String, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    if q.claims.is_empty() {
        return err("claims".into(), "at least one claim");
    }
    for (n, c) in q.claims.iter().enumerate() {
        let at = |f: &str| format!("claims[{n}].{f}");
        if c.trace_number.is_empty() || c.trace_number.len() > 50 {
            return err(at("trace_number"), "1 to 50 characters");
        }
        if c.subscriber.member_id.expose().is_empty() {
            return err(at("subscriber.member_id"), "required");
        }
        if c.patient.is_none() && c.subscriber.demographics.is_none() {
            return err(
                at("subscriber.demographics"),
                "required when the subscriber is the patient",
            );
        }
        let names = std::iter::once(&c.subscriber.name).chain(c.patient.as_ref().map(|p| &p.name));
        if names.into_iter().any(|n| n.last.expose().is_empty()) {
            return err(at("subscriber"), "last names are required");
        }
    }
    Ok(())
}

fn write_inquiry(w: &mut SegmentWriter, q: &ClaimStatusInquiry) -> Result<(), WriteError> {
    w.start_transaction("276", &q.control_number, VERSION)?;
    let created = q.created.to_x12();
    w.seg(
        "BHT",
        &[
            El::S("0010"),
            El::S("13"),
            El::S(&q.reference_id),
            El::S(&created),
            El::S(&q.created_time),
        ],
    )?;
    write_parties(w, &q.parties, |_, _| Ok(()))?;
    let mut hl = 3u64;
    for c in &q.claims {
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
        let s = &c.subscriber;
        if let Some(d) = &s.demographics {
            write_dmg(w, d)?;
        }
        write_person(w, "IL", &s.name, Some(("MI", s.member_id.expose())))?;
        if let Some(p) = &c.patient {
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
            write_dmg(w, &p.demographics)?;
            write_person(w, "QC", &p.name, None)?;
        }
        write_request(w, c)?;
    }
    w.end_transaction(&q.control_number)
}

pub(crate) fn write_dmg(w: &mut SegmentWriter, d: &Demographics) -> Result<(), WriteError> {
    let birth = d.birth_date.expose().to_x12();
    w.seg("DMG", &[El::S("D8"), El::S(&birth), El::S(d.sex.code())])
}

fn write_request(w: &mut SegmentWriter, c: &ClaimStatusRequest) -> Result<(), WriteError> {
    w.seg("TRN", &[El::S("1"), El::S(&c.trace_number)])?;
    for (qualifier, value) in [
        ("1K", &c.payer_claim_control_number),
        ("BLT", &c.bill_type),
        ("EJ", &c.patient_control_number),
    ] {
        if let Some(value) = value {
            w.seg("REF", &[El::S(qualifier), El::S(value)])?;
        }
    }
    if let Some(charge) = c.total_charge {
        w.seg("AMT", &[El::S("T3"), El::S(Num::amount(charge).as_str())])?;
    }
    if let Some(period) = c.service_period {
        write_dtp(w, &period.to_date_ref())?;
    }
    Ok(())
}
