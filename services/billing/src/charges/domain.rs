//! A released encounter as billing keeps it, and the charges made from it.

use medbill_kernel::{CalendarDate, DateRange, EncounterId, Money, PatientId, Redacted};

use crate::pricing::domain::HoldReason;

medbill_kernel::typed_id!(
    /// One charge (a priced or held service line).
    ChargeId,
    "charge"
);

/// What kind of encounter was coded; it decides the claim form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncounterType {
    /// Physician services (837P).
    Professional,
    /// Hospital outpatient (837I, type of bill 13x).
    Outpatient,
    /// Hospital inpatient (837I, type of bill 11x).
    Inpatient,
    /// Coding did not say.
    Unspecified,
}

impl EncounterType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EncounterType::Professional => "professional",
            EncounterType::Outpatient => "outpatient",
            EncounterType::Inpatient => "inpatient",
            EncounterType::Unspecified => "unspecified",
        }
    }

    /// The type of a stored name.
    pub fn parse(text: &str) -> Option<EncounterType> {
        [
            EncounterType::Professional,
            EncounterType::Outpatient,
            EncounterType::Inpatient,
            EncounterType::Unspecified,
        ]
        .into_iter()
        .find(|t| t.as_str() == text)
    }
}

/// The hospital stay of an inpatient release (UB-04 form locators 12-17):
/// the 837I's DTP*435, DTP*096 and CL1. Admission is on the first date of
/// service, discharge on the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InpatientStay {
    /// Hour of admission, 0-23.
    pub admission_hour: u8,
    /// NUBC priority (type) of admission.
    pub admission_type: String,
    /// NUBC point of origin for admission.
    pub admission_source: String,
    /// Hour of discharge, 0-23.
    pub discharge_hour: u8,
    /// NUBC patient discharge status.
    pub discharge_status: String,
}

/// An ICD-10-PCS procedure of an inpatient stay and the day it was
/// performed (837I HI BBR/BBQ).
pub type Procedure = (String, CalendarDate);

/// Procedures as stored: `CODE@YYYY-MM-DD`, comma-separated, principal
/// first.
pub fn procedures_text(procedures: &[Procedure]) -> String {
    procedures
        .iter()
        .map(|(code, day)| format!("{code}@{day}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Procedures from their stored text; `None` when malformed.
pub fn parse_procedures(text: &str) -> Option<Vec<Procedure>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',')
        .map(|p| {
            let (code, day) = p.split_once('@')?;
            Some((code.to_string(), day.parse().ok()?))
        })
        .collect()
}

/// Whether a diagnosis was present when the inpatient admission was
/// ordered, as coding recorded it (UB-04 FL 67; 837I HI0n-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresentOnAdmission {
    /// `Y`: present.
    Yes,
    /// `N`: not present.
    No,
    /// `U`: the documentation does not say.
    Unknown,
    /// `W`: the provider cannot clinically determine it.
    ClinicallyUndetermined,
    /// `1`: the code is exempt from POA reporting (sent blank on a 5010
    /// 837I, which has no code for it).
    Exempt,
}

impl PresentOnAdmission {
    /// Every indicator.
    pub const ALL: [PresentOnAdmission; 5] = [
        PresentOnAdmission::Yes,
        PresentOnAdmission::No,
        PresentOnAdmission::Unknown,
        PresentOnAdmission::ClinicallyUndetermined,
        PresentOnAdmission::Exempt,
    ];

    /// Coding's (and the UB-04's) code, which is also the stored one.
    pub fn as_str(self) -> &'static str {
        match self {
            PresentOnAdmission::Yes => "Y",
            PresentOnAdmission::No => "N",
            PresentOnAdmission::Unknown => "U",
            PresentOnAdmission::ClinicallyUndetermined => "W",
            PresentOnAdmission::Exempt => "1",
        }
    }

    /// The indicator of a code; `None` for any other text.
    pub fn parse(text: &str) -> Option<PresentOnAdmission> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// One diagnosis of a release or claim, in claim order (the first is the
/// principal one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// ICD-10-CM code without its dot.
    pub code: String,
    /// Coding's present-on-admission indicator; `None` when it sent none
    /// (or one it does not allow), and on releases and claims stored before
    /// billing kept them.
    pub present_on_admission: Option<PresentOnAdmission>,
}

impl From<&str> for Diagnosis {
    /// A diagnosis without a present-on-admission indicator.
    fn from(code: &str) -> Self {
        Diagnosis {
            code: code.to_string(),
            present_on_admission: None,
        }
    }
}

