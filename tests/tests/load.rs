//! `medbill load` against `medbill up` (in-process, no code sets): closed
//! and open loop count every call, report errors by status code, and write
//! the JSON report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::time::Duration;

use futures::FutureExt;
use medbill::load::{LoadArgs, run};
use medbill::operator::Caller;
use medbill::up::UpArgs;
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
