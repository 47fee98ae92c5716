//! The code-set facts the coding edits of one encounter need: what each
//! code is on its date, the NCCI pairs among the procedure codes, the MUE
//! values and the MCE age ranges. The store reads them in one round of
//! queries ([`super::store::facts::load`]); the edits then run on this plain
//! value without touching the database, so they can be tested by building
//! one by hand. No I/O here.

use std::collections::{BTreeSet, HashMap};

use medbill_kernel::CalendarDate;

use super::domain::{AgeRange, CodeAnswer, CodeSystem, MueValue, NcciPair};

/// What to read the facts for.
#[derive(Debug, Clone)]
pub struct FactsRequest {
    /// The first date of service: diagnoses and age ranges are read on it.
    pub date_of_service: CalendarDate,
    /// ICD-10-CM diagnosis codes.
    pub diagnoses: Vec<String>,
    /// Each procedure line's code and date of service.
    pub lines: Vec<(String, CalendarDate)>,
}

/// What the loaded code sets say about one encounter's codes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeSetFacts {
    /// Whether an ICD-10-CM code list is loaded. When it is not, or while
    /// [`CodeSetFacts::unfinished_import`] is set, nothing else is read.
    pub icd10cm_loaded: bool,
    /// When the newest import of the fetched public code sets started, if
    /// it has not finished: the loaded code sets are partial until it does.
    pub unfinished_import: Option<String>,
    /// ICD-10-CM on the date of service: each diagnosis, and the
    /// 6-character parent of each 7-character one. A code no loaded release
    /// ever had is absent.
    pub diagnoses: HashMap<String, CodeAnswer>,
    /// Procedure systems with a loaded code list or validity periods (the
    /// others are not checked).
    pub procedure_systems: BTreeSet<CodeSystem>,
    /// Procedure codes of those systems on their line's date, by (code,
    /// date); a code no loaded release ever had is absent.
    pub procedures: HashMap<(String, CalendarDate), CodeAnswer>,
    /// Care settings with a loaded NCCI PTP release.
    pub ncci_settings: BTreeSet<String>,
    /// NCCI pairs among the procedure codes (both columns), from the newest
    /// release of each setting, every period, ordered by setting then
    /// column 1 and column 2.
    pub ncci_pairs: Vec<NcciPair>,
    /// Care settings with a loaded MUE release.
    pub mue_settings: BTreeSet<String>,
    /// MUE values by (setting, code, date of service), from the newest
    /// release of the setting in effect on the date.
    pub mue_values: HashMap<(String, String, CalendarDate), MueValue>,
    /// The MCE age ranges that apply on the date of service.
    pub age_ranges: Vec<AgeRange>,
}

impl CodeSetFacts {
    /// What ICD-10-CM `code` is on the date of service.
    pub fn diagnosis(&self, code: &str) -> Option<&CodeAnswer> {
        self.diagnoses.get(code)
    }

    /// What procedure `code` is on `date`.
    pub fn procedure(&self, code: &str, date: CalendarDate) -> Option<&CodeAnswer> {
        self.procedures.get(&(code.to_string(), date))
    }

    /// The NCCI pairs of `setting` in effect on `date` whose two codes are
    /// both among `codes`.
    pub fn ncci_pairs_on<'a>(
        &'a self,
        setting: &'a str,
        date: CalendarDate,
        codes: &'a [&'a str],
    ) -> impl Iterator<Item = &'a NcciPair> + 'a {
        self.ncci_pairs.iter().filter(move |p| {
            p.setting == setting
                && p.in_effect_on(date)
                && codes.contains(&p.column1.as_str())
                && codes.contains(&p.column2.as_str())
        })
    }

    /// The MUE value of `code` for `setting` on `date`.
    pub fn mue(&self, setting: &str, code: &str, date: CalendarDate) -> Option<&MueValue> {
        self.mue_values
            .get(&(setting.to_string(), code.to_string(), date))
    }
}
