//! Collection transactions: placing an account after its final notice,
//! recalling, writing off bad debt, posting agency payments net of the fee,
//! and the placement file.

use medbill_kernel::ids::new_uuid_v7;
use medbill_kernel::{AccountId, CalendarDate, Money};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::Database;

use super::domain::{CaseEvent, CaseStatus, PlacementRow, placement_csv};
use super::store::{self, Agency, StoredCase};
use crate::ledger::domain::{EntryBuilder, EntryError, LedgerAccount, LineRefs};
use crate::ledger::store::{self as ledger, EntrySource};
use crate::patient_payments::domain::{allocate, allocation_entry, recover};
use crate::patient_payments::store::{lock_account, owed_claims, written_off_claims};

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

fn entry_error(e: EntryError) -> ServiceError {
    ServiceError::Internal(format!("collections entry: {e}"))
}

/// An agency payment as posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedAgencyPayment {
    /// Its id (the source id of its entries).
    pub payment_id: String,
    /// The case.
    pub case_id: String,
    /// What the agency collected.
    pub gross: Money,
    /// What it kept.
    pub fee: Money,
    /// Whether it was posted now (false: a retry of the key).
    pub newly_posted: bool,
    /// The case's status after it.
    pub case_status: CaseStatus,
}

/// Runs collections.
#[derive(Clone)]
pub struct Collections {
    db: Database,
    clock: Clock,
}

