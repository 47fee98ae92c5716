//! The biller's set-up, through billing's registry: the charge master,
//! the billing organization and its physicians (NPIs that pass the Luhn
//! check), the submitter profile, the two payers with the electronic ids
//! the simulator plays, and each patient with coverage as the simulator
//! enrolls them (some with a supplement as secondary).

use std::collections::BTreeMap;

use anyhow::Context;
use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::common::v1::{Address, Date, DateRange, Money, PersonName, Sex};

use super::api::{Actor, Api};
use super::world::{ACME, PROCEDURES, Person, SCI};

/// What the set-up registered.
pub struct Registered {
    /// The rendering physicians' NPIs.
    pub physicians: Vec<String>,
    /// Per patient (same order as the people): patient id and coverage ids
    /// (primary first).
    pub patients: Vec<(String, Vec<String>)>,
}

/// An NPI: `base` (nine digits) with the Luhn check digit computed over
/// the `80840` prefix, as the NPI standard defines it.
pub fn npi(base: u32) -> String {
    (0..10)
        .map(|d| format!("{base:09}{d}"))
        .find(|n| luhn_ok(&format!("80840{n}")))
        .unwrap_or_default()
}

fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn address(line1: &str, zip: &str) -> Option<Address> {
    Some(Address {
        line1: line1.into(),
        line2: String::new(),
        city: "Albany".into(),
        state: "NY".into(),
        postal_code: zip.into(),
    })
}

fn date(year: i32, month: i32, day: i32) -> Option<Date> {
    Some(Date { year, month, day })
}

/// The practice as registered: what claims are billed by and to.
pub struct Practice {
    /// The rendering physicians' NPIs.
    pub physicians: Vec<String>,
    /// Billing's payer id of each electronic payer id.
    pub payers: BTreeMap<&'static str, String>,
}

/// Registers everything the claims need; `visit_year` is the year the
/// patients' ages are counted from.
pub async fn register(api: &Api, people: &[Person], visit_year: i32) -> anyhow::Result<Registered> {
    let practice = register_practice(api).await?;
    let patient_ids = register_patients(api, people, visit_year).await?;
    let coverages = add_coverages(api, &practice, people, &patient_ids, visit_year).await?;
    Ok(Registered {
        physicians: practice.physicians,
        patients: patient_ids.into_iter().zip(coverages).collect(),
    })
}

/// Registers the charge master, the billing organization, its physicians,
/// the submitter profile and the payers: everything but the patients.
pub async fn register_practice(api: &Api) -> anyhow::Result<Practice> {
    let mut registry = api.registry();
    registry
        .upsert_charge_master(
            api.req(
                Actor::Biller,
                pb::UpsertChargeMasterRequest {
                    effective_from: date(2026, 1, 1),
                    entries: PROCEDURES
                        .iter()
                        .map(|p| pb::ChargeMasterEntry {
                            code: p.code.into(),
                            modifier: String::new(),
                            price: Some(Money { cents: p.price }),
                            revenue_code: p.revenue_code.into(),
                            description: p.description.into(),
                        })
                        .collect(),
                },
            ),
        )
        .await
        .context("charge master")?;
    let org = registry
        .create_provider(api.req(
            Actor::Biller,
            pb::CreateProviderRequest {
                npi: "1245319599".into(),
                name: "Riverside Clinic".into(),
                first_name: String::new(),
                organization: true,
                tax_id: "061234567".into(),
                taxonomy: "261QM1300X".into(),
                // Loop 2010AA needs a ZIP+4.
                address: address("1 Riverside Plaza", "122073456"),
            },
        ))
        .await
        .context("billing provider")?
        .into_inner();
    let doctors = [
        ("Osler", "William"),
        ("Apgar", "Virginia"),
        ("Cushing", "Harvey"),
    ];
    let mut physicians = Vec::new();
    for (i, (last, first)) in doctors.iter().enumerate() {
        let npi = npi(123_456_789 + i as u32 * 1_111_111);
        registry
            .create_provider(api.req(
                Actor::Biller,
                pb::CreateProviderRequest {
                    npi: npi.clone(),
                    name: (*last).into(),
                    first_name: (*first).into(),
                    organization: false,
                    tax_id: String::new(),
                    taxonomy: "207Q00000X".into(),
                    address: address("1 Riverside Plaza", "12207"),
                },
            ))
            .await
            .with_context(|| format!("physician {npi}"))?;
        physicians.push(npi);
    }
    registry
        .set_submitter_profile(api.req(
            Actor::Biller,
            pb::SubmitterProfile {
                billing_provider_id: org.provider_id.clone(),
                submitter_name: "Riverside Clinic Billing".into(),
                submitter_id: "RIVERSIDE01".into(),
                contact_name: "Billing Office".into(),
                contact_phone: "5185551234".into(),
                receiver_name: "MEDBILL PAYER SIMULATOR".into(),
                receiver_id: "PAYERSIM".into(),
                interchange_sender_id: "RIVERSIDE".into(),
                interchange_receiver_id: "PAYERSIM".into(),
                usage_indicator: "T".into(),
            },
        ))
        .await
        .context("submitter profile")?;
    let mut payers = BTreeMap::new();
    for (id, name, filing, timely) in [
        (
            ACME,
            "Acme Health Plan",
            pb::ClaimFilingIndicator::Commercial,
            180,
        ),
        (
            SCI,
            "Second Choice Insurance",
            pb::ClaimFilingIndicator::Commercial,
            90,
        ),
    ] {
        let payer = registry
            .create_payer(api.req(
                Actor::Biller,
                pb::CreatePayerRequest {
                    name: name.into(),
                    electronic_payer_id: id.into(),
                    filing_indicator: filing as i32,
                    timely_filing_days: timely,
                    address: address("PO Box 1000", "12207"),
                    fee_schedule_id: String::new(),
                    appeal_window_days: 180,
                    claim_forms: vec![
                        pb::ClaimForm::Professional as i32,
                        pb::ClaimForm::Institutional as i32,
                    ],
                    follow_up_days: 30,
                },
            ))
            .await
            .with_context(|| format!("payer {id}"))?
            .into_inner();
        payers.insert(id, payer.payer_id);
    }
    Ok(Practice { physicians, payers })
}

