//! Test support shared by billing's own tests and the end-to-end tests (the
//! `testing` feature): the service started on a test database, the registry
//! requests a biller sends, coding's releases, and assertions.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use medbill_contracts::medbill::billing::v1::registry_service_client::RegistryServiceClient;
use medbill_contracts::medbill::billing::v1::{
    AddCoverageRequest, ClaimFilingIndicator, ClaimForm, CreatePatientRequest, CreatePayerRequest,
    CreateProviderRequest, Relationship,
};
use medbill_contracts::medbill::coding::v1::{
    Diagnosis, EncounterReleased, EncounterType, ProcedureLine,
};
use medbill_contracts::medbill::common::v1::{Address, Date, DateRange, PersonName, Sex};
use medbill_platform::auth::Role;
use medbill_platform::testing::{RunningService, TestDatabase, authorized, start};
use tonic::transport::Channel;
use tonic::{Code, Status};

/// Starts billing on `test_db` without peers.
pub async fn start_billing(test_db: &TestDatabase) -> RunningService {
    start(test_db, crate::MIGRATIONS, |l, db, s, sd| {
        crate::serve(l, db, s, Default::default(), sd)
    })
    .await
}

/// A registry client.
pub async fn registry(service: &RunningService) -> RegistryServiceClient<Channel> {
    RegistryServiceClient::new(service.channel().await)
}

/// `message` as the biller `pat` sends it.
pub fn as_biller<T>(message: T) -> tonic::Request<T> {
    authorized(message, "pat", &[Role::Biller])
}

pub fn date(year: i32, month: i32, day: i32) -> Option<Date> {
    Some(Date { year, month, day })
}

pub fn address() -> Option<Address> {
    Some(Address {
        line1: "1 Main St".into(),
        line2: String::new(),
        city: "Albany".into(),
        state: "NY".into(),
        postal_code: "12207".into(),
    })
}

pub fn name(last: &str, first: &str) -> Option<PersonName> {
    Some(PersonName {
        last: last.into(),
        first: first.into(),
        ..Default::default()
    })
}

/// A commercial payer taking 837P, filing within 180 days.
pub fn commercial_payer(name: &str) -> CreatePayerRequest {
    CreatePayerRequest {
        name: name.into(),
        electronic_payer_id: "60054".into(),
        filing_indicator: ClaimFilingIndicator::Commercial as i32,
        timely_filing_days: 180,
        address: address(),
        fee_schedule_id: String::new(),
        appeal_window_days: 180,
        claim_forms: vec![ClaimForm::Professional as i32],
        follow_up_days: 0,
    }
}

/// A rendering physician with a valid NPI.
pub fn physician(npi: &str) -> CreateProviderRequest {
    CreateProviderRequest {
        npi: npi.into(),
        name: "Osler".into(),
        first_name: "William".into(),
        organization: false,
        tax_id: String::new(),
        taxonomy: "207Q00000X".into(),
        address: address(),
    }
}

/// A patient with MRN `mrn`, born 1960-04-02.
pub fn patient(mrn: &str) -> CreatePatientRequest {
    CreatePatientRequest {
        mrn: mrn.into(),
        name: name("Doe", "Jane"),
        birth_date: date(1960, 4, 2),
        sex: Sex::Female as i32,
        address: address(),
    }
}

/// A self-insured coverage of `patient_id` with `payer_id` at `rank` from
/// 2026-01-01, open-ended.
pub fn coverage(patient_id: &str, payer_id: &str, rank: u32) -> AddCoverageRequest {
    AddCoverageRequest {
        patient_id: patient_id.into(),
        payer_id: payer_id.into(),
        rank,
        member_id: "W123456789".into(),
        group_number: "G-77".into(),
        relationship: Relationship::Self_ as i32,
        effective: Some(DateRange {
            start: date(2026, 1, 1),
            end: None,
        }),
        ..Default::default()
    }
}

/// Asserts `result` failed with `code` and a message naming `field` first
/// (how `INVALID_ARGUMENT` names the field at fault).
pub fn assert_fails<T: std::fmt::Debug>(result: Result<T, Status>, code: Code, starts_with: &str) {
    let status = result.expect_err("the call should fail");
    assert_eq!(status.code(), code, "{status:?}");
    assert!(
        status.message().starts_with(starts_with),
        "{:?} should start with {starts_with:?}",
        status.message()
    );
}

/// Rows of the audit log naming `record_id`.
pub async fn audit_rows(service: &RunningService, record_id: &str) -> Vec<(String, String)> {
    use sqlx::Row;
    sqlx::query("SELECT action, rpc FROM audit_log WHERE record_id = $1 ORDER BY at, audit_id")
        .bind(record_id)
        .fetch_all(service.db().pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("action"), r.get::<String, _>("rpc")))
        .collect()
}

