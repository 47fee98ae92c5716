//! The rules every claim is scrubbed with, in the order they run.

use medbill_kernel::{IcdCm, Modifier, Npi, ProcedureCode, display_icd};

use super::finding::Severity;
use super::rules::{Facts, Problem, Rule};
use crate::charges::domain::EncounterType;
use crate::claims::domain::{ClaimType, Frequency, MAX_PATIENT_CONTROL_NUMBER};
use crate::registry::coverage::Relationship;
use crate::registry::domain::ClaimForm;
use crate::submission::x12map::{Parties, check_writable};

/// Days before the timely-filing deadline from which a claim is flagged.
pub const TIMELY_FILING_WARNING_DAYS: i64 = 14;

/// Most diagnoses an 837P carries (HI: one ABK and eleven ABF).
pub const MAX_PROFESSIONAL_DIAGNOSES: usize = 12;

/// Most diagnoses an 837I carries (one principal and 24 others).
pub const MAX_INSTITUTIONAL_DIAGNOSES: usize = 25;

/// The catalog.
pub const CATALOG: &[Rule] = &[
    Rule {
        id: "PAYER_INACTIVE",
        severity: Severity::Error,
        field: "payer_id",
        summary: "The payer is active in the registry.",
        fix: "Reactivate the payer or bill the patient's other coverage.",
        check: payer_inactive,
    },
    Rule {
        id: "CLAIM_FORM",
        severity: Severity::Error,
        field: "claim_type",
        summary: "The payer accepts the claim form (837P or 837I) the encounter needs.",
        fix: "Add the form to the payer's claim forms, or bill the service on the form the payer takes.",
        check: claim_form,
    },
    Rule {
        id: "BILLING_PROVIDER_MISSING",
        severity: Severity::Error,
        field: "billing_provider_npi",
        summary: "The submitter profile names a registered organization with a tax id as billing provider (loop 2010AA).",
        fix: "Set the submitter profile (SetSubmitterProfile) to a registered organization with its EIN.",
        check: billing_provider_missing,
    },
    Rule {
        id: "BILLING_PROVIDER_NPI",
        severity: Severity::Error,
        field: "billing_provider_npi",
        summary: "The billing provider's NPI is ten digits with a valid Luhn check digit (prefix 80840).",
        fix: "Correct the billing provider's NPI in the registry.",
        check: billing_provider_npi,
    },
    Rule {
        id: "BILLING_PROVIDER_ADDRESS",
        severity: Severity::Error,
        field: "billing_provider.address",
        summary: "The billing provider's address is a street address (no post office box) with a nine-digit ZIP+4, as loop 2010AA requires.",
        fix: "Register the billing provider's street address with its ZIP+4.",
        check: billing_provider_address,
    },
    Rule {
        id: "RENDERING_PROVIDER_NPI",
        severity: Severity::Error,
        field: "rendering_provider_npi",
        summary: "The rendering (837P) or attending (837I) provider's NPI is ten digits with a valid Luhn check digit.",
        fix: "Correct the provider's NPI on the encounter and have coding release it again.",
        check: rendering_provider_npi,
    },
    Rule {
        id: "RENDERING_PROVIDER_UNKNOWN",
        severity: Severity::Error,
        field: "rendering_provider_npi",
        summary: "The rendering or attending provider is registered (its name and taxonomy go on the claim).",
        fix: "Register the provider (CreateProvider), then scrub the claim again.",
        check: rendering_provider_unknown,
    },
    Rule {
        id: "SERVICE_FACILITY_UNKNOWN",
        severity: Severity::Error,
        field: "service_facility_npi",
        summary: "The service facility the encounter names is registered (its name and address go on the claim, 837P 2310C / 837I 2310E).",
        fix: "Register the facility (CreateFacility), or have coding release the encounter with the right facility NPI, then scrub the claim again.",
        check: service_facility_unknown,
    },
    Rule {
        id: "COVERAGE_NOT_ACTIVE",
        severity: Severity::Error,
        field: "dates_of_service",
        summary: "The coverage billed is in force on every line's date of service.",
        fix: "Check eligibility; bill the coverage in force on the date of service, or the patient.",
        check: coverage_not_active,
    },
    Rule {
        id: "COVERAGE_INACTIVE_271",
        severity: Severity::Error,
        field: "dates_of_service",
        summary: "The latest eligibility response (271) for the coverage does not say it is inactive on a line's date of service.",
        fix: "Check eligibility again (CheckEligibility) or bill the coverage the patient has on that date.",
        check: coverage_inactive_271,
    },
    Rule {
        id: "SUBSCRIBER_RELATIONSHIP",
        severity: Severity::Error,
        field: "coverage.relationship",
        summary: "A patient who is the subscriber has no separate subscriber; any other relationship names the subscriber (name, birth date).",
        fix: "Correct the coverage's relationship or subscriber in the registry.",
        check: subscriber_relationship,
    },
    Rule {
        id: "DIAGNOSIS_MISSING",
        severity: Severity::Error,
        field: "diagnoses",
        summary: "The claim has at least one diagnosis.",
        fix: "Send the encounter back to coding for diagnosis coding.",
        check: diagnosis_missing,
    },
    Rule {
        id: "DIAGNOSIS_FORMAT",
        severity: Severity::Error,
        field: "diagnoses[i]",
        summary: "Every diagnosis is an ICD-10-CM code in the code's format (letter, digit, alphanumeric, up to four more).",
        fix: "Correct the code in coding and release the encounter again.",
        check: diagnosis_format,
    },
    Rule {
        id: "DIAGNOSIS_LIMIT",
        severity: Severity::Error,
        field: "diagnoses",
        summary: "At most 12 diagnoses on an 837P, 25 on an 837I.",
        fix: "Keep the diagnoses the lines point to and those that matter to the claim.",
        check: diagnosis_limit,
    },
    Rule {
        id: "DIAGNOSIS_POINTER",
        severity: Severity::Error,
        field: "lines[i].diagnosis_pointers",
        summary: "Every 837P line points to 1 to 4 of the claim's diagnoses, each pointer within the list.",
        fix: "Point the line at the diagnoses that support it, in coding.",
        check: diagnosis_pointer,
    },
    Rule {
        id: "PROCEDURE_FORMAT",
        severity: Severity::Error,
        field: "lines[i].code",
        summary: "Every line's code is a CPT or HCPCS Level II code in the code's format.",
        fix: "Correct the procedure code in coding.",
        check: procedure_format,
    },
    Rule {
        id: "MODIFIER_FORMAT",
        severity: Severity::Error,
        field: "lines[i].modifiers",
        summary: "At most four modifiers per line, each two letters or digits.",
        fix: "Correct the modifiers in coding.",
        check: modifier_format,
    },
    Rule {
        id: "LINE_UNITS",
        severity: Severity::Error,
        field: "lines[i].units",
        summary: "Every line bills at least one unit.",
        fix: "Correct the units in coding.",
        check: line_units,
    },
    Rule {
        id: "LINE_CHARGE",
        severity: Severity::Error,
        field: "lines[i].charge",
        summary: "Every line's charge is more than zero.",
        fix: "Set a price for the code in the charge master or the payer's fee schedule.",
        check: line_charge,
    },
    Rule {
        id: "PLACE_OF_SERVICE",
        severity: Severity::Error,
        field: "place_of_service",
        summary: "An 837P carries a two-digit CMS place of service code.",
        fix: "Send the encounter back to coding with its place of service.",
        check: place_of_service,
    },
    Rule {
        id: "REVENUE_CODE",
        severity: Severity::Error,
        field: "lines[i].revenue_code",
        summary: "Every 837I line carries a four-digit revenue code (SV201).",
        fix: "Add the revenue code for the code to the charge master.",
        check: revenue_code,
    },
    Rule {
        id: "INPATIENT_ADMISSION",
        severity: Severity::Error,
        field: "inpatient_stay",
        summary: "An inpatient 837I carries the stay as coding recorded it: admission hour, type and point of origin, discharge hour and status (UB-04 FL 12-17, DTP*435, DTP*096, CL1), and at most 25 ICD-10-PCS procedures (HI BBR/BBQ).",
        fix: "Record the stay's admission and discharge with the encounter in coding and release it again.",
        check: inpatient_admission,
    },
    Rule {
        id: "PRESENT_ON_ADMISSION",
        severity: Severity::Error,
        field: "diagnoses[i].present_on_admission",
        summary: "Every diagnosis of an inpatient 837I carries coding's present-on-admission indicator (HI0n-9: Y, N, U or W; 1 marks a code exempt from reporting, sent without one), as Medicare requires of inpatient claims; a payer that does not ask for them can set the rule to warning or off.",
        fix: "Have coding record whether each diagnosis was present on admission (1 for a code exempt from POA reporting) and release the encounter again.",
        check: present_on_admission,
    },
    Rule {
        id: "AUTHORIZATION_REQUIRED",
        severity: Severity::Error,
        field: "prior_authorization",
        summary: "When the payer's rules name a line's code, the claim carries a prior authorization number (REF*G1).",
        fix: "Obtain the authorization and enter its number on the claim.",
        check: authorization_required,
    },
    Rule {
        id: "DUPLICATE_CLAIM",
        severity: Severity::Error,
        field: "lines",
        summary: "No other standing claim bills the same patient, provider, dates of service and codes.",
        fix: "Void one of the claims, or add the modifier that shows the services differ.",
        check: duplicate_claim,
    },
    Rule {
        id: "REPLACEMENT_REFERENCE",
        severity: Severity::Error,
        field: "payer_claim_number",
        summary: "A replacement (frequency 7) or void (8) carries the payer's claim number of the claim it replaces (REF*F8).",
        fix: "Wait for the original's remittance, or enter the payer claim number from the payer's portal.",
        check: replacement_reference,
    },
    Rule {
        id: "PATIENT_CONTROL_NUMBER",
        severity: Severity::Error,
        field: "patient_control_number",
        summary: "The patient control number (CLM01) has 1 to 20 characters.",
        fix: "Rebuild the claim.",
        check: patient_control_number,
    },
    Rule {
        id: "TIMELY_FILING",
        severity: Severity::Error,
        field: "dates_of_service",
        summary: "Today is within the payer's timely-filing days of the first date of service.",
        fix: "File with proof of timely filing (an earlier acceptance) or write the charge off.",
        check: timely_filing,
    },
    Rule {
        id: "TIMELY_FILING_RISK",
        severity: Severity::Warning,
        field: "dates_of_service",
        summary: "The payer's timely-filing deadline is more than 14 days away.",
        fix: "Submit the claim in the next batch.",
        check: timely_filing_risk,
    },
    Rule {
        id: "X12_5010",
        severity: Severity::Error,
        field: "(the field named)",
        summary: "The claim passes the 837 writer's checks of the 5010 implementation guide (required elements, lengths and code formats the other rules do not cover), written alone as it would be in a batch.",
        fix: "Correct the field named; most are registry data (names, addresses, ids).",
        check: x12_5010,
    },
    Rule {
        id: "CODING_EDITS",
        severity: Severity::Error,
        field: "lines",
        summary: "The coding service's edits (validity on the date of service, NCCI, MUE, age/sex, Excludes1, ...) find no error in the encounter's codes.",
        fix: "Send the encounter back to coding (RequestCodingReview).",
        check: coding_edits,
    },
];

