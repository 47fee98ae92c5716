//! Code-set releases from the official CMS layouts (small fixtures written
//! for these tests in `tests/fixtures/`), on SQLite and PostgreSQL: versioned
//! releases by effective date, history kept, the edit-table read API, and
//! `GetCode`/`SearchCodes`/`ListCodeSetReleases` through the real server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use std::path::PathBuf;

use medbill_coding::codesets::{self, store};
use medbill_contracts::medbill::coding::v1::code_set_service_client::CodeSetServiceClient;
use medbill_contracts::medbill::coding::v1::{
    CodeStatus, CodeSystem, GetCodeRequest, ListCodeSetReleasesRequest, SearchCodesRequest,
};
use medbill_contracts::medbill::common::v1::Date;
use medbill_kernel::CalendarDate;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, authorized};
use tonic::Code;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn day(s: &str) -> CalendarDate {
    s.parse().unwrap()
}

fn wire(s: &str) -> Date {
    let d = day(s);
    Date {
        year: d.year(),
        month: d.month() as i32,
        day: d.day() as i32,
    }
}

fn get(system: CodeSystem, code: &str, date: &str) -> tonic::Request<GetCodeRequest> {
    authorized(
        GetCodeRequest {
            system: system as i32,
            code: code.into(),
            date_of_service: Some(wire(date)),
        },
        "ann",
        &[Role::Coder],
    )
}

