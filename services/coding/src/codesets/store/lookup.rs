//! What a code is on a date of service, from every loaded release.
//!
//! The status comes from validity periods when the system has them (the
//! MCE for ICD-10-CM/PCS reaches back to FY2016, I/OCE for HCPCS back to
//! 2019), so a code added or deleted at an October 1 boundary answers right
//! on both sides even with one tabular release loaded. Without validity
//! periods (CPT files, order files alone), the code list in effect on the
//! date decides. Description, parent and notes come from the code list in
//! effect on the date, else the nearest one that has the code.

use std::collections::HashMap;

use medbill_kernel::CalendarDate;
use sqlx::{AnyConnection, Row};

use super::newest_release;
use super::write::ReleaseKind;
use crate::codesets::domain::{CodeAnswer, CodeStatus, CodeSystem, Note, NoteKind};

/// One code list entry as stored.
#[derive(Debug, Clone)]
struct Listed {
    release_id: String,
    effective_from: String,
    is_header: bool,
    description: String,
    parent: String,
}

/// A validity period as stored.
#[derive(Debug, Clone)]
pub struct Period {
    /// First valid day, `YYYY-MM-DD`.
    pub from: String,
    /// Last valid day, `None` while current.
    pub to: Option<String>,
    /// MCE edits, space-separated.
    pub edits: String,
}

impl Period {
    /// Whether `date` (`YYYY-MM-DD`) falls in the period.
    pub fn covers(&self, date: &str) -> bool {
        self.from.as_str() <= date && self.to.as_deref().is_none_or(|to| date <= to)
    }
}

/// What `code` of `system` is on `date`; `None` when no loaded release of
/// the system ever had it.
pub async fn get_code(
    conn: &mut AnyConnection,
    system: CodeSystem,
    code: &str,
    date: CalendarDate,
) -> Result<Option<CodeAnswer>, sqlx::Error> {
    let day = date.to_string();
    let listed = listings(conn, system, code).await?;
    let periods = validity(conn, system, code).await?;
    if listed.is_empty() && periods.is_empty() {
        return Ok(None);
    }
    let lists: Vec<(String, String)> = sqlx::query_as(
        "SELECT release_id, effective_from FROM code_set_releases \
         WHERE system = $1 AND kind = 'codes' ORDER BY effective_from DESC, loaded_at DESC",
    )
    .bind(system.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let governing = lists
        .iter()
        .find(|(_, from)| *from <= day)
        .map(|(id, _)| id);
    let in_governing = listed.iter().find(|l| Some(&l.release_id) == governing);
    let reference = in_governing
        .or_else(|| listed.iter().find(|l| l.effective_from <= day))
        .or_else(|| listed.last());

    let (status, from, to, edits) = if !periods.is_empty() {
        match periods.iter().find(|p| p.covers(&day)) {
            Some(p) => (
                CodeStatus::Billable,
                Some(p.from.clone()),
                p.to.clone(),
                p.edits.clone(),
            ),
            None => {
                let nearest = periods
                    .iter()
                    .rev()
                    .find(|p| p.from <= day)
                    .or_else(|| periods.first());
                let status = match reference {
                    Some(r) if r.is_header => CodeStatus::Header,
                    _ => CodeStatus::NotEffective,
                };
                (
                    status,
                    nearest.map(|p| p.from.clone()),
                    nearest.and_then(|p| p.to.clone()),
                    String::new(),
                )
            }
        }
    } else {
        let status = match in_governing {
            Some(l) if l.is_header => CodeStatus::Header,
            Some(_) => CodeStatus::Billable,
            None => CodeStatus::NotEffective,
        };
        let (from, to) = listed_span(&lists, &listed);
        (status, from, to, String::new())
    };

    let notes = match reference {
        Some(r) => notes_in(conn, &r.release_id, code).await?,
        None => Vec::new(),
    };
    Ok(Some(CodeAnswer {
        system,
        code: code.to_string(),
        status,
        description: reference.map(|r| r.description.clone()).unwrap_or_default(),
        effective_from: from.as_deref().and_then(|d| d.parse().ok()),
        effective_to: to.as_deref().and_then(|d| d.parse().ok()),
        notes,
        mce_edits: edits.split_whitespace().map(str::to_string).collect(),
        parent: reference.map(|r| r.parent.clone()).unwrap_or_default(),
    }))
}

/// The period a code list gives: from the oldest list that has the code to
/// the day before the first newer list that lacks it.
fn listed_span(lists: &[(String, String)], listed: &[Listed]) -> (Option<String>, Option<String>) {
    let has = |id: &str| listed.iter().any(|l| l.release_id == id);
    // `lists` is newest first; walk oldest first.
    let mut from = None;
    let mut to = None;
    for (id, effective) in lists.iter().rev() {
        if has(id) {
            if from.is_none() || to.is_some() {
                from = Some(effective.clone());
                to = None;
            }
        } else if from.is_some() && to.is_none() {
            to = effective
                .parse::<CalendarDate>()
                .ok()
                .and_then(|d| d.add_days(-1).ok())
                .map(|d| d.to_string());
        }
    }
    (from, to)
}

async fn listings(
    conn: &mut AnyConnection,
    system: CodeSystem,
    code: &str,
) -> Result<Vec<Listed>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.release_id, r.effective_from, c.is_header, c.description, c.parent \
         FROM codes c JOIN code_set_releases r ON r.release_id = c.release_id \
         WHERE c.system = $1 AND c.code = $2 ORDER BY r.effective_from DESC, r.loaded_at DESC",
    )
    .bind(system.as_str())
    .bind(code)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Listed {
                release_id: row.try_get("release_id")?,
                effective_from: row.try_get("effective_from")?,
                is_header: row.try_get::<i64, _>("is_header")? != 0,
                description: row.try_get("description")?,
                parent: row.try_get("parent")?,
            })
        })
        .collect()
}

