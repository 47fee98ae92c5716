//! The patient side, through payments' API: a share of the patients with
//! a balance pay at the front desk or online (card, applied oldest claim
//! first), statements go out for what insurance has finished with, and the
//! patient with the largest remaining balance gets a payment plan.

use anyhow::Context;
use medbill_contracts::medbill::common::v1::{Date, Money, PageRequest};
use medbill_contracts::medbill::payments::v1 as pb;
use medbill_kernel::CalendarDate;

use super::api::{Actor, Api};
use super::rng::Rng;

/// What the patient side did.
#[derive(Debug, Default, Clone)]
pub struct PatientWork {
    /// Accounts with a patient balance.
    pub accounts_owing: u32,
    /// Payments posted.
    pub payments: u32,
    /// Their sum, cents.
    pub paid: i64,
    /// Statements generated.
    pub statements: u32,
    /// Small balances written off by the statement run.
    pub small_balances_written_off: u32,
    /// The payment plan created, if any: account and total.
    pub plan: Option<(String, i64)>,
    /// Calls refused, with why.
    pub refused: Vec<String>,
}

fn date(day: CalendarDate) -> Option<Date> {
    Some(Date {
        year: day.year(),
        month: day.month() as i32,
        day: day.day() as i32,
    })
}

async fn owing(api: &Api) -> anyhow::Result<Vec<pb::Account>> {
    let mut client = api.accounts();
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_accounts(api.req(
                Actor::Poster,
                pb::ListAccountsRequest {
                    min_patient_balance: Some(Money { cents: 1 }),
                    page: Some(PageRequest {
                        page_size: 500,
                        page_token: token.clone(),
                    }),
                },
            ))
            .await
            .map_err(crate::operator::status_error)
            .context("listing accounts")?
            .into_inner();
        out.extend(page.accounts);
        match page.page {
            Some(p) if !p.next_page_token.is_empty() => token = p.next_page_token,
            _ => return Ok(out),
        }
    }
}

/// Posts patient payments, runs statements as of `today` and sets up one
/// payment plan.
pub async fn work(api: &Api, rng: &mut Rng, today: CalendarDate) -> anyhow::Result<PatientWork> {
    let accounts = owing(api).await?;
    let mut work = PatientWork {
        accounts_owing: accounts.len() as u32,
        ..Default::default()
    };
    let mut client = api.accounts();
    for account in &accounts {
        let balance = account.patient_balance.as_ref().map_or(0, |m| m.cents);
        if balance <= 0 || !rng.chance(0.4) {
            continue;
        }
        // Most pay in full; some pay half now.
        let amount = if rng.chance(0.7) {
            balance
        } else {
            (balance / 2).max(1)
        };
        let posted = client
            .record_patient_payment(api.req(
                Actor::Poster,
                pb::RecordPatientPaymentRequest {
                    account_id: account.account_id.clone(),
                    amount: Some(Money { cents: amount }),
                    method: pb::PaymentMethod::Card as i32,
                    reference: format!("AUTH{:06}", work.payments + 1),
                    claim_id: String::new(),
                    payment_plan_id: String::new(),
                    idempotency_key: format!("demo-pay-{}", account.account_id),
                    received_on: date(today),
                },
            ))
            .await;
        match posted {
            Ok(_) => {
                work.payments += 1;
                work.paid += amount;
            }
            Err(s) => work.refused.push(format!(
                "RecordPatientPayment {}: {}",
                account.account_id,
                s.message()
            )),
        }
    }
    match api
        .statements()
        .generate_statements(api.req(
            Actor::Manager,
            pb::GenerateStatementsRequest {
                as_of: date(today),
                minimum_balance: Some(Money { cents: 500 }),
            },
        ))
        .await
    {
        Ok(r) => {
            let r = r.into_inner();
            work.statements = r.statements_created;
            work.small_balances_written_off = r.small_balances_written_off;
        }
        Err(s) => work
            .refused
            .push(format!("GenerateStatements: {}", s.message())),
    }
    // The largest balance left gets a six-month plan.
    let left = owing(api).await?;
    if let Some(account) = left
        .iter()
        .filter(|a| a.payment_plan_id.is_empty() && !a.in_collections)
        .max_by_key(|a| a.patient_balance.as_ref().map_or(0, |m| m.cents))
    {
        let total = account.patient_balance.as_ref().map_or(0, |m| m.cents);
        match api
            .plans()
            .create_payment_plan(api.req(
                Actor::Manager,
                pb::CreatePaymentPlanRequest {
                    account_id: account.account_id.clone(),
                    total: Some(Money { cents: total }),
                    installments: 6,
                    first_due: date(today.add_days(30)?),
                    ..Default::default()
                },
            ))
            .await
        {
            Ok(_) => work.plan = Some((account.account_id.clone(), total)),
            Err(s) => work.refused.push(format!(
                "CreatePaymentPlan {}: {}",
                account.account_id,
                s.message()
            )),
        }
    }
    Ok(work)
}
