//! Patient statements through `GenerateStatements`, `GetStatement` and
//! `ListStatements`, on SQLite and PostgreSQL: only balances insurance has
//! finished with are stated, aged by date of service; a rerun of a day
//! creates nothing; the dunning cycle advances with the policy; small
//! balances are written off instead of stated; the PDF's text (read back
//! with `pdftotext`) shows the balance and the aging.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::common::v1::PageRequest;
use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_contracts::medbill::payments::v1::statement_service_client::StatementServiceClient;
use medbill_contracts::medbill::payments::v1::{
    AgingBuckets, GenerateStatementsRequest, GenerateStatementsResponse, GetStatementRequest,
    ListStatementsRequest, PaymentMethod, RecordPatientPaymentRequest, Statement,
};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, authorized, pdf_text};
use support::x835::{Clp, Remit, Svc};
use support::{
    Harness, Line, audit, claim, date, figures, id, ingest, money, start_with_billing,
    wait_for_charges,
};
use tonic::Code;

/// A one-line claim of `cents` on `account`, served on `served` (month,
/// day of 2026); returns its id.
pub async fn submit(
    h: &Harness,
    pcn: &str,
    account: &str,
    cents: i64,
    served: (i32, i32),
) -> String {
    let mut c = claim(pcn, &id(), account, &[Line("99213", &[], cents, 1)]);
    c.lines[0].date_of_service = date(2026, served.0, served.1);
    c.first_date_of_service = date(2026, served.0, served.1);
    h.billing.publish(&c.claim_id, &c).await;
    wait_for_charges(&h.service, &c.claim_id, cents).await;
    c.claim_id
}

/// The 835 claim payment of `pcn`'s one line: `charge` = paid + CO-45
/// `contractual` + PR-2 `patient`.
pub fn adjudicated(pcn: &'static str, paid: i64, contractual: i64, patient: i64) -> Clp {
    let charge = paid + contractual + patient;
    Clp {
        pcn,
        status: "1",
        charge,
        paid,
        patient_responsibility: patient,
        icn: "ICN-ST",
        cas: vec![],
        services: vec![Svc {
            procedure: "99213",
            charge,
            paid,
            day: None,
            control: Some(format!("{pcn}-1")),
            cas: vec![("CO", "45", contractual), ("PR", "2", patient)],
        }],
    }
}

async fn remit(h: &Harness, trace: &'static str, claims: Vec<Clp>) {
    let file = Remit {
        trace,
        total: None,
        claims,
        plb: vec![],
    };
    let posted = ingest(&h.service, &file.render()).await.unwrap();
    assert!(posted.exceptions.is_empty());
}

async fn generate(
    service: &RunningService,
    as_of: Option<(i32, i32, i32)>,
) -> GenerateStatementsResponse {
    StatementServiceClient::new(service.channel().await)
        .generate_statements(authorized(
            GenerateStatementsRequest {
                as_of: as_of.and_then(|(y, m, d)| date(y, m, d)),
                minimum_balance: None,
            },
            "collector",
            &[Role::Collector],
        ))
        .await
        .unwrap()
        .into_inner()
}

async fn statements_of(service: &RunningService, account: &str) -> Vec<Statement> {
    StatementServiceClient::new(service.channel().await)
        .list_statements(authorized(
            ListStatementsRequest {
                account_id: account.to_string(),
                page: None,
            },
            "collector",
            &[Role::Collector],
        ))
        .await
        .unwrap()
        .into_inner()
        .statements
}

async fn statement(service: &RunningService, statement_id: &str) -> Statement {
    StatementServiceClient::new(service.channel().await)
        .get_statement(authorized(
            GetStatementRequest {
                statement_id: statement_id.to_string(),
            },
            "auditor",
            &[Role::Auditor],
        ))
        .await
        .unwrap()
        .into_inner()
}

