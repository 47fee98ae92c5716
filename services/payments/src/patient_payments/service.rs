//! Recording a patient payment in one transaction: the client's key first
//! (a retry finds it and posts nothing), then the allocation and its
//! journal entry.

use medbill_kernel::ids::new_uuid_v7;
use medbill_kernel::{AccountId, CalendarDate, ClaimId, Money};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::Database;

use super::domain::{PaymentMethod, allocate, payment_entry, recover};
use super::store::{self, RecordedPayment};
use crate::ledger::store::{self as ledger, EntrySource};

/// A payment as the guarantor made it.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// The account paid.
    pub account_id: AccountId,
    /// Positive.
    pub amount: Money,
    /// How.
    pub method: PaymentMethod,
    /// Check number or card authorization.
    pub reference: String,
    /// The claim to pay, if the guarantor named one.
    pub claim_id: Option<ClaimId>,
    /// The client's key.
    pub idempotency_key: String,
    /// When it was received (today when not given).
    pub received_on: Option<CalendarDate>,
}

/// Records payments into the payments database.
#[derive(Clone)]
pub struct Cashier {
    db: Database,
    clock: Clock,
}

impl Cashier {
    /// Over `db`, dating payments on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        Cashier { db, clock }
    }

    /// Records `payment` by `actor`; returns it and whether it was posted
    /// now (false: a retry of the key, answered with the first posting).
    pub async fn record(
        &self,
        payment: NewPayment,
        actor: &str,
    ) -> Result<(RecordedPayment, bool), ServiceError> {
        let mut tx = self.db.begin().await?;
        if !store::lock_account(&mut tx, self.db.backend(), payment.account_id.as_str()).await? {
            return Err(ServiceError::not_found(
                "account",
                payment.account_id.as_str(),
            ));
        }
        let recorded = RecordedPayment {
            payment_id: new_uuid_v7(),
            idempotency_key: payment.idempotency_key.clone(),
            account_id: payment.account_id.as_str().to_string(),
            amount: payment.amount,
            claim_id: payment.claim_id.as_ref().map(|c| c.as_str().to_string()),
            posted_at: self.clock.now().to_string(),
        };
        let received_on = payment.received_on.unwrap_or_else(|| self.clock.today());
        let inserted = store::insert(
            &mut tx,
            &recorded,
            payment.method.as_str(),
            &payment.reference,
            &received_on.to_string(),
            actor,
        )
        .await?;
        if !inserted {
            let first = store::by_key(&mut tx, &payment.idempotency_key)
                .await?
                .ok_or_else(|| {
                    ServiceError::Aborted("payment recorded concurrently; retry".into())
                })?;
            if first.account_id != recorded.account_id || first.amount != recorded.amount {
                return Err(ServiceError::invalid(
                    "idempotency_key",
                    "was used for another payment (other account or amount)",
                ));
            }
            return Ok((first, false));
        }
        let owed =
            store::owed_claims(&mut tx, &recorded.account_id, recorded.claim_id.as_deref()).await?;
        if let Some(claim_id) = &payment.claim_id
            && owed.is_empty()
        {
            return Err(ServiceError::invalid(
                "claim_id",
                format!("claim {claim_id} is not a claim of this account"),
            ));
        }
        let allocation =
            allocate(payment.amount, &owed).map_err(|e| ServiceError::Internal(e.to_string()))?;
        // What no claim owes recovers bad debt first (a payment after a
        // write-off); a payment for one named claim recovers only its own.
        let mut written_off = store::written_off_claims(&mut tx, &recorded.account_id).await?;
        if let Some(claim_id) = &payment.claim_id {
            written_off.retain(|c| &c.claim_id == claim_id);
        }
        let allocation =
            recover(allocation, &written_off).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let entry = payment_entry(&payment.account_id, &allocation, payment.method)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let source = EntrySource {
            source_id: &recorded.payment_id,
            effective_on: received_on,
            posted_at: self.clock.now(),
        };
        ledger::append(&mut tx, &entry, &source).await?;
        tx.commit().await?;
        Ok((recorded, true))
    }
}
