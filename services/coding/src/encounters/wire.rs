//! Conversions between the `medbill.coding.v1` wire messages and the
//! encounter domain. Parsing rejects malformed input with INVALID_ARGUMENT
//! naming the field; semantic problems of valid-looking coding (a pointer to
//! nowhere, a code not billable on the date) are edit findings, not errors.

use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::common::v1 as common;
use medbill_kernel::{
    CalendarDate, IcdCm, IcdPcs, Modifier, Npi, ProcedureCode, Redacted, Timestamp,
};
use medbill_platform::ServiceError;
use medbill_platform::convert::{date, optional_date, required_text, wire_date, wire_timestamp};

use super::domain::{
    ADMISSION_SOURCES, ADMISSION_TYPES, Coding, DISCHARGE_STATUSES, Diagnosis, Encounter,
    EncounterStatus, EncounterType, InpatientStay, NewEncounter, Priority, ProcedureLine, Sex,
};
use super::history::Change;
use crate::edits::{Finding, Severity};

/// Parses `SubmitEncounter`.
pub fn new_encounter(
    req: pb::SubmitEncounterRequest,
    today: CalendarDate,
) -> Result<NewEncounter, ServiceError> {
    let source_system = required_text("source_system", &req.source_system)?;
    let source_encounter_id = required_text("source_encounter_id", &req.source_encounter_id)?;
    let patient_mrn = required_text("patient_mrn", &req.patient_mrn)?;
    if patient_mrn.len() > 32 {
        return Err(ServiceError::invalid(
            "patient_mrn",
            "must be at most 32 characters",
        ));
    }
    if req.patient_age_years > 124 {
        return Err(ServiceError::invalid("patient_age_years", "must be 0-124"));
    }
    let patient_sex = match common::Sex::try_from(req.patient_sex) {
        Ok(common::Sex::Female) => Sex::Female,
        Ok(common::Sex::Male) => Sex::Male,
        Ok(common::Sex::Unknown) => Sex::Unknown,
        _ => {
            return Err(ServiceError::invalid(
                "patient_sex",
                "must be FEMALE, MALE or UNKNOWN",
            ));
        }
    };
    let rendering_provider_npi = Npi::parse(&req.rendering_provider_npi)
        .map_err(|e| ServiceError::invalid("rendering_provider_npi", e.to_string()))?;
    let facility_npi = match req.facility_npi.trim() {
        "" => String::new(),
        npi => Npi::parse(npi)
            .map_err(|e| ServiceError::invalid("facility_npi", e.to_string()))?
            .as_str()
            .to_string(),
    };
    let range = req.dates_of_service.as_ref();
    let dos_start = date(
        "dates_of_service.start",
        range.and_then(|r| r.start.as_ref()),
    )?;
    let dos_end = optional_date("dates_of_service.end", range.and_then(|r| r.end.as_ref()))?
        .unwrap_or(dos_start);
    if dos_end < dos_start {
        return Err(ServiceError::invalid(
            "dates_of_service.end",
            "must not be before start",
        ));
    }
    if dos_start > today {
        return Err(ServiceError::invalid(
            "dates_of_service.start",
            "must not be in the future",
        ));
    }
    let encounter_type = encounter_type("encounter_type", req.encounter_type)?
        .ok_or_else(|| ServiceError::invalid("encounter_type", "is required"))?;
    let place_of_service = req.place_of_service.trim().to_string();
    let pos_ok =
        place_of_service.len() == 2 && place_of_service.bytes().all(|b| b.is_ascii_digit());
    if encounter_type == EncounterType::Professional && !pos_ok {
        return Err(ServiceError::invalid(
            "place_of_service",
            "must be a two-digit CMS place of service code for professional encounters",
        ));
    }
    if !place_of_service.is_empty() && !pos_ok {
        return Err(ServiceError::invalid(
            "place_of_service",
            "must be two digits",
        ));
    }
    let inpatient_stay = inpatient_stay(encounter_type, req.inpatient_stay)?;
    let documentation = required_text("documentation", &req.documentation)?;
    let proposed = coding(
        "proposed",
        req.proposed.unwrap_or_default(),
        dos_start,
        dos_end,
    )?;
    let priority = match pb::Priority::try_from(req.priority) {
        Ok(pb::Priority::Unspecified | pb::Priority::Routine) => Priority::Routine,
        Ok(pb::Priority::High) => Priority::High,
        Ok(pb::Priority::DenialRework) | Err(_) => {
            return Err(ServiceError::invalid("priority", "must be ROUTINE or HIGH"));
        }
    };
    Ok(NewEncounter {
        source_system,
        source_encounter_id,
        patient_mrn: Redacted::new(patient_mrn),
        patient_age_years: req.patient_age_years,
        patient_sex,
        rendering_provider_npi,
        dos_start,
        dos_end,
        place_of_service,
        encounter_type,
        documentation: Redacted::new(documentation),
        proposed,
        priority,
        payer_id: req.payer_id.trim().to_string(),
        facility_npi,
        inpatient_stay,
    })
}

