//! The billing API through the generated client against a real server on
//! 127.0.0.1 port 0, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_contracts::medbill::billing::v1::claim_service_client::ClaimServiceClient;
use medbill_contracts::medbill::billing::v1::{CreateClaimRequest, GetClaimRequest};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{
    RunningService, TestDatabase, authorized, health_status, reflected_services,
};
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

async fn start(test_db: &TestDatabase) -> RunningService {
    let db = test_db.connect(medbill_billing::MIGRATIONS).await;
    RunningService::start(move |listener, settings, shutdown| {
        medbill_billing::serve(listener, db, settings, shutdown)
    })
    .await
}

backend_tests!(
    a_call_without_a_token_is_unauthenticated_and_a_wrong_role_is_denied,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut client = ClaimServiceClient::new(service.channel().await);
        let request = || GetClaimRequest {
            claim_id: "0190d9a0-0000-7000-8000-000000000001".into(),
        };

        let status = client.get_claim(request()).await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");

        let status = client
            .get_claim(authorized(request(), "bob", &[Role::Coder]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");

        // Auditors read claims; they never create them.
        let status = client
            .create_claim(authorized(
                CreateClaimRequest::default(),
                "ann",
                &[Role::Auditor],
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");

        // A biller passes the role check (the RPC itself lands with its issue).
        let status = client
            .get_claim(authorized(request(), "ann", &[Role::Biller]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
        service.stop().await;
    }
);

backend_tests!(
    health_is_serving_and_reflection_lists_only_the_billing_apis,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        for name in medbill_billing::SERVICES {
            let status = health_status(service.channel().await, name).await.unwrap();
            assert_eq!(status, ServingStatus::Serving, "{name}");
        }
        let listed = reflected_services(service.channel().await).await;
        for name in medbill_billing::SERVICES {
            assert!(
                listed.iter().any(|s| s == name),
                "{name} missing from {listed:?}"
            );
        }
        assert!(listed.iter().any(|s| s == "medbill.common.v1.EventFeed"));
        assert!(
            !listed.iter().any(|s| s.starts_with("medbill.coding")),
            "{listed:?}"
        );
        service.stop().await;
    }
);