fn one(condition: bool, field: &str, message: impl FnOnce() -> String) -> Vec<Problem> {
    if condition {
        vec![Problem::new(field, message())]
    } else {
        Vec::new()
    }
}

fn coverage_inactive_271(f: &Facts<'_>) -> Vec<Problem> {
    f.inactive_on
        .iter()
        .map(|day| {
            Problem::new(
                "dates_of_service",
                format!("the latest 271 for the coverage says it is inactive on {day}"),
            )
        })
        .collect()
}

fn payer_inactive(f: &Facts<'_>) -> Vec<Problem> {
    one(!f.payer.active, "payer_id", || {
        format!("payer {} is inactive", f.payer.name)
    })
}

fn claim_form(f: &Facts<'_>) -> Vec<Problem> {
    let form = match f.claim.claim_type {
        ClaimType::Professional => ClaimForm::Professional,
        ClaimType::Institutional => ClaimForm::Institutional,
    };
    one(!f.payer.claim_forms.contains(&form), "claim_type", || {
        format!("payer {} does not accept {}", f.payer.name, form.code())
    })
}

fn billing_provider_missing(f: &Facts<'_>) -> Vec<Problem> {
    let usable = f
        .billing_provider
        .is_some_and(|p| p.organization && p.tax_id.is_some());
    one(!usable, "billing_provider_npi", || {
        "no billing provider: the submitter profile names no registered organization with a tax id"
            .to_string()
    })
}

