//! `medbill.payments.v1.AccountService`: account balances and ledger lines
//! (reads of an account, which carries the MRN, go to the audit log) and the
//! ledger audit, patient payments and refunds. Manual adjustments are not
//! built yet and answer `UNIMPLEMENTED` (the generated default).

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::account_service_server::AccountService;
use medbill_kernel::{AccountId, ClaimId, Timestamp};
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::{Role, principal};
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_money, wire_timestamp};
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use tonic::{Request, Response, Status};

use super::store::{self as accounts, LedgerLine};
use crate::ledger::domain::ClaimAudit;
use crate::ledger::store;
use crate::patient_payments::domain::PaymentMethod;
use crate::patient_payments::refunds::{NewRefund, Refunds};
use crate::patient_payments::service::{Cashier, NewPayment};

/// The account API over the payments database.
#[derive(Clone)]
pub struct AccountRpc {
    db: Database,
    cashier: Cashier,
    refunds: Refunds,
}

impl AccountRpc {
    /// The API over `db`, dating payments on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        AccountRpc {
            cashier: Cashier::new(db.clone(), clock.clone()),
            refunds: Refunds::new(db.clone(), clock),
            db,
        }
    }
}

fn claim_audit_to_pb(claim_id: &str, audit: &ClaimAudit) -> pb::ClaimLedgerAudit {
    pb::ClaimLedgerAudit {
        claim_id: claim_id.to_string(),
        charges: Some(wire_money(audit.charges)),
        payments: Some(wire_money(audit.payments)),
        adjustments: Some(wire_money(audit.adjustments)),
        write_offs: Some(wire_money(audit.write_offs)),
        insurance_balance: Some(wire_money(audit.insurance_balance)),
        patient_balance: Some(wire_money(audit.patient_balance)),
        balanced: audit.balanced(),
        unexplained: Some(wire_money(audit.unexplained)),
    }
}

fn account_to_pb(account: accounts::AccountView) -> pb::Account {
    pb::Account {
        patient_mrn: account.patient_mrn.expose().clone(),
        patient_balance: Some(wire_money(account.patient_balance)),
        insurance_balance: Some(wire_money(account.insurance_balance)),
        in_collections: account.in_collections,
        payment_plan_id: account.payment_plan_id.unwrap_or_default(),
        opened_at: Timestamp::parse(&account.opened_at).map(wire_timestamp),
        account_id: account.account_id,
    }
}

fn ledger_line_to_pb(line: &LedgerLine) -> pb::LedgerEntry {
    pb::LedgerEntry {
        entry_id: format!("{}/{}", line.entry_id, line.position),
        posting_id: line.entry_id.clone(),
        ledger_account: line.ledger_account.clone(),
        amount: Some(wire_money(line.amount)),
        claim_id: line.claim_id.clone().unwrap_or_default(),
        line_control_number: line.line_control_number.clone().unwrap_or_default(),
        posted_at: Timestamp::parse(&line.posted_at).map(wire_timestamp),
        memo: format!("{}: {}", line.kind, line.memo),
    }
}

