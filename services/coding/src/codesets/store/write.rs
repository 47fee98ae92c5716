//! Loading a release: the release row, then its rows in multi-row INSERTs.
//!
//! Statement size: SQLite allows 32,766 bound parameters and PostgreSQL
//! 65,535, so a statement carries at most 30,000 values (and 2,000 rows,
//! past which larger statements stop paying off). All full-size statements
//! share one SQL text, so each is prepared once per load.

use medbill_kernel::{CalendarDate, Timestamp};
use sqlx::AnyConnection;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use crate::codesets::domain::{AgeRange, CodeRow, CodeSystem, ValidityRow};

/// What kind of table a release fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseKind {
    /// A code list with descriptions.
    Codes,
    /// Validity periods per code (MCE, I/OCE).
    Validity,
    /// NCCI procedure-to-procedure pairs.
    NcciPtp,
    /// Medically unlikely edits.
    Mue,
}

impl ReleaseKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseKind::Codes => "codes",
            ReleaseKind::Validity => "validity",
            ReleaseKind::NcciPtp => "ncci_ptp",
            ReleaseKind::Mue => "mue",
        }
    }
}

/// A release about to be loaded.
#[derive(Debug, Clone)]
pub struct NewRelease {
    /// The code system.
    pub system: CodeSystem,
    /// What it fills.
    pub kind: ReleaseKind,
    /// The care setting of an edit table (`hospital_outpatient`,
    /// `practitioner`, `dme`); empty for code lists and validity.
    pub scope: String,
    /// E.g. "FY2026 April 1 2026".
    pub name: String,
    /// First date of service it governs.
    pub effective_from: CalendarDate,
    /// The source file or package member.
    pub source: String,
    /// The sha256 of the source.
    pub sha256: String,
    /// How many codes (or pairs, or values) it holds.
    pub code_count: u64,
}

/// A bound value of a bulk row.
#[derive(Debug, Clone)]
pub enum Value {
    /// TEXT.
    Text(String),
    /// Nullable TEXT.
    OptText(Option<String>),
    /// BIGINT.
    Int(i64),
}

/// Inserts the release row; `None` when the same release (system, kind,
/// name and sha256) is loaded already, so a repeated import is a no-op.
pub async fn insert_release(
    conn: &mut AnyConnection,
    release: &NewRelease,
) -> Result<Option<String>, sqlx::Error> {
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT release_id FROM code_set_releases \
         WHERE system = $1 AND kind = $2 AND scope = $3 AND name = $4 AND sha256 = $5",
    )
    .bind(release.system.as_str())
    .bind(release.kind.as_str())
    .bind(&release.scope)
    .bind(&release.name)
    .bind(&release.sha256)
    .fetch_optional(&mut *conn)
    .await?;
    if existing.is_some() {
        return Ok(None);
    }
    let id = medbill_kernel::ids::new_uuid_v7();
    sqlx::query(
        "INSERT INTO code_set_releases (release_id, system, kind, scope, name, \
         effective_from, source, sha256, code_count, loaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(release.system.as_str())
    .bind(release.kind.as_str())
    .bind(&release.scope)
    .bind(&release.name)
    .bind(release.effective_from.to_string())
    .bind(&release.source)
    .bind(&release.sha256)
    .bind(i64::try_from(release.code_count).unwrap_or(i64::MAX))
    .bind(Timestamp::now().to_string())
    .execute(&mut *conn)
    .await?;
    Ok(Some(id))
}

/// Rows per multi-row INSERT (see `bulk_insert`).
const ROWS_PER_STATEMENT: usize = 50;

/// Inserts `rows` into `table` (`columns` in order), many rows per statement.
pub async fn bulk_insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> Result<u64, sqlx::Error> {
    // Small statements: with the sqlx Any driver on SQLite the cost per row
    // grows with the statement's size (200k rows of 8 columns: 27.8 s at
    // 2,000 rows per INSERT, 1.1 s at 25-50); PostgreSQL is indifferent
    // (0.5-0.65 s). Measured with a release build, 2026-11-23.
    let per_statement = ROWS_PER_STATEMENT.min(30_000 / columns.len().max(1));
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_statement);
    let mut total = 0;
    for row in rows {
        batch.push(row);
        if batch.len() == per_statement {
            total += flush(conn, table, columns, &mut batch).await?;
        }
    }
    total += flush(conn, table, columns, &mut batch).await?;
    Ok(total)
}

