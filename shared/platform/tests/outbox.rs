//! The outbox proof (docs/ARCHITECTURE.md, "Events between services"), on SQLite
//! and PostgreSQL: 32 concurrent writers publish 500 events each while one
//! consumer follows the feed over gRPC; the consumer is stopped half-way and
//! restarted; every event is applied exactly once, sequences have no gaps, and
//! each writer's events arrive in the order they committed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use medbill_contracts::medbill::common::v1::Event;
use medbill_platform::auth::{Role, RolePolicy};
use medbill_platform::consumer::{Consumer, EventHandler, TokenSource};
use medbill_platform::db::{Database, Migrations, Tx};
use medbill_platform::outbox::{self, NewEvent};
use medbill_platform::server::{EVENT_FEED, ServiceBuilder};
use medbill_platform::testing::{RunningService, TestDatabase, bearer};
use medbill_platform::{ServiceError, backend_tests};
use sqlx::migrate::Migrator;
use sqlx::{Executor, Row};
use tokio::sync::watch;

static NO_MIGRATIONS: Migrator = Migrator::DEFAULT;
const PLATFORM_ONLY: Migrations = Migrations {
    sqlite: &NO_MIGRATIONS,
    postgres: &NO_MIGRATIONS,
};

const WRITERS: u64 = 32;
const PER_WRITER: u64 = 500;
const TOTAL: u64 = WRITERS * PER_WRITER;

/// Records each event's effect in a table whose primary key is the event id,
/// so a second application of one event would fail loudly.
struct RecordEffect {
    calls: Arc<AtomicU64>,
}