/// Buckets as cents: 0–30, 31–60, 61–90, 91–120, 121+, total.
fn buckets(b: &Option<AgingBuckets>) -> [i64; 6] {
    let b = b.as_ref().expect("aging");
    let c = |m: &Option<medbill_contracts::medbill::common::v1::Money>| m.unwrap().cents;
    [
        c(&b.days_0_30),
        c(&b.days_31_60),
        c(&b.days_61_90),
        c(&b.days_91_120),
        c(&b.days_over_120),
        c(&b.total),
    ]
}

backend_tests!(
    a_statement_shows_only_balances_insurance_has_finished_with_and_the_pdf_shows_balance_and_aging,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let account = id();
        // Served Oct 1 (60 days before the clock's Nov 30): the 835 leaves
        // $30.00 to the patient.
        let done = submit(&h, "PCN-ST1", &account, 10_000, (10, 1)).await;
        // Served Aug 15 (107 days), submitted, not adjudicated yet.
        let pending = submit(&h, "PCN-ST2", &account, 20_000, (8, 15)).await;
        remit(
            &h,
            "TRN-ST1",
            vec![adjudicated("PCN-ST1", 5_000, 2_000, 3_000)],
        )
        .await;

        let run = generate(&h.service, None).await;
        assert_eq!(run.statements_created, 1);
        assert_eq!(run.statement_ids.len(), 1);
        let first = statement(&h.service, &run.statement_ids[0]).await;
        assert_eq!(first.account_id, account);
        assert_eq!(first.statement_date, date(2026, 11, 30));
        assert_eq!(first.due_date, date(2026, 12, 25));
        assert_eq!(first.amount_due.unwrap().cents, 3_000);
        assert_eq!(first.previous_balance.unwrap().cents, 0);
        assert_eq!(first.new_charges.unwrap().cents, 3_000);
        assert_eq!(first.dunning_level, 1);
        assert!(!first.final_notice);
        assert!(first.message.contains("after your insurance has paid"));
        let claims: Vec<&str> = first.lines.iter().map(|l| l.claim_id.as_str()).collect();
        assert_eq!(claims, vec![done.as_str()]);
        let line = &first.lines[0];
        assert_eq!(
            [
                line.charges,
                line.insurance_paid,
                line.adjustments,
                line.patient_paid,
                line.patient_due
            ]
            .map(|m| m.unwrap().cents),
            [10_000, 5_000, 2_000, 0, 3_000]
        );
        assert_eq!(buckets(&first.aging), [0, 3_000, 0, 0, 0, 3_000]);
        assert!(!first.text.contains("$200.00"), "{}", first.text);
        assert!(first.text.contains("Balance due: $30.00"), "{}", first.text);
        assert!(first.pdf.starts_with(b"%PDF-"));
        if let Some(text) = pdf_text(&first.pdf) {
            assert!(text.contains("Balance due: $30.00"), "{text}");
            assert!(text.contains("31-60 days: $30.00"), "{text}");
            assert!(text.contains("0-30 days: $0.00"), "{text}");
            assert!(text.contains("121+ days: $0.00"), "{text}");
            assert!(text.contains("JANE DOE"), "{text}");
            // The claim's row reads across in column order.
            let row = text
                .lines()
                .find(|l| l.contains("2026-10-01"))
                .unwrap_or_else(|| panic!("no claim row in {text}"));
            let cells: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(
                cells,
                [
                    "2026-10-01",
                    "99213",
                    "$100.00",
                    "$50.00",
                    "$20.00",
                    "$0.00",
                    "$30.00"
                ],
                "{text}"
            );
        }

        // The same day again: nothing new, the same statement.
        let again = generate(&h.service, Some((2026, 11, 30))).await;
        assert_eq!(again.statements_created, 0);
        assert_eq!(again.statement_ids, run.statement_ids);
        assert_eq!(statements_of(&h.service, &account).await.len(), 1);

        // Once the payer adjudicates the pending claim, its patient share is
        // stated: $45.00 more, 108 days old on Dec 1; C1 is 61 days old.
        remit(
            &h,
            "TRN-ST2",
            vec![adjudicated("PCN-ST2", 10_000, 5_500, 4_500)],
        )
        .await;
        let next = generate(&h.service, Some((2026, 12, 1))).await;
        assert_eq!(next.statements_created, 1);
        let second = statement(&h.service, &next.statement_ids[0]).await;
        assert_eq!(second.amount_due.unwrap().cents, 7_500);
        assert_eq!(second.previous_balance.unwrap().cents, 3_000);
        assert_eq!(second.new_charges.unwrap().cents, 4_500);
        assert_eq!(buckets(&second.aging), [0, 0, 3_000, 4_500, 0, 7_500]);
        let claims: Vec<&str> = second.lines.iter().map(|l| l.claim_id.as_str()).collect();
        assert_eq!(claims, vec![pending.as_str(), done.as_str()]);
        // One day after the first statement is too soon for the next cycle.
        assert_eq!(second.dunning_level, 1);
        if let Some(text) = pdf_text(&second.pdf) {
            assert!(text.contains("Balance due: $75.00"), "{text}");
            assert!(text.contains("61-90 days: $30.00"), "{text}");
            assert!(text.contains("91-120 days: $45.00"), "{text}");
        }

        // Thirty days on, the reminder; thirty more, the second reminder;
        // then the final notice, which repeats.
        let mut levels = Vec::new();
        for (m, d) in [(12, 31), (1, 30), (3, 1), (4, 1)] {
            let year = if m == 12 { 2026 } else { 2027 };
            let r = generate(&h.service, Some((year, m, d))).await;
            let s = statement(&h.service, &r.statement_ids[0]).await;
            levels.push((s.dunning_level, s.final_notice));
        }
        assert_eq!(levels, vec![(2, false), (3, false), (4, true), (4, true)]);
        let listed = statements_of(&h.service, &account).await;
        assert_eq!(listed.len(), 6);
        assert_eq!(listed[0].statement_date, date(2027, 4, 1));
        assert!(listed[0].message.starts_with("FINAL NOTICE"));
        // Paged four at a time, newest first, nothing repeated or lost.
        let mut client = StatementServiceClient::new(h.service.channel().await);
        let mut token = String::new();
        let mut paged = Vec::new();
        loop {
            let page = client
                .list_statements(who(ListStatementsRequest {
                    account_id: account.clone(),
                    page: Some(PageRequest {
                        page_size: 4,
                        page_token: token.clone(),
                    }),
                }))
                .await
                .unwrap()
                .into_inner();
            paged.extend(page.statements.into_iter().map(|s| s.statement_id));
            token = page.page.unwrap().next_page_token;
            if token.is_empty() {
                break;
            }
        }
        let ids: Vec<String> = listed.iter().map(|s| s.statement_id.clone()).collect();
        assert_eq!(paged, ids);
        assert!(
            listed
                .iter()
                .all(|s| s.pdf.is_empty() && !s.text.is_empty())
        );

        // The guarantor pays all of it; a new balance later is dunned from
        // the first cycle again.
        AccountServiceClient::new(h.service.channel().await)
            .record_patient_payment(authorized(
                RecordPatientPaymentRequest {
                    account_id: account.clone(),
                    amount: money(7_500),
                    method: PaymentMethod::Check as i32,
                    reference: "CHK 7".into(),
                    idempotency_key: "paid-up".into(),
                    received_on: date(2027, 5, 1),
                    ..Default::default()
                },
                "poster",
                &[Role::PaymentPoster],
            ))
            .await
            .unwrap();
        let fresh = submit(&h, "PCN-ST3", &account, 10_000, (10, 5)).await;
        remit(
            &h,
            "TRN-ST3",
            vec![adjudicated("PCN-ST3", 8_000, 1_000, 1_000)],
        )
        .await;
        let anew = generate(&h.service, Some((2027, 5, 15))).await;
        let restarted = statement(&h.service, &anew.statement_ids[0]).await;
        let claims: Vec<&str> = restarted
            .lines
            .iter()
            .map(|l| l.claim_id.as_str())
            .collect();
        assert_eq!(claims, vec![fresh.as_str()]);
        assert_eq!(restarted.dunning_level, 1);
        assert_eq!(
            (
                restarted.previous_balance.unwrap().cents,
                restarted.payments.unwrap().cents,
                restarted.amount_due.unwrap().cents
            ),
            (7_500, 7_500, 1_000)
        );
    }
);

