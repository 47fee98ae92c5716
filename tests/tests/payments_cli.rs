//! The payment poster's, collector's and manager's operator commands
//! (`medbill remit ingest`, `deposits import`, `statements run`, `ar aging`)
//! against a running payments service, fed claims by a fake billing feed,
//! on SQLite and PostgreSQL: what they print is what the service posted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use medbill::operator::Caller;
use medbill::payments::{
    ArCommand, DepositsCommand, PaymentsRemote, RemitCommand, StatementsCommand, ar, deposits,
    remit, statements,
};
use medbill_contracts::medbill::billing::v1::{ClaimLine, ClaimSubmitted};
use medbill_contracts::medbill::common::v1::{Date, Money};
use medbill_contracts::medbill::payments::v1::AuditLedgerRequest;
use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_kernel::ids::new_uuid_v7;
use medbill_payments::Peers;
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{
    FakeFeed, RunningService, TestDatabase, authorized, bearer, eventually, start,
};

fn remote(service: &RunningService, role: Role) -> PaymentsRemote {
    PaymentsRemote {
        endpoint: service.endpoint().uri().to_string(),
        caller: Caller {
            token: Some(bearer("cli-operator", &[role])),
            data_dir: std::env::temp_dir(),
        },
    }
}

fn money(cents: i64) -> Option<Money> {
    Some(Money { cents })
}

/// Claim `pcn` as `medbill_x12::samples::remittance_file` pays it: 99214-25
/// for $200 and 36415 for $50 on 2024-03-01, line control numbers
/// `<pcn>-1`, `<pcn>-2`.
fn sample_claim(pcn: &str, payer_id: &str) -> ClaimSubmitted {
    let served = Some(Date {
        year: 2024,
        month: 3,
        day: 1,
    });
    let line = |n: u32, code: &str, modifiers: &[&str], cents: i64| ClaimLine {
        line_number: n,
        line_control_number: format!("{pcn}-{n}"),
        code: code.into(),
        modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
        units: 1,
        charge: money(cents),
        date_of_service: served,
        ..Default::default()
    };
    ClaimSubmitted {
        claim_id: new_uuid_v7(),
        patient_id: new_uuid_v7(),
        patient_mrn: format!("MRN-{pcn}"),
        guarantor_account_id: new_uuid_v7(),
        payer_id: payer_id.into(),
        payer_rank: 1,
        patient_control_number: pcn.into(),
        frequency_code: "1".into(),
        first_date_of_service: served,
        lines: vec![
            line(1, "99214", &["25"], 20_000),
            line(2, "36415", &[], 5_000),
        ],
        total_charge: money(25_000),
        batch_id: new_uuid_v7(),
        encounter_id: new_uuid_v7(),
        payer_name: "ACME HEALTH PLAN".into(),
        claim_filing_indicator: "CI".into(),
        submitted_on: Some(Date {
            year: 2024,
            month: 3,
            day: 5,
        }),
        ..Default::default()
    }
}

/// Payments following a fake billing feed that submitted `pcns`.
async fn payments_with_claims(
    test_db: &TestDatabase,
    pcns: &[&str],
) -> (RunningService, FakeFeed, Vec<String>) {
    let billing = FakeFeed::start(test_db).await;
    let peers = Peers {
        billing: Some(billing.peer("billing", "payments")),
        remittance_dir: None,
    };
    let service = start(
        test_db,
        medbill_payments::MIGRATIONS,
        move |l, db, s, sd| medbill_payments::serve(l, db, s, peers, sd),
    )
    .await;
    let (mut ids, payer_id) = (Vec::new(), new_uuid_v7());
    for pcn in pcns {
        let claim = sample_claim(pcn, &payer_id);
        billing.publish(&claim.claim_id, &claim).await;
        ids.push(claim.claim_id);
    }
    let client = AccountServiceClient::new(service.channel().await);
    eventually("the claims' receivables", || {
        let request = AuditLedgerRequest {
            claim_ids: ids.clone(),
        };
        let mut client = client.clone();
        async move {
            let audit = client
                .audit_ledger(authorized(request, "auditor", &[Role::Auditor]))
                .await
                .ok()?
                .into_inner();
            audit
                .claims
                .iter()
                .all(|c| c.charges.map(|m| m.cents) == Some(25_000))
                .then_some(())
        }
    })
    .await;
    (service, billing, ids)
}