impl Collections {
    /// Over `db`, dated on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        Collections { db, clock }
    }

    /// Adds or changes an agency.
    pub async fn upsert_agency(&self, agency: Agency) -> Result<Agency, ServiceError> {
        let mut tx = self.db.begin().await?;
        store::upsert_agency(&mut tx, &agency, &self.clock.now().to_string()).await?;
        tx.commit().await?;
        Ok(agency)
    }

    /// Places `account_id` with `agency_id`.
    pub async fn place(
        &self,
        account_id: &AccountId,
        agency_id: &str,
        note: &str,
        actor: &str,
    ) -> Result<StoredCase, ServiceError> {
        let account = account_id.as_str();
        let mut tx = self.db.begin().await?;
        if !lock_account(&mut tx, self.db.backend(), account).await? {
            return Err(ServiceError::not_found("account", account));
        }
        if store::agency(&mut tx, agency_id).await?.is_none() {
            return Err(ServiceError::not_found("agency", agency_id));
        }
        if let Some(case_id) = store::placed_case_of(&mut tx, account).await? {
            return Err(ServiceError::FailedPrecondition(format!(
                "account {account} is placed already (case {case_id})"
            )));
        }
        if !store::final_notice_sent(&mut tx, account).await? {
            return Err(ServiceError::FailedPrecondition(format!(
                "account {account} has not been sent a final notice"
            )));
        }
        if let Some(plan) = crate::plans::store::active_for(&mut tx, account).await? {
            return Err(ServiceError::FailedPrecondition(format!(
                "account {account} has an active payment plan {}",
                plan.plan_id
            )));
        }
        let balance = crate::plans::store::patient_balance(&mut tx, account).await?;
        let oldest = store::oldest_owed_service(&mut tx, account).await?;
        let Some(oldest) = oldest.filter(|_| balance.cents() > 0) else {
            return Err(ServiceError::FailedPrecondition(format!(
                "account {account} has no patient balance to place"
            )));
        };
        let case = StoredCase {
            case_id: new_uuid_v7(),
            account_id: account.to_string(),
            agency_id: agency_id.to_string(),
            status: CaseStatus::Placed,
            placed_balance: balance,
            oldest_date_of_service: oldest,
            placed_on: self.clock.today(),
            placed_at: self.clock.now().to_string(),
            note: note.to_string(),
            closed_at: None,
            close_reason: String::new(),
            written_off: Money::ZERO,
            approved_by: String::new(),
            recovered: Money::ZERO,
            fees: Money::ZERO,
        };
        store::insert_case(&mut tx, &case, actor).await?;
        tx.commit().await?;
        Ok(case)
    }

    /// Moves case `case_id` by `event` (not a write-off) for `reason`.
    pub async fn recall(&self, case_id: &str, reason: &str) -> Result<StoredCase, ServiceError> {
        let mut tx = self.db.begin().await?;
        let case = self.locked_case(&mut tx, case_id).await?;
        let to = case
            .status
            .apply(CaseEvent::Recall)
            .map_err(|e| ServiceError::FailedPrecondition(e.to_string()))?;
        let now = self.clock.now().to_string();
        store::set_status(&mut tx, case_id, case.status, to, &now, reason).await?;
        let case = self.locked_case(&mut tx, case_id).await?;
        tx.commit().await?;
        Ok(case)
    }

    /// Writes off the account's remaining patient balance on case
    /// `case_id`, approved by `manager`: per claim, bad-debt expense against
    /// patient AR.
    pub async fn write_off(
        &self,
        case_id: &str,
        reason: &str,
        manager: &str,
    ) -> Result<StoredCase, ServiceError> {
        let mut tx = self.db.begin().await?;
        let case = self.locked_case(&mut tx, case_id).await?;
        let to = case
            .status
            .apply(CaseEvent::WriteOff)
            .map_err(|e| ServiceError::FailedPrecondition(e.to_string()))?;
        lock_account(&mut tx, self.db.backend(), &case.account_id).await?;
        let account = AccountId::parse(&case.account_id).map_err(internal)?;
        let owed = owed_claims(&mut tx, &case.account_id, None).await?;
        let mut entry = EntryBuilder::new("bad_debt_write_off", reason.to_string());
        let mut total = Money::ZERO;
        for claim in owed.iter().filter(|c| c.balance.cents() > 0) {
            let refs = LineRefs {
                claim_id: Some(claim.claim_id.clone()),
                account_id: Some(account.clone()),
                ..LineRefs::default()
            };
            entry
                .transfer(
                    claim.balance,
                    (LedgerAccount::BadDebtExpense, refs.clone()),
                    (LedgerAccount::PatientAr, refs),
                )
                .map_err(entry_error)?;
            total = total.checked_add(claim.balance).map_err(internal)?;
        }
        if total.is_zero() {
            return Err(ServiceError::FailedPrecondition(format!(
                "account {} has no patient balance to write off",
                case.account_id
            )));
        }
        let entry = entry.finish().map_err(entry_error)?;
        let now = self.clock.now();
        let source = EntrySource {
            source_id: case_id,
            effective_on: self.clock.today(),
            posted_at: now,
        };
        ledger::append(&mut tx, &entry, &source).await?;
        store::set_status(&mut tx, case_id, case.status, to, &now.to_string(), reason).await?;
        store::record_write_off(&mut tx, case_id, total, manager).await?;
        let case = self.locked_case(&mut tx, case_id).await?;
        tx.commit().await?;
        Ok(case)
    }

    /// Posts `gross` the agency collected on case `case_id`, once per
    /// `key`.
    pub async fn agency_payment(
        &self,
        case_id: &str,
        gross: Money,
        received_on: Option<CalendarDate>,
        key: &str,
        actor: &str,
    ) -> Result<PostedAgencyPayment, ServiceError> {
        let mut tx = self.db.begin().await?;
        let case = self.locked_case(&mut tx, case_id).await?;
        if let Some((payment_id, first_case, first_gross, fee)) =
            store::payment_by_key(&mut tx, key).await?
        {
            if first_case != case_id || first_gross != gross {
                return Err(ServiceError::invalid(
                    "idempotency_key",
                    "was used for another agency payment (other case or amount)",
                ));
            }
            return Ok(PostedAgencyPayment {
                payment_id,
                case_id: first_case,
                gross,
                fee,
                newly_posted: false,
                case_status: case.status,
            });
        }
        if case.status != CaseStatus::Placed {
            return Err(ServiceError::FailedPrecondition(format!(
                "case {case_id} is {}, not placed",
                case.status.as_str()
            )));
        }
        lock_account(&mut tx, self.db.backend(), &case.account_id).await?;
        let agency = store::agency(&mut tx, &case.agency_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("agency", case.agency_id.clone()))?;
        let fee = agency.fee_rate.fee(gross).map_err(internal)?;
        let payment_id = new_uuid_v7();
        let received_on = received_on.unwrap_or_else(|| self.clock.today());
        let now = self.clock.now();
        if !store::insert_payment(
            &mut tx,
            &payment_id,
            key,
            case_id,
            gross,
            fee,
            received_on,
            &now.to_string(),
            actor,
        )
        .await?
        {
            return Err(ServiceError::Aborted(
                "agency payment recorded concurrently; retry".into(),
            ));
        }
        let account = AccountId::parse(&case.account_id).map_err(internal)?;
        let owed = owed_claims(&mut tx, &case.account_id, None).await?;
        let written_off = written_off_claims(&mut tx, &case.account_id).await?;
        let allocation =
            recover(allocate(gross, &owed).map_err(internal)?, &written_off).map_err(internal)?;
        let payment = allocation_entry(
            "agency_payment",
            format!("collected by agency {}", case.agency_id),
            &account,
            &allocation,
        )
        .map_err(entry_error)?;
        let refs = LineRefs {
            account_id: Some(account.clone()),
            ..LineRefs::default()
        };
        let mut fee_entry = EntryBuilder::new(
            "agency_fee",
            format!("fee kept by agency {}", case.agency_id),
        );
        fee_entry
            .transfer(
                fee,
                (LedgerAccount::CollectionExpense, refs.clone()),
                (LedgerAccount::Cash, refs),
            )
            .map_err(entry_error)?;
        let mut entries = vec![payment];
        if !fee_entry.is_empty() {
            entries.push(fee_entry.finish().map_err(entry_error)?);
        }
        let source = EntrySource {
            source_id: &payment_id,
            effective_on: received_on,
            posted_at: now,
        };
        ledger::append_many(&mut tx, &entries, &source).await?;
        // Paid in full once no claim of the account is owed anything.
        let still_owed = owed_claims(&mut tx, &case.account_id, None)
            .await?
            .iter()
            .any(|c| c.balance.cents() > 0);
        let mut status = case.status;
        if !still_owed {
            status = case.status.apply(CaseEvent::PaidInFull).map_err(internal)?;
            store::set_status(
                &mut tx,
                case_id,
                case.status,
                status,
                &now.to_string(),
                "paid in full",
            )
            .await?;
        }
        tx.commit().await?;
        Ok(PostedAgencyPayment {
            payment_id,
            case_id: case_id.to_string(),
            gross,
            fee,
            newly_posted: true,
            case_status: status,
        })
    }

    /// Cases, filtered (see [`store::list`]).
    pub async fn list(
        &self,
        statuses: &[CaseStatus],
        agency: Option<&str>,
        account_id: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<StoredCase>, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        store::list(&mut conn, statuses, agency, account_id, after, limit).await
    }

    /// The placement file of `agency_id` and its rows.
    pub async fn export(
        &self,
        agency_id: &str,
    ) -> Result<(String, Vec<PlacementRow>), ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        if store::agency(&mut conn, agency_id).await?.is_none() {
            return Err(ServiceError::not_found("agency", agency_id));
        }
        let rows = store::placements(&mut conn, agency_id).await?;
        Ok((placement_csv(&rows), rows))
    }

    async fn locked_case(
        &self,
        conn: &mut sqlx::AnyConnection,
        case_id: &str,
    ) -> Result<StoredCase, ServiceError> {
        store::case(conn, self.db.backend(), case_id, true)
            .await?
            .ok_or_else(|| ServiceError::not_found("collection case", case_id))
    }
}
