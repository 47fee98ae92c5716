//! Consuming another service's event feed, exactly once in effect.
//!
//! The consumer keeps, in **its own** database, its cursor (the last sequence
//! applied) and the id of every event it applied. Each batch of events is
//! applied in one transaction that also records those ids and moves the
//! cursor, so a crash at any point either applied the whole batch with its
//! bookkeeping or none of it. After a restart the consumer subscribes from its
//! cursor; an event delivered twice finds its id recorded and is skipped.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use futures::FutureExt;
use medbill_contracts::medbill::common::v1::event_feed_client::EventFeedClient;
use medbill_contracts::medbill::common::v1::{Event, SubscribeRequest};
use medbill_kernel::Timestamp;
use sqlx::Row;
use tokio::sync::watch;
use tokio_stream::StreamExt;
use tonic::transport::{Channel, Endpoint};

use crate::db::{Backend, Database, Tx, value_rows};
use crate::error::ServiceError;
use crate::peers::Peer;

/// Most events applied in one transaction. A consumer that has fallen
/// behind applies full batches; a small one makes what it applies visible
/// (and committed) every few dozen events rather than every few seconds,
/// for a commit's cost per batch.
const BATCH: usize = 32;

/// What a consumer does with each event.
#[tonic::async_trait]
pub trait EventHandler: Send + Sync + 'static {
    /// Applies `event` inside `tx`. An error rolls back the whole batch,
    /// which is retried; so an event whose effect cannot be applied stops the
    /// consumer at that event rather than being skipped.
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<(), ServiceError>;

    /// The event types it applies (full message names); empty: every type.
    /// The consumer subscribes to these only, and an event of another type
    /// that reaches [`Consumer::apply_batch`] is passed over unrecorded, as
    /// applying it would change nothing.
    fn event_types(&self) -> Vec<String> {
        Vec::new()
    }

    /// Runs once in a batch's transaction before its first new event is
    /// applied (a lock the handler's writes need, say).
    async fn begin(&self, _tx: &mut Tx) -> Result<(), ServiceError> {
        Ok(())
    }

    /// The lane `event` is applied in: on PostgreSQL the events of a batch
    /// are applied lane by lane, each lane in feed order in its own
    /// transaction, the lanes side by side (see [`LANES`]). Events whose
    /// order matters to each other must share a lane. `None` (the default
    /// for every event): one lane, the whole batch in one transaction.
    fn lane(&self, _event: &Event) -> Option<String> {
        None
    }
}

/// Most lanes of one batch applied side by side on PostgreSQL (SQLite has
/// one writer: one lane there). A consumer whose events each take a dozen
/// statements is bound by their round trips, not by the server's work;
/// lanes let a busy server take several such chains at once.
pub const LANES: usize = 4;

pub use crate::peers::TokenSource;

/// A named consumer of one feed, applying into one database.
pub struct Consumer<H> {
    name: String,
    db: Database,
    handler: H,
}

/// The outcome of applying a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchOutcome {
    /// Events whose effect was applied now.
    pub applied: usize,
    /// Events skipped because their id was applied before.
    pub duplicates: usize,
    /// Events passed over because the handler does not apply their type.
    pub passed_over: usize,
    /// The cursor after the batch.
    pub cursor: u64,
}

impl<H: EventHandler> Consumer<H> {
    /// A consumer called `name` (unique per database) applying with `handler`.
    pub fn new(name: impl Into<String>, db: Database, handler: H) -> Self {
        Consumer {
            name: name.into(),
            db,
            handler,
        }
    }