/// The stay an inpatient encounter must name and no other may.
fn inpatient_stay(
    encounter_type: EncounterType,
    stay: Option<pb::InpatientStay>,
) -> Result<Option<InpatientStay>, ServiceError> {
    let stay = match (encounter_type, stay) {
        (EncounterType::Inpatient, Some(stay)) => stay,
        (EncounterType::Inpatient, None) => {
            return Err(ServiceError::invalid(
                "inpatient_stay",
                "is required for an inpatient encounter (admission and discharge, UB-04 FL 12-17)",
            ));
        }
        (_, Some(_)) => {
            return Err(ServiceError::invalid(
                "inpatient_stay",
                "is for inpatient encounters only",
            ));
        }
        (_, None) => return Ok(None),
    };
    let hour = |field: &str, value: u32| {
        u8::try_from(value)
            .ok()
            .filter(|h| *h < 24)
            .ok_or_else(|| ServiceError::invalid(format!("inpatient_stay.{field}"), "must be 0-23"))
    };
    let code = |field: &str, value: &str, allowed: &[&str], what: &str| {
        let value = value.trim().to_ascii_uppercase();
        if allowed.contains(&value.as_str()) {
            Ok(value)
        } else {
            Err(ServiceError::invalid(
                format!("inpatient_stay.{field}"),
                format!("must be a NUBC {what} code: {}", allowed.join(", ")),
            ))
        }
    };
    Ok(Some(InpatientStay {
        admission_hour: hour("admission_hour", stay.admission_hour)?,
        admission_type: code(
            "admission_type",
            &stay.admission_type,
            &ADMISSION_TYPES,
            "priority (type) of admission",
        )?,
        admission_source: code(
            "admission_source",
            &stay.admission_source,
            &ADMISSION_SOURCES,
            "point of origin",
        )?,
        discharge_hour: hour("discharge_hour", stay.discharge_hour)?,
        discharge_status: code(
            "discharge_status",
            &stay.discharge_status,
            &DISCHARGE_STATUSES,
            "patient discharge status",
        )?,
    }))
}

fn stay_to_pb(stay: &InpatientStay) -> pb::InpatientStay {
    pb::InpatientStay {
        admission_hour: u32::from(stay.admission_hour),
        admission_type: stay.admission_type.clone(),
        admission_source: stay.admission_source.clone(),
        discharge_hour: u32::from(stay.discharge_hour),
        discharge_status: stay.discharge_status.clone(),
    }
}

/// An optional encounter type filter/field.
pub fn encounter_type(field: &str, value: i32) -> Result<Option<EncounterType>, ServiceError> {
    match pb::EncounterType::try_from(value) {
        Ok(pb::EncounterType::Unspecified) => Ok(None),
        Ok(pb::EncounterType::Professional) => Ok(Some(EncounterType::Professional)),
        Ok(pb::EncounterType::Outpatient) => Ok(Some(EncounterType::Outpatient)),
        Ok(pb::EncounterType::Inpatient) => Ok(Some(EncounterType::Inpatient)),
        Err(_) => Err(ServiceError::invalid(
            field,
            "is not a known encounter type",
        )),
    }
}

