//! What the billing service tests share: the service started on a test
//! database, registry requests a biller would send, and status checks.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use medbill_contracts::medbill::billing::v1::registry_service_client::RegistryServiceClient;
use medbill_contracts::medbill::billing::v1::{
    AddCoverageRequest, ClaimFilingIndicator, ClaimForm, CreatePatientRequest, CreatePayerRequest,
    CreateProviderRequest, Relationship,
};
use medbill_contracts::medbill::common::v1::{Address, Date, DateRange, PersonName, Sex};
use medbill_platform::auth::Role;
use medbill_platform::testing::{RunningService, TestDatabase, authorized, start};
use tonic::transport::Channel;
use tonic::{Code, Status};

/// Starts billing on `test_db` without peers.
pub async fn start_billing(test_db: &TestDatabase) -> RunningService {
    start(test_db, medbill_billing::MIGRATIONS, |l, db, s, sd| {
        medbill_billing::serve(l, db, s, Default::default(), sd)
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

/// Billing following a fake coding feed.
pub struct WithCoding {
    pub service: RunningService,
    pub coding: medbill_platform::testing::FakeFeed,
}

/// Starts billing on `test_db` with a fake coding feed as its peer.
pub async fn start_with_coding(test_db: &TestDatabase) -> WithCoding {
    let coding = medbill_platform::testing::FakeFeed::start(test_db).await;
    let peers = medbill_billing::Peers {
        coding: Some(coding.peer("coding", "billing")),
        payments: None,
    };
    let service = start(test_db, medbill_billing::MIGRATIONS, move |l, db, s, sd| {
        medbill_billing::serve(l, db, s, peers, sd)
    })
    .await;
    WithCoding { service, coding }
}
