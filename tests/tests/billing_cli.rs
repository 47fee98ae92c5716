//! The biller's operator commands (`medbill claims`, `batch`, `acks`,
//! `denials`) against a running billing service on SQLite and PostgreSQL:
//! what they print is what the service holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill::billing::{
    AcksCommand, BatchCommand, BillingRemote, ClaimsCommand, DenialsCommand, acks, batch, claims,
    denials,
};
use medbill::operator::Caller;
use medbill_billing::testing::*;
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, bearer};

fn remote(service: &RunningService) -> BillingRemote {
    BillingRemote {
        endpoint: service.endpoint().uri().to_string(),
        caller: Caller {
            token: Some(bearer("cli-biller", &[Role::Biller])),
            data_dir: std::env::temp_dir(),
        },
    }
}

fn text(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap()
}

backend_tests!(
    a_biller_lists_shows_batches_and_acknowledges_claims_from_the_command_line,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        register_for_claims(&h.service, "MRN-CLI", true).await;
        let encounter = new_uuid_v7();
        h.coding
            .publish(
                &encounter,
                &released(&encounter, "MRN-CLI", vec![line("99213", 1)]),
            )
            .await;
        let claim = claims_of_encounter(&h.service, &encounter, 1)
            .await
            .remove(0);

        let mut out = Vec::new();
        claims(
            ClaimsCommand::List {
                status: Some("ready".into()),
                payer: None,
                encounter: None,
                json: true,
                remote: remote(&h.service),
            },
            &mut out,
        )
        .await
        .unwrap();
        let listed: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(listed[0]["claim_id"], claim.claim_id.as_str());
        assert_eq!(listed[0]["status"], "ready");
        assert_eq!(listed[0]["total_charge_cents"], 15_000);

        let mut out = Vec::new();
        claims(
            ClaimsCommand::Show {
                claim_id: claim.claim_id.clone(),
                json: false,
                remote: remote(&h.service),
            },
            &mut out,
        )
        .await
        .unwrap();
        let shown = text(out);
        assert!(
            shown.contains(&format!("PCN {}", claim.patient_control_number)),
            "{shown}"
        );
        assert!(shown.contains("line 1 99213 x1 $150.00"), "{shown}");
        assert!(
            shown.contains("submission  -> ready by billing.coding-feed"),
            "{shown}"
        );

        let (mut file, mut summary) = (Vec::new(), Vec::new());
        batch(
            BatchCommand::Create {
                transaction_type: "837p".into(),
                payer: None,
                max_claims: 0,
                out: None,
                remote: remote(&h.service),
            },
            &mut file,
            &mut summary,
        )
        .await
        .unwrap();
        let file = text(file);
        assert!(file.starts_with("ISA*"), "{file}");
        assert!(
            file.contains(&format!(
                "CLM*{}*150***11:B:1",
                claim.patient_control_number
            )),
            "{file}"
        );
        let summary = text(summary);
        assert!(summary.contains("1 claim(s), $150.00"), "{summary}");

        // A 999 for a group we never sent: recorded as unmatched.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stray.999");
        let ack = medbill_x12::ack::write_999(
            &medbill_x12::samples::interchange_params(77),
            &[medbill_x12::samples::implementation_ack()],
        )
        .unwrap();
        std::fs::write(&path, &ack).unwrap();
        let mut out = Vec::new();
        acks(
            AcksCommand::Ingest {
                file: path.clone(),
                json: true,
                remote: remote(&h.service),
            },
            &mut out,
        )
        .await
        .unwrap();
        let applied: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(applied["transaction_type"], "999");
        assert_eq!(applied["newly_applied"], true);
        assert_eq!(
            applied["unmatched"][0],
            "group control number 1001 (HC): no batch we sent"
        );

        let mut out = Vec::new();
        denials(
            DenialsCommand::List {
                category: Some("coding".into()),
                origin: None,
                json: false,
                remote: remote(&h.service),
            },
            &mut out,
        )
        .await
        .unwrap();
        assert_eq!(text(out), "0 denial(s)\n");
        let wrong = denials(
            DenialsCommand::List {
                category: Some("astrology".into()),
                origin: None,
                json: false,
                remote: remote(&h.service),
            },
            &mut Vec::new(),
        )
        .await;
        assert!(
            wrong
                .unwrap_err()
                .to_string()
                .starts_with("--category \"astrology\"")
        );
        h.service.stop().await;
    }
);