    /// The last sequence applied (0 before the first).
    pub async fn cursor(&self) -> Result<u64, ServiceError> {
        let row = sqlx::query("SELECT last_sequence FROM consumer_cursors WHERE consumer = $1")
            .bind(&self.name)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<i64, _>(0)? as u64,
            None => 0,
        })
    }

    /// Applies `events`: the ids of the events of the handler's types are
    /// recorded in one statement per lane, which answers which of them are
    /// new; only those are applied, each once. With one lane (the handler
    /// names none, or SQLite) the ids, the effects and the cursor are one
    /// transaction. With several, each lane commits its ids with its
    /// effects and the cursor moves once every lane has committed: a crash
    /// between them redelivers the batch, whose committed lanes are then
    /// skipped as applied.
    pub async fn apply_batch(&self, events: &[Event]) -> Result<BatchOutcome, ServiceError> {
        let mut outcome = BatchOutcome::default();
        let mut high = 0i64;
        for event in events {
            let sequence = i64::try_from(event.sequence)
                .map_err(|_| ServiceError::Internal("event sequence out of range".into()))?;
            high = high.max(sequence);
        }
        let types = self.handler.event_types();
        let wanted: Vec<&Event> = events
            .iter()
            .filter(|e| types.is_empty() || types.contains(&e.event_type))
            .collect();
        outcome.passed_over = events.len() - wanted.len();
        let mut lanes = self.lanes(wanted);
        if lanes.len() <= 1 {
            let lane = lanes.pop().unwrap_or_default();
            let mut tx = self.db.begin().await?;
            let (applied, duplicates) = self.apply_lane(&mut tx, &lane).await?;
            move_cursor(&mut tx, &self.name, high).await?;
            tx.commit().await?;
            outcome.applied = applied;
            outcome.duplicates = duplicates;
        } else {
            let results = futures::future::join_all(lanes.iter().map(|lane| async move {
                let mut tx = self.db.begin().await?;
                let counts = self.apply_lane(&mut tx, lane).await?;
                tx.commit().await?;
                Ok::<_, ServiceError>(counts)
            }))
            .await;
            for result in results {
                let (applied, duplicates) = result?;
                outcome.applied += applied;
                outcome.duplicates += duplicates;
            }
            let mut conn = self.db.pool().acquire().await?;
            move_cursor(&mut conn, &self.name, high).await?;
        }
        outcome.cursor = self.cursor().await?;
        Ok(outcome)
    }

    /// `events` split by the handler's lanes, each in feed order; one lane
    /// on SQLite or when the handler names none.
    fn lanes<'e>(&self, events: Vec<&'e Event>) -> Vec<Vec<&'e Event>> {
        if self.db.backend() != Backend::Postgres {
            return vec![events];
        }
        let mut lane_of: HashMap<String, usize> = HashMap::new();
        let mut lanes: Vec<Vec<&Event>> = Vec::new();
        for event in events {
            let key = self.handler.lane(event).unwrap_or_default();
            let next = lane_of.len() % LANES;
            let lane = *lane_of.entry(key).or_insert(next);
            if lanes.len() <= lane {
                lanes.resize_with(lane + 1, Vec::new);
            }
            lanes[lane].push(event);
        }
        lanes
    }

    /// Records `lane`'s ids and applies its new events in `tx`; answers how
    /// many were applied and how many had been before.
    async fn apply_lane(
        &self,
        tx: &mut Tx,
        lane: &[&Event],
    ) -> Result<(usize, usize), ServiceError> {
        let mut fresh = self.record(tx, lane).await?;
        let (mut applied, mut duplicates) = (0, 0);
        for event in lane {
            // `remove`: an event twice in one batch is applied once.
            if fresh.remove(&event.event_id) {
                if applied == 0 {
                    self.handler.begin(tx).await?;
                }
                self.handler.apply(tx, event).await?;
                applied += 1;
            } else {
                duplicates += 1;
            }
        }
        Ok((applied, duplicates))
    }

    /// Records the ids of `events` as applied by this consumer; returns the
    /// ids not recorded before.
    async fn record(
        &self,
        tx: &mut Tx,
        events: &[&Event],
    ) -> Result<HashSet<String>, ServiceError> {
        let mut seen = HashSet::with_capacity(events.len());
        let events: Vec<&&Event> = events
            .iter()
            .filter(|e| seen.insert(e.event_id.as_str()))
            .collect();
        if events.is_empty() {
            return Ok(HashSet::new());
        }
        let now = Timestamp::now().to_string();
        let sql = format!(
            "INSERT INTO consumed_events (consumer, event_id, sequence, applied_at) \
             VALUES {} ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id",
            value_rows(1, events.len(), 4)
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for event in events {
            query = query
                .bind(&self.name)
                .bind(&event.event_id)
                .bind(event.sequence as i64)
                .bind(&now);
        }
        Ok(query.fetch_all(&mut **tx).await?.into_iter().collect())
    }

    /// Follows `peer`'s feed (see [`Consumer::run`]) until `stop` turns true.
    /// With several instances of the peer (one database behind them, so one
    /// feed), a subscription that fails moves on to the next instance.
    pub async fn follow_peer(self, peer: Peer, stop: watch::Receiver<bool>) {
        self.run_over(peer.endpoints().to_vec(), peer.tokens(), stop)
            .await;
    }

    /// Subscribes to the feed at `endpoint` from the stored cursor and applies
    /// events until `stop` turns true, reconnecting with back-off when the
    /// stream ends or fails.
    pub async fn run(self, endpoint: Endpoint, token: TokenSource, stop: watch::Receiver<bool>) {
        self.run_over(vec![endpoint], token, stop).await;
    }

    /// [`Consumer::run`] over the instances at `endpoints`: each failed
    /// subscription moves on to the next one.
    async fn run_over(
        self,
        endpoints: Vec<Endpoint>,
        token: TokenSource,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut backoff = Duration::from_millis(100);
        let mut next = 0usize;
        while !*stop.borrow() && !endpoints.is_empty() {
            let endpoint = &endpoints[next % endpoints.len()];
            match self.follow(endpoint, &token, &mut stop).await {
                Ok(()) => backoff = Duration::from_millis(100),
                Err(e) => {
                    tracing::warn!(consumer = %self.name, error = %e, "event consumer interrupted; retrying");
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    next = next.wrapping_add(1);
                }
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// One subscription: applies events until the stream ends, fails, or
    /// `stop` turns true.
    async fn follow(
        &self,
        endpoint: &Endpoint,
        token: &TokenSource,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), ServiceError> {
        let channel: Channel = endpoint
            .connect()
            .await
            .map_err(|e| ServiceError::Unavailable(format!("cannot reach event feed: {e}")))?;
        let bearer = format!("Bearer {}", token()?);
        let bearer: tonic::metadata::MetadataValue<_> = bearer
            .parse()
            .map_err(|_| ServiceError::Internal("token is not valid metadata".into()))?;
        let mut client =
            EventFeedClient::with_interceptor(channel, move |mut req: tonic::Request<()>| {
                req.metadata_mut().insert("authorization", bearer.clone());
                Ok(req)
            })
            .max_decoding_message_size(usize::MAX);
        let after_sequence = self.cursor().await?;
        let mut stream = client
            .subscribe(SubscribeRequest {
                after_sequence,
                event_types: self.handler.event_types(),
            })
            .await
            .map_err(|s| ServiceError::Unavailable(format!("subscribe refused: {s}")))?
            .into_inner();
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let next = tokio::select! {
                next = stream.next() => next,
                _ = stop.changed() => return Ok(()),
            };
            let Some(first) = next else { return Ok(()) };
            batch.push(first.map_err(|s| ServiceError::Unavailable(s.to_string()))?);
            // Take whatever else has already arrived, without waiting.
            while batch.len() < BATCH {
                match stream.next().now_or_never() {
                    Some(Some(item)) => {
                        batch.push(item.map_err(|s| ServiceError::Unavailable(s.to_string()))?)
                    }
                    _ => break,
                }
            }
            self.apply_with_retry(&batch, stop).await?;
            batch.clear();
            if *stop.borrow() {
                return Ok(());
            }
        }
    }

    /// Applies a batch, retrying on failure: an event is never skipped.
    async fn apply_with_retry(
        &self,
        batch: &[Event],
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), ServiceError> {
        let mut delay = Duration::from_millis(50);
        loop {
            match self.apply_batch(batch).await {
                Ok(_) => return Ok(()),
                Err(e) => {
                    tracing::error!(consumer = %self.name, error = %e, "applying events failed; retrying");
                    if *stop.borrow() {
                        return Err(e);
                    }
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}

/// Moves `consumer`'s cursor to `high`, never back.
async fn move_cursor(
    conn: &mut sqlx::AnyConnection,
    consumer: &str,
    high: i64,
) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO consumer_cursors (consumer, last_sequence) VALUES ($1, $2) \
         ON CONFLICT (consumer) DO UPDATE SET last_sequence = excluded.last_sequence \
         WHERE consumer_cursors.last_sequence < excluded.last_sequence",
    )
    .bind(consumer)
    .bind(high)
    .execute(conn)
    .await?;
    Ok(())
}

/// Runs `future` until `stop` turns true (for tasks that own a consumer).
pub async fn until_stopped(future: impl Future<Output = ()>, mut stop: watch::Receiver<bool>) {
    tokio::select! {
        () = future => {}
        _ = stop.wait_for(|s| *s) => {}
    }
}
