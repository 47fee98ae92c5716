//! The in-memory index of the loaded code-set releases: `GetCode` and
//! `SearchCodes` read it instead of querying per call.
//!
//! It holds what `store::lookup` would read for any code: every entry of
//! every code list, the validity periods of the newest validity release of
//! each system and the tabular notes of every code list; and the search
//! index over the newest code list of each system. Answers equal the
//! store's because the rows are the same and `store::lookup::resolve`
//! decides both. A built index never changes; [`super::index_cache`]
//! builds a new one when the releases change and swaps it in.
//!
//! Memory (see `build`): repeated text and identical period lists are
//! stored once, and codes are sorted vectors searched by binary search
//! rather than hash maps.

mod build;
mod tables;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use medbill_kernel::CalendarDate;

pub use tables::{ReleasesVersion, Tables, releases_version};

use super::domain::{AgeRange, CodeAnswer, CodeSystem, Note, NoteKind};
use super::search::{Hit, Query, SearchIndex};
use super::store::lookup::{self, Listed, Period};
use super::store::releases::{Release, Releases};

/// The loaded code sets, read once.
#[derive(Debug, Default)]
pub struct CodeSetIndex {
    version: ReleasesVersion,
    /// Why the release catalogue does not decode, when it does not: `GetCode`
    /// then fails as the store does (the store reads the whole catalogue
    /// per call); `SearchCodes` reads it leniently, as before.
    catalogue: Option<String>,
    /// The release catalogue, every kind, decoded (empty when
    /// `catalogue` says it does not decode).
    releases: Releases,
    /// The MCE age ranges of the newest ICD-10-CM validity release, every
    /// period, by edit.
    age_ranges: Vec<AgeRange>,
    /// Why a stored age range does not decode, when one does not.
    age_ranges_error: Option<String>,
    /// Per system, in [`CodeSystem::ALL`] order.
    systems: Vec<SystemCodes>,
    /// Per code-list release, per code, the notes written under the code.
    notes: HashMap<Arc<str>, HashMap<Arc<str>, Notes>>,
    search: SearchIndex,
}

/// The code lists and codes of one system.
#[derive(Debug, Default)]
struct SystemCodes {
    /// The system's code lists, newest first.
    lists: Vec<Release>,
    /// Every code any code list or the validity release knows, by code.
    codes: Vec<(Arc<str>, Known)>,
    /// The code-list entries of every code, each code's together.
    listed: Vec<Listed>,
}

/// What the releases say about one code.
#[derive(Debug)]
struct Known {
    /// Its code-list entries in [`SystemCodes::listed`], newest list first.
    listed: Range<u32>,
    /// Its periods in the newest validity release, oldest first.
    periods: Arc<[Period]>,
}

impl SystemCodes {
    /// The code-list entries and validity periods of `code`.
    fn find(&self, code: &str) -> Option<(&[Listed], &[Period])> {
        let at = self
            .codes
            .binary_search_by(|(known, _)| (**known).cmp(code))
            .ok()?;
        let known = &self.codes.get(at)?.1;
        let listed = self
            .listed
            .get(known.listed.start as usize..known.listed.end as usize)?;
        Some((listed, &known.periods))
    }
}

/// The notes of one code in one release, tabular order; `Err` names a
/// stored kind that does not decode.
type Notes = Result<Box<[(NoteKind, Arc<str>)]>, String>;

/// The error the store's decoders give for `message` (`stored <column>: …`).
fn decode_error(message: &str) -> sqlx::Error {
    sqlx::Error::Decode(message.into())
}

/// The position of `system` in [`CodeSystem::ALL`].
fn slot(system: CodeSystem) -> usize {
    match system {
        CodeSystem::Icd10Cm => 0,
        CodeSystem::Icd10Pcs => 1,
        CodeSystem::Cpt => 2,
        CodeSystem::Hcpcs => 3,
        CodeSystem::Modifier => 4,
    }
}

