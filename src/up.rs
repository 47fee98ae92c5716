//! `medbill up`: the three services in one process, each on its own port with
//! its own embedded SQLite database under the data directory, sharing one
//! development signing secret created there on first start.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::Context;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use medbill_platform::auth::Authenticator;
use medbill_platform::config::{ServerArgs, ServerSettings, dev_secret};
use medbill_platform::db::{Database, Migrations};
use medbill_platform::peers::service_tokens;
use medbill_platform::server::shutdown_signal;
use tokio::net::TcpListener;

/// Flags of `medbill up`.
#[derive(Debug, Clone, clap::Args)]
pub struct UpArgs {
    /// Where the databases and the development secret live.
    #[arg(long, env = "MEDBILL_DATA_DIR", default_value = "./medbill-data")]
    pub data_dir: PathBuf,
    /// Address the services listen on.
    #[arg(long, env = "MEDBILL_HOST", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Port of the coding service.
    #[arg(long, default_value_t = 50051)]
    pub coding_port: u16,
    /// Port of the billing service.
    #[arg(long, default_value_t = 50052)]
    pub billing_port: u16,
    /// Port of the payments service.
    #[arg(long, default_value_t = 50053)]
    pub payments_port: u16,
    /// Where `medbill codes fetch` keeps the public code sets; on first start
    /// with an empty coding store, `up` fetches and imports them from here.
    #[arg(long, default_value = ".codesets")]
    pub codesets_dir: PathBuf,
    /// Billing's clearinghouse folder: 837 batches are dropped in its
    /// `outbound/`, 999 and 277CA files are picked up from its `inbound/`
    /// (default: `<data-dir>/clearinghouse`).
    #[arg(long, env = "MEDBILL_CLEARINGHOUSE_DIR")]
    pub clearinghouse_dir: Option<PathBuf>,
    /// Do not fetch and import code sets on first start.
    #[arg(long)]
    pub no_codesets: bool,
    /// Serve Prometheus metrics of each service on its gRPC port + 1000
    /// (51051, 51052, 51053 by default).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub metrics: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub server: ServerArgs,
}

/// `medbill up`'s command line: the stack's flags and billing's real-time
/// eligibility endpoint (apart from [`UpArgs`], which callers build in
/// code).
#[derive(Debug, Clone, clap::Args)]
pub struct UpCommand {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub stack: UpArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub eligibility: medbill_billing::EligibilityArgs,
}

/// Completes on SIGTERM or Ctrl-C (the shutdown `medbill up` uses).
pub fn signal() -> BoxFuture<'static, ()> {
    shutdown_signal().boxed()
}

/// Runs the three services until `shutdown` completes, then drains them;
/// billing's eligibility inquiries go through the clearinghouse folder.
pub async fn run(args: UpArgs, shutdown: BoxFuture<'static, ()>) -> anyhow::Result<()> {
    run_command(
        UpCommand {
            stack: args,
            eligibility: medbill_billing::EligibilityArgs::default(),
        },
        shutdown,
    )
    .await
}

