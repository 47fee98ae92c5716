//! Coverages: which payer covers a patient at which rank in the
//! coordination-of-benefits order, for which dates, and through which
//! subscriber.

use medbill_kernel::{CalendarDate, DateRange, PatientId, PayerId, Redacted};

use super::domain::{PersonName, Sex};

medbill_kernel::typed_id!(
    /// One insurance coverage of a patient.
    CoverageId,
    "coverage"
);

/// The patient's relationship to the subscriber (SBR02 / PAT01).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// `18`: the patient is the subscriber.
    SelfInsured,
    /// `01`
    Spouse,
    /// `19`
    Child,
    /// `G8`
    Other,
}

impl Relationship {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::SelfInsured => "self",
            Relationship::Spouse => "spouse",
            Relationship::Child => "child",
            Relationship::Other => "other",
        }
    }

    /// The relationship of a stored name.
    pub fn parse(text: &str) -> Option<Relationship> {
        match text {
            "self" => Some(Relationship::SelfInsured),
            "spouse" => Some(Relationship::Spouse),
            "child" => Some(Relationship::Child),
            "other" => Some(Relationship::Other),
            _ => None,
        }
    }

    /// The X12 individual relationship code.
    pub fn x12_code(self) -> &'static str {
        match self {
            Relationship::SelfInsured => "18",
            Relationship::Spouse => "01",
            Relationship::Child => "19",
            Relationship::Other => "G8",
        }
    }
}

/// The subscriber of a coverage who is not the patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    /// Name.
    pub name: Redacted<PersonName>,
    /// Birth date.
    pub birth_date: Redacted<CalendarDate>,
    /// Sex.
    pub sex: Sex,
}

/// An insurance coverage of a patient at a rank in the COB order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Its id.
    pub coverage_id: CoverageId,
    /// The patient covered.
    pub patient_id: PatientId,
    /// The payer.
    pub payer_id: PayerId,
    /// 1 primary, 2 secondary, 3 tertiary.
    pub rank: u8,
    /// The member id on the card (patient data).
    pub member_id: Redacted<String>,
    /// The group number, may be empty.
    pub group_number: String,
    /// The patient's relationship to the subscriber.
    pub relationship: Relationship,
    /// The subscriber; `None` exactly when the patient is the subscriber.
    pub subscriber: Option<Subscriber>,
    /// When it is in force.
    pub effective: DateRange,
}

impl Coverage {
    /// Whether it is in force on `date`.
    pub fn in_force_on(&self, date: CalendarDate) -> bool {
        self.effective.contains(date)
    }

    /// Whether its dates overlap `other`'s.
    pub fn overlaps(&self, other: DateRange) -> bool {
        let starts_before_other_ends = other.end().is_none_or(|end| self.effective.start() <= end);
        let other_starts_before_this_ends =
            self.effective.end().is_none_or(|end| other.start() <= end);
        starts_before_other_ends && other_starts_before_this_ends
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(d: u32) -> CalendarDate {
        CalendarDate::from_ymd(2026, 10, d).unwrap()
    }

    fn coverage(start: u32, end: Option<u32>) -> Coverage {
        Coverage {
            coverage_id: CoverageId::new(),
            patient_id: PatientId::new(),
            payer_id: PayerId::new(),
            rank: 1,
            member_id: "M1".to_string().into(),
            group_number: String::new(),
            relationship: Relationship::SelfInsured,
            subscriber: None,
            effective: DateRange::new(day(start), end.map(day)).unwrap(),
        }
    }

    #[test]
    fn coverages_overlap_when_neither_ends_before_the_other_starts() {
        let c = coverage(10, Some(20));
        assert!(c.overlaps(DateRange::new(day(20), None).unwrap()));
        assert!(c.overlaps(DateRange::new(day(1), Some(day(10))).unwrap()));
        assert!(!c.overlaps(DateRange::new(day(21), None).unwrap()));
        assert!(!c.overlaps(DateRange::new(day(1), Some(day(9))).unwrap()));
        assert!(coverage(10, None).overlaps(DateRange::new(day(30), None).unwrap()));
    }

    #[test]
    fn a_coverage_is_in_force_from_its_start_through_its_end() {
        let c = coverage(10, Some(20));
        assert!(!c.in_force_on(day(9)));
        assert!(c.in_force_on(day(10)));
        assert!(c.in_force_on(day(20)));
        assert!(!c.in_force_on(day(21)));
    }
}