async fn flush(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    batch: &mut Vec<Vec<Value>>,
) -> Result<u64, sqlx::Error> {
    if batch.is_empty() {
        return Ok(0);
    }
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for (i, _) in batch.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    let mut query: Query<'_, sqlx::Any, AnyArguments<'_>> = sqlx::query(&sql);
    for row in batch.drain(..) {
        for value in row {
            query = match value {
                Value::Text(s) => query.bind(s),
                Value::OptText(s) => query.bind(s),
                Value::Int(i) => query.bind(i),
            };
        }
    }
    Ok(query.execute(&mut *conn).await?.rows_affected())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn date(d: CalendarDate) -> Value {
    Value::Text(d.to_string())
}

fn opt_date(d: Option<CalendarDate>) -> Value {
    Value::OptText(d.map(|d| d.to_string()))
}

/// Inserts the codes of a release and their notes.
pub async fn insert_codes(
    conn: &mut AnyConnection,
    release_id: &str,
    system: CodeSystem,
    codes: &[CodeRow],
) -> Result<u64, sqlx::Error> {
    let n = bulk_insert(
        conn,
        "codes",
        &[
            "release_id",
            "system",
            "code",
            "is_header",
            "description",
            "parent",
        ],
        codes.iter().map(|c| {
            vec![
                text(release_id),
                text(system.as_str()),
                text(&c.code),
                Value::Int(i64::from(c.is_header)),
                text(&c.description),
                text(&c.parent),
            ]
        }),
    )
    .await?;
    let notes = codes.iter().flat_map(|c| {
        c.notes.iter().enumerate().map(move |(i, (kind, note))| {
            vec![
                text(release_id),
                text(&c.code),
                Value::Int(i as i64),
                text(kind.as_str()),
                text(note),
            ]
        })
    });
    bulk_insert(
        conn,
        "code_notes",
        &["release_id", "code", "position", "kind", "text"],
        notes,
    )
    .await?;
    Ok(n)
}

/// Inserts validity periods (with MCE edits) of a release.
pub async fn insert_validity(
    conn: &mut AnyConnection,
    release_id: &str,
    system: CodeSystem,
    rows: &[ValidityRow],
) -> Result<u64, sqlx::Error> {
    bulk_insert(
        conn,
        "code_validity",
        &[
            "release_id",
            "system",
            "code",
            "valid_from",
            "valid_to",
            "mce_edits",
        ],
        rows.iter().map(|r| {
            vec![
                text(release_id),
                text(system.as_str()),
                text(&r.code),
                date(r.valid_from),
                opt_date(r.valid_to),
                Value::Text(r.edits.join(" ")),
            ]
        }),
    )
    .await
}

/// Inserts MCE age ranges of a release.
pub async fn insert_age_ranges(
    conn: &mut AnyConnection,
    release_id: &str,
    ranges: &[AgeRange],
) -> Result<u64, sqlx::Error> {
    bulk_insert(
        conn,
        "mce_age_ranges",
        &[
            "release_id",
            "edit",
            "low_age",
            "high_age",
            "valid_from",
            "valid_to",
        ],
        ranges.iter().map(|r| {
            vec![
                text(release_id),
                text(&r.edit),
                Value::Int(r.low_age),
                Value::Int(r.high_age),
                date(r.valid_from),
                opt_date(r.valid_to),
            ]
        }),
    )
    .await
}

/// Dates as stored, for rows built by importers.
pub(crate) fn date_value(d: CalendarDate) -> Value {
    date(d)
}

/// Optional dates as stored.
pub(crate) fn opt_date_value(d: Option<CalendarDate>) -> Value {
    opt_date(d)
}

/// The columns of `ncci_ptp_pairs`, in the order importers bind them.
pub const NCCI_COLUMNS: [&str; 8] = [
    "release_id",
    "setting",
    "column1",
    "column2",
    "effective_from",
    "effective_to",
    "modifier_indicator",
    "rationale",
];
