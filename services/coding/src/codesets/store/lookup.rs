//! What a code is on a date of service, from every loaded release.
//!
//! The status comes from validity periods when the system has them (the
//! MCE for ICD-10-CM/PCS reaches back to FY2016, I/OCE for HCPCS back to
//! 2019), so a code added or deleted at an October 1 boundary answers right
//! on both sides even with one tabular release loaded. Without validity
//! periods (CPT files, order files alone), the code list in effect on the
//! date decides. Description, parent and notes come from the code list in
//! effect on the date, else the nearest one that has the code.
//!
//! Many codes are answered with one query per table ([`answers`]), so the
//! coding edits read a whole encounter in a fixed number of round trips.
//! `GetCode` answers from the in-memory index (`codesets::index`), which
//! keeps the same rows and decides with the same `resolve`.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use medbill_kernel::CalendarDate;
use medbill_platform::db::placeholders;
use sqlx::{AnyConnection, Row};

use super::decode::{corrupt, note_kind, parse_date, parse_opt_date};
use super::releases::{Release, Releases};
use super::write::ReleaseKind;
use crate::codesets::domain::{CodeAnswer, CodeStatus, CodeSystem, Note};

/// One code list entry as stored. The strings are shared (`Arc<str>`) so
/// that the in-memory index holds each description, parent and release id
/// once however many codes and releases name it.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    /// The code list it is in.
    pub(crate) release_id: Arc<str>,
    /// That list's effective date.
    pub(crate) effective_from: CalendarDate,
    /// A heading rather than billable.
    pub(crate) is_header: bool,
    /// Its description in that list.
    pub(crate) description: Arc<str>,
    /// Its parent in that list.
    pub(crate) parent: Arc<str>,
}

/// A validity period as stored: dates stay text (`YYYY-MM-DD`, compared as
/// text like the SQL does) and are parsed only for an answer, so a corrupt
/// value fails the one code that has it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    /// First valid day, `YYYY-MM-DD`.
    pub from: Arc<str>,
    /// Last valid day, `None` while current.
    pub to: Option<Arc<str>>,
    /// MCE edits, space-separated.
    pub edits: Arc<str>,
}