/// The name billing registers `person` under.
fn name_of(person: &Person) -> Option<PersonName> {
    Some(PersonName {
        last: person.last.expose().clone(),
        first: person.first.expose().clone(),
        ..Default::default()
    })
}

fn sex_of(person: &Person) -> Sex {
    if person.female {
        Sex::Female
    } else {
        Sex::Male
    }
}

/// The birth date of person `i`: early in the year, so the age on any
/// visit day of `visit_year` is `age`.
fn birth_of(i: usize, person: &Person, visit_year: i32) -> Option<Date> {
    date(
        visit_year - person.age as i32,
        1 + (i % 3) as i32,
        1 + (i % 27) as i32,
    )
}

/// Registers each person as a patient, without coverage; their patient
/// ids in the same order.
pub async fn register_patients(
    api: &Api,
    people: &[Person],
    visit_year: i32,
) -> anyhow::Result<Vec<String>> {
    let mut registry = api.registry();
    let mut patients = Vec::with_capacity(people.len());
    for (i, person) in people.iter().enumerate() {
        let patient = registry
            .create_patient(api.req(
                Actor::Biller,
                pb::CreatePatientRequest {
                    mrn: person.mrn.expose().clone(),
                    name: name_of(person),
                    birth_date: birth_of(i, person, visit_year),
                    sex: sex_of(person) as i32,
                    address: address(&format!("{} Elm St", 10 + i), "12208"),
                },
            ))
            .await
            .with_context(|| format!("patient {}", person.mrn))?
            .into_inner();
        patients.push(patient.patient_id);
    }
    Ok(patients)
}

/// Adds each patient's coverages as the simulator enrolls them, from
/// 2026-01-01; the coverage ids of each patient, primary first.
pub async fn add_coverages(
    api: &Api,
    practice: &Practice,
    people: &[Person],
    patient_ids: &[String],
    visit_year: i32,
) -> anyhow::Result<Vec<Vec<String>>> {
    let mut registry = api.registry();
    let mut all = Vec::with_capacity(people.len());
    for (i, (person, patient_id)) in people.iter().zip(patient_ids).enumerate() {
        let mut coverages = Vec::new();
        let ranks = std::iter::once(person.primary).chain(person.secondary);
        for (rank, (payer, _plan)) in ranks.enumerate() {
            let payer_id = practice.payers.get(payer).context("payer registered")?;
            let coverage = registry
                .add_coverage(api.req(
                    Actor::Biller,
                    pb::AddCoverageRequest {
                        patient_id: patient_id.clone(),
                        payer_id: payer_id.clone(),
                        rank: rank as u32 + 1,
                        member_id: person.member_id.expose().clone(),
                        group_number: "GRP-DEMO".into(),
                        relationship: pb::Relationship::Self_ as i32,
                        subscriber_name: name_of(person),
                        subscriber_birth_date: birth_of(i, person, visit_year),
                        subscriber_sex: sex_of(person) as i32,
                        effective: Some(DateRange {
                            start: date(2026, 1, 1),
                            end: None,
                        }),
                    },
                ))
                .await
                .with_context(|| format!("coverage of {}", person.mrn))?
                .into_inner();
            coverages.push(coverage.coverage_id);
        }
        all.push(coverages);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::npi;

    #[test]
    fn an_npi_gets_the_check_digit_of_the_80840_prefixed_luhn_sum() {
        // The CMS example NPI and the billing organization's.
        assert_eq!(npi(123_456_789), "1234567893");
        assert_eq!(npi(124_531_959), "1245319599");
    }
}
