//! Payment plans through `CreatePaymentPlan`, `GetPaymentPlan`,
//! `ListPaymentPlans` and `CancelPaymentPlan`, on SQLite and PostgreSQL:
//! the schedule covers the balance (the last installment takes the
//! remainder), patient payments apply to it, two missed installments
//! default it, and while it is in good standing statements do not advance
//! the guarantor's dunning cycle.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_contracts::medbill::payments::v1::payment_plan_service_client::PaymentPlanServiceClient;
use medbill_contracts::medbill::payments::v1::statement_service_client::StatementServiceClient;
use medbill_contracts::medbill::payments::v1::{
    CancelPaymentPlanRequest, CreatePaymentPlanRequest, GenerateStatementsRequest,
    GetAccountRequest, GetPaymentPlanRequest, GetStatementRequest, ListPaymentPlansRequest,
    PaymentMethod, PaymentPlan, PaymentPlanStatus, RecordPatientPaymentRequest, Statement,
};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, authorized};
use support::x835::{Clp, Remit, Svc};
use support::{
    Harness, Line, claim, date, id, ingest, money, start_with_billing, wait_for_charges,
};
use tonic::Code;

fn collector<T>(message: T) -> tonic::Request<T> {
    authorized(message, "collector", &[Role::Collector])
}

/// An account owing `patient` cents on a claim insurance finished with
/// (served Oct 1 2026).
async fn owing(h: &Harness, pcn: &'static str, trace: &'static str, patient: i64) -> String {
    let account = id();
    let c = claim(pcn, &id(), &account, &[Line("99213", &[], 20_000, 1)]);
    h.billing.publish(&c.claim_id, &c).await;
    wait_for_charges(&h.service, &c.claim_id, 20_000).await;
    let paid = 20_000 - 2_000 - patient;
    let remit = Remit {
        trace,
        total: None,
        claims: vec![Clp {
            pcn,
            status: "1",
            charge: 20_000,
            paid,
            patient_responsibility: patient,
            icn: "ICN-PL",
            cas: vec![],
            services: vec![Svc {
                procedure: "99213",
                charge: 20_000,
                paid,
                day: None,
                control: Some(format!("{pcn}-1")),
                cas: vec![("CO", "45", 2_000), ("PR", "2", patient)],
            }],
        }],
        plb: vec![],
    };
    ingest(&h.service, &remit.render()).await.unwrap();
    account
}

async fn create(
    service: &RunningService,
    request: CreatePaymentPlanRequest,
) -> Result<PaymentPlan, tonic::Status> {
    PaymentPlanServiceClient::new(service.channel().await)
        .create_payment_plan(collector(request))
        .await
        .map(|r| r.into_inner())
}

async fn run_statements(service: &RunningService, y: i32, m: i32, d: i32) -> Vec<Statement> {
    let mut client = StatementServiceClient::new(service.channel().await);
    let ids = client
        .generate_statements(collector(GenerateStatementsRequest {
            as_of: date(y, m, d),
            minimum_balance: None,
        }))
        .await
        .unwrap()
        .into_inner()
        .statement_ids;
    let mut out = Vec::new();
    for statement_id in ids {
        out.push(
            client
                .get_statement(collector(GetStatementRequest { statement_id }))
                .await
                .unwrap()
                .into_inner(),
        );
    }
    out
}

fn of<'a>(statements: &'a [Statement], account: &str) -> &'a Statement {
    statements
        .iter()
        .find(|s| s.account_id == account)
        .unwrap_or_else(|| panic!("no statement for {account}"))
}

/// An installment as (due (y, m, d), amount, paid, missed).
type Row = (Option<(i32, i32, i32)>, i64, i64, bool);

fn amounts(plan: &PaymentPlan) -> Vec<Row> {
    plan.installments
        .iter()
        .map(|i| {
            (
                i.due.map(|d| (d.year, d.month, d.day)),
                i.amount.unwrap().cents,
                i.paid.unwrap().cents,
                i.missed,
            )
        })
        .collect()
}

