//! The denial feedback loop: the coding service consumes billing's event
//! feed, and each `CodingReviewRequested` re-opens the released encounter in
//! the queue at denial-rework priority with the denial's CARC/RARC codes and
//! the claim id, which its next release names as the claim it replaces.
//! Applied exactly once through the platform consumer (cursor and event ids
//! in the coding database, in the same transaction as the re-open).

use medbill_contracts::medbill::billing::v1::CodingReviewRequested;
use medbill_contracts::medbill::common::v1::Event;
use medbill_platform::ServiceError;
use medbill_platform::consumer::{Consumer, EventHandler};
use medbill_platform::db::{Database, Tx};
use medbill_platform::events;
use medbill_platform::peers::Peer;
use tokio::sync::watch;

use super::domain::Rework;
use super::service::{ReviewRequest, Workbench};

/// The consumer's name in the coding database.
pub const CONSUMER: &str = "coding.billing-feed";

/// Applies billing events that concern coding.
pub struct CodingReviewHandler;

#[tonic::async_trait]
impl EventHandler for CodingReviewHandler {
    fn event_types(&self) -> Vec<String> {
        vec![events::type_of::<CodingReviewRequested>()]
    }

    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<(), ServiceError> {
        let Some(event) = events::decode::<CodingReviewRequested>(event)? else {
            return Ok(());
        };
        let (review, requested_at) = (event.payload, event.occurred_at);
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

/// Follows the feed of the `billing` peer until `stop` turns true.
pub async fn follow_billing(db: Database, billing: Peer, stop: watch::Receiver<bool>) {
    Consumer::new(CONSUMER, db, CodingReviewHandler)
        .follow_peer(billing, stop)
        .await;
}