fn billing_provider_npi(f: &Facts<'_>) -> Vec<Problem> {
    if f.claim.billing_provider_npi.is_empty() {
        return Vec::new();
    }
    one(
        Npi::parse(&f.claim.billing_provider_npi).is_err(),
        "billing_provider_npi",
        || format!("{:?} is not a valid NPI", f.claim.billing_provider_npi),
    )
}

fn billing_provider_address(f: &Facts<'_>) -> Vec<Problem> {
    let Some(p) = f.billing_provider else {
        return Vec::new();
    };
    let a = &p.address;
    let mut problems = Vec::new();
    if !(a.postal_code.len() == 9 && a.postal_code.bytes().all(|b| b.is_ascii_digit())) {
        problems.push(Problem::new(
            "billing_provider.address.postal_code",
            format!("{:?} is not a nine-digit ZIP+4", a.postal_code),
        ));
    }
    let line = a.line1.to_ascii_uppercase().replace(['.', ' '], "");
    if line.starts_with("POBOX") || line.starts_with("POSTOFFICEBOX") {
        problems.push(Problem::new(
            "billing_provider.address.line1",
            "a post office box; the billing provider needs a street address",
        ));
    }
    problems
}

fn rendering_provider_npi(f: &Facts<'_>) -> Vec<Problem> {
    one(
        Npi::parse(&f.claim.rendering_provider_npi).is_err(),
        "rendering_provider_npi",
        || format!("{:?} is not a valid NPI", f.claim.rendering_provider_npi),
    )
}

