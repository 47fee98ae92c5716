//! The test harness (feature `testing`): a fresh database per test on SQLite
//! or PostgreSQL, a macro that runs one test body on both, tokens for any
//! role, a service started on 127.0.0.1 port 0 ([`start`]) with a pinned
//! clock, a fake event feed that stands in for a peer service
//! ([`FakeFeed`]), waiting on a condition with a deadline ([`eventually`]),
//! and the check that a service enforces its role table on every RPC
//! ([`assert_role_table_enforced`]).
//!
//! PostgreSQL tests create a database named `medbill_test_<uuid>` on the
//! server at `MEDBILL_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and drop it afterwards.
//! When that server cannot be reached, the test prints a loud SKIPPED line and
//! passes — except with `CI=true`, where it fails.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use sqlx::Executor;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tonic::transport::{Channel, Endpoint};

use crate::auth::{Authenticator, Role, RolePolicy};
use crate::clock::Clock;
use crate::config::ServerSettings;
use crate::db::{Backend, Database, Migrations};
use crate::peers::{Peer, TokenSource};
use crate::server::{EVENT_FEED, ServiceBuilder};

/// The HS256 secret every test server and token uses.
pub const TEST_SECRET: &[u8] = b"medbill-test-secret-0123456789abcdef";

/// The instant every test server's clock reads: 2026-11-30 12:00 in New
/// York. Tests date their data before it, so none depends on the day it
/// runs.
pub const TEST_NOW: &str = "2026-11-30T17:00:00Z";

/// The time zone of every test server's clock.
pub const TEST_TIME_ZONE: &str = "America/New_York";

/// The default PostgreSQL server for tests.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The authenticator matching [`TEST_SECRET`].
pub fn test_auth() -> Authenticator {
    match Authenticator::hs256(TEST_SECRET) {
        Ok(auth) => auth,
        Err(e) => panic!("test secret rejected: {e}"),
    }
}

/// A `Bearer …` header value for `subject` with `roles`.
pub fn bearer(subject: &str, roles: &[Role]) -> String {
    match test_auth().issue(subject, roles, Duration::from_secs(3600)) {
        Ok(token) => format!("Bearer {token}"),
        Err(e) => panic!("cannot issue test token: {e}"),
    }
}

/// Adds `authorization` for `subject`/`roles` to a request.
pub fn authorized<T>(message: T, subject: &str, roles: &[Role]) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let value = bearer(subject, roles)
        .parse()
        .unwrap_or_else(|_| panic!("token is not valid metadata"));
    request.metadata_mut().insert("authorization", value);
    request
}

/// The settings every test server runs with: the test secret, a 5 s drain,
/// and a clock stopped at [`TEST_NOW`] in [`TEST_TIME_ZONE`].
pub fn test_settings() -> ServerSettings {
    let mut settings = ServerSettings::with_auth(test_auth());
    settings.drain = Duration::from_secs(5);
    let now = medbill_kernel::Timestamp::parse(TEST_NOW)
        .unwrap_or_else(|| panic!("TEST_NOW is not an instant"));
    settings.clock =
        Clock::fixed(now, TEST_TIME_ZONE).unwrap_or_else(|e| panic!("test clock: {e}"));
    settings
}

/// A token source issuing `service` tokens for `subject` with the test
/// secret (what a service under test calls its peers with).
pub fn service_tokens(subject: &'static str) -> TokenSource {
    crate::peers::service_tokens(test_auth(), subject, None)
}

/// A database that exists for one test.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    /// Which engine.
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    admin_url: Option<String>,
    name: Option<String>,
}

