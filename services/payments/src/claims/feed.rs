//! The consumer of billing's feed: `ClaimSubmitted` stores the claim and
//! opens its receivable, `ClaimVoided` closes it, `DenialWriteOffRequested`
//! writes a denied amount off what the payer owes, each exactly once. A new
//! claim also takes the 835 payments that came before it and were parked
//! as exceptions for its unknown patient control number.

use medbill_contracts::medbill::billing::v1 as billing;
use medbill_contracts::medbill::common::v1::Event;
use medbill_kernel::{AccountId, ClaimId, EncounterId, PatientId, PayerId, Redacted};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::consumer::{Consumer, EventHandler};
use medbill_platform::convert::{self, optional_date};
use medbill_platform::db::{Database, Tx};
use medbill_platform::events::{self, TypedEvent};
use medbill_platform::peers::Peer;
use tokio::sync::watch;

use super::domain::{
    ClaimEvent, ClaimLine, Guarantor, Payer, StoredClaim, SubmittedClaim, denial_write_off_entry,
    next_payer_entry, next_payer_void_entry, void_entry,
};
use super::store;
use crate::ledger::domain::LedgerAccount;
use crate::ledger::store::{self as ledger, EntrySource};
use crate::remittances::manual::post_parked_for;

/// The consumer's name in the payments database.
pub const CONSUMER: &str = "payments.billing-feed";

/// Applies billing's claim events.
pub struct ClaimFeedHandler {
    clock: Clock,
}

impl ClaimFeedHandler {
    /// A handler dating entries on `clock`'s time zone.
    pub fn new(clock: Clock) -> Self {
        ClaimFeedHandler { clock }
    }
}

#[tonic::async_trait]
impl EventHandler for ClaimFeedHandler {
    fn event_types(&self) -> Vec<String> {
        vec![
            events::type_of::<billing::ClaimSubmitted>(),
            events::type_of::<billing::ClaimVoided>(),
            events::type_of::<billing::DenialWriteOffRequested>(),
        ]
    }

    async fn begin(&self, tx: &mut Tx) -> Result<(), ServiceError> {
        // First, before this batch touches a claim row: 835 ingestion takes
        // the same lock before the claims' rows.
        store::lock_matching(tx).await
    }

    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<(), ServiceError> {
        if let Some(submitted) = events::decode::<billing::ClaimSubmitted>(event)? {
            return self.submitted(tx, submitted).await;
        }
        if let Some(voided) = events::decode::<billing::ClaimVoided>(event)? {
            return self.voided(tx, voided).await;
        }
        if let Some(request) = events::decode::<billing::DenialWriteOffRequested>(event)? {
            return self.write_off(tx, request).await;
        }
        Ok(())
    }
}

impl ClaimFeedHandler {
    async fn submitted(
        &self,
        tx: &mut Tx,
        event: TypedEvent<billing::ClaimSubmitted>,
    ) -> Result<(), ServiceError> {
        let occurred_on = self.clock.date_of(event.occurred_at);
        let claim = submitted_claim(event.payload, occurred_on)?;
        store::upsert_payer(tx, &claim.payer).await?;
        store::insert_account(tx, &claim.guarantor, event.occurred_at).await?;
        if !store::insert_claim(tx, &claim).await? {
            tracing::info!(claim_id = %claim.claim_id, "claim known already; nothing opened");
            return Ok(());
        }
        let source = EntrySource {
            source_id: &event.event_id,
            effective_on: claim.submitted_on,
            posted_at: self.clock.now(),
        };
        self.receivable(tx, &claim, &source).await?;
        let parked = post_parked_for(
            tx,
            &self.clock,
            &claim.patient_control_number,
            &claim.claim_id,
            CONSUMER,
        )
        .await?;
        if parked > 0 {
            tracing::info!(claim_id = %claim.claim_id, parked, "payments that came before the claim posted");
        }
        Ok(())
    }

