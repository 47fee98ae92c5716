//! `AddAuthorization` and `ListAuthorizations`, called by the registry's
//! handler. An authorization names a patient: both write the audit log.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_kernel::{PatientId, PayerId, ProcedureCode};
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::Principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_date_range, wire_timestamp};
use medbill_platform::db::Database;

use super::authorizations::{self, Authorization, AuthorizationId};
use super::{patients, store};

fn wire(a: &Authorization) -> pb::Authorization {
    pb::Authorization {
        authorization_id: a.authorization_id.as_str().to_string(),
        number: a.number.clone(),
        patient_id: a.patient_id.as_str().to_string(),
        payer_id: a.payer_id.as_str().to_string(),
        procedure_codes: a.procedure_codes.clone(),
        valid: Some(wire_date_range(a.valid)),
        visits_allowed: a.visits_allowed,
        visits_used: a.visits_used,
        created_at: Some(wire_timestamp(a.created_at)),
    }
}

/// The request's codes, checked, sorted and without repeats.
fn procedure_codes(codes: &[String]) -> Result<Vec<String>, ServiceError> {
    if codes.is_empty() {
        return Err(ServiceError::invalid(
            "procedure_codes",
            "at least one CPT/HCPCS code",
        ));
    }
    let mut parsed = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let code = ProcedureCode::parse(code.trim())
            .map_err(|e| ServiceError::invalid(format!("procedure_codes[{i}]"), e.to_string()))?;
        parsed.push(code.as_str().to_string());
    }
    parsed.sort();
    parsed.dedup();
    Ok(parsed)
}

/// `AddAuthorization`.
pub async fn add_authorization(
    db: &Database,
    clock: &Clock,
    who: &Principal,
    req: pb::AddAuthorizationRequest,
) -> Result<pb::Authorization, ServiceError> {
    let number = authorizations::parse_number("number", &req.number)?;
    let patient_id = convert::id::<PatientId>("patient_id", &req.patient_id)?;
    let payer_id = convert::id::<PayerId>("payer_id", &req.payer_id)?;
    let procedure_codes = procedure_codes(&req.procedure_codes)?;
    let valid = convert::date_range("valid", req.valid.as_ref())?;
    if valid.end().is_none() {
        return Err(ServiceError::invalid(
            "valid.end",
            "is required: an authorization ends",
        ));
    }
    if req.visits_allowed == 0 {
        return Err(ServiceError::invalid("visits_allowed", "at least 1"));
    }
    let authorization = Authorization {
        authorization_id: AuthorizationId::new(),
        number,
        patient_id,
        payer_id,
        procedure_codes,
        valid,
        visits_allowed: req.visits_allowed,
        visits_used: 0,
        created_by: who.subject.clone(),
        created_at: clock.now(),
    };
    let mut tx = db.begin().await?;
    if patients::patient(&mut tx, Some(&authorization.patient_id), None)
        .await?
        .is_none()
    {
        return Err(ServiceError::not_found(
            "patient",
            authorization.patient_id.as_str(),
        ));
    }
    store::require_payer(&mut tx, &authorization.payer_id).await?;
    authorizations::insert(&mut tx, &authorization).await?;
    audit::record(
        &mut tx,
        who,
        "update",
        "patient",
        authorization.patient_id.as_str(),
        "AddAuthorization",
    )
    .await?;
    tx.commit().await?;
    Ok(wire(&authorization))
}

/// `ListAuthorizations`.
pub async fn list_authorizations(
    db: &Database,
    who: &Principal,
    req: pb::ListAuthorizationsRequest,
) -> Result<pb::ListAuthorizationsResponse, ServiceError> {
    let patient_id = convert::id::<PatientId>("patient_id", &req.patient_id)?;
    let mut tx = db.begin().await?;
    if patients::patient(&mut tx, Some(&patient_id), None)
        .await?
        .is_none()
    {
        return Err(ServiceError::not_found("patient", patient_id.as_str()));
    }
    let found = authorizations::of_patient(&mut tx, &patient_id, None).await?;
    audit::record(
        &mut tx,
        who,
        "read",
        "patient",
        patient_id.as_str(),
        "ListAuthorizations",
    )
    .await?;
    tx.commit().await?;
    Ok(pb::ListAuthorizationsResponse {
        authorizations: found.iter().map(wire).collect(),
    })
}
