//! The transactional outbox (docs/ARCHITECTURE.md, "Events between services").
//!
//! A service publishes an event by inserting it in the same transaction as the
//! change that caused it. Sequence numbers come from the one-row
//! `outbox_sequence` table: the `UPDATE … RETURNING` that takes them holds the
//! row's write lock until the transaction commits or rolls back, so a second
//! publisher waits, numbers are handed out in commit order, and a rolled-back
//! transaction gives its numbers back. A reader that has seen sequence N can
//! therefore never later see a smaller one: no event is skipped.

use medbill_kernel::Timestamp;
use medbill_kernel::ids::EventId;
use sqlx::{AnyConnection, Row};

use crate::db::{Tx, value_rows};

/// An event to publish.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Full protobuf name of the payload, e.g. `medbill.coding.v1.EncounterReleased`.
    pub event_type: String,
    /// The id of the record the event is about.
    pub aggregate_id: String,
    /// The encoded payload message.
    pub payload: Vec<u8>,
}

impl NewEvent {
    /// An event carrying `message`, typed by its protobuf full name.
    pub fn of<M: prost::Message + prost::Name>(
        aggregate_id: impl Into<String>,
        message: &M,
    ) -> Self {
        NewEvent {
            event_type: M::full_name(),
            aggregate_id: aggregate_id.into(),
            payload: message.encode_to_vec(),
        }
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Position in the feed.
    pub sequence: u64,
    /// Unique id.
    pub event_id: String,
    /// Full protobuf name of the payload.
    pub event_type: String,
    /// The record the event is about.
    pub aggregate_id: String,
    /// When it was published (RFC 3339 UTC).
    pub occurred_at: String,
    /// The encoded payload.
    pub payload: Vec<u8>,
}

/// Events written by one INSERT (six values each, well under either
/// backend's limit on bound values).
const INSERT_ROWS: usize = 200;

/// Publishes `events` in `tx` when it commits, as the last statement
/// before the commit itself. Publishing takes the outbox's sequence row
/// until the commit, and every other publishing transaction waits for it:
/// a transaction that does more work after deciding on its events (an
/// event consumer applying a batch of up to 32) holds the row only for
/// the commit this way. The events are lost with the transaction if it
/// rolls back or is dropped, as published ones would be.
pub fn publish_at_commit(tx: &mut Tx, events: Vec<NewEvent>) {
    tx.hold_for_commit(events);
}

/// Publishes `events` in the transaction `tx`; returns their sequences.
pub async fn publish(tx: &mut Tx, events: &[NewEvent]) -> Result<Vec<u64>, sqlx::Error> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let count = i64::try_from(events.len()).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    if events.len() <= INSERT_ROWS && tx.backend_name() == "PostgreSQL" {
        return publish_in_one_statement(tx, events, count).await;
    }
    let last: i64 = sqlx::query(
        "UPDATE outbox_sequence SET last_value = last_value + $1 WHERE id = 1 RETURNING last_value",
    )
    .bind(count)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let occurred_at = Timestamp::now().to_string();
    let first = last - count + 1;
    // One INSERT per chunk of rows rather than per event: a remittance
    // publishes an event per claim payment.
    for (c, chunk) in events.chunks(INSERT_ROWS).enumerate() {
        let sql = format!(
            "INSERT INTO outbox_events (sequence, event_id, event_type, aggregate_id, occurred_at, payload) VALUES {}",
            value_rows(1, chunk.len(), 6)
        );
        let mut query = sqlx::query(&sql);
        for (i, event) in chunk.iter().enumerate() {
            query = query
                .bind(first + (c * INSERT_ROWS + i) as i64)
                .bind(EventId::new().into_string())
                .bind(&event.event_type)
                .bind(&event.aggregate_id)
                .bind(&occurred_at)
                .bind(&event.payload);
        }
        query.execute(&mut **tx).await?;
    }
    let sequences = (0..count).map(|i| (first + i) as u64).collect();
    tx.mark_published();
    Ok(sequences)
}