#[tonic::async_trait]
impl AccountService for AccountRpc {
    async fn get_account(
        &self,
        request: Request<pb::GetAccountRequest>,
    ) -> Result<Response<pb::Account>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let account_id = convert::optional_id::<AccountId>("account_id", &req.account_id)?;
        let mrn = Some(req.patient_mrn.trim()).filter(|m| !m.is_empty());
        if account_id.is_none() && mrn.is_none() {
            return Err(ServiceError::invalid("account_id", "or patient_mrn is required").into());
        }
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let wanted = account_id.as_ref().map(AccountId::as_str);
        let account = accounts::find(&mut conn, wanted, mrn)
            .await?
            .ok_or_else(|| ServiceError::not_found("account", wanted.unwrap_or("with that MRN")))?;
        audit::record(
            &mut conn,
            &who,
            "read",
            "account",
            &account.account_id,
            "GetAccount",
        )
        .await
        .map_err(ServiceError::from)?;
        Ok(Response::new(account_to_pb(account)))
    }

    async fn list_accounts(
        &self,
        request: Request<pb::ListAccountsRequest>,
    ) -> Result<Response<pb::ListAccountsResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let min = convert::optional_money(req.min_patient_balance.as_ref())
            .unwrap_or(medbill_kernel::Money::from_cents(i64::MIN));
        let page = Page::from_request("page", req.page.as_ref())?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let rows =
            accounts::list(&mut conn, min, page.after.as_deref(), page.fetch_limit()).await?;
        let (rows, page) = page.finish(rows, |a| a.account_id.clone());
        let ids: Vec<&str> = rows.iter().map(|a| a.account_id.as_str()).collect();
        audit::record_many(&mut conn, &who, "read", "account", &ids, "ListAccounts")
            .await
            .map_err(ServiceError::from)?;
        Ok(Response::new(pb::ListAccountsResponse {
            accounts: rows.into_iter().map(account_to_pb).collect(),
            page: Some(page),
        }))
    }

    async fn record_patient_payment(
        &self,
        request: Request<pb::RecordPatientPaymentRequest>,
    ) -> Result<Response<pb::Posting>, Status> {
        let actor = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let amount = convert::money("amount", req.amount.as_ref())?;
        if amount.cents() <= 0 {
            return Err(ServiceError::invalid("amount", "must be positive").into());
        }
        let method = match pb::PaymentMethod::try_from(req.method) {
            Ok(pb::PaymentMethod::Card) => PaymentMethod::Card,
            Ok(pb::PaymentMethod::Check) => PaymentMethod::Check,
            Ok(pb::PaymentMethod::Cash) => PaymentMethod::Cash,
            Ok(pb::PaymentMethod::Ach) => PaymentMethod::Ach,
            Ok(pb::PaymentMethod::Unspecified) | Err(_) => {
                return Err(ServiceError::invalid("method", "is required").into());
            }
        };
        // Payments apply to the account's plan by date whether or not they
        // name it; a plan named must be the account's active one.
        if let Some(plan_id) = convert::optional_id::<crate::plans::domain::PaymentPlanId>(
            "payment_plan_id",
            &req.payment_plan_id,
        )? {
            let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
            let active = crate::plans::store::active_for(&mut conn, req.account_id.trim()).await?;
            if active.is_none_or(|p| p.plan_id != plan_id.as_str()) {
                return Err(ServiceError::invalid(
                    "payment_plan_id",
                    "is not the account's active payment plan",
                )
                .into());
            }
        }
        let payment = NewPayment {
            account_id: convert::id::<AccountId>("account_id", &req.account_id)?,
            amount,
            method,
            reference: req.reference.trim().to_string(),
            claim_id: convert::optional_id::<ClaimId>("claim_id", &req.claim_id)?,
            idempotency_key: convert::required_text("idempotency_key", &req.idempotency_key)?,
            received_on: convert::optional_date("received_on", req.received_on.as_ref())?,
        };
        let (recorded, newly_posted) = self.cashier.record(payment, &actor).await?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let lines = accounts::lines_by_source(&mut conn, &recorded.payment_id).await?;
        Ok(Response::new(pb::Posting {
            posting_id: recorded.payment_id,
            account_id: recorded.account_id,
            kind: "patient_payment".into(),
            amount: Some(wire_money(recorded.amount)),
            entries: lines.iter().map(ledger_line_to_pb).collect(),
            posted_at: Timestamp::parse(&recorded.posted_at).map(wire_timestamp),
            newly_posted,
        }))
    }

    async fn issue_refund(
        &self,
        request: Request<pb::IssueRefundRequest>,
    ) -> Result<Response<pb::Posting>, Status> {
        let caller = principal(&request)?.clone();
        let req = request.into_inner();
        let amount = convert::money("amount", req.amount.as_ref())?;
        if amount.cents() <= 0 {
            return Err(ServiceError::invalid("amount", "must be positive").into());
        }
        let refund = NewRefund {
            account_id: convert::id::<AccountId>("account_id", &req.account_id)?,
            amount,
            reason: convert::required_text("reason", &req.reason)?,
            idempotency_key: convert::required_text("idempotency_key", &req.idempotency_key)?,
            approved_by_manager: caller.roles.contains(&Role::Manager),
        };
        let (recorded, newly_posted) = self.refunds.issue(refund, &caller.subject).await?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let lines = accounts::lines_by_source(&mut conn, &recorded.refund_id).await?;
        Ok(Response::new(pb::Posting {
            posting_id: recorded.refund_id,
            account_id: recorded.account_id,
            kind: "refund".into(),
            amount: Some(wire_money(recorded.amount)),
            entries: lines.iter().map(ledger_line_to_pb).collect(),
            posted_at: Timestamp::parse(&recorded.posted_at).map(wire_timestamp),
            newly_posted,
        }))
    }

    async fn get_ledger(
        &self,
        request: Request<pb::GetLedgerRequest>,
    ) -> Result<Response<pb::GetLedgerResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let account_id = convert::id::<AccountId>("account_id", &req.account_id)?;
        let page = Page::from_request("page", req.page.as_ref())?;
        let after = match &page.after {
            None => None,
            Some(key) => {
                let parsed = key
                    .split_once('|')
                    .and_then(|(entry, position)| Some((entry, position.parse::<i64>().ok()?)));
                Some(parsed.ok_or_else(|| {
                    ServiceError::invalid("page.page_token", "is not a token this RPC issued")
                })?)
            }
        };
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let lines =
            accounts::lines(&mut conn, account_id.as_str(), after, page.fetch_limit()).await?;
        let (lines, page) = page.finish(lines, LedgerLine::key);
        audit::record(
            &mut conn,
            &who,
            "read",
            "account",
            account_id.as_str(),
            "GetLedger",
        )
        .await
        .map_err(ServiceError::from)?;
        Ok(Response::new(pb::GetLedgerResponse {
            entries: lines.iter().map(ledger_line_to_pb).collect(),
            page: Some(page),
        }))
    }

    async fn audit_ledger(
        &self,
        request: Request<pb::AuditLedgerRequest>,
    ) -> Result<Response<pb::AuditLedgerResponse>, Status> {
        let req = request.into_inner();
        let mut asked = Vec::with_capacity(req.claim_ids.len());
        for (i, id) in req.claim_ids.iter().enumerate() {
            asked.push(convert::id::<ClaimId>(&format!("claim_ids[{i}]"), id)?);
        }
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let rows = store::audit(&mut conn).await?;
        let out_of_balance = rows.claims.values().filter(|a| !a.balanced()).count();
        let claims = if asked.is_empty() {
            rows.claims
                .iter()
                .filter(|(_, audit)| !audit.balanced())
                .map(|(id, audit)| claim_audit_to_pb(id, audit))
                .collect()
        } else {
            asked
                .iter()
                .map(|id| {
                    let audit = rows.claims.get(id.as_str()).cloned().unwrap_or_default();
                    claim_audit_to_pb(id.as_str(), &audit)
                })
                .collect()
        };
        Ok(Response::new(pb::AuditLedgerResponse {
            claims,
            claims_checked: rows.claims.len() as u32,
            claims_out_of_balance: out_of_balance as u32,
            unbalanced_entry_ids: rows.unbalanced_entries,
            entries_checked: rows.entries as u32,
        }))
    }
}
