//! `medbill load` against `medbill up` (in-process): closed and open loop
//! count every call, report errors by status code, and write the JSON
//! report; the scenarios that set up a pool first (claims, remit) stop when
//! it runs out, and what they did is counted again through the services'
//! APIs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::time::Duration;

use futures::FutureExt;
use medbill::load::{LoadArgs, run};
use medbill::operator::Caller;
use medbill::up::UpArgs;
use medbill_contracts::medbill::billing::v1 as billing;
use medbill_contracts::medbill::common::v1::PageRequest;
use medbill_contracts::medbill::payments::v1 as payments;
use medbill_platform::auth::Role;
use medbill_platform::config::ServerArgs;
use medbill_platform::telemetry::LogFormat;
use tonic::transport::Endpoint;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn args(scenario: &str, coding: u16, data: &std::path::Path, rate: Option<u32>) -> LoadArgs {
    LoadArgs {
        scenario: scenario.into(),
        concurrency: 4,
        rate,
        duration: 1,
        warmup: 0,
        connections: 2,
        coding: format!("http://127.0.0.1:{coding}"),
        billing: format!("http://127.0.0.1:{}", coding + 1),
        payments: format!("http://127.0.0.1:{}", coding + 2),
        clearinghouse_dir: None,
        remittance_dir: None,
        patients: 40,
        encounters: None,
        claims_per_remittance: 50,
        seed: 5,
        json: Some(data.join(format!("{scenario}.json"))),
        caller: Caller {
            token: None,
            data_dir: data.to_path_buf(),
        },
    }
}

