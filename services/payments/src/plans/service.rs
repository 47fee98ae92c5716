//! Payment plan transactions: creating a plan for an account's balance
//! (the account row locked on PostgreSQL, one active plan per account),
//! reading plans with their standing as of today, and cancelling.

use medbill_kernel::ids::new_uuid_v7;
use medbill_kernel::{AccountId, CalendarDate, Money};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::Database;

use super::domain::{PlanStatus, ScheduleError, Standing, schedule};
use super::store::{self, StoredPlan};
use crate::patient_payments::store::lock_account;
use crate::statements::store::collection_policy;

/// A plan asked for.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// The account.
    pub account_id: AccountId,
    /// What it covers; the patient balance when `None`.
    pub total: Option<Money>,
    /// Installment count, if given.
    pub count: Option<u32>,
    /// Installment amount, if given.
    pub amount: Option<Money>,
    /// Due day of month, if given.
    pub due_day: Option<u32>,
    /// Start date, if given.
    pub start_date: Option<CalendarDate>,
}

/// A plan with its standing.
#[derive(Debug, Clone)]
pub struct PlanView {
    /// The plan.
    pub plan: StoredPlan,
    /// Its standing on `as_of`.
    pub standing: Standing,
    /// Paid toward it by `as_of`.
    pub paid: Money,
    /// The day of the standing.
    pub as_of: CalendarDate,
}

/// Runs payment plans.
#[derive(Clone)]
pub struct Plans {
    db: Database,
    clock: Clock,
}

fn schedule_error(e: ScheduleError) -> ServiceError {
    match e {
        ScheduleError::Field { field, rule } => ServiceError::invalid(field, rule),
        ScheduleError::Money(e) => ServiceError::Internal(e.to_string()),
    }
}

impl Plans {
    /// Over `db`, dated on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        Plans { db, clock }
    }

    /// Creates `plan` by `actor`.
    pub async fn create(&self, plan: NewPlan, actor: &str) -> Result<PlanView, ServiceError> {
        let today = self.clock.today();
        let start = plan.start_date.unwrap_or(today);
        // Without a due day, the start date's day (the 28th for the 29th-31st,
        // so every month has it).
        let due_day = plan.due_day.unwrap_or(start.day().min(28));
        let mut tx = self.db.begin().await?;
        let account = plan.account_id.as_str();
        if !lock_account(&mut tx, self.db.backend(), account).await? {
            return Err(ServiceError::not_found("account", account));
        }
        if let Some(active) = store::active_for(&mut tx, account).await? {
            return Err(ServiceError::FailedPrecondition(format!(
                "account {account} has an active payment plan {}",
                active.plan_id
            )));
        }
        let balance = store::patient_balance(&mut tx, account).await?;
        if balance.cents() <= 0 {
            return Err(ServiceError::FailedPrecondition(format!(
                "account {account} has no patient balance (it is {balance})"
            )));
        }
        let total = plan.total.unwrap_or(balance);
        if total > balance {
            return Err(ServiceError::invalid(
                "total",
                format!("must be at most the patient balance {balance}"),
            ));
        }
        let installments =
            schedule(total, plan.count, plan.amount, due_day, start).map_err(schedule_error)?;
        let stored = StoredPlan {
            plan_id: new_uuid_v7(),
            account_id: account.to_string(),
            status: PlanStatus::Active,
            total,
            installment_amount: installments.first().map(|i| i.amount).unwrap_or(total),
            due_day,
            start_date: start,
            created_on: today,
            created_at: self.clock.now().to_string(),
            close_reason: String::new(),
            installments,
        };
        store::insert(&mut tx, &stored, actor).await?;
        let policy = collection_policy(&mut tx, self.db.backend(), false).await?;
        let mut view = stored;
        let standing =
            store::evaluate(&mut tx, &mut view, today, policy.plan_misses_to_default).await?;
        let paid = standing
            .paid
            .iter()
            .sum::<Result<Money, _>>()
            .unwrap_or(Money::ZERO);
        tx.commit().await?;
        Ok(PlanView {
            plan: view,
            standing,
            paid,
            as_of: today,
        })
    }

    /// The plan `plan_id` as of today.
    pub async fn get(&self, plan_id: &str) -> Result<PlanView, ServiceError> {
        let mut tx = self.db.begin().await?;
        let plan = store::by_id(&mut tx, plan_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("payment plan", plan_id))?;
        let view = self.view(&mut tx, plan).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Plans of `account_id` (all when `None`) whose status is among
    /// `statuses` (all when empty), as of today.
    pub async fn list(
        &self,
        account_id: Option<&str>,
        statuses: &[PlanStatus],
    ) -> Result<Vec<PlanView>, ServiceError> {
        let mut tx = self.db.begin().await?;
        let mut out = Vec::new();
        for plan in store::list(&mut tx, account_id).await? {
            let view = self.view(&mut tx, plan).await?;
            if statuses.is_empty() || statuses.contains(&view.plan.status) {
                out.push(view);
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Cancels the active plan `plan_id` for `reason`.
    pub async fn cancel(&self, plan_id: &str, reason: &str) -> Result<PlanView, ServiceError> {
        let today = self.clock.today();
        let mut tx = self.db.begin().await?;
        let plan = store::by_id(&mut tx, plan_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("payment plan", plan_id))?;
        // Its standing first: a plan that defaulted or completed by today is
        // no longer active to cancel.
        let view = self.view(&mut tx, plan).await?;
        if view.plan.status != PlanStatus::Active {
            return Err(ServiceError::FailedPrecondition(format!(
                "payment plan {plan_id} is {}, not active",
                view.plan.status.as_str()
            )));
        }
        store::close(&mut tx, plan_id, PlanStatus::Cancelled, today, reason).await?;
        let mut plan = view.plan;
        plan.status = PlanStatus::Cancelled;
        plan.close_reason = reason.to_string();
        tx.commit().await?;
        Ok(PlanView { plan, ..view })
    }

    async fn view(
        &self,
        conn: &mut sqlx::AnyConnection,
        mut plan: StoredPlan,
    ) -> Result<PlanView, ServiceError> {
        let today = self.clock.today();
        let policy = collection_policy(conn, self.db.backend(), false).await?;
        let standing =
            store::evaluate(conn, &mut plan, today, policy.plan_misses_to_default).await?;
        let paid = standing
            .paid
            .iter()
            .sum::<Result<Money, _>>()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(PlanView {
            plan,
            standing,
            paid,
            as_of: today,
        })
    }
}
