//! The coding service's one code-set index ([`CodeSetIndex`]), shared by
//! `GetCode`, `SearchCodes` and `SuggestCodes`, and kept equal to the
//! loaded releases.
//!
//! - **Built at start** ([`IndexCache::open`], called by `serve` before it
//!   accepts calls), so no call pays for it.
//! - **Swapped, not locked**: a call clones an `Arc` under a read lock held
//!   for a few nanoseconds; a rebuild happens beside the current index,
//!   which keeps answering, and then replaces it.
//! - **Loads in this process**: each committed release bumps a process-wide
//!   count ([`release_committed`], called by every importer) and wakes the
//!   [`IndexCache::keep_fresh`] task, which rebuilds at once. A call that
//!   sees a count its index has not caught up with waits for that refresh,
//!   so a load that has returned is visible to the very next call, as it
//!   was with a query per call.
//! - **Loads by another process** sharing the database: `keep_fresh` reads
//!   the [`ReleasesVersion`] (one aggregate over the release catalogue)
//!   every [`CHECK_EVERY`]; a `GetCode` that finds nothing or a
//!   `SearchCodes` without results re-reads it at once (at most every
//!   [`MISS_RECHECK_AFTER`]) before answering.
//! - Only a changed version rebuilds; a release of any kind changes it (the
//!   coding edits read the NCCI and MUE catalogue entries from the index).
//!   The CPU part of a rebuild runs on a blocking thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use medbill_platform::ServiceError;
use medbill_platform::db::Database;
use tokio::sync::{Mutex, Notify, watch};

use super::index::{CodeSetIndex, ReleasesVersion, Tables, releases_version};

/// How often the releases version is read for loads by other processes.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// How long after a version check a lookup that found nothing checks again.
pub const MISS_RECHECK_AFTER: Duration = Duration::from_millis(250);

/// Releases committed by this process so far.
static LOADS: AtomicU64 = AtomicU64::new(0);

fn loads_notify() -> &'static Notify {
    static NOTIFY: OnceLock<Notify> = OnceLock::new();
    NOTIFY.get_or_init(Notify::new)
}

/// Records that a code-set release was committed in this process: every
/// index in the process checks its database's releases before its next
/// answer. The importers call it after each commit; code that writes a
/// release with the store's write API directly calls it after committing.
pub fn release_committed() {
    LOADS.fetch_add(1, Ordering::SeqCst);
    loads_notify().notify_waiters();
}

/// The shared, swapped code-set index of one service.
#[derive(Clone)]
pub struct IndexCache {
    shared: Arc<Shared>,
}

struct Shared {
    db: Database,
    state: RwLock<State>,
    /// One refresh at a time; callers that queue behind it reuse its result.
    refreshing: Mutex<()>,
}

/// The current index and when its releases were last checked.
#[derive(Default)]
struct State {
    index: Option<Arc<CodeSetIndex>>,
    /// [`LOADS`] when the version was last read.
    loads_seen: u64,
    /// When the last version read began.
    checked_at: Option<Instant>,
}

/// What a refresh must achieve for its caller.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// An index that has seen this many loads of this process.
    CaughtUp(u64),
    /// A version read begun at or after this instant.
    CheckedSince(Instant),
}

impl IndexCache {
    /// A cache over `db` with nothing built yet: the first call (or the
    /// first pass of [`IndexCache::keep_fresh`]) builds the index.
    pub fn new(db: Database) -> Self {
        IndexCache {
            shared: Arc::new(Shared {
                db,
                state: RwLock::new(State::default()),
                refreshing: Mutex::new(()),
            }),
        }
    }

