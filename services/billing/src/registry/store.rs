//! Persistence of payers and providers. Store functions take a connection
//! or transaction; the handler decides where the transaction ends.

use medbill_kernel::{Npi, PayerId};
use medbill_platform::ServiceError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::domain::{
    Address, ClaimForm, Ein, FilingIndicator, Payer, Provider, ProviderId, Taxonomy,
};

/// Separates the parts of a paging key (a character no name holds).
pub const KEY_SEPARATOR: char = '\u{1f}';

const PAYER_COLUMNS: &str = "payer_id, name, electronic_payer_id, filing_indicator, \
    timely_filing_days, appeal_window_days, claim_forms, address_line1, address_line2, city, \
    state, postal_code, fee_schedule_id, active, follow_up_days";

const PROVIDER_COLUMNS: &str = "provider_id, npi, name, first_name, organization, tax_id, \
    taxonomy, address_line1, address_line2, city, state, postal_code";

/// A stored row that no longer parses: a fault of the database, not of the
/// caller.
fn corrupt(what: &str, id: &str) -> ServiceError {
    ServiceError::Internal(format!("stored {what} {id} does not parse"))
}

/// The address columns of a row.
pub fn address_of(row: &AnyRow) -> Result<Address, sqlx::Error> {
    Ok(Address {
        line1: row.try_get("address_line1")?,
        line2: row.try_get("address_line2")?,
        city: row.try_get("city")?,
        state: row.try_get("state")?,
        postal_code: row.try_get("postal_code")?,
    })
}

