//! Translation between the registry contracts and the registry domain:
//! requests are parsed here (bad values are `INVALID_ARGUMENT` naming the
//! field), answers are built here.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::common::v1 as common;
use medbill_kernel::{Npi, NpiError};
use medbill_platform::ServiceError;
use medbill_platform::convert::{wire_date, wire_date_range};

use super::coverage::{Coverage, Relationship};
use super::domain::{
    Address, ClaimForm, Ein, FilingIndicator, Patient, Payer, PersonName, Provider, Sex, Taxonomy,
};

pub fn filing_indicator(field: &str, value: i32) -> Result<FilingIndicator, ServiceError> {
    use pb::ClaimFilingIndicator as W;
    match W::try_from(value) {
        Ok(W::MedicarePartB) => Ok(FilingIndicator::MedicarePartB),
        Ok(W::MedicarePartA) => Ok(FilingIndicator::MedicarePartA),
        Ok(W::Medicaid) => Ok(FilingIndicator::Medicaid),
        Ok(W::Commercial) => Ok(FilingIndicator::Commercial),
        Ok(W::BlueCross) => Ok(FilingIndicator::BlueCross),
        Ok(W::Hmo) => Ok(FilingIndicator::Hmo),
        Ok(W::Tricare) => Ok(FilingIndicator::Tricare),
        Ok(W::SelfPay) => Ok(FilingIndicator::SelfPay),
        Ok(W::Unspecified) | Err(_) => Err(ServiceError::invalid(field, "is required")),
    }
}

fn wire_filing_indicator(value: FilingIndicator) -> pb::ClaimFilingIndicator {
    use pb::ClaimFilingIndicator as W;
    match value {
        FilingIndicator::MedicarePartB => W::MedicarePartB,
        FilingIndicator::MedicarePartA => W::MedicarePartA,
        FilingIndicator::Medicaid => W::Medicaid,
        FilingIndicator::Commercial => W::Commercial,
        FilingIndicator::BlueCross => W::BlueCross,
        FilingIndicator::Hmo => W::Hmo,
        FilingIndicator::Tricare => W::Tricare,
        FilingIndicator::SelfPay => W::SelfPay,
    }
}

/// The claim forms of a request: at least one, each named once.
pub fn claim_forms(field: &str, values: &[i32]) -> Result<Vec<ClaimForm>, ServiceError> {
    let mut forms = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let form = match pb::ClaimForm::try_from(*value) {
            Ok(pb::ClaimForm::Professional) => ClaimForm::Professional,
            Ok(pb::ClaimForm::Institutional) => ClaimForm::Institutional,
            Ok(pb::ClaimForm::Unspecified) | Err(_) => {
                return Err(ServiceError::invalid(
                    format!("{field}[{i}]"),
                    "is not a claim form",
                ));
            }
        };
        forms.push(form);
    }
    forms.sort();
    forms.dedup();
    if forms.is_empty() {
        return Err(ServiceError::invalid(
            field,
            "must name at least one claim form",
        ));
    }
    Ok(forms)
}

/// A day count that must be positive.
pub fn days(field: &str, value: u32) -> Result<u32, ServiceError> {
    if value == 0 {
        return Err(ServiceError::invalid(field, "must be at least 1 day"));
    }
    Ok(value)
}

/// The days after submission before a claim is followed up: 0 means
/// [`DEFAULT_FOLLOW_UP_DAYS`], at most a year.
pub fn follow_up_days(field: &str, value: u32) -> Result<u32, ServiceError> {
    match value {
        0 => Ok(DEFAULT_FOLLOW_UP_DAYS),
        1..=365 => Ok(value),
        _ => Err(ServiceError::invalid(
            field,
            format!("1 to 365 days (0 means {DEFAULT_FOLLOW_UP_DAYS})"),
        )),
    }
}

/// The follow-up days of a payer registered without them.
pub const DEFAULT_FOLLOW_UP_DAYS: u32 = 30;

/// A required address: street, city, a two-letter state and a 5 or 9 digit
/// ZIP code (what an 837's N3/N4 need).
pub fn address(field: &str, value: Option<&common::Address>) -> Result<Address, ServiceError> {
    let a = value.ok_or_else(|| ServiceError::invalid(field, "is required"))?;
    let required = |name: &str, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            Err(ServiceError::invalid(
                format!("{field}.{name}"),
                "is required",
            ))
        } else {
            Ok(text.to_string())
        }
    };
    let state = required("state", &a.state)?.to_ascii_uppercase();
    if state.len() != 2 || !state.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ServiceError::invalid(
            format!("{field}.state"),
            "must be a two-letter code",
        ));
    }
    let postal_code: String = required("postal_code", &a.postal_code)?.replace('-', "");
    if !(postal_code.len() == 5 || postal_code.len() == 9)
        || !postal_code.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(ServiceError::invalid(
            format!("{field}.postal_code"),
            "must be 5 or 9 digits",
        ));
    }
    Ok(Address {
        line1: required("line1", &a.line1)?,
        line2: a.line2.trim().to_string(),
        city: required("city", &a.city)?,
        state,
        postal_code,
    })
}

pub fn wire_address(a: &Address) -> common::Address {
    common::Address {
        line1: a.line1.clone(),
        line2: a.line2.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        postal_code: a.postal_code.clone(),
    }
}

/// A required name: family and given name.
pub fn person_name(
    field: &str,
    value: Option<&common::PersonName>,
) -> Result<PersonName, ServiceError> {
    let n = value.ok_or_else(|| ServiceError::invalid(field, "is required"))?;
    let required = |name: &str, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            Err(ServiceError::invalid(
                format!("{field}.{name}"),
                "is required",
            ))
        } else {
            Ok(text.to_string())
        }
    };
    Ok(PersonName {
        last: required("last", &n.last)?,
        first: required("first", &n.first)?,
        middle: n.middle.trim().to_string(),
        suffix: n.suffix.trim().to_string(),
    })
}