/// Diagnoses as stored: the codes comma-separated (`diagnoses`), and their
/// indicators in the same positions (`present_on_admission`, an empty
/// entry for none; the empty text when none has one).
pub fn diagnoses_text(diagnoses: &[Diagnosis]) -> (String, String) {
    let codes = diagnoses
        .iter()
        .map(|d| d.code.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let indicators = if diagnoses.iter().all(|d| d.present_on_admission.is_none()) {
        String::new()
    } else {
        diagnoses
            .iter()
            .map(|d| {
                d.present_on_admission
                    .map_or("", PresentOnAdmission::as_str)
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    (codes, indicators)
}

/// Diagnoses from their stored columns; `None` when the indicators are
/// neither empty nor one per code.
pub fn parse_diagnoses(codes: &str, indicators: &str) -> Option<Vec<Diagnosis>> {
    let codes: Vec<&str> = codes.split(',').filter(|c| !c.is_empty()).collect();
    if indicators.is_empty() {
        return Some(
            codes
                .into_iter()
                .map(|code| Diagnosis {
                    code: code.to_string(),
                    present_on_admission: None,
                })
                .collect(),
        );
    }
    let indicators: Vec<&str> = indicators.split(',').collect();
    if indicators.len() != codes.len() {
        return None;
    }
    codes
        .into_iter()
        .zip(indicators)
        .map(|(code, poa)| {
            Some(Diagnosis {
                code: code.to_string(),
                present_on_admission: match poa {
                    "" => None,
                    _ => Some(PresentOnAdmission::parse(poa)?),
                },
            })
        })
        .collect()
}

/// One procedure line of a release, as coding sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasedLine {
    /// CPT/HCPCS (or ICD-10-PCS) code as sent.
    pub code: String,
    /// Modifiers in order.
    pub modifiers: Vec<String>,
    /// Units (coding sends at least 1).
    pub units: u32,
    /// 1-based positions in the diagnosis list.
    pub diagnosis_pointers: Vec<u32>,
    /// The line's date of service, else the encounter's first.
    pub date_of_service: Option<CalendarDate>,
    /// A revenue code coding sent for an institutional line; empty if none.
    pub revenue_code: String,
}

/// One release of a coded encounter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The encounter.
    pub encounter_id: EncounterId,
    /// 1 for the first release, then 2, 3, ...
    pub release_number: u32,
    /// The patient's MRN.
    pub patient_mrn: Redacted<String>,
    /// The rendering provider's NPI as sent.
    pub rendering_provider_npi: String,
    /// First and last dates of service, if sent.
    pub dates_of_service: Option<DateRange>,
    /// CMS place of service code.
    pub place_of_service: String,
    /// The kind of encounter.
    pub encounter_type: EncounterType,
    /// Its diagnoses, in order.
    pub diagnoses: Vec<Diagnosis>,
    /// Its lines.
    pub lines: Vec<ReleasedLine>,
    /// The claim a re-release replaces; empty on a first release.
    pub replaces_claim_id: String,
    /// The payer coding named, if any.
    pub payer_id: String,
    /// NPI of the service facility coding named; empty when none.
    pub facility_npi: String,
    /// Admission and discharge of an inpatient release; `None` for any
    /// other, or when coding sent no stay.
    pub inpatient: Option<InpatientStay>,
    /// The ICD-10-PCS procedures of an inpatient release, which coding
    /// sends as lines: they go on the claim, not into charges.
    pub procedures: Vec<Procedure>,
}

/// What pricing made of a charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// Priced: the amount for all units and the revenue code (empty when
    /// neither coding nor the charge master gave one).
    Priced {
        /// The charge.
        amount: Money,
        /// The revenue code.
        revenue_code: String,
    },
    /// Held: no amount, and why.
    Held(HoldReason),
}

/// A charge made from one line of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// Its id.
    pub charge_id: ChargeId,
    /// The encounter.
    pub encounter_id: EncounterId,
    /// The release it came from.
    pub release_number: u32,
    /// The line's position in the release (1-based).
    pub line_number: u32,
    /// The registered patient; `None` when no patient has the MRN.
    pub patient_id: Option<PatientId>,
    /// The procedure code as sent.
    pub code: String,
    /// Modifiers in order.
    pub modifiers: Vec<String>,
    /// Units.
    pub units: u32,
    /// Diagnosis pointers.
    pub diagnosis_pointers: Vec<u32>,
    /// Date of service.
    pub date_of_service: Option<CalendarDate>,
    /// Priced or held.
    pub outcome: ChargeOutcome,
    /// The claim billing it, once billed.
    pub claim_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedures_read_back_as_they_were_stored() {
        let day = |d: &str| d.parse::<CalendarDate>().unwrap();
        let procedures = vec![
            ("0DTJ4ZZ".to_string(), day("2026-06-02")),
            ("BW03ZZZ".to_string(), day("2026-06-01")),
        ];
        let text = procedures_text(&procedures);
        assert_eq!(text, "0DTJ4ZZ@2026-06-02,BW03ZZZ@2026-06-01");
        assert_eq!(parse_procedures(&text), Some(procedures));
        assert_eq!(parse_procedures(""), Some(Vec::new()));
        assert_eq!(parse_procedures("0DTJ4ZZ@2026-13-01"), None);
        assert_eq!(parse_procedures("0DTJ4ZZ"), None);
    }

    fn dx(code: &str, poa: Option<PresentOnAdmission>) -> Diagnosis {
        Diagnosis {
            code: code.into(),
            present_on_admission: poa,
        }
    }

    #[test]
    fn diagnoses_read_back_with_their_indicators_in_position() {
        use PresentOnAdmission::*;
        let diagnoses = vec![
            dx("J189", Some(Yes)),
            dx("Z7901", Some(Exempt)),
            dx("R410", None),
            dx("L89152", Some(No)),
        ];
        let (codes, indicators) = diagnoses_text(&diagnoses);
        assert_eq!(
            (codes.as_str(), indicators.as_str()),
            ("J189,Z7901,R410,L89152", "Y,1,,N")
        );
        assert_eq!(parse_diagnoses(&codes, &indicators), Some(diagnoses));
        // Without any indicator (every release and claim stored before
        // billing kept them) the column is empty.
        let plain = vec![dx("E119", None), dx("I10", None)];
        assert_eq!(diagnoses_text(&plain), ("E119,I10".into(), String::new()));
        assert_eq!(parse_diagnoses("E119,I10", ""), Some(plain));
        assert_eq!(parse_diagnoses("", ""), Some(Vec::new()));
        assert_eq!(parse_diagnoses("E119,I10", "Y"), None);
        assert_eq!(parse_diagnoses("E119", "X"), None);
    }
}