fn rendering_provider_unknown(f: &Facts<'_>) -> Vec<Problem> {
    let valid = Npi::parse(&f.claim.rendering_provider_npi).is_ok();
    one(
        valid && f.rendering_provider.is_none(),
        "rendering_provider_npi",
        || {
            format!(
                "no registered provider has NPI {}",
                f.claim.rendering_provider_npi
            )
        },
    )
}

fn service_facility_unknown(f: &Facts<'_>) -> Vec<Problem> {
    let npi = &f.claim.service_facility_npi;
    one(
        !npi.is_empty() && f.service_facility.is_none(),
        "service_facility_npi",
        || match Npi::parse(npi) {
            Ok(_) => format!("no registered facility has NPI {npi}"),
            Err(e) => format!("{npi} is not an NPI: {e}"),
        },
    )
}

fn coverage_not_active(f: &Facts<'_>) -> Vec<Problem> {
    f.claim
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !f.coverage.in_force_on(l.date_of_service))
        .map(|(i, l)| {
            Problem::new(
                format!("lines[{i}].date_of_service"),
                format!(
                    "coverage {} is not in force on {}",
                    f.coverage.coverage_id, l.date_of_service
                ),
            )
        })
        .collect()
}

fn subscriber_relationship(f: &Facts<'_>) -> Vec<Problem> {
    let c = f.coverage;
    match (c.relationship, &c.subscriber) {
        (Relationship::SelfInsured, Some(_)) => vec![Problem::new(
            "coverage.relationship",
            "the patient is the subscriber, yet the coverage names another subscriber",
        )],
        (Relationship::SelfInsured, None) => Vec::new(),
        (_, None) => vec![Problem::new(
            "coverage.subscriber",
            format!(
                "relationship {} needs the subscriber's name and birth date",
                c.relationship.as_str()
            ),
        )],
        (_, Some(_)) => Vec::new(),
    }
}

fn diagnosis_missing(f: &Facts<'_>) -> Vec<Problem> {
    one(f.claim.diagnoses.is_empty(), "diagnoses", || {
        "the claim has no diagnosis".to_string()
    })
}

fn diagnosis_format(f: &Facts<'_>) -> Vec<Problem> {
    f.claim
        .diagnoses
        .iter()
        .enumerate()
        .filter(|(_, d)| IcdCm::parse(&d.code).is_err())
        .map(|(i, d)| {
            Problem::new(
                format!("diagnoses[{i}]"),
                format!("{:?} is not an ICD-10-CM code", d.code),
            )
        })
        .collect()
}

fn diagnosis_limit(f: &Facts<'_>) -> Vec<Problem> {
    let max = match f.claim.claim_type {
        ClaimType::Professional => MAX_PROFESSIONAL_DIAGNOSES,
        ClaimType::Institutional => MAX_INSTITUTIONAL_DIAGNOSES,
    };
    one(f.claim.diagnoses.len() > max, "diagnoses", || {
        format!(
            "{} diagnoses; the claim form carries at most {max}",
            f.claim.diagnoses.len()
        )
    })
}

