//! Recording deposits and reading the suspense lists: a deposit is matched
//! in the transaction that records it; an 835 is matched to a waiting
//! deposit in the transaction that ingests it ([`match_remittance`]).

use medbill_kernel::ids::new_uuid_v7;
use medbill_kernel::{CalendarDate, Money};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::{Backend, Database};
use sqlx::AnyConnection;

use super::store::{self, StoredDeposit, UnmatchedRemittance};

/// A deposit as the bank reported it.
#[derive(Debug, Clone)]
pub struct NewDeposit {
    /// The ACH trace number.
    pub trace_number: String,
    /// Positive.
    pub amount: Money,
    /// When the bank credited it.
    pub deposit_date: CalendarDate,
    /// The client's key, if it sent one.
    pub idempotency_key: Option<String>,
}

/// Why a deposit is in suspense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuspenseReason {
    /// No 835 carries its trace.
    NoRemittance,
    /// 835s carry its trace with other amounts (the first one's BPR02).
    AmountDiffers(Money),
    /// The 835 with its trace and amount is matched to another deposit.
    MatchedElsewhere,
}

/// A deposit in suspense, with its age in days and why.
#[derive(Debug, Clone)]
pub struct SuspendedDeposit {
    /// The deposit.
    pub deposit: StoredDeposit,
    /// Days from its deposit date to today.
    pub age_days: i64,
    /// Why no 835 matches it.
    pub reason: SuspenseReason,
}

/// Deposits and their matching, in the payments database.
#[derive(Clone)]
pub struct Deposits {
    db: Database,
    clock: Clock,
}

impl Deposits {
    /// Over `db`, dating records and ages on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        Deposits { db, clock }
    }

    /// The service's today (ages count from it).
    pub fn today(&self) -> CalendarDate {
        self.clock.today()
    }

    /// Records `deposit` by `actor` and matches it to an unmatched 835 with
    /// its trace and amount; returns it and whether it was recorded now.
    pub async fn record(
        &self,
        deposit: NewDeposit,
        actor: &str,
    ) -> Result<(StoredDeposit, bool), ServiceError> {
        let key = deposit.idempotency_key.clone().unwrap_or_else(|| {
            format!(
                "{}|{}|{}",
                deposit.trace_number,
                deposit.amount.cents(),
                deposit.deposit_date
            )
        });
        let mut stored = StoredDeposit {
            deposit_id: new_uuid_v7(),
            idempotency_key: key,
            trace_number: deposit.trace_number,
            amount: deposit.amount,
            deposit_date: deposit.deposit_date,
            remittance_id: None,
            recorded_at: self.clock.now().to_string(),
        };
        let mut tx = self.db.begin().await?;
        if !store::insert(&mut tx, &stored, actor).await? {
            let first = store::by_key(&mut tx, &stored.idempotency_key)
                .await?
                .ok_or_else(|| {
                    ServiceError::Aborted("deposit recorded concurrently; retry".into())
                })?;
            if first.trace_number != stored.trace_number
                || first.amount != stored.amount
                || first.deposit_date != stored.deposit_date
            {
                return Err(ServiceError::invalid(
                    "idempotency_key",
                    "was used for another deposit (other trace, amount or date)",
                ));
            }
            return Ok((first, false));
        }
        store::lock_trace(&mut tx, self.db.backend(), &stored.trace_number).await?;
        if let Some(remittance_id) =
            store::unmatched_remittance_for(&mut tx, &stored.trace_number, stored.amount).await?
        {
            store::set_match(
                &mut tx,
                &stored.deposit_id,
                &remittance_id,
                &stored.recorded_at,
            )
            .await?;
            stored.remittance_id = Some(remittance_id);
        }
        tx.commit().await?;
        Ok((stored, true))
    }

    /// Deposits in suspense, oldest first, with their ages and reasons.
    pub async fn suspended(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SuspendedDeposit>, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        let today = self.clock.today();
        let deposits = store::unmatched_deposits(&mut conn, after, limit).await?;
        let mut out = Vec::with_capacity(deposits.len());
        for deposit in deposits {
            let candidates =
                store::remittances_with_trace(&mut conn, &deposit.trace_number).await?;
            out.push(SuspendedDeposit {
                age_days: today.days_after(deposit.deposit_date),
                reason: reason(deposit.amount, &candidates),
                deposit,
            });
        }
        Ok(out)
    }

    /// Why `deposit` (unmatched) is in suspense.
    pub async fn reason_for(
        &self,
        deposit: &StoredDeposit,
    ) -> Result<SuspenseReason, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        let candidates = store::remittances_with_trace(&mut conn, &deposit.trace_number).await?;
        Ok(reason(deposit.amount, &candidates))
    }

    /// 835s no deposit matches, oldest payment date first.
    pub async fn unmatched_remittances(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UnmatchedRemittance>, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        store::unmatched_remittances(&mut conn, after, limit).await
    }
}

/// Why a deposit of `amount` is unmatched, given the 835s with its trace
/// (BPR02, and whether a deposit matches each).
pub fn reason(amount: Money, remittances: &[(Money, bool)]) -> SuspenseReason {
    if remittances.iter().any(|(paid, _)| *paid == amount) {
        return SuspenseReason::MatchedElsewhere;
    }
    match remittances.first() {
        Some((paid, _)) => SuspenseReason::AmountDiffers(*paid),
        None => SuspenseReason::NoRemittance,
    }
}

/// Matches the 835 just recorded (`remittance_id`, TRN02 `trace_number`,
/// BPR02 `total_paid`) to the earliest waiting deposit with that trace and
/// amount, in the ingesting transaction (last, just before its commit: the
/// trace's lock is held to the end); returns the deposit matched.
pub async fn match_remittance(
    tx: &mut AnyConnection,
    backend: Backend,
    remittance_id: &str,
    trace_number: &str,
    total_paid: Money,
    matched_at: &str,
) -> Result<Option<String>, ServiceError> {
    store::lock_trace(tx, backend, trace_number).await?;
    let Some(deposit_id) = store::unmatched_deposit_for(tx, trace_number, total_paid).await? else {
        return Ok(None);
    };
    store::set_match(tx, &deposit_id, remittance_id, matched_at).await?;
    Ok(Some(deposit_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deposit_whose_trace_names_an_835_of_another_amount_differs_in_amount() {
        let found = [(Money::from_cents(9_000), false)];
        assert_eq!(
            reason(Money::from_cents(10_000), &found),
            SuspenseReason::AmountDiffers(Money::from_cents(9_000))
        );
        assert_eq!(
            reason(Money::from_cents(10_000), &[]),
            SuspenseReason::NoRemittance
        );
        let taken = [(Money::from_cents(10_000), true)];
        assert_eq!(
            reason(Money::from_cents(10_000), &taken),
            SuspenseReason::MatchedElsewhere
        );
    }
}
