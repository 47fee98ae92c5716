//! The ledger read for AR aging: each claim's insurance and patient AR as
//! of a day, with the keys it groups and ages by.

use medbill_kernel::{CalendarDate, Money};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::domain::OpenClaim;

/// What the report groups claims by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The claim's payer.
    Payer,
    /// The claim's guarantor account.
    Patient,
    /// The payer's claim filing indicator.
    FinancialClass,
}

/// The day a claim ages from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The first date of service.
    DateOfService,
    /// The day the claim was submitted.
    FirstSubmission,
}

/// Every claim's insurance and patient AR from journal entries effective on
/// or before `as_of`, keyed by `group_by` and dated by `basis`.
pub async fn open_claims(
    conn: &mut AnyConnection,
    as_of: CalendarDate,
    group_by: GroupBy,
    basis: Basis,
) -> Result<Vec<OpenClaim>, ServiceError> {
    let group = match group_by {
        GroupBy::Payer => "c.payer_id",
        GroupBy::Patient => "c.account_id",
        GroupBy::FinancialClass => "p.claim_filing_indicator",
    };
    let dated = match basis {
        Basis::DateOfService => "c.first_date_of_service",
        Basis::FirstSubmission => "c.submitted_on",
    };
    let rows = sqlx::query(&format!(
        "SELECT {group} AS grp, {dated} AS aged_from, \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'ar_insurance' THEN l.amount ELSE 0 END), 0) \
         AS BIGINT) AS insurance, \
         CAST(COALESCE(SUM(CASE WHEN l.ledger_account = 'ar_patient' THEN l.amount ELSE 0 END), 0) \
         AS BIGINT) AS patient \
         FROM claims c JOIN payers p ON p.payer_id = c.payer_id \
         JOIN journal_lines l ON l.claim_id = c.claim_id \
         JOIN journal_entries e ON e.entry_id = l.entry_id \
         WHERE e.effective_on <= $1 \
         GROUP BY c.claim_id, {group}, {dated} ORDER BY c.claim_id"
    ))
    .bind(as_of.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("aged_from")?;
            let aged_from = text.parse().map_err(|_| {
                ServiceError::Internal(format!("a stored claim date {text:?} is not a date"))
            })?;
            Ok(OpenClaim {
                group: row.try_get("grp")?,
                aged_from,
                insurance: Money::from_cents(row.try_get("insurance")?),
                patient: Money::from_cents(row.try_get("patient")?),
            })
        })
        .collect()
}
