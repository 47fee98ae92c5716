//! Loading one release in the caller's transaction: its row in
//! `code_set_releases` (the same bytes loaded again are a no-op), then the
//! rows the readers of its layout produced, in multi-row INSERTs.

use sqlx::AnyConnection;

use super::write::{self, NCCI_COLUMNS, NewRelease, Value, date_value, opt_date_value};
use crate::codesets::domain::{
    AgeRange, CodeRow, HcpcsAttributes, ModifierAttributes, MueRow, PtpRow, ValidityRow,
};

/// The rows of one release, by layout.
#[derive(Debug, Clone, Copy)]
pub enum ReleaseRows<'a> {
    /// A code list with its notes.
    Codes(&'a [CodeRow]),
    /// Validity periods with their MCE edits, and the MCE age ranges
    /// (empty but for ICD-10-CM).
    Validity {
        /// The periods.
        periods: &'a [ValidityRow],
        /// The age ranges.
        ages: &'a [AgeRange],
    },
    /// I/OCE HCPCS Level II codes, and the attributes of every code of the
    /// I/OCE table.
    Hcpcs {
        /// The codes.
        codes: &'a [CodeRow],
        /// The attributes per period.
        attributes: &'a [HcpcsAttributes],
    },
    /// I/OCE modifiers with their validity periods and attributes.
    Modifiers {
        /// The modifiers.
        codes: &'a [CodeRow],
        /// Their validity periods.
        periods: &'a [ValidityRow],
        /// Their attributes per period.
        attributes: &'a [ModifierAttributes],
    },
    /// NCCI PTP pairs of one care setting.
    NcciPtp {
        /// `practitioner` or `hospital_outpatient`.
        setting: &'a str,
        /// The pairs.
        pairs: &'a [PtpRow],
    },
    /// MUE values of one care setting.
    Mue {
        /// `practitioner`, `hospital_outpatient` or `dme`.
        setting: &'a str,
        /// The values.
        values: &'a [MueRow],
    },
}

/// Loads `release` with `rows` unless the same release is loaded already;
/// returns the rows it counts (codes, periods, pairs or values), `None`
/// when it was loaded before and nothing was written.
pub async fn load_release(
    conn: &mut AnyConnection,
    release: &NewRelease,
    rows: ReleaseRows<'_>,
) -> Result<Option<u64>, sqlx::Error> {
    let Some(id) = write::insert_release(conn, release).await? else {
        return Ok(None);
    };
    let system = release.system;
    let count = match rows {
        ReleaseRows::Codes(codes) => write::insert_codes(conn, &id, system, codes).await?,
        ReleaseRows::Validity { periods, ages } => {
            let n = write::insert_validity(conn, &id, system, periods).await?;
            write::insert_age_ranges(conn, &id, ages).await?;
            n
        }
        ReleaseRows::Hcpcs { codes, attributes } => {
            let n = write::insert_codes(conn, &id, system, codes).await?;
            insert_hcpcs_attributes(conn, &id, attributes).await?;
            n
        }
        ReleaseRows::Modifiers {
            codes,
            periods,
            attributes,
        } => {
            let n = write::insert_codes(conn, &id, system, codes).await?;
            write::insert_validity(conn, &id, system, periods).await?;
            insert_modifier_attributes(conn, &id, attributes).await?;
            n
        }
        ReleaseRows::NcciPtp { setting, pairs } => insert_ncci(conn, &id, setting, pairs).await?,
        ReleaseRows::Mue { setting, values } => insert_mue(conn, &id, setting, values).await?,
    };
    Ok(Some(count))
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

async fn insert_hcpcs_attributes(
    conn: &mut AnyConnection,
    release_id: &str,
    attributes: &[HcpcsAttributes],
) -> Result<u64, sqlx::Error> {
    write::bulk_insert(
        conn,
        "hcpcs_attributes",
        &[
            "release_id",
            "code",
            "valid_from",
            "valid_to",
            "status_indicator",
            "apc",
            "low_age",
            "high_age",
        ],
        attributes.iter().map(|a| {
            vec![
                text(release_id),
                text(&a.code),
                date_value(a.valid_from),
                opt_date_value(a.valid_to),
                text(&a.status_indicator),
                text(&a.apc),
                Value::Int(a.low_age),
                Value::Int(a.high_age),
            ]
        }),
    )
    .await
}

async fn insert_modifier_attributes(
    conn: &mut AnyConnection,
    release_id: &str,
    attributes: &[ModifierAttributes],
) -> Result<u64, sqlx::Error> {
    write::bulk_insert(
        conn,
        "modifier_attributes",
        &[
            "release_id",
            "modifier",
            "valid_from",
            "valid_to",
            "ncci_bypass",
            "telehealth",
        ],
        attributes.iter().map(|a| {
            vec![
                text(release_id),
                text(&a.modifier),
                date_value(a.valid_from),
                opt_date_value(a.valid_to),
                Value::Int(i64::from(a.ncci_bypass)),
                Value::Int(i64::from(a.telehealth)),
            ]
        }),
    )
    .await
}

async fn insert_ncci(
    conn: &mut AnyConnection,
    release_id: &str,
    setting: &str,
    pairs: &[PtpRow],
) -> Result<u64, sqlx::Error> {
    let rows = pairs.iter().map(|p| {
        vec![
            text(release_id),
            text(setting),
            text(&p.column1),
            text(&p.column2),
            date_value(p.effective_from),
            opt_date_value(p.effective_to),
            Value::Int(p.modifier_indicator),
            text(&p.rationale),
        ]
    });
    write::bulk_insert(conn, "ncci_ptp_pairs", &NCCI_COLUMNS, rows).await
}

async fn insert_mue(
    conn: &mut AnyConnection,
    release_id: &str,
    setting: &str,
    values: &[MueRow],
) -> Result<u64, sqlx::Error> {
    let rows = values.iter().map(|(code, value, indicator, why)| {
        vec![
            text(release_id),
            text(setting),
            text(code),
            Value::Int(*value),
            Value::Int(*indicator),
            text(why),
        ]
    });
    write::bulk_insert(
        conn,
        "mue_values",
        &[
            "release_id",
            "setting",
            "code",
            "mue_value",
            "adjudication_indicator",
            "rationale",
        ],
        rows,
    )
    .await
}