backend_tests!(
    a_balance_under_the_small_balance_threshold_is_written_off_by_the_run_instead_of_stated,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let account = id();
        let c = submit(&h, "PCN-SB1", &account, 10_000, (10, 1)).await;
        // $4.99 to the patient: under the policy's $5.00.
        remit(
            &h,
            "TRN-SB1",
            vec![adjudicated("PCN-SB1", 7_501, 2_000, 499)],
        )
        .await;
        let run = generate(&h.service, None).await;
        assert_eq!(run.statements_created, 0);
        assert_eq!(run.small_balances_written_off, 1);
        assert!(statements_of(&h.service, &account).await.is_empty());
        // charges, payments, adjustments, write-offs, insurance, patient.
        let audited = audit(&h.service, &[&c]).await;
        assert_eq!(figures(&audited.claims[0]), [10_000, 7_501, 2_499, 0, 0, 0]);
        assert!(audited.claims[0].balanced);
        // Running again writes off nothing more.
        let again = generate(&h.service, None).await;
        assert_eq!(again.small_balances_written_off, 0);
        assert_eq!(figures(&audit(&h.service, &[&c]).await.claims[0])[2], 2_499);
    }
);

fn who<T>(message: T) -> tonic::Request<T> {
    authorized(message, "collector", &[Role::Collector])
}

