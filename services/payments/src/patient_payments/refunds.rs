//! Refunds of a guarantor's credit balance (what they paid beyond every
//! claim): at most the credit, idempotent by the client's key, and above
//! the approval limit (policy data: `collection_policy.refund_approval_limit`,
//! $500.00 until changed) only by a manager.

use medbill_kernel::ids::new_uuid_v7;
use medbill_kernel::{AccountId, Money};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::Database;
use sqlx::Row;

use super::store;
use crate::ledger::domain::{EntryBuilder, LedgerAccount, LineRefs};
use crate::ledger::store::{self as ledger, EntrySource};

/// A refund asked for.
#[derive(Debug, Clone)]
pub struct NewRefund {
    /// The account.
    pub account_id: AccountId,
    /// Positive.
    pub amount: Money,
    /// Why, in words.
    pub reason: String,
    /// The client's key.
    pub idempotency_key: String,
    /// Whether the caller is a manager (may pass the approval limit).
    pub approved_by_manager: bool,
}

/// A refund as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRefund {
    /// Its id (the source id of its journal entry).
    pub refund_id: String,
    /// The account.
    pub account_id: String,
    /// How much.
    pub amount: Money,
    /// When (RFC 3339).
    pub posted_at: String,
}

/// Records refunds.
#[derive(Clone)]
pub struct Refunds {
    db: Database,
    clock: Clock,
}

impl Refunds {
    /// Over `db`, dated on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        Refunds { db, clock }
    }

    /// Refunds `refund` by `actor`; returns it and whether it was posted now
    /// (false: a retry of the key).
    pub async fn issue(
        &self,
        refund: NewRefund,
        actor: &str,
    ) -> Result<(RecordedRefund, bool), ServiceError> {
        let mut tx = self.db.begin().await?;
        let limit = Money::from_cents(
            sqlx::query_scalar::<_, i64>(
                "SELECT refund_approval_limit FROM collection_policy WHERE policy_id = 1",
            )
            .fetch_one(&mut *tx)
            .await?,
        );
        if refund.amount > limit && !refund.approved_by_manager {
            return Err(ServiceError::PermissionDenied(format!(
                "a refund above {limit} needs a manager"
            )));
        }
        let account = refund.account_id.as_str();
        if !store::lock_account(&mut tx, self.db.backend(), account).await? {
            return Err(ServiceError::not_found("account", account));
        }
        let recorded = RecordedRefund {
            refund_id: new_uuid_v7(),
            account_id: account.to_string(),
            amount: refund.amount,
            posted_at: self.clock.now().to_string(),
        };
        let inserted = sqlx::query(
            "INSERT INTO refunds (refund_id, idempotency_key, account_id, amount, reason, \
             posted_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(&recorded.refund_id)
        .bind(&refund.idempotency_key)
        .bind(account)
        .bind(refund.amount.cents())
        .bind(&refund.reason)
        .bind(&recorded.posted_at)
        .bind(actor)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !inserted {
            let row = sqlx::query(
                "SELECT refund_id, account_id, amount, posted_at FROM refunds \
                 WHERE idempotency_key = $1",
            )
            .bind(&refund.idempotency_key)
            .fetch_one(&mut *tx)
            .await?;
            let first = RecordedRefund {
                refund_id: row.try_get(0)?,
                account_id: row.try_get(1)?,
                amount: Money::from_cents(row.try_get(2)?),
                posted_at: row.try_get(3)?,
            };
            if first.account_id != recorded.account_id || first.amount != recorded.amount {
                return Err(ServiceError::invalid(
                    "idempotency_key",
                    "was used for another refund (other account or amount)",
                ));
            }
            return Ok((first, false));
        }
        // The credit is the account's unapplied cash (a credit: negative).
        let credit: Option<i64> = sqlx::query(
            "SELECT CAST(SUM(amount) AS BIGINT) FROM journal_lines \
             WHERE account_id = $1 AND ledger_account = 'unapplied_cash'",
        )
        .bind(account)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let credit = Money::from_cents(-credit.unwrap_or(0));
        if refund.amount > credit {
            return Err(ServiceError::FailedPrecondition(format!(
                "the account's credit is {credit}; a refund of {} is more",
                refund.amount
            )));
        }
        let refs = LineRefs {
            account_id: Some(refund.account_id.clone()),
            ..LineRefs::default()
        };
        let mut entry = EntryBuilder::new("refund", refund.reason.clone());
        entry
            .transfer(
                refund.amount,
                (LedgerAccount::UnappliedCash, refs.clone()),
                (LedgerAccount::RefundsPayable, refs),
            )
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let entry = entry
            .finish()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let source = EntrySource {
            source_id: &recorded.refund_id,
            effective_on: self.clock.today(),
            posted_at: self.clock.now(),
        };
        ledger::append(&mut tx, &entry, &source).await?;
        tx.commit().await?;
        Ok((recorded, true))
    }
}
