//! A statement run in one transaction: the run's row first (runs of a day
//! take turns), the policy (locked on PostgreSQL, so runs of any days take
//! turns), then per guarantor account: the claims insurance has finished
//! with, a small balance written off or a statement stored (unless the
//! account has one of that date already).

use medbill_kernel::ids::new_uuid_v7;
use medbill_kernel::{AccountId, CalendarDate, ClaimId, Money, MoneyError};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::Database;

use super::archive::{self, StoredStatement};
use super::domain::{AccountClaim, Disposition, Figures, aging, dispose, statable};
use super::dunning::continues;
use super::render::{self, Printed, PrintedLine};
use super::store;
use crate::ledger::domain::{EntryBuilder, EntryError, JournalEntry, LedgerAccount, LineRefs};
use crate::ledger::store::{self as ledger, EntrySource};

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// Statements this run created.
    pub created: u32,
    /// Every statement of the day.
    pub statement_ids: Vec<String>,
    /// Accounts whose small balance this run wrote off.
    pub written_off: u32,
}

/// Runs statements.
#[derive(Clone)]
pub struct StatementRunner {
    db: Database,
    clock: Clock,
}

fn money_error(e: MoneyError) -> ServiceError {
    ServiceError::Internal(format!("statement figures: {e}"))
}

fn entry_error(e: EntryError) -> ServiceError {
    ServiceError::Internal(format!("statement entry: {e}"))
}

impl StatementRunner {
    /// Over `db`, dated on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        StatementRunner { db, clock }
    }

    /// The run of `run_date` (today when `None`), leaving balances below
    /// `minimum` for later.
    pub async fn run(
        &self,
        run_date: Option<CalendarDate>,
        minimum: Money,
    ) -> Result<RunOutcome, ServiceError> {
        let run_date = run_date.unwrap_or_else(|| self.clock.today());
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        store::record_run(&mut tx, run_date, &now.to_string()).await?;
        let policy = store::collection_policy(&mut tx, self.db.backend(), true).await?;
        let dunning = store::dunning_policy(&mut tx).await?;
        let claims = store::account_claims(&mut tx, run_date, None).await?;
        let credits = store::credits(&mut tx, run_date).await?;
        let placed = store::placed_accounts(&mut tx).await?;
        let due_date = run_date
            .add_days(policy.statement_due_days)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut outcome = RunOutcome {
            created: 0,
            statement_ids: Vec::new(),
            written_off: 0,
        };
        for (account_id, account_claims) in &claims {
            if placed.contains(account_id) {
                continue;
            }
            let stated = statable(account_claims);
            let credit = credits.get(account_id).copied().unwrap_or(Money::ZERO);
            let owed: Money = stated
                .iter()
                .map(|c| c.patient_due)
                .sum::<Result<Money, _>>()
                .map_err(money_error)?;
            let amount_due = owed.checked_add(credit).map_err(money_error)?;
            match dispose(amount_due, credit, policy.small_balance_write_off, minimum) {
                Disposition::NothingDue | Disposition::BelowMinimum => continue,
                Disposition::WriteOff => {
                    let entry = small_balance_entry(account_id, &stated)?;
                    let source = EntrySource {
                        source_id: &format!("statement-run:{run_date}:{account_id}"),
                        effective_on: run_date,
                        posted_at: now,
                    };
                    ledger::append(&mut tx, &entry, &source).await?;
                    outcome.written_off += 1;
                    continue;
                }
                Disposition::State => {}
            }
            let previous = store::previous(&mut tx, account_id, run_date).await?;
            let suspended = crate::plans::store::in_good_standing(
                &mut tx,
                account_id,
                run_date,
                self.clock.today(),
                policy.plan_misses_to_default,
            )
            .await?;
            // Dunning continues only while the balance is the one stated
            // before; a guarantor who paid up and owes anew starts at 1.
            let continuing = previous
                .as_ref()
                .filter(|p| continues(&p.claim_ids, stated.iter().map(|c| c.claim_id.as_str())))
                .map(|p| p.statement);
            let cycle = dunning.next(continuing, run_date, suspended);
            let (payments, adjustments) = store::activity(
                &mut tx,
                account_id,
                previous.as_ref().map(|p| p.statement.date),
                run_date,
            )
            .await?;
            let figures = Figures::new(
                previous
                    .as_ref()
                    .map(|p| p.amount_due)
                    .unwrap_or(Money::ZERO),
                payments,
                adjustments,
                amount_due,
            )
            .map_err(money_error)?;
            let codes = store::claim_codes(&mut tx, account_id).await?;
            let lines: Vec<PrintedLine> = stated
                .iter()
                .map(|c| printed_line(c, codes.get(&c.claim_id)))
                .collect();
            let (guarantor, address) = store::guarantor(&mut tx, account_id).await?;
            let mut statement = StoredStatement {
                statement_id: new_uuid_v7(),
                account_id: account_id.clone(),
                statement_date: run_date,
                due_date,
                cycle: cycle.cycle,
                final_notice: cycle.final_notice,
                dunning_suspended: suspended,
                message: cycle.message.clone(),
                figures,
                aging: aging(&stated, run_date).map_err(money_error)?,
                text: String::new(),
                lines,
            };
            statement.text = render::text(&Printed {
                statement_id: &statement.statement_id,
                account_id,
                guarantor: &guarantor,
                address: &address,
                statement_date: run_date,
                due_date,
                cycle: statement.cycle,
                final_notice: statement.final_notice,
                message: &statement.message,
                figures,
                aging: statement.aging,
                lines: &statement.lines,
            });
            if archive::insert(&mut tx, &statement, &now.to_string()).await? {
                outcome.created += 1;
            }
        }
        outcome.statement_ids = archive::ids_of_date(&mut tx, run_date).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The statement `statement_id`.
    pub async fn get(&self, statement_id: &str) -> Result<StoredStatement, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        archive::by_id(&mut conn, statement_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("statement", statement_id))
    }

    /// A connection for reads.
    pub async fn connection(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, ServiceError> {
        Ok(self.db.pool().acquire().await?)
    }
}

