//! Encounter domain types and the lifecycle of an encounter in coding.

use std::fmt;

use medbill_kernel::{CalendarDate, Npi, Redacted};
use medbill_platform::ServiceError;
use serde::{Deserialize, Serialize};

/// The setting of care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncounterType {
    /// Physician services (837P).
    Professional,
    /// Hospital outpatient (837I).
    Outpatient,
    /// Hospital inpatient (837I).
    Inpatient,
}

/// Administrative sex at the date of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Unknown.
    Unknown,
}

/// Queue priority; higher is worked first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// The default.
    Routine = 1,
    /// Expedited.
    High = 2,
    /// Re-opened after a coding-caused denial.
    DenialRework = 3,
}

/// Where an encounter is in coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncounterStatus {
    /// Waiting for a coder.
    Ready,
    /// A coder works it.
    InProgress,
    /// Waiting for a physician's answer.
    OnHold,
    /// Released to billing; read-only.
    Released,
}

/// What can happen to an encounter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// A coder takes it from the queue.
    Claim,
    /// The coder saves coding.
    Save,
    /// The coder asks the physician.
    Hold,
    /// The physician answered.
    Resume,
    /// Released to billing.
    Release,
    /// A coding-caused denial sends it back to the queue.
    Reopen,
}

impl EncounterStatus {
    /// The status after `transition`, or why it is not allowed now.
    pub fn apply(self, transition: Transition) -> Result<EncounterStatus, ServiceError> {
        use EncounterStatus::*;
        use Transition::*;
        let next = match (self, transition) {
            (Ready, Claim) => Some(InProgress),
            (InProgress, Save) => Some(InProgress),
            (InProgress, Hold) => Some(OnHold),
            (OnHold, Resume) => Some(InProgress),
            (InProgress, Release) => Some(Released),
            (Released, Reopen) => Some(Ready),
            (Ready, Save | Hold | Resume | Release | Reopen)
            | (InProgress, Claim | Resume | Reopen)
            | (OnHold, Claim | Save | Hold | Release | Reopen)
            | (Released, Claim | Save | Hold | Resume | Release) => None,
        };
        next.ok_or_else(|| {
            ServiceError::FailedPrecondition(format!(
                "the encounter is {self}; {transition:?} is not allowed (released encounters are read-only)"
            ))
        })
    }

    /// Stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            EncounterStatus::Ready => "ready",
            EncounterStatus::InProgress => "in_progress",
            EncounterStatus::OnHold => "on_hold",
            EncounterStatus::Released => "released",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Ready, Self::InProgress, Self::OnHold, Self::Released]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl fmt::Display for EncounterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl EncounterType {
    /// Stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            EncounterType::Professional => "professional",
            EncounterType::Outpatient => "outpatient",
            EncounterType::Inpatient => "inpatient",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Professional, Self::Outpatient, Self::Inpatient]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl Sex {
    /// Stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Unknown => "unknown",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Female, Self::Male, Self::Unknown]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl Priority {
    /// Parses the stored number.
    pub fn from_i64(n: i64) -> Option<Self> {
        match n {
            1 => Some(Priority::Routine),
            2 => Some(Priority::High),
            3 => Some(Priority::DenialRework),
            _ => None,
        }
    }
}

/// One diagnosis; position in the list is claim order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// ICD-10-CM code without the dot, upper case.
    pub code: String,
    /// Present-on-admission indicator, empty when not inpatient.
    pub present_on_admission: String,
}

/// One procedure or service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureLine {
    /// CPT/HCPCS (or ICD-10-PCS) code, upper case.
    pub code: String,
    /// Up to four modifiers.
    pub modifiers: Vec<String>,
    /// Units, at least 1.
    pub units: u32,
    /// 1-based diagnosis positions.
    pub diagnosis_pointers: Vec<u32>,
    /// The line's date of service (`YYYY-MM-DD` in the history's JSON).
    #[serde(with = "iso_date")]
    pub date_of_service: CalendarDate,
    /// Revenue code for institutional lines; empty otherwise.
    pub revenue_code: String,
}

/// The coding of an encounter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Coding {
    /// Diagnoses in claim order.
    pub diagnoses: Vec<Diagnosis>,
    /// Procedure lines in order.
    pub lines: Vec<ProcedureLine>,
}

impl Coding {
    /// Whether nothing is coded.
    pub fn is_empty(&self) -> bool {
        self.diagnoses.is_empty() && self.lines.is_empty()
    }
}

/// A validated encounter from a source system.
#[derive(Debug, Clone)]
pub struct NewEncounter {
    /// Sending system.
    pub source_system: String,
    /// Its encounter id (with `source_system`, the idempotency key).
    pub source_encounter_id: String,
    /// Medical record number.
    pub patient_mrn: Redacted<String>,
    /// Age in years on the first date of service.
    pub patient_age_years: u32,
    /// Sex at service.
    pub patient_sex: Sex,
    /// Rendering/attending provider.
    pub rendering_provider_npi: Npi,
    /// First date of service.
    pub dos_start: CalendarDate,
    /// Last date of service.
    pub dos_end: CalendarDate,
    /// CMS place of service code.
    pub place_of_service: String,
    /// Setting.
    pub encounter_type: EncounterType,
    /// Clinical documentation (patient data).
    pub documentation: Redacted<String>,
    /// Codes proposed by the source system.
    pub proposed: Coding,
    /// Queue priority.
    pub priority: Priority,
    /// Billing payer id, when known.
    pub payer_id: String,
    /// NPI of the service facility, when not the billing provider's
    /// address; empty when none.
    pub facility_npi: String,
    /// Admission and discharge, for an inpatient encounter only.
    pub inpatient_stay: Option<InpatientStay>,
}

