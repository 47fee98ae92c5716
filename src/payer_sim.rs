//! `medbill payer-sim`: the payer/clearinghouse simulator
//! (`tools/payer-sim`) over three folders — billing's outbound, billing's
//! inbound and payments' inbound — once, or polled until Ctrl-C; with
//! `--listen` it also serves its real-time eligibility endpoint beside the
//! folders, both answering from the one simulator. Only the command line
//! and the loop live here; what a payer answers is the simulator library's.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use futures::FutureExt;
use futures::future::BoxFuture;
use medbill_kernel::CalendarDate;
use medbill_payer_sim::endpoint::{self, Today};
use medbill_payer_sim::{Folders, Report, SimConfig, Simulator};
use medbill_platform::clock::Clock;
use tokio::net::TcpListener;

/// The simulator's example configuration (two payers, three plans, four
/// members), used when no `--config` is given.
pub const EXAMPLE_CONFIG: &str = include_str!("../tools/payer-sim/payer-sim.example.json");

/// How often the folders are looked at when running until Ctrl-C.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Flags of `medbill payer-sim`.
#[derive(Debug, Clone, clap::Args)]
pub struct PayerSimArgs {
    /// Billing's outbound folder (`<clearinghouse>/outbound`): 837, 270 and
    /// 276 files to answer.
    #[arg(long)]
    pub from: PathBuf,
    /// Billing's inbound folder (`<clearinghouse>/inbound`): 999, 277CA,
    /// 271 and 277 files go here.
    #[arg(long)]
    pub to_billing: PathBuf,
    /// Payments' inbound folder (`<clearinghouse>/payments/inbound`): 835
    /// files and deposit CSVs go here.
    #[arg(long)]
    pub to_payments: PathBuf,
    /// The simulator's JSON configuration (payers, contracts, plans,
    /// members); default: tools/payer-sim/payer-sim.example.json.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Seed of every random decision (a record is only continued with the
    /// seed it was started with).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where the simulator keeps its record (payer-sim-record.json).
    #[arg(long, default_value = "./payer-sim")]
    pub workdir: PathBuf,
    /// Take what is there, adjudicate what is due, and stop.
    #[arg(long, conflicts_with = "listen")]
    pub once: bool,
    /// Also serve the CAQH CORE real-time eligibility endpoint
    /// (`POST /core/realtime`) on this address (e.g. `127.0.0.1:8270`; port
    /// 0 picks a free one), for billing's `--eligibility-url`.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// The simulator's today (YYYY-MM-DD); default: the system's today.
    #[arg(long)]
    pub today: Option<CalendarDate>,
}

/// Reads the configuration named by `--config`, or the example one.
pub fn load_config(path: Option<&std::path::Path>) -> anyhow::Result<SimConfig> {
    match path {
        Some(path) => {
            SimConfig::load(path).with_context(|| format!("cannot read {}", path.display()))
        }
        None => SimConfig::from_json(EXAMPLE_CONFIG).context("the example configuration"),
    }
}

/// Runs the simulator over the folders: one step with `--once`, else a
/// step every [`POLL_INTERVAL`] until `shutdown` completes, with the
/// real-time endpoint served on `--listen` meanwhile (its bound address is
/// printed). Prints one line per step that did something.
pub async fn run(args: PayerSimArgs, shutdown: BoxFuture<'static, ()>) -> anyhow::Result<()> {
    let config = load_config(args.config.as_deref())?;
    for dir in [
        &args.from,
        &args.to_billing,
        &args.to_payments,
        &args.workdir,
    ] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut sim = Simulator::open(config, args.seed, &args.workdir)
        .context("cannot open the simulator's record")?;
    let folders = Folders {
        from: args.from.clone(),
        to_billing: args.to_billing.clone(),
        to_payments: args.to_payments.clone(),
    };
    let fixed = args.today;
    let today = move || fixed.unwrap_or_else(|| Clock::system().today());
    if args.once {
        let report = sim.step(&folders, today())?;
        println!("{}", describe(&report));
        return Ok(());
    }
    println!(
        "payer-sim: answering {} into {} and {} (record {}); stop with Ctrl-C.",
        folders.from.display(),
        folders.to_billing.display(),
        folders.to_payments.display(),
        sim.record_path().display()
    );
    // One simulator for the folders and the endpoint: each answer is taken
    // under its lock, so the record sees them one at a time.
    let sim = Arc::new(Mutex::new(sim));
    let shutdown = shutdown.shared();
    let endpoint = match args.listen {
        Some(addr) => {
            let listener = TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let bound = listener.local_addr()?;
            println!(
                "payer-sim: real-time eligibility at http://{bound}{}",
                endpoint::PATH
            );
            let today: Today = Arc::new(today);
            Some(tokio::spawn(endpoint::serve(
                sim.clone(),
                listener,
                today,
                shutdown.clone(),
            )))
        }
        None => None,
    };
    let mut stopped = shutdown;
    let looped = loop {
        let stepped = sim
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .step(&folders, today());
        match stepped {
            Ok(report) => {
                if !report.files_written.is_empty() || !report.files_refused.is_empty() {
                    println!("{}", describe(&report));
                }
            }
            Err(e) => break Err(e.into()),
        }
        tokio::select! {
            () = &mut stopped => break Ok(()),
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    };
    if let Some(endpoint) = endpoint {
        // A failed step ends the endpoint too; else it ends with Ctrl-C.
        endpoint.abort();
        let _ = endpoint.await;
    }
    looped
}

/// One line saying what a step did.
pub fn describe(report: &Report) -> String {
    let mut line = format!(
        "{} file(s) taken, {} written; claims accepted {}, rejected {}; sets rejected {}; 271s {}, 277s {}; adjudicated {}; 835s {} paying ${}",
        report.files_taken.len(),
        report.files_written.len(),
        report.claims_accepted,
        report.claims_rejected,
        report.sets_rejected,
        report.eligibility_answered,
        report.status_answered,
        report.claims_adjudicated,
        report.remittances,
        crate::demo::dollars(report.paid),
    );
    for (name, why) in &report.files_refused {
        line.push_str(&format!("\n  refused {name}: {why}"));
    }
    if !report.files_seen_before.is_empty() {
        line.push_str(&format!(
            "\n  seen before, not answered again: {}",
            report.files_seen_before.join(", ")
        ));
    }
    line
}
