//! One search index per coding service, shared by `SearchCodes` and
//! `SuggestCodes`: built on first use (~1 s, ~30 MB for the full code sets)
//! and rebuilt when the set of loaded releases changes.

use std::sync::Arc;

use medbill_platform::ServiceError;
use medbill_platform::db::Database;
use tokio::sync::Mutex;

use super::search::{SearchIndex, releases_fingerprint};

/// A built index and the release fingerprint it was built for.
type Cached = Option<((i64, String), Arc<SearchIndex>)>;

/// The shared, lazily rebuilt search index.
#[derive(Clone)]
pub struct IndexCache {
    db: Database,
    cached: Arc<Mutex<Cached>>,
}

impl IndexCache {
    /// An empty cache over `db`.
    pub fn new(db: Database) -> Self {
        IndexCache {
            db,
            cached: Arc::new(Mutex::new(None)),
        }
    }

    /// The index for the releases loaded now.
    pub async fn get(&self) -> Result<Arc<SearchIndex>, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        let fingerprint = releases_fingerprint(&mut conn).await?;
        let mut cached = self.cached.lock().await;
        if let Some((built_for, index)) = cached.as_ref()
            && *built_for == fingerprint
        {
            return Ok(index.clone());
        }
        let index = Arc::new(SearchIndex::load(&mut conn).await?);
        *cached = Some((fingerprint, index.clone()));
        Ok(index)
    }
}
