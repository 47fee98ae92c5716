//! Real-time eligibility through the real server on SQLite and PostgreSQL,
//! with the payer simulator's CAQH CORE endpoint in the same process as the
//! clearinghouse (`--eligibility-url`): `CheckEligibility` is answered in
//! the call — active with the plan, copay and deductible, or inactive — and
//! the simulator saw the 270 once; a refused envelope is FAILED_PRECONDITION
//! and an endpoint that cannot be reached UNAVAILABLE, each naming the
//! cause and recording nothing; an inquiry a crash left waiting for its
//! answer is deleted at the next start; an `https://` URL is refused when
//! it is configured.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use medbill_billing::EligibilityArgs;
use medbill_contracts::medbill::billing::v1::{
    CheckEligibilityRequest, EligibilityStatus, GetEligibilityRequest, ListAcknowledgmentsRequest,
};
use medbill_kernel::CalendarDate;
use medbill_payer_sim::endpoint::{self, PATH, Today};
use medbill_payer_sim::{SimConfig, Simulator};
use medbill_platform::backend_tests;
use medbill_platform::http::{self as plain_http, HttpUrl};
use medbill_platform::testing::{RunningService, TestDatabase};
use medbill_x12::connectivity::{ENVELOPE_ERROR, Envelope};
use support::*;
use tokio::net::TcpListener;
use tonic::Code;

/// The simulator playing the payer `commercial_payer` registers (`60054`)
/// with member `W123456789` (the member id `coverage` gives) on a plan
/// with a 500.00 deductible, a 25.00 copay, 20% coinsurance and a 3,000.00
/// out-of-pocket maximum; covered from 2024 until `coverage_end`.
fn sim_config(coverage_end: Option<&str>) -> SimConfig {
    let end = coverage_end
        .map(|d| format!(r#", "coverage_end": "{d}""#))
        .unwrap_or_default();
    SimConfig::from_json(&format!(
        r#"{{
  "clearinghouse": {{ "id": "ACMECH", "name": "ACME CLEARINGHOUSE" }},
  "payers": [
    {{ "id": "60054", "name": "ACME", "tax_id": "061234567",
       "contract": {{ "fee_schedule_percent": "0.80", "billed_percent": "0.60" }} }}
  ],
  "plans": [
    {{ "id": "GOLD", "payer_id": "60054", "name": "GOLD PPO", "deductible_cents": 50000,
       "copay_cents": 2500, "coinsurance": "0.20", "out_of_pocket_max_cents": 300000,
       "insurance_type": "PR" }}
  ],
  "members": [
    {{ "member_id": "W123456789", "plan_id": "GOLD", "coverage_start": "2024-01-01"{end} }}
  ]
}}"#
    ))
    .unwrap()
}

