//! Registry types: what a payer, a provider, a patient and a coverage must
//! hold before a claim can name them. Patient data is held in [`Redacted`]
//! so no `Debug` or log line prints it.

use medbill_kernel::{AccountId, CalendarDate, Npi, PatientId, PayerId, Redacted};

medbill_kernel::typed_id!(
    /// A billing, rendering or attending provider in the registry.
    ProviderId,
    "provider"
);

/// The claim filing indicator of a payer (X12 SBR09).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilingIndicator {
    /// `MB`
    MedicarePartB,
    /// `MA`
    MedicarePartA,
    /// `MC`
    Medicaid,
    /// `CI`
    Commercial,
    /// `BL`
    BlueCross,
    /// `HM`
    Hmo,
    /// `CH`
    Tricare,
    /// `09`
    SelfPay,
}

impl FilingIndicator {
    /// Every indicator, for parsing.
    const ALL: [FilingIndicator; 8] = [
        FilingIndicator::MedicarePartB,
        FilingIndicator::MedicarePartA,
        FilingIndicator::Medicaid,
        FilingIndicator::Commercial,
        FilingIndicator::BlueCross,
        FilingIndicator::Hmo,
        FilingIndicator::Tricare,
        FilingIndicator::SelfPay,
    ];

    /// The SBR09 code.
    pub fn code(self) -> &'static str {
        match self {
            FilingIndicator::MedicarePartB => "MB",
            FilingIndicator::MedicarePartA => "MA",
            FilingIndicator::Medicaid => "MC",
            FilingIndicator::Commercial => "CI",
            FilingIndicator::BlueCross => "BL",
            FilingIndicator::Hmo => "HM",
            FilingIndicator::Tricare => "CH",
            FilingIndicator::SelfPay => "09",
        }
    }

    /// The indicator of an SBR09 code.
    pub fn from_code(code: &str) -> Option<FilingIndicator> {
        Self::ALL.into_iter().find(|i| i.code() == code)
    }
}

/// The X12 claim form a claim is sent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClaimForm {
    /// 837P, professional.
    Professional,
    /// 837I, institutional.
    Institutional,
}

impl ClaimForm {
    /// The stored name (`837P`, `837I`).
    pub fn code(self) -> &'static str {
        match self {
            ClaimForm::Professional => "837P",
            ClaimForm::Institutional => "837I",
        }
    }

    /// The form of a stored name.
    pub fn from_code(code: &str) -> Option<ClaimForm> {
        match code {
            "837P" => Some(ClaimForm::Professional),
            "837I" => Some(ClaimForm::Institutional),
            _ => None,
        }
    }
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// Street line.
    pub line1: String,
    /// Second line, may be empty.
    pub line2: String,
    /// City.
    pub city: String,
    /// Two-letter state code.
    pub state: String,
    /// ZIP code, five or nine digits.
    pub postal_code: String,
}

/// A person's name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonName {
    /// Family name.
    pub last: String,
    /// Given name.
    pub first: String,
    /// Middle name or initial, may be empty.
    pub middle: String,
    /// Suffix (`Jr`), may be empty.
    pub suffix: String,
}

/// Administrative sex as claims carry it (DMG03).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// `F`
    Female,
    /// `M`
    Male,
    /// `U`
    Unknown,
}

impl Sex {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Unknown => "unknown",
        }
    }

    /// The sex of a stored name.
    pub fn parse(text: &str) -> Option<Sex> {
        match text {
            "female" => Some(Sex::Female),
            "male" => Some(Sex::Male),
            "unknown" => Some(Sex::Unknown),
            _ => None,
        }
    }
}

/// A payer claims are sent to, with the rules that vary by payer held as
/// data: its filing indicator, forms, timely-filing and appeal windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    /// Its id.
    pub payer_id: PayerId,
    /// Its name (2010BB NM103).
    pub name: String,
    /// Its id at the clearinghouse (2010BB NM109).
    pub electronic_payer_id: String,
    /// SBR09.
    pub filing_indicator: FilingIndicator,
    /// Days from the date of service within which a claim must be filed.
    pub timely_filing_days: u32,
    /// Days from the initial determination within which it takes an appeal.
    pub appeal_window_days: u32,
    /// The forms it takes, sorted, at least one.
    pub claim_forms: Vec<ClaimForm>,
    /// Where paper goes.
    pub address: Address,
    /// The fee schedule pricing its claims; `None` for the charge master.
    pub fee_schedule_id: Option<String>,
    /// Whether claims may be sent to it.
    pub active: bool,
    /// Days after submission without adjudication before its claims are
    /// followed up.
    pub follow_up_days: u32,
}