fn diagnosis_pointer(f: &Facts<'_>) -> Vec<Problem> {
    if f.claim.claim_type != ClaimType::Professional {
        return Vec::new();
    }
    let count = f.claim.diagnoses.len().min(MAX_PROFESSIONAL_DIAGNOSES) as u32;
    let mut problems = Vec::new();
    for (i, line) in f.claim.lines.iter().enumerate() {
        let field = format!("lines[{i}].diagnosis_pointers");
        let p = &line.diagnosis_pointers;
        if p.is_empty() || p.len() > 4 {
            problems.push(Problem::new(
                field,
                format!("{} pointers; a line needs 1 to 4", p.len()),
            ));
        } else if let Some(bad) = p.iter().find(|&&n| n == 0 || n > count) {
            problems.push(Problem::new(
                field,
                format!("pointer {bad} is outside the claim's {count} diagnoses"),
            ));
        }
    }
    problems
}

fn procedure_format(f: &Facts<'_>) -> Vec<Problem> {
    f.claim
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| ProcedureCode::parse(&l.code).is_err())
        .map(|(i, l)| {
            Problem::new(
                format!("lines[{i}].code"),
                format!("{:?} is not a CPT or HCPCS code", l.code),
            )
        })
        .collect()
}

fn modifier_format(f: &Facts<'_>) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, line) in f.claim.lines.iter().enumerate() {
        let field = format!("lines[{i}].modifiers");
        if line.modifiers.len() > 4 {
            problems.push(Problem::new(
                field,
                format!("{} modifiers; at most 4", line.modifiers.len()),
            ));
        } else if let Some(bad) = line.modifiers.iter().find(|m| Modifier::parse(m).is_err()) {
            problems.push(Problem::new(field, format!("{bad:?} is not a modifier")));
        }
    }
    problems
}

fn line_units(f: &Facts<'_>) -> Vec<Problem> {
    f.claim
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.units == 0)
        .map(|(i, _)| Problem::new(format!("lines[{i}].units"), "zero units"))
        .collect()
}

fn line_charge(f: &Facts<'_>) -> Vec<Problem> {
    f.claim
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.charge.cents() <= 0)
        .map(|(i, l)| {
            Problem::new(
                format!("lines[{i}].charge"),
                format!("charge {} is not more than zero", l.charge),
            )
        })
        .collect()
}

fn place_of_service(f: &Facts<'_>) -> Vec<Problem> {
    let pos = &f.claim.place_of_service;
    let ok = pos.len() == 2 && pos.bytes().all(|b| b.is_ascii_digit());
    one(
        f.claim.claim_type == ClaimType::Professional && !ok,
        "place_of_service",
        || format!("{pos:?} is not a two-digit place of service code"),
    )
}

fn revenue_code(f: &Facts<'_>) -> Vec<Problem> {
    if f.claim.claim_type != ClaimType::Institutional {
        return Vec::new();
    }
    f.claim
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            !(l.revenue_code.len() == 4 && l.revenue_code.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|(i, l)| {
            Problem::new(
                format!("lines[{i}].revenue_code"),
                format!("{:?} is not a four-digit revenue code", l.revenue_code),
            )
        })
        .collect()
}

fn inpatient_admission(f: &Facts<'_>) -> Vec<Problem> {
    if f.claim.claim_type != ClaimType::Institutional
        || f.encounter_type != EncounterType::Inpatient
    {
        return Vec::new();
    }
    let Some(stay) = &f.claim.inpatient else {
        return vec![Problem::new(
            "inpatient_stay",
            "the release carries no admission and discharge data",
        )];
    };
    let mut problems = Vec::new();
    for (field, hour) in [
        ("admission_hour", stay.admission_hour),
        ("discharge_hour", stay.discharge_hour),
    ] {
        if hour > 23 {
            problems.push(Problem::new(
                format!("inpatient_stay.{field}"),
                format!("{hour} is not an hour of the day (0-23)"),
            ));
        }
    }
    for (field, code) in [
        ("admission_type", &stay.admission_type),
        ("admission_source", &stay.admission_source),
        ("discharge_status", &stay.discharge_status),
    ] {
        if code.is_empty() {
            problems.push(Problem::new(
                format!("inpatient_stay.{field}"),
                "is empty; CL1 needs it",
            ));
        }
    }
    // HI BBR carries the principal procedure, HI BBQ up to 24 more.
    if f.claim.procedures.len() > 25 {
        problems.push(Problem::new(
            "procedures",
            format!(
                "{} ICD-10-PCS procedures; an 837I carries at most 25",
                f.claim.procedures.len()
            ),
        ));
    }
    problems
}

