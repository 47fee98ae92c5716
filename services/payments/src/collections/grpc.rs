//! `medbill.payments.v1.CollectionsService`: placements, recalls, agency
//! payments, bad-debt write-offs and the placement file. The placement file
//! and case lists carry patient data: each is written to the audit log.

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::collections_service_server::CollectionsService;
use medbill_kernel::{AccountId, Timestamp};
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_date, wire_money, wire_timestamp};
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use tonic::{Request, Response, Status};

use super::domain::{CaseId, CaseStatus, FeeRate, valid_agency_id};
use super::service::Collections;
use super::store::{Agency, StoredCase};

/// The collections API.
#[derive(Clone)]
pub struct CollectionsRpc {
    collections: Collections,
    db: Database,
}

impl CollectionsRpc {
    /// The API over `db`, dated on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        CollectionsRpc {
            collections: Collections::new(db.clone(), clock),
            db,
        }
    }
}

fn wire_status(status: CaseStatus) -> pb::CollectionCaseStatus {
    match status {
        CaseStatus::Placed => pb::CollectionCaseStatus::Placed,
        CaseStatus::Recalled => pb::CollectionCaseStatus::Recalled,
        CaseStatus::WrittenOff => pb::CollectionCaseStatus::WrittenOff,
        CaseStatus::Paid => pb::CollectionCaseStatus::Paid,
    }
}

fn to_pb(case: StoredCase) -> pb::CollectionCase {
    pb::CollectionCase {
        case_id: case.case_id,
        account_id: case.account_id,
        agency: case.agency_id,
        status: wire_status(case.status) as i32,
        placed_balance: Some(wire_money(case.placed_balance)),
        recovered: Some(wire_money(case.recovered)),
        placed_at: Timestamp::parse(&case.placed_at).map(wire_timestamp),
        closed_at: case
            .closed_at
            .as_deref()
            .and_then(Timestamp::parse)
            .map(wire_timestamp),
        note: case.note,
        oldest_date_of_service: Some(wire_date(case.oldest_date_of_service)),
        placed_on: Some(wire_date(case.placed_on)),
        written_off: Some(wire_money(case.written_off)),
        agency_fees: Some(wire_money(case.fees)),
        approved_by: case.approved_by,
        close_reason: case.close_reason,
    }
}

fn case_id(text: &str) -> Result<String, ServiceError> {
    convert::id::<CaseId>("case_id", text).map(CaseId::into_string)
}

fn agency_id(field: &str, text: &str) -> Result<String, ServiceError> {
    let id = convert::required_text(field, text)?;
    if !valid_agency_id(&id) {
        return Err(ServiceError::invalid(
            field,
            "must be 1-32 letters, digits, '-' or '_'",
        ));
    }
    Ok(id)
}

