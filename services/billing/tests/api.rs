//! The billing API through a real server on 127.0.0.1 port 0, on SQLite and
//! PostgreSQL: the role table enforced on every RPC, health, and reflection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_platform::backend_tests;
use medbill_platform::testing::{
    TestDatabase, assert_health_and_reflection, assert_role_table_enforced, start, test_settings,
};

backend_tests!(
    every_billing_rpc_refuses_a_missing_token_and_a_role_its_rule_does_not_name,
    |test_db: TestDatabase| async move {
        let db = test_db.connect(medbill_billing::MIGRATIONS).await;
        let assembled = medbill_billing::assemble(db, test_settings(), Default::default());
        let services = assembled.services().to_vec();
        let service = start(&test_db, medbill_billing::MIGRATIONS, |l, db, s, sd| {
            medbill_billing::serve(l, db, s, Default::default(), sd)
        })
        .await;
        assert_role_table_enforced(
            service.channel().await,
            &medbill_billing::roles::policy(),
            &services,
        )
        .await;
        service.stop().await;
    }
);

backend_tests!(
    health_is_serving_and_reflection_v1_and_v1alpha_list_only_the_billing_apis,
    |test_db: TestDatabase| async move {
        let service = start(&test_db, medbill_billing::MIGRATIONS, |l, db, s, sd| {
            medbill_billing::serve(l, db, s, Default::default(), sd)
        })
        .await;
        assert_health_and_reflection(
            service.channel().await,
            &[
                "medbill.billing.v1.RegistryService",
                "medbill.billing.v1.ClaimService",
                "medbill.billing.v1.SubmissionService",
                "medbill.billing.v1.DenialService",
                "medbill.billing.v1.AnalyticsService",
            ],
        )
        .await;
        service.stop().await;
    }
);
