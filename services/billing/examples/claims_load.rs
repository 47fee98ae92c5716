//! Claims created and scrubbed per second through the real server: N
//! released encounters (200 patients, one visit per patient and day, on the
//! days from 2026-06-15 on, so none is a duplicate or past timely filing)
//! are stored as charge capture stores them, then `CreateClaim` bills and
//! scrubs each at a fixed number of calls in flight; then `CreateBatch`
//! writes them as 837P batches (at most 5,000 claims each).
//!
//! ```sh
//! cargo run --release -p medbill-billing --features testing --example claims_load -- \
//!     --backend postgres --claims 20000 --concurrency 32
//! ```
//!
//! PostgreSQL comes from `MEDBILL_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); a fresh database is made.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use medbill_billing::charges::capture::capture;
use medbill_billing::charges::domain::{EncounterType, Release, ReleasedLine};
use medbill_billing::testing::*;
use medbill_contracts::medbill::billing::v1::submission_service_client::SubmissionServiceClient;
use medbill_contracts::medbill::billing::v1::{
    AddCoverageRequest, CreateBatchRequest, CreateClaimRequest, SubmissionStatus,
};
use medbill_kernel::{CalendarDate, DateRange, EncounterId, Timestamp};
use medbill_platform::testing::TestDatabase;

/// CPU seconds used so far by this process and by every `postgres`
/// process (server and backends), from /proc (Linux; zeros elsewhere), so a
/// phase's cost per claim reads the same whatever else the cores are doing.
fn cpu_seconds() -> (f64, f64) {
    let ticks = |stat: &str| -> f64 {
        // Fields after the parenthesised command: state is field 3, utime 14, stime 15.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        let n = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        (n(11) + n(12)) / 100.0
    };
    let own = std::fs::read_to_string("/proc/self/stat")
        .map(|s| ticks(&s))
        .unwrap_or(0.0);
    let mut postgres = 0.0;
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let path = entry.path();
            let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
            if comm.trim() == "postgres" {
                postgres += std::fs::read_to_string(path.join("stat"))
                    .map(|s| ticks(&s))
                    .unwrap_or(0.0);
            }
        }
    }
    (own, postgres)
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let backend = arg("--backend", "postgres");
    let n: usize = arg("--claims", "20000").parse().unwrap();
    let concurrency: usize = arg("--concurrency", "32").parse().unwrap();
    let test_db = match backend.as_str() {
        "postgres" => TestDatabase::postgres()
            .await
            .expect("no PostgreSQL at MEDBILL_TEST_POSTGRES_URL"),
        _ => TestDatabase::sqlite(),
    };
    let h = start_with_coding(&test_db).await;
    let reg = register_for_claims(&h.service, "MRN-0", true).await;
    let mut api = registry(&h.service).await;
    let patients = 200;
    let mut mrns = vec!["MRN-0".to_string()];
    for i in 1..patients {
        let mrn = format!("MRN-{i}");
        let p = api
            .create_patient(as_biller(patient(&mrn)))
            .await
            .unwrap()
            .into_inner();
        api.add_coverage(as_biller(AddCoverageRequest {
            ..coverage(&p.patient_id, &reg.payer_id, 1)
        }))
        .await
        .unwrap();
        mrns.push(mrn);
    }
    // Releases as charge capture stores them (not billed: CreateClaim bills).
    let start_day = CalendarDate::from_ymd(2026, 6, 15).unwrap();
    let codes = ["99213", "71046", "36415"];
    let mut encounters = Vec::with_capacity(n);
    let setup = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut tx = h.service.db().begin().await.unwrap();
        for &i in chunk {
            let day = start_day.add_days((i / patients) as i64 % 160).unwrap();
            let encounter_id = EncounterId::new();
            let release = Release {
                encounter_id: encounter_id.clone(),
                release_number: 1,
                patient_mrn: mrns[i % patients].clone().into(),
                rendering_provider_npi: "1234567893".into(),
                dates_of_service: Some(DateRange::new(day, Some(day)).unwrap()),
                place_of_service: "11".into(),
                encounter_type: EncounterType::Professional,
                diagnoses: vec!["E119".into(), "I10".into()],
                lines: (0..2)
                    .map(|l| ReleasedLine {
                        code: codes[(i + l) % codes.len()].into(),
                        modifiers: Vec::new(),
                        units: 1,
                        diagnosis_pointers: vec![1, 2],
                        date_of_service: Some(day),
                        revenue_code: String::new(),
                    })
                    .collect(),
                replaces_claim_id: String::new(),
                payer_id: String::new(),
                facility_npi: String::new(),
                inpatient: None,
                procedures: Vec::new(),
            };
            capture(&mut tx, &release, &format!("bench-{i}"), Timestamp::now())
                .await
                .unwrap();
            encounters.push(encounter_id.into_string());
        }
        tx.commit().await.unwrap();
    }
    println!(
        "{backend}: {n} releases stored in {:.1} s ({patients} patients)",
        setup.elapsed().as_secs_f64()
    );

    let encounters = Arc::new(encounters);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (encounters, next) = (encounters.clone(), next.clone());
        let mut client = claims(&h.service).await;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut held = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(encounter) = encounters.get(i) else {
                    break;
                };
                let t = Instant::now();
                let claim = client
                    .create_claim(as_biller(CreateClaimRequest {
                        encounter_id: encounter.clone(),
                        ..Default::default()
                    }))
                    .await
                    .unwrap()
                    .into_inner();
                latencies.push(t.elapsed());
                if claim.submission != SubmissionStatus::Ready as i32 {
                    held += 1;
                }
            }
            (latencies, held)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(n);
    let mut held = 0;
    for t in tasks {
        let (l, h) = t.await.unwrap();
        latencies.extend(l);
        held += h;
    }
    let elapsed = started.elapsed();
    let cpu_after = cpu_seconds();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{backend}: CreateClaim (build + scrub) x {n} at {concurrency} in flight: {:.2} s = {:.0} claims/s; \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {held} held by the scrubber",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );
    println!(
        "{backend}: CPU per claim: {:.2} ms in this process (client + server), {:.2} ms in postgres",
        (cpu_after.0 - cpu_before.0) * 1e3 / n as f64,
        (cpu_after.1 - cpu_before.1) * 1e3 / n as f64,
    );

    let mut sub = SubmissionServiceClient::new(h.service.channel().await);
    let mut batched = 0;
    let started = Instant::now();
    while batched < n - held {
        let batch = sub
            .create_batch(as_biller(CreateBatchRequest {
                transaction_type: "837P".into(),
                max_claims: 5000,
                payer_id: String::new(),
            }))
            .await
            .unwrap()
            .into_inner();
        batched += batch.claim_ids.len();
    }
    let elapsed = started.elapsed();
    println!(
        "{backend}: CreateBatch (scrub again, 837P, ClaimSubmitted) of {batched} claims in 5,000-claim batches: \
         {:.2} s = {:.0} claims/s",
        elapsed.as_secs_f64(),
        batched as f64 / elapsed.as_secs_f64()
    );
    h.service.stop().await;
}