    /// A cache over `db` with the index built now. A failure is logged and
    /// left to the first call, which tries again and reports it.
    pub async fn open(db: Database) -> Self {
        let cache = IndexCache::new(db);
        if let Err(e) = cache.refresh(Want::CaughtUp(0)).await {
            tracing::error!(error = %e, "cannot build the code-set index at start");
        }
        cache
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A panic elsewhere cannot leave `State` half written (it is
        // replaced whole), so a poisoned lock is still good.
        self.shared
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The index for the releases loaded now.
    pub async fn get(&self) -> Result<Arc<CodeSetIndex>, ServiceError> {
        let loads = LOADS.load(Ordering::SeqCst);
        {
            let state = self.read();
            if let Some(index) = &state.index
                && state.loads_seen >= loads
            {
                return Ok(index.clone());
            }
        }
        self.refresh(Want::CaughtUp(loads)).await
    }

    /// After `current` found nothing: a newer index when the releases
    /// changed (another process loaded one), else `None`. Reads the version
    /// unless it was read less than [`MISS_RECHECK_AFTER`] ago.
    pub async fn recheck(
        &self,
        current: &Arc<CodeSetIndex>,
    ) -> Result<Option<Arc<CodeSetIndex>>, ServiceError> {
        let asked = Instant::now();
        let latest = {
            let state = self.read();
            let recent = state
                .checked_at
                .is_some_and(|at| asked.saturating_duration_since(at) < MISS_RECHECK_AFTER);
            match &state.index {
                Some(index) if recent => Some(index.clone()),
                _ => None,
            }
        };
        let latest = match latest {
            Some(index) => index,
            None => self.refresh(Want::CheckedSince(asked)).await?,
        };
        Ok((!Arc::ptr_eq(&latest, current)).then_some(latest))
    }

    /// Keeps the index equal to the loaded releases until `stop` turns
    /// true: checks right after a release is committed in this process and
    /// every [`CHECK_EVERY`] otherwise.
    pub async fn keep_fresh(self, mut stop: watch::Receiver<bool>) {
        let mut failed = false;
        loop {
            let notified = loads_notify().notified();
            tokio::pin!(notified);
            // Registered before the count is read, so no load slips between.
            notified.as_mut().enable();
            let behind = self.read().loads_seen < LOADS.load(Ordering::SeqCst);
            if failed || !behind {
                tokio::select! {
                    _ = stop.wait_for(|s| *s) => return,
                    () = &mut notified, if !failed => {}
                    () = tokio::time::sleep(CHECK_EVERY) => {}
                }
            }
            if *stop.borrow() {
                return;
            }
            let asked = Instant::now();
            // A rebuild in progress does not hold up the shutdown.
            let refreshed = tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                refreshed = self.refresh(Want::CheckedSince(asked)) => refreshed,
            };
            match refreshed {
                Ok(_) => failed = false,
                Err(e) => {
                    tracing::warn!(error = %e, "code-set index check failed; the current index keeps answering");
                    failed = true;
                }
            }
        }
    }

    /// Reads the releases version and rebuilds the index when it changed,
    /// unless a refresh that finished while this one waited did `want`.
    async fn refresh(&self, want: Want) -> Result<Arc<CodeSetIndex>, ServiceError> {
        let _one = self.shared.refreshing.lock().await;
        let current = {
            let state = self.read();
            let done = match want {
                Want::CaughtUp(loads) => state.loads_seen >= loads,
                Want::CheckedSince(asked) => state.checked_at.is_some_and(|at| at >= asked),
            };
            match &state.index {
                Some(index) if done => return Ok(index.clone()),
                _ => state.index.clone(),
            }
        };
        let loads = LOADS.load(Ordering::SeqCst);
        let started = Instant::now();
        let mut conn = self.shared.db.pool().acquire().await?;
        let version: ReleasesVersion = releases_version(&mut conn).await?;
        let index = match current {
            Some(index) if *index.version() == version => index,
            _ => {
                let tables = Tables::read(&mut conn).await?;
                drop(conn);
                let read_ms = started.elapsed().as_millis() as u64;
                let built = tokio::task::spawn_blocking(move || tables.index())
                    .await
                    .map_err(|e| ServiceError::Internal(format!("code-set index build: {e}")))?;
                tracing::info!(
                    codes = built.code_count(),
                    read_ms,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "code-set index built"
                );
                Arc::new(built)
            }
        };
        *self
            .shared
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner) = State {
            index: Some(index.clone()),
            loads_seen: loads,
            checked_at: Some(started),
        };
        Ok(index)
    }
}
