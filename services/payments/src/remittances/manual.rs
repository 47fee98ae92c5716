//! Posting an exception by hand: the poster names the claim a claim payment
//! belongs to; its lines are matched to the claim's as at ingestion, its
//! cash moves from unapplied cash to the claim (one journal entry undoing
//! the parking, one posting it as ingestion would have), billing learns of
//! it (`RemittancePosted`), and the exception leaves the work queue. Once.

use medbill_kernel::ClaimId;
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::Database;
use medbill_platform::outbox::{self, NewEvent};

use super::domain::RemittanceException;
use super::{matching, posting, read, store, wire};
use crate::claims::domain::ClaimStatus;
use crate::claims::store as claims;
use crate::ledger::domain::{EntryBuilder, LedgerAccount, LineRefs};
use crate::ledger::store::{self as ledger, EntrySource};

/// Posts exception `exception_id` to claim `claim_id` as `who`.
pub async fn post_exception(
    db: &Database,
    clock: &Clock,
    exception_id: &str,
    claim_id: &ClaimId,
    who: &str,
) -> Result<RemittanceException, ServiceError> {
    let mut tx = db.begin().await?;
    let (remittance_id, index, posted, reason) = store::open_exception(&mut tx, exception_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("exception", exception_id))?;
    if posted {
        return Err(ServiceError::FailedPrecondition(format!(
            "exception {exception_id} was posted already"
        )));
    }
    let stored = store::by_id(&mut tx, &remittance_id)
        .await?
        .ok_or_else(|| ServiceError::Internal(format!("remittance {remittance_id} is gone")))?;
    let remittance = read::read(&stored.content)?;
    let payment = remittance.claims.get(index).ok_or_else(|| {
        ServiceError::Internal(format!("claim payment {index} of {remittance_id} is gone"))
    })?;
    let claim = claims::by_id(&mut tx, claim_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("claim", claim_id.as_str()))?;
    if claim.status == ClaimStatus::Voided {
        return Err(ServiceError::FailedPrecondition(format!(
            "claim {claim_id} is voided; post to the claim that replaced it"
        )));
    }
    let lines = matching::match_lines(&claim.lines, &payment.services).map_err(|missing| {
        ServiceError::FailedPrecondition(format!(
            "claim {claim_id} has no line for it: {}",
            missing.detail
        ))
    })?;
    let internal = |e: crate::ledger::domain::EntryError| ServiceError::Internal(e.to_string());
    let mut undo = EntryBuilder::new(
        "exception_posted",
        format!("exception {exception_id} posted by hand to claim {claim_id}"),
    );
    undo.transfer(
        payment.paid,
        (LedgerAccount::UnappliedCash, LineRefs::default()),
        (LedgerAccount::Cash, LineRefs::default()),
    )
    .map_err(internal)?;
    let entries = [
        undo.finish().map_err(internal)?,
        posting::claim_entry(&claim, payment, &lines).map_err(internal)?,
    ];
    let now = clock.now();
    ledger::append_many(
        &mut tx,
        &entries,
        &EntrySource {
            source_id: exception_id,
            effective_on: clock.today(),
            posted_at: now,
        },
    )
    .await?;
    let event = wire::remittance_posted(
        &remittance_id,
        &remittance,
        payment,
        claim_id.as_str(),
        &lines,
    );
    outbox::publish(&mut tx, &[NewEvent::of(claim_id.as_str(), &event)]).await?;
    if !store::mark_exception_posted(
        &mut tx,
        exception_id,
        claim_id.as_str(),
        &lines,
        who,
        &now.to_string(),
    )
    .await?
    {
        return Err(ServiceError::Aborted(format!(
            "exception {exception_id} was posted concurrently"
        )));
    }
    tx.commit().await?;
    Ok(RemittanceException {
        exception_id: exception_id.to_string(),
        remittance_id,
        patient_control_number: payment.patient_control_number.clone(),
        claim_id: Some(claim_id.as_str().to_string()),
        reason,
        detail: format!("posted by hand by {who}"),
        paid: payment.paid,
        created_at: now.to_string(),
    })
}
