//! Every coding edit through the gRPC API (SaveCoding returns the findings),
//! on SQLite and PostgreSQL, each with a case that fires and a case that must
//! not, against a seeded slice of the real code sets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase};
use tonic::transport::Channel;

const ERROR: i32 = pb::Severity::Error as i32;
const WARNING: i32 = pb::Severity::Warning as i32;
const INFO: i32 = pb::Severity::Info as i32;

struct Bench {
    client: EncounterServiceClient<Channel>,
    n: u32,
    _service: RunningService,
}

use seed::line;

impl Bench {
    async fn new(test_db: &TestDatabase) -> Bench {
        let db = test_db.connect(medbill_coding::MIGRATIONS).await;
        seed::seed_code_sets(&db).await;
        let service = seed::start(db).await;
        Bench {
            client: EncounterServiceClient::new(service.channel().await),
            n: 0,
            _service: service,
        }
    }

    /// Submits an encounter, claims and saves `diagnoses` and `lines`, and
    /// returns the findings as (edit id, severity).
    async fn findings(
        &mut self,
        age: u32,
        date: (i32, i32, i32),
        encounter_type: pb::EncounterType,
        diagnoses: &[&str],
        lines: Vec<pb::ProcedureLine>,
    ) -> Vec<(String, i32)> {
        self.n += 1;
        seed::findings_of(
            &mut self.client,
            self.n,
            age,
            date,
            encounter_type,
            diagnoses,
            lines,
        )
        .await
    }

    /// Professional encounter on 2026-06-01, age 40, one office visit line.
    async fn dx(&mut self, diagnoses: &[&str]) -> Vec<(String, i32)> {
        self.findings(
            40,
            (2026, 6, 1),
            pb::EncounterType::Professional,
            diagnoses,
            vec![line("99213", &[], 1)],
        )
        .await
    }
}

fn has(findings: &[(String, i32)], edit: &str, severity: i32) -> bool {
    findings.iter().any(|(e, s)| e == edit && *s == severity)
}

fn lacks(findings: &[(String, i32)], edit: &str) -> bool {
    !findings.iter().any(|(e, _)| e.as_str() == edit)
}

backend_tests!(
    diagnosis_validity_header_and_seventh_character_edits,
    |test_db: TestDatabase| async move {
        let mut b = Bench::new(&test_db).await;
        let f = b.dx(&["E11"]).await;
        assert!(
            has(&f, "HEADER_CODE", ERROR),
            "E11 alone is a header: {f:?}"
        );
        assert!(lacks(&b.dx(&["E11.9"]).await, "HEADER_CODE"));

        let f = b.dx(&["S52521"]).await;
        assert!(has(&f, "SEVENTH_CHARACTER_MISSING", ERROR), "{f:?}");
        let f = b.dx(&["S52521A"]).await;
        assert!(
            lacks(&f, "SEVENTH_CHARACTER_MISSING") && lacks(&f, "CODE_UNKNOWN"),
            "{f:?}"
        );
        assert!(has(
            &b.dx(&["S52521Z"]).await,
            "SEVENTH_CHARACTER_INVALID",
            ERROR
        ));

        assert!(has(&b.dx(&["Q9999"]).await, "CODE_UNKNOWN", ERROR));
        // U07.1 took effect on 2020-04-01.
        let before = b
            .findings(
                40,
                (2019, 6, 1),
                pb::EncounterType::Professional,
                &["U07.1"],
                vec![line("99213", &[], 1)],
            )
            .await;
        assert!(has(&before, "CODE_NOT_EFFECTIVE", ERROR), "{before:?}");
        assert!(lacks(&b.dx(&["U07.1"]).await, "CODE_NOT_EFFECTIVE"));
    }
);

