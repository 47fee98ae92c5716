//! What the payments service tests share: the service started with a fake
//! billing feed, claims as billing submits them, and the ledger audit.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod x835;

use medbill_contracts::medbill::billing::v1::{ClaimLine, ClaimSubmitted};
use medbill_contracts::medbill::common::v1::{Address, Date, Money, PersonName};
use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_contracts::medbill::payments::v1::{AuditLedgerRequest, ClaimLedgerAudit};
use medbill_kernel::ids::new_uuid_v7;
use medbill_payments::Peers;
use medbill_platform::auth::Role;
use medbill_platform::testing::{
    FakeFeed, RunningService, TestDatabase, authorized, eventually, start,
};

/// The payments service following a fake billing feed.
pub struct Harness {
    pub service: RunningService,
    pub billing: FakeFeed,
}

/// Starts payments on `test_db` with a fake billing feed as its peer.
pub async fn start_with_billing(test_db: &TestDatabase) -> Harness {
    start_with_folder(test_db, None).await
}

/// Starts payments on `test_db` with a fake billing feed as its peer and,
/// when given, `remittance_dir` as its clearinghouse folder.
pub async fn start_with_folder(
    test_db: &TestDatabase,
    remittance_dir: Option<std::path::PathBuf>,
) -> Harness {
    let billing = FakeFeed::start(test_db).await;
    let peers = Peers {
        billing: Some(billing.peer("billing", "payments")),
        remittance_dir,
    };
    let service = start(
        test_db,
        medbill_payments::MIGRATIONS,
        move |l, db, s, sd| medbill_payments::serve(l, db, s, peers, sd),
    )
    .await;
    Harness { service, billing }
}

pub fn money(cents: i64) -> Option<Money> {
    Some(Money { cents })
}

pub fn date(year: i32, month: i32, day: i32) -> Option<Date> {
    Some(Date { year, month, day })
}

/// A line: code, modifiers, charge in cents, day of October 2026.
pub struct Line(
    pub &'static str,
    pub &'static [&'static str],
    pub i64,
    pub i32,
);

/// A primary claim billing submitted: PCN `pcn`, one payer, lines as given
/// (line control numbers `<pcn>-<n>`).
pub fn claim(pcn: &str, payer_id: &str, account_id: &str, lines: &[Line]) -> ClaimSubmitted {
    let lines: Vec<ClaimLine> = lines
        .iter()
        .enumerate()
        .map(|(i, Line(code, modifiers, charge, day))| ClaimLine {
            line_number: i as u32 + 1,
            line_control_number: format!("{pcn}-{}", i + 1),
            code: code.to_string(),
            modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
            units: 1,
            charge: money(*charge),
            date_of_service: date(2026, 10, *day),
            ..Default::default()
        })
        .collect();
    let total: i64 = lines.iter().map(|l| l.charge.unwrap().cents).sum();
    ClaimSubmitted {
        claim_id: new_uuid_v7(),
        patient_id: new_uuid_v7(),
        patient_mrn: "MRN0001".into(),
        guarantor_account_id: account_id.to_string(),
        payer_id: payer_id.to_string(),
        payer_rank: 1,
        patient_control_number: pcn.to_string(),
        frequency_code: "1".into(),
        first_date_of_service: lines[0].date_of_service,
        lines,
        total_charge: money(total),
        batch_id: new_uuid_v7(),
        encounter_id: new_uuid_v7(),
        guarantor_name: Some(PersonName {
            last: "DOE".into(),
            first: "JANE".into(),
            ..Default::default()
        }),
        guarantor_address: Some(Address {
            line1: "1 MAIN ST".into(),
            city: "ALBANY".into(),
            state: "NY".into(),
            postal_code: "12207".into(),
            ..Default::default()
        }),
        payer_name: "ACME HEALTH".into(),
        claim_filing_indicator: "CI".into(),
        submitted_on: date(2026, 10, 20),
        ..Default::default()
    }
}

/// The audit figures of `claim_ids`, and the whole-ledger counts.
pub async fn audit(
    service: &RunningService,
    claim_ids: &[&str],
) -> medbill_contracts::medbill::payments::v1::AuditLedgerResponse {
    let mut client = AccountServiceClient::new(service.channel().await);
    client
        .audit_ledger(authorized(
            AuditLedgerRequest {
                claim_ids: claim_ids.iter().map(|c| c.to_string()).collect(),
            },
            "auditor",
            &[Role::Auditor],
        ))
        .await
        .unwrap()
        .into_inner()
}

/// One claim's audit row.
pub async fn claim_audit(service: &RunningService, claim_id: &str) -> ClaimLedgerAudit {
    audit(service, &[claim_id]).await.claims.remove(0)
}

/// Waits until the claim's charges read `charges` cents.
pub async fn wait_for_charges(service: &RunningService, claim_id: &str, charges: i64) {
    eventually("the claim's receivable", || async {
        let row = claim_audit(service, claim_id).await;
        (row.charges.map(|m| m.cents) == Some(charges)).then_some(())
    })
    .await;
}

/// Figures of one audit row as plain cents: charges, payments,
/// adjustments, write-offs, insurance balance, patient balance.
pub fn figures(row: &ClaimLedgerAudit) -> [i64; 6] {
    let c = |m: &Option<Money>| m.map(|m| m.cents).unwrap_or(0);
    [
        c(&row.charges),
        c(&row.payments),
        c(&row.adjustments),
        c(&row.write_offs),
        c(&row.insurance_balance),
        c(&row.patient_balance),
    ]
}

/// A fresh id.
pub fn id() -> String {
    new_uuid_v7()
}

/// Sends `content` to `IngestRemittance` as a payment poster.
pub async fn ingest(
    service: &RunningService,
    content: &str,
) -> Result<medbill_contracts::medbill::payments::v1::Remittance, tonic::Status> {
    use medbill_contracts::medbill::payments::v1::IngestRemittanceRequest;
    use medbill_contracts::medbill::payments::v1::remittance_service_client::RemittanceServiceClient;
    let mut client = RemittanceServiceClient::new(service.channel().await);
    client
        .ingest_remittance(authorized(
            IngestRemittanceRequest {
                content: content.as_bytes().to_vec(),
                file_name: "era.835".into(),
            },
            "poster",
            &[Role::PaymentPoster],
        ))
        .await
        .map(|r| r.into_inner())
}

/// Every ledger account's total (debit positive) over the whole journal.
pub async fn account_totals(service: &RunningService) -> std::collections::BTreeMap<String, i64> {
    use sqlx::Row;
    sqlx::query(
        "SELECT ledger_account, CAST(SUM(amount) AS BIGINT) FROM journal_lines GROUP BY ledger_account",
    )
    .fetch_all(service.db().pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
    .collect()
}

/// How many rows `table` holds.
pub async fn count(service: &RunningService, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(service.db().pool())
        .await
        .unwrap()
        .get::<i64, _>(0)
}