/// Saves a new payer.
pub async fn insert_payer(conn: &mut AnyConnection, payer: &Payer) -> Result<(), ServiceError> {
    let sql = format!(
        "INSERT INTO payers ({PAYER_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    );
    bind_payer(sqlx::query(&sql), payer).execute(conn).await?;
    Ok(())
}

/// Replaces every field of a stored payer; false when there is none.
pub async fn update_payer(conn: &mut AnyConnection, payer: &Payer) -> Result<bool, ServiceError> {
    let sql = "UPDATE payers SET name = $2, electronic_payer_id = $3, filing_indicator = $4, \
        timely_filing_days = $5, appeal_window_days = $6, claim_forms = $7, address_line1 = $8, \
        address_line2 = $9, city = $10, state = $11, postal_code = $12, fee_schedule_id = $13, \
        active = $14, follow_up_days = $15 WHERE payer_id = $1";
    let done = bind_payer(sqlx::query(sql), payer).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

fn bind_payer<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    payer: &Payer,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let forms: Vec<&str> = payer.claim_forms.iter().map(|f| f.code()).collect();
    query
        .bind(payer.payer_id.as_str().to_string())
        .bind(payer.name.clone())
        .bind(payer.electronic_payer_id.clone())
        .bind(payer.filing_indicator.code())
        .bind(i64::from(payer.timely_filing_days))
        .bind(i64::from(payer.appeal_window_days))
        .bind(forms.join(","))
        .bind(payer.address.line1.clone())
        .bind(payer.address.line2.clone())
        .bind(payer.address.city.clone())
        .bind(payer.address.state.clone())
        .bind(payer.address.postal_code.clone())
        .bind(payer.fee_schedule_id.clone().unwrap_or_default())
        .bind(i64::from(payer.active))
        .bind(i64::from(payer.follow_up_days))
}

fn payer_of(row: &AnyRow) -> Result<Payer, ServiceError> {
    let id: String = row.try_get("payer_id")?;
    let bad = || corrupt("payer", &id);
    let forms: String = row.try_get("claim_forms")?;
    let claim_forms = forms
        .split(',')
        .map(|f| ClaimForm::from_code(f).ok_or_else(bad))
        .collect::<Result<Vec<_>, _>>()?;
    let fee_schedule_id: String = row.try_get("fee_schedule_id")?;
    Ok(Payer {
        payer_id: PayerId::parse(&id).map_err(|_| bad())?,
        name: row.try_get("name")?,
        electronic_payer_id: row.try_get("electronic_payer_id")?,
        filing_indicator: FilingIndicator::from_code(
            &row.try_get::<String, _>("filing_indicator")?,
        )
        .ok_or_else(bad)?,
        timely_filing_days: u32::try_from(row.try_get::<i64, _>("timely_filing_days")?)
            .map_err(|_| bad())?,
        appeal_window_days: u32::try_from(row.try_get::<i64, _>("appeal_window_days")?)
            .map_err(|_| bad())?,
        claim_forms,
        address: address_of(row)?,
        fee_schedule_id: Some(fee_schedule_id).filter(|f| !f.is_empty()),
        active: row.try_get::<i64, _>("active")? == 1,
        follow_up_days: u32::try_from(row.try_get::<i64, _>("follow_up_days")?)
            .map_err(|_| bad())?,
    })
}

/// The payer `payer_id`, if registered.
pub async fn payer(
    conn: &mut AnyConnection,
    payer_id: &PayerId,
) -> Result<Option<Payer>, ServiceError> {
    let sql = format!("SELECT {PAYER_COLUMNS} FROM payers WHERE payer_id = $1");
    let row = sqlx::query(&sql)
        .bind(payer_id.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(payer_of).transpose()
}

/// Fails with `NOT_FOUND` unless payer `payer_id` is registered.
pub async fn require_payer(
    conn: &mut AnyConnection,
    payer_id: &PayerId,
) -> Result<Payer, ServiceError> {
    payer(conn, payer_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("payer", payer_id.as_str()))
}

/// Payers by name then id, after the key `(name, payer_id)` of the last
/// one sent; inactive ones only when asked.
pub async fn payers(
    conn: &mut AnyConnection,
    include_inactive: bool,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<Payer>, ServiceError> {
    let (name, id) = after.unwrap_or(("", ""));
    let sql = format!(
        "SELECT {PAYER_COLUMNS} FROM payers \
         WHERE (active = 1 OR $1 = 1) AND ($2 = 0 OR name > $3 OR (name = $3 AND payer_id > $4)) \
         ORDER BY name, payer_id LIMIT $5"
    );
    let rows = sqlx::query(&sql)
        .bind(i64::from(include_inactive))
        .bind(i64::from(after.is_some()))
        .bind(name)
        .bind(id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(payer_of).collect()
}

/// Saves a new provider; a second provider with the same NPI is
/// `ALREADY_EXISTS` (the unique constraint).
pub async fn insert_provider(conn: &mut AnyConnection, p: &Provider) -> Result<(), ServiceError> {
    let sql = format!(
        "INSERT INTO providers ({PROVIDER_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    );
    sqlx::query(&sql)
        .bind(p.provider_id.as_str())
        .bind(p.npi.as_str())
        .bind(&p.name)
        .bind(&p.first_name)
        .bind(i64::from(p.organization))
        .bind(
            p.tax_id
                .as_ref()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
        )
        .bind(p.taxonomy.as_str())
        .bind(&p.address.line1)
        .bind(&p.address.line2)
        .bind(&p.address.city)
        .bind(&p.address.state)
        .bind(&p.address.postal_code)
        .execute(conn)
        .await?;
    Ok(())
}

fn provider_of(row: &AnyRow) -> Result<Provider, ServiceError> {
    let id: String = row.try_get("provider_id")?;
    let bad = || corrupt("provider", &id);
    let tax_id: String = row.try_get("tax_id")?;
    Ok(Provider {
        provider_id: ProviderId::parse(&id).map_err(|_| bad())?,
        npi: Npi::parse(&row.try_get::<String, _>("npi")?).map_err(|_| bad())?,
        name: row.try_get("name")?,
        first_name: row.try_get("first_name")?,
        organization: row.try_get::<i64, _>("organization")? == 1,
        tax_id: if tax_id.is_empty() {
            None
        } else {
            Some(Ein::parse(&tax_id).ok_or_else(bad)?)
        },
        taxonomy: Taxonomy::parse(&row.try_get::<String, _>("taxonomy")?).ok_or_else(bad)?,
        address: address_of(row)?,
    })
}

/// The provider with id `provider_id` or NPI `npi` (one of them given).
pub async fn provider(
    conn: &mut AnyConnection,
    provider_id: Option<&ProviderId>,
    npi: Option<&Npi>,
) -> Result<Option<Provider>, ServiceError> {
    let sql =
        format!("SELECT {PROVIDER_COLUMNS} FROM providers WHERE provider_id = $1 OR npi = $2");
    let row = sqlx::query(&sql)
        .bind(
            provider_id
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
        )
        .bind(npi.map(|n| n.as_str().to_string()).unwrap_or_default())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(provider_of).transpose()
}

/// Providers in the order they were registered (their ids are time
/// ordered), after the id of the last one sent.
pub async fn providers(
    conn: &mut AnyConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Provider>, ServiceError> {
    let sql = format!(
        "SELECT {PROVIDER_COLUMNS} FROM providers WHERE provider_id > $1 \
         ORDER BY provider_id LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(provider_of).collect()
}