backend_tests!(
    excludes1_code_first_use_additional_and_manifestation_edits,
    |test_db: TestDatabase| async move {
        let mut b = Bench::new(&test_db).await;
        let f = b.dx(&["E10.9", "E11.9"]).await;
        assert!(has(&f, "EXCLUDES1", ERROR), "{f:?}");
        assert!(lacks(&b.dx(&["E11.9", "I10"]).await, "EXCLUDES1"));

        let f = b.dx(&["G63", "E85.4"]).await;
        assert!(has(&f, "MANIFESTATION_FIRST", ERROR), "{f:?}");
        let f = b.dx(&["E85.4", "G63"]).await;
        assert!(
            lacks(&f, "MANIFESTATION_FIRST") && lacks(&f, "CODE_FIRST"),
            "{f:?}"
        );
        let f = b.dx(&["I10", "G63"]).await;
        assert!(has(&f, "CODE_FIRST", WARNING), "{f:?}");

        assert!(has(&b.dx(&["E11.9"]).await, "USE_ADDITIONAL_CODE", INFO));
        assert!(lacks(
            &b.dx(&["E11.9", "Z79.4"]).await,
            "USE_ADDITIONAL_CODE"
        ));
    }
);

backend_tests!(
    mce_age_and_unacceptable_principal_edits,
    |test_db: TestDatabase| async move {
        let mut b = Bench::new(&test_db).await;
        let old = b
            .findings(
                70,
                (2026, 6, 1),
                pb::EncounterType::Inpatient,
                &["O80"],
                vec![],
            )
            .await;
        assert!(has(&old, "MCE_AGE", ERROR), "O80 at 70: {old:?}");
        let young = b
            .findings(
                30,
                (2026, 6, 1),
                pb::EncounterType::Inpatient,
                &["O80"],
                vec![],
            )
            .await;
        assert!(lacks(&young, "MCE_AGE"), "{young:?}");

        let f = b
            .findings(
                30,
                (2026, 6, 1),
                pb::EncounterType::Inpatient,
                &["Z37.0"],
                vec![],
            )
            .await;
        assert!(has(&f, "UNACCEPTABLE_PRINCIPAL", ERROR), "{f:?}");
        let f = b
            .findings(
                30,
                (2026, 6, 1),
                pb::EncounterType::Inpatient,
                &["O80", "Z37.0"],
                vec![],
            )
            .await;
        assert!(
            lacks(&f, "UNACCEPTABLE_PRINCIPAL"),
            "as a secondary code it is fine: {f:?}"
        );
    }
);

backend_tests!(
    ncci_pairs_and_mue_units_edits,
    |test_db: TestDatabase| async move {
        let mut b = Bench::new(&test_db).await;
        let pro = pb::EncounterType::Professional;
        let on = (2026, 6, 1);
        // 10021/10004: modifier indicator 1.
        let f = b
            .findings(
                40,
                on,
                pro,
                &["I10"],
                vec![line("10021", &[], 1), line("10004", &[], 1)],
            )
            .await;
        assert!(
            has(&f, "NCCI_PTP", ERROR),
            "indicator 1 without a modifier: {f:?}"
        );
        let f = b
            .findings(
                40,
                on,
                pro,
                &["I10"],
                vec![line("10021", &[], 1), line("10004", &["XU"], 1)],
            )
            .await;
        assert!(
            has(&f, "NCCI_PTP_BYPASSED", WARNING) && lacks(&f, "NCCI_PTP"),
            "with XU: {f:?}"
        );
        // 10021/36000: modifier indicator 0, no modifier helps.
        let f = b
            .findings(
                40,
                on,
                pro,
                &["I10"],
                vec![line("10021", &[], 1), line("36000", &["XU"], 1)],
            )
            .await;
        assert!(has(&f, "NCCI_PTP", ERROR), "indicator 0: {f:?}");
        // Not a pair.
        let f = b
            .findings(
                40,
                on,
                pro,
                &["I10"],
                vec![line("10004", &[], 1), line("36000", &[], 1)],
            )
            .await;
        assert!(
            lacks(&f, "NCCI_PTP") && lacks(&f, "NCCI_PTP_BYPASSED"),
            "{f:?}"
        );

        // MUE of 10021 is 1 per date of service (adjudication indicator 2).
        let f = b
            .findings(40, on, pro, &["I10"], vec![line("10021", &[], 2)])
            .await;
        assert!(has(&f, "MUE_UNITS", ERROR), "{f:?}");
        let f = b
            .findings(
                40,
                on,
                pro,
                &["I10"],
                vec![line("10021", &[], 1), line("10021", &["76"], 1)],
            )
            .await;
        assert!(has(&f, "MUE_UNITS", ERROR), "units add up per date: {f:?}");
        assert!(lacks(
            &b.findings(40, on, pro, &["I10"], vec![line("10021", &[], 1)])
                .await,
            "MUE_UNITS"
        ));
    }
);
