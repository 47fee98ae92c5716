//! Indexing the rows of [`Tables`] into a [`CodeSetIndex`]: CPU only, so
//! the caller runs it off the async workers.
//!
//! Memory is what matters here (the full public sets are ~200k codes):
//! every repeated text (codes, descriptions, parents, dates, edits, note
//! texts) is one shared `Arc<str>`; identical period lists are one shared
//! slice (most codes have the same few); the code-list entries of a system
//! are one vector that codes point into by range; the rows are consumed as
//! they are indexed.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::tables::{Tables, newest};
use super::{CodeSetIndex, Known, Notes, SystemCodes, slot};
use crate::codesets::domain::{AgeRange, CodeSystem, NoteKind};
use crate::codesets::search::{Entry, SearchIndex};
use crate::codesets::store::decode::{note_kind, parse_date, parse_opt_date};
use crate::codesets::store::lookup::{Listed, Period};
use crate::codesets::store::releases::{Release, Releases};
use crate::codesets::store::write::ReleaseKind;

/// Per system, something of each code.
type PerCode<T> = HashMap<Arc<str>, T>;

impl Tables {
    /// Indexes the rows.
    pub fn index(self) -> CodeSetIndex {
        let Tables {
            version,
            releases,
            codes,
            periods,
            notes,
            age_ranges,
        } = self;
        let mut strings = Strings::default();

        // The catalogue as the store decodes it; a row that does not decode
        // fails every `GetCode`, as `Releases::load` does.
        let mut catalogue = None;
        let mut decoded: HashMap<&str, Release> = HashMap::new();
        let mut release_ids: HashMap<&str, (usize, Arc<str>)> = HashMap::new();
        for (at, row) in releases.iter().enumerate() {
            release_ids.insert(&row.release_id, (at, strings.get(&row.release_id)));
            let effective = parse_date("code_set_releases.effective_from", &row.effective_from);
            match (CodeSystem::parse(&row.system), effective) {
                (Some(system), Ok(effective_from)) => {
                    let release = Release {
                        release_id: row.release_id.clone(),
                        system,
                        kind: row.kind.clone(),
                        scope: row.scope.clone(),
                        effective_from,
                    };
                    decoded.insert(&row.release_id, release);
                }
                (None, _) => {
                    catalogue.get_or_insert_with(|| {
                        format!(
                            "stored code_set_releases.system: {:?} is not a code system",
                            row.system
                        )
                    });
                }
                (_, Err(e)) => {
                    catalogue.get_or_insert_with(|| decoded_message(e));
                }
            }
        }

        // Validity periods per system and code, oldest first; a list of
        // periods several codes share is stored once.
        let empty: Arc<[Period]> = Arc::from(Vec::new());
        let mut shared_lists: HashMap<Vec<Period>, Arc<[Period]>> = HashMap::new();
        let mut periods_of: Vec<PerCode<Arc<[Period]>>> = per_system();
        for (system, rows) in periods {
            let mut by_code: PerCode<Vec<Period>> = HashMap::new();
            for row in rows {
                by_code
                    .entry(strings.get(&row.code))
                    .or_default()
                    .push(Period {
                        from: strings.get(&row.from),
                        to: row.to.as_deref().map(|t| strings.get(t)),
                        edits: strings.get(&row.edits),
                    });
            }
            periods_of[slot(system)] = by_code
                .into_iter()
                .map(|(code, list)| {
                    let shared = shared_lists
                        .entry(list)
                        .or_insert_with_key(|list| Arc::from(list.as_slice()));
                    (code, shared.clone())
                })
                .collect();
        }
        drop(shared_lists);

        // Code-list entries per system and code (with the position of
        // their list, newest first), and the search entries of each
        // system's newest code list.
        let newest_lists: Vec<Option<(&str, Arc<str>)>> = CodeSystem::ALL
            .iter()
            .map(|s| {
                newest(&releases, *s, ReleaseKind::Codes)
                    .map(|r| (r.release_id.as_str(), strings.get(&r.effective_from)))
            })
            .collect();
        let mut listed_of: Vec<PerCode<Vec<(usize, Listed)>>> = per_system();
        let mut entries_of: Vec<Vec<Entry>> = CodeSystem::ALL.iter().map(|_| Vec::new()).collect();
        for row in codes {
            let Some((at, release_id)) = release_ids.get(row.release_id.as_str()) else {
                // Committed after the catalogue was read.
                continue;
            };
            let code = strings.get(&row.code);
            let description = strings.get(&row.description);
            let parent = strings.get(&row.parent);
            for system in CodeSystem::ALL {
                let Some((newest_id, listed_from)) = &newest_lists[slot(system)] else {
                    continue;
                };
                if *newest_id == row.release_id {
                    entries_of[slot(system)].push(Entry::new(
                        system,
                        code.clone(),
                        description.clone(),
                        row.is_header,
                        parent.clone(),
                        periods_of[slot(system)]
                            .get(&code)
                            .cloned()
                            .unwrap_or_else(|| empty.clone()),
                        listed_from.clone(),
                    ));
                }
            }
            if let (Some(system), Some(release)) = (
                CodeSystem::parse(&row.system),
                decoded.get(row.release_id.as_str()),
            ) {
                let listed = Listed {
                    release_id: release_id.clone(),
                    effective_from: release.effective_from,
                    is_header: row.is_header,
                    description,
                    parent,
                };
                listed_of[slot(system)]
                    .entry(code)
                    .or_default()
                    .push((*at, listed));
            }
        }

        // Per system: every code sorted, its entries together, newest first.
        let mut systems = Vec::with_capacity(CodeSystem::ALL.len());
        for ((system, mut listed_by_code), mut periods_by_code) in
            CodeSystem::ALL.into_iter().zip(listed_of).zip(periods_of)
        {
            let mut known: Vec<Arc<str>> = listed_by_code
                .keys()
                .chain(periods_by_code.keys())
                .cloned()
                .collect();
            known.sort();
            known.dedup();
            let total = listed_by_code.values().map(Vec::len).sum();
            let mut listed = Vec::with_capacity(total);
            let mut codes = Vec::with_capacity(known.len());
            for code in known {
                let start = listed.len();
                if let Some(mut found) = listed_by_code.remove(&code) {
                    found.sort_by_key(|(at, _)| *at);
                    listed.extend(found.into_iter().map(|(_, l)| l));
                }
                let periods = periods_by_code
                    .remove(&code)
                    .unwrap_or_else(|| empty.clone());
                let range = start as u32..listed.len() as u32;
                codes.push((
                    code,
                    Known {
                        listed: range,
                        periods,
                    },
                ));
            }
            let lists = releases
                .iter()
                .filter_map(|r| decoded.get(r.release_id.as_str()))
                .filter(|r| r.system == system && r.kind == ReleaseKind::Codes.as_str())
                .cloned()
                .collect();
            systems.push(SystemCodes {
                lists,
                codes,
                listed,
            });
        }

        // Notes per release and code, tabular order.
        type Growing = Result<Vec<(NoteKind, Arc<str>)>, String>;
        let mut growing: HashMap<Arc<str>, PerCode<Growing>> = HashMap::new();
        for row in notes {
            let Some((_, release_id)) = release_ids.get(row.release_id.as_str()) else {
                continue;
            };
            let of_code = growing
                .entry(release_id.clone())
                .or_default()
                .entry(strings.get(&row.code))
                .or_insert_with(|| Ok(Vec::new()));
            let Ok(list) = of_code else {
                continue;
            };
            match note_kind("code_notes.kind", &row.kind) {
                Ok(kind) => list.push((kind, strings.get(&row.text))),
                Err(e) => *of_code = Err(decoded_message(e)),
            }
        }
        let notes: HashMap<Arc<str>, PerCode<Notes>> = growing
            .into_iter()
            .map(|(release, by_code)| {
                let by_code = by_code
                    .into_iter()
                    .map(|(code, list)| (code, list.map(Vec::into_boxed_slice)))
                    .collect();
                (release, by_code)
            })
            .collect();

        let mut entries = Vec::with_capacity(entries_of.iter().map(Vec::len).sum());
        for mut of_system in entries_of {
            of_system.sort_by(|a, b| a.code.cmp(&b.code));
            entries.append(&mut of_system);
        }
        let catalogue_newest_first = Releases::from_newest_first(
            releases
                .iter()
                .filter_map(|r| decoded.get(r.release_id.as_str()))
                .cloned()
                .collect(),
        );
        let age_ranges = age_ranges
            .into_iter()
            .map(|row| {
                Ok(AgeRange {
                    valid_from: parse_date("mce_age_ranges.valid_from", &row.from)?,
                    valid_to: parse_opt_date("mce_age_ranges.valid_to", row.to.as_deref())?,
                    edit: row.edit,
                    low_age: row.low_age,
                    high_age: row.high_age,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>();
        let (age_ranges, age_ranges_error) = match age_ranges {
            Ok(ranges) => (ranges, None),
            Err(e) => (Vec::new(), Some(decoded_message(e))),
        };
        CodeSetIndex {
            version,
            catalogue,
            releases: catalogue_newest_first,
            age_ranges,
            age_ranges_error,
            systems,
            notes,
            search: SearchIndex::build(entries),
        }
    }
}

/// One empty map per system.
fn per_system<T>() -> Vec<PerCode<T>> {
    CodeSystem::ALL.iter().map(|_| HashMap::new()).collect()
}

/// The message of a decode error, to give the same error again later.
fn decoded_message(e: sqlx::Error) -> String {
    match e {
        sqlx::Error::Decode(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

/// Shared copies of repeated text: one allocation per distinct string.
#[derive(Default)]
struct Strings(HashSet<Arc<str>>);

impl Strings {
    fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(shared.clone());
        shared
    }
}
