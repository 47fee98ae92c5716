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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn medbill_up_serves_all_three_services_within_ten_seconds() {
    let data = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port(), free_port()];
    let args = UpArgs {
        data_dir: data.path().to_path_buf(),
        host: "127.0.0.1".parse().unwrap(),
        coding_port: ports[0],
        billing_port: ports[1],
        payments_port: ports[2],
        metrics: false,
        codesets_dir: data.path().join("codesets"),
        no_codesets: true,
        server: ServerArgs {
            request_timeout_secs: 30,
            max_message_bytes: 64 * 1024 * 1024,
            drain_secs: 5,
            log_format: LogFormat::Pretty,
        },
    };
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
    assert_eq!(call(ports[1], token("biller")).await, Code::Unimplemented);
    assert_eq!(call(ports[1], token("coder")).await, Code::PermissionDenied);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), stack)
        .await
        .expect("stack did not stop within 10 s")
        .unwrap()
        .unwrap();
}
