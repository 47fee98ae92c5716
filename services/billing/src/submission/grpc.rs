//! `medbill.billing.v1.SubmissionService`: batches and acknowledgments;
//! the follow-up queue and claim status inquiries in
//! [`crate::followup::rpc`].

use std::sync::Arc;

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::billing::v1::submission_service_server::SubmissionService;
use medbill_kernel::PayerId;
use medbill_platform::ServiceError;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_money, wire_timestamp};
use medbill_platform::db::Database;
use tonic::{Request, Response, Status};

use super::acks::{self, Acknowledgment};
use super::adapter::{self, Clearinghouse};
use super::batch::{self, BatchRequest, MAX_CLAIMS};
use super::store::{self, Batch};
use crate::claims::grpc::claim_type_of;
use crate::claims::service::Context;
use crate::followup;

/// The largest acknowledgment file taken in one call.
pub const MAX_ACK_BYTES: usize = 64 * 1024 * 1024;

/// The submission API over the billing database.
#[derive(Clone)]
pub struct SubmissionRpc {
    db: Database,
    clock: Clock,
    clearinghouse: Option<Arc<dyn Clearinghouse>>,
}

impl SubmissionRpc {
    /// The API over `db`; batches are handed to `clearinghouse` when given
    /// (else they wait, CREATED, for `GetBatchFile`).
    pub fn new(db: Database, clock: Clock, clearinghouse: Option<Arc<dyn Clearinghouse>>) -> Self {
        SubmissionRpc {
            db,
            clock,
            clearinghouse,
        }
    }
}

fn batch_status(text: &str) -> pb::BatchStatus {
    match text {
        "created" => pb::BatchStatus::Created,
        "sent" => pb::BatchStatus::Sent,
        "accepted" => pb::BatchStatus::Accepted,
        "rejected" => pb::BatchStatus::Rejected,
        "partially_accepted" => pb::BatchStatus::PartiallyAccepted,
        _ => pb::BatchStatus::Unspecified,
    }
}

fn status_name(status: i32) -> Result<&'static str, ServiceError> {
    Ok(match pb::BatchStatus::try_from(status) {
        Ok(pb::BatchStatus::Created) => "created",
        Ok(pb::BatchStatus::Sent) => "sent",
        Ok(pb::BatchStatus::Accepted) => "accepted",
        Ok(pb::BatchStatus::Rejected) => "rejected",
        Ok(pb::BatchStatus::PartiallyAccepted) => "partially_accepted",
        _ => return Err(ServiceError::invalid("statuses", "not a batch status")),
    })
}

fn wire_batch(b: &Batch, held: &[String]) -> pb::Batch {
    pb::Batch {
        batch_id: b.batch_id.clone(),
        transaction_type: b.transaction_type.clone(),
        status: batch_status(&b.status) as i32,
        interchange_control_number: b.interchange_control_number.clone(),
        group_control_number: b.group_control_number.clone(),
        claim_ids: b.claim_ids.iter().map(|c| c.as_str().to_string()).collect(),
        created_at: Some(wire_timestamp(b.created_at)),
        usage_indicator: b.usage_indicator.clone(),
        file_name: b.file_name.clone(),
        total_charge: Some(wire_money(b.total_charge)),
        held_claim_ids: held.to_vec(),
    }
}

fn wire_ack(a: &Acknowledgment) -> pb::Acknowledgment {
    pb::Acknowledgment {
        acknowledgment_id: a.acknowledgment_id.clone(),
        transaction_type: a.transaction_type.clone(),
        batch_id: a.batch_id.clone(),
        claims_accepted: a.claims_accepted,
        claims_rejected: a.claims_rejected,
        errors: a.errors.clone(),
        received_at: Some(wire_timestamp(a.received_at)),
        newly_applied: a.newly_applied,
        unmatched: a.unmatched.clone(),
    }
}

fn batch_id(text: &str) -> Result<String, ServiceError> {
    medbill_kernel::ids::canonical_uuid(text.trim())
        .map_err(|_| ServiceError::invalid("batch_id", "a batch id (UUID)"))
}