fn text(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap()
}

async fn ingest(service: &RunningService, file: &Path, json: bool) -> String {
    let mut out = Vec::new();
    remit(
        RemitCommand::Ingest {
            file: file.to_path_buf(),
            json,
            remote: remote(service, Role::PaymentPoster),
        },
        &mut out,
    )
    .await
    .unwrap();
    text(out)
}

async fn import(service: &RunningService, file: &Path) -> Result<String, String> {
    let mut out = Vec::new();
    deposits(
        DepositsCommand::Import {
            file: file.to_path_buf(),
            remote: remote(service, Role::PaymentPoster),
        },
        &mut out,
    )
    .await
    .map_err(|e| format!("{e:#}"))?;
    Ok(text(out))
}

backend_tests!(
    a_poster_ingests_an_835_and_imports_deposits_from_the_command_line,
    |test_db: TestDatabase| async move {
        // Three claims paid by the sample file; billing submitted two.
        let (service, _billing, ids) =
            payments_with_claims(&test_db, &["PCN0000000", "PCN0000001"]).await;
        let dir = tempfile::tempdir().unwrap();
        let era = dir.path().join("era.835");
        std::fs::write(&era, medbill_x12::samples::remittance_file(3).unwrap()).unwrap();

        let posted: serde_json::Value =
            serde_json::from_str(&ingest(&service, &era, true).await).unwrap();
        assert_eq!(posted["newly_posted"], true);
        assert_eq!(posted["trace_number"], "EFT000000");
        // 3 × $190.00 paid − $10.00 PLB.
        assert_eq!(posted["total_paid_cents"], 56_000);
        assert_eq!(posted["claims_matched"], 2);
        assert_eq!(posted["claims"][0]["claim_id"], ids[0].as_str());
        assert_eq!(posted["claims"][1]["claim_id"], ids[1].as_str());
        assert_eq!(
            posted["exceptions"][0]["patient_control_number"],
            "PCN0000002"
        );
        assert_eq!(
            posted["exceptions"][0]["reason"],
            "unknown_patient_control_number"
        );
        assert_eq!(posted["exceptions"][0]["paid_cents"], 19_000);
        // Per claim: CO-45 $30.00; PR-2 $20.00 + $10.00.
        assert_eq!(posted["cas_totals_cents"]["CO"], 9_000);
        assert_eq!(posted["cas_totals_cents"]["PR"], 9_000);
        assert_eq!(posted["provider_adjustments"][0]["reason_code"], "WO");
        assert_eq!(posted["provider_adjustments"][0]["reference"], "ICN0800");
        assert_eq!(posted["provider_adjustments"][0]["amount_cents"], 1_000);

        let again = ingest(&service, &era, false).await;
        assert!(
            again.contains(
                "trace EFT000000: $560.00 paid on 2024-03-18 (posted before; nothing changed)"
            ),
            "{again}"
        );
        assert!(
            again.contains("3 claim(s): 2 matched, 1 exception(s)"),
            "{again}"
        );
        assert!(
            again.contains(&format!(
                "claim PCN0000000 -> {}  CLP02 1  paid $190.00",
                ids[0]
            )),
            "{again}"
        );
        assert!(
            again.contains("exception PCN0000002: unknown_patient_control_number ("),
            "{again}"
        );
        assert!(
            again.contains("  CAS CO $90.00\n  CAS PR $90.00\n  PLB WO ICN0800 $10.00"),
            "{again}"
        );

        // A bad row: nothing of the file is recorded.
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "trace,amount,date,payer\nEFT000000,560.00,2024-03-18,ACME\nEFT1,12.5,2024-03-18,ACME\n").unwrap();
        let err = import(&service, &bad).await.unwrap_err();
        assert!(err.contains("line 3, column amount"), "{err}");
        let csv = dir.path().join("deposits.csv");
        std::fs::write(&csv, "trace,amount,date,payer\nEFT000000,560.00,2024-03-18,ACME\nEFT777,12.34,2024-03-19,OTHER\n").unwrap();
        let first = import(&service, &csv).await.unwrap();
        let remittance_id = posted["remittance_id"].as_str().unwrap();
        assert!(
            first.contains(&format!(
                "line 2: EFT000000 $560.00 2024-03-18 -> matched remittance {remittance_id}\n"
            )),
            "{first}"
        );
        assert!(
            first.contains("line 3: EFT777 $12.34 2024-03-19 -> unmatched: "),
            "{first}"
        );
        assert!(
            first.ends_with("2 deposit(s): 1 matched, 1 unmatched\n"),
            "{first}"
        );
        let second = import(&service, &csv).await.unwrap();
        assert!(
            second.contains("matched remittance")
                && second.contains("2024-03-18 -> matched remittance"),
            "{second}"
        );
        assert_eq!(second.matches("(recorded before)").count(), 2, "{second}");
    }
);

