//! The in-memory code-set index behind `GetCode` and `SearchCodes`, on
//! SQLite and PostgreSQL, through the real server: a release loaded after
//! start is answered without a restart, a release another process writes
//! to the same database is picked up, and every answer equals the store's
//! per-call SQL answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use std::path::PathBuf;

use medbill_coding::codesets::domain::CodeRow;
use medbill_coding::codesets::index_cache::{IndexCache, MISS_RECHECK_AFTER};
use medbill_coding::codesets::store::lookup;
use medbill_coding::codesets::store::write::{insert_codes, insert_release};
use medbill_coding::codesets::store::{NewRelease, ReleaseKind};
use medbill_coding::codesets::{self, CodeStatus, CodeSystem};
use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::code_set_service_client::CodeSetServiceClient;
use medbill_contracts::medbill::common::v1::Date;
use medbill_kernel::CalendarDate;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::db::Database;
use medbill_platform::testing::{TestDatabase, authorized, eventually};
use tonic::Code;
use tonic::transport::Channel;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn day(s: &str) -> CalendarDate {
    s.parse().unwrap()
}

fn wire_date(d: CalendarDate) -> Date {
    Date {
        year: d.year(),
        month: d.month() as i32,
        day: d.day() as i32,
    }
}

async fn get_code(
    client: &mut CodeSetServiceClient<Channel>,
    system: CodeSystem,
    code: &str,
    date: &str,
) -> Result<pb::Code, tonic::Status> {
    let request = pb::GetCodeRequest {
        system: seed::wire_system(system) as i32,
        code: code.into(),
        date_of_service: Some(wire_date(day(date))),
    };
    client
        .get_code(authorized(request, "ann", &[Role::Coder]))
        .await
        .map(|r| r.into_inner().code.unwrap())
}

async fn search(
    client: &mut CodeSetServiceClient<Channel>,
    query: &str,
    date: &str,
) -> Vec<String> {
    let request = pb::SearchCodesRequest {
        query: query.into(),
        system: pb::CodeSystem::Icd10cm as i32,
        date_of_service: Some(wire_date(day(date))),
        limit: 0,
        include_headers: false,
    };
    client
        .search_codes(authorized(request, "ann", &[Role::Coder]))
        .await
        .unwrap()
        .into_inner()
        .codes
        .into_iter()
        .map(|c| c.code)
        .collect()
}

async fn load_order_file(db: &Database, file: &str, name: &str, from: &str) {
    let loaded = codesets::import_order_file(db, &fixture(file), name, day(from))
        .await
        .unwrap();
    assert!(!loaded.already_loaded, "{name}");
}

/// An ICD-10-CM code list written the way another process's import
/// writes it: through the store, committed, with no word to this process.
async fn write_elsewhere(db: &Database, name: &str, from: &str, codes: &[(&str, &str)]) {
    let rows: Vec<CodeRow> = codes
        .iter()
        .map(|(code, description)| CodeRow {
            code: code.to_string(),
            is_header: false,
            description: description.to_string(),
            parent: String::new(),
            notes: Vec::new(),
        })
        .collect();
    let release = NewRelease {
        system: CodeSystem::Icd10Cm,
        kind: ReleaseKind::Codes,
        scope: String::new(),
        name: name.into(),
        effective_from: day(from),
        source: "written by another coding process".into(),
        sha256: name.into(),
        code_count: rows.len() as u64,
    };
    let mut tx = db.begin().await.unwrap();
    let id = insert_release(&mut tx, &release).await.unwrap().unwrap();
    insert_codes(&mut tx, &id, CodeSystem::Icd10Cm, &rows)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

backend_tests!(
    a_release_loaded_after_start_is_found_by_get_code_and_search_without_a_restart,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        load_order_file(&db, "icd10cm_order_2025.txt", "FY2025", "2024-10-01").await;
        let service = seed::start(db.clone()).await;
        let mut client = CodeSetServiceClient::new(service.channel().await);
        let err = get_code(&mut client, CodeSystem::Icd10Cm, "A00.9", "2026-05-01")
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        assert_eq!(
            search(&mut client, "cholera", "2026-05-01").await,
            vec!["A001", "A000"],
            "the shorter description first"
        );

        // Loaded while the service runs; visible to the very next call.
        load_order_file(&db, "icd10cm_order_2026.txt", "FY2026", "2025-10-01").await;
        let a009 = get_code(&mut client, CodeSystem::Icd10Cm, "A00.9", "2026-05-01")
            .await
            .unwrap();
        assert_eq!(a009.status, pb::CodeStatus::Billable as i32);
        assert_eq!(a009.description, "Cholera, unspecified");
        assert_eq!(
            search(&mut client, "cholera", "2026-05-01").await,
            vec!["A009", "A001", "A000"]
        );
        // Z38.00 is only in the older release: valid then, known after.
        let z = get_code(&mut client, CodeSystem::Icd10Cm, "Z3800", "2025-01-01")
            .await
            .unwrap();
        assert_eq!(z.status, pb::CodeStatus::Billable as i32);
        let z = get_code(&mut client, CodeSystem::Icd10Cm, "Z3800", "2026-05-01")
            .await
            .unwrap();
        assert_eq!(z.status, pb::CodeStatus::NotEffective as i32);
        assert!(
            search(&mut client, "liveborn", "2026-05-01")
                .await
                .is_empty()
        );
        service.stop().await;
    }
);

