//! The service database: SQLite (a file per service, the default) or
//! PostgreSQL, chosen by URL, behind one sqlx `AnyPool` with portable SQL.
//!
//! One access style for every service: bound parameters written `$1, $2, …` (both
//! backends accept them), ids and timestamps as TEXT, money as BIGINT cents,
//! every integer column BIGINT on PostgreSQL (the Any driver decodes `i64`
//! from it), sums cast back to BIGINT. Store functions take a
//! `&mut AnyConnection`; the service layer begins and commits with
//! [`Database::begin`].
//!
//! Write transactions on SQLite start with `BEGIN IMMEDIATE` and pass an
//! in-process write gate, so concurrent writers queue in order instead of
//! failing with `SQLITE_BUSY` on a lock upgrade.

use std::borrow::Cow;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, Migrator};
use sqlx::{Any, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

/// The platform's own tables (outbox, consumer cursors, audit log), merged in
/// front of every service's migrations.
static PLATFORM_SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static PLATFORM_POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// A service's embedded migrations, one directory per backend.
#[derive(Clone, Copy)]
pub struct Migrations {
    /// `sqlx::migrate!("migrations/sqlite")` of the service.
    pub sqlite: &'static Migrator,
    /// `sqlx::migrate!("migrations/postgres")` of the service.
    pub postgres: &'static Migrator,
}

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The backend of a database URL, if medbill supports it.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    /// The backend `conn` is connected to.
    pub fn of_connection(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// What a SELECT ends with to hold its rows until the transaction ends:
    /// ` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose write
    /// transaction holds the whole database already.
    pub fn row_lock(self) -> &'static str {
        match self {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }
}

/// Why the database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no supported backend.
    #[error("database URL must start with sqlite: or postgres:// (got a URL of another kind)")]
    UnsupportedUrl,
    /// Connecting failed.
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A pool of connections to one service's database.
#[derive(Clone)]
pub struct Database {
    pool: AnyPool,
    backend: Backend,
    /// Serialises write transactions on SQLite (one writer at a time).
    write_gate: Option<Arc<Mutex<()>>>,
    /// Woken after a commit that published events, so feeds need not poll.
    published: Arc<Notify>,
}

impl Database {
    /// Opens the database at `url` (creating a SQLite file if missing) and
    /// runs the platform's and the service's migrations.
    pub async fn connect(url: &str, migrations: Migrations) -> Result<Database, DbError> {
        let db = Database::connect_without_migrating(url).await?;
        db.migrate(migrations).await?;
        Ok(db)
    }

    /// Opens the database at `url` without touching its schema.
    pub async fn connect_without_migrating(url: &str) -> Result<Database, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or(DbError::UnsupportedUrl)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                Cow::Owned(format!("{url}{sep}mode=rwc"))
            }
            _ => Cow::Borrowed(url),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(DbError::Connect)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer;
                        // NORMAL sync is durable across process crashes.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(DbError::Connect)?;
        Ok(Database {
            pool,
            backend,
            write_gate: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            published: Arc::new(Notify::new()),
        })
    }

    /// Runs the platform's migrations and then the service's, as one ordered
    /// list (platform versions are below 100).
    pub async fn migrate(&self, migrations: Migrations) -> Result<(), DbError> {
        let (platform, service) = match self.backend {
            Backend::Sqlite => (&PLATFORM_SQLITE, migrations.sqlite),
            Backend::Postgres => (&PLATFORM_POSTGRES, migrations.postgres),
        };
        let mut all: Vec<Migration> = platform.iter().cloned().collect();
        all.extend(service.iter().cloned());
        all.sort_by_key(|m| m.version);
        let migrator = Migrator {
            migrations: Cow::Owned(all),
            ..Migrator::DEFAULT
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// The pool, for reads outside a transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let gate = match &self.write_gate {
            Some(gate) => Some(gate.clone().lock_owned().await),
            None => None,
        };
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            inner,
            _gate: gate,
            published_events: false,
            published: self.published.clone(),
            at_commit: Vec::new(),
        })
    }

    /// Notified after every commit that published events.
    pub fn published(&self) -> Arc<Notify> {
        self.published.clone()
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A write transaction. Rolls back when dropped without [`Tx::commit`].
pub struct Tx {
    inner: Transaction<'static, Any>,
    _gate: Option<OwnedMutexGuard<()>>,
    published_events: bool,
    published: Arc<Notify>,
    at_commit: Vec<crate::outbox::NewEvent>,
}

impl Tx {
    /// Publishes the events held for the commit (see
    /// [`crate::outbox::publish_at_commit`]), commits, then wakes the event
    /// feed if the transaction published events.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let held = std::mem::take(&mut self.at_commit);
        crate::outbox::publish(&mut self, &held).await?;
        self.inner.commit().await?;
        if self.published_events {
            self.published.notify_waiters();
        }
        Ok(())
    }

    /// Rolls back explicitly.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }

    /// Marks that the transaction wrote outbox events (set by the outbox).
    pub(crate) fn mark_published(&mut self) {
        self.published_events = true;
    }

    /// Holds `events` to be published as the commit's first step.
    pub(crate) fn hold_for_commit(&mut self, events: Vec<crate::outbox::NewEvent>) {
        self.at_commit.extend(events);
    }
}

impl Deref for Tx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

/// `$first, $first+1, …`: `n` numbered placeholders, for an `IN (…)` list.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($first, …), (…)`: `rows` groups of `width` numbered placeholders, for
/// a multi-row `VALUES`.
pub fn value_rows(first: usize, rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(first + r * width, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_from_first() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
        assert_eq!(placeholders(1, 0), "");
        assert_eq!(value_rows(1, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(value_rows(2, 2, 2), "($2, $3), ($4, $5)");
        assert_eq!(value_rows(1, 0, 4), "");
    }

    #[test]
    fn backend_is_chosen_by_url_scheme() {
        assert_eq!(Backend::of_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://postgres@127.0.0.1/x"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://x"), None);
    }

    #[test]
    fn only_postgresql_selects_take_row_locks() {
        assert_eq!(Backend::Postgres.row_lock(), " FOR UPDATE");
        assert_eq!(Backend::Sqlite.row_lock(), "");
    }
}