backend_tests!(
    order_file_releases_answer_by_date_and_a_reload_keeps_history,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        let fy25 = codesets::import_order_file(
            &db,
            &fixture("icd10cm_order_2025.txt"),
            "FY2025",
            day("2024-10-01"),
        )
        .await
        .unwrap();
        assert_eq!((fy25.rows, fy25.already_loaded), (4, false));
        let fy26 = codesets::import_order_file(
            &db,
            &fixture("icd10cm_order_2026.txt"),
            "FY2026",
            day("2025-10-01"),
        )
        .await
        .unwrap();
        assert_eq!(fy26.rows, 4);
        // The same file again is no new release; a mid-year (April) release is.
        let again = codesets::import_order_file(
            &db,
            &fixture("icd10cm_order_2025.txt"),
            "FY2025",
            day("2024-10-01"),
        )
        .await
        .unwrap();
        assert!(again.already_loaded);
        let april = codesets::import_order_file(
            &db,
            &fixture("icd10cm_order_2026.txt"),
            "FY2026 April 1",
            day("2026-04-01"),
        )
        .await
        .unwrap();
        assert!(!april.already_loaded);

        let service = seed::start(db.clone()).await;
        let mut client = CodeSetServiceClient::new(service.channel().await);
        let status = |c: &medbill_contracts::medbill::coding::v1::GetCodeResponse| {
            c.code.as_ref().unwrap().status
        };
        // Z38.00 left the (fixture) code set on 2025-10-01; A00.9 joined.
        let z = client
            .get_code(get(CodeSystem::Icd10cm, "z38.00", "2025-01-01"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(status(&z), CodeStatus::Billable as i32);
        let code = z.code.unwrap();
        assert_eq!(
            code.description,
            "Single liveborn infant, delivered vaginally"
        );
        assert_eq!(code.effective.unwrap().end.unwrap(), wire("2025-09-30"));
        let z = client
            .get_code(get(CodeSystem::Icd10cm, "Z3800", "2025-11-01"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(status(&z), CodeStatus::NotEffective as i32);
        let a = client
            .get_code(get(CodeSystem::Icd10cm, "A009", "2025-01-01"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(status(&a), CodeStatus::NotEffective as i32);
        let a = client
            .get_code(get(CodeSystem::Icd10cm, "A00.9", "2026-05-01"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(status(&a), CodeStatus::Billable as i32);
        assert_eq!(a.code.unwrap().parent, "A00");
        let h = client
            .get_code(get(CodeSystem::Icd10cm, "A00", "2026-05-01"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(status(&h), CodeStatus::Header as i32);

        let err = client
            .get_code(get(CodeSystem::Icd10cm, "B99999", "2026-05-01"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        let err = client
            .get_code(get(CodeSystem::Icd10cm, "A0-0", "2026-05-01"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().starts_with("code:"), "{}", err.message());
        let no_date = authorized(
            GetCodeRequest {
                system: CodeSystem::Icd10cm as i32,
                code: "A000".into(),
                date_of_service: None,
            },
            "ann",
            &[Role::Coder],
        );
        let err = client.get_code(no_date).await.unwrap_err();
        assert!(
            err.message().starts_with("date_of_service:"),
            "{}",
            err.message()
        );

        let search = |query: &str, date: &str| {
            authorized(
                SearchCodesRequest {
                    query: query.into(),
                    system: CodeSystem::Icd10cm as i32,
                    date_of_service: Some(wire(date)),
                    limit: 0,
                    include_headers: false,
                },
                "ann",
                &[Role::Coder],
            )
        };
        let found = client
            .search_codes(search("CHOLERA, Eltor.", "2026-05-01"))
            .await
            .unwrap()
            .into_inner()
            .codes;
        assert_eq!(
            found.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
            vec!["A001"],
            "every word must match"
        );
        let found = client
            .search_codes(search("cholera", "2026-05-01"))
            .await
            .unwrap()
            .into_inner()
            .codes;
        assert_eq!(
            found.first().unwrap().code,
            "A009",
            "the shortest exact match ranks first: {found:?}"
        );
        assert_eq!(found.len(), 3, "headers only on request: {found:?}");
        let found = client
            .search_codes(search("a00.", "2026-05-01"))
            .await
            .unwrap()
            .into_inner()
            .codes;
        assert_eq!(found.len(), 3, "{found:?}");
        let err = client
            .search_codes(search("  ", "2026-05-01"))
            .await
            .unwrap_err();
        assert!(err.message().starts_with("query:"), "{}", err.message());

        let releases = client
            .list_code_set_releases(authorized(
                ListCodeSetReleasesRequest {
                    system: CodeSystem::Icd10cm as i32,
                },
                "ann",
                &[Role::Coder],
            ))
            .await
            .unwrap()
            .into_inner()
            .releases;
        let names: Vec<&str> = releases.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["FY2026 April 1", "FY2026", "FY2025"]);
        service.stop().await;
    }
);

backend_tests!(
    ncci_mue_and_cpt_files_load_and_read_back_by_date,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        let ptp = codesets::import_ncci_ptp(
            &db,
            &fixture("ncci_ptp_practitioner.txt"),
            "2026Q2",
            day("2026-04-01"),
            "practitioner",
        )
        .await
        .unwrap();
        assert_eq!(ptp.rows, 3);
        let mue = codesets::import_mue(
            &db,
            &fixture("mue_practitioner.csv"),
            "2026Q2",
            day("2026-04-01"),
            "practitioner",
        )
        .await
        .unwrap();
        assert_eq!(mue.rows, 3);
        let cpt = codesets::import_cpt(
            &db,
            &fixture("cpt_licensed.csv"),
            "CPT 2026",
            day("2026-01-01"),
        )
        .await
        .unwrap();
        assert_eq!(cpt.rows, 2);
        let bad = codesets::import_ncci_ptp(
            &db,
            &fixture("mue_practitioner.csv"),
            "x",
            day("2026-04-01"),
            "dentist",
        )
        .await
        .unwrap_err();
        assert!(bad.to_string().contains("setting"), "{bad}");

        let mut conn = db.pool().acquire().await.unwrap();
        let codes: Vec<String> = ["10021", "36000", "10004", "0001A", "0591T"]
            .map(String::from)
            .to_vec();
        let pairs = store::ncci_pairs_for(&mut conn, &codes, day("2026-05-01"))
            .await
            .unwrap();
        let found: Vec<(&str, &str, i64)> = pairs
            .iter()
            .map(|p| (p.column1.as_str(), p.column2.as_str(), p.modifier_indicator))
            .collect();
        assert_eq!(found, vec![("10021", "10004", 1), ("10021", "36000", 0)]);
        let pairs = store::ncci_pairs_for(&mut conn, &codes, day("2023-12-31"))
            .await
            .unwrap();
        assert!(
            pairs
                .iter()
                .any(|p| p.column1 == "0001A" && p.effective_to == Some(day("2023-12-31"))),
            "{pairs:?}"
        );
        let pairs = store::ncci_pairs_for(&mut conn, &codes, day("2018-06-01"))
            .await
            .unwrap();
        assert_eq!(pairs.len(), 1, "only the pre-1996 pair: {pairs:?}");

        let values = store::mue_for(&mut conn, "J1100", day("2026-05-01"))
            .await
            .unwrap();
        assert_eq!(values.len(), 1);
        assert_eq!(
            (values[0].mue_value, values[0].adjudication_indicator),
            (120, 3)
        );
        assert!(
            store::mue_for(&mut conn, "J1100", day("2026-03-31"))
                .await
                .unwrap()
                .is_empty(),
            "not yet in effect"
        );
        drop(conn);

        let service = seed::start(db.clone()).await;
        let mut client = CodeSetServiceClient::new(service.channel().await);
        let cpt = client
            .get_code(get(CodeSystem::Cpt, "99213", "2026-02-01"))
            .await
            .unwrap()
            .into_inner()
            .code
            .unwrap();
        assert_eq!(cpt.status, CodeStatus::Billable as i32);
        assert_eq!(
            cpt.description,
            "Test descriptor written for medbill fixtures, code 99213"
        );
        let before = client
            .get_code(get(CodeSystem::Cpt, "99213", "2025-12-31"))
            .await
            .unwrap()
            .into_inner()
            .code
            .unwrap();
        assert_eq!(before.status, CodeStatus::NotEffective as i32);
        service.stop().await;
    }
);