/// Billing following a fake coding feed and a fake payments feed.
pub struct WithCoding {
    pub service: RunningService,
    pub coding: medbill_platform::testing::FakeFeed,
    pub payments: medbill_platform::testing::FakeFeed,
}

impl WithCoding {
    /// Publishes a new encounter's release for `mrn` with `lines` on the
    /// fake coding feed and returns the claim billing builds of it.
    pub async fn claim_of(
        &self,
        mrn: &str,
        lines: Vec<ProcedureLine>,
    ) -> medbill_contracts::medbill::billing::v1::Claim {
        let encounter = medbill_kernel::ids::new_uuid_v7();
        self.coding
            .publish(&encounter, &released(&encounter, mrn, lines))
            .await;
        claims_of_encounter(&self.service, &encounter, 1)
            .await
            .remove(0)
    }
}

/// Starts billing on `test_db` with a fake coding feed as its peer.
pub async fn start_with_coding(test_db: &TestDatabase) -> WithCoding {
    start_with_folder(test_db, None).await
}

/// Starts billing with a fake coding feed and, when given, the
/// clearinghouse folder drop under `clearinghouse_dir`.
pub async fn start_with_folder(
    test_db: &TestDatabase,
    clearinghouse_dir: Option<std::path::PathBuf>,
) -> WithCoding {
    start_with_clearinghouse(test_db, clearinghouse_dir, None).await
}

/// Starts billing with a fake coding feed, the clearinghouse folder drop
/// under `clearinghouse_dir` when given, and eligibility answered in real
/// time at `eligibility_url` when given.
pub async fn start_with_clearinghouse(
    test_db: &TestDatabase,
    clearinghouse_dir: Option<std::path::PathBuf>,
    eligibility_url: Option<medbill_platform::http::HttpUrl>,
) -> WithCoding {
    let coding = medbill_platform::testing::FakeFeed::start(test_db).await;
    let payments = medbill_platform::testing::FakeFeed::start(test_db).await;
    let peers = crate::Peers {
        coding: Some(coding.peer("coding", "billing")),
        // The fake serves the feed only; coding's edits are not re-run.
        coding_edits: None,
        payments: Some(payments.peer("payments", "billing")),
        clearinghouse_dir,
        eligibility_url,
    };
    let service = start(test_db, crate::MIGRATIONS, move |l, db, s, sd| {
        crate::serve(l, db, s, peers, sd)
    })
    .await;
    WithCoding {
        service,
        coding,
        payments,
    }
}

/// A procedure line pointing at the first diagnosis.
pub fn line(code: &str, units: u32) -> ProcedureLine {
    ProcedureLine {
        code: code.into(),
        units,
        diagnosis_pointers: vec![1],
        ..Default::default()
    }
}

/// Coding's release of a professional encounter on 2026-10-01 for patient
/// `mrn`, rendered by NPI 1234567893, diagnosis E11.9.
pub fn released(encounter_id: &str, mrn: &str, lines: Vec<ProcedureLine>) -> EncounterReleased {
    EncounterReleased {
        encounter_id: encounter_id.into(),
        source_system: "ehr".into(),
        source_encounter_id: "V-1".into(),
        patient_mrn: mrn.into(),
        patient_age_years: 66,
        patient_sex: Sex::Female as i32,
        rendering_provider_npi: "1234567893".into(),
        dates_of_service: Some(DateRange {
            start: date(2026, 10, 1),
            end: date(2026, 10, 1),
        }),
        place_of_service: "11".into(),
        encounter_type: EncounterType::Professional as i32,
        diagnoses: vec![Diagnosis {
            code: "E119".into(),
            present_on_admission: String::new(),
        }],
        lines,
        released_by: "coder-1".into(),
        replaces_claim_id: String::new(),
        release_number: 1,
        payer_id: String::new(),
        facility_npi: String::new(),
        inpatient_stay: None,
    }
}

/// What [`register_for_claims`] registered.
pub struct Registered {
    pub payer_id: String,
    pub patient_id: String,
    pub coverage_id: String,
    pub billing_provider_id: String,
}

