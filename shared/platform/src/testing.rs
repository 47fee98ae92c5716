//! The test harness (feature `testing`): a fresh database per test on SQLite
//! or PostgreSQL, a macro that runs one test body on both, tokens for any
//! role, and a service started on 127.0.0.1 port 0.
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

use crate::auth::{Authenticator, Role};
use crate::config::ServerSettings;
use crate::db::{Backend, Database, Migrations};

/// The HS256 secret every test server and token uses.
pub const TEST_SECRET: &[u8] = b"medbill-test-secret-0123456789abcdef";

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
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
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
        let mut settings = ServerSettings::with_auth(test_auth());
        settings.drain = Duration::from_secs(5);
        let fut = serve(listener, settings, shutdown);
        let task = tokio::spawn(async move {
            if let Err(e) = fut.await {
                panic!("service failed: {e}");
            }
        });
        RunningService {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
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

/// The service names server reflection lists at `channel`.
pub async fn reflected_services(channel: Channel) -> Vec<String> {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let mut client = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut stream = match client
        .server_reflection_info(tokio_stream::once(request))
        .await
    {
        Ok(response) => response.into_inner(),
        Err(e) => panic!("reflection call failed: {e}"),
    };
    let mut names = Vec::new();
    while let Ok(Some(message)) = stream.message().await {
        if let Some(MessageResponse::ListServicesResponse(list)) = message.message_response {
            names.extend(list.service.into_iter().map(|s| s.name));
        }
    }
    names.sort();
    names
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
