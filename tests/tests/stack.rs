//! `medbill up` end to end: the three services start in one process on
//! embedded databases, answer health checks within ten seconds, list their
//! own APIs through reflection, and accept tokens signed with the development
//! secret they created.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::time::{Duration, Instant};

use futures::FutureExt;
use medbill::up::UpArgs;
use medbill_contracts::medbill::billing::v1::GetClaimRequest;
use medbill_contracts::medbill::billing::v1::claim_service_client::ClaimServiceClient;
use medbill_platform::config::ServerArgs;
use medbill_platform::telemetry::LogFormat;
use medbill_platform::testing::{health_status, reflected_services};
use tonic::Code;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_check_response::ServingStatus;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn connect(port: u16) -> Option<Channel> {
    Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
        .unwrap()
        .connect_timeout(Duration::from_millis(200))
        .connect()
        .await
        .ok()
}

fn up_args(data: &std::path::Path, ports: [u16; 3], metrics: bool) -> UpArgs {
    UpArgs {
        data_dir: data.to_path_buf(),
        host: "127.0.0.1".parse().unwrap(),
        coding_port: ports[0],
        billing_port: ports[1],
        payments_port: ports[2],
        metrics,
        codesets_dir: data.join("codesets"),
        no_codesets: true,
        clearinghouse_dir: None,
        server: ServerArgs {
            request_timeout_secs: 30,
            max_message_bytes: 64 * 1024 * 1024,
            drain_secs: 5,
            log_format: LogFormat::Pretty,
            time_zone: Some("America/New_York".into()),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failing_service_stops_the_stack_with_its_error() {
    let data = tempfile::tempdir().unwrap();
    // Ports whose metrics port (+1000) is free for coding and payments but
    // taken for billing, which therefore fails once it starts serving.
    let (ports, _taken) = loop {
        let ports = [free_port(), free_port(), free_port()];
        if ports.iter().any(|p| *p > u16::MAX - 1000) {
            continue;
        }
        if let Ok(taken) = TcpListener::bind(("127.0.0.1", ports[1] + 1000)) {
            break (ports, taken);
        }
    };
    let stack = medbill::up::run(
        up_args(data.path(), ports, true),
        std::future::pending().boxed(),
    );
    let err = tokio::time::timeout(Duration::from_secs(20), stack)
        .await
        .expect("the stack kept running with a failed service")
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("billing"), "{message}");
    assert!(message.contains("metrics"), "{message}");
    // The others were stopped: their ports are free again.
    for port in [ports[0], ports[2]] {
        assert!(connect(port).await.is_none(), "port {port} still serving");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn medbill_up_serves_all_three_services_within_ten_seconds() {
    let data = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port(), free_port()];
    let args = up_args(data.path(), ports, false);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let started = Instant::now();
    let stack = tokio::spawn(medbill::up::run(
        args,
        async move {
            let _ = stopped.await;
        }
        .boxed(),
    ));

    let packages = [
        ("medbill.coding.v1.", "medbill.coding.v1.EncounterService"),
        ("medbill.billing.v1.", "medbill.billing.v1.ClaimService"),
        (
            "medbill.payments.v1.",
            "medbill.payments.v1.RemittanceService",
        ),
    ];
    for (port, (package, service)) in ports.iter().zip(packages) {
        let serving = loop {
            if let Some(channel) = connect(*port).await
                && let Ok(status) = health_status(channel, service).await
            {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{service} not serving on port {port} within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(serving, ServingStatus::Serving, "{service}");
        let listed = reflected_services(connect(*port).await.unwrap()).await;
        assert!(
            listed.iter().any(|s| s.starts_with(package)),
            "reflection on port {port} lists {listed:?}"
        );
    }
    println!("all three services SERVING after {:?}", started.elapsed());
    assert!(data.path().join("dev-jwt-secret").exists());
    for db in ["coding.db", "billing.db", "payments.db"] {
        assert!(data.path().join(db).exists(), "{db} missing");
    }

    // A token from `medbill token` passes the role check on every service;
    // a token of the wrong role does not.
    let token = |role: &str| {
        medbill::token::issue(&medbill::token::TokenArgs {
            roles: vec![role.parse().unwrap()],
            subject: "e2e".into(),
            data_dir: data.path().to_path_buf(),
            ttl_hours: 1,
        })
        .unwrap()
    };
    let call = |port: u16, token: String| async move {
        let channel = connect(port).await.unwrap();
        let mut client = ClaimServiceClient::new(channel);
        let mut request = tonic::Request::new(GetClaimRequest {
            claim_id: "0190d9a0-0000-7000-8000-000000000001".into(),
        });
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        client.get_claim(request).await.unwrap_err().code()
    };
    assert_eq!(call(ports[1], token("biller")).await, Code::NotFound);
    assert_eq!(call(ports[1], token("coder")).await, Code::PermissionDenied);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), stack)
        .await
        .expect("stack did not stop within 10 s")
        .unwrap()
        .unwrap();
}