backend_tests!(
    statement_requests_with_bad_fields_are_refused_naming_the_field,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let mut client = StatementServiceClient::new(h.service.channel().await);
        let err = client
            .generate_statements(who(GenerateStatementsRequest {
                as_of: date(2026, 2, 30),
                minimum_balance: None,
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().starts_with("as_of"), "{}", err.message());
        let err = client
            .generate_statements(who(GenerateStatementsRequest {
                as_of: None,
                minimum_balance: money(-1),
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(
            err.message().starts_with("minimum_balance"),
            "{}",
            err.message()
        );
        let err = client
            .list_statements(who(ListStatementsRequest {
                account_id: "nope".into(),
                page: None,
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().starts_with("account_id"), "{}", err.message());
        let err = client
            .get_statement(who(GetStatementRequest { statement_id: id() }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        let err = client
            .get_statement(who(GetStatementRequest {
                statement_id: "nope".into(),
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(
            err.message().starts_with("statement_id"),
            "{}",
            err.message()
        );
        // Nothing was run by the refused requests.
        assert_eq!(support::count(&h.service, "statement_runs").await, 0);
    }
);

backend_tests!(
    concurrent_runs_of_one_day_create_one_statement_per_guarantor,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let account = id();
        submit(&h, "PCN-CC1", &account, 10_000, (10, 1)).await;
        remit(
            &h,
            "TRN-CC1",
            vec![adjudicated("PCN-CC1", 5_000, 2_000, 3_000)],
        )
        .await;
        let runs: Vec<_> = (0..4)
            .map(|_| {
                let channel = h.service.endpoint();
                tokio::spawn(async move {
                    let channel = channel.connect().await.unwrap();
                    StatementServiceClient::new(channel)
                        .generate_statements(who(GenerateStatementsRequest::default()))
                        .await
                        .unwrap()
                        .into_inner()
                })
            })
            .collect();
        let mut created = 0;
        let mut ids = Vec::new();
        for run in runs {
            let answer = run.await.unwrap();
            created += answer.statements_created;
            ids.push(answer.statement_ids);
        }
        assert_eq!(created, 1);
        assert!(ids.iter().all(|i| i.len() == 1 && *i == ids[0]));
        assert_eq!(statements_of(&h.service, &account).await.len(), 1);
    }
);