backend_tests!(
    a_collector_runs_statements_and_a_manager_reads_aging_from_the_command_line,
    |test_db: TestDatabase| async move {
        let (service, _billing, _ids) =
            payments_with_claims(&test_db, &["PCN0000000", "PCN0000001", "PCN0000002"]).await;
        let dir = tempfile::tempdir().unwrap();
        let era = dir.path().join("era.835");
        // Pays the first two; the third stays with the payer.
        std::fs::write(&era, medbill_x12::samples::remittance_file(2).unwrap()).unwrap();
        ingest(&service, &era, false).await;

        let out_dir = dir.path().join("statements");
        let mut out = Vec::new();
        statements(
            StatementsCommand::Run {
                date: "2024-04-01".parse().unwrap(),
                out: out_dir.clone(),
                remote: remote(&service, Role::Collector),
            },
            &mut out,
        )
        .await
        .unwrap();
        let printed = text(out);
        assert!(
            printed.contains("2 statement(s) for 2024-04-01 (2 created now)"),
            "{printed}"
        );
        assert_eq!(
            printed.matches("due $30.00  level 1").count(),
            2,
            "{printed}"
        );
        let mut files: Vec<String> = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files.len(), 4, "{files:?}");
        for name in &files {
            let bytes = std::fs::read(out_dir.join(name)).unwrap();
            if name.ends_with(".pdf") {
                assert!(bytes.starts_with(b"%PDF-"), "{name}");
            } else {
                assert!(
                    String::from_utf8(bytes).unwrap().contains("30.00"),
                    "{name}"
                );
            }
        }

        let mut out = Vec::new();
        ar(
            ArCommand::Aging {
                by: "payer".into(),
                basis: "service".into(),
                as_of: Some("2024-04-01".parse().unwrap()),
                json: true,
                remote: remote(&service, Role::Manager),
            },
            &mut out,
        )
        .await
        .unwrap();
        let aging: serde_json::Value = serde_json::from_slice(&out).unwrap();
        // The unpaid claim ($250.00, served 31 days before) and two $30.00
        // patient balances.
        assert_eq!(aging["total"]["total_cents"], 31_000);
        assert_eq!(aging["total"]["insurance_cents"], 25_000);
        assert_eq!(aging["total"]["patient_cents"], 6_000);
        assert_eq!(aging["total"]["days_31_60_cents"], 31_000);

        let mut out = Vec::new();
        ar(
            ArCommand::Aging {
                by: "class".into(),
                basis: "submission".into(),
                as_of: Some("2024-04-01".parse().unwrap()),
                json: false,
                remote: remote(&service, Role::Manager),
            },
            &mut out,
        )
        .await
        .unwrap();
        let table = text(out);
        let total = table.lines().last().unwrap();
        // From submission (2024-03-05): 27 days, the first bucket.
        assert!(
            total.starts_with("total ") && total.contains("$310.00"),
            "{table}"
        );
        let class = table.lines().find(|l| l.starts_with("CI ")).unwrap();
        assert!(class.contains("$310.00"), "{table}");
    }
);