pub fn wire_name(n: &PersonName) -> common::PersonName {
    common::PersonName {
        last: n.last.clone(),
        first: n.first.clone(),
        middle: n.middle.clone(),
        suffix: n.suffix.clone(),
    }
}

pub fn sex(field: &str, value: i32) -> Result<Sex, ServiceError> {
    match common::Sex::try_from(value) {
        Ok(common::Sex::Female) => Ok(Sex::Female),
        Ok(common::Sex::Male) => Ok(Sex::Male),
        Ok(common::Sex::Unknown) => Ok(Sex::Unknown),
        Ok(common::Sex::Unspecified) | Err(_) => Err(ServiceError::invalid(field, "is required")),
    }
}

fn wire_sex(value: Sex) -> i32 {
    match value {
        Sex::Female => common::Sex::Female as i32,
        Sex::Male => common::Sex::Male as i32,
        Sex::Unknown => common::Sex::Unknown as i32,
    }
}

pub fn relationship(field: &str, value: i32) -> Result<Relationship, ServiceError> {
    match pb::Relationship::try_from(value) {
        Ok(pb::Relationship::Self_) => Ok(Relationship::SelfInsured),
        Ok(pb::Relationship::Spouse) => Ok(Relationship::Spouse),
        Ok(pb::Relationship::Child) => Ok(Relationship::Child),
        Ok(pb::Relationship::Other) => Ok(Relationship::Other),
        Ok(pb::Relationship::Unspecified) | Err(_) => {
            Err(ServiceError::invalid(field, "is required"))
        }
    }
}

fn wire_relationship(value: Relationship) -> i32 {
    let w = match value {
        Relationship::SelfInsured => pb::Relationship::Self_,
        Relationship::Spouse => pb::Relationship::Spouse,
        Relationship::Child => pb::Relationship::Child,
        Relationship::Other => pb::Relationship::Other,
    };
    w as i32
}

pub fn npi(field: &str, text: &str) -> Result<Npi, ServiceError> {
    Npi::parse(text).map_err(|e| {
        let rule = match e {
            NpiError::Format => "must be ten digits",
            NpiError::CheckDigit => "fails the NPI check digit (Luhn with prefix 80840)",
        };
        ServiceError::invalid(field, rule)
    })
}

pub fn tax_id(field: &str, text: &str) -> Result<Option<Ein>, ServiceError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Ein::parse(text)
        .map(Some)
        .ok_or_else(|| ServiceError::invalid(field, "must be nine digits (an EIN)"))
}

pub fn taxonomy(field: &str, text: &str) -> Result<Taxonomy, ServiceError> {
    Taxonomy::parse(text)
        .ok_or_else(|| ServiceError::invalid(field, "must be a ten-character taxonomy code"))
}

pub fn wire_payer(p: &Payer) -> pb::Payer {
    pb::Payer {
        payer_id: p.payer_id.as_str().to_string(),
        name: p.name.clone(),
        electronic_payer_id: p.electronic_payer_id.clone(),
        filing_indicator: wire_filing_indicator(p.filing_indicator) as i32,
        timely_filing_days: p.timely_filing_days,
        address: Some(wire_address(&p.address)),
        fee_schedule_id: p.fee_schedule_id.clone().unwrap_or_default(),
        active: p.active,
        appeal_window_days: p.appeal_window_days,
        follow_up_days: p.follow_up_days,
        claim_forms: p
            .claim_forms
            .iter()
            .map(|f| match f {
                ClaimForm::Professional => pb::ClaimForm::Professional as i32,
                ClaimForm::Institutional => pb::ClaimForm::Institutional as i32,
            })
            .collect(),
    }
}

pub fn wire_provider(p: &Provider) -> pb::Provider {
    pb::Provider {
        provider_id: p.provider_id.as_str().to_string(),
        npi: p.npi.as_str().to_string(),
        name: p.name.clone(),
        first_name: p.first_name.clone(),
        organization: p.organization,
        tax_id: p
            .tax_id
            .as_ref()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        taxonomy: p.taxonomy.as_str().to_string(),
        address: Some(wire_address(&p.address)),
    }
}

pub fn wire_patient(p: &Patient) -> pb::Patient {
    pb::Patient {
        patient_id: p.patient_id.as_str().to_string(),
        mrn: p.mrn.expose().clone(),
        name: Some(wire_name(p.name.expose())),
        birth_date: Some(wire_date(*p.birth_date.expose())),
        sex: wire_sex(p.sex),
        address: Some(wire_address(p.address.expose())),
        guarantor_account_id: p.guarantor_account_id.as_str().to_string(),
    }
}

pub fn wire_coverage(c: &Coverage) -> pb::Coverage {
    let subscriber = c.subscriber.as_ref();
    pb::Coverage {
        coverage_id: c.coverage_id.as_str().to_string(),
        patient_id: c.patient_id.as_str().to_string(),
        payer_id: c.payer_id.as_str().to_string(),
        rank: u32::from(c.rank),
        member_id: c.member_id.expose().clone(),
        group_number: c.group_number.clone(),
        relationship: wire_relationship(c.relationship),
        subscriber_name: subscriber.map(|s| wire_name(s.name.expose())),
        subscriber_birth_date: subscriber.map(|s| wire_date(*s.birth_date.expose())),
        subscriber_sex: subscriber.map_or(common::Sex::Unspecified as i32, |s| wire_sex(s.sex)),
        effective: Some(wire_date_range(c.effective)),
    }
}
