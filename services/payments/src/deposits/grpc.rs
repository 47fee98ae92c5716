//! The deposit RPCs of `medbill.payments.v1.RemittanceService`
//! (`RecordDeposit`, `ListUnmatchedDeposits`, `ListUnmatchedRemittances`):
//! requests checked field by field, answers translated to the wire.

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_kernel::{Money, Timestamp};
use medbill_platform::ServiceError;
use medbill_platform::convert::{self, wire_date, wire_money, wire_timestamp};
use medbill_platform::paging::Page;

use super::service::{Deposits, NewDeposit, SuspendedDeposit, SuspenseReason};
use super::store::{StoredDeposit, UnmatchedRemittance};

/// `RecordDeposit` by `actor`.
pub async fn record(
    deposits: &Deposits,
    req: pb::RecordDepositRequest,
    actor: &str,
) -> Result<pb::Deposit, ServiceError> {
    let trace_number = convert::required_text("trace_number", &req.trace_number)?;
    let amount = convert::money("amount", req.amount.as_ref())?;
    if amount.cents() <= 0 {
        return Err(ServiceError::invalid("amount", "must be positive"));
    }
    let deposit_date = convert::date("deposit_date", req.deposit_date.as_ref())?;
    let key = req.idempotency_key.trim();
    let deposit = NewDeposit {
        trace_number,
        amount,
        deposit_date,
        idempotency_key: (!key.is_empty()).then(|| key.to_string()),
    };
    let (stored, newly) = deposits.record(deposit, actor).await?;
    let mut out = wire(&stored, deposits.today().days_after(stored.deposit_date));
    out.newly_recorded = newly;
    if stored.remittance_id.is_none() {
        // A deposit just recorded and unmatched: say why, as the list does.
        let reason = deposits.reason_for(&stored).await?;
        set_reason(&mut out, &reason, stored.amount);
    }
    Ok(out)
}

/// `ListUnmatchedDeposits`.
pub async fn unmatched_deposits(
    deposits: &Deposits,
    req: pb::ListUnmatchedDepositsRequest,
) -> Result<pb::ListUnmatchedDepositsResponse, ServiceError> {
    let page = Page::from_request("page", req.page.as_ref())?;
    let rows = deposits
        .suspended(page.after.as_deref(), page.fetch_limit())
        .await?;
    let (rows, page) = page.finish(rows, |s: &SuspendedDeposit| {
        format!("{}|{}", s.deposit.deposit_date, s.deposit.deposit_id)
    });
    Ok(pb::ListUnmatchedDepositsResponse {
        deposits: rows
            .iter()
            .map(|s| {
                let mut out = wire(&s.deposit, s.age_days);
                set_reason(&mut out, &s.reason, s.deposit.amount);
                out
            })
            .collect(),
        page: Some(page),
    })
}

/// `ListUnmatchedRemittances`.
pub async fn unmatched_remittances(
    deposits: &Deposits,
    req: pb::ListUnmatchedRemittancesRequest,
) -> Result<pb::ListUnmatchedRemittancesResponse, ServiceError> {
    let page = Page::from_request("page", req.page.as_ref())?;
    let rows = deposits
        .unmatched_remittances(page.after.as_deref(), page.fetch_limit())
        .await?;
    let (rows, page) = page.finish(rows, |r: &UnmatchedRemittance| {
        format!("{}|{}", r.payment_date, r.remittance_id)
    });
    let today = deposits.today();
    Ok(pb::ListUnmatchedRemittancesResponse {
        remittances: rows
            .iter()
            .map(|r| pb::UnmatchedRemittance {
                remittance_id: r.remittance_id.clone(),
                payer_name: r.payer_name.clone(),
                trace_number: r.trace_number.clone(),
                total_paid: Some(wire_money(r.total_paid)),
                payment_date: Some(wire_date(r.payment_date)),
                age_days: today.days_after(r.payment_date),
            })
            .collect(),
        page: Some(page),
    })
}

fn wire(deposit: &StoredDeposit, age_days: i64) -> pb::Deposit {
    pb::Deposit {
        deposit_id: deposit.deposit_id.clone(),
        trace_number: deposit.trace_number.clone(),
        amount: Some(wire_money(deposit.amount)),
        deposit_date: Some(wire_date(deposit.deposit_date)),
        remittance_id: deposit.remittance_id.clone().unwrap_or_default(),
        age_days,
        recorded_at: Timestamp::parse(&deposit.recorded_at).map(wire_timestamp),
        ..Default::default()
    }
}

fn set_reason(out: &mut pb::Deposit, reason: &SuspenseReason, amount: Money) {
    let (code, detail) = match reason {
        SuspenseReason::NoRemittance => (
            pb::DepositSuspenseReason::NoRemittance,
            format!("no 835 carries trace {}", out.trace_number),
        ),
        SuspenseReason::AmountDiffers(paid) => (
            pb::DepositSuspenseReason::AmountDiffers,
            format!(
                "the 835 with trace {} paid {paid}, not {amount}",
                out.trace_number
            ),
        ),
        SuspenseReason::MatchedElsewhere => (
            pb::DepositSuspenseReason::RemittanceMatchedElsewhere,
            format!(
                "the 835 with trace {} and this amount is matched to another deposit",
                out.trace_number
            ),
        ),
    };
    out.suspense_reason = code as i32;
    out.suspense_detail = detail;
}
