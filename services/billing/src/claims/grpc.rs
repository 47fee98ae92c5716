//! `medbill.billing.v1.ClaimService`: charges, building, reading, scrubbing
//! and voiding claims. A claim is patient data: every claim a call shows is
//! written to the audit log.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::billing::v1::claim_service_server::ClaimService;
use medbill_contracts::medbill::coding::v1 as coding;
use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_kernel::{ClaimId, EncounterId, PatientId, PayerId};
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert;
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use medbill_platform::peers::Peer;
use tonic::{Request, Response, Status};

use super::domain::{ClaimType, Submission};
use super::secondary;
use super::service::{self, Billed, Context};
use super::store::{self, ClaimFilter};
use super::void;
use super::wire::{wire_claim, wire_payer_status};
use crate::charges;
use crate::followup;
use crate::scrubber::CodingFinding;

/// The claim API over the billing database.
#[derive(Clone)]
pub struct ClaimRpc {
    db: Database,
    clock: Clock,
    coding: Option<Peer>,
}

impl ClaimRpc {
    /// The API over `db`; `coding`, when given, re-runs its edits in
    /// `ScrubClaim`.
    pub fn new(db: Database, clock: Clock, coding: Option<Peer>) -> Self {
        ClaimRpc { db, clock, coding }
    }

    /// Coding's blocking findings on an encounter's current codes.
    async fn coding_findings(
        &self,
        encounter_id: &EncounterId,
    ) -> Result<Vec<CodingFinding>, ServiceError> {
        let Some(peer) = &self.coding else {
            return Ok(Vec::new());
        };
        let answer = EncounterServiceClient::new(peer.channel())
            .check_coding(peer.request(coding::CheckCodingRequest {
                encounter_id: encounter_id.as_str().to_string(),
            })?)
            .await
            .map_err(|s| {
                ServiceError::Unavailable(format!("coding's CheckCoding failed: {}", s.message()))
            })?
            .into_inner();
        Ok(answer
            .findings
            .into_iter()
            .filter(|f| f.severity == coding::Severity::Error as i32)
            .map(|f| CodingFinding {
                field: if f.line_index >= 0 {
                    format!("lines[{}]", f.line_index)
                } else {
                    "lines".to_string()
                },
                edit: f.edit_id,
                message: f.message,
            })
            .collect())
    }
}

/// A prior authorization number as REF*G1 carries it.
fn prior_authorization(text: &str) -> Result<&str, ServiceError> {
    let auth = text.trim();
    if auth.len() > 50 || !auth.is_ascii() || auth.contains(['*', '~', ':', '^']) {
        return Err(ServiceError::invalid(
            "prior_authorization",
            "at most 50 ASCII characters, no X12 separators",
        ));
    }
    Ok(auth)
}

fn submission_of(status: i32) -> Result<Vec<Submission>, ServiceError> {
    Ok(match pb::ClaimStatus::try_from(status) {
        Ok(pb::ClaimStatus::Draft) => vec![Submission::Held],
        Ok(pb::ClaimStatus::Ready) => vec![Submission::Ready],
        Ok(pb::ClaimStatus::Submitted) => vec![Submission::Submitted],
        Ok(pb::ClaimStatus::Accepted) => vec![Submission::Accepted],
        Ok(pb::ClaimStatus::Rejected) => vec![Submission::Rejected],
        _ => {
            return Err(ServiceError::invalid(
                "statuses",
                "filter on DRAFT, READY, SUBMITTED, ACCEPTED or REJECTED",
            ));
        }
    })
}

#[tonic::async_trait]
impl ClaimService for ClaimRpc {
    async fn list_charges(
        &self,
        request: Request<pb::ListChargesRequest>,
    ) -> Result<Response<pb::ListChargesResponse>, Status> {
        charges::grpc::list_charges(&self.db, request).await
    }

