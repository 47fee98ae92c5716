//! The patient and coverage RPCs of the registry (`CreatePatient`,
//! `GetPatient`, `UpdatePatient`, `AddCoverage`, `ListCoverages`,
//! `TerminateCoverage`), called by the registry's handler. Each writes the
//! audit log: a patient, and the member id of a coverage, are patient data.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_kernel::{AccountId, DateRange, PatientId, PayerId};
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::Principal;
use medbill_platform::convert;
use medbill_platform::db::Database;
use sqlx::AnyConnection;

use super::coverage::{Coverage, CoverageId, Relationship, Subscriber};
use super::domain::Patient;
use super::{patients, store, wire};

/// Writes who touched patient `patient_id` through `rpc`.
async fn audit_patient(
    conn: &mut AnyConnection,
    who: &Principal,
    action: &str,
    patient_id: &PatientId,
    rpc: &str,
) -> Result<(), ServiceError> {
    audit::record(conn, who, action, "patient", patient_id.as_str(), rpc).await?;
    Ok(())
}

/// `CreatePatient`.
pub async fn create_patient(
    db: &Database,
    who: &Principal,
    req: pb::CreatePatientRequest,
) -> Result<pb::Patient, ServiceError> {
    let patient = Patient {
        patient_id: PatientId::new(),
        mrn: convert::required_text("mrn", &req.mrn)?.into(),
        name: wire::person_name("name", req.name.as_ref())?.into(),
        birth_date: convert::date("birth_date", req.birth_date.as_ref())?.into(),
        sex: wire::sex("sex", req.sex)?,
        address: wire::address("address", req.address.as_ref())?.into(),
        guarantor_account_id: AccountId::new(),
    };
    let mut tx = db.begin().await.map_err(ServiceError::from)?;
    let existing = patients::patient(&mut tx, None, Some(patient.mrn.expose())).await?;
    let answer = match existing {
        // A repeated registration of the same person is harmless.
        Some(existing) if existing.same_person(&patient) => existing,
        Some(existing) => {
            return Err(ServiceError::AlreadyExists(format!(
                "the MRN belongs to patient {} with other demographics",
                existing.patient_id
            )));
        }
        None => {
            patients::insert_patient(&mut tx, &patient).await?;
            patient
        }
    };
    audit_patient(&mut tx, who, "create", &answer.patient_id, "CreatePatient").await?;
    tx.commit().await.map_err(ServiceError::from)?;
    Ok(wire::wire_patient(&answer))
}

/// `GetPatient`.
pub async fn get_patient(
    db: &Database,
    who: &Principal,
    req: pb::GetPatientRequest,
) -> Result<pb::Patient, ServiceError> {
    let patient_id = convert::optional_id::<PatientId>("patient_id", &req.patient_id)?;
    let mrn = Some(req.mrn.trim()).filter(|m| !m.is_empty());
    if patient_id.is_none() && mrn.is_none() {
        return Err(ServiceError::invalid("patient_id", "or mrn is required"));
    }
    let mut conn = db.pool().acquire().await.map_err(ServiceError::from)?;
    let patient = patients::patient(&mut conn, patient_id.as_ref(), mrn)
        .await?
        // Never echo an MRN back in an error.
        .ok_or_else(|| ServiceError::not_found("patient", req.patient_id.clone()))?;
    audit_patient(&mut conn, who, "read", &patient.patient_id, "GetPatient").await?;
    Ok(wire::wire_patient(&patient))
}

/// `UpdatePatient`.
pub async fn update_patient(
    db: &Database,
    who: &Principal,
    req: pb::UpdatePatientRequest,
) -> Result<pb::Patient, ServiceError> {
    let patient_id = convert::id::<PatientId>("patient_id", &req.patient_id)?;
    let name = wire::person_name("name", req.name.as_ref())?;
    let address = wire::address("address", req.address.as_ref())?;
    let mut tx = db.begin().await.map_err(ServiceError::from)?;
    let stored = patients::patient(&mut tx, Some(&patient_id), None)
        .await?
        .ok_or_else(|| ServiceError::not_found("patient", patient_id.as_str()))?;
    let patient = Patient {
        name: name.into(),
        address: address.into(),
        ..stored
    };
    patients::update_patient(&mut tx, &patient).await?;
    audit_patient(&mut tx, who, "update", &patient_id, "UpdatePatient").await?;
    tx.commit().await.map_err(ServiceError::from)?;
    Ok(wire::wire_patient(&patient))
}

