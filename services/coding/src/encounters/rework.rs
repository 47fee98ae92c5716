//! The denial feedback loop: the coding service consumes billing's event
//! feed, and each `CodingReviewRequested` re-opens the released encounter in
//! the queue at denial-rework priority with the denial's CARC/RARC codes and
//! the claim id, which its next release names as the claim it replaces.
//! Applied exactly once through the platform consumer (cursor and event ids
//! in the coding database, in the same transaction as the re-open).

use medbill_contracts::medbill::billing::v1::CodingReviewRequested;
use medbill_contracts::medbill::common::v1::Event;
use medbill_kernel::Timestamp;
use medbill_platform::ServiceError;
use medbill_platform::consumer::{Consumer, EventHandler, TokenSource};
use medbill_platform::db::{Database, Tx};
use prost::{Message, Name};
use tokio::sync::watch;
use tonic::transport::Endpoint;

use super::domain::Rework;
use super::service::{ReviewRequest, Workbench};

/// The consumer's name in the coding database.
pub const CONSUMER: &str = "coding.billing-feed";

/// Applies billing events that concern coding.
pub struct CodingReviewHandler;

#[tonic::async_trait]
impl EventHandler for CodingReviewHandler {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<(), ServiceError> {
        if event.event_type != CodingReviewRequested::full_name() {
            return Ok(());
        }
        let review = CodingReviewRequested::decode(event.payload.as_slice()).map_err(|e| {
            ServiceError::Internal(format!(
                "undecodable CodingReviewRequested {}: {e}",
                event.event_id
            ))
        })?;
        let requested_at = event
            .occurred_at
            .as_ref()
            .map(|t| Timestamp::from_unix_micros(t.seconds * 1_000_000 + i64::from(t.nanos) / 1000))
            .unwrap_or_else(Timestamp::now);
        let request = ReviewRequest {
            encounter_id: review.encounter_id,
            denial_id: review.denial_id,
            rework: Rework {
                claim_id: review.claim_id,
                carc_codes: review.carc_codes,
                rarc_codes: review.rarc_codes,
                note: review.note,
                requested_at: requested_at.to_string(),
            },
        };
        Workbench::reopen(tx, &request).await
    }
}

/// Follows billing's feed at `billing` until `stop` turns true.
pub async fn follow_billing(
    db: Database,
    billing: Endpoint,
    token: TokenSource,
    stop: watch::Receiver<bool>,
) {
    Consumer::new(CONSUMER, db, CodingReviewHandler)
        .run(billing, token, stop)
        .await;
}