/// Parses coding; `prefix` names the field in errors.
pub fn coding(
    prefix: &str,
    coding: pb::Coding,
    dos_start: CalendarDate,
    dos_end: CalendarDate,
) -> Result<Coding, ServiceError> {
    let mut diagnoses = Vec::with_capacity(coding.diagnoses.len());
    for (i, dx) in coding.diagnoses.into_iter().enumerate() {
        let field = format!("{prefix}.diagnoses[{i}]");
        // The kernel's ICD-10-CM shape; stored without the dot.
        let code = IcdCm::parse(&dx.code)
            .map_err(|e| ServiceError::invalid(format!("{field}.code"), e.to_string()))?
            .as_str()
            .to_string();
        let poa = dx.present_on_admission.trim().to_ascii_uppercase();
        if !["", "Y", "N", "U", "W", "1"].contains(&poa.as_str()) {
            return Err(ServiceError::invalid(
                format!("{field}.present_on_admission"),
                "must be Y, N, U, W, 1 or empty",
            ));
        }
        diagnoses.push(Diagnosis {
            code,
            present_on_admission: poa,
        });
    }
    let mut lines = Vec::with_capacity(coding.lines.len());
    for (i, line) in coding.lines.into_iter().enumerate() {
        let field = format!("{prefix}.lines[{i}]");
        // A CPT/HCPCS code, or an ICD-10-PCS code on inpatient lines.
        let code = match (ProcedureCode::parse(&line.code), IcdPcs::parse(&line.code)) {
            (Ok(code), _) => code.as_str().to_string(),
            (_, Ok(code)) => code.as_str().to_string(),
            (Err(_), Err(_)) => {
                return Err(ServiceError::invalid(
                    format!("{field}.code"),
                    "must be a CPT/HCPCS code (5 characters) or an ICD-10-PCS code (7 characters)",
                ));
            }
        };
        if line.modifiers.len() > 4 {
            return Err(ServiceError::invalid(
                format!("{field}.modifiers"),
                "at most 4 modifiers",
            ));
        }
        let modifiers = line
            .modifiers
            .iter()
            .enumerate()
            .map(|(m, text)| {
                Modifier::parse(text)
                    .map(|m| m.as_str().to_string())
                    .map_err(|e| {
                        ServiceError::invalid(format!("{field}.modifiers[{m}]"), e.to_string())
                    })
            })
            .collect::<Result<Vec<String>, ServiceError>>()?;
        if line.units == 0 || line.units > 99_999 {
            return Err(ServiceError::invalid(
                format!("{field}.units"),
                "must be 1-99999",
            ));
        }
        let dos = optional_date(
            &format!("{field}.date_of_service"),
            line.date_of_service.as_ref(),
        )?
        .unwrap_or(dos_start);
        if dos < dos_start || dos > dos_end {
            return Err(ServiceError::invalid(
                format!("{field}.date_of_service"),
                "must fall within the encounter's dates of service",
            ));
        }
        let revenue_code = line.revenue_code.trim().to_string();
        if !revenue_code.is_empty()
            && (revenue_code.len() != 4 || !revenue_code.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(ServiceError::invalid(
                format!("{field}.revenue_code"),
                "must be 4 digits",
            ));
        }
        lines.push(ProcedureLine {
            code,
            modifiers,
            units: line.units,
            diagnosis_pointers: line.diagnosis_pointers,
            date_of_service: dos,
            revenue_code,
        });
    }
    Ok(Coding { diagnoses, lines })
}

fn coding_to_pb(coding: &Coding) -> pb::Coding {
    pb::Coding {
        diagnoses: coding
            .diagnoses
            .iter()
            .map(|d| pb::Diagnosis {
                code: d.code.clone(),
                present_on_admission: d.present_on_admission.clone(),
            })
            .collect(),
        lines: coding.lines.iter().map(line_to_pb).collect(),
    }
}

fn line_to_pb(line: &ProcedureLine) -> pb::ProcedureLine {
    pb::ProcedureLine {
        code: line.code.clone(),
        modifiers: line.modifiers.clone(),
        units: line.units,
        diagnosis_pointers: line.diagnosis_pointers.clone(),
        date_of_service: Some(wire_date(line.date_of_service)),
        revenue_code: line.revenue_code.clone(),
    }
}

fn sex_to_pb(sex: Sex) -> i32 {
    match sex {
        Sex::Female => common::Sex::Female as i32,
        Sex::Male => common::Sex::Male as i32,
        Sex::Unknown => common::Sex::Unknown as i32,
    }
}

fn type_to_pb(t: EncounterType) -> i32 {
    match t {
        EncounterType::Professional => pb::EncounterType::Professional as i32,
        EncounterType::Outpatient => pb::EncounterType::Outpatient as i32,
        EncounterType::Inpatient => pb::EncounterType::Inpatient as i32,
    }
}

/// The wire status of a domain status.
pub fn status_to_pb(status: EncounterStatus) -> i32 {
    match status {
        EncounterStatus::Ready => pb::EncounterStatus::Ready as i32,
        EncounterStatus::InProgress => pb::EncounterStatus::InProgress as i32,
        EncounterStatus::OnHold => pb::EncounterStatus::OnHold as i32,
        EncounterStatus::Released => pb::EncounterStatus::Released as i32,
    }
}

fn priority_to_pb(p: Priority) -> i32 {
    match p {
        Priority::Routine => pb::Priority::Routine as i32,
        Priority::High => pb::Priority::High as i32,
        Priority::DenialRework => pb::Priority::DenialRework as i32,
    }
}

