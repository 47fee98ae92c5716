//! `ListFollowUps` and `SendStatusInquiries`, called by the submission
//! handler.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_kernel::{ClaimId, PayerId};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_money, wire_timestamp};
use medbill_platform::db::Database;

use super::inquiry::{self, MAX_CLAIMS};
use super::store;
use crate::submission::adapter::Clearinghouse;

/// `ListFollowUps`.
pub async fn list_follow_ups(
    db: &Database,
    clock: &Clock,
    req: pb::ListFollowUpsRequest,
) -> Result<pb::ListFollowUpsResponse, ServiceError> {
    let payer_id = convert::optional_id::<PayerId>("payer_id", &req.payer_id)?;
    let mut conn = db.pool().acquire().await?;
    if let Some(payer_id) = &payer_id {
        crate::registry::store::require_payer(&mut conn, payer_id).await?;
    }
    let due = inquiry::queue(&mut conn, payer_id.as_ref(), clock.today()).await?;
    let mut follow_ups = Vec::with_capacity(due.len());
    for d in due {
        let c = &d.claim;
        let last_status = store::statuses(&mut conn, &c.claim_id)
            .await?
            .pop()
            .map(|s| s.outcome)
            .unwrap_or_default();
        let last_inquiry_at = store::last_inquiry_at(&mut conn, &c.claim_id).await?;
        follow_ups.push(pb::FollowUp {
            claim_id: c.claim_id.as_str().to_string(),
            patient_control_number: c.patient_control_number.clone(),
            payer_id: c.payer_id.as_str().to_string(),
            submitted_at: Some(wire_timestamp(c.submitted_at)),
            age_days: d.age_days,
            total_charge: Some(wire_money(c.total_charge)),
            follow_up_days: c.follow_up_days,
            last_status,
            last_inquiry_at: last_inquiry_at.map(wire_timestamp),
        });
    }
    Ok(pb::ListFollowUpsResponse { follow_ups })
}

/// `SendStatusInquiries`: the claims asked for, or the follow-up queue's
/// claims but those a 276 sent within the last day still awaits a 277 for
/// (calls at once take turns, so a claim is never in two of them);
/// `FAILED_PRECONDITION` without a clearinghouse folder or with nothing to
/// ask about.
pub async fn send_status_inquiries(
    db: &Database,
    clock: &Clock,
    clearinghouse: Option<&dyn Clearinghouse>,
    actor: &str,
    req: pb::SendStatusInquiriesRequest,
) -> Result<pb::SendStatusInquiriesResponse, ServiceError> {
    if req.claim_ids.len() > MAX_CLAIMS as usize {
        return Err(ServiceError::invalid(
            "claim_ids",
            format!("at most {MAX_CLAIMS} claims"),
        ));
    }
    let mut claim_ids = Vec::with_capacity(req.claim_ids.len());
    for (i, text) in req.claim_ids.iter().enumerate() {
        let id = convert::id::<ClaimId>(&format!("claim_ids[{i}]"), text)?;
        if !claim_ids.contains(&id) {
            claim_ids.push(id);
        }
    }
    let clearinghouse = clearinghouse.ok_or_else(|| {
        ServiceError::FailedPrecondition(
            "no clearinghouse folder is configured (--clearinghouse-dir): claim status \
             inquiries (276) are sent through it"
                .into(),
        )
    })?;
    let mut tx = db.begin().await?;
    // First: two calls at once take turns here, and the later one reads
    // the queue with the earlier one's inquiries in it.
    let interchange = inquiry::reserve_interchange(&mut tx).await?;
    if claim_ids.is_empty() {
        let due = inquiry::queue(&mut tx, None, clock.today()).await?;
        claim_ids = inquiry::not_awaiting(&mut tx, due, clock.now()).await?;
        if claim_ids.is_empty() {
            return Err(ServiceError::FailedPrecondition(
                "no claim is due for follow-up (claims asked about within the last day \
                 wait for the payer's 277)"
                    .into(),
            ));
        }
    }
    let written = inquiry::write(
        &mut tx,
        interchange,
        &claim_ids,
        actor,
        clock.now(),
        clock.today(),
    )
    .await?;
    // Handed over before the commit: a failed drop records nothing.
    clearinghouse
        .send(&written.file_name, &written.content)
        .map_err(|e| {
            ServiceError::Unavailable(format!(
                "clearinghouse drop of {} failed: {e}",
                written.file_name
            ))
        })?;
    tx.commit().await?;
    tracing::info!(
        file = written.file_name,
        claims = written.inquiries.len(),
        "276 handed to the clearinghouse"
    );
    Ok(pb::SendStatusInquiriesResponse {
        file_name: written.file_name,
        interchange_control_number: written.interchange_control_number,
        inquiries: written
            .inquiries
            .iter()
            .map(|q| pb::StatusInquiry {
                claim_id: q.claim_id.as_str().to_string(),
                trace_number: q.trace_number.clone(),
            })
            .collect(),
    })
}