impl TestDatabase {
    /// A new SQLite file in a temporary directory.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create temp dir: {e}"));
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        TestDatabase {
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
            admin_url: None,
            name: None,
        }
    }

    /// A new PostgreSQL database, or `None` (after printing SKIPPED) when the
    /// server is unreachable outside CI. Panics in CI when unreachable.
    pub async fn postgres() -> Option<TestDatabase> {
        let admin_url = std::env::var("MEDBILL_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
        let admin = match Database::connect_without_migrating(&admin_url).await {
            Ok(db) => db,
            Err(e) => {
                let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
                if ci {
                    panic!("PostgreSQL is required in CI but unreachable at {admin_url}: {e}");
                }
                eprintln!(
                    "\n*** SKIPPED (PostgreSQL): cannot reach {admin_url}: {e}\n*** \
                     start PostgreSQL or set MEDBILL_TEST_POSTGRES_URL; CI=true makes this a failure\n"
                );
                return None;
            }
        };
        let name = format!("medbill_test_{}", uuid_simple());
        let create = format!("CREATE DATABASE {name}");
        if let Err(e) = admin.pool().execute(create.as_str()).await {
            panic!("cannot create test database {name}: {e}");
        }
        admin.close().await;
        let url = replace_database(&admin_url, &name);
        Some(TestDatabase {
            url,
            backend: Backend::Postgres,
            _dir: None,
            admin_url: Some(admin_url),
            name: Some(name),
        })
    }

    /// Another fresh database on the same backend (a second service's).
    pub async fn sibling(&self) -> TestDatabase {
        match self.backend {
            Backend::Sqlite => TestDatabase::sqlite(),
            Backend::Postgres => match TestDatabase::postgres().await {
                Some(db) => db,
                None => panic!("PostgreSQL went away during the test"),
            },
        }
    }

    /// Opens and migrates the database with a service's migrations.
    pub async fn connect(&self, migrations: Migrations) -> Database {
        match Database::connect(&self.url, migrations).await {
            Ok(db) => db,
            Err(e) => panic!("cannot open test database: {e}"),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (Some(admin_url), Some(name)) = (self.admin_url.take(), self.name.take()) else {
            return;
        };
        // Drop runs inside the test's runtime: use a thread with its own.
        let handle = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect_without_migrating(&admin_url).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(e) = admin.pool().execute(drop.as_str()).await {
                        eprintln!("warning: could not drop test database {name}: {e}");
                    }
                    admin.close().await;
                }
            });
        });
        let _ = handle.join();
    }
}

fn uuid_simple() -> String {
    medbill_kernel::ids::new_uuid_v7().replace('-', "")
}

/// The same server URL with another database name.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Runs a test body once per backend: `backend_tests!(name, |db: TestDatabase| async move { … });`
/// expands to a module `name` with tests `sqlite` and `postgres`.
#[macro_export]
macro_rules! backend_tests {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let db = $crate::testing::TestDatabase::sqlite();
                ($body)(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDatabase::postgres().await {
                    ($body)(db).await;
                }
            }
        }
    };
}

/// A service running on 127.0.0.1 on a free port; stops when dropped.
pub struct RunningService {
    /// Where it listens.
    pub addr: SocketAddr,
    db: Option<Database>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Starts a service over `test_db` (migrated with `migrations`) on
/// 127.0.0.1:0 with [`test_settings`]: `serve(listener, db, settings,
/// shutdown)` is the service's own `serve` with its peers filled in.
pub async fn start<F, Fut, E>(
    test_db: &TestDatabase,
    migrations: Migrations,
    serve: F,
) -> RunningService
where
    F: FnOnce(
        TcpListener,
        Database,
        ServerSettings,
        futures::future::BoxFuture<'static, ()>,
    ) -> Fut,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display,
{
    start_on(test_db.connect(migrations).await, serve).await
}

/// Like [`start`], over a database the test has already opened (and
/// seeded).
pub async fn start_on<F, Fut, E>(db: Database, serve: F) -> RunningService
where
    F: FnOnce(
        TcpListener,
        Database,
        ServerSettings,
        futures::future::BoxFuture<'static, ()>,
    ) -> Fut,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Display,
{
    let serve_db = db.clone();
    let mut service = RunningService::start(move |listener, settings, shutdown| {
        serve(listener, serve_db, settings, shutdown)
    })
    .await;
    service.db = Some(db);
    service
}

impl RunningService {
    /// Starts `serve(listener, settings, shutdown)` on 127.0.0.1:0.
    pub async fn start<F, Fut, E>(serve: F) -> RunningService
    where
        F: FnOnce(TcpListener, ServerSettings, futures::future::BoxFuture<'static, ()>) -> Fut,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: std::fmt::Display,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("cannot bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("no local addr: {e}"));
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = Box::pin(async move {
            let _ = stopped.await;
        });
        let fut = serve(listener, test_settings(), shutdown);
        let task = tokio::spawn(async move {
            if let Err(e) = fut.await {
                panic!("service failed: {e}");
            }
        });
        RunningService {
            addr,
            db: None,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The service's database (started with [`start`]).
    pub fn db(&self) -> &Database {
        match &self.db {
            Some(db) => db,
            None => panic!("this service was not started with testing::start"),
        }
    }

    /// This service as a peer of another, called with `service` tokens for
    /// `subject`.
    pub fn peer(&self, name: &'static str, subject: &'static str) -> Peer {
        Peer::new(
            name,
            &format!("http://{}", self.addr),
            service_tokens(subject),
        )
        .unwrap_or_else(|e| panic!("peer: {e}"))
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::from_shared(format!("http://{}", self.addr))
            .unwrap_or_else(|e| panic!("bad endpoint: {e}"))
    }

    /// A connected channel.
    pub async fn channel(&self) -> Channel {
        self.endpoint()
            .connect()
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.addr))
    }