/// The simulator's endpoint on a free port of 127.0.0.1; it stops when
/// `Clearinghouse` is dropped.
struct Clearinghouse {
    url: HttpUrl,
    sim: Arc<Mutex<Simulator>>,
    _work: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Clearinghouse {
    async fn start(config: SimConfig) -> Self {
        let work = tempfile::tempdir().unwrap();
        let sim = Arc::new(Mutex::new(Simulator::open(config, 1, work.path()).unwrap()));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let today: Today = Arc::new(|| CalendarDate::from_ymd(2026, 11, 30).unwrap());
        tokio::spawn(endpoint::serve(sim.clone(), listener, today, async move {
            let _ = stopped.await;
        }));
        Clearinghouse {
            url: HttpUrl::parse(&format!("http://{addr}{PATH}")).unwrap(),
            sim,
            _work: work,
            _stop: stop,
        }
    }

    /// The names of the files (and real-time exchanges) the simulator took.
    fn taken(&self) -> Vec<String> {
        let sim = self.sim.lock().unwrap();
        sim.record().files.iter().map(|f| f.name.clone()).collect()
    }
}

fn check(coverage_id: &str) -> CheckEligibilityRequest {
    CheckEligibilityRequest {
        coverage_id: coverage_id.into(),
        date_of_service: date(2026, 10, 1),
        service_types: vec![],
    }
}

/// How many eligibility inquiries billing holds.
async fn inquiries(service: &RunningService) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM eligibility_inquiries")
        .fetch_one(service.db().pool())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

backend_tests!(
    check_eligibility_is_answered_in_the_call_with_the_plan_copay_and_deductible,
    |test_db: TestDatabase| async move {
        let clearinghouse = Clearinghouse::start(sim_config(None)).await;
        let h = start_with_clearinghouse(&test_db, None, Some(clearinghouse.url.clone())).await;
        let reg = register_for_claims(&h.service, "MRN-1", true).await;
        let mut api = registry(&h.service).await;
        let answered = api
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(answered.status, EligibilityStatus::Answered as i32);
        assert!(answered.active, "{answered:?}");
        assert_eq!(answered.plan, "GOLD PPO");
        assert!(answered.rejections.is_empty(), "{answered:?}");
        assert_eq!(
            benefit_lines(&answered),
            [
                ("1", "", None, 0, false),
                ("C", "23", Some(50_000), 0, true),
                ("C", "29", Some(50_000), 0, true),
                ("B", "27", Some(2_500), 0, true),
                ("A", "", None, 2_000, true),
                ("G", "23", Some(300_000), 0, true),
                ("G", "29", Some(300_000), 0, true),
            ]
        );
        assert!(answered.answered_at.is_some());
        let taken = clearinghouse.taken();
        assert_eq!(taken.len(), 1, "{taken:?}");
        assert!(taken[0].starts_with("realtime-"), "{taken:?}");
        // The 271 is kept with the acknowledgments, as one from the folder.
        let acks = submission(&h.service)
            .await
            .list_acknowledgments(as_biller(ListAcknowledgmentsRequest::default()))
            .await
            .unwrap()
            .into_inner()
            .acknowledgments;
        assert_eq!(acks.len(), 1, "{acks:?}");
        assert_eq!(acks[0].transaction_type, "271");
        assert_eq!(acks[0].claims_accepted, 1, "one inquiry answered");

        // Recorded: read back, and the answer of the next check for the
        // same coverage and date, with no second 270.
        let read = api
            .get_eligibility(as_biller(GetEligibilityRequest {
                inquiry_id: answered.inquiry_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(read, answered);
        let again = api
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(again.inquiry_id, answered.inquiry_id);
        assert_eq!(clearinghouse.taken().len(), 1);
        let audit = audit_rows(&h.service, &reg.coverage_id).await;
        assert!(
            audit.contains(&("read".into(), "CheckEligibility".into())),
            "{audit:?}"
        );
        h.service.stop().await;
    }
);

backend_tests!(
    a_member_whose_coverage_ended_is_recorded_inactive_in_the_call,
    |test_db: TestDatabase| async move {
        let clearinghouse = Clearinghouse::start(sim_config(Some("2025-12-31"))).await;
        let h = start_with_clearinghouse(&test_db, None, Some(clearinghouse.url.clone())).await;
        let reg = register_for_claims(&h.service, "MRN-2", true).await;
        let answered = registry(&h.service)
            .await
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(answered.status, EligibilityStatus::Answered as i32);
        assert!(!answered.active);
        assert_eq!(answered.plan, "");
        assert_eq!(benefit_lines(&answered), [("6", "", None, 0, false)]);
        // The scrubber reads it: a claim on that date is held.
        let claim = h.claim_of("MRN-2", vec![line("99213", 1)]).await;
        let holding: Vec<&str> = claim
            .scrub_findings
            .iter()
            .filter(|f| f.blocking)
            .map(|f| f.rule_id.as_str())
            .collect();
        assert!(holding.contains(&"COVERAGE_INACTIVE_271"), "{holding:?}");
        h.service.stop().await;
    }
);

backend_tests!(
    an_unreachable_endpoint_is_unavailable_records_no_inquiry_and_audits_the_read,
    |test_db: TestDatabase| async move {
        // A port nobody listens on any more.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let url = HttpUrl::parse(&format!("http://{addr}{PATH}")).unwrap();
        let h = start_with_clearinghouse(&test_db, None, Some(url)).await;
        let reg = register_for_claims(&h.service, "MRN-3", true).await;
        let status = registry(&h.service)
            .await
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unavailable, "{status:?}");
        assert!(
            status.message().contains("cannot connect")
                && status.message().contains(&addr.to_string()),
            "{status:?}"
        );
        assert_eq!(inquiries(&h.service).await, 0);
        // The coverage was read for the 270 all the same.
        let audit = audit_rows(&h.service, &reg.coverage_id).await;
        assert_eq!(
            audit,
            [("read".to_string(), "CheckEligibility".to_string())],
            "{audit:?}"
        );
        h.service.stop().await;
    }
);

backend_tests!(
    an_envelope_the_clearinghouse_refuses_is_failed_precondition_records_no_inquiry_and_audits_the_read,
    |test_db: TestDatabase| async move {
        // A clearinghouse that refuses every sender.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(plain_http::serve(
            listener,
            "refusing",
            1 << 20,
            |req: hyper::Request<Bytes>| async move {
                let content_type = req
                    .headers()
                    .get(hyper::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let request = Envelope::decode(&content_type, req.body()).unwrap();
                let refusal = request.answer(
                    ENVELOPE_ERROR,
                    "2026-11-30T17:00:00Z",
                    "UnAuthorized",
                    "sender RIVERSIDE is not enrolled",
                    Vec::new(),
                );
                let (content_type, body) = refusal.encode("refusal").unwrap();
                plain_http::respond(hyper::StatusCode::UNAUTHORIZED, &content_type, body)
            },
            async move {
                let _ = stopped.await;
            },
        ));
        let url = HttpUrl::parse(&format!("http://{addr}{PATH}")).unwrap();
        let h = start_with_clearinghouse(&test_db, None, Some(url)).await;
        let reg = register_for_claims(&h.service, "MRN-4", true).await;
        let status = registry(&h.service)
            .await
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
        assert!(
            status.message().contains("UnAuthorized")
                && status.message().contains("RIVERSIDE is not enrolled"),
            "{status:?}"
        );
        assert_eq!(inquiries(&h.service).await, 0);
        // The 270 with the coverage's member went out: the read is audited.
        let audit = audit_rows(&h.service, &reg.coverage_id).await;
        assert_eq!(
            audit,
            [("read".to_string(), "CheckEligibility".to_string())],
            "{audit:?}"
        );
        h.service.stop().await;
    }
);

backend_tests!(
    a_real_time_inquiry_a_crash_left_pending_is_deleted_at_the_next_start,
    |test_db: TestDatabase| async move {
        use sqlx::Row;
        let folder = temp_folder();
        let h = start_with_folder(&test_db, Some(folder)).await;
        let reg = register_for_claims(&h.service, "MRN-5", true).await;
        let pending = registry(&h.service)
            .await
            .check_eligibility(as_biller(check(&reg.coverage_id)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(pending.status, EligibilityStatus::Pending as i32);
        // Two real-time inquiries still pending: one from an hour before the
        // test clock's now (its call ended long ago), one from now (another
        // instance may be waiting for its answer).
        for (name, created_at) in [
            ("realtime-old", "2026-11-30T16:00:00.000000Z"),
            ("realtime-new", "2026-11-30T17:00:00.000000Z"),
        ] {
            sqlx::query(
                "INSERT INTO eligibility_inquiries (inquiry_id, coverage_id, date_of_service, \
                 service_types, trace_number, file_name, status, active, plan, rejections, \
                 created_by, created_at, answered_at) \
                 VALUES ($1, $2, '2026-10-01', '30', $3, $4, 'pending', 0, '', '', 'pat', $5, '')",
            )
            .bind(medbill_kernel::ids::new_uuid_v7())
            .bind(&reg.coverage_id)
            .bind(medbill_kernel::ids::new_uuid_v7())
            .bind(name)
            .bind(created_at)
            .execute(h.service.db().pool())
            .await
            .unwrap();
        }
        h.service.stop().await;

        let h = start_with_folder(&test_db, Some(temp_folder())).await;
        let names = || async {
            let rows =
                sqlx::query("SELECT file_name FROM eligibility_inquiries ORDER BY file_name")
                    .fetch_all(h.service.db().pool())
                    .await
                    .unwrap();
            rows.iter()
                .map(|r| r.get::<String, _>("file_name"))
                .collect::<Vec<_>>()
        };
        medbill_platform::testing::eventually("the abandoned inquiry deleted", || async {
            (names().await.len() == 2).then_some(())
        })
        .await;
        assert_eq!(names().await, ["270-000000001.x12", "realtime-new"]);
        h.service.stop().await;
    }
);

#[test]
fn an_https_eligibility_url_is_refused_when_it_is_configured() {
    let args = EligibilityArgs {
        eligibility_url: Some("https://clearinghouse.example/core/realtime".into()),
    };
    let err = args.url().unwrap_err().to_string();
    assert!(err.starts_with("--eligibility-url"), "{err}");
    assert!(err.contains("egress proxy or sidecar"), "{err}");
    let plain = EligibilityArgs {
        eligibility_url: Some("http://clearinghouse:8080/core/realtime".into()),
    };
    assert_eq!(plain.url().unwrap().unwrap().port(), 8080);
    assert!(EligibilityArgs::default().url().unwrap().is_none());
}
