//! The coding API through the generated client against a real server on
//! 127.0.0.1 port 0, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_contracts::medbill::coding::v1::encounter_service_client::EncounterServiceClient;
use medbill_contracts::medbill::coding::v1::{GetEncounterRequest, SubmitEncounterRequest};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{
    RunningService, TestDatabase, authorized, health_status, reflected_services,
};
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

async fn start(test_db: &TestDatabase) -> RunningService {
    let db = test_db.connect(medbill_coding::MIGRATIONS).await;
    RunningService::start(move |listener, settings, shutdown| {
        medbill_coding::serve(listener, db, settings, shutdown)
    })
    .await
}

backend_tests!(
    a_call_without_a_token_is_unauthenticated_and_a_wrong_role_is_denied,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        let mut client = EncounterServiceClient::new(service.channel().await);
        let request = || GetEncounterRequest {
            encounter_id: "0190d9a0-0000-7000-8000-000000000001".into(),
        };

        let status = client.get_encounter(request()).await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");

        let status = client
            .get_encounter(authorized(request(), "bob", &[Role::Biller]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");

        // Encounters come from the EHR integration, not from coders.
        let status = client
            .submit_encounter(authorized(
                SubmitEncounterRequest::default(),
                "ann",
                &[Role::Coder],
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");

        // A coder passes the role check; the encounter does not exist.
        let status = client
            .get_encounter(authorized(request(), "ann", &[Role::Coder]))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::NotFound, "{status:?}");
        service.stop().await;
    }
);

backend_tests!(
    health_is_serving_and_reflection_lists_only_the_coding_apis,
    |test_db: TestDatabase| async move {
        let service = start(&test_db).await;
        for name in medbill_coding::SERVICES {
            let status = health_status(service.channel().await, name).await.unwrap();
            assert_eq!(status, ServingStatus::Serving, "{name}");
        }
        let listed = reflected_services(service.channel().await).await;
        for name in medbill_coding::SERVICES {
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
