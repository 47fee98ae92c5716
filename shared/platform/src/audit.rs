//! The append-only audit log of patient-data access (docs/ARCHITECTURE.md,
//! "Security"): who read or changed which record, when, through which RPC.
//! The table refuses updates and deletes (triggers in the platform
//! migrations).

use medbill_kernel::Timestamp;
use medbill_kernel::ids::new_uuid_v7;
use sqlx::AnyConnection;

use crate::auth::Principal;

/// Rows per INSERT in [`record_many`]: 7 parameters a row stays far below
/// both backends' limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

/// Appends one audit row per record in `record_ids` (the rows a list RPC
/// returned), in one statement per 500 rows rather than a round trip each.
pub async fn record_many(
    conn: &mut AnyConnection,
    principal: &Principal,
    action: &str,
    record_type: &str,
    record_ids: &[&str],
    rpc: &str,
) -> Result<(), sqlx::Error> {
    let at = Timestamp::now().to_string();
    for chunk in record_ids.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from(
            "INSERT INTO audit_log (audit_id, at, actor, action, record_type, record_id, rpc) VALUES ",
        );
        for i in 0..chunk.len() {
            let p = i * 7;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6,
                p + 7
            ));
        }
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query
                .bind(new_uuid_v7())
                .bind(at.clone())
                .bind(principal.subject.clone())
                .bind(action.to_string())
                .bind(record_type.to_string())
                .bind(id.to_string())
                .bind(rpc.to_string());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Appends one audit row.
pub async fn record(
    conn: &mut AnyConnection,
    principal: &Principal,
    action: &str,
    record_type: &str,
    record_id: &str,
    rpc: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (audit_id, at, actor, action, record_type, record_id, rpc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_uuid_v7())
    .bind(Timestamp::now().to_string())
    .bind(&principal.subject)
    .bind(action)
    .bind(record_type)
    .bind(record_id)
    .bind(rpc)
    .execute(conn)
    .await?;
    Ok(())
}
