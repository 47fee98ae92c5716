//! Per-call overhead of the platform stack.
//!
//! Runs the same trivial handler (an in-memory `ListCodeSetReleases`) behind
//! (a) a bare tonic server and (b) the full medbill platform stack: JWT
//! authentication, the role check, the tracing span, Prometheus metrics and
//! the request deadline. The same client (tonic, with a bearer token, 64 calls
//! in flight over 4 connections) drives each for a fixed time, alternating
//! bare / platform twice; it prints requests per second and the process CPU
//! time per call (client and server share the process, so the difference
//! between the two is the platform's own cost).
//!
//! `cargo bench -p medbill-platform --bench overhead` (optionally
//! `-- SECONDS`, default 5 per run).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use medbill_contracts::medbill::coding::v1::code_set_service_client::CodeSetServiceClient;
use medbill_contracts::medbill::coding::v1::code_set_service_server::{
    CodeSetService, CodeSetServiceServer,
};
use medbill_contracts::medbill::coding::v1::{
    CodeSetRelease, ListCodeSetReleasesRequest, ListCodeSetReleasesResponse,
};
use medbill_platform::auth::{Role, RolePolicy};
use medbill_platform::config::ServerSettings;
use medbill_platform::db::{Database, Migrations};
use medbill_platform::server::{self, ServiceBuilder};
use medbill_platform::telemetry::{self, LogFormat};
use medbill_platform::testing::{TestDatabase, bearer, test_auth};
use tokio::net::TcpListener;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Request, Response, Status};

const CONNECTIONS: usize = 4;
const IN_FLIGHT_PER_CONNECTION: usize = 16;

/// The trivial handler both servers run.
#[derive(Clone)]
struct Trivial;

#[tonic::async_trait]
impl CodeSetService for Trivial {
    async fn list_code_set_releases(
        &self,
        _request: Request<ListCodeSetReleasesRequest>,
    ) -> Result<Response<ListCodeSetReleasesResponse>, Status> {
        Ok(Response::new(ListCodeSetReleasesResponse {
            releases: vec![CodeSetRelease {
                release_id: "bench".into(),
                name: "FY2026".into(),
                ..Default::default()
            }],
        }))
    }
}

async fn start_bare() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tokio::spawn(
        Server::builder()
            .add_service(CodeSetServiceServer::new(Trivial))
            .serve_with_incoming(incoming),
    );
    format!("http://{addr}")
}

async fn start_platform(db: Database) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = "medbill.coding.v1.CodeSetService";
    let methods: Vec<String> = server::rpc_paths(service)
        .iter()
        .filter_map(|path| path.rsplit('/').next().map(str::to_string))
        .collect();
    let methods: Vec<&str> = methods.iter().map(String::as_str).collect();
    let policy = RolePolicy::new()
        .allow(service, &methods, &[Role::Coder])
        .allow(server::EVENT_FEED, &["Subscribe"], &[Role::Service]);
    let settings = ServerSettings::with_auth(test_auth());
    tokio::spawn(
        ServiceBuilder::new("bench", policy, settings)
            .add_service(CodeSetServiceServer::new(Trivial))
            .serve(listener, db, std::future::pending()),
    );
    format!("http://{addr}")
}

/// Process CPU time (user + system) from /proc, in microseconds.
fn cpu_micros() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat: 12 and 13 after ')'.
    (ticks(11) + ticks(12)) * 10_000 // USER_HZ is 100 on Linux
}

struct Run {
    calls: u64,
    elapsed: Duration,
    cpu: Duration,
}

async fn drive(url: &str, seconds: u64) -> Run {
    let token: tonic::metadata::MetadataValue<_> = bearer("bench", &[Role::Coder]).parse().unwrap();
    let mut channels: Vec<Channel> = Vec::new();
    for _ in 0..CONNECTIONS {
        channels.push(
            Endpoint::from_shared(url.to_string())
                .unwrap()
                .tcp_nodelay(true)
                .connect()
                .await
                .unwrap(),
        );
    }
    // Warm up connections and caches.
    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicU64::new(0));
    let counting = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for channel in &channels {
        for _ in 0..IN_FLIGHT_PER_CONNECTION {
            let mut client = CodeSetServiceClient::new(channel.clone());
            let token = token.clone();
            let stop = stop.clone();
            let calls = calls.clone();
            let counting = counting.clone();
            tasks.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let mut request = Request::new(ListCodeSetReleasesRequest::default());
                    request
                        .metadata_mut()
                        .insert("authorization", token.clone());
                    client.list_code_set_releases(request).await.unwrap();
                    if counting.load(Ordering::Relaxed) {
                        calls.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let cpu_start = cpu_micros();
    let start = Instant::now();
    counting.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    counting.store(false, Ordering::Relaxed);
    let elapsed = start.elapsed();
    let cpu = Duration::from_micros(cpu_micros() - cpu_start);
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    Run {
        calls: calls.load(Ordering::Relaxed),
        elapsed,
        cpu,
    }
}

fn report(label: &str, run: &Run) -> (f64, f64) {
    let rps = run.calls as f64 / run.elapsed.as_secs_f64();
    let cpu_us = run.cpu.as_secs_f64() * 1e6 / run.calls as f64;
    println!(
        "{label:<9} {:>9} calls in {:>5.2} s = {rps:>9.0} req/s, CPU {cpu_us:>6.1} µs/call",
        run.calls,
        run.elapsed.as_secs_f64()
    );
    (rps, cpu_us)
}

fn main() {
    let seconds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Production logging: info level, so the per-call span is enabled.
        telemetry::init(LogFormat::Json);
        static NONE: sqlx::migrate::Migrator = sqlx::migrate::Migrator::DEFAULT;
        let test_db = TestDatabase::sqlite();
        let db = test_db
            .connect(Migrations {
                sqlite: &NONE,
                postgres: &NONE,
            })
            .await;
        let bare = start_bare().await;
        let platform = start_platform(db).await;
        println!(
            "trivial unary RPC, {CONNECTIONS} connections x {IN_FLIGHT_PER_CONNECTION} in flight, {seconds} s per run, {} cores",
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
        );
        let mut bare_rps = Vec::new();
        let mut platform_rps = Vec::new();
        let mut bare_cpu = Vec::new();
        let mut platform_cpu = Vec::new();
        for _ in 0..2 {
            let (rps, cpu) = report("bare", &drive(&bare, seconds).await);
            bare_rps.push(rps);
            bare_cpu.push(cpu);
            let (rps, cpu) = report("platform", &drive(&platform, seconds).await);
            platform_rps.push(rps);
            platform_cpu.push(cpu);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        println!(
            "platform keeps {:.1}% of bare req/s; CPU per call +{:.1} µs over bare",
            100.0 * mean(&platform_rps) / mean(&bare_rps),
            mean(&platform_cpu) - mean(&bare_cpu)
        );
    });
}
