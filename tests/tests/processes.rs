//! The revenue cycle across three service processes with their own
//! databases, as production runs it: `medbill serve coding|billing|payments`
//! started from this binary (it runs the `medbill` command line when
//! `MEDBILL_E2E_SERVICE` is set), the demo's cycle of 200 encounters driven
//! through their gRPC APIs and folders, and every figure checked against
//! the payer simulator's record:
//!
//! - `three_processes_sqlite` and `scale_out_postgres` (two instances each
//!   of billing and payments on the same three PostgreSQL databases, called
//!   round-robin by the demo and by each other);
//! - `crash_postgres`: billing is `kill -9`ed while it turns released
//!   encounters into claims, payments while it posts the 835s, and both are
//!   restarted; nothing may be lost or applied twice.
//!
//! Run one with `cargo test -p medbill-e2e --test processes -- crash`.
//! Without a PostgreSQL server the PostgreSQL scenarios print SKIPPED
//! (outside CI, where they fail instead).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use futures::FutureExt;
use medbill::demo::{
    DemoArgs, External, Hook, Phase, Summary, run_cycle_against, seed_codes, waiting_files,
};
use medbill_platform::testing::TestDatabase;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Set in a child process: run the `medbill` command line, not the tests.
const SERVICE: &str = "MEDBILL_E2E_SERVICE";

/// Encounters per cycle (the "at least 200").
const ENCOUNTERS: u32 = 200;