/// [`run`] with the whole command line: billing answers eligibility in
/// real time when `--eligibility-url` names an endpoint.
pub async fn run_command(
    command: UpCommand,
    shutdown: BoxFuture<'static, ()>,
) -> anyhow::Result<()> {
    let UpCommand {
        stack: args,
        eligibility,
    } = command;
    // Checked before anything starts: an https:// URL is refused here.
    let eligibility_url = eligibility.url()?;
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("cannot create {}", args.data_dir.display()))?;
    let (secret, created) = dev_secret(&args.data_dir)?;
    if created {
        println!(
            "Created a development signing secret in {}.",
            args.data_dir.join("dev-jwt-secret").display()
        );
    }
    let auth = Authenticator::hs256(secret.expose().as_bytes())?;

    let coding = open(
        &args,
        "coding",
        args.coding_port,
        medbill_coding::MIGRATIONS,
        &auth,
    )
    .await?;
    let billing = open(
        &args,
        "billing",
        args.billing_port,
        medbill_billing::MIGRATIONS,
        &auth,
    )
    .await?;
    let payments = open(
        &args,
        "payments",
        args.payments_port,
        medbill_payments::MIGRATIONS,
        &auth,
    )
    .await?;

    // Each service follows its peers' feeds at their local addresses.
    let url = |port| format!("http://{}", addr(&args, port));
    let tokens = |subject| service_tokens(auth.clone(), subject, None);
    let coding_peers = medbill_coding::PeerArgs {
        billing_url: Some(url(args.billing_port)),
    }
    .peers(tokens("coding"))?;
    let mut billing_peers = medbill_billing::PeerArgs {
        coding_url: Some(url(args.coding_port)),
        payments_url: Some(url(args.payments_port)),
        clearinghouse_dir: Some(
            args.clearinghouse_dir
                .clone()
                .unwrap_or_else(|| args.data_dir.join("clearinghouse")),
        ),
    }
    .peers(tokens("billing"))?;
    billing_peers.eligibility_url = eligibility_url;
    let payments_peers = medbill_payments::PeerArgs {
        billing_url: Some(url(args.billing_port)),
        // Payments' own folder beside billing's: 835 and deposit files
        // dropped in its `inbound/` are posted.
        remittance_dir: Some(args.data_dir.join("clearinghouse").join("payments")),
    }
    .peers(tokens("payments"))?;

    // One failing service stops the whole stack with its error.
    let (stop_all, stopped) = tokio::sync::watch::channel(false);
    let shutdown = {
        let mut stopped = stopped.clone();
        async move {
            tokio::select! {
                () = shutdown => {}
                _ = stopped.wait_for(|s| *s) => {}
            }
        }
        .boxed()
        .shared()
    };
    let coding_db = coding.db.clone();
    let mut services: FuturesUnordered<BoxFuture<'static, (&'static str, anyhow::Result<()>)>> =
        FuturesUnordered::new();
    services.push(
        medbill_coding::serve(
            coding.listener,
            coding.db,
            coding.settings,
            coding_peers,
            shutdown.clone(),
        )
        .map(|r| ("coding", r.map_err(anyhow::Error::from)))
        .boxed(),
    );
    services.push(
        medbill_billing::serve(
            billing.listener,
            billing.db,
            billing.settings,
            billing_peers,
            shutdown.clone(),
        )
        .map(|r| ("billing", r.map_err(anyhow::Error::from)))
        .boxed(),
    );
    services.push(
        medbill_payments::serve(
            payments.listener,
            payments.db,
            payments.settings,
            payments_peers,
            shutdown.clone(),
        )
        .map(|r| ("payments", r.map_err(anyhow::Error::from)))
        .boxed(),
    );
    println!(
        "medbill is up: coding {}, billing {}, payments {} (data in {}).",
        addr(&args, args.coding_port),
        addr(&args, args.billing_port),
        addr(&args, args.payments_port),
        args.data_dir.display()
    );
    println!(
        "Get a token: medbill token --role coder --data-dir {}   (roles: coder, coding_auditor, biller, payment_poster, collector, manager, auditor, admin, service)",
        args.data_dir.display()
    );
    println!("Stop with Ctrl-C.");
    if !args.no_codesets {
        // The import future is not Send (the importers' async closures), so
        // it runs on a blocking thread driven by this runtime's handle, with
        // the same pool and write gate as the running service.
        let handle = tokio::runtime::Handle::current();
        let dir = args.codesets_dir.clone();
        tokio::task::spawn_blocking(move || handle.block_on(first_start_code_sets(coding_db, dir)));
    }
    let mut failure = None;
    while let Some((name, result)) = services.next().await {
        if let Err(e) = result {
            eprintln!("medbill: the {name} service failed: {e:#}; stopping the others");
            let _ = stop_all.send(true);
            failure.get_or_insert(e.context(format!("the {name} service failed")));
        }
    }
    failure.map_or(Ok(()), Err)
}

fn addr(args: &UpArgs, port: u16) -> SocketAddr {
    SocketAddr::new(args.host, port)
}

/// What one service of the stack runs on.
struct Opened {
    listener: TcpListener,
    db: Database,
    settings: ServerSettings,
}

/// Opens a service's database and listener and builds its settings.
async fn open(
    args: &UpArgs,
    name: &str,
    port: u16,
    migrations: Migrations,
    auth: &Authenticator,
) -> anyhow::Result<Opened> {
    let url = sqlite_url(&args.data_dir.join(format!("{name}.db")));
    let db = Database::connect(&url, migrations)
        .await
        .with_context(|| format!("cannot open the {name} database"))?;
    let listener = TcpListener::bind(addr(args, port))
        .await
        .with_context(|| format!("cannot listen for {name} on port {port}"))?;
    let metrics = if args.metrics {
        Some(addr(
            args,
            port.checked_add(1000)
                .context("metrics port out of range")?,
        ))
    } else {
        None
    };
    let settings = ServerSettings::from_args(&args.server, auth.clone(), metrics)?;
    Ok(Opened {
        listener,
        db,
        settings,
    })
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Fetches and imports the public code sets when the coding store is empty
/// or the last first-start load stopped before its end, printing progress;
/// says how to do it by hand when that fails (no Python, no network).
async fn first_start_code_sets(db: Database, dir: PathBuf) {
    match medbill_coding::codesets::needs_first_load(&db).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            eprintln!("medbill: cannot read the code-set store: {e}");
            return;
        }
    }
    println!(
        "No code sets loaded yet: fetching and importing the public releases (first start only)."
    );
    let progress = |line: &str| println!("  code sets: {line}");
    let result = async {
        let files = medbill_coding::codesets::fetch(&dir, &progress).await?;
        crate::codes::import_fetched(&db, &files).await
    }
    .await;
    match result {
        Ok(()) => println!("Code sets loaded; coding edits are live."),
        Err(e) => eprintln!(
            "medbill: code sets were not loaded: {e:#}\n\
             The services run, but releasing coding is blocked until the code-set load has finished.\n\
             Load them with: medbill codes fetch && medbill codes import\n\
             (needs Python 3 with pip; or import CMS files with `medbill codes import --file …`)"
        ),
    }
}
