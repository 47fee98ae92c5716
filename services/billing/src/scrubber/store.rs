//! Persistence of payers' scrubber rules.

use medbill_kernel::PayerId;
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::rules::{PayerRules, RuleSetting};

/// The rules of `payer_id` (none set: the catalog as it is).
pub async fn payer_rules(
    conn: &mut AnyConnection,
    payer_id: &PayerId,
) -> Result<PayerRules, ServiceError> {
    let mut rules = PayerRules::default();
    let rows = sqlx::query(
        "SELECT rule_id, severity FROM payer_scrub_rules WHERE payer_id = $1 ORDER BY rule_id",
    )
    .bind(payer_id.as_str())
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let rule_id: String = r.try_get("rule_id")?;
        let setting =
            RuleSetting::parse(&r.try_get::<String, _>("severity")?).ok_or_else(|| {
                ServiceError::Internal(format!(
                    "stored rule {rule_id} of {payer_id} does not parse"
                ))
            })?;
        rules.overrides.insert(rule_id, setting);
    }
    rules.authorization_required_codes = sqlx::query_scalar(
        "SELECT code FROM payer_authorization_codes WHERE payer_id = $1 ORDER BY code",
    )
    .bind(payer_id.as_str())
    .fetch_all(conn)
    .await?;
    Ok(rules)
}

/// Replaces the rules of `payer_id`.
pub async fn set_payer_rules(
    conn: &mut AnyConnection,
    payer_id: &PayerId,
    rules: &PayerRules,
) -> Result<(), ServiceError> {
    for table in ["payer_scrub_rules", "payer_authorization_codes"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE payer_id = $1"))
            .bind(payer_id.as_str())
            .execute(&mut *conn)
            .await?;
    }
    let mut overrides: Vec<_> = rules.overrides.iter().collect();
    overrides.sort_by(|a, b| a.0.cmp(b.0));
    for (rule_id, setting) in overrides {
        sqlx::query(
            "INSERT INTO payer_scrub_rules (payer_id, rule_id, severity) VALUES ($1, $2, $3)",
        )
        .bind(payer_id.as_str())
        .bind(rule_id)
        .bind(setting.as_str())
        .execute(&mut *conn)
        .await?;
    }
    for code in &rules.authorization_required_codes {
        sqlx::query("INSERT INTO payer_authorization_codes (payer_id, code) VALUES ($1, $2)")
            .bind(payer_id.as_str())
            .bind(code)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