fn main() -> ExitCode {
    if std::env::var_os(SERVICE).is_some() {
        return medbill::cli::main();
    }
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let scenarios: [(&str, Scenario); 3] = [
        ("three_processes_sqlite", || {
            three_processes_sqlite().boxed_local()
        }),
        ("scale_out_postgres", || scale_out_postgres().boxed_local()),
        ("crash_postgres", || crash_postgres().boxed_local()),
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut failed = 0;
    let mut ran = 0;
    for (name, scenario) in scenarios {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        println!("test {name} ...");
        let started = Instant::now();
        match runtime.block_on(scenario()) {
            Ok(Ran::Passed) => println!(
                "test {name} ... ok ({:.1} s)",
                started.elapsed().as_secs_f64()
            ),
            Ok(Ran::Skipped) => println!("test {name} ... SKIPPED (no PostgreSQL)"),
            Err(e) => {
                failed += 1;
                println!("test {name} ... FAILED\n{e:#}");
            }
        }
    }
    println!("\nprocesses: {ran} scenario(s), {failed} failed");
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

enum Ran {
    Passed,
    Skipped,
}

type Outcome = anyhow::Result<Ran>;

/// A scenario's body (not `Send`: it runs on the main thread's runtime).
type Scenario = fn() -> futures::future::LocalBoxFuture<'static, Outcome>;

/// One `medbill serve` process, restartable on its port.
struct Process {
    name: String,
    args: Vec<String>,
    port: u16,
    metrics_port: u16,
    log: PathBuf,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Process {
    fn new(name: &str, service: &str, database_url: &str, extra: &[String], logs: &Path) -> Self {
        let port = free_port();
        let metrics_port = free_port();
        let mut args: Vec<String> = vec![
            "serve".into(),
            service.into(),
            "--database-url".into(),
            database_url.into(),
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--metrics-listen".into(),
            format!("127.0.0.1:{metrics_port}"),
        ];
        args.extend(extra.iter().cloned());
        Process {
            name: name.into(),
            args,
            port,
            metrics_port,
            log: logs.join(format!("{name}.log")),
            child: None,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the process (its output appended to its log file).
    fn spawn(&mut self, secret_file: &Path) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(std::env::current_exe()?)
            .args(&self.args)
            .env(SERVICE, "1")
            .env("MEDBILL_AUTH__JWT_SECRET_FILE", secret_file)
            .env("MEDBILL_LOG_FORMAT", "pretty")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", self.name))?;
        self.child = Some(child);
        Ok(())
    }

    /// Waits until the process answers its health check.
    async fn ready(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("{} exited with {status}:\n{}", self.name, self.log_tail());
            }
            if let Ok(channel) = tonic::transport::Endpoint::from_shared(self.url())?
                .connect()
                .await
            {
                let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
                let checked = health
                    .check(tonic_health::pb::HealthCheckRequest {
                        service: String::new(),
                    })
                    .await;
                if checked.is_ok_and(|r| r.into_inner().status == 1) {
                    return Ok(());
                }
            }
            ensure!(
                started.elapsed() < Duration::from_secs(120),
                "{} did not come up in 2 minutes:\n{}",
                self.name,
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `kill -9`: no drain, no shutdown hook, whatever was in flight is cut.
    fn kill9(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?; // SIGKILL on Unix
            child.wait()?;
        }
        Ok(())
    }

    /// Whether the process has died on its own.
    fn died(&mut self) -> Option<String> {
        let child = self.child.as_mut()?;
        match child.try_wait() {
            Ok(Some(status)) => Some(format!(
                "{} exited with {status}:\n{}",
                self.name,
                self.log_tail()
            )),
            _ => None,
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// gRPC calls this process has answered, from its `/metrics`.
    async fn calls_answered(&self) -> anyhow::Result<u64> {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.metrics_port)).await?;
        stream
            .write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            .await?;
        let mut body = String::new();
        stream.read_to_string(&mut body).await?;
        Ok(body
            .lines()
            .filter(|l| l.starts_with("medbill_grpc_requests_total{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .map(|v| v as u64)
            .sum())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.kill9();
    }
}

/// The three services (with `billing_instances` and `payments_instances`
/// of billing and payments), their databases and folders.
struct Cluster {
    dir: tempfile::TempDir,
    secret_file: PathBuf,
    clearinghouse: PathBuf,
    remittance: PathBuf,
    coding: Process,
    billing: Vec<Process>,
    payments: Vec<Process>,
    billing_db: TestDatabase,
    payments_db: TestDatabase,
    _coding_db: TestDatabase,
}

fn urls(processes: &[Process]) -> String {
    processes
        .iter()
        .map(Process::url)
        .collect::<Vec<_>>()
        .join(",")
}

impl Cluster {
    async fn start(
        postgres: bool,
        billing_instances: usize,
        payments_instances: usize,
    ) -> anyhow::Result<Option<Cluster>> {
        let databases = if postgres {
            let mut dbs = Vec::new();
            for _ in 0..3 {
                match TestDatabase::postgres().await {
                    Some(db) => dbs.push(db),
                    None => return Ok(None),
                }
            }
            dbs
        } else {
            vec![
                TestDatabase::sqlite(),
                TestDatabase::sqlite(),
                TestDatabase::sqlite(),
            ]
        };
        let mut databases = databases.into_iter();
        let (coding_db, billing_db, payments_db) = (
            databases.next().unwrap(),
            databases.next().unwrap(),
            databases.next().unwrap(),
        );
        let dir = tempfile::tempdir()?;
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs)?;
        let secrets = dir.path().join("secrets");
        medbill_platform::config::dev_secret(&secrets)?;
        let secret_file = secrets.join("dev-jwt-secret");
        let clearinghouse = dir.path().join("clearinghouse");
        let remittance = dir.path().join("remittance");
        seed_codes(&coding_db.url).await?;

        // Ports first: each service names the others'.
        let mut coding = Process::new("coding", "coding", &coding_db.url, &[], &logs);
        let mut billing: Vec<Process> = (1..=billing_instances)
            .map(|i| {
                Process::new(
                    &format!("billing-{i}"),
                    "billing",
                    &billing_db.url,
                    &[],
                    &logs,
                )
            })
            .collect();
        let mut payments: Vec<Process> = (1..=payments_instances)
            .map(|i| {
                Process::new(
                    &format!("payments-{i}"),
                    "payments",
                    &payments_db.url,
                    &[],
                    &logs,
                )
            })
            .collect();
        let (billing_urls, payments_urls) = (urls(&billing), urls(&payments));
        coding
            .args
            .extend(["--billing-url".into(), billing_urls.clone()]);
        for b in &mut billing {
            b.args.extend([
                "--coding-url".into(),
                coding.url(),
                "--payments-url".into(),
                payments_urls.clone(),
                "--clearinghouse-dir".into(),
                clearinghouse.display().to_string(),
            ]);
        }
        for p in &mut payments {
            p.args.extend([
                "--billing-url".into(),
                billing_urls.clone(),
                "--remittance-dir".into(),
                remittance.display().to_string(),
            ]);
        }
        // All at once, as replicas start: instances of one service migrate
        // the same database concurrently.
        coding.spawn(&secret_file)?;
        for p in billing.iter_mut().chain(payments.iter_mut()) {
            p.spawn(&secret_file)?;
        }
        coding.ready().await?;
        for p in billing.iter_mut().chain(payments.iter_mut()) {
            p.ready().await?;
        }
        Ok(Some(Cluster {
            dir,
            secret_file,
            clearinghouse,
            remittance,
            coding,
            billing,
            payments,
            billing_db,
            payments_db,
            _coding_db: coding_db,
        }))
    }

    fn external(&self, hook: Option<Hook>) -> External {
        External {
            coding_url: self.coding.url(),
            billing_url: urls(&self.billing),
            payments_url: urls(&self.payments),
            clearinghouse: self.clearinghouse.clone(),
            remittance: self.remittance.clone(),
            secret_dir: self.secret_file.parent().unwrap().to_path_buf(),
            hook,
        }
    }

    fn args(&self, seed: u64) -> DemoArgs {
        DemoArgs {
            encounters: ENCOUNTERS,
            seed,
            workdir: Some(self.dir.path().join("demo")),
            json: false,
        }
    }

    /// Fails with the log of a process that died on its own.
    fn all_alive(&mut self) -> anyhow::Result<()> {
        let all = std::iter::once(&mut self.coding)
            .chain(self.billing.iter_mut())
            .chain(self.payments.iter_mut());
        for p in all {
            if let Some(why) = p.died() {
                bail!(why);
            }
        }
        Ok(())
    }
}

/// What every run must show: the books balance, every released encounter
/// is billed exactly once, and the services agree with the simulator on
/// every figure (claims sent, insurance paid, AR).
fn check(summary: &Summary) -> anyhow::Result<()> {
    let text = summary.to_text();
    println!("{text}");
    let count = |k: &str| summary.counts.get(k).copied().unwrap_or(0);
    ensure!(summary.balanced(), "the summary does not balance\n{text}");
    ensure!(summary.difference == 0, "difference {}", summary.difference);
    let released = count("encounters released");
    ensure!(
        released >= i64::from(ENCOUNTERS) * 9 / 10,
        "only {released} of {ENCOUNTERS} encounters released"
    );
    ensure!(
        count("released encounters billed exactly once") == released,
        "not every released encounter billed exactly once"
    );
    ensure!(
        count("released encounters not billed") == 0,
        "an encounter was not billed"
    );
    ensure!(
        count("encounters with two standing claims") == 0,
        "an encounter was billed twice"
    );
    ensure!(count("denials worked") > 0, "no denial was worked");
    for agreement in &summary.agreements {
        ensure!(
            agreement.agrees(),
            "{} differs: services {} simulator {}",
            agreement.what,
            agreement.services,
            agreement.simulator
        );
    }
    ensure!(!summary.agreements.is_empty(), "nothing was compared");
    Ok(())
}

async fn three_processes_sqlite() -> Outcome {
    let mut cluster = Cluster::start(false, 1, 1).await?.unwrap();
    let summary = run_cycle_against(cluster.args(11), cluster.external(None)).await;
    cluster.all_alive()?;
    check(&summary?)?;
    Ok(Ran::Passed)
}

async fn scale_out_postgres() -> Outcome {
    let Some(mut cluster) = Cluster::start(true, 2, 2).await? else {
        return Ok(Ran::Skipped);
    };
    let summary = run_cycle_against(cluster.args(12), cluster.external(None)).await;
    cluster.all_alive()?;
    check(&summary?)?;
    // Both instances of each did a share of the work.
    for p in cluster.billing.iter().chain(cluster.payments.iter()) {
        let answered = p.calls_answered().await?;
        println!("{} answered {answered} gRPC calls", p.name);
        ensure!(answered > 0, "{} answered no call", p.name);
    }
    Ok(Ran::Passed)
}

/// How many rows `table` holds in `db`.
async fn rows(url: &str, table: &str) -> anyhow::Result<i64> {
    let conn = medbill_platform::db::Database::connect_without_migrating(url).await?;
    let n: i64 = sqlx::query_scalar(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}"))
        .fetch_one(conn.pool())
        .await?;
    conn.close().await;
    Ok(n)
}

/// Kills billing's (or payments') first instance with `kill -9` and starts
/// it again on its port.
async fn kill_and_restart(c: &mut Cluster, billing: bool) -> anyhow::Result<()> {
    let secret = c.secret_file.clone();
    let process = if billing {
        &mut c.billing[0]
    } else {
        &mut c.payments[0]
    };
    process.kill9()?;
    process.spawn(&secret)?;
    process.ready().await
}

/// Waits (up to a minute) until `progress` is true.
async fn until<F, Fut>(mut progress: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let started = Instant::now();
    while !progress().await? && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

async fn crash_postgres() -> Outcome {
    let Some(cluster) = Cluster::start(true, 1, 1).await? else {
        return Ok(Ran::Skipped);
    };
    let billing_db = cluster.billing_db.url.clone();
    let cluster = Arc::new(tokio::sync::Mutex::new(cluster));
    let kills = Arc::new(AtomicU32::new(0));
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));

    // 1. Billing dies while the coder is still releasing encounters and it
    //    is turning coding's EncounterReleased events into claims.
    let watcher = {
        let (cluster, kills, seen) = (cluster.clone(), kills.clone(), seen.clone());
        tokio::spawn(async move {
            until(|| async { Ok(rows(&billing_db, "claims").await? >= 40) }).await?;
            let mut c = cluster.lock().await;
            let claims = rows(&c.billing_db.url, "claims").await?;
            kill_and_restart(&mut c, true).await?;
            seen.lock().unwrap().push(format!(
                "billing killed while claims were being built ({claims} of {ENCOUNTERS} then)"
            ));
            kills.fetch_add(1, Ordering::SeqCst);
            anyhow::Ok(())
        })
    };
    let watcher = Arc::new(tokio::sync::Mutex::new(Some(watcher)));
    let hook: Hook = {
        let (cluster, kills, seen) = (cluster.clone(), kills.clone(), seen.clone());
        Arc::new(move |phase: Phase| {
            let (cluster, kills, seen, watcher) = (
                cluster.clone(),
                kills.clone(),
                seen.clone(),
                watcher.clone(),
            );
            async move {
                match phase {
                    Phase::Released => {
                        if let Some(w) = watcher.lock().await.take() {
                            w.await??;
                        }
                    }
                    // 2. Billing dies while it applies the first claims'
                    //    999 and 277CA (answer 1 was the 271s).
                    Phase::Answered(2) => {
                        let mut c = cluster.lock().await;
                        let inbound = c.clearinghouse.join("inbound");
                        let dropped = waiting_files(&inbound);
                        until(|| async { Ok(dropped == 0 || waiting_files(&inbound) < dropped) })
                            .await?;
                        let left = waiting_files(&inbound);
                        kill_and_restart(&mut c, true).await?;
                        seen.lock().unwrap().push(format!(
                            "billing killed with {left} of {dropped} acknowledgment file(s) left"
                        ));
                        kills.fetch_add(1, Ordering::SeqCst);
                    }
                    // 3. Payments dies while it posts the first 835s.
                    Phase::Paid(1) => {
                        let mut c = cluster.lock().await;
                        let inbound = c.remittance.join("inbound");
                        let dropped = waiting_files(&inbound);
                        until(|| async { Ok(dropped == 0 || waiting_files(&inbound) < dropped) })
                            .await?;
                        let left = waiting_files(&inbound);
                        let posted = rows(&c.payments_db.url, "journal_entries").await?;
                        kill_and_restart(&mut c, false).await?;
                        seen.lock().unwrap().push(format!(
                            "payments killed with {left} of {dropped} file(s) left and {posted} journal entries"
                        ));
                        kills.fetch_add(1, Ordering::SeqCst);
                    }
                    _ => {}
                }
                Ok(())
            }
            .boxed()
        })
    };
    let (args, external) = {
        let c = cluster.lock().await;
        (c.args(13), c.external(Some(hook)))
    };
    let summary = run_cycle_against(args, external).await;
    for line in seen.lock().unwrap().iter() {
        println!("{line}");
    }
    cluster.lock().await.all_alive()?;
    let summary = summary?;
    ensure!(
        kills.load(Ordering::SeqCst) == 3,
        "expected three kills (billing twice, payments once), saw {}",
        kills.load(Ordering::SeqCst)
    );
    check(&summary)?;
    Ok(Ran::Passed)
}
