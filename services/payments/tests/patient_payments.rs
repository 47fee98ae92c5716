//! Patient payments through `RecordPatientPayment`: oldest claim first,
//! overpayment kept as the account's credit, a retried key posting nothing,
//! on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_contracts::medbill::payments::v1::{
    GetAccountRequest, PaymentMethod, RecordPatientPaymentRequest,
};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, authorized};
use support::x835::{Clp, Remit, Svc};
use support::{
    Line, account_totals, audit, claim, claim_audit, figures, id, ingest, money,
    start_with_billing, wait_for_charges,
};
use tonic::Code;

/// Pays `pcn`'s $100.00 line: `pr` cents to the patient (PR-1), $20.00
/// CO-45, the rest paid.
fn paying(pcn: &'static str, pr: i64) -> Clp {
    Clp {
        pcn,
        status: "1",
        charge: 10_000,
        paid: 8_000 - pr,
        patient_responsibility: pr,
        icn: "ICN-P",
        cas: vec![],
        services: vec![Svc {
            procedure: "99213",
            charge: 10_000,
            paid: 8_000 - pr,
            day: None,
            control: Some(format!("{pcn}-1")),
            cas: vec![("CO", "45", 2_000), ("PR", "1", pr)],
        }],
    }
}

fn payment(account: &str, cents: i64, key: &str, claim_id: &str) -> RecordPatientPaymentRequest {
    RecordPatientPaymentRequest {
        account_id: account.to_string(),
        amount: money(cents),
        method: PaymentMethod::Card as i32,
        reference: "AUTH123".into(),
        claim_id: claim_id.to_string(),
        idempotency_key: key.to_string(),
        ..Default::default()
    }
}

backend_tests!(
    a_patient_payment_pays_the_oldest_claim_first_keeps_the_overpayment_as_credit_and_posts_once_per_key,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let (payer, account) = (id(), id());
        // Newer claim published first: "oldest" is by date of service.
        let newer = claim("PCN-NEW", &payer, &account, &[Line("99213", &[], 10_000, 5)]);
        let older = claim("PCN-OLD", &payer, &account, &[Line("99213", &[], 10_000, 1)]);
        h.billing.publish(&newer.claim_id, &newer).await;
        h.billing.publish(&older.claim_id, &older).await;
        wait_for_charges(&h.service, &older.claim_id, 10_000).await;
        let remit = Remit {
            trace: "TRN-PP",
            total: None,
            claims: vec![paying("PCN-NEW", 5_000), paying("PCN-OLD", 3_000)],
            plb: vec![],
        };
        ingest(&h.service, &remit.render()).await.unwrap();

        let mut client = AccountServiceClient::new(h.service.channel().await);
        let poster = |msg| authorized(msg, "pat", &[Role::PaymentPoster]);
        // $100.00 against $30.00 (older) and $50.00 (newer): $20.00 credit.
        let posted = client
            .record_patient_payment(poster(payment(&account, 10_000, "key-1", "")))
            .await
            .unwrap()
            .into_inner();
        assert!(posted.newly_posted);
        let patient_ar: Vec<(String, i64)> = posted
            .entries
            .iter()
            .filter(|e| e.ledger_account == "ar_patient")
            .map(|e| (e.claim_id.clone(), e.amount.unwrap().cents))
            .collect();
        assert_eq!(
            patient_ar,
            vec![(older.claim_id.clone(), -3_000), (newer.claim_id.clone(), -5_000)]
        );
        // charges, payments (insurance + patient), adjustments, write-offs,
        // insurance, patient.
        assert_eq!(figures(&claim_audit(&h.service, &older.claim_id).await), [10_000, 8_000, 2_000, 0, 0, 0]);
        assert_eq!(figures(&claim_audit(&h.service, &newer.claim_id).await), [10_000, 8_000, 2_000, 0, 0, 0]);
        let account_view = client
            .get_account(authorized(
                GetAccountRequest {
                    account_id: account.clone(),
                    patient_mrn: String::new(),
                },
                "col",
                &[Role::Collector],
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(account_view.patient_balance.unwrap().cents, -2_000);

        // The retry posts nothing and answers the first posting.
        let totals = account_totals(&h.service).await;
        let again = client
            .record_patient_payment(poster(payment(&account, 10_000, "key-1", "")))
            .await
            .unwrap()
            .into_inner();
        assert!(!again.newly_posted);
        assert_eq!(again.posting_id, posted.posting_id);
        assert_eq!(again.entries, posted.entries);
        assert_eq!(account_totals(&h.service).await, totals);
        assert_eq!(totals["unapplied_cash"], -2_000);

        // The same key for another amount is refused, naming the key.
        let status = client
            .record_patient_payment(poster(payment(&account, 500, "key-1", "")))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().starts_with("idempotency_key:"), "{}", status.message());

        let whole = audit(&h.service, &[]).await;
        assert_eq!(whole.claims_out_of_balance, 0);
        assert!(whole.unbalanced_entry_ids.is_empty());
        h.service.stop().await;
    }
);

