//! The 270 eligibility inquiry and its writer: one payer (2000A), one
//! inquiring provider (2000B), and one 2000C subscriber loop per member —
//! with a 2000D dependent loop under it when the patient asked about is the
//! subscriber's dependent without a member id of their own (then the trace,
//! the date of service and the service types go in the dependent's loops).

use serde::Serialize;

use crate::claim::{Payer, PersonName, Sex, check_npi, write_person};
use crate::eligibility::VERSION;
use crate::error::WriteError;
use crate::values::{Date, Phi};
use crate::write::{El, InterchangeParams, SegmentWriter, write_interchange};

/// One 270 transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EligibilityInquiry {
    /// ST02, 4 to 9 characters.
    pub control_number: String,
    /// BHT03: our reference for the inquiry.
    pub reference_id: String,
    /// BHT04.
    pub created: Date,
    /// BHT05 (`HHMM`).
    pub created_time: String,
    /// Loop 2100A: the payer asked.
    pub payer: Payer,
    /// Loop 2100B: the provider asking.
    pub provider: InformationReceiver,
    /// Loops 2000C-2110C: one per member, at least one.
    pub subscribers: Vec<SubscriberInquiry>,
}

/// Loop 2100B: the inquiring provider (an organization with an NPI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InformationReceiver {
    /// NM103.
    pub name: String,
    /// NM109 with NM108 `XX`.
    pub npi: String,
}

/// Loops 2000C, 2100C and 2110C: one member and what we ask about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriberInquiry {
    /// TRN02: our trace number, echoed in the 271 so the answer finds
    /// its question.
    pub trace_number: String,
    /// TRN03: `1` or `9` followed by our nine-digit EIN.
    pub trace_originator: String,
    /// NM103-107.
    pub name: PersonName,
    /// NM109 with NM108 `MI`.
    pub member_id: Phi<String>,
    /// DMG02.
    pub birth_date: Option<Phi<Date>>,
    /// DMG03 (only with a birth date).
    pub sex: Option<Sex>,
    /// DTP*291: the date of service asked about (the payer assumes today
    /// when absent).
    pub service_date: Option<Date>,
    /// EQ01: service type codes (`30` health benefit plan coverage,
    /// `98` professional visit); at most 99.
    pub service_types: Vec<String>,
    /// Loops 2000D-2110D: the patient, when a dependent of this subscriber
    /// (the trace, date and service types above are then the dependent's).
    pub dependent: Option<DependentInquiry>,
}

/// Loops 2000D and 2100D: a dependent identified under the subscriber
/// (by name and birth date; the payer knows them by the subscriber's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DependentInquiry {
    /// NM103-107 (NM101 `03`, no id).
    pub name: PersonName,
    /// DMG02.
    pub birth_date: Option<Phi<Date>>,
    /// DMG03 (only with a birth date).
    pub sex: Option<Sex>,
    /// INS02: the dependent's relationship to the subscriber (`01`
    /// spouse, `19` child, `34` other adult); INS01 is `N`.
    pub relationship: Option<String>,
}

/// Writes one interchange (GS01 `HS`) holding one 270 per inquiry.
pub fn write_270(
    params: &InterchangeParams,
    inquiries: &[EligibilityInquiry],
) -> Result<Vec<u8>, WriteError> {
    write_interchange(params, "HS", VERSION, |w| {
        for (i, inquiry) in inquiries.iter().enumerate() {
            check(&format!("inquiries[{i}]"), inquiry)?;
            write_inquiry(w, inquiry)?;
        }
        Ok(inquiries.len())
    })
}