/// The hospital stay of an inpatient encounter (UB-04 form locators
/// 12-17): admission on the first date of service, discharge on the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InpatientStay {
    /// Hour of admission, 0-23.
    pub admission_hour: u8,
    /// NUBC priority (type) of admission, one digit.
    pub admission_type: String,
    /// NUBC point of origin for admission, one character.
    pub admission_source: String,
    /// Hour of discharge, 0-23.
    pub discharge_hour: u8,
    /// NUBC patient discharge status, two digits.
    pub discharge_status: String,
}

/// NUBC priority (type) of admission codes (UB-04 FL 14).
pub const ADMISSION_TYPES: [&str; 6] = ["1", "2", "3", "4", "5", "9"];
/// NUBC point of origin for admission codes (UB-04 FL 15).
pub const ADMISSION_SOURCES: [&str; 11] = ["1", "2", "4", "5", "6", "8", "9", "D", "E", "F", "G"];
/// NUBC patient discharge status codes (UB-04 FL 17).
pub const DISCHARGE_STATUSES: [&str; 40] = [
    "01", "02", "03", "04", "05", "06", "07", "09", "20", "21", "30", "40", "41", "42", "43", "50",
    "51", "61", "62", "63", "64", "65", "66", "69", "70", "81", "82", "83", "84", "85", "86", "87",
    "88", "89", "90", "91", "92", "93", "94", "95",
];

/// A question to the physician.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysicianQuery {
    /// Id.
    pub query_id: String,
    /// The question.
    pub question: String,
    /// The coder who asked.
    pub asked_by: String,
    /// When (RFC 3339).
    pub asked_at: String,
    /// The answer, once given.
    pub answer: Option<String>,
    /// When answered.
    pub answered_at: Option<String>,
}

/// Why an encounter is back in the queue after release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rework {
    /// The denied claim the next release replaces.
    pub claim_id: String,
    /// CARC codes.
    pub carc_codes: Vec<String>,
    /// RARC codes.
    pub rarc_codes: Vec<String>,
    /// Note from billing.
    pub note: String,
    /// When billing asked.
    pub requested_at: String,
}

/// What a coding-caused denial sends back: the encounter to re-open and
/// why.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    /// The encounter to re-open.
    pub encounter_id: String,
    /// The denial and its codes.
    pub rework: Rework,
    /// Billing's denial id.
    pub denial_id: String,
}

/// An encounter as stored.
#[derive(Debug, Clone)]
pub struct Encounter {
    /// Id.
    pub encounter_id: String,
    /// Intake data.
    pub intake: NewEncounter,
    /// Saved coding.
    pub coding: Coding,
    /// Lifecycle status.
    pub status: EncounterStatus,
    /// Current priority.
    pub priority: Priority,
    /// The coder working it, or who last did.
    pub assigned_coder: Option<String>,
    /// Latest edit findings.
    pub findings: Vec<crate::edits::finding::Finding>,
    /// Physician queries, oldest first.
    pub queries: Vec<PhysicianQuery>,
    /// Present while re-opened by a denial.
    pub rework: Option<Rework>,
    /// When received (RFC 3339).
    pub received_at: String,
    /// When last released.
    pub released_at: Option<String>,
    /// Optimistic-concurrency version.
    pub version: u64,
    /// Times released.
    pub release_count: u32,
}

/// A `CalendarDate` as `YYYY-MM-DD` text in serialized codings (the coding
/// history keeps every saved coding as JSON).
mod iso_date {
    use medbill_kernel::CalendarDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &CalendarDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CalendarDate, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_released_encounter_is_read_only_until_a_denial_reopens_it() {
        let released = EncounterStatus::Released;
        for t in [
            Transition::Save,
            Transition::Hold,
            Transition::Claim,
            Transition::Release,
        ] {
            assert!(released.apply(t).is_err(), "{t:?}");
        }
        assert_eq!(
            released.apply(Transition::Reopen).unwrap(),
            EncounterStatus::Ready
        );
    }

    #[test]
    fn the_workbench_path_goes_ready_claimed_held_resumed_released() {
        let s = EncounterStatus::Ready.apply(Transition::Claim).unwrap();
        let s = s.apply(Transition::Save).unwrap();
        let s = s.apply(Transition::Hold).unwrap();
        assert_eq!(s, EncounterStatus::OnHold);
        assert!(
            s.apply(Transition::Save).is_err(),
            "no saving while on hold"
        );
        let s = s.apply(Transition::Resume).unwrap();
        assert_eq!(
            s.apply(Transition::Release).unwrap(),
            EncounterStatus::Released
        );
    }
}
