//! The server bootstrap through real gRPC on 127.0.0.1 port 0: graceful
//! shutdown lets an in-flight call finish and ends event-feed streams, the
//! request deadline cuts slow calls, and metrics count calls by RPC and code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use medbill_contracts::medbill::coding::v1::code_set_service_client::CodeSetServiceClient;
use medbill_contracts::medbill::coding::v1::code_set_service_server::{
    CodeSetService, CodeSetServiceServer,
};
use medbill_contracts::medbill::coding::v1::{
    ListCodeSetReleasesRequest, ListCodeSetReleasesResponse,
};
use medbill_contracts::medbill::common::v1::SubscribeRequest;
use medbill_contracts::medbill::common::v1::event_feed_client::EventFeedClient;
use medbill_platform::auth::{Role, RolePolicy};
use medbill_platform::db::Migrations;
use medbill_platform::server::{self, EVENT_FEED, ServeError, ServiceBuilder};
use medbill_platform::testing::{
    RunningService, TestDatabase, authorized, eventually, test_settings,
};
use sqlx::migrate::Migrator;
use tonic::{Code, Request, Response, Status};

static NONE: Migrator = Migrator::DEFAULT;
const PLATFORM_ONLY: Migrations = Migrations {
    sqlite: &NONE,
    postgres: &NONE,
};
const SERVICE: &str = "medbill.coding.v1.CodeSetService";

/// The role table of the test server: coders may call every RPC of
/// [`SERVICE`] (only `ListCodeSetReleases` is implemented), services may
/// subscribe to the feed.
fn policy() -> RolePolicy {
    let methods: Vec<String> = server::rpc_paths(SERVICE)
        .iter()
        .filter_map(|path| path.rsplit('/').next().map(str::to_string))
        .collect();
    let methods: Vec<&str> = methods.iter().map(String::as_str).collect();
    RolePolicy::new()
        .allow(SERVICE, &methods, &[Role::Coder])
        .allow(EVENT_FEED, &["Subscribe"], &[Role::Service])
}

/// The delay of the drain test's call, which only that test uses.
const DRAIN_TEST_TENTHS: u64 = 8;
/// Drain-test calls that reached the handler (so the test knows its call is
/// in flight before it shuts down).
static DRAIN_CALLS_STARTED: AtomicUsize = AtomicUsize::new(0);

/// Answers after the delay the request's `system` field names in 100 ms units.
struct Slow;

#[tonic::async_trait]
impl CodeSetService for Slow {
    async fn list_code_set_releases(
        &self,
        request: Request<ListCodeSetReleasesRequest>,
    ) -> Result<Response<ListCodeSetReleasesResponse>, Status> {
        let tenths = request.get_ref().system as u64;
        if tenths == DRAIN_TEST_TENTHS {
            DRAIN_CALLS_STARTED.fetch_add(1, Ordering::SeqCst);
        }
        tokio::time::sleep(Duration::from_millis(100 * tenths)).await;
        Ok(Response::new(ListCodeSetReleasesResponse::default()))
    }
}

async fn start(test_db: &TestDatabase, timeout: Duration) -> RunningService {
    let db = test_db.connect(PLATFORM_ONLY).await;
    RunningService::start(move |listener, mut settings, shutdown| {
        settings.request_timeout = timeout;
        settings.metrics_listen = None;
        ServiceBuilder::new("test", policy(), settings)
            .add_service(CodeSetServiceServer::new(Slow))
            .serve(listener, db, shutdown)
    })
    .await
}