impl CodeSetIndex {
    /// The releases this index was built from.
    pub fn version(&self) -> &ReleasesVersion {
        &self.version
    }

    /// How many codes `GetCode` knows, all systems.
    pub fn code_count(&self) -> usize {
        self.systems.iter().map(|s| s.codes.len()).sum()
    }

    /// The search side, for `SearchCodes` and `SuggestCodes`.
    pub fn search_index(&self) -> &SearchIndex {
        &self.search
    }

    /// The best `query.limit` codes for `query` (as [`SearchIndex::search`]).
    pub fn search(&self, query: &Query) -> Vec<Hit<'_>> {
        self.search.search(query)
    }

    /// What `code` of `system` is on `date`, as `store::lookup::get_code`
    /// answers it; `None` when no loaded release of the system ever had it.
    pub fn get_code(
        &self,
        system: CodeSystem,
        code: &str,
        date: CalendarDate,
    ) -> Result<Option<CodeAnswer>, sqlx::Error> {
        if let Some(message) = &self.catalogue {
            return Err(decode_error(message));
        }
        let Some(codes) = self.systems.get(slot(system)) else {
            return Ok(None);
        };
        let Some((listed, periods)) = codes.find(code) else {
            return Ok(None);
        };
        let (mut answer, reference) =
            lookup::resolve(system, code, date, listed, periods, &codes.lists)?;
        if let Some(release) = reference {
            answer.notes = self.notes_of(&release, code)?;
        }
        Ok(Some(answer))
    }

    /// The release catalogue, every kind, as `Releases::load` reads it.
    pub fn releases(&self) -> Result<&Releases, sqlx::Error> {
        match &self.catalogue {
            Some(message) => Err(decode_error(message)),
            None => Ok(&self.releases),
        }
    }

    /// The MCE age ranges that apply on `date`, as `store::read` reads them
    /// from the newest ICD-10-CM validity release.
    pub fn age_ranges_on(&self, date: CalendarDate) -> Result<Vec<AgeRange>, sqlx::Error> {
        if let Some(message) = &self.age_ranges_error {
            return Err(decode_error(message));
        }
        Ok(self
            .age_ranges
            .iter()
            .filter(|r| r.valid_from <= date && r.valid_to.is_none_or(|to| to >= date))
            .cloned()
            .collect())
    }

    /// What each `(code, date)` of `system` is, as `store::lookup::answers`
    /// answers it; codes no loaded release ever had are absent.
    pub fn answers(
        &self,
        system: CodeSystem,
        wanted: &[(String, CalendarDate)],
    ) -> Result<HashMap<(String, CalendarDate), CodeAnswer>, sqlx::Error> {
        let mut out = HashMap::with_capacity(wanted.len());
        for (code, date) in wanted {
            if let Some(answer) = self.get_code(system, code, *date)? {
                out.insert((code.clone(), *date), answer);
            }
        }
        Ok(out)
    }

    /// The notes of `code` and of each ancestor in `release`, nearest first
    /// (the ancestors `lookup::ancestry` gives), in one allocation.
    fn notes_of(&self, release: &str, code: &str) -> Result<Vec<Note>, sqlx::Error> {
        let Some(by_code) = self.notes.get(release) else {
            return Ok(Vec::new());
        };
        let ancestors = || {
            (3..=code.len())
                .rev()
                .filter_map(|n| code.get(..n))
                .filter_map(|from_code| Some((from_code, by_code.get(from_code)?)))
        };
        let mut count = 0;
        for (_, notes) in ancestors() {
            match notes {
                Ok(notes) => count += notes.len(),
                Err(message) => return Err(decode_error(message)),
            }
        }
        let mut out = Vec::with_capacity(count);
        for (from_code, notes) in ancestors() {
            let notes = notes.as_deref().unwrap_or_default();
            out.extend(notes.iter().map(|(kind, text)| Note {
                kind: *kind,
                text: text.to_string(),
                from_code: from_code.to_string(),
            }));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