impl Period {
    /// Whether `date` (`YYYY-MM-DD`) falls in the period.
    pub fn covers(&self, date: &str) -> bool {
        &*self.from <= date && self.to.as_deref().is_none_or(|to| date <= to)
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
    let releases = Releases::load(conn).await?;
    let key = (code.to_string(), date);
    let mut found = answers(conn, &releases, system, std::slice::from_ref(&key)).await?;
    Ok(found.remove(&key))
}

/// What each `(code, date)` of `system` is, as [`get_code`] answers it, in
/// one query per table; codes no loaded release ever had are absent.
pub async fn answers(
    conn: &mut AnyConnection,
    releases: &Releases,
    system: CodeSystem,
    wanted: &[(String, CalendarDate)],
) -> Result<HashMap<(String, CalendarDate), CodeAnswer>, sqlx::Error> {
    let codes: BTreeSet<&str> = wanted.iter().map(|(c, _)| c.as_str()).collect();
    let mut out = HashMap::new();
    if codes.is_empty() {
        return Ok(out);
    }
    let codes: Vec<&str> = codes.into_iter().collect();
    let listed = listings(conn, system, &codes).await?;
    let periods = validity(conn, releases, system, &codes).await?;
    let lists: Vec<&Release> = releases.code_lists(system).collect();
    let mut notes_wanted: BTreeMap<Arc<str>, BTreeSet<String>> = BTreeMap::new();
    let mut resolved = Vec::new();
    for (code, date) in wanted {
        let listed = listed.get(code).map(Vec::as_slice).unwrap_or_default();
        let periods = periods.get(code).map(Vec::as_slice).unwrap_or_default();
        if listed.is_empty() && periods.is_empty() {
            continue;
        }
        let (answer, reference) = resolve(system, code, *date, listed, periods, &lists)?;
        if let Some(release) = &reference {
            notes_wanted
                .entry(release.clone())
                .or_default()
                .insert(code.clone());
        }
        resolved.push(((code.clone(), *date), answer, reference));
    }
    let mut notes: HashMap<Arc<str>, HashMap<String, Vec<Note>>> = HashMap::new();
    for (release, codes) in notes_wanted {
        let found = notes_in(conn, &release, &codes).await?;
        notes.insert(release, found);
    }
    for (key, mut answer, reference) in resolved {
        if let Some(by_code) = reference.and_then(|r| notes.get(&r))
            && let Some(found) = by_code.get(&answer.code)
        {
            answer.notes = found.clone();
        }
        out.insert(key, answer);
    }
    Ok(out)
}

/// What `code` is on `date` from its code-list entries (`listed`, newest
/// first), its validity periods (oldest first) and the system's code lists
/// (newest first), without its notes; and the release its notes,
/// description and parent come from.
pub(crate) fn resolve<R: Borrow<Release>>(
    system: CodeSystem,
    code: &str,
    date: CalendarDate,
    listed: &[Listed],
    periods: &[Period],
    lists: &[R],
) -> Result<(CodeAnswer, Option<Arc<str>>), sqlx::Error> {
    let day = date.to_string();
    let governing = lists
        .iter()
        .map(Borrow::borrow)
        .find(|r| r.effective_from <= date)
        .map(|r| r.release_id.as_str());
    let in_governing = listed.iter().find(|l| Some(&*l.release_id) == governing);
    let reference = in_governing
        .or_else(|| listed.iter().find(|l| l.effective_from <= date))
        .or_else(|| listed.last());

    let (status, from, to, edits) = if !periods.is_empty() {
        let (status, period) = match periods.iter().find(|p| p.covers(&day)) {
            Some(p) => (CodeStatus::Billable, Some(p)),
            None => {
                let nearest = periods
                    .iter()
                    .rev()
                    .find(|p| *p.from <= *day)
                    .or_else(|| periods.first());
                let status = match reference {
                    Some(r) if r.is_header => CodeStatus::Header,
                    _ => CodeStatus::NotEffective,
                };
                (status, nearest)
            }
        };
        let edits = match period {
            Some(p) if status == CodeStatus::Billable => {
                p.edits.split_whitespace().map(str::to_string).collect()
            }
            _ => Vec::new(),
        };
        let from = period.map(|p| &*p.from);
        let to = period.and_then(|p| p.to.as_deref());
        (
            status,
            parse_opt_date("code_validity.valid_from", from)?,
            parse_opt_date("code_validity.valid_to", to)?,
            edits,
        )
    } else {
        let status = match in_governing {
            Some(l) if l.is_header => CodeStatus::Header,
            Some(_) => CodeStatus::Billable,
            None => CodeStatus::NotEffective,
        };
        let (from, to) = listed_span(lists, listed)?;
        (status, from, to, Vec::new())
    };

    let answer = CodeAnswer {
        system,
        code: code.to_string(),
        status,
        description: reference
            .map(|r| r.description.to_string())
            .unwrap_or_default(),
        effective_from: from,
        effective_to: to,
        notes: Vec::new(),
        mce_edits: edits,
        parent: reference.map(|r| r.parent.to_string()).unwrap_or_default(),
    };
    Ok((answer, reference.map(|r| r.release_id.clone())))
}

/// The period a code list gives: from the oldest list that has the code to
/// the day before the first newer list that lacks it.
fn listed_span<R: Borrow<Release>>(
    lists: &[R],
    listed: &[Listed],
) -> Result<(Option<CalendarDate>, Option<CalendarDate>), sqlx::Error> {
    let has = |id: &str| listed.iter().any(|l| &*l.release_id == id);
    // `lists` is newest first; walk oldest first.
    let mut from = None;
    let mut to = None;
    for list in lists.iter().rev().map(Borrow::borrow) {
        if has(&list.release_id) {
            if from.is_none() || to.is_some() {
                from = Some(list.effective_from);
                to = None;
            }
        } else if from.is_some() && to.is_none() {
            let day_before = list
                .effective_from
                .add_days(-1)
                .map_err(|e| corrupt("code_set_releases.effective_from", format!("{e}")))?;
            to = Some(day_before);
        }
    }
    Ok((from, to))
}

/// The code-list entries of `codes`, per code newest first.
async fn listings(
    conn: &mut AnyConnection,
    system: CodeSystem,
    codes: &[&str],
) -> Result<HashMap<String, Vec<Listed>>, sqlx::Error> {
    let sql = format!(
        "SELECT c.code, c.release_id, r.effective_from, c.is_header, c.description, c.parent \
         FROM codes c JOIN code_set_releases r ON r.release_id = c.release_id \
         WHERE c.system = $1 AND c.code IN ({}) \
         ORDER BY r.effective_from DESC, r.loaded_at DESC",
        placeholders(2, codes.len())
    );
    let mut query = sqlx::query(&sql).bind(system.as_str());
    for code in codes {
        query = query.bind(code.to_string());
    }
    let mut out: HashMap<String, Vec<Listed>> = HashMap::new();
    for row in query.fetch_all(conn).await? {
        let effective: String = row.try_get("effective_from")?;
        let listed = Listed {
            release_id: row.try_get::<String, _>("release_id")?.into(),
            effective_from: parse_date("code_set_releases.effective_from", &effective)?,
            is_header: match row.try_get::<i64, _>("is_header")? {
                0 => false,
                1 => true,
                n => return Err(corrupt("codes.is_header", format!("{n} is not 0 or 1"))),
            },
            description: row.try_get::<String, _>("description")?.into(),
            parent: row.try_get::<String, _>("parent")?.into(),
        };
        out.entry(row.try_get("code")?).or_default().push(listed);
    }
    Ok(out)
}

/// The validity periods of `codes` in the newest validity release of the
/// system, per code oldest first.
async fn validity(
    conn: &mut AnyConnection,
    releases: &Releases,
    system: CodeSystem,
    codes: &[&str],
) -> Result<HashMap<String, Vec<Period>>, sqlx::Error> {
    let mut out: HashMap<String, Vec<Period>> = HashMap::new();
    let Some(release) = releases.newest(system, ReleaseKind::Validity, "", None) else {
        return Ok(out);
    };
    let sql = format!(
        "SELECT code, valid_from, valid_to, mce_edits FROM code_validity \
         WHERE release_id = $1 AND code IN ({}) ORDER BY code, valid_from",
        placeholders(2, codes.len())
    );
    let mut query = sqlx::query(&sql).bind(release.release_id.clone());
    for code in codes {
        query = query.bind(code.to_string());
    }
    for row in query.fetch_all(conn).await? {
        out.entry(row.try_get("code")?).or_default().push(Period {
            from: row.try_get::<String, _>("valid_from")?.into(),
            to: row.try_get::<Option<String>, _>("valid_to")?.map(Arc::from),
            edits: row.try_get::<String, _>("mce_edits")?.into(),
        });
    }
    Ok(out)
}

/// The notes of `code` and its ancestors (nearest first) in the newest
/// ICD-10-CM code list — Excludes1/2, code first, use additional, code
/// also, 7th-character rules — for the edit engine.
pub async fn notes(conn: &mut AnyConnection, code: &str) -> Result<Vec<Note>, sqlx::Error> {
    let releases = Releases::load(conn).await?;
    let Some(release) = releases.newest(CodeSystem::Icd10Cm, ReleaseKind::Codes, "", None) else {
        return Ok(Vec::new());
    };
    let codes = BTreeSet::from([code.to_string()]);
    let mut found = notes_in(conn, &release.release_id, &codes).await?;
    Ok(found.remove(code).unwrap_or_default())
}

/// ICD-10-CM ancestors are prefixes of the code: the code itself first,
/// down to its 3-character category.
pub(crate) fn ancestry(code: &str) -> Vec<&str> {
    (3..=code.len())
        .rev()
        .filter_map(|n| code.get(..n))
        .collect()
}

/// Per code of `codes`, the notes of the code and of every ancestor in one
/// release, nearest first, tabular order within a code. A code without
/// notes is absent.
async fn notes_in(
    conn: &mut AnyConnection,
    release_id: &str,
    codes: &BTreeSet<String>,
) -> Result<HashMap<String, Vec<Note>>, sqlx::Error> {
    let prefixes: BTreeSet<&str> = codes.iter().flat_map(|c| ancestry(c)).collect();
    let mut out = HashMap::new();
    if prefixes.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT code, kind, text FROM code_notes WHERE release_id = $1 AND code IN ({}) \
         ORDER BY position",
        placeholders(2, prefixes.len())
    );
    let mut query = sqlx::query(&sql).bind(release_id.to_string());
    for p in &prefixes {
        query = query.bind(p.to_string());
    }
    let mut by_code: HashMap<String, Vec<Note>> = HashMap::new();
    for row in query.fetch_all(conn).await? {
        let from_code: String = row.try_get("code")?;
        let kind: String = row.try_get("kind")?;
        by_code.entry(from_code.clone()).or_default().push(Note {
            kind: note_kind("code_notes.kind", &kind)?,
            text: row.try_get("text")?,
            from_code,
        });
    }
    for code in codes {
        let notes: Vec<Note> = ancestry(code)
            .iter()
            .filter_map(|p| by_code.get(*p))
            .flatten()
            .cloned()
            .collect();
        if !notes.is_empty() {
            out.insert(code.clone(), notes);
        }
    }
    Ok(out)
}
