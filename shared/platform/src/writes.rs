//! Several writes of one change sent as one statement where the database
//! allows it. On PostgreSQL the statements become data-modifying CTEs of a
//! single statement (one round trip, one plan; they see the same snapshot,
//! and foreign keys between them are checked when the statement ends); on
//! SQLite, which runs in-process and has no such CTEs, they run one by one.
//! Either way they are in the caller's transaction.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

use crate::ServiceError;
use crate::db::{Backend, Database};
use crate::outbox::{self, NewEvent};

/// One value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Value {
    /// A text column.
    Text(String),
    /// An integer column.
    Int(i64),
    /// A text column that may be NULL.
    MaybeText(Option<String>),
    /// An integer column that may be NULL.
    MaybeInt(Option<i64>),
    /// A binary column.
    Bytes(Vec<u8>),
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::MaybeText(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::MaybeInt(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

/// Statements written with `?` for each placeholder (no statement holds a
/// `?` of its own), with their values in order.
#[derive(Debug, Default)]
pub struct Writes {
    statements: Vec<(String, Vec<Value>)>,
}

impl Writes {
    /// No statements yet.
    pub fn new() -> Self {
        Writes::default()
    }

    /// Adds `sql` with `values` for its placeholders, in order.
    pub fn push(&mut self, sql: impl Into<String>, values: Vec<Value>) {
        let sql = sql.into();
        debug_assert_eq!(sql.matches('?').count(), values.len(), "{sql}");
        self.statements.push((sql, values));
    }

    /// Adds `INSERT INTO {table} ({columns}) VALUES (...), (...)` with one
    /// row per item of `rows`; nothing when there are no rows.
    pub fn insert_rows(&mut self, table: &str, columns: &str, rows: Vec<Vec<Value>>) {
        let Some(width) = rows.first().map(Vec::len) else {
            return;
        };
        let tuple = format!("({})", vec!["?"; width].join(", "));
        let sql = format!(
            "INSERT INTO {table} ({columns}) VALUES {}",
            vec![tuple.as_str(); rows.len()].join(", ")
        );
        self.push(sql, rows.into_iter().flatten().collect());
    }

    /// The statements as they are sent: one on PostgreSQL, one each
    /// elsewhere, with `$n` placeholders.
    fn compose(self, postgres: bool) -> Vec<(String, Vec<Value>)> {
        if postgres && self.statements.len() > 1 {
            let mut values = Vec::new();
            let mut parts = Vec::new();
            for (sql, v) in self.statements {
                parts.push(sql);
                values.extend(v);
            }
            let last = parts.pop().unwrap_or_default();
            let ctes: Vec<String> = parts
                .iter()
                .enumerate()
                .map(|(i, sql)| format!("w{i} AS ({sql})"))
                .collect();
            let sql = format!("WITH {} {last}", ctes.join(", "));
            vec![(numbered(&sql), values)]
        } else {
            self.statements
                .into_iter()
                .map(|(sql, v)| (numbered(&sql), v))
                .collect()
        }
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Runs the statements on `conn` (in the caller's transaction); returns
    /// the rows the last one changed.
    pub async fn run(self, conn: &mut AnyConnection) -> Result<u64, ServiceError> {
        let postgres = Backend::of_connection(conn) == Backend::Postgres;
        let mut changed = 0;
        for (sql, values) in self.compose(postgres) {
            changed = bound(&sql, values)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        }
        Ok(changed)
    }

    /// Runs the statements as a transaction of their own: on PostgreSQL the
    /// one statement they make, which commits alone (no BEGIN and COMMIT
    /// round trips); elsewhere in a transaction of `db`. Returns the rows
    /// the last statement changed.
    pub async fn commit(self, db: &Database) -> Result<u64, ServiceError> {
        match db.backend() {
            Backend::Postgres => {
                let mut conn = db.pool().acquire().await?;
                let statements = self.compose(true);
                if let [(sql, values)] = statements.as_slice() {
                    return Ok(bound(sql, values.clone())
                        .execute(&mut *conn)
                        .await?
                        .rows_affected());
                }
                let mut tx = db.begin().await?;
                let mut changed = 0;
                for (sql, values) in statements {
                    changed = bound(&sql, values).execute(&mut *tx).await?.rows_affected();
                }
                tx.commit().await?;
                Ok(changed)
            }
            Backend::Sqlite => {
                let mut tx = db.begin().await?;
                let changed = self.run(&mut tx).await?;
                tx.commit().await?;
                Ok(changed)
            }
        }
    }
}

/// Most events [`Writes::commit_publishing`] publishes within its one
/// statement on PostgreSQL (more go through a transaction).
const PUBLISH_IN_STATEMENT: usize = 32;

impl Writes {
    /// Commits a change that happens only if `guard` (one UPDATE, without
    /// RETURNING: a row's state as it was read, say) changes a row: then
    /// the statements (each an `INSERT … VALUES`) run and `events` are
    /// published, and their sequences are answered; else nothing is written
    /// and the answer is `None`.
    ///
    /// On PostgreSQL it is one statement that commits alone: the guard, the
    /// inserts made conditional on it and the outbox's sequence row and
    /// events, so the sequence row (which every publishing transaction
    /// waits for) is held while the server finishes that statement and
    /// commits, never across a round trip to this process. Elsewhere (and
    /// for many events) it is a transaction of `db`.
    pub async fn commit_publishing(
        self,
        db: &Database,
        guard: Writes,
        events: &[NewEvent],
    ) -> Result<Option<Vec<u64>>, ServiceError> {
        let [(guard_sql, guard_values)] = guard.statements.as_slice() else {
            return Err(ServiceError::Internal("a guard is one statement".into()));
        };
        if db.backend() == Backend::Postgres && events.len() <= PUBLISH_IN_STATEMENT {
            let (sql, values) = self.compose_guarded(guard_sql, guard_values.clone(), events)?;
            let mut conn = db.pool().acquire().await?;
            let rows = bound(&sql, values).fetch_all(&mut *conn).await?;
            let mut sequences = rows
                .iter()
                .map(|row| sqlx::Row::try_get::<i64, _>(row, 0).map(|s| s as u64))
                .collect::<Result<Vec<_>, _>>()?;
            if events.is_empty() {
                return Ok((sequences.first() == Some(&1)).then(Vec::new));
            }
            if sequences.is_empty() {
                return Ok(None);
            }
            sequences.sort_unstable();
            db.published().notify_waiters();
            return Ok(Some(sequences));
        }
        let mut tx = db.begin().await?;
        let changed = bound(&numbered(guard_sql), guard_values.clone())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        self.run(&mut tx).await?;
        let sequences = outbox::publish(&mut tx, events).await?;
        tx.commit().await?;
        Ok(Some(sequences))
    }

    /// The one PostgreSQL statement of [`Writes::commit_publishing`]: the
    /// guard as `g`, each insert reading its rows only when `g` changed
    /// one, the outbox's row taken likewise; the main query answers the
    /// events' sequences (or, without events, how many rows `g` changed).
    fn compose_guarded(
        self,
        guard_sql: &str,
        guard_values: Vec<Value>,
        events: &[NewEvent],
    ) -> Result<(String, Vec<Value>), ServiceError> {
        let mut values = guard_values;
        let mut ctes = vec![format!("g AS ({guard_sql} RETURNING 1)")];
        for (i, (sql, v)) in self.statements.into_iter().enumerate() {
            let conditional = sql
                .strip_prefix("INSERT INTO ")
                .and_then(|rest| rest.split_once(" VALUES "))
                .filter(|(_, rows)| !rows.contains(" ON CONFLICT") && !rows.contains("RETURNING"))
                .map(|(head, rows)| {
                    format!(
                        "INSERT INTO {head} SELECT * FROM (VALUES {rows}) AS v \
                         WHERE EXISTS (SELECT 1 FROM g)"
                    )
                })
                .ok_or_else(|| {
                    ServiceError::Internal(format!(
                        "a guarded write must be a plain INSERT … VALUES: {sql}"
                    ))
                })?;
            ctes.push(format!("w{i} AS ({conditional})"));
            values.extend(v);
        }
        let main = if events.is_empty() {
            "SELECT COUNT(*) FROM g".to_string()
        } else {
            let count = events.len() as i64;
            ctes.push(
                "taken AS (UPDATE outbox_sequence SET last_value = last_value + ? \
                 WHERE id = 1 AND EXISTS (SELECT 1 FROM g) RETURNING last_value)"
                    .to_string(),
            );
            // The count again, for `taken.last_value - ?` ahead of the rows.
            values.push(count.into());
            values.push(count.into());
            let occurred_at = medbill_kernel::Timestamp::now().to_string();
            let mut rows = Vec::with_capacity(events.len());
            for (i, event) in events.iter().enumerate() {
                rows.push("(CAST(? AS BIGINT), ?, ?, ?, ?, ?)");
                values.extend([
                    Value::Int(i as i64 + 1),
                    Value::Text(medbill_kernel::ids::EventId::new().into_string()),
                    Value::Text(event.event_type.clone()),
                    Value::Text(event.aggregate_id.clone()),
                    Value::Text(occurred_at.clone()),
                    Value::Bytes(event.payload.clone()),
                ]);
            }
            format!(
                "INSERT INTO outbox_events (sequence, event_id, event_type, aggregate_id, \
                 occurred_at, payload) SELECT taken.last_value - ? + v.n, v.event_id, \
                 v.event_type, v.aggregate_id, v.occurred_at, v.payload FROM taken, (VALUES {}) \
                 AS v (n, event_id, event_type, aggregate_id, occurred_at, payload) \
                 RETURNING sequence",
                rows.join(", ")
            )
        };
        let sql = format!("WITH {} {main}", ctes.join(", "));
        debug_assert_eq!(sql.matches('?').count(), values.len(), "{sql}");
        Ok((numbered(&sql), values))
    }
}

/// `sql` with `values` bound in order.
fn bound(sql: &str, values: Vec<Value>) -> Query<'_, Any, AnyArguments<'_>> {
    values.into_iter().fold(sqlx::query(sql), bind)
}

/// `q` with `value` bound to its next placeholder.
pub fn bind<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    value: Value,
) -> Query<'q, Any, AnyArguments<'q>> {
    match value {
        Value::Text(t) => q.bind(t),
        Value::Int(i) => q.bind(i),
        Value::MaybeText(t) => q.bind(t),
        Value::MaybeInt(i) => q.bind(i),
        Value::Bytes(b) => q.bind(b),
    }
}

/// `sql` with its `?` placeholders numbered `$1`, `$2`, ...
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Writes {
        let mut w = Writes::new();
        w.push(
            "INSERT INTO a (x, y) VALUES (?, ?)",
            vec![1.into(), "t".into()],
        );
        w.insert_rows(
            "b",
            "p, q",
            vec![vec![2.into(), "u".into()], vec![3.into(), "v".into()]],
        );
        w.push("UPDATE c SET z = ? WHERE k = ?", vec!["w".into(), 4.into()]);
        w
    }

    #[test]
    fn on_postgres_the_writes_are_one_statement_numbered_in_order() {
        let out = sample().compose(true);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].0,
            "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1, $2)), \
             w1 AS (INSERT INTO b (p, q) VALUES ($3, $4), ($5, $6)) \
             UPDATE c SET z = $7 WHERE k = $8"
        );
        assert_eq!(out[0].1.len(), 8);
    }

    #[test]
    fn elsewhere_each_write_is_its_own_statement_numbered_from_one() {
        let out = sample().compose(false);
        let sql: Vec<&str> = out.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            sql,
            [
                "INSERT INTO a (x, y) VALUES ($1, $2)",
                "INSERT INTO b (p, q) VALUES ($1, $2), ($3, $4)",
                "UPDATE c SET z = $1 WHERE k = $2",
            ]
        );
    }

    #[test]
    fn no_rows_add_no_statement() {
        let mut w = Writes::new();
        w.insert_rows("b", "p", Vec::new());
        assert!(w.compose(true).is_empty());
    }
}