#[tonic::async_trait]
impl CollectionsService for CollectionsRpc {
    async fn list_collection_cases(
        &self,
        request: Request<pb::ListCollectionCasesRequest>,
    ) -> Result<Response<pb::ListCollectionCasesResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let mut statuses = Vec::with_capacity(req.statuses.len());
        for (i, s) in req.statuses.iter().enumerate() {
            statuses.push(match pb::CollectionCaseStatus::try_from(*s) {
                Ok(pb::CollectionCaseStatus::Placed) => CaseStatus::Placed,
                Ok(pb::CollectionCaseStatus::Recalled) => CaseStatus::Recalled,
                Ok(pb::CollectionCaseStatus::WrittenOff) => CaseStatus::WrittenOff,
                Ok(pb::CollectionCaseStatus::Paid) => CaseStatus::Paid,
                Ok(pb::CollectionCaseStatus::Unspecified) | Err(_) => {
                    return Err(ServiceError::invalid(
                        format!("statuses[{i}]"),
                        "is not a case status",
                    )
                    .into());
                }
            });
        }
        let agency = match req.agency.trim() {
            "" => None,
            text => Some(agency_id("agency", text)?),
        };
        let account = convert::optional_id::<AccountId>("account_id", &req.account_id)?;
        let page = Page::from_request("page", req.page.as_ref())?;
        let rows = self
            .collections
            .list(
                &statuses,
                agency.as_deref(),
                account.as_ref().map(AccountId::as_str),
                page.after.as_deref(),
                page.fetch_limit(),
            )
            .await?;
        let (rows, next) = page.finish(rows, |c| c.case_id.clone());
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let ids: Vec<&str> = rows.iter().map(|c| c.account_id.as_str()).collect();
        audit::record_many(
            &mut conn,
            &who,
            "read",
            "account",
            &ids,
            "ListCollectionCases",
        )
        .await
        .map_err(ServiceError::from)?;
        Ok(Response::new(pb::ListCollectionCasesResponse {
            cases: rows.into_iter().map(to_pb).collect(),
            page: Some(next),
        }))
    }

    async fn place_with_agency(
        &self,
        request: Request<pb::PlaceWithAgencyRequest>,
    ) -> Result<Response<pb::CollectionCase>, Status> {
        let actor = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let account = convert::id::<AccountId>("account_id", &req.account_id)?;
        let agency = agency_id("agency", &req.agency)?;
        let case = self
            .collections
            .place(&account, &agency, req.note.trim(), &actor)
            .await?;
        Ok(Response::new(to_pb(case)))
    }

    async fn recall_from_agency(
        &self,
        request: Request<pb::RecallFromAgencyRequest>,
    ) -> Result<Response<pb::CollectionCase>, Status> {
        let req = request.into_inner();
        let id = case_id(&req.case_id)?;
        let reason = convert::required_text("reason", &req.reason)?;
        Ok(Response::new(to_pb(
            self.collections.recall(&id, &reason).await?,
        )))
    }

    async fn write_off_bad_debt(
        &self,
        request: Request<pb::WriteOffBadDebtRequest>,
    ) -> Result<Response<pb::CollectionCase>, Status> {
        // The role table lets only managers here: the approval is the
        // caller's, recorded on the case.
        let manager = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let id = case_id(&req.case_id)?;
        let reason = convert::required_text("reason", &req.reason)?;
        Ok(Response::new(to_pb(
            self.collections.write_off(&id, &reason, &manager).await?,
        )))
    }

    async fn upsert_collection_agency(
        &self,
        request: Request<pb::UpsertCollectionAgencyRequest>,
    ) -> Result<Response<pb::CollectionAgency>, Status> {
        let req = request.into_inner();
        let agency = Agency {
            agency_id: agency_id("agency_id", &req.agency_id)?,
            name: convert::required_text("name", &req.name)?,
            fee_rate: FeeRate::parse(&req.fee_rate).ok_or_else(|| {
                ServiceError::invalid("fee_rate", "must be a decimal from 0 to 1, e.g. \"0.25\"")
            })?,
        };
        let agency = self.collections.upsert_agency(agency).await?;
        Ok(Response::new(pb::CollectionAgency {
            agency_id: agency.agency_id,
            name: agency.name,
            fee_rate: agency.fee_rate.as_text(),
        }))
    }

    async fn export_placements(
        &self,
        request: Request<pb::ExportPlacementsRequest>,
    ) -> Result<Response<pb::ExportPlacementsResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let agency = agency_id("agency", &req.agency)?;
        let (csv, rows) = self.collections.export(&agency).await?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let ids: Vec<&str> = rows.iter().map(|r| r.account_id.as_str()).collect();
        audit::record_many(
            &mut conn,
            &who,
            "export",
            "account",
            &ids,
            "ExportPlacements",
        )
        .await
        .map_err(ServiceError::from)?;
        Ok(Response::new(pb::ExportPlacementsResponse {
            csv: csv.into_bytes(),
            rows: rows.len() as u32,
        }))
    }

    async fn record_agency_payment(
        &self,
        request: Request<pb::RecordAgencyPaymentRequest>,
    ) -> Result<Response<pb::AgencyPayment>, Status> {
        let actor = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let id = case_id(&req.case_id)?;
        let gross = convert::money("gross", req.gross.as_ref())?;
        if gross.cents() <= 0 {
            return Err(ServiceError::invalid("gross", "must be positive").into());
        }
        let received_on = convert::optional_date("received_on", req.received_on.as_ref())?;
        let key = convert::required_text("idempotency_key", &req.idempotency_key)?;
        let posted = self
            .collections
            .agency_payment(&id, gross, received_on, &key, &actor)
            .await?;
        let net = posted
            .gross
            .checked_sub(posted.fee)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(Response::new(pb::AgencyPayment {
            payment_id: posted.payment_id,
            case_id: posted.case_id,
            gross: Some(wire_money(posted.gross)),
            fee: Some(wire_money(posted.fee)),
            net: Some(wire_money(net)),
            newly_posted: posted.newly_posted,
            case_status: wire_status(posted.case_status) as i32,
        }))
    }
}
