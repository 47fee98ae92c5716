//! What the edits look at: the coding and the encounter facts around it.

use medbill_kernel::CalendarDate;

use crate::encounters::domain::{Coding, EncounterType};

/// What the structural edits look at.
pub struct EditInput<'a> {
    /// The coding to check.
    pub coding: &'a Coding,
    /// The setting (decides claim-form limits).
    pub encounter_type: EncounterType,
}

/// What the code-set edits look at.
pub struct CodeSetInput<'a> {
    /// The coding.
    pub coding: &'a Coding,
    /// The setting.
    pub encounter_type: EncounterType,
    /// Age in years on the first date of service.
    pub age_years: u32,
    /// First date of service (diagnoses are checked on it).
    pub date_of_service: CalendarDate,
}

impl CodeSetInput<'_> {
    /// The date of service of procedure line `index` (the first date of
    /// service for an index past the last line).
    pub fn line_date(&self, index: usize) -> CalendarDate {
        self.coding
            .lines
            .get(index)
            .map_or(self.date_of_service, |l| l.date_of_service)
    }
}