/// A biller's set-up for claims: charge master prices for 99213 ($150,
/// revenue code 0510), 71046 ($200, 0324) and 36415 ($25, 0300) from
/// 2026-01-01; the billing organization (NPI 1245319599) named in the
/// submitter profile; payer "Acme" taking both forms; patient `mrn` with
/// primary coverage by it. With `physician`, the rendering physician NPI
/// 1234567893 (the one [`released`] names) is registered too.
pub async fn register_for_claims(
    service: &RunningService,
    mrn: &str,
    physician_too: bool,
) -> Registered {
    use medbill_contracts::medbill::billing::v1::{
        ChargeMasterEntry, SubmitterProfile, UpsertChargeMasterRequest,
    };
    use medbill_contracts::medbill::common::v1::Money;
    let mut api = registry(service).await;
    let cdm = |code: &str, cents, revenue_code: &str| ChargeMasterEntry {
        code: code.into(),
        price: Some(Money { cents }),
        revenue_code: revenue_code.into(),
        ..Default::default()
    };
    api.upsert_charge_master(as_biller(UpsertChargeMasterRequest {
        effective_from: date(2026, 1, 1),
        entries: vec![
            cdm("99213", 15_000, "0510"),
            cdm("71046", 20_000, "0324"),
            cdm("36415", 2_500, "0300"),
        ],
    }))
    .await
    .unwrap();
    let mut org = physician("1245319599");
    org.name = "Riverside Clinic".into();
    org.first_name = String::new();
    org.organization = true;
    org.tax_id = "061234567".into();
    org.taxonomy = "261QM1300X".into();
    // Loop 2010AA needs a ZIP+4.
    org.address.as_mut().unwrap().postal_code = "122073456".into();
    let org = api
        .create_provider(as_biller(org))
        .await
        .unwrap()
        .into_inner();
    if physician_too {
        api.create_provider(as_biller(physician("1234567893")))
            .await
            .unwrap();
    }
    api.set_submitter_profile(as_biller(SubmitterProfile {
        billing_provider_id: org.provider_id.clone(),
        submitter_name: "Riverside Clinic Billing".into(),
        submitter_id: "SUB12345".into(),
        contact_name: "Billing Office".into(),
        contact_phone: "5185551234".into(),
        receiver_name: "Acme Clearinghouse".into(),
        receiver_id: "RCV67890".into(),
        interchange_sender_id: "RIVERSIDE".into(),
        interchange_receiver_id: "ACMECH".into(),
        usage_indicator: "T".into(),
    }))
    .await
    .unwrap();
    let mut payer = commercial_payer("Acme");
    payer.claim_forms = vec![
        ClaimForm::Professional as i32,
        ClaimForm::Institutional as i32,
    ];
    let payer = api
        .create_payer(as_biller(payer))
        .await
        .unwrap()
        .into_inner();
    let patient = api
        .create_patient(as_biller(patient(mrn)))
        .await
        .unwrap()
        .into_inner();
    let coverage = api
        .add_coverage(as_biller(coverage(&patient.patient_id, &payer.payer_id, 1)))
        .await
        .unwrap()
        .into_inner();
    Registered {
        payer_id: payer.payer_id,
        patient_id: patient.patient_id,
        coverage_id: coverage.coverage_id,
        billing_provider_id: org.provider_id,
    }
}

/// A claims client.
pub async fn claims(
    service: &RunningService,
) -> medbill_contracts::medbill::billing::v1::claim_service_client::ClaimServiceClient<Channel> {
    medbill_contracts::medbill::billing::v1::claim_service_client::ClaimServiceClient::new(
        service.channel().await,
    )
}

/// The claims of an encounter, newest first, once at least `n` exist.
pub async fn claims_of_encounter(
    service: &RunningService,
    encounter_id: &str,
    n: usize,
) -> Vec<medbill_contracts::medbill::billing::v1::Claim> {
    use medbill_contracts::medbill::billing::v1::ListClaimsRequest;
    medbill_platform::testing::eventually("the encounter's claims", || async move {
        let found = claims(service)
            .await
            .list_claims(as_biller(ListClaimsRequest {
                encounter_id: encounter_id.into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
            .claims;
        (found.len() >= n).then_some(found)
    })
    .await
}

/// Keeps a generated file for the pyx12 oracle `scripts/test` runs after
/// the Rust tests, when it asks for them.
pub fn keep_for_oracle(name: &str, content: &[u8]) {
    if let Ok(dir) = std::env::var("MEDBILL_X12_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), content).unwrap();
    }
}

/// A fresh, empty directory for a clearinghouse folder drop.
pub fn temp_folder() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "medbill-billing-{}",
        medbill_kernel::ids::new_uuid_v7()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A submission client.
pub async fn submission(
    service: &RunningService,
) -> medbill_contracts::medbill::billing::v1::submission_service_client::SubmissionServiceClient<
    Channel,
> {
    medbill_contracts::medbill::billing::v1::submission_service_client::SubmissionServiceClient::new(
        service.channel().await,
    )
}

/// A benefit line of an eligibility answer, as tests compare it.
pub type BenefitLine<'a> = (&'a str, &'a str, Option<i64>, u32, bool);

/// The benefit lines of an eligibility answer as (EB01, EB06, cents, basis
/// points, in network).
pub fn benefit_lines(
    answer: &medbill_contracts::medbill::billing::v1::EligibilityResponse,
) -> Vec<BenefitLine<'_>> {
    answer
        .benefits
        .iter()
        .map(|b| {
            (
                b.info_code.as_str(),
                b.period.as_str(),
                b.amount.map(|m| m.cents),
                b.percent_basis_points,
                b.in_network,
            )
        })
        .collect()
}
