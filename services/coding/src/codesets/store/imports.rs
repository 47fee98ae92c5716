//! The record of each import of the fetched public code sets
//! (`code_set_imports`): a row when it starts, its finish time when its last
//! release is committed. Each release commits on its own, so while the
//! newest import is unfinished the loaded code sets are partial (ICD-10-CM
//! without the NCCI pairs, say) and the coding edits refuse to pass a
//! release.

use medbill_kernel::Timestamp;
use medbill_kernel::ids::new_uuid_v7;
use sqlx::{AnyConnection, Row};

/// Records that an import starts; returns its id.
pub async fn start(conn: &mut AnyConnection) -> Result<String, sqlx::Error> {
    let id = new_uuid_v7();
    sqlx::query("INSERT INTO code_set_imports (import_id, started_at) VALUES ($1, $2)")
        .bind(&id)
        .bind(Timestamp::now().to_string())
        .execute(conn)
        .await?;
    Ok(id)
}

/// Records that import `import_id` loaded every release; false when it is
/// not an unfinished import.
pub async fn finish(conn: &mut AnyConnection, import_id: &str) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE code_set_imports SET finished_at = $1 \
         WHERE import_id = $2 AND finished_at IS NULL",
    )
    .bind(Timestamp::now().to_string())
    .bind(import_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// When the newest import started, if it has not finished; `None` when it
/// finished or no import ever ran (code sets loaded file by file).
pub async fn unfinished(conn: &mut AnyConnection) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT started_at, finished_at FROM code_set_imports \
         ORDER BY started_at DESC, import_id DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let finished: Option<String> = row.try_get("finished_at")?;
    match finished {
        Some(_) => Ok(None),
        None => Ok(Some(row.try_get("started_at")?)),
    }
}
