//! `ListCharges` of `medbill.billing.v1.ClaimService` (served with the
//! claim RPCs by [`crate::claims::grpc`]): a patient's services are patient
//! data, so each patient a page shows is written to the audit log.

use std::collections::BTreeSet;

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_kernel::{EncounterId, PatientId};
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::principal;
use medbill_platform::convert::{self, wire_date, wire_money};
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use tonic::{Request, Response, Status};

use super::domain::{Charge, ChargeOutcome};
use super::store::{self, ChargeFilter};

fn wire_charge(c: &Charge) -> pb::Charge {
    let (status, amount, hold_reason, revenue_code) = match &c.outcome {
        ChargeOutcome::Priced {
            amount,
            revenue_code,
        } => (
            pb::ChargeStatus::Priced,
            Some(wire_money(*amount)),
            String::new(),
            revenue_code.clone(),
        ),
        ChargeOutcome::Held(reason) => (
            pb::ChargeStatus::Held,
            None,
            format!("{}: {}", reason.as_str(), reason.explain()),
            String::new(),
        ),
    };
    pb::Charge {
        charge_id: c.charge_id.as_str().to_string(),
        encounter_id: c.encounter_id.as_str().to_string(),
        patient_id: c
            .patient_id
            .as_ref()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        code: c.code.clone(),
        modifiers: c.modifiers.clone(),
        units: c.units,
        amount,
        date_of_service: c.date_of_service.map(wire_date),
        // The codes are on the claim; a charge names them by pointer.
        diagnosis_codes: Vec::new(),
        revenue_code,
        claim_id: c.claim_id.clone().unwrap_or_default(),
        status: status as i32,
        hold_reason,
        release_number: c.release_number,
        diagnosis_pointers: c.diagnosis_pointers.clone(),
    }
}

/// `ListCharges` over `db`.
pub async fn list_charges(
    db: &Database,
    request: Request<pb::ListChargesRequest>,
) -> Result<Response<pb::ListChargesResponse>, Status> {
    let who = principal(&request)?.clone();
    let req = request.into_inner();
    let filter = ChargeFilter {
        encounter_id: convert::optional_id::<EncounterId>("encounter_id", &req.encounter_id)?,
        patient_id: convert::optional_id::<PatientId>("patient_id", &req.patient_id)?,
        unbilled_only: req.unbilled_only,
        held_only: req.held_only,
    };
    let page = Page::from_request("page", req.page.as_ref())?;
    let mut conn = db.pool().acquire().await.map_err(ServiceError::from)?;
    let rows = store::charges(
        &mut conn,
        &filter,
        page.after.as_deref(),
        page.fetch_limit(),
    )
    .await?;
    let (rows, next) = page.finish(rows, |c| c.charge_id.as_str().to_string());
    let patients: BTreeSet<&str> = rows
        .iter()
        .filter_map(|c| c.patient_id.as_ref().map(|p| p.as_str()))
        .collect();
    let patients: Vec<&str> = patients.into_iter().collect();
    audit::record_many(&mut conn, &who, "read", "patient", &patients, "ListCharges")
        .await
        .map_err(ServiceError::from)?;
    Ok(Response::new(pb::ListChargesResponse {
        charges: rows.iter().map(wire_charge).collect(),
        page: Some(next),
    }))
}