    /// Signals shutdown and waits for the server to finish draining.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningService {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Waits until `check` gives `Some`, polling every 25 ms, and returns it;
/// panics naming `what` when 20 s pass first. Tests wait on conditions this
/// way, never on a fixed sleep.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("gave up after 20 s waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Stands in for a peer service's event feed: an outbox in a database of its
/// own, served by the platform's feed, that the test publishes to.
pub struct FakeFeed {
    service: RunningService,
    _test_db: TestDatabase,
}

impl FakeFeed {
    /// A feed on the same backend as `like`, serving `service` subscribers.
    pub async fn start(like: &TestDatabase) -> FakeFeed {
        static NONE: sqlx::migrate::Migrator = sqlx::migrate::Migrator::DEFAULT;
        let test_db = like.sibling().await;
        let migrations = Migrations {
            sqlite: &NONE,
            postgres: &NONE,
        };
        let service = start(&test_db, migrations, |listener, db, settings, shutdown| {
            let policy = RolePolicy::new().allow(EVENT_FEED, &["Subscribe"], &[Role::Service]);
            ServiceBuilder::new("fake-feed", policy, settings).serve(listener, db, shutdown)
        })
        .await;
        FakeFeed {
            service,
            _test_db: test_db,
        }
    }

    /// Publishes `message` about `aggregate_id` as one committed event;
    /// returns its sequence number.
    pub async fn publish<M: prost::Message + prost::Name>(
        &self,
        aggregate_id: &str,
        message: &M,
    ) -> u64 {
        let event = crate::outbox::NewEvent::of(aggregate_id.to_string(), message);
        let mut tx = self
            .service
            .db()
            .begin()
            .await
            .unwrap_or_else(|e| panic!("fake feed: {e}"));
        let sequences = crate::outbox::publish(&mut tx, &[event])
            .await
            .unwrap_or_else(|e| panic!("fake feed: {e}"));
        tx.commit()
            .await
            .unwrap_or_else(|e| panic!("fake feed: {e}"));
        sequences
            .first()
            .copied()
            .unwrap_or_else(|| panic!("fake feed: no sequence"))
    }

    /// The feed as the peer `name` of the service under test.
    pub fn peer(&self, name: &'static str, subject: &'static str) -> Peer {
        self.service.peer(name, subject)
    }
}

/// Checks that the service at `channel` enforces `policy` on every RPC of
/// `services` and of the event feed: no token is UNAUTHENTICATED, a role the
/// table does not allow is PERMISSION_DENIED, and an allowed role passes the
/// check (whatever the RPC then answers to an empty request). One check for
/// every service's role table, driven by the contracts' descriptor set.
pub async fn assert_role_table_enforced(channel: Channel, policy: &RolePolicy, services: &[&str]) {
    let mut methods = crate::server::rpc_methods(EVENT_FEED);
    for service in services {
        methods.extend(crate::server::rpc_methods(service));
    }
    assert!(!methods.is_empty(), "no RPCs found for {services:?}");
    for (path, streaming) in methods {
        let allowed = policy
            .roles_for(&path)
            .unwrap_or_else(|| panic!("{path} has no rule in the role table"));
        let denied: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| !allowed.contains(r))
            .collect();
        let code = raw_call(channel.clone(), &path, streaming, None).await;
        assert_eq!(
            code,
            Some(tonic::Code::Unauthenticated),
            "{path} without a token"
        );
        if let Some(role) = denied.first() {
            let code = raw_call(channel.clone(), &path, streaming, Some(*role)).await;
            assert_eq!(
                code,
                Some(tonic::Code::PermissionDenied),
                "{path} as {}",
                role.as_str()
            );
        }
        for role in allowed {
            let code = raw_call(channel.clone(), &path, streaming, Some(*role)).await;
            assert!(
                !matches!(
                    code,
                    Some(tonic::Code::Unauthenticated | tonic::Code::PermissionDenied)
                ),
                "{path} as allowed role {} answered {code:?}",
                role.as_str()
            );
        }
    }
}

/// Calls `path` with an empty message (a valid encoding of every proto3
/// request); the status code, or `None` when it succeeded.
async fn raw_call(
    channel: Channel,
    path: &str,
    streaming: bool,
    role: Option<Role>,
) -> Option<tonic::Code> {
    let mut grpc = tonic::client::Grpc::new(channel);
    if let Err(e) = grpc.ready().await {
        panic!("channel not ready: {e}");
    }
    let mut request = tonic::Request::new(());
    if let Some(role) = role {
        let value = bearer("role-check", &[role])
            .parse()
            .unwrap_or_else(|_| panic!("token is not valid metadata"));
        request.metadata_mut().insert("authorization", value);
    }
    let path: http::uri::PathAndQuery = path.parse().unwrap_or_else(|_| panic!("bad path {path}"));
    let codec = tonic_prost::ProstCodec::<(), ()>::default();
    let result = if streaming {
        grpc.server_streaming(request, path, codec)
            .await
            .map(|_| ())
    } else {
        grpc.unary(request, path, codec).await.map(|_| ())
    };
    result.err().map(|status| status.code())
}

/// Checks that the service at `channel` reports each of `services` SERVING
/// on grpc.health.v1, and that server reflection, in both v1 and v1alpha,
/// lists exactly those services and the event feed.
pub async fn assert_health_and_reflection(channel: Channel, services: &[&str]) {
    for name in services {
        let status = health_status(channel.clone(), name)
            .await
            .unwrap_or_else(|e| panic!("health check of {name}: {e}"));
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving,
            "{name}"
        );
    }
    let mut expected: Vec<String> = services.iter().map(|s| s.to_string()).collect();
    expected.push(EVENT_FEED.to_string());
    expected.sort();
    assert_eq!(
        reflected_services(channel.clone()).await,
        expected,
        "reflection v1"
    );
    assert_eq!(
        reflected_services_v1alpha(channel).await,
        expected,
        "reflection v1alpha"
    );
}

