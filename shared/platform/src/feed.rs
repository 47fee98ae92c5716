//! The `medbill.common.v1.EventFeed` gRPC service every service serves over
//! its own outbox: `Subscribe(after_sequence)` sends the stored events in
//! sequence order, then waits for new commits (woken in-process by the
//! database handle, and polling for writes from other processes) and sends
//! them as they come. Streams end when the server shuts down.

use std::time::Duration;

use medbill_contracts::medbill::common::v1::event_feed_server::EventFeed;
use medbill_contracts::medbill::common::v1::{Event, SubscribeRequest};
use medbill_kernel::Timestamp;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use crate::convert::wire_timestamp;
use crate::db::Database;
use crate::outbox::{self, StoredEvent};

/// Events read per database round trip.
const PAGE: u32 = 500;
/// How often an idle stream looks for events committed by another process.
const POLL: Duration = Duration::from_millis(250);

/// The event feed over one service's outbox.
#[derive(Clone)]
pub struct EventFeedService {
    db: Database,
    stop: watch::Receiver<bool>,
}

impl EventFeedService {
    /// A feed over `db` whose streams end when `stop` turns true.
    pub fn new(db: Database, stop: watch::Receiver<bool>) -> Self {
        EventFeedService { db, stop }
    }
}

/// Converts a stored event to its wire form.
pub fn to_wire(event: StoredEvent) -> Event {
    let occurred_at = Timestamp::parse(&event.occurred_at).map(wire_timestamp);
    Event {
        sequence: event.sequence,
        event_id: event.event_id,
        event_type: event.event_type,
        aggregate_id: event.aggregate_id,
        occurred_at,
        payload: event.payload,
    }
}

#[tonic::async_trait]
impl EventFeed for EventFeedService {
    async fn subscribe(
        &self,
        request: Request<SubscribeRequest>,
    ) -> Result<Response<BoxStream<Event>>, Status> {
        let SubscribeRequest {
            after_sequence,
            event_types,
        } = request.into_inner();
        let (tx, rx) = mpsc::channel(PAGE as usize);
        let db = self.db.clone();
        let mut stop = self.stop.clone();
        tokio::spawn(async move {
            let published = db.published();
            let mut cursor = after_sequence;
            loop {
                // Register interest before reading, so a commit between the
                // read and the wait still wakes us.
                let woken = published.notified();
                tokio::pin!(woken);
                woken.as_mut().enable();
                let page = match db.pool().acquire().await {
                    Ok(mut conn) => outbox::read_after(&mut conn, cursor, PAGE, &event_types).await,
                    Err(e) => Err(e),
                };
                let page = match page {
                    Ok(page) => page,
                    Err(e) => {
                        tracing::error!(error = %e, "event feed read failed");
                        let _ = tx
                            .send(Err(Status::unavailable("event feed read failed")))
                            .await;
                        return;
                    }
                };
                let full = page.read_up_to.saturating_sub(cursor) >= u64::from(PAGE);
                cursor = page.read_up_to;
                for event in page.events {
                    if tx.send(Ok(to_wire(event))).await.is_err() {
                        return; // the subscriber went away
                    }
                }
                if full {
                    continue;
                }
                tokio::select! {
                    () = &mut woken => {}
                    () = tokio::time::sleep(POLL) => {}
                    _ = stop.changed() => return,
                    () = tx.closed() => return,
                }
                if *stop.borrow() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