/// Publishes up to `INSERT_ROWS` events on PostgreSQL with one statement:
/// the sequence row's update and the insert together, so the row is held
/// for that statement and the commit only, one round trip fewer than an
/// UPDATE and an INSERT.
async fn publish_in_one_statement(
    tx: &mut Tx,
    events: &[NewEvent],
    count: i64,
) -> Result<Vec<u64>, sqlx::Error> {
    let sql = format!(
        "WITH taken AS (UPDATE outbox_sequence SET last_value = last_value + $1 WHERE id = 1 \
         RETURNING last_value) \
         INSERT INTO outbox_events (sequence, event_id, event_type, aggregate_id, occurred_at, \
         payload) SELECT taken.last_value - $1 + v.n, v.event_id, v.event_type, v.aggregate_id, \
         v.occurred_at, v.payload FROM taken, (VALUES {}) \
         AS v (n, event_id, event_type, aggregate_id, occurred_at, payload) \
         RETURNING sequence",
        value_rows(2, events.len(), 6)
    );
    let occurred_at = Timestamp::now().to_string();
    let mut query = sqlx::query(&sql).bind(count);
    for (i, event) in events.iter().enumerate() {
        query = query
            .bind(i as i64 + 1)
            .bind(EventId::new().into_string())
            .bind(&event.event_type)
            .bind(&event.aggregate_id)
            .bind(&occurred_at)
            .bind(&event.payload);
    }
    let mut sequences = query
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|row| row.try_get::<i64, _>(0).map(|s| s as u64))
        .collect::<Result<Vec<_>, _>>()?;
    // RETURNING's order is not promised; the events' is the sequences'.
    sequences.sort_unstable();
    if sequences.len() != events.len() {
        return Err(sqlx::Error::Protocol(format!(
            "outbox: {} events published as {} rows",
            events.len(),
            sequences.len()
        )));
    }
    tx.mark_published();
    Ok(sequences)
}

/// A page of the feed.
#[derive(Debug, Clone, Default)]
pub struct FeedPage {
    /// The events that passed the type filter, in sequence order.
    pub events: Vec<StoredEvent>,
    /// The highest sequence read, filtered out or not; the next page starts
    /// after it.
    pub read_up_to: u64,
}

/// Up to `limit` events after `after_sequence`, in sequence order, keeping
/// only the given types (all when empty).
pub async fn read_after(
    conn: &mut AnyConnection,
    after_sequence: u64,
    limit: u32,
    event_types: &[String],
) -> Result<FeedPage, sqlx::Error> {
    let after = i64::try_from(after_sequence).unwrap_or(i64::MAX);
    let rows = sqlx::query(
        "SELECT sequence, event_id, event_type, aggregate_id, occurred_at, payload \
         FROM outbox_events WHERE sequence > $1 ORDER BY sequence LIMIT $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    let mut page = FeedPage {
        events: Vec::with_capacity(rows.len()),
        read_up_to: after_sequence,
    };
    for row in rows {
        let sequence = row.try_get::<i64, _>(0)? as u64;
        page.read_up_to = sequence;
        let event_type: String = row.try_get(2)?;
        if !event_types.is_empty() && !event_types.contains(&event_type) {
            continue;
        }
        page.events.push(StoredEvent {
            sequence,
            event_id: row.try_get(1)?,
            event_type,
            aggregate_id: row.try_get(3)?,
            occurred_at: row.try_get(4)?,
            payload: row.try_get(5)?,
        });
    }
    Ok(page)
}

/// The highest sequence published so far (0 when none).
pub async fn last_sequence(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    let last: i64 = sqlx::query("SELECT last_value FROM outbox_sequence WHERE id = 1")
        .fetch_one(conn)
        .await?
        .try_get(0)?;
    Ok(last as u64)
}