/// Asks `grpc.health.v1.Health/Check` for `service` at `channel`.
pub async fn health_status(
    channel: Channel,
    service: &str,
) -> Result<tonic_health::pb::health_check_response::ServingStatus, tonic::Status> {
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
    let response = client
        .check(tonic_health::pb::HealthCheckRequest {
            service: service.to_string(),
        })
        .await?
        .into_inner();
    Ok(response.status())
}

/// The body of a reflection `ListServices` call in one protocol version
/// (`v1` or `v1alpha`: the same messages in two packages).
macro_rules! list_services {
    ($version:ident, $channel:expr) => {{
        use tonic_reflection::pb::$version::ServerReflectionRequest;
        use tonic_reflection::pb::$version::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::$version::server_reflection_request::MessageRequest;
        use tonic_reflection::pb::$version::server_reflection_response::MessageResponse;

        let mut client = ServerReflectionClient::new($channel);
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut stream = match client
            .server_reflection_info(tokio_stream::once(request))
            .await
        {
            Ok(response) => response.into_inner(),
            Err(e) => panic!("{} reflection call failed: {e}", stringify!($version)),
        };
        let mut names = Vec::new();
        while let Ok(Some(message)) = stream.message().await {
            if let Some(MessageResponse::ListServicesResponse(list)) = message.message_response {
                names.extend(list.service.into_iter().map(|s| s.name));
            }
        }
        names.sort();
        names
    }};
}

/// The service names server reflection v1alpha (what older grpcurl,
/// grpcui, Postman and Kreya speak) lists at `channel`.
pub async fn reflected_services_v1alpha(channel: Channel) -> Vec<String> {
    list_services!(v1alpha, channel)
}

/// The service names server reflection v1 lists at `channel`.
pub async fn reflected_services(channel: Channel) -> Vec<String> {
    list_services!(v1, channel)
}

/// The text `pdftotext` (Debian's poppler-utils) reads from `pdf`, laid out
/// as on the page; `None` (after printing SKIPPED) when the tool is missing
/// outside CI. With `CI=true` a missing tool fails the test.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("pdftotext (poppler-utils) is required in CI");
            }
            eprintln!("\n*** SKIPPED (PDF text): pdftotext missing; install poppler-utils\n");
            return None;
        }
        Err(e) => panic!("cannot run pdftotext: {e}"),
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(pdf)
            .unwrap_or_else(|e| panic!("cannot write to pdftotext: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("pdftotext did not finish: {e}"));
    assert!(out.status.success(), "pdftotext failed");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_keeping_the_query() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://u@h/db?sslmode=disable", "y"),
            "postgres://u@h/y?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://u@h:5432", "z"),
            "postgres://u@h:5432/z"
        );
    }
}