#[tonic::async_trait]
impl EventHandler for RecordEffect {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<(), ServiceError> {
        let writer = i64::from_le_bytes(event.payload[0..8].try_into().unwrap());
        let n = i64::from_le_bytes(event.payload[8..16].try_into().unwrap());
        sqlx::query("INSERT INTO effects (event_id, writer, n, sequence) VALUES ($1, $2, $3, $4)")
            .bind(&event.event_id)
            .bind(writer)
            .bind(n)
            .bind(event.sequence as i64)
            .execute(&mut **tx)
            .await?;
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

async fn consumer_database(test_db: &TestDatabase) -> Database {
    let db = test_db.connect(PLATFORM_ONLY).await;
    db.pool()
        .execute(
            "CREATE TABLE effects (event_id TEXT PRIMARY KEY, writer BIGINT NOT NULL, \
             n BIGINT NOT NULL, sequence BIGINT NOT NULL)",
        )
        .await
        .unwrap();
    db
}

async fn start_feed(db: Database) -> RunningService {
    RunningService::start(move |listener, settings, shutdown| {
        let policy = RolePolicy::new().allow(EVENT_FEED, &["Subscribe"], &[Role::Service]);
        ServiceBuilder::new("producer", policy, settings).serve(listener, db, shutdown)
    })
    .await
}

fn service_token() -> TokenSource {
    Arc::new(|| {
        Ok(bearer("consumer-test", &[Role::Service])
            .trim_start_matches("Bearer ")
            .to_string())
    })
}

async fn cursor_of(db: &Database) -> u64 {
    let row = sqlx::query("SELECT last_sequence FROM consumer_cursors WHERE consumer = 'effects'")
        .fetch_optional(db.pool())
        .await
        .unwrap();
    row.map(|r| r.get::<i64, _>(0) as u64).unwrap_or(0)
}

async fn wait_for_cursor(db: &Database, at_least: u64, limit: Duration) {
    let start = Instant::now();
    while cursor_of(db).await < at_least {
        assert!(
            start.elapsed() < limit,
            "consumer stuck at {} of {at_least}",
            cursor_of(db).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn write_events(db: Database) {
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let db = db.clone();
        writers.push(tokio::spawn(async move {
            for n in 0..PER_WRITER {
                let mut tx = db.begin().await.unwrap();
                let mut payload = (writer as i64).to_le_bytes().to_vec();
                payload.extend_from_slice(&(n as i64).to_le_bytes());
                let event = NewEvent {
                    event_type: "test.Written".into(),
                    aggregate_id: format!("writer-{writer}"),
                    payload,
                };
                outbox::publish(&mut tx, &[event]).await.unwrap();
                // Let other writers run between taking a sequence and committing,
                // the moment at which auto-increment ids go out of order.
                tokio::task::yield_now().await;
                tx.commit().await.unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
}

backend_tests!(
    every_event_of_32_concurrent_writers_is_applied_once_in_commit_order_across_a_restart,
    |test_db: TestDatabase| async move {
        let producer_db = test_db.connect(PLATFORM_ONLY).await;
        let consumer_test_db = match test_db.backend {
            medbill_platform::db::Backend::Sqlite => TestDatabase::sqlite(),
            medbill_platform::db::Backend::Postgres => TestDatabase::postgres().await.unwrap(),
        };
        let consumer_db = consumer_database(&consumer_test_db).await;
        let feed = start_feed(producer_db.clone()).await;
        let calls = Arc::new(AtomicU64::new(0));

        // First consumer follows the feed live while the writers write.
        let (stop_first, stop_rx) = watch::channel(false);
        let first = Consumer::new(
            "effects",
            consumer_db.clone(),
            RecordEffect {
                calls: calls.clone(),
            },
        );
        let first_task = tokio::spawn(first.run(feed.endpoint(), service_token(), stop_rx));
        let writers = tokio::spawn(write_events(producer_db.clone()));

        // Stop it half-way, as a crash or deploy would.
        wait_for_cursor(&consumer_db, TOTAL / 2, Duration::from_secs(300)).await;
        stop_first.send(true).unwrap();
        first_task.await.unwrap();
        let stopped_at = cursor_of(&consumer_db).await;
        assert!(stopped_at >= TOTAL / 2, "stopped at {stopped_at}");

        writers.await.unwrap();
        assert_eq!(
            outbox::last_sequence(&mut producer_db.pool().acquire().await.unwrap())
                .await
                .unwrap(),
            TOTAL
        );

        // A new consumer with the same name resumes from the stored cursor.
        let (stop_second, stop_rx) = watch::channel(false);
        let second = Consumer::new(
            "effects",
            consumer_db.clone(),
            RecordEffect {
                calls: calls.clone(),
            },
        );
        let second_task = tokio::spawn(second.run(feed.endpoint(), service_token(), stop_rx));
        wait_for_cursor(&consumer_db, TOTAL, Duration::from_secs(300)).await;
        stop_second.send(true).unwrap();
        second_task.await.unwrap();

        // Exactly once: one handler call and one effect row per event.
        assert_eq!(calls.load(Ordering::SeqCst), TOTAL);
        let rows = sqlx::query("SELECT writer, n, sequence FROM effects ORDER BY sequence")
            .fetch_all(consumer_db.pool())
            .await
            .unwrap();
        assert_eq!(rows.len() as u64, TOTAL);
        // No gaps: sequences are exactly 1..=TOTAL.
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.get::<i64, _>(2) as u64, i as u64 + 1);
        }
        // Commit order: each writer committed n before n + 1, so its events
        // must carry increasing sequences 0, 1, 2, ... in feed order.
        let mut next: HashMap<i64, i64> = HashMap::new();
        for row in &rows {
            let writer: i64 = row.get(0);
            let n: i64 = row.get(1);
            let expected = next.entry(writer).or_insert(0);
            assert_eq!(n, *expected, "writer {writer} out of commit order");
            *expected += 1;
        }
        assert_eq!(next.len() as u64, WRITERS);
        feed.stop().await;
    }
);

backend_tests!(
    a_redelivered_batch_is_skipped_and_a_failed_batch_leaves_nothing_behind,
    |test_db: TestDatabase| async move {
        let db = consumer_database(&test_db).await;
        let calls = Arc::new(AtomicU64::new(0));
        let consumer = Consumer::new(
            "effects",
            db.clone(),
            RecordEffect {
                calls: calls.clone(),
            },
        );
        let event = |sequence: u64, n: i64| Event {
            sequence,
            event_id: format!("00000000-0000-7000-8000-{sequence:012}"),
            event_type: "test.Written".into(),
            aggregate_id: "w".into(),
            occurred_at: None,
            payload: [0i64.to_le_bytes(), n.to_le_bytes()].concat(),
        };
        let batch = vec![event(1, 0), event(2, 1)];
        let first = consumer.apply_batch(&batch).await.unwrap();
        assert_eq!((first.applied, first.duplicates, first.cursor), (2, 0, 2));
        let again = consumer.apply_batch(&batch).await.unwrap();
        assert_eq!((again.applied, again.duplicates, again.cursor), (0, 2, 2));

        // A batch whose second effect fails (an effect row with its event id
        // exists already) rolls back whole: the first event's effect, its id
        // and the cursor all stay as they were.
        let clash = event(4, 3);
        sqlx::query("INSERT INTO effects (event_id, writer, n, sequence) VALUES ($1, 9, 9, 0)")
            .bind(&clash.event_id)
            .execute(db.pool())
            .await
            .unwrap();
        let result = consumer.apply_batch(&[event(3, 2), clash]).await;
        assert!(result.is_err());
        assert_eq!(consumer.cursor().await.unwrap(), 2);
        let applied: i64 = sqlx::query("SELECT COUNT(*) FROM consumed_events")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
        assert_eq!(applied, 2);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "two applied, one rolled back"
        );
    }
);

/// Applies `test.Written` only; counts its batches' `begin`s.
struct WrittenOnly {
    effect: RecordEffect,
    begins: Arc<AtomicU64>,
}

#[tonic::async_trait]
impl EventHandler for WrittenOnly {
    fn event_types(&self) -> Vec<String> {
        vec!["test.Written".into()]
    }

    async fn begin(&self, _tx: &mut Tx) -> Result<(), ServiceError> {
        self.begins.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<(), ServiceError> {
        self.effect.apply(tx, event).await
    }
}

backend_tests!(
    a_handler_applies_its_types_once_per_id_and_passes_over_the_rest,
    |test_db: TestDatabase| async move {
        let db = consumer_database(&test_db).await;
        let calls = Arc::new(AtomicU64::new(0));
        let begins = Arc::new(AtomicU64::new(0));
        let consumer = Consumer::new(
            "written-only",
            db.clone(),
            WrittenOnly {
                effect: RecordEffect {
                    calls: calls.clone(),
                },
                begins: begins.clone(),
            },
        );
        let event = |sequence: u64, id: u64, event_type: &str| Event {
            sequence,
            event_id: format!("00000000-0000-7000-8000-{id:012}"),
            event_type: event_type.into(),
            aggregate_id: "w".into(),
            occurred_at: None,
            payload: [0i64.to_le_bytes(), (id as i64).to_le_bytes()].concat(),
        };
        // The same event twice in one batch, and one of another type.
        let batch = vec![
            event(1, 1, "test.Written"),
            event(2, 2, "test.Other"),
            event(3, 3, "test.Written"),
            event(3, 3, "test.Written"),
        ];
        let first = consumer.apply_batch(&batch).await.unwrap();
        assert_eq!(
            (
                first.applied,
                first.duplicates,
                first.passed_over,
                first.cursor
            ),
            (2, 1, 1, 3)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(begins.load(Ordering::SeqCst), 1, "begin once per batch");
        let recorded: Vec<String> =
            sqlx::query_scalar("SELECT event_id FROM consumed_events ORDER BY event_id")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert_eq!(
            recorded,
            vec![
                "00000000-0000-7000-8000-000000000001".to_string(),
                "00000000-0000-7000-8000-000000000003".to_string(),
            ],
            "only the applied type's ids are recorded"
        );
        // Delivered again: nothing applied, no batch begun.
        let again = consumer.apply_batch(&batch).await.unwrap();
        assert_eq!((again.applied, again.duplicates), (0, 3));
        assert_eq!(begins.load(Ordering::SeqCst), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
);

backend_tests!(
    many_events_of_one_transaction_get_consecutive_sequences_in_their_order,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(PLATFORM_ONLY).await;
        let event = |n: u64| NewEvent {
            event_type: "test.Written".into(),
            aggregate_id: format!("a-{n}"),
            payload: n.to_le_bytes().to_vec(),
        };
        let mut tx = db.begin().await.unwrap();
        assert_eq!(outbox::publish(&mut tx, &[event(0)]).await.unwrap(), [1]);
        tx.commit().await.unwrap();
        // More than two INSERTs' worth in one call.
        let many: Vec<NewEvent> = (1..=450).map(event).collect();
        let mut tx = db.begin().await.unwrap();
        let sequences = outbox::publish(&mut tx, &many).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(sequences, (2..=451).collect::<Vec<u64>>());
        let mut conn = db.pool().acquire().await.unwrap();
        let page = outbox::read_after(&mut conn, 0, 1000, &[]).await.unwrap();
        assert_eq!(page.events.len(), 451);
        for (i, e) in page.events.iter().enumerate() {
            assert_eq!(e.sequence, i as u64 + 1);
            assert_eq!(e.payload, (i as u64).to_le_bytes());
            assert_eq!(e.aggregate_id, format!("a-{i}"));
        }
        let ids: std::collections::HashSet<&str> =
            page.events.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids.len(), 451);
    }
);

backend_tests!(
    events_held_for_the_commit_are_published_with_it_and_lost_with_a_rollback,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(PLATFORM_ONLY).await;
        let event = |n: u64| NewEvent {
            event_type: "test.Held".into(),
            aggregate_id: format!("h-{n}"),
            payload: n.to_le_bytes().to_vec(),
        };
        let published = |db: Database| async move {
            let mut conn = db.pool().acquire().await.unwrap();
            outbox::read_after(&mut conn, 0, 100, &[])
                .await
                .unwrap()
                .events
        };
        // Held, then the transaction goes on; nothing is in the outbox
        // until the commit.
        let mut tx = db.begin().await.unwrap();
        outbox::publish_at_commit(&mut tx, vec![event(1), event(2)]);
        assert_eq!(outbox::publish(&mut tx, &[event(0)]).await.unwrap(), [1]);
        assert_eq!(outbox::last_sequence(&mut tx).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let events = published(db.clone()).await;
        let order: Vec<(u64, &str)> = events
            .iter()
            .map(|e| (e.sequence, e.aggregate_id.as_str()))
            .collect();
        assert_eq!(order, [(1, "h-0"), (2, "h-1"), (3, "h-2")]);

        // A transaction dropped without its commit publishes nothing.
        let mut tx = db.begin().await.unwrap();
        outbox::publish_at_commit(&mut tx, vec![event(9)]);
        drop(tx);
        assert_eq!(published(db.clone()).await.len(), 3);
    }
);

/// Applies in lanes by aggregate; records the order it applied events in
/// (in `effects.sequence`) and counts its lanes' `begin`s.
struct ByAggregate {
    order: Arc<AtomicU64>,
    begins: Arc<AtomicU64>,
}

#[tonic::async_trait]
impl EventHandler for ByAggregate {
    fn lane(&self, event: &Event) -> Option<String> {
        Some(event.aggregate_id.clone())
    }

    async fn begin(&self, _tx: &mut Tx) -> Result<(), ServiceError> {
        self.begins.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<(), ServiceError> {
        let writer = i64::from_le_bytes(event.payload[0..8].try_into().unwrap());
        let n = i64::from_le_bytes(event.payload[8..16].try_into().unwrap());
        let order = self.order.fetch_add(1, Ordering::SeqCst) as i64;
        sqlx::query("INSERT INTO effects (event_id, writer, n, sequence) VALUES ($1, $2, $3, $4)")
            .bind(&event.event_id)
            .bind(writer)
            .bind(n)
            .bind(order)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

backend_tests!(
    lanes_apply_each_event_once_in_its_aggregates_order,
    |test_db: TestDatabase| async move {
        let db = consumer_database(&test_db).await;
        let postgres = db.backend() == medbill_platform::db::Backend::Postgres;
        let order = Arc::new(AtomicU64::new(0));
        let begins = Arc::new(AtomicU64::new(0));
        let consumer = Consumer::new(
            "effects",
            db.clone(),
            ByAggregate {
                order: order.clone(),
                begins: begins.clone(),
            },
        );
        // Six aggregates, three events each, interleaved in the feed.
        let event = |sequence: u64| {
            let writer = (sequence - 1) % 6;
            let n = (sequence - 1) / 6;
            Event {
                sequence,
                event_id: format!("00000000-0000-7000-8000-{sequence:012}"),
                event_type: "test.Written".into(),
                aggregate_id: format!("w{writer}"),
                occurred_at: None,
                payload: [(writer as i64).to_le_bytes(), (n as i64).to_le_bytes()].concat(),
            }
        };
        let mut batch: Vec<Event> = (1..=18).map(event).collect();
        batch.push(event(7));
        let first = consumer.apply_batch(&batch).await.unwrap();
        assert_eq!((first.applied, first.duplicates, first.cursor), (18, 1, 18));
        // Six keys over four lanes on PostgreSQL; one lane on SQLite.
        let lanes = if postgres { 4 } else { 1 };
        assert_eq!(begins.load(Ordering::SeqCst), lanes);
        let rows = sqlx::query("SELECT writer, n FROM effects ORDER BY sequence")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(rows.len(), 18);
        let mut next: HashMap<i64, i64> = HashMap::new();
        for row in &rows {
            let (writer, n): (i64, i64) = (row.get(0), row.get(1));
            let expected = next.entry(writer).or_insert(0);
            assert_eq!(n, *expected, "aggregate w{writer} applied out of order");
            *expected += 1;
        }
        assert_eq!(next.len(), 6);
        let again = consumer.apply_batch(&batch).await.unwrap();
        assert_eq!((again.applied, again.duplicates), (0, 19));

        // A lane that fails leaves the cursor where it was; on PostgreSQL
        // the other lanes have committed and are skipped when the batch is
        // delivered again, which then applies the failed lane only.
        let batch: Vec<Event> = (19..=30).map(event).collect();
        let clash = &batch[2];
        sqlx::query("INSERT INTO effects (event_id, writer, n, sequence) VALUES ($1, 9, 9, -1)")
            .bind(&clash.event_id)
            .execute(db.pool())
            .await
            .unwrap();
        assert!(consumer.apply_batch(&batch).await.is_err());
        assert_eq!(consumer.cursor().await.unwrap(), 18);
        let recorded: i64 = sqlx::query("SELECT COUNT(*) FROM consumed_events")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
        // The failing lane holds w2's events, 21 and 27; the other ten committed.
        assert_eq!(recorded, if postgres { 18 + 10 } else { 18 });
        sqlx::query("DELETE FROM effects WHERE sequence = -1")
            .execute(db.pool())
            .await
            .unwrap();
        let retried = consumer.apply_batch(&batch).await.unwrap();
        let failed_lane = if postgres { 2 } else { 12 };
        assert_eq!(
            (retried.applied, retried.duplicates, retried.cursor),
            (failed_lane, 12 - failed_lane, 30)
        );
        let effects: i64 = sqlx::query("SELECT COUNT(*) FROM effects")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
        assert_eq!(effects, 30);
    }
);

backend_tests!(
    a_guarded_change_writes_and_publishes_only_when_its_guard_changes_a_row,
    |test_db: TestDatabase| async move {
        use medbill_platform::writes::Writes;
        let db = consumer_database(&test_db).await;
        db.pool()
            .execute(
                "CREATE TABLE gate (id BIGINT PRIMARY KEY, version BIGINT NOT NULL); \
                 INSERT INTO gate (id, version) VALUES (1, 1)",
            )
            .await
            .unwrap();
        let change = |event_id: &str, n: i64, version: i64| {
            let mut w = Writes::new();
            w.push(
                "INSERT INTO effects (event_id, writer, n, sequence) VALUES (?, ?, ?, ?)",
                vec![event_id.into(), 1.into(), n.into(), 0.into()],
            );
            let mut guard = Writes::new();
            guard.push(
                "UPDATE gate SET version = version + 1 WHERE id = 1 AND version = ?",
                vec![version.into()],
            );
            (w, guard)
        };
        let event = |n: u64| NewEvent {
            event_type: "test.Written".into(),
            aggregate_id: "gate".into(),
            payload: n.to_le_bytes().to_vec(),
        };
        let count = |sql: &'static str| {
            let db = db.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(db.pool())
                    .await
                    .unwrap()
            }
        };

        let (w, guard) = change("a", 1, 1);
        let published = w
            .commit_publishing(&db, guard, &[event(1), event(2)])
            .await
            .unwrap();
        assert_eq!(published, Some(vec![1, 2]));
        // The guard's version is gone: nothing is written or published.
        let (w, guard) = change("b", 2, 1);
        let stale = w.commit_publishing(&db, guard, &[event(3)]).await.unwrap();
        assert_eq!(stale, None);
        assert_eq!(count("SELECT COUNT(*) FROM effects").await, 1);
        assert_eq!(count("SELECT COUNT(*) FROM outbox_events").await, 2);
        assert_eq!(
            count("SELECT last_value FROM outbox_sequence").await,
            2,
            "no sequence taken for a change that did not happen"
        );
        // At the current version, without events.
        let (w, guard) = change("c", 3, 2);
        assert_eq!(
            w.commit_publishing(&db, guard, &[]).await.unwrap(),
            Some(vec![])
        );
        assert_eq!(count("SELECT COUNT(*) FROM effects").await, 2);
        assert_eq!(count("SELECT version FROM gate").await, 3);
        let payloads: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT payload FROM outbox_events ORDER BY sequence")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert_eq!(
            payloads,
            vec![1u64.to_le_bytes().to_vec(), 2u64.to_le_bytes().to_vec()]
        );
    }
);