backend_tests!(
    a_plan_in_good_standing_stops_dunning_and_two_missed_installments_default_it,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let planned = owing(&h, "PCN-PL1", "TRN-PL1", 9_000).await;
        let unplanned = owing(&h, "PCN-PL2", "TRN-PL2", 9_000).await;
        let first = run_statements(&h.service, 2026, 11, 30).await;
        assert_eq!(of(&first, &planned).dunning_level, 1);

        // Three installments of $30.00 due on the 15th from today (Nov 30).
        let plan = create(
            &h.service,
            CreatePaymentPlanRequest {
                account_id: planned.clone(),
                installments: 3,
                due_day: 15,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(plan.status, PaymentPlanStatus::Active as i32);
        assert_eq!(plan.total.unwrap().cents, 9_000);
        assert_eq!(
            amounts(&plan),
            vec![
                (Some((2026, 12, 15)), 3_000, 0, false),
                (Some((2027, 1, 15)), 3_000, 0, false),
                (Some((2027, 2, 15)), 3_000, 0, false),
            ]
        );
        // A second active plan for the account is refused.
        let err = create(
            &h.service,
            CreatePaymentPlanRequest {
                account_id: planned.clone(),
                installments: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition);

        // The guarantor pays the first installment, received tomorrow.
        AccountServiceClient::new(h.service.channel().await)
            .record_patient_payment(authorized(
                RecordPatientPaymentRequest {
                    account_id: planned.clone(),
                    amount: money(3_000),
                    method: PaymentMethod::Card as i32,
                    reference: "AUTH1".into(),
                    payment_plan_id: plan.payment_plan_id.clone(),
                    idempotency_key: "plan-pay-1".into(),
                    received_on: date(2026, 12, 1),
                    ..Default::default()
                },
                "poster",
                &[Role::PaymentPoster],
            ))
            .await
            .unwrap();
        let mut plans = PaymentPlanServiceClient::new(h.service.channel().await);
        // As of today (Nov 30) it is not received yet, and nothing is due.
        let now = plans
            .get_payment_plan(collector(GetPaymentPlanRequest {
                payment_plan_id: plan.payment_plan_id.clone(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(now.as_of, date(2026, 11, 30));
        assert_eq!(now.paid.unwrap().cents, 0);
        assert_eq!(now.missed_installments, 0);
        let viewed = AccountServiceClient::new(h.service.channel().await)
            .get_account(collector(GetAccountRequest {
                account_id: planned.clone(),
                patient_mrn: String::new(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(viewed.payment_plan_id, plan.payment_plan_id);
        assert!(!viewed.in_collections);
        // A payment naming another plan id is refused.
        let err = AccountServiceClient::new(h.service.channel().await)
            .record_patient_payment(authorized(
                RecordPatientPaymentRequest {
                    account_id: unplanned.clone(),
                    amount: money(100),
                    method: PaymentMethod::Card as i32,
                    payment_plan_id: plan.payment_plan_id.clone(),
                    idempotency_key: "plan-pay-2".into(),
                    ..Default::default()
                },
                "poster",
                &[Role::PaymentPoster],
            ))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().starts_with("payment_plan_id"));

        // A month on: the unplanned guarantor gets the reminder, the
        // planned one stays at cycle 1.
        let december = run_statements(&h.service, 2026, 12, 31).await;
        assert_eq!(of(&december, &unplanned).dunning_level, 2);
        assert!(!of(&december, &unplanned).dunning_suspended);
        let held = of(&december, &planned);
        assert_eq!(held.dunning_level, 1);
        assert!(held.dunning_suspended);
        assert_eq!(held.amount_due.unwrap().cents, 6_000);
        assert_eq!(held.payments.unwrap().cents, 3_000);

        // Jan 15 and Feb 15 missed: as of Feb 20 the plan is in default and
        // dunning resumes. Feb 20 is after today, so the default is not
        // stored yet: today the plan is still active.
        let february = run_statements(&h.service, 2027, 2, 20).await;
        let resumed = of(&february, &planned);
        assert_eq!(resumed.dunning_level, 2);
        assert!(!resumed.dunning_suspended);
        let listed = plans
            .list_payment_plans(collector(ListPaymentPlansRequest {
                account_id: planned.clone(),
                statuses: vec![PaymentPlanStatus::Active as i32],
            }))
            .await
            .unwrap()
            .into_inner()
            .plans;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].payment_plan_id, plan.payment_plan_id);
    }
);

backend_tests!(
    a_plan_two_installments_behind_today_is_stored_as_defaulted_and_cannot_be_cancelled,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let account = owing(&h, "PCN-PL5", "TRN-PL5", 9_000).await;
        // An agreement from August: due Aug 1, Sep 1, Oct 1, none paid.
        let plan = create(
            &h.service,
            CreatePaymentPlanRequest {
                account_id: account.clone(),
                installments: 3,
                start_date: date(2026, 8, 1),
                due_day: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(plan.status, PaymentPlanStatus::Defaulted as i32);
        assert_eq!(plan.missed_installments, 3);
        assert!(plan.installments.iter().all(|i| i.missed));
        assert_eq!(plan.close_reason, "3 installments missed");
        let mut plans = PaymentPlanServiceClient::new(h.service.channel().await);
        let listed = plans
            .list_payment_plans(collector(ListPaymentPlansRequest {
                account_id: String::new(),
                statuses: vec![PaymentPlanStatus::Defaulted as i32],
            }))
            .await
            .unwrap()
            .into_inner()
            .plans;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].payment_plan_id, plan.payment_plan_id);
        let err = plans
            .cancel_payment_plan(collector(CancelPaymentPlanRequest {
                payment_plan_id: plan.payment_plan_id.clone(),
                reason: "too late".into(),
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition);
        // A defaulted plan holds nothing back: the statement run doubles as
        // dunning, and a new plan may be agreed.
        let run = run_statements(&h.service, 2026, 11, 30).await;
        assert!(!of(&run, &account).dunning_suspended);
        let again = create(
            &h.service,
            CreatePaymentPlanRequest {
                account_id: account.clone(),
                installments: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(again.status, PaymentPlanStatus::Active as i32);
    }
);

backend_tests!(
    the_last_installment_takes_the_remainder_and_a_cancelled_plan_frees_the_account,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let account = owing(&h, "PCN-PL3", "TRN-PL3", 10_000).await;
        let plan = create(
            &h.service,
            CreatePaymentPlanRequest {
                account_id: account.clone(),
                installment_amount: money(3_000),
                start_date: date(2026, 12, 20),
                due_day: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            amounts(&plan),
            vec![
                (Some((2027, 1, 5)), 3_000, 0, false),
                (Some((2027, 2, 5)), 3_000, 0, false),
                (Some((2027, 3, 5)), 3_000, 0, false),
                (Some((2027, 4, 5)), 1_000, 0, false),
            ]
        );
        assert_eq!(plan.installment_amount.unwrap().cents, 3_000);
        let mut plans = PaymentPlanServiceClient::new(h.service.channel().await);
        let err = plans
            .cancel_payment_plan(collector(CancelPaymentPlanRequest {
                payment_plan_id: plan.payment_plan_id.clone(),
                reason: " ".into(),
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().starts_with("reason"));
        let cancelled = plans
            .cancel_payment_plan(collector(CancelPaymentPlanRequest {
                payment_plan_id: plan.payment_plan_id.clone(),
                reason: "guarantor asked".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(cancelled.status, PaymentPlanStatus::Cancelled as i32);
        // Now a new plan may be made: by count, the last takes the remainder.
        let again = create(
            &h.service,
            CreatePaymentPlanRequest {
                account_id: account.clone(),
                installments: 3,
                first_due: date(2026, 12, 10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let cents: Vec<i64> = amounts(&again).iter().map(|a| a.1).collect();
        assert_eq!(cents, vec![3_334, 3_334, 3_332]);
        assert_eq!(again.due_day, 10);
        let active = plans
            .list_payment_plans(collector(ListPaymentPlansRequest {
                account_id: account.clone(),
                statuses: vec![PaymentPlanStatus::Active as i32],
            }))
            .await
            .unwrap()
            .into_inner()
            .plans;
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].payment_plan_id, again.payment_plan_id);
    }
);

backend_tests!(
    plan_requests_that_break_a_rule_are_refused_naming_the_field_and_create_nothing,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let account = owing(&h, "PCN-PL4", "TRN-PL4", 9_000).await;
        let cases = [
            (
                CreatePaymentPlanRequest {
                    account_id: account.clone(),
                    installments: 3,
                    installment_amount: money(2_000),
                    ..Default::default()
                },
                "installment_amount",
            ),
            (
                CreatePaymentPlanRequest {
                    account_id: account.clone(),
                    total: money(9_001),
                    installments: 3,
                    ..Default::default()
                },
                "total",
            ),
            (
                CreatePaymentPlanRequest {
                    account_id: account.clone(),
                    installments: 3,
                    due_day: 30,
                    ..Default::default()
                },
                "due_day",
            ),
            (
                CreatePaymentPlanRequest {
                    account_id: account.clone(),
                    ..Default::default()
                },
                "installments",
            ),
            (
                CreatePaymentPlanRequest {
                    account_id: "x".into(),
                    installments: 3,
                    ..Default::default()
                },
                "account_id",
            ),
            (
                CreatePaymentPlanRequest {
                    account_id: account.clone(),
                    installments: 61,
                    ..Default::default()
                },
                "installments",
            ),
        ];
        for (request, field) in cases {
            let err = create(&h.service, request).await.unwrap_err();
            assert_eq!(
                err.code(),
                Code::InvalidArgument,
                "{field}: {}",
                err.message()
            );
            assert!(err.message().starts_with(field), "{}", err.message());
        }
        assert_eq!(support::count(&h.service, "payment_plans").await, 0);
        let err = PaymentPlanServiceClient::new(h.service.channel().await)
            .get_payment_plan(collector(GetPaymentPlanRequest {
                payment_plan_id: id(),
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
    }
);