/// The wire form of a finding.
pub fn finding_to_pb(f: &Finding) -> pb::EditFinding {
    pb::EditFinding {
        edit_id: f.edit_id.clone(),
        severity: match f.severity {
            Severity::Error => pb::Severity::Error as i32,
            Severity::Warning => pb::Severity::Warning as i32,
            Severity::Info => pb::Severity::Info as i32,
        },
        codes: f.codes.clone(),
        message: f.message.clone(),
        suggested_fix: f.suggested_fix.clone(),
        finding_key: f.key(),
        line_index: f.line_index,
    }
}

fn timestamp(text: &str) -> Option<prost_types::Timestamp> {
    Timestamp::parse(text).map(wire_timestamp)
}

fn range(start: CalendarDate, end: CalendarDate) -> common::DateRange {
    common::DateRange {
        start: Some(wire_date(start)),
        end: Some(wire_date(end)),
    }
}

/// The wire form of an encounter.
pub fn encounter_to_pb(e: &Encounter) -> pb::Encounter {
    let i = &e.intake;
    pb::Encounter {
        encounter_id: e.encounter_id.clone(),
        source_system: i.source_system.clone(),
        source_encounter_id: i.source_encounter_id.clone(),
        patient_mrn: i.patient_mrn.expose().clone(),
        patient_age_years: i.patient_age_years,
        patient_sex: sex_to_pb(i.patient_sex),
        rendering_provider_npi: i.rendering_provider_npi.to_string(),
        dates_of_service: Some(range(i.dos_start, i.dos_end)),
        place_of_service: i.place_of_service.clone(),
        encounter_type: type_to_pb(i.encounter_type),
        documentation: i.documentation.expose().clone(),
        proposed: Some(coding_to_pb(&i.proposed)),
        coding: Some(coding_to_pb(&e.coding)),
        status: status_to_pb(e.status),
        priority: priority_to_pb(e.priority),
        assigned_coder: e.assigned_coder.clone().unwrap_or_default(),
        findings: e.findings.iter().map(finding_to_pb).collect(),
        queries: e
            .queries
            .iter()
            .map(|q| pb::PhysicianQuery {
                query_id: q.query_id.clone(),
                question: q.question.clone(),
                asked_by: q.asked_by.clone(),
                asked_at: timestamp(&q.asked_at),
                answer: q.answer.clone().unwrap_or_default(),
                answered_at: q.answered_at.as_deref().and_then(timestamp),
            })
            .collect(),
        rework: e.rework.as_ref().map(|r| pb::DenialRework {
            claim_id: r.claim_id.clone(),
            carc_codes: r.carc_codes.clone(),
            rarc_codes: r.rarc_codes.clone(),
            note: r.note.clone(),
            requested_at: timestamp(&r.requested_at),
        }),
        received_at: timestamp(&e.received_at),
        released_at: e.released_at.as_deref().and_then(timestamp),
        version: e.version,
        payer_id: i.payer_id.clone(),
        facility_npi: i.facility_npi.clone(),
        inpatient_stay: i.inpatient_stay.as_ref().map(stay_to_pb),
    }
}

/// The `EncounterReleased` event of a release.
pub fn released_event(e: &Encounter, coder: &str, replaces: Option<&str>) -> pb::EncounterReleased {
    let i = &e.intake;
    pb::EncounterReleased {
        encounter_id: e.encounter_id.clone(),
        source_system: i.source_system.clone(),
        source_encounter_id: i.source_encounter_id.clone(),
        patient_mrn: i.patient_mrn.expose().clone(),
        patient_age_years: i.patient_age_years,
        patient_sex: sex_to_pb(i.patient_sex),
        rendering_provider_npi: i.rendering_provider_npi.to_string(),
        dates_of_service: Some(range(i.dos_start, i.dos_end)),
        place_of_service: i.place_of_service.clone(),
        encounter_type: type_to_pb(i.encounter_type),
        diagnoses: coding_to_pb(&e.coding).diagnoses,
        lines: e.coding.lines.iter().map(line_to_pb).collect(),
        released_by: coder.to_string(),
        replaces_claim_id: replaces.unwrap_or_default().to_string(),
        release_number: e.release_count,
        payer_id: i.payer_id.clone(),
        facility_npi: i.facility_npi.clone(),
        inpatient_stay: i.inpatient_stay.as_ref().map(stay_to_pb),
    }
}

/// The wire form of a recorded change.
pub fn change_to_pb(c: &Change) -> pb::EncounterChange {
    pb::EncounterChange {
        change_id: c.change_id.clone(),
        actor: c.actor.clone(),
        action: c.action.clone(),
        before: c.before.as_ref().map(coding_to_pb),
        after: c.after.as_ref().map(coding_to_pb),
        at: timestamp(&c.at),
        detail: c.detail.clone(),
    }
}
