//! `medbill.payments.v1.RemittanceService`: 835 ingestion, reads of
//! ingested remittances, the exceptions queue, and bank deposits with their
//! suspense lists (`crate::deposits::grpc`).

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::remittance_service_server::RemittanceService;
use medbill_kernel::RemittanceId;
use medbill_platform::ServiceError;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert;
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use tonic::{Request, Response, Status};

use super::ingest::Ingestion;
use super::wire;
use crate::deposits::grpc as deposits;
use crate::deposits::service::Deposits;

/// The remittance API.
#[derive(Clone)]
pub struct RemittanceRpc {
    ingestion: Ingestion,
    deposits: Deposits,
    db: Database,
    clock: Clock,
}

impl RemittanceRpc {
    /// The API over `db`, dating postings on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        RemittanceRpc {
            ingestion: Ingestion::new(db.clone(), clock.clone()),
            deposits: Deposits::new(db.clone(), clock.clone()),
            db,
            clock,
        }
    }
}

#[tonic::async_trait]
impl RemittanceService for RemittanceRpc {
    async fn ingest_remittance(
        &self,
        request: Request<pb::IngestRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        let actor = principal(&request)?.subject.clone();
        let req = request.into_inner();
        if req.content.is_empty() {
            return Err(ServiceError::invalid("content", "is required").into());
        }
        let ingested = self
            .ingestion
            .ingest(&req.content, req.file_name.trim(), &actor)
            .await?;
        Ok(Response::new(wire::remittance(&ingested)))
    }

    async fn get_remittance(
        &self,
        request: Request<pb::GetRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        let id = convert::id::<RemittanceId>("remittance_id", &request.get_ref().remittance_id)?;
        let ingested = self.ingestion.get(id.as_str()).await?;
        Ok(Response::new(wire::remittance(&ingested)))
    }

    async fn list_remittances(
        &self,
        request: Request<pb::ListRemittancesRequest>,
    ) -> Result<Response<pb::ListRemittancesResponse>, Status> {
        let req = request.into_inner();
        let mut statuses = Vec::with_capacity(req.statuses.len());
        for (i, status) in req.statuses.iter().enumerate() {
            statuses.push(match pb::RemittanceStatus::try_from(*status) {
                Ok(pb::RemittanceStatus::Posted) => "posted",
                Ok(pb::RemittanceStatus::PartiallyPosted) => "partially_posted",
                // Refused files are answered with INVALID_ARGUMENT and never
                // stored, so none is ever listed.
                Ok(pb::RemittanceStatus::Rejected) => "rejected",
                Ok(pb::RemittanceStatus::Unspecified) | Err(_) => {
                    return Err(
                        ServiceError::invalid(format!("statuses[{i}]"), "is not a status").into(),
                    );
                }
            });
        }
        let page = Page::from_request("page", req.page.as_ref())?;
        let rows = self
            .ingestion
            .list(&statuses, page.after.as_deref(), page.fetch_limit())
            .await?;
        let (rows, page) = page.finish(rows, |r| r.remittance_id.clone());
        Ok(Response::new(pb::ListRemittancesResponse {
            remittances: rows.iter().map(wire::remittance_summary).collect(),
            page: Some(page),
        }))
    }

    async fn list_remittance_exceptions(
        &self,
        request: Request<pb::ListRemittanceExceptionsRequest>,
    ) -> Result<Response<pb::ListRemittanceExceptionsResponse>, Status> {
        let req = request.into_inner();
        let remittance_id =
            convert::optional_id::<RemittanceId>("remittance_id", &req.remittance_id)?;
        let page = Page::from_request("page", req.page.as_ref())?;
        let rows = self
            .ingestion
            .exceptions(
                remittance_id.as_ref().map(RemittanceId::as_str),
                page.after.as_deref(),
                page.fetch_limit(),
            )
            .await?;
        let (rows, page) = page.finish(rows, |e| e.exception_id.clone());
        Ok(Response::new(pb::ListRemittanceExceptionsResponse {
            exceptions: rows.iter().map(wire::exception).collect(),
            page: Some(page),
        }))
    }

    async fn post_exception(
        &self,
        request: Request<pb::PostExceptionRequest>,
    ) -> Result<Response<pb::RemittanceException>, Status> {
        let who = medbill_platform::auth::principal(&request)?.clone();
        let req = request.into_inner();
        let exception_id = medbill_kernel::ids::canonical_uuid(req.exception_id.trim())
            .map_err(|_| ServiceError::invalid("exception_id", "an exception id (UUID)"))?;
        let claim_id = convert::id::<medbill_kernel::ClaimId>("claim_id", &req.claim_id)?;
        let posted = super::manual::post_exception(
            &self.db,
            &self.clock,
            &exception_id,
            &claim_id,
            &who.subject,
        )
        .await?;
        Ok(Response::new(wire::exception(&posted)))
    }

    async fn record_deposit(
        &self,
        request: Request<pb::RecordDepositRequest>,
    ) -> Result<Response<pb::Deposit>, Status> {
        let actor = principal(&request)?.subject.clone();
        let deposit = deposits::record(&self.deposits, request.into_inner(), &actor).await?;
        Ok(Response::new(deposit))
    }

    async fn list_unmatched_deposits(
        &self,
        request: Request<pb::ListUnmatchedDepositsRequest>,
    ) -> Result<Response<pb::ListUnmatchedDepositsResponse>, Status> {
        let answer = deposits::unmatched_deposits(&self.deposits, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn list_unmatched_remittances(
        &self,
        request: Request<pb::ListUnmatchedRemittancesRequest>,
    ) -> Result<Response<pb::ListUnmatchedRemittancesResponse>, Status> {
        let answer = deposits::unmatched_remittances(&self.deposits, request.into_inner()).await?;
        Ok(Response::new(answer))
    }
}