backend_tests!(
    a_payment_for_a_named_claim_pays_only_that_claim_and_billers_may_not_post_money,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let (payer, account) = (id(), id());
        let older = claim("PCN-O2", &payer, &account, &[Line("99213", &[], 10_000, 1)]);
        let newer = claim("PCN-N2", &payer, &account, &[Line("99213", &[], 10_000, 5)]);
        h.billing.publish(&older.claim_id, &older).await;
        h.billing.publish(&newer.claim_id, &newer).await;
        wait_for_charges(&h.service, &newer.claim_id, 10_000).await;
        let remit = Remit {
            trace: "TRN-P2",
            total: None,
            claims: vec![paying("PCN-O2", 3_000), paying("PCN-N2", 5_000)],
            plb: vec![],
        };
        ingest(&h.service, &remit.render()).await.unwrap();

        let mut client = AccountServiceClient::new(h.service.channel().await);
        // $40.00 for the newer claim only, though the older one owes too.
        client
            .record_patient_payment(authorized(
                payment(&account, 4_000, "key-2", &newer.claim_id),
                "col",
                &[Role::Collector],
            ))
            .await
            .unwrap();
        assert_eq!(
            figures(&claim_audit(&h.service, &newer.claim_id).await)[5],
            1_000
        );
        assert_eq!(
            figures(&claim_audit(&h.service, &older.claim_id).await)[5],
            3_000
        );

        let status = client
            .record_patient_payment(authorized(
                payment(&account, 100, "key-3", ""),
                "bill",
                &[Role::Biller],
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied);
        let status = client
            .record_patient_payment(authorized(
                payment(&account, 0, "key-4", ""),
                "col",
                &[Role::Collector],
            ))
            .await
            .unwrap_err();
        assert_eq!(status.message(), "amount: must be positive");
        h.service.stop().await;
    }
);

backend_tests!(
    a_credit_balance_is_refunded_once_per_key_at_most_in_full_and_above_the_policy_limit_only_by_a_manager,
    |test_db: TestDatabase| async move {
        use medbill_contracts::medbill::payments::v1::IssueRefundRequest;
        let h = start_with_billing(&test_db).await;
        let account = id();
        let c = claim("PCN-RF", &id(), &account, &[Line("99213", &[], 10_000, 1)]);
        h.billing.publish(&c.claim_id, &c).await;
        wait_for_charges(&h.service, &c.claim_id, 10_000).await;
        let mut client = AccountServiceClient::new(h.service.channel().await);
        // Nothing is owed by the patient yet: all $700.00 is credit.
        client
            .record_patient_payment(authorized(
                payment(&account, 70_000, "pay-rf", ""),
                "pat",
                &[Role::PaymentPoster],
            ))
            .await
            .unwrap();
        let refund = |cents: i64, key: &str| IssueRefundRequest {
            account_id: account.clone(),
            amount: money(cents),
            reason: "overpayment".into(),
            idempotency_key: key.to_string(),
        };
        let status = client
            .issue_refund(authorized(refund(60_000, "rf-1"), "pat", &[Role::PaymentPoster]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied);
        let status = client
            .issue_refund(authorized(refund(100, "rf-0"), "col", &[Role::Collector]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied);

        let first = client
            .issue_refund(authorized(refund(60_000, "rf-1"), "boss", &[Role::Manager]))
            .await
            .unwrap()
            .into_inner();
        assert!(first.newly_posted);
        let again = client
            .issue_refund(authorized(refund(60_000, "rf-1"), "boss", &[Role::Manager]))
            .await
            .unwrap()
            .into_inner();
        assert!(!again.newly_posted);
        assert_eq!(again.posting_id, first.posting_id);
        // The approval limit is policy data: at $50.00 a poster's $100.00
        // refund needs a manager; back at $500.00 it does not.
        let set_limit = |cents: i64| {
            sqlx::query("UPDATE collection_policy SET refund_approval_limit = $1")
                .bind(cents)
                .execute(h.service.db().pool())
        };
        set_limit(5_000).await.unwrap();
        let status = client
            .issue_refund(authorized(refund(10_000, "rf-2"), "pat", &[Role::PaymentPoster]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied);
        assert!(status.message().contains("$50.00"), "{}", status.message());
        set_limit(50_000).await.unwrap();
        client
            .issue_refund(authorized(refund(10_000, "rf-2"), "pat", &[Role::PaymentPoster]))
            .await
            .unwrap();
        // The credit is spent: one cent more is refused.
        let status = client
            .issue_refund(authorized(refund(1, "rf-3"), "pat", &[Role::PaymentPoster]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::FailedPrecondition);

        let totals = account_totals(&h.service).await;
        assert_eq!(totals["unapplied_cash"], 0);
        assert_eq!(totals["refunds_payable"], -70_000);
        let view = client
            .get_account(authorized(
                GetAccountRequest {
                    account_id: account.clone(),
                    patient_mrn: String::new(),
                },
                "col",
                &[Role::Collector],
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(view.patient_balance.unwrap().cents, 0);
        h.service.stop().await;
    }
);