/// `AddCoverage`.
pub async fn add_coverage(
    db: &Database,
    who: &Principal,
    req: pb::AddCoverageRequest,
) -> Result<pb::Coverage, ServiceError> {
    let patient_id = convert::id::<PatientId>("patient_id", &req.patient_id)?;
    let payer_id = convert::id::<PayerId>("payer_id", &req.payer_id)?;
    let rank = match req.rank {
        1..=3 => req.rank as u8,
        _ => {
            return Err(ServiceError::invalid(
                "rank",
                "must be 1 (primary), 2 (secondary) or 3 (tertiary)",
            ));
        }
    };
    let relationship = wire::relationship("relationship", req.relationship)?;
    let subscriber = match relationship {
        Relationship::SelfInsured => None,
        Relationship::Spouse | Relationship::Child | Relationship::Other => Some(Subscriber {
            name: wire::person_name("subscriber_name", req.subscriber_name.as_ref())?.into(),
            birth_date: convert::date("subscriber_birth_date", req.subscriber_birth_date.as_ref())?
                .into(),
            sex: wire::sex("subscriber_sex", req.subscriber_sex)?,
        }),
    };
    let coverage = Coverage {
        coverage_id: CoverageId::new(),
        patient_id,
        payer_id,
        rank,
        member_id: convert::required_text("member_id", &req.member_id)?.into(),
        group_number: req.group_number.trim().to_string(),
        relationship,
        subscriber,
        effective: convert::date_range("effective", req.effective.as_ref())?,
    };
    let mut tx = db.begin().await.map_err(ServiceError::from)?;
    patients::patient(&mut tx, Some(&coverage.patient_id), None)
        .await?
        .ok_or_else(|| ServiceError::not_found("patient", coverage.patient_id.as_str()))?;
    store::require_payer(&mut tx, &coverage.payer_id).await?;
    let taken = patients::coverages(&mut tx, &coverage.patient_id)
        .await?
        .into_iter()
        .find(|c| c.rank == coverage.rank && c.overlaps(coverage.effective));
    if let Some(taken) = taken {
        return Err(ServiceError::FailedPrecondition(format!(
            "coverage {} holds rank {} for part of these dates; terminate it first",
            taken.coverage_id, coverage.rank
        )));
    }
    patients::insert_coverage(&mut tx, &coverage).await?;
    audit_patient(&mut tx, who, "update", &coverage.patient_id, "AddCoverage").await?;
    tx.commit().await.map_err(ServiceError::from)?;
    Ok(wire::wire_coverage(&coverage))
}

/// `ListCoverages`.
pub async fn list_coverages(
    db: &Database,
    who: &Principal,
    req: pb::ListCoveragesRequest,
) -> Result<pb::ListCoveragesResponse, ServiceError> {
    let patient_id = convert::id::<PatientId>("patient_id", &req.patient_id)?;
    let as_of = convert::optional_date("as_of", req.as_of.as_ref())?;
    let mut conn = db.pool().acquire().await.map_err(ServiceError::from)?;
    patients::patient(&mut conn, Some(&patient_id), None)
        .await?
        .ok_or_else(|| ServiceError::not_found("patient", patient_id.as_str()))?;
    let coverages = patients::coverages(&mut conn, &patient_id).await?;
    audit_patient(&mut conn, who, "read", &patient_id, "ListCoverages").await?;
    Ok(pb::ListCoveragesResponse {
        coverages: coverages
            .iter()
            .filter(|c| as_of.is_none_or(|day| c.in_force_on(day)))
            .map(wire::wire_coverage)
            .collect(),
    })
}

/// `TerminateCoverage`.
pub async fn terminate_coverage(
    db: &Database,
    who: &Principal,
    req: pb::TerminateCoverageRequest,
) -> Result<pb::Coverage, ServiceError> {
    let coverage_id = convert::id::<CoverageId>("coverage_id", &req.coverage_id)?;
    let end = convert::date("end", req.end.as_ref())?;
    let mut tx = db.begin().await.map_err(ServiceError::from)?;
    let stored = patients::coverage(&mut tx, &coverage_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("coverage", coverage_id.as_str()))?;
    let effective = DateRange::new(stored.effective.start(), Some(end))
        .map_err(|_| ServiceError::invalid("end", "must not be before the coverage starts"))?;
    if stored.effective.end().is_some_and(|old| old < end) {
        return Err(ServiceError::FailedPrecondition(format!(
            "coverage {coverage_id} already ended before that date"
        )));
    }
    patients::set_coverage_end(&mut tx, &coverage_id, end).await?;
    audit_patient(
        &mut tx,
        who,
        "update",
        &stored.patient_id,
        "TerminateCoverage",
    )
    .await?;
    tx.commit().await.map_err(ServiceError::from)?;
    Ok(wire::wire_coverage(&Coverage {
        effective,
        ..stored
    }))
}

/// `UpdateCoverage`: the member id and group number as they should be.
pub async fn update_coverage(
    db: &Database,
    who: &Principal,
    req: pb::UpdateCoverageRequest,
) -> Result<pb::Coverage, ServiceError> {
    let coverage_id = convert::id::<CoverageId>("coverage_id", &req.coverage_id)?;
    let member_id = convert::required_text("member_id", &req.member_id)?;
    let group_number = req.group_number.trim().to_string();
    let mut tx = db.begin().await.map_err(ServiceError::from)?;
    let stored = patients::coverage(&mut tx, &coverage_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("coverage", coverage_id.as_str()))?;
    patients::set_coverage_identifiers(&mut tx, &coverage_id, &member_id, &group_number).await?;
    audit_patient(&mut tx, who, "update", &stored.patient_id, "UpdateCoverage").await?;
    tx.commit().await.map_err(ServiceError::from)?;
    Ok(wire::wire_coverage(&Coverage {
        member_id: member_id.into(),
        group_number,
        ..stored
    }))
}