#[tonic::async_trait]
impl SubmissionService for SubmissionRpc {
    async fn create_batch(
        &self,
        request: Request<pb::CreateBatchRequest>,
    ) -> Result<Response<pb::Batch>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let claim_type = claim_type_of(req.transaction_type.trim())
            .ok_or_else(|| ServiceError::invalid("transaction_type", "\"837P\" or \"837I\""))?;
        let max_claims = match req.max_claims {
            0 => MAX_CLAIMS,
            n if n <= MAX_CLAIMS => n,
            _ => {
                return Err(ServiceError::invalid(
                    "max_claims",
                    format!("1 to {MAX_CLAIMS} (0 means {MAX_CLAIMS})"),
                )
                .into());
            }
        };
        let payer_id = convert::optional_id::<PayerId>("payer_id", &req.payer_id)?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        if let Some(payer_id) = &payer_id {
            crate::registry::store::require_payer(&mut tx, payer_id).await?;
        }
        let cx = Context::at(&who.subject, &self.clock);
        let created = batch::create_batch(
            &mut tx,
            &BatchRequest {
                claim_type,
                max_claims,
                payer_id,
            },
            cx,
        )
        .await?;
        tx.commit().await.map_err(ServiceError::from)?;
        let mut batch = created.batch;
        if let Some(clearinghouse) = &self.clearinghouse {
            // Stored first: a failed drop leaves it CREATED, sent at the
            // next start.
            match adapter::deliver(&self.db, clearinghouse.as_ref(), &batch.batch_id).await {
                Ok(()) => batch.status = "sent".into(),
                Err(e) => {
                    tracing::warn!(batch_id = batch.batch_id, error = %e, "batch stored, not yet dropped")
                }
            }
        }
        let held: Vec<String> = created
            .held
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        Ok(Response::new(wire_batch(&batch, &held)))
    }

    async fn get_batch(
        &self,
        request: Request<pb::GetBatchRequest>,
    ) -> Result<Response<pb::Batch>, Status> {
        let id = batch_id(&request.get_ref().batch_id)?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let batch = store::batch(&mut conn, &id)
            .await?
            .ok_or_else(|| ServiceError::not_found("batch", &id))?;
        Ok(Response::new(wire_batch(&batch, &[])))
    }

    async fn list_batches(
        &self,
        request: Request<pb::ListBatchesRequest>,
    ) -> Result<Response<pb::ListBatchesResponse>, Status> {
        let statuses = request
            .get_ref()
            .statuses
            .iter()
            .map(|s| status_name(*s))
            .collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let batches = store::batches(&mut conn, &statuses, 200).await?;
        Ok(Response::new(pb::ListBatchesResponse {
            batches: batches.iter().map(|b| wire_batch(b, &[])).collect(),
        }))
    }

    async fn get_batch_file(
        &self,
        request: Request<pb::GetBatchFileRequest>,
    ) -> Result<Response<pb::BatchFile>, Status> {
        let id = batch_id(&request.get_ref().batch_id)?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let (file_name, content) = store::batch_file(&mut conn, &id)
            .await?
            .ok_or_else(|| ServiceError::not_found("batch", &id))?;
        Ok(Response::new(pb::BatchFile { file_name, content }))
    }

    async fn ingest_acknowledgment(
        &self,
        request: Request<pb::IngestAcknowledgmentRequest>,
    ) -> Result<Response<pb::Acknowledgment>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        if req.content.is_empty() {
            return Err(ServiceError::invalid("content", "required").into());
        }
        if req.content.len() > MAX_ACK_BYTES {
            return Err(
                ServiceError::invalid("content", format!("at most {MAX_ACK_BYTES} bytes")).into(),
            );
        }
        let ack = ingest(
            &self.db,
            &self.clock,
            &req.content,
            req.file_name.trim(),
            &who.subject,
        )
        .await?;
        Ok(Response::new(wire_ack(&ack)))
    }

    async fn list_follow_ups(
        &self,
        request: Request<pb::ListFollowUpsRequest>,
    ) -> Result<Response<pb::ListFollowUpsResponse>, Status> {
        let answer =
            followup::rpc::list_follow_ups(&self.db, &self.clock, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn send_status_inquiries(
        &self,
        request: Request<pb::SendStatusInquiriesRequest>,
    ) -> Result<Response<pb::SendStatusInquiriesResponse>, Status> {
        let who = principal(&request)?.clone();
        let answer = followup::rpc::send_status_inquiries(
            &self.db,
            &self.clock,
            self.clearinghouse.as_deref(),
            &who.subject,
            request.into_inner(),
        )
        .await?;
        Ok(Response::new(answer))
    }

    async fn list_acknowledgments(
        &self,
        request: Request<pb::ListAcknowledgmentsRequest>,
    ) -> Result<Response<pb::ListAcknowledgmentsResponse>, Status> {
        let id = match request.get_ref().batch_id.trim() {
            "" => String::new(),
            text => batch_id(text)?,
        };
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let acks = acks::acknowledgments(&mut conn, &id).await?;
        Ok(Response::new(pb::ListAcknowledgmentsResponse {
            acknowledgments: acks.iter().map(wire_ack).collect(),
        }))
    }
}

/// Applies an acknowledgment file in a transaction of its own (the RPC and
/// the inbound-folder poller both use it). A concurrent ingest of the same
/// file loses on the content hash's unique key and reads the winner's.
pub async fn ingest(
    db: &Database,
    clock: &Clock,
    content: &[u8],
    file_name: &str,
    actor: &str,
) -> Result<Acknowledgment, ServiceError> {
    let cx = Context::at(actor, clock);
    let mut tx = db.begin().await?;
    match acks::ingest(&mut tx, content, file_name, cx).await {
        Ok(ack) => match tx.commit().await {
            Ok(()) => Ok(ack),
            Err(e) => {
                let e = ServiceError::from(e);
                retry_as_duplicate(db, content, file_name, cx, e).await
            }
        },
        Err(ServiceError::AlreadyExists(m)) => {
            drop(tx);
            retry_as_duplicate(db, content, file_name, cx, ServiceError::AlreadyExists(m)).await
        }
        Err(e) => Err(e),
    }
}

async fn retry_as_duplicate(
    db: &Database,
    content: &[u8],
    file_name: &str,
    cx: Context<'_>,
    error: ServiceError,
) -> Result<Acknowledgment, ServiceError> {
    if !matches!(error, ServiceError::AlreadyExists(_)) {
        return Err(error);
    }
    let mut tx = db.begin().await?;
    let ack = acks::ingest(&mut tx, content, file_name, cx).await?;
    tx.commit().await?;
    Ok(ack)
}