fn present_on_admission(f: &Facts<'_>) -> Vec<Problem> {
    if f.claim.claim_type != ClaimType::Institutional
        || f.encounter_type != EncounterType::Inpatient
    {
        return Vec::new();
    }
    f.claim
        .diagnoses
        .iter()
        .enumerate()
        .filter(|(_, d)| d.present_on_admission.is_none())
        .map(|(i, d)| {
            Problem::new(
                format!("diagnoses[{i}].present_on_admission"),
                format!(
                    "{} has no present-on-admission indicator",
                    display_icd(&d.code)
                ),
            )
        })
        .collect()
}

fn authorization_required(f: &Facts<'_>) -> Vec<Problem> {
    if !f.claim.prior_authorization.is_empty() {
        return Vec::new();
    }
    f.claim
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| f.payer_rules.authorization_required_codes.contains(&l.code))
        .map(|(i, l)| {
            Problem::new(
                format!("lines[{i}].code"),
                format!(
                    "payer {} requires a prior authorization for {}",
                    f.payer.name, l.code
                ),
            )
        })
        .collect()
}

fn duplicate_claim(f: &Facts<'_>) -> Vec<Problem> {
    f.duplicates
        .iter()
        .map(|other| {
            Problem::new(
                "lines",
                format!("claim {other} bills the same patient, provider, dates and codes"),
            )
        })
        .collect()
}

fn replacement_reference(f: &Facts<'_>) -> Vec<Problem> {
    one(
        f.claim.frequency != Frequency::Original && f.claim.payer_claim_number.is_empty(),
        "payer_claim_number",
        || {
            format!(
                "a frequency-{} claim needs the payer's claim number of the claim it replaces",
                f.claim.frequency.as_str()
            )
        },
    )
}

fn patient_control_number(f: &Facts<'_>) -> Vec<Problem> {
    let n = f.claim.patient_control_number.len();
    one(
        n == 0 || n > MAX_PATIENT_CONTROL_NUMBER,
        "patient_control_number",
        || format!("{n} characters; 1 to {MAX_PATIENT_CONTROL_NUMBER} allowed"),
    )
}

fn filing_deadline(f: &Facts<'_>) -> Option<medbill_kernel::CalendarDate> {
    f.claim
        .dates
        .start()
        .add_days(i64::from(f.payer.timely_filing_days))
        .ok()
}

fn timely_filing(f: &Facts<'_>) -> Vec<Problem> {
    let Some(deadline) = filing_deadline(f) else {
        return Vec::new();
    };
    one(f.today > deadline, "dates_of_service", || {
        format!(
            "the payer's {} days to file ran out on {deadline}",
            f.payer.timely_filing_days
        )
    })
}

fn timely_filing_risk(f: &Facts<'_>) -> Vec<Problem> {
    let Some(deadline) = filing_deadline(f) else {
        return Vec::new();
    };
    let left = deadline.days_after(f.today);
    one(
        (0..=TIMELY_FILING_WARNING_DAYS).contains(&left),
        "dates_of_service",
        || format!("{left} days left to file (deadline {deadline})"),
    )
}

fn x12_5010(f: &Facts<'_>) -> Vec<Problem> {
    let (Some(profile), Some(billing_provider)) = (f.profile, f.billing_provider) else {
        // BILLING_PROVIDER_MISSING says why nothing can be written.
        return Vec::new();
    };
    let parties = Parties {
        billing_provider,
        payer: f.payer,
        coverage: f.coverage,
        patient: f.patient,
        rendering_provider: f.rendering_provider,
        service_facility: f.service_facility,
        other_payer: f.other_payer,
    };
    match check_writable(f.claim, &parties, profile) {
        Ok(()) => Vec::new(),
        Err(e) => vec![Problem::new(e.field, e.reason)],
    }
}

fn coding_edits(f: &Facts<'_>) -> Vec<Problem> {
    f.coding_findings
        .iter()
        .map(|c| Problem::new(c.field.clone(), format!("{}: {}", c.edit, c.message)))
        .collect()
}
