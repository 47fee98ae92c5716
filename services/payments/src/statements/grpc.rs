//! `medbill.payments.v1.StatementService`: statement runs, and reads of
//! statements (patient data: each read goes to the audit log).

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::statement_service_server::StatementService;
use medbill_kernel::{AccountId, Money};
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_date, wire_money};
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use tonic::{Request, Response, Status};

use super::archive::{self, StoredStatement};
use super::render;
use super::service::StatementRunner;
use crate::reporting::domain::Buckets;

/// The statement API.
#[derive(Clone)]
pub struct StatementRpc {
    runner: StatementRunner,
}

impl StatementRpc {
    /// The API over `db`, dating runs on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        StatementRpc {
            runner: StatementRunner::new(db, clock),
        }
    }
}

/// Buckets on the wire, with their total.
pub fn wire_buckets(b: &Buckets) -> Result<pb::AgingBuckets, ServiceError> {
    Ok(pb::AgingBuckets {
        days_0_30: Some(wire_money(b.0[0])),
        days_31_60: Some(wire_money(b.0[1])),
        days_61_90: Some(wire_money(b.0[2])),
        days_91_120: Some(wire_money(b.0[3])),
        days_over_120: Some(wire_money(b.0[4])),
        total: Some(wire_money(
            b.total()
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
        )),
    })
}

fn to_pb(s: StoredStatement, with_pdf: bool) -> Result<pb::Statement, ServiceError> {
    let pdf = if with_pdf {
        render::pdf(&s.text)
    } else {
        Vec::new()
    };
    Ok(pb::Statement {
        statement_id: s.statement_id,
        account_id: s.account_id,
        statement_date: Some(wire_date(s.statement_date)),
        due_date: Some(wire_date(s.due_date)),
        previous_balance: Some(wire_money(s.figures.previous_balance)),
        new_charges: Some(wire_money(s.figures.new_charges)),
        payments: Some(wire_money(s.figures.payments)),
        adjustments: Some(wire_money(s.figures.adjustments)),
        amount_due: Some(wire_money(s.figures.amount_due)),
        lines: s
            .lines
            .iter()
            .map(|l| pb::StatementLine {
                date: Some(wire_date(l.date_of_service)),
                description: l.description.clone(),
                claim_id: l.claim_id.clone(),
                charges: Some(wire_money(l.charges)),
                insurance_paid: Some(wire_money(l.insurance_paid)),
                adjustments: Some(wire_money(l.adjustments)),
                patient_paid: Some(wire_money(l.patient_paid)),
                patient_due: Some(wire_money(l.patient_due)),
            })
            .collect(),
        dunning_level: s.cycle,
        message: s.message,
        aging: Some(wire_buckets(&s.aging)?),
        final_notice: s.final_notice,
        dunning_suspended: s.dunning_suspended,
        text: s.text,
        pdf,
    })
}

#[tonic::async_trait]
impl StatementService for StatementRpc {
    async fn generate_statements(
        &self,
        request: Request<pb::GenerateStatementsRequest>,
    ) -> Result<Response<pb::GenerateStatementsResponse>, Status> {
        let req = request.into_inner();
        let as_of = convert::optional_date("as_of", req.as_of.as_ref())?;
        let minimum = match req.minimum_balance.as_ref() {
            None => Money::ZERO,
            Some(_) => {
                convert::money_non_negative("minimum_balance", req.minimum_balance.as_ref())?
            }
        };
        let outcome = self.runner.run(as_of, minimum).await?;
        Ok(Response::new(pb::GenerateStatementsResponse {
            statements_created: outcome.created,
            statement_ids: outcome.statement_ids,
            small_balances_written_off: outcome.written_off,
        }))
    }

    async fn get_statement(
        &self,
        request: Request<pb::GetStatementRequest>,
    ) -> Result<Response<pb::Statement>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let statement_id =
            convert::id::<super::domain::StatementId>("statement_id", &req.statement_id)?;
        let statement = self.runner.get(statement_id.as_str()).await?;
        let mut conn = self.runner.connection().await?;
        audit::record(
            &mut conn,
            &who,
            "read",
            "statement",
            &statement.statement_id,
            "GetStatement",
        )
        .await
        .map_err(ServiceError::from)?;
        Ok(Response::new(to_pb(statement, true)?))
    }

    async fn list_statements(
        &self,
        request: Request<pb::ListStatementsRequest>,
    ) -> Result<Response<pb::ListStatementsResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let account_id = convert::id::<AccountId>("account_id", &req.account_id)?;
        let page = Page::from_request("page", req.page.as_ref())?;
        let after = match &page.after {
            None => None,
            Some(key) => Some(key.split_once('|').ok_or_else(|| {
                ServiceError::invalid("page.page_token", "is not a token this RPC issued")
            })?),
        };
        let mut conn = self.runner.connection().await?;
        let rows = archive::list(&mut conn, account_id.as_str(), after, page.fetch_limit()).await?;
        let (rows, next) =
            page.finish(rows, |s| format!("{}|{}", s.statement_date, s.statement_id));
        let ids: Vec<&str> = rows.iter().map(|s| s.statement_id.as_str()).collect();
        audit::record_many(&mut conn, &who, "read", "statement", &ids, "ListStatements")
            .await
            .map_err(ServiceError::from)?;
        let statements = rows
            .into_iter()
            .map(|s| to_pb(s, false))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Response::new(pb::ListStatementsResponse {
            statements,
            page: Some(next),
        }))
    }
}