async fn validity(
    conn: &mut AnyConnection,
    system: CodeSystem,
    code: &str,
) -> Result<Vec<Period>, sqlx::Error> {
    let Some(release) = newest_release(&mut *conn, system, ReleaseKind::Validity, "", None).await?
    else {
        return Ok(Vec::new());
    };
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT valid_from, valid_to, mce_edits FROM code_validity \
         WHERE release_id = $1 AND code = $2 ORDER BY valid_from",
    )
    .bind(release)
    .bind(code)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(from, to, edits)| Period { from, to, edits })
        .collect())
}

/// The notes of `code` and its ancestors (nearest first) in the newest
/// ICD-10-CM code list — Excludes1/2, code first, use additional, code
/// also, 7th-character rules — for the edit engine.
pub async fn notes(conn: &mut AnyConnection, code: &str) -> Result<Vec<Note>, sqlx::Error> {
    let Some(release) = newest_release(
        &mut *conn,
        CodeSystem::Icd10Cm,
        ReleaseKind::Codes,
        "",
        None,
    )
    .await?
    else {
        return Ok(Vec::new());
    };
    notes_in(conn, &release, code).await
}

/// Notes of `code` and of every ancestor (ICD-10-CM ancestors are prefixes
/// of the code) in one release, nearest first, tabular order within a code.
async fn notes_in(
    conn: &mut AnyConnection,
    release_id: &str,
    code: &str,
) -> Result<Vec<Note>, sqlx::Error> {
    let prefixes: Vec<&str> = (3..=code.len())
        .rev()
        .filter_map(|n| code.get(..n))
        .collect();
    if prefixes.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..prefixes.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT code, kind, text FROM code_notes WHERE release_id = $1 AND code IN ({}) \
         ORDER BY position",
        list.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(release_id.to_string());
    for p in &prefixes {
        query = query.bind(p.to_string());
    }
    let mut by_code: HashMap<String, Vec<Note>> = HashMap::new();
    for row in query.fetch_all(conn).await? {
        let from_code: String = row.try_get("code")?;
        let kind: String = row.try_get("kind")?;
        let Some(kind) = NoteKind::parse(&kind) else {
            continue;
        };
        by_code.entry(from_code.clone()).or_default().push(Note {
            kind,
            text: row.try_get("text")?,
            from_code,
        });
    }
    Ok(prefixes
        .iter()
        .flat_map(|p| by_code.remove(*p).unwrap_or_default())
        .collect())
}
