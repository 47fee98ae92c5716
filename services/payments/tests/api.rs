//! The payments API through the generated client against a real server on
//! 127.0.0.1 port 0, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_contracts::medbill::payments::v1::{GetAccountRequest, IssueRefundRequest};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{
    RunningService, TestDatabase, authorized, health_status, reflected_services,
};
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

async fn start(test_db: &TestDatabase) -> RunningService {
    let db = test_db.connect(medbill_payments::MIGRATIONS).await;
    RunningService::start(move |listener, settings, shutdown| {
        medbill_payments::serve(listener, db, settings, shutdown)
    })
    .await
}

backend_tests!(
    a_call_without_a_token_is_unauthenticated_and_a_wrong_role_is_denied,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut client = AccountServiceClient::new(service.channel().await);
        let request = || GetAccountRequest {
            account_id: "0190d9a0-0000-7000-8000-000000000001".into(),
            patient_mrn: String::new(),
        };

        let status = client.get_account(request()).await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");

        let status = client
            .get_account(authorized(request(), "bob", &[Role::Coder]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");

        // Refunds need a payment poster or a manager, not a collector.
        let status = client
            .issue_refund(authorized(
                IssueRefundRequest::default(),
                "ann",
                &[Role::Collector],
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");

        // A paymentposter passes the role check (the RPC itself lands with its issue).
        let status = client
            .get_account(authorized(request(), "ann", &[Role::PaymentPoster]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
        service.stop().await;
    }
);

backend_tests!(
    health_is_serving_and_reflection_lists_only_the_payments_apis,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        for name in medbill_payments::SERVICES {
            let status = health_status(service.channel().await, name).await.unwrap();
            assert_eq!(status, ServingStatus::Serving, "{name}");
        }
        let listed = reflected_services(service.channel().await).await;
        for name in medbill_payments::SERVICES {
            assert!(
                listed.iter().any(|s| s == name),
                "{name} missing from {listed:?}"
            );
        }
        assert!(listed.iter().any(|s| s == "medbill.common.v1.EventFeed"));
        assert!(
            !listed.iter().any(|s| s.starts_with("medbill.billing")),
            "{listed:?}"
        );
        service.stop().await;
    }
);