fn slow_request(tenths: i32) -> Request<ListCodeSetReleasesRequest> {
    authorized(
        ListCodeSetReleasesRequest { system: tenths },
        "ann",
        &[Role::Coder],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_an_in_flight_call_finish_and_ends_feed_streams() {
    let test_db = TestDatabase::sqlite();
    let service = start(&test_db, Duration::from_secs(30)).await;
    let channel = service.channel().await;

    // An open event-feed stream must not hold the shutdown up.
    let mut feed = EventFeedClient::new(channel.clone());
    let mut stream = feed
        .subscribe(authorized(
            SubscribeRequest::default(),
            "billing",
            &[Role::Service],
        ))
        .await
        .unwrap()
        .into_inner();

    let mut client = CodeSetServiceClient::new(channel);
    let in_flight = tokio::spawn(async move {
        client
            .list_code_set_releases(slow_request(DRAIN_TEST_TENTHS as i32))
            .await
    });
    eventually("the slow call to reach its handler", || async {
        (DRAIN_CALLS_STARTED.load(Ordering::SeqCst) > 0).then_some(())
    })
    .await;

    let started = Instant::now();
    service.stop().await;
    let stopped_after = started.elapsed();

    let answer = in_flight.await.unwrap();
    assert!(answer.is_ok(), "in-flight call was cut: {answer:?}");
    assert!(
        stopped_after < Duration::from_secs(4),
        "shutdown waited {stopped_after:?} (the drain limit is 5 s)"
    );
    // The feed stream ended cleanly rather than hanging.
    let end = tokio::time::timeout(Duration::from_secs(2), stream.message()).await;
    assert!(matches!(end, Ok(Ok(None)) | Ok(Err(_))), "{end:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_slower_than_the_request_deadline_is_cut_off() {
    let test_db = TestDatabase::sqlite();
    let service = start(&test_db, Duration::from_millis(300)).await;
    let mut client = CodeSetServiceClient::new(service.channel().await);
    let quick = client.list_code_set_releases(slow_request(1)).await;
    assert!(quick.is_ok(), "{quick:?}");
    let status = client
        .list_code_set_releases(slow_request(10))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    // (A client's own shorter grpc-timeout is also enforced by tonic's client,
    // which races the server to report it, so that case is covered by the
    // header-parsing unit tests in `layer` rather than here.)
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_calls_by_rpc_and_status_code() {
    let test_db = TestDatabase::sqlite();
    let db = test_db.connect(PLATFORM_ONLY).await;
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let service = RunningService::start(move |listener, mut settings, shutdown| {
        settings.metrics_listen = Some(format!("127.0.0.1:{metrics_port}").parse().unwrap());
        ServiceBuilder::new("test", policy(), settings)
            .add_service(CodeSetServiceServer::new(Slow))
            .serve(listener, db, shutdown)
    })
    .await;
    let mut client = CodeSetServiceClient::new(service.channel().await);
    client
        .list_code_set_releases(slow_request(0))
        .await
        .unwrap();
    client
        .list_code_set_releases(slow_request(0))
        .await
        .unwrap();
    let denied = client
        .list_code_set_releases(authorized(
            ListCodeSetReleasesRequest::default(),
            "bob",
            &[Role::Biller],
        ))
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);

    let body = http_get(metrics_port, "/metrics").await;
    let rpc = format!("rpc=\"/{SERVICE}/ListCodeSetReleases\"");
    assert!(body.contains(&format!("{rpc},code=\"OK\"}} 2")), "{body}");
    assert!(
        body.contains(&format!("{rpc},code=\"PERMISSION_DENIED\"}} 1")),
        "{body}"
    );
    assert!(
        body.contains("medbill_grpc_request_duration_seconds_bucket"),
        "{body}"
    );
    service.stop().await;
}

/// A minimal HTTP/1.0 GET, enough for the metrics endpoint.
async fn http_get(port: u16, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).await.unwrap();
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_to_start_when_an_rpc_has_no_rule_or_a_rule_names_no_rpc() {
    let test_db = TestDatabase::sqlite();
    let db = test_db.connect(PLATFORM_ONLY).await;

    // GetCode and the rest of the service have no rule.
    let partial = RolePolicy::new()
        .allow(SERVICE, &["ListCodeSetReleases"], &[Role::Coder])
        .allow(EVENT_FEED, &["Subscribe"], &[Role::Service]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let err = ServiceBuilder::new("test", partial, test_settings())
        .add_service(CodeSetServiceServer::new(Slow))
        .serve(listener, db.clone(), std::future::pending())
        .await
        .unwrap_err();
    let ServeError::RolePolicy { service, gaps } = &err else {
        panic!("expected a role-policy error, got {err}");
    };
    assert_eq!(*service, "test");
    assert!(
        gaps.contains(&format!("no role may call /{SERVICE}/GetCode")),
        "{gaps:#?}"
    );
    // It refused before serving: nothing listens any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    // A rule for an RPC the contracts do not have (a typo) is a gap too.
    let typo = policy().allow(SERVICE, &["GetCodes"], &[Role::Coder]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = ServiceBuilder::new("test", typo, test_settings())
        .add_service(CodeSetServiceServer::new(Slow))
        .serve(listener, db, std::future::pending())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("rule for unknown RPC /{SERVICE}/GetCodes")),
        "{err}"
    );
}