    async fn create_claim(
        &self,
        request: Request<pb::CreateClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let encounter_id = convert::id::<EncounterId>("encounter_id", &req.encounter_id)?;
        let rank = match req.payer_rank {
            0 | 1 => 1,
            n @ (2 | 3) => n as u8,
            _ => {
                return Err(ServiceError::invalid(
                    "payer_rank",
                    "1 primary, 2 secondary or 3 tertiary (0 means primary)",
                )
                .into());
            }
        };
        let auth = prior_authorization(&req.prior_authorization)?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let release = store::release(&mut tx, &encounter_id, None)
            .await?
            .ok_or_else(|| ServiceError::not_found("released encounter", encounter_id.as_str()))?;
        let cx = Context::at(&who.subject, &self.clock);
        let claim = match service::bill_release(&mut tx, &release, rank, auth, cx).await? {
            Billed::Built(claim) => claim,
            Billed::Exists(id) => {
                return Err(ServiceError::AlreadyExists(format!(
                    "claim {id} bills release {} at rank {rank}",
                    release.release_number
                ))
                .into());
            }
            Billed::NotBillable(why) => {
                return Err(ServiceError::FailedPrecondition(why).into());
            }
        };
        // A new claim's history is the transitions that created it.
        let history = store::creation_history(&claim, &who.subject, &service::built_from(&release));
        audit::record(
            &mut tx,
            &who,
            "create",
            "claim",
            claim.claim_id.as_str(),
            "CreateClaim",
        )
        .await
        .map_err(ServiceError::from)?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_claim(&claim, &history)))
    }

    async fn get_claim(
        &self,
        request: Request<pb::GetClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let who = principal(&request)?.clone();
        let claim_id = convert::id::<ClaimId>("claim_id", &request.get_ref().claim_id)?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let claim = store::require_claim(&mut conn, &claim_id).await?;
        let history = store::history(&mut conn, &claim_id).await?;
        let payer_statuses = followup::store::statuses(&mut conn, &claim_id).await?;
        audit::record(
            &mut conn,
            &who,
            "read",
            "claim",
            claim_id.as_str(),
            "GetClaim",
        )
        .await
        .map_err(ServiceError::from)?;
        let mut answer = wire_claim(&claim, &history);
        answer.payer_statuses = payer_statuses.iter().map(wire_payer_status).collect();
        Ok(Response::new(answer))
    }

    async fn list_claims(
        &self,
        request: Request<pb::ListClaimsRequest>,
    ) -> Result<Response<pb::ListClaimsResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let mut submissions = Vec::new();
        for status in &req.statuses {
            submissions.extend(submission_of(*status)?);
        }
        let filter = ClaimFilter {
            submissions,
            patient_id: convert::optional_id::<PatientId>("patient_id", &req.patient_id)?,
            payer_id: convert::optional_id::<PayerId>("payer_id", &req.payer_id)?,
            encounter_id: convert::optional_id::<EncounterId>("encounter_id", &req.encounter_id)?,
            claim_type: None,
            active_only: !req.statuses.is_empty(),
        };
        let page = Page::from_request("page", req.page.as_ref())?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let rows = store::claims(
            &mut conn,
            &filter,
            page.after.as_deref(),
            page.fetch_limit(),
        )
        .await?;
        let (rows, next) = page.finish(rows, |c| c.claim_id.as_str().to_string());
        let ids: Vec<&str> = rows.iter().map(|c| c.claim_id.as_str()).collect();
        audit::record_many(&mut conn, &who, "read", "claim", &ids, "ListClaims")
            .await
            .map_err(ServiceError::from)?;
        Ok(Response::new(pb::ListClaimsResponse {
            claims: rows.iter().map(|c| wire_claim(c, &[])).collect(),
            page: Some(next),
        }))
    }

    async fn scrub_claim(
        &self,
        request: Request<pb::ScrubClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let claim_id = convert::id::<ClaimId>("claim_id", &req.claim_id)?;
        let auth = prior_authorization(&req.prior_authorization)?;
        let encounter_id = {
            let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
            store::require_claim(&mut conn, &claim_id)
                .await?
                .encounter_id
        };
        // Coding is asked outside the transaction: no lock waits on a call.
        let coding_findings = self.coding_findings(&encounter_id).await?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let cx = Context::at(&who.subject, &self.clock);
        if !auth.is_empty() {
            store::set_prior_authorization(&mut tx, &claim_id, auth).await?;
        }
        let claim = service::rescrub(&mut tx, &claim_id, &coding_findings, cx).await?;
        let history = store::history(&mut tx, &claim_id).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_claim(&claim, &history)))
    }

    async fn create_secondary_claim(
        &self,
        request: Request<pb::CreateSecondaryClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let who = principal(&request)?.clone();
        let primary_id =
            convert::id::<ClaimId>("primary_claim_id", &request.get_ref().primary_claim_id)?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let primary = store::require_claim(&mut tx, &primary_id).await?;
        let cx = Context::at(&who.subject, &self.clock);
        let claim = match secondary::build(&mut tx, &primary, cx).await? {
            Billed::Built(claim) => claim,
            Billed::Exists(id) => {
                return Err(ServiceError::AlreadyExists(format!(
                    "secondary claim {id} follows claim {primary_id}"
                ))
                .into());
            }
            Billed::NotBillable(why) => return Err(ServiceError::FailedPrecondition(why).into()),
        };
        let history = store::history(&mut tx, &claim.claim_id).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_claim(&claim, &history)))
    }

    async fn correct_claim(
        &self,
        request: Request<pb::CorrectClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let claim_id = convert::id::<ClaimId>("claim_id", &req.claim_id)?;
        let reason = req.reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::invalid("reason", "required").into());
        }
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let cx = Context::at(&who.subject, &self.clock);
        let claim = void::correct(&mut tx, &claim_id, reason, cx).await?;
        let history = store::history(&mut tx, &claim.claim_id).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_claim(&claim, &history)))
    }

    async fn void_claim(
        &self,
        request: Request<pb::VoidClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let claim_id = convert::id::<ClaimId>("claim_id", &req.claim_id)?;
        let reason = req.reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::invalid("reason", "required").into());
        }
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let cx = Context::at(&who.subject, &self.clock);
        let claim = void::void(&mut tx, &claim_id, reason, cx).await?;
        let history = store::history(&mut tx, &claim.claim_id).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_claim(&claim, &history)))
    }
}

/// Whether a claim type is what `transaction_type` ("837P"/"837I") names.
pub fn claim_type_of(transaction_type: &str) -> Option<ClaimType> {
    match transaction_type {
        "837P" => Some(ClaimType::Professional),
        "837I" => Some(ClaimType::Institutional),
        _ => None,
    }
}
