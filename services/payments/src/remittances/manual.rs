//! Posting an exception by hand: the poster names the claim a claim payment
//! belongs to; its lines are matched to the claim's as at ingestion, its
//! cash moves from unapplied cash to the claim (one journal entry undoing
//! the parking, one posting it as ingestion would have), billing learns of
//! it (`RemittancePosted`), and the exception leaves the work queue. Once.
//! A payment parked because its claim was not known yet is posted the same
//! way, by the feed consumer, when the claim arrives.

use medbill_kernel::ClaimId;
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::{Database, Tx};
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
    let posted = post_exception_in(&mut tx, clock, exception_id, claim_id, who).await?;
    tx.commit().await?;
    Ok(posted)
}

/// Posts the payments parked for an unknown patient control number to the
/// claim `claim_id` that has just arrived with that number, in the
/// transaction that stores the claim: an 835 that came before billing's
/// `ClaimSubmitted` reached payments is posted as if it had come after.
/// A payment whose lines the claim does not have stays in the work queue.
pub async fn post_parked_for(
    tx: &mut Tx,
    clock: &Clock,
    patient_control_number: &str,
    claim_id: &ClaimId,
    who: &str,
) -> Result<usize, ServiceError> {
    let mut posted = 0;
    for exception_id in store::open_unknown_control_number(tx, patient_control_number).await? {
        match post_exception_in(tx, clock, &exception_id, claim_id, who).await {
            Ok(_) => posted += 1,
            Err(ServiceError::FailedPrecondition(why)) => {
                tracing::info!(%exception_id, %claim_id, "parked payment left for a poster: {why}");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(posted)
}

/// `post_exception` inside `tx`; the `RemittancePosted` event goes out
/// with the commit.
async fn post_exception_in(
    tx: &mut Tx,
    clock: &Clock,
    exception_id: &str,
    claim_id: &ClaimId,
    who: &str,
) -> Result<RemittanceException, ServiceError> {
    let (remittance_id, index, posted, reason) = store::open_exception(tx, exception_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("exception", exception_id))?;
    if posted {
        return Err(ServiceError::FailedPrecondition(format!(
            "exception {exception_id} was posted already"
        )));
    }
    let stored = store::by_id(tx, &remittance_id)
        .await?
        .ok_or_else(|| ServiceError::Internal(format!("remittance {remittance_id} is gone")))?;
    let remittance = read::read(&stored.content)?;
    let payment = remittance.claims.get(index).ok_or_else(|| {
        ServiceError::Internal(format!("claim payment {index} of {remittance_id} is gone"))
    })?;
    let claim = claims::by_id(tx, claim_id)
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
        tx,
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
    outbox::publish_at_commit(tx, vec![NewEvent::of(claim_id.as_str(), &event)]);
    if !store::mark_exception_posted(
        tx,
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