fn printed_line(claim: &AccountClaim, codes: Option<&String>) -> PrintedLine {
    PrintedLine {
        claim_id: claim.claim_id.clone(),
        date_of_service: claim.date_of_service,
        description: codes.cloned().unwrap_or_default(),
        charges: claim.charges,
        insurance_paid: claim.insurance_paid,
        adjustments: claim.adjustments,
        patient_paid: claim.patient_paid,
        patient_due: claim.patient_due,
    }
}

/// The small-balance write-off of an account: each stated claim's patient
/// balance moved to other adjustments (an administrative adjustment, not
/// bad debt: no collection effort was made).
fn small_balance_entry(
    account_id: &str,
    stated: &[&AccountClaim],
) -> Result<JournalEntry, ServiceError> {
    let account = AccountId::parse_str(account_id)?;
    let mut entry = EntryBuilder::new("small_balance_write_off", "small balance written off");
    for claim in stated {
        let refs = LineRefs {
            claim_id: Some(ClaimId::parse_str(&claim.claim_id)?),
            account_id: Some(account.clone()),
            ..LineRefs::default()
        };
        entry
            .transfer(
                claim.patient_due,
                (LedgerAccount::OtherAdjustment, refs.clone()),
                (LedgerAccount::PatientAr, refs),
            )
            .map_err(entry_error)?;
    }
    entry.finish().map_err(entry_error)
}

/// Ids read back from the database are trusted to parse; one that does not
/// is an internal fault.
trait ParseStored: Sized {
    fn parse_str(text: &str) -> Result<Self, ServiceError>;
}

impl ParseStored for AccountId {
    fn parse_str(text: &str) -> Result<Self, ServiceError> {
        AccountId::parse(text)
            .map_err(|_| ServiceError::Internal("a stored account id is not a UUID".into()))
    }
}

impl ParseStored for ClaimId {
    fn parse_str(text: &str) -> Result<Self, ServiceError> {
        ClaimId::parse(text)
            .map_err(|_| ServiceError::Internal("a stored claim id is not a UUID".into()))
    }
}