fn check(path: &str, q: &EligibilityInquiry) -> Result<(), WriteError> {
    let err = |field: &str, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    if !(4..=9).contains(&q.control_number.len()) {
        return err("control_number", "4 to 9 characters");
    }
    if q.created_time.len() != 4 || !q.created_time.bytes().all(|b| b.is_ascii_digit()) {
        return err("created_time", "HHMM");
    }
    check_npi(&format!("{path}.provider.npi"), &q.provider.npi)?;
    if q.subscribers.is_empty() {
        return err("subscribers", "at least one subscriber");
    }
    for (n, s) in q.subscribers.iter().enumerate() {
        let at = |f: &str| format!("subscribers[{n}].{f}");
        let originator = s.trace_originator.as_bytes();
        if originator.len() != 10
            || !matches!(originator[0], b'1' | b'9')
            || !originator.iter().all(u8::is_ascii_digit)
        {
            return err(
                &at("trace_originator"),
                "1 or 9 followed by a nine-digit EIN",
            );
        }
        if s.trace_number.is_empty() || s.trace_number.len() > 50 {
            return err(&at("trace_number"), "1 to 50 characters");
        }
        if s.member_id.expose().is_empty() {
            return err(&at("member_id"), "required");
        }
        if s.sex.is_some() && s.birth_date.is_none() {
            return err(&at("sex"), "only sent with a birth date");
        }
        if let Some(d) = &s.dependent {
            if d.name.last.expose().is_empty() {
                return err(&at("dependent.name"), "a last name");
            }
            if d.sex.is_some() && d.birth_date.is_none() {
                return err(&at("dependent.sex"), "only sent with a birth date");
            }
            if d.relationship
                .as_ref()
                .is_some_and(|r| r.len() != 2 || !r.bytes().all(|b| b.is_ascii_digit()))
            {
                return err(&at("dependent.relationship"), "a two-digit INS02 code");
            }
        }
        if s.service_types.is_empty() || s.service_types.len() > 99 {
            return err(&at("service_types"), "one to 99 service type codes");
        }
    }
    Ok(())
}

fn write_inquiry(w: &mut SegmentWriter, q: &EligibilityInquiry) -> Result<(), WriteError> {
    w.start_transaction("270", &q.control_number, VERSION)?;
    w.simple(
        "BHT",
        &[
            "0022",
            "13",
            &q.reference_id,
            &q.created.to_x12(),
            &q.created_time,
        ],
    )?;
    w.simple("HL", &["1", "", "20", "1"])?;
    let p = &q.payer;
    w.simple("NM1", &["PR", "2", &p.name, "", "", "", "", "PI", &p.id])?;
    w.simple("HL", &["2", "1", "21", "1"])?;
    let r = &q.provider;
    w.simple("NM1", &["1P", "2", &r.name, "", "", "", "", "XX", &r.npi])?;
    let mut hl = 2;
    for s in &q.subscribers {
        hl += 1;
        let subscriber_hl = hl.to_string();
        let has_dependent = if s.dependent.is_some() { "1" } else { "0" };
        w.simple("HL", &[&subscriber_hl, "2", "22", has_dependent])?;
        let trace =
            |w: &mut SegmentWriter| w.simple("TRN", &["1", &s.trace_number, &s.trace_originator]);
        if s.dependent.is_none() {
            trace(w)?;
        }
        write_person(w, "IL", &s.name, Some(("MI", s.member_id.expose())))?;
        write_dmg(w, s.birth_date.as_ref(), s.sex)?;
        if let Some(d) = &s.dependent {
            hl += 1;
            w.simple("HL", &[&hl.to_string(), &subscriber_hl, "23", "0"])?;
            trace(w)?;
            write_person(w, "03", &d.name, None)?;
            write_dmg(w, d.birth_date.as_ref(), d.sex)?;
            if let Some(relationship) = &d.relationship {
                w.simple("INS", &["N", relationship])?;
            }
        }
        if let Some(date) = s.service_date {
            w.simple("DTP", &["291", "D8", &date.to_x12()])?;
        }
        let types: Vec<&str> = s.service_types.iter().map(String::as_str).collect();
        w.seg("EQ", &[El::R(&types)])?;
    }
    w.end_transaction(&q.control_number)
}

fn write_dmg(
    w: &mut SegmentWriter,
    birth: Option<&Phi<Date>>,
    sex: Option<Sex>,
) -> Result<(), WriteError> {
    if let Some(birth) = birth {
        let sex = sex.map_or("", |x| x.code());
        w.simple("DMG", &["D8", &birth.expose().to_x12(), sex])?;
    }
    Ok(())
}