    /// Opens the new claim's receivable, or, for a claim billed after
    /// another payer, moves what that payer's claim left to this payer.
    async fn receivable(
        &self,
        tx: &mut Tx,
        claim: &SubmittedClaim,
        source: &EntrySource<'_>,
    ) -> Result<(), ServiceError> {
        if claim.opens_receivable() {
            let entry = claim
                .opening_entry()
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            ledger::append(tx, &entry, source).await?;
            return Ok(());
        }
        // Billed after another payer: what that payer's claim left to the
        // patient is now this payer's to pay.
        let Some(primary_id) = &claim.primary_claim_id else {
            tracing::warn!(claim_id = %claim.claim_id, "claim billed to payer {} names no earlier claim; no receivable moved", claim.payer_rank);
            return Ok(());
        };
        let (Some(stored), Some(primary)) = (
            store::by_id(tx, &claim.claim_id).await?,
            store::by_id(tx, primary_id).await?,
        ) else {
            tracing::warn!(claim_id = %claim.claim_id, %primary_id, "earlier claim unknown to payments; no receivable moved");
            return Ok(());
        };
        let owed: Vec<_> = ledger::claim_line_balances(
            tx,
            primary.receivable_id().as_str(),
            LedgerAccount::PatientAr,
        )
        .await?
        .into_iter()
        .collect();
        if let Some(entry) = next_payer_entry(&stored, &primary, &owed)
            .map_err(|e| ServiceError::Internal(e.to_string()))?
        {
            ledger::append(tx, &entry, source).await?;
        }
        Ok(())
    }

    async fn voided(
        &self,
        tx: &mut Tx,
        event: TypedEvent<billing::ClaimVoided>,
    ) -> Result<(), ServiceError> {
        let claim_id = invalid_event(convert::id::<ClaimId>("claim_id", &event.payload.claim_id))?;
        let replaced_by = invalid_event(convert::optional_id::<ClaimId>(
            "replaced_by_claim_id",
            &event.payload.replaced_by_claim_id,
        ))?;
        store::lock(tx, &claim_id).await?;
        let Some(claim) = store::by_id(tx, &claim_id).await? else {
            // A claim voided before it was ever submitted has no receivable.
            tracing::info!(%claim_id, "void of a claim payments never saw; nothing to close");
            return Ok(());
        };
        if let Err(e) = claim.status.apply(ClaimEvent::Void) {
            tracing::info!(%claim_id, error = %e, "claim voided already; nothing to close");
            return Ok(());
        }
        let owed = insurance_owed(tx, &claim).await?;
        let primary = match &claim.primary_claim_id {
            Some(id) => store::by_id(tx, id).await?,
            None => None,
        };
        let entry = match &primary {
            // A secondary claim's balance goes back to the guarantor.
            Some(primary) => next_payer_void_entry(&claim, primary, &owed),
            None => void_entry(&claim, &owed),
        }
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let source = EntrySource {
            source_id: &event.event_id,
            effective_on: self.clock.date_of(event.occurred_at),
            posted_at: self.clock.now(),
        };
        ledger::append(tx, &entry, &source).await?;
        store::set_voided(tx, &claim_id, replaced_by.as_ref(), event.occurred_at).await?;
        Ok(())
    }
}

impl ClaimFeedHandler {
    async fn write_off(
        &self,
        tx: &mut Tx,
        event: TypedEvent<billing::DenialWriteOffRequested>,
    ) -> Result<(), ServiceError> {
        let request = event.payload;
        invalid_event(convert::required_text("denial_id", &request.denial_id))?;
        let claim_id = invalid_event(convert::id::<ClaimId>("claim_id", &request.claim_id))?;
        let amount = invalid_event(convert::money("amount", request.amount.as_ref()))?;
        store::lock(tx, &claim_id).await?;
        let Some(claim) = store::by_id(tx, &claim_id).await? else {
            tracing::warn!(%claim_id, "write-off request for a claim payments never saw");
            return Ok(());
        };
        let line = if request.line_control_number.is_empty() {
            None
        } else {
            let found = claim
                .lines
                .iter()
                .find(|l| l.line_control_number == request.line_control_number)
                .map(|l| l.line_number);
            if found.is_none() {
                tracing::warn!(%claim_id, line = %request.line_control_number,
                    "write-off request names a line the claim does not have; written off the claim");
            }
            found
        };
        let owed = insurance_owed(tx, &claim).await?;
        let memo = format!(
            "denial {} written off ({} {}): {}",
            request.denial_id,
            request.group_code,
            request.carc_codes.join(","),
            request.reason
        );
        let Some(entry) = denial_write_off_entry(&claim, &owed, line, amount, &memo)
            .map_err(|e| ServiceError::Internal(e.to_string()))?
        else {
            tracing::info!(%claim_id, "nothing owed by the payer; nothing to write off");
            return Ok(());
        };
        // One write-off per denial, whatever event carries it: the entry's
        // source is the denial.
        let source_id = format!("denial:{}", request.denial_id);
        let done: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM journal_entries WHERE source_id = $1 AND kind = 'denial_write_off'",
        )
        .bind(&source_id)
        .fetch_optional(&mut **tx)
        .await?;
        if done.is_some() {
            tracing::info!(denial_id = %request.denial_id, "denial written off already");
            return Ok(());
        }
        let source = EntrySource {
            source_id: &source_id,
            effective_on: self.clock.date_of(event.occurred_at),
            posted_at: self.clock.now(),
        };
        ledger::append(tx, &entry, &source).await?;
        Ok(())
    }
}