backend_tests!(
    a_release_another_process_writes_is_picked_up_without_a_restart,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        load_order_file(&db, "icd10cm_order_2025.txt", "FY2025", "2024-10-01").await;
        let service = seed::start(db.clone()).await;
        let client = CodeSetServiceClient::new(service.channel().await);
        // Another coding process on the same database: its own pool.
        let elsewhere = test_db.connect(medbill_coding::MIGRATIONS).await;
        write_elsewhere(
            &elsewhere,
            "FY2026 elsewhere",
            "2025-10-01",
            &[
                ("A000", "Cholera due to Vibrio cholerae 01, biovar cholerae"),
                ("A009", "Cholera, unspecified"),
            ],
        )
        .await;
        // A new code: a miss re-checks the releases.
        let a009 = eventually("A009 from the other process", || {
            let mut client = client.clone();
            async move {
                get_code(&mut client, CodeSystem::Icd10Cm, "A009", "2026-05-01")
                    .await
                    .ok()
            }
        })
        .await;
        assert_eq!(a009.description, "Cholera, unspecified");
        // A changed answer for a known code: the periodic check.
        write_elsewhere(
            &elsewhere,
            "FY2027 elsewhere",
            "2026-10-01",
            &[(
                "A000",
                "Cholera due to Vibrio cholerae 01, renamed in FY2027",
            )],
        )
        .await;
        eventually("A000 renamed by the other process", || {
            let mut client = client.clone();
            async move {
                let a000 = get_code(&mut client, CodeSystem::Icd10Cm, "A000", "2026-11-01")
                    .await
                    .unwrap();
                a000.description.contains("renamed").then_some(())
            }
        })
        .await;
        service.stop().await;
    }
);

backend_tests!(
    a_lookup_that_misses_rechecks_the_releases_before_answering,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        load_order_file(&db, "icd10cm_order_2025.txt", "FY2025", "2024-10-01").await;
        // No watcher task here: only calls refresh this index.
        let cache = IndexCache::open(db.clone()).await;
        let before = cache.get().await.unwrap();
        let date = day("2026-05-01");
        assert!(
            before
                .get_code(CodeSystem::Icd10Cm, "A009", date)
                .unwrap()
                .is_none()
        );
        let elsewhere = test_db.connect(medbill_coding::MIGRATIONS).await;
        write_elsewhere(
            &elsewhere,
            "FY2026 elsewhere",
            "2025-10-01",
            &[("A009", "Cholera, unspecified")],
        )
        .await;
        // A miss past the re-check interval reads the releases version.
        tokio::time::sleep(MISS_RECHECK_AFTER).await;
        let newer = cache
            .recheck(&before)
            .await
            .unwrap()
            .expect("a newer index");
        let a009 = newer
            .get_code(CodeSystem::Icd10Cm, "A009", date)
            .unwrap()
            .unwrap();
        assert_eq!(a009.status, CodeStatus::Billable);
        // Nothing changed since: no newer index.
        tokio::time::sleep(MISS_RECHECK_AFTER).await;
        assert!(cache.recheck(&newer).await.unwrap().is_none());
    }
);

/// Dates on both sides of every release and validity boundary the
/// fixtures have.
const DATES: [&str; 11] = [
    "2015-09-30",
    "2015-10-01",
    "2019-09-30",
    "2020-06-01",
    "2024-09-30",
    "2024-10-01",
    "2025-09-30",
    "2025-10-01",
    "2026-01-01",
    "2026-04-01",
    "2026-06-01",
];