/// `medbill up` on `data` with consecutive ports from the coding port it
/// returns; the coding database seeded with the demo's code sets first when
/// `codes`. Send on the sender to stop it.
async fn up(
    data: &std::path::Path,
    codes: bool,
) -> (
    u16,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    if codes {
        let url = format!("sqlite://{}", data.join("coding.db").display());
        medbill::demo::seed_codes(&url).await.unwrap();
    }
    // Three consecutive free ports (the load tool's defaults assume them).
    let ports = loop {
        let first = free_port();
        if first < 65000
            && TcpListener::bind(("127.0.0.1", first + 1)).is_ok()
            && TcpListener::bind(("127.0.0.1", first + 2)).is_ok()
        {
            break [first, first + 1, first + 2];
        }
    };
    let up = UpArgs {
        data_dir: data.to_path_buf(),
        host: "127.0.0.1".parse().unwrap(),
        coding_port: ports[0],
        billing_port: ports[1],
        payments_port: ports[2],
        metrics: false,
        codesets_dir: data.join("codesets"),
        no_codesets: true,
        clearinghouse_dir: None,
        server: ServerArgs {
            request_timeout_secs: 30,
            max_message_bytes: 64 * 1024 * 1024,
            drain_secs: 1,
            log_format: LogFormat::Pretty,
            time_zone: Some("America/New_York".into()),
        },
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stack = tokio::spawn(medbill::up::run(
        up,
        async move {
            let _ = stopped.await;
        }
        .boxed(),
    ));
    for port in ports {
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            let ready = Endpoint::from_shared(url.clone()).unwrap().connect().await;
            if ready.is_ok() && data.join("dev-jwt-secret").exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    (ports[0], stop, stack)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_counts_every_call_by_outcome_and_writes_its_report() {
    let data = tempfile::tempdir().unwrap();
    let (coding, stop, stack) = up(data.path(), false).await;
    let ports = [coding];
    // New encounters from the EHR, closed loop: every call answered OK.
    let mut out = Vec::new();
    run(args("intake", ports[0], data.path(), None), &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("intake closed(4): "), "{text}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.path().join("intake.json")).unwrap()).unwrap();
    let calls = report["calls"].as_u64().unwrap();
    assert!(calls > 0, "{report}");
    assert_eq!(report["ok"].as_u64(), Some(calls), "{report}");
    assert_eq!(report["errors"], serde_json::json!({}));
    let p50 = report["latency_us"]["p50"].as_u64().unwrap();
    let max = report["latency_us"]["max"].as_u64().unwrap();
    assert!(0 < p50 && p50 <= max, "{report}");

    // Lookups with no code sets loaded, open loop at 200 a second: every
    // call is counted, the missing codes as NotFound, by status code.
    let mut out = Vec::new();
    run(args("lookup", ports[0], data.path(), Some(200)), &mut out)
        .await
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.path().join("lookup.json")).unwrap()).unwrap();
    assert_eq!(report["mode"], "open(200/s)");
    let calls = report["calls"].as_u64().unwrap();
    assert!((190..=200).contains(&calls), "{report}");
    let errors = report["errors"].as_object().unwrap();
    let failed: u64 = errors.values().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(report["ok"].as_u64().unwrap() + failed, calls, "{report}");
    assert!(errors.contains_key("NotFound"), "{report}");

    // An unknown scenario is refused by name.
    let err = run(
        args("nonsense", ports[0], data.path(), None),
        &mut Vec::new(),
    )
    .await
    .unwrap_err();
    assert!(format!("{err}").contains("nonsense"), "{err}");

    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(20), stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cycle_scenario_carries_encounters_through_to_posted_remittances() {
    let data = tempfile::tempdir().unwrap();
    let (coding, stop, stack) = up(data.path(), true).await;
    let mut cycle = args("cycle", coding, data.path(), None);
    cycle.duration = 3;
    let mut out = Vec::new();
    run(cycle, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    println!("{text}");
    assert!(text.starts_with("cycle closed(4): "), "{text}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.path().join("cycle.json")).unwrap()).unwrap();
    let released = report["encounters_released"].as_u64().unwrap();
    assert!(released > 0, "{report}");
    assert!(
        report["claims_adjudicated"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert!(
        report["remittances_posted"].as_u64().unwrap() > 0,
        "{report}"
    );
    for rpc in [
        "SubmitEncounter",
        "ClaimNextEncounter",
        "SaveCoding",
        "ReleaseEncounter",
        "CreateBatch",
    ] {
        let r = &report["rpcs"][rpc];
        assert!(r["calls"].as_u64().unwrap() > 0, "{rpc}: {report}");
        assert_eq!(r["errors"], serde_json::json!({}), "{rpc}: {report}");
    }
    // A second run on the same stack is refused: it needs a fresh one.
    let err = run(args("cycle", coding, data.path(), None), &mut Vec::new())
        .await
        .unwrap_err();
    assert!(format!("{err}").contains("fresh stack"), "{err}");
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(20), stack).await;
}

/// The report `run` wrote for `scenario` under `data`.
fn json_report(data: &std::path::Path, scenario: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(data.join(format!("{scenario}.json"))).unwrap()).unwrap()
}

/// `message` as a request from a `role` of the stack under `data`.
fn as_role<T>(data: &std::path::Path, role: Role, message: T) -> tonic::Request<T> {
    let caller = Caller {
        token: None,
        data_dir: data.to_path_buf(),
    };
    let bearer = caller.bearer("load-test", role).unwrap();
    medbill::operator::request(message, &bearer).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_claims_scenario_builds_one_claim_per_released_encounter_until_the_pool_runs_out() {
    let data = tempfile::tempdir().unwrap();
    let (coding, stop, stack) = up(data.path(), true).await;
    let mut claims = args("claims", coding, data.path(), None);
    // A pool the run uses up long before its 30 s are over.
    claims.encounters = Some(24);
    claims.duration = 30;
    let mut out = Vec::new();
    run(claims, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    println!("{text}");
    assert!(text.starts_with("claims closed(4): "), "{text}");
    assert!(text.contains("STOPPED EARLY"), "{text}");
    let report = json_report(data.path(), "claims");
    assert_eq!(report["ran_dry"], true, "{report}");
    assert!(report["seconds"].as_f64().unwrap() < 30.0, "{report}");
    assert_eq!(report["setup"]["encounters_released"], 24, "{report}");
    // Every encounter of the pool billed once; no call failed.
    assert_eq!(report["calls"], 24, "{report}");
    assert_eq!(report["rpcs"]["CreateClaim"]["ok"], 24, "{report}");
    assert_eq!(report["errors"], serde_json::json!({}), "{report}");
    assert_eq!(report["check"]["passed"], true, "{report}");
    assert_eq!(report["check"]["claims_listed"], 24, "{report}");

    // Counted again through billing's API: 24 claims, one per encounter,
    // none built by billing by itself before the run.
    let billing_url = format!("http://127.0.0.1:{}", coding + 1);
    let mut claims = billing::claim_service_client::ClaimServiceClient::connect(billing_url)
        .await
        .unwrap();
    let listed = claims
        .list_claims(as_role(
            data.path(),
            Role::Biller,
            billing::ListClaimsRequest {
                page: Some(PageRequest {
                    page_size: 500,
                    page_token: String::new(),
                }),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .claims;
    assert_eq!(listed.len(), 24);
    let encounters: std::collections::BTreeSet<&str> =
        listed.iter().map(|c| c.encounter_id.as_str()).collect();
    assert_eq!(encounters.len(), 24);
    for claim in &listed {
        let history = claims
            .get_claim(as_role(
                data.path(),
                Role::Biller,
                billing::GetClaimRequest {
                    claim_id: claim.claim_id.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .history;
        assert!(
            history.iter().any(|t| t.actor == "biller.bob"),
            "claim {} was not built by the biller: {history:?}",
            claim.claim_id
        );
    }

    // A second run on the same stack is refused: it needs a fresh one.
    let err = run(args("claims", coding, data.path(), None), &mut Vec::new())
        .await
        .unwrap_err();
    assert!(format!("{err}").contains("fresh stack"), "{err}");
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(20), stack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_remit_scenario_posts_every_adjudicated_claim_once_and_the_ledger_balances() {
    let data = tempfile::tempdir().unwrap();
    let (coding, stop, stack) = up(data.path(), true).await;
    let mut remit = args("remit", coding, data.path(), None);
    remit.encounters = Some(30);
    remit.claims_per_remittance = 4;
    remit.duration = 30;
    let mut out = Vec::new();
    run(remit, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    println!("{text}");
    assert!(text.starts_with("remit closed(4): "), "{text}");
    assert!(text.contains("check passed"), "{text}");
    let report = json_report(data.path(), "remit");
    assert_eq!(report["ran_dry"], true, "{report}");
    let adjudicated = report["setup"]["claims_adjudicated"].as_u64().unwrap();
    let files = report["setup"]["remittance_files"].as_u64().unwrap();
    assert!(adjudicated > 0, "{report}");
    // Four claims a file, the last of each payer's 835 fewer.
    let fewest = adjudicated.div_ceil(4);
    assert!((fewest..=fewest + 2).contains(&files), "{report}");
    // Every file posted once, every claim in them matched and posted.
    let ingest = &report["rpcs"]["IngestRemittance"];
    assert_eq!(ingest["ok"].as_u64(), Some(files), "{report}");
    assert_eq!(ingest["errors"], serde_json::json!({}), "{report}");
    assert_eq!(
        report["remittances_posted"].as_u64(),
        Some(files),
        "{report}"
    );
    assert_eq!(
        report["claims_posted"].as_u64(),
        Some(adjudicated),
        "{report}"
    );
    let check = &report["check"];
    assert_eq!(check["passed"], true, "{report}");
    assert_eq!(
        check["claims_posted_once"].as_u64(),
        Some(adjudicated),
        "{report}"
    );
    assert_eq!(check["exceptions"], 0, "{report}");

    // Counted again through payments' API: one remittance per file, all
    // posted, and the ledger in balance.
    let payments_url = format!("http://127.0.0.1:{}", coding + 2);
    let mut remittances =
        payments::remittance_service_client::RemittanceServiceClient::connect(payments_url.clone())
            .await
            .unwrap();
    let listed = remittances
        .list_remittances(as_role(
            data.path(),
            Role::PaymentPoster,
            payments::ListRemittancesRequest {
                statuses: Vec::new(),
                page: Some(PageRequest {
                    page_size: 500,
                    page_token: String::new(),
                }),
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .remittances;
    assert_eq!(listed.len() as u64, files);
    assert!(
        listed
            .iter()
            .all(|r| r.status == payments::RemittanceStatus::Posted as i32),
        "{listed:?}"
    );
    let audit = payments::account_service_client::AccountServiceClient::connect(payments_url)
        .await
        .unwrap()
        .audit_ledger(as_role(
            data.path(),
            Role::Auditor,
            payments::AuditLedgerRequest::default(),
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(audit.claims_checked as u64 >= adjudicated, "{audit:?}");
    assert_eq!(audit.claims_out_of_balance, 0, "{audit:?}");
    assert!(audit.unbalanced_entry_ids.is_empty(), "{audit:?}");
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(20), stack).await;
}