/// An Employer Identification Number: nine digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ein(String);

impl Ein {
    /// Parses `12-3456789` or `123456789`.
    pub fn parse(text: &str) -> Option<Ein> {
        let digits: String = text.trim().chars().filter(|c| *c != '-').collect();
        (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(Ein(digits))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A healthcare provider taxonomy code: ten characters, digits and capital
/// letters (`207Q00000X`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy(String);

impl Taxonomy {
    /// Parses a taxonomy code (letters are upper-cased).
    pub fn parse(text: &str) -> Option<Taxonomy> {
        let code = text.trim().to_ascii_uppercase();
        (code.len() == 10 && code.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then_some(Taxonomy(code))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A billing, rendering or attending provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// Its id.
    pub provider_id: ProviderId,
    /// Its NPI (Luhn-checked).
    pub npi: Npi,
    /// Organization name, or the person's family name.
    pub name: String,
    /// The person's given name; empty for an organization.
    pub first_name: String,
    /// Whether it is an organization (NM102 `2`) rather than a person (`1`).
    pub organization: bool,
    /// Its EIN; billing providers need one.
    pub tax_id: Option<Ein>,
    /// Its taxonomy code (PRV03).
    pub taxonomy: Taxonomy,
    /// Its address.
    pub address: Address,
}

/// A patient as billing knows them; every field but the ids is patient
/// data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    /// Its id.
    pub patient_id: PatientId,
    /// The hospital's medical record number.
    pub mrn: Redacted<String>,
    /// Name.
    pub name: Redacted<PersonName>,
    /// Birth date.
    pub birth_date: Redacted<CalendarDate>,
    /// Sex.
    pub sex: Sex,
    /// Home address.
    pub address: Redacted<Address>,
    /// The guarantor account in payments that receives statements.
    pub guarantor_account_id: AccountId,
}

impl Patient {
    /// Whether `other` describes the same person (what makes a repeated
    /// registration with the same MRN harmless).
    pub fn same_person(&self, other: &Patient) -> bool {
        self.mrn.expose() == other.mrn.expose()
            && self.name.expose() == other.name.expose()
            && self.birth_date.expose() == other.birth_date.expose()
            && self.sex == other.sex
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(d: u32) -> CalendarDate {
        CalendarDate::from_ymd(2026, 10, d).unwrap()
    }

    #[test]
    fn a_patient_debug_print_shows_no_patient_data() {
        let patient = Patient {
            patient_id: PatientId::new(),
            mrn: "MRN-SECRET".to_string().into(),
            name: PersonName {
                last: "Doe".into(),
                first: "Jane".into(),
                ..Default::default()
            }
            .into(),
            birth_date: day(2).into(),
            sex: Sex::Female,
            address: Address {
                line1: "1 Main St".into(),
                ..Default::default()
            }
            .into(),
            guarantor_account_id: AccountId::new(),
        };
        let printed = format!("{patient:?}");
        for secret in ["MRN-SECRET", "Doe", "Jane", "2026-10-02", "Main St"] {
            assert!(!printed.contains(secret), "{printed} shows {secret}");
        }
    }

    #[test]
    fn an_ein_is_nine_digits_with_or_without_its_dash() {
        assert_eq!(Ein::parse("12-3456789").unwrap().as_str(), "123456789");
        assert!(Ein::parse("12345678").is_none());
        assert!(Ein::parse("12345678A").is_none());
    }

    #[test]
    fn filing_indicators_round_trip_through_their_sbr09_codes() {
        for i in FilingIndicator::ALL {
            assert_eq!(FilingIndicator::from_code(i.code()), Some(i));
        }
        assert_eq!(FilingIndicator::from_code("ZZ"), None);
    }
}
