//! 835 posting throughput through the real server: N claims are stored as
//! billing's feed stores them (ClaimSubmitted applied by the feed's own
//! handler, 500 per transaction), then `medbill_x12::samples::
//! remittance_file(N)` pays them (two lines each, CO and PR adjustments,
//! REF*6R, a PLB per set); its transaction sets of 2,000 claims are written
//! one per file with `medbill_x12::remit::write_835`, and `IngestRemittance`
//! posts the files with a fixed number of calls in flight. Prints claims
//! posted per second, then checks every claim was matched and the ledger
//! is in balance.
//!
//! ```sh
//! cargo run --release -p medbill-payments --example remit_load -- \
//!     --backend postgres --claims 20000 --concurrency 2
//! ```
//!
//! PostgreSQL comes from `MEDBILL_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); a fresh database is made.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use medbill_contracts::medbill::billing::v1::{ClaimLine, ClaimSubmitted};
use medbill_contracts::medbill::common::v1::{Date, Money};
use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_contracts::medbill::payments::v1::remittance_service_client::RemittanceServiceClient;
use medbill_contracts::medbill::payments::v1::{AuditLedgerRequest, IngestRemittanceRequest};
use medbill_kernel::Timestamp;
use medbill_kernel::ids::new_uuid_v7;
use medbill_payments::Peers;
use medbill_payments::claims::feed::ClaimFeedHandler;
use medbill_platform::auth::Role;
use medbill_platform::consumer::EventHandler;
use medbill_platform::events::encode;
use medbill_platform::testing::{TestDatabase, authorized, start, test_settings};
use medbill_x12::remit::{read_835, write_835};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

/// Claim `i` as `remittance_file` pays it.
fn claim(i: usize, payer_id: &str, accounts: &[String]) -> ClaimSubmitted {
    let pcn = format!("PCN{i:07}");
    let served = Some(Date {
        year: 2024,
        month: 3,
        day: 1,
    });
    let line = |n: u32, code: &str, modifiers: Vec<String>, cents: i64| ClaimLine {
        line_number: n,
        line_control_number: format!("{pcn}-{n}"),
        code: code.into(),
        modifiers,
        units: 1,
        charge: Some(Money { cents }),
        date_of_service: served,
        ..Default::default()
    };
    ClaimSubmitted {
        claim_id: new_uuid_v7(),
        patient_id: new_uuid_v7(),
        patient_mrn: format!("MRN{i}"),
        guarantor_account_id: accounts[i % accounts.len()].clone(),
        payer_id: payer_id.into(),
        payer_rank: 1,
        patient_control_number: pcn.clone(),
        frequency_code: "1".into(),
        first_date_of_service: served,
        lines: vec![
            line(1, "99214", vec!["25".into()], 20_000),
            line(2, "36415", Vec::new(), 5_000),
        ],
        total_charge: Some(Money { cents: 25_000 }),
        batch_id: new_uuid_v7(),
        encounter_id: new_uuid_v7(),
        payer_name: "ACME HEALTH PLAN".into(),
        claim_filing_indicator: "CI".into(),
        submitted_on: Some(Date {
            year: 2024,
            month: 3,
            day: 5,
        }),
        ..Default::default()
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let backend = arg("--backend", "postgres");
    let n: usize = arg("--claims", "20000").parse().unwrap();
    let concurrency: usize = arg("--concurrency", "2").parse().unwrap();
    let test_db = match backend.as_str() {
        "postgres" => TestDatabase::postgres()
            .await
            .expect("no PostgreSQL at MEDBILL_TEST_POSTGRES_URL"),
        _ => TestDatabase::sqlite(),
    };
    let service = start(&test_db, medbill_payments::MIGRATIONS, |l, db, s, sd| {
        medbill_payments::serve(l, db, s, Peers::default(), sd)
    })
    .await;

    let setup = Instant::now();
    let payer_id = new_uuid_v7();
    let accounts: Vec<String> = (0..200).map(|_| new_uuid_v7()).collect();
    let handler = ClaimFeedHandler::new(test_settings().clock);
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut tx = service.db().begin().await.unwrap();
        for &i in chunk {
            let c = claim(i, &payer_id, &accounts);
            let event = encode(i as u64 + 1, &c.claim_id, Timestamp::now(), &c);
            handler.apply(&mut tx, &event).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let params = medbill_x12::samples::interchange_params(9);
    let files: Vec<Vec<u8>> = read_835(&medbill_x12::samples::remittance_file(n).unwrap())
        .unwrap()
        .into_iter()
        .map(|set| write_835(&params, &[set]).unwrap())
        .collect();
    println!(
        "{backend}: {n} claims stored and {} 835 file(s) written in {:.1} s",
        files.len(),
        setup.elapsed().as_secs_f64()
    );

    let files = Arc::new(files);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (files, next) = (files.clone(), next.clone());
        let mut client = RemittanceServiceClient::new(service.channel().await)
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20);
        tasks.push(tokio::spawn(async move {
            let mut matched = 0;
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(content) = files.get(k) else {
                    return matched;
                };
                let posted = client
                    .ingest_remittance(authorized(
                        IngestRemittanceRequest {
                            content: content.clone(),
                            file_name: format!("era-{k}.835"),
                        },
                        "bench",
                        &[Role::PaymentPoster],
                    ))
                    .await
                    .unwrap()
                    .into_inner();
                assert!(posted.newly_posted && posted.exceptions.is_empty());
                matched += posted.claims.len();
            }
        }));
    }
    let mut matched = 0;
    for t in tasks {
        matched += t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{backend}: {matched} claims posted from {} file(s) in {elapsed:.2} s: {:.0} claims/s ({concurrency} in flight)",
        files.len(),
        matched as f64 / elapsed
    );
    assert_eq!(matched, n);
    let audit = AccountServiceClient::new(service.channel().await)
        .audit_ledger(authorized(
            AuditLedgerRequest::default(),
            "bench",
            &[Role::Auditor],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(audit.claims_out_of_balance, 0);
    assert!(audit.unbalanced_entry_ids.is_empty());
    println!(
        "{backend}: ledger audit: {} claims and {} entries checked, all in balance",
        audit.claims_checked, audit.entries_checked
    );
}
