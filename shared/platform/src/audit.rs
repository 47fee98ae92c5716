//! The append-only audit log of patient-data access (docs/ARCHITECTURE.md,
//! "Security"): who read or changed which record, when, through which RPC.
//! The table refuses updates and deletes (triggers in the platform
//! migrations).

use medbill_kernel::Timestamp;
use medbill_kernel::ids::new_uuid_v7;
use sqlx::AnyConnection;

use crate::auth::Principal;

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
