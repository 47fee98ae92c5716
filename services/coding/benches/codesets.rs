//! Code-set import time and lookup/search latency over the full public code
//! sets: fetches into `.codesets/` (reused), imports into a fresh SQLite
//! file, then times `GetCode` and `SearchCodes` through the real gRPC server
//! and prints p50/p99. Run: `cargo bench -p medbill-coding --bench codesets`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use medbill_coding::codesets;
use medbill_contracts::medbill::coding::v1::code_set_service_client::CodeSetServiceClient;
use medbill_contracts::medbill::coding::v1::{CodeSystem, GetCodeRequest, SearchCodesRequest};
use medbill_contracts::medbill::common::v1::Date;
use medbill_platform::auth::Role;
use medbill_platform::testing::{TestDatabase, authorized, start_on};

const LOOKUPS: [&str; 8] = [
    "S52521A", "O80", "Z3800", "E119", "I10", "S061X7A", "J189", "M5416",
];
const SEARCHES: [&str; 8] = [
    "torus radius",
    "diabetes kidney",
    "fracture femur initial",
    "S52.5",
    "pneumonia",
    "hypertensive heart chronic",
    "E11",
    "maternal care",
];

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    (at(0.50), at(0.99))
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.codesets");
        let files = match codesets::fetch(&dir, &|_| {}).await {
            Ok(f) => f,
            Err(e) => {
                println!("SKIPPED: {e}");
                return;
            }
        };
        let test_db = TestDatabase::sqlite();
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        let summary = codesets::import_all(&db, &files, &|_| {}).await.unwrap();
        println!("full import (SQLite): {:.1?}", summary.elapsed);
        for r in &summary.releases {
            println!(
                "  {:<9} {:<9} {:>9} rows in {:.2?}  {}",
                r.system.as_str(),
                r.kind,
                r.rows,
                r.elapsed,
                r.name
            );
        }
        let service = start_on(db, |listener, db, settings, shutdown| {
            medbill_coding::serve(
                listener,
                db,
                settings,
                medbill_coding::Peers::default(),
                shutdown,
            )
        })
        .await;
        let mut client = CodeSetServiceClient::new(service.channel().await);
        let date = Date {
            year: 2026,
            month: 6,
            day: 1,
        };
        let mut lookups = Vec::new();
        for i in 0..4_000 {
            let request = GetCodeRequest {
                system: CodeSystem::Icd10cm as i32,
                code: LOOKUPS[i % LOOKUPS.len()].into(),
                date_of_service: Some(date),
            };
            let request = authorized(request, "bench", &[Role::Coder]);
            let t = Instant::now();
            client.get_code(request).await.unwrap();
            lookups.push(t.elapsed());
        }
        let mut searches = Vec::new();
        for i in 0..4_000 {
            let request = SearchCodesRequest {
                query: SEARCHES[i % SEARCHES.len()].into(),
                system: CodeSystem::Icd10cm as i32,
                date_of_service: Some(date),
                limit: 20,
                include_headers: false,
            };
            let request = authorized(request, "bench", &[Role::Coder]);
            let t = Instant::now();
            client.search_codes(request).await.unwrap();
            if i >= SEARCHES.len() {
                searches.push(t.elapsed()); // the first round builds the index
            }
        }
        let (p50, p99) = percentiles(lookups);
        println!("GetCode over gRPC (ICD-10-CM, 4000 calls): p50 {p50:.2?} p99 {p99:.2?}");
        let (p50, p99) = percentiles(searches);
        println!("SearchCodes over gRPC (full ICD-10-CM, limit 20): p50 {p50:.2?} p99 {p99:.2?}");
        service.stop().await;
    });
}