/// What `claim`'s payer still owes on it, per line.
async fn insurance_owed(
    tx: &mut Tx,
    claim: &StoredClaim,
) -> Result<Vec<(Option<u32>, medbill_kernel::Money)>, ServiceError> {
    Ok(ledger::claim_line_balances_of_payer(
        tx,
        claim.receivable_id().as_str(),
        claim.payer_id.as_str(),
        LedgerAccount::InsuranceAr,
    )
    .await?
    .into_iter()
    .collect())
}

/// A field of an event that breaks its contract: the consumer stops at the
/// event (it is never skipped) and logs which field.
fn invalid_event<T>(result: Result<T, ServiceError>) -> Result<T, ServiceError> {
    result.map_err(|e| ServiceError::Internal(format!("billing event refused: {e}")))
}

/// The domain claim of a `ClaimSubmitted` event.
fn submitted_claim(
    event: billing::ClaimSubmitted,
    occurred_on: medbill_kernel::CalendarDate,
) -> Result<SubmittedClaim, ServiceError> {
    let name = event.guarantor_name.unwrap_or_default();
    let address = event.guarantor_address.unwrap_or_default();
    let mut lines = Vec::with_capacity(event.lines.len());
    for (i, line) in event.lines.into_iter().enumerate() {
        let field = |f: &str| format!("lines[{i}].{f}");
        lines.push(ClaimLine {
            line_number: line.line_number,
            line_control_number: line.line_control_number,
            procedure_code: line.code,
            revenue_code: line.revenue_code,
            modifiers: line.modifiers,
            units: line.units,
            charge: invalid_event(convert::money(&field("charge"), line.charge.as_ref()))?,
            date_of_service: invalid_event(convert::date(
                &field("date_of_service"),
                line.date_of_service.as_ref(),
            ))?,
        });
    }
    let first_date_of_service = invalid_event(convert::date(
        "first_date_of_service",
        event.first_date_of_service.as_ref(),
    ))?;
    Ok(SubmittedClaim {
        claim_id: invalid_event(convert::id::<ClaimId>("claim_id", &event.claim_id))?,
        patient_control_number: invalid_event(convert::required_text(
            "patient_control_number",
            &event.patient_control_number,
        ))?,
        // Not needed to post money: an event without it still opens the
        // receivable rather than stopping the feed.
        encounter_id: invalid_event(convert::optional_id::<EncounterId>(
            "encounter_id",
            &event.encounter_id,
        ))?,
        guarantor: Guarantor {
            account_id: invalid_event(convert::id::<AccountId>(
                "guarantor_account_id",
                &event.guarantor_account_id,
            ))?,
            patient_id: invalid_event(convert::id::<PatientId>("patient_id", &event.patient_id))?,
            patient_mrn: Redacted::new(event.patient_mrn),
            last_name: Redacted::new(name.last),
            first_name: Redacted::new(name.first),
            address: Redacted::new([
                address.line1,
                address.line2,
                address.city,
                address.state,
                address.postal_code,
            ]),
        },
        payer: Payer {
            payer_id: invalid_event(convert::id::<PayerId>("payer_id", &event.payer_id))?,
            name: event.payer_name,
            claim_filing_indicator: event.claim_filing_indicator,
        },
        payer_rank: event.payer_rank.max(1),
        primary_claim_id: invalid_event(convert::optional_id::<ClaimId>(
            "primary_claim_id",
            &event.primary_claim_id,
        ))?,
        frequency_code: event.frequency_code,
        replaces_claim_id: invalid_event(convert::optional_id::<ClaimId>(
            "replaces_claim_id",
            &event.replaces_claim_id,
        ))?,
        total_charge: invalid_event(convert::money("total_charge", event.total_charge.as_ref()))?,
        first_date_of_service,
        submitted_on: invalid_event(optional_date("submitted_on", event.submitted_on.as_ref()))?
            .unwrap_or(occurred_on),
        lines,
    })
}

/// Follows the `billing` peer's feed until `stop` turns true.
pub async fn follow_billing(
    db: Database,
    clock: Clock,
    billing: Peer,
    stop: watch::Receiver<bool>,
) {
    Consumer::new(CONSUMER, db, ClaimFeedHandler::new(clock))
        .follow_peer(billing, stop)
        .await;
}