backend_tests!(
    get_code_answers_every_sample_code_and_date_as_the_store_does,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        // The seeded ICD-10-CM slice (2015, with notes and MCE periods),
        // two order files and an April update, and a licensed CPT file.
        seed::seed_code_sets(&db).await;
        load_order_file(&db, "icd10cm_order_2025.txt", "FY2025", "2024-10-01").await;
        load_order_file(&db, "icd10cm_order_2026.txt", "FY2026", "2025-10-01").await;
        load_order_file(&db, "icd10cm_order_2026.txt", "FY2026 April", "2026-04-01").await;
        codesets::import_cpt(
            &db,
            &fixture("cpt_licensed.csv"),
            "CPT 2026",
            day("2026-01-01"),
        )
        .await
        .unwrap();
        let service = seed::start(db.clone()).await;
        let mut client = CodeSetServiceClient::new(service.channel().await);

        let mut samples: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT system, code FROM codes \
             UNION SELECT DISTINCT system, code FROM code_validity",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        samples.push(("ICD10CM".into(), "B999".into()));
        samples.push(("CPT".into(), "A009".into()));
        samples.sort();
        let mut conn = db.pool().acquire().await.unwrap();
        let (mut compared, mut only_older) = (0, 0);
        for (system, code) in &samples {
            let system = CodeSystem::parse(system).unwrap();
            for date in DATES {
                let stored = lookup::get_code(&mut conn, system, code, day(date))
                    .await
                    .unwrap();
                let served = get_code(&mut client, system, code, date).await;
                match (stored, served) {
                    (None, Err(status)) => assert_eq!(status.code(), Code::NotFound),
                    (Some(stored), Ok(served)) => {
                        // E11 (2015 slice) and Z3800 (FY2025) are in no
                        // newer code list.
                        if ["E11", "Z3800"].contains(&code.as_str()) && date == "2026-06-01" {
                            only_older += 1;
                        }
                        assert_eq!(served, seed::on_the_wire(stored), "{code} on {date}");
                    }
                    (stored, served) => panic!("{code} on {date}: {stored:?} / {served:?}"),
                }
                compared += 1;
            }
        }
        assert!(compared > 300, "{compared}");
        assert_eq!(only_older, 2);
        service.stop().await;
    }
);

backend_tests!(
    the_edits_facts_from_the_index_equal_the_facts_read_per_call,
    |test_db: TestDatabase| async move {
        use medbill_coding::codesets::facts::FactsRequest;
        use medbill_coding::codesets::store::facts::{self, CodeSource};
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        seed::seed_code_sets(&db).await;
        let cache = IndexCache::open(db.clone()).await;
        let index = cache.get().await.unwrap();
        let requests = [
            // Diagnoses with and without notes, a 7-character code and its
            // parent, an unknown code; an NCCI pair with an MUE value.
            FactsRequest {
                date_of_service: day("2025-03-01"),
                diagnoses: vec![
                    "E119".into(),
                    "E109".into(),
                    "S52521A".into(),
                    "Z3800".into(),
                    "XX999".into(),
                ],
                lines: vec![
                    ("10021".into(), day("2025-03-01")),
                    ("10004".into(), day("2025-03-01")),
                    ("36000".into(), day("2025-03-02")),
                ],
            },
            // Between the age ranges' start dates (maternity's not yet).
            FactsRequest {
                date_of_service: day("2017-06-01"),
                diagnoses: vec!["O80".into(), "Z3800".into()],
                lines: vec![("10021".into(), day("2017-06-01"))],
            },
            // Before every release's effective date, and an age-edit code.
            FactsRequest {
                date_of_service: day("2014-06-01"),
                diagnoses: vec!["O80".into(), "J029".into()],
                lines: vec![("0001A".into(), day("2014-06-01"))],
            },
        ];
        let mut conn = db.pool().acquire().await.unwrap();
        for (i, request) in requests.iter().enumerate() {
            let per_call = facts::load(&mut conn, request, CodeSource::Store)
                .await
                .unwrap();
            let from_index = facts::load(&mut conn, request, CodeSource::Index(&index))
                .await
                .unwrap();
            assert!(per_call.icd10cm_loaded);
            if i == 0 {
                // The comparison covers every kind of fact.
                assert!(!per_call.ncci_pairs.is_empty(), "{per_call:?}");
                assert!(!per_call.mue_values.is_empty(), "{per_call:?}");
                assert!(!per_call.age_ranges.is_empty(), "{per_call:?}");
                assert!(per_call.diagnoses.len() >= 4, "{per_call:?}");
            }
            assert_eq!(from_index, per_call, "{request:?}");
        }
    }
);
