//! `medbill load`: load on a running stack (`medbill up`, or deployed
//! endpoints with `--token`), closed-loop at a concurrency or open-loop at
//! a rate, for a duration. Prints throughput, errors by gRPC status code and
//! latency percentiles from a log-linear histogram, and can write the same
//! as JSON. The scenarios that need data first (`claims`, `remit`) set it
//! up through the services' APIs before the timed run, and stop early when
//! it runs out.

mod claims;
mod coders;
mod cycle;
mod drive;
mod histogram;
mod practice;
mod remit;
mod scenarios;
mod tally;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use drive::{Workload, drive};
use histogram::Histogram;
use scenarios::Scenario;
use tally::{Rpcs, Tally, latency_json};

use crate::operator::Caller;

/// What to load, how hard and for how long.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// lookup (GetCode and SearchCodes), intake (SubmitEncounter), health
    /// (grpc.health.v1 Check on the coding port: the ceiling the others
    /// read against), cycle (the whole revenue cycle on a fresh stack:
    /// encounters coded and released, batches, the payer simulator,
    /// remittances posted), claims (billing's CreateClaim, build and scrub,
    /// over a pool of released encounters set up first on a fresh stack)
    /// or remit (payments'
    /// IngestRemittance, one 835 of --claims-per-remittance claims a call,
    /// over claims submitted and adjudicated by the payer simulator first,
    /// on a fresh stack; every claim is then checked posted once).
    #[arg(long, default_value = "lookup")]
    pub scenario: String,
    /// Closed loop: this many calls in flight, each sent when the last
    /// answered.
    #[arg(long, default_value_t = 16, conflicts_with = "rate")]
    pub concurrency: usize,
    /// Open loop: this many calls a second, whether or not earlier ones
    /// answered (at most 10,000 in flight).
    #[arg(long)]
    pub rate: Option<u32>,
    /// Seconds to run.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Seconds to run first without counting (connections, caches).
    #[arg(long, default_value_t = 1)]
    pub warmup: u64,
    /// Connections to spread the calls over (HTTP/2 multiplexes the rest).
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// The coding service.
    #[arg(
        long,
        env = "MEDBILL_CODING_URL",
        default_value = "http://127.0.0.1:50051"
    )]
    pub coding: String,
    /// The billing service (cycle, claims, remit).
    #[arg(
        long,
        env = "MEDBILL_BILLING_URL",
        default_value = "http://127.0.0.1:50052"
    )]
    pub billing: String,
    /// The payments service (cycle, remit).
    #[arg(
        long,
        env = "MEDBILL_PAYMENTS_URL",
        default_value = "http://127.0.0.1:50053"
    )]
    pub payments: String,
    /// Billing's clearinghouse folder (cycle, remit; default
    /// `<data-dir>/clearinghouse`, as `medbill up` has it).
    #[arg(long)]
    pub clearinghouse_dir: Option<PathBuf>,
    /// Payments' folder (cycle; default `<clearinghouse-dir>/payments`).
    #[arg(long)]
    pub remittance_dir: Option<PathBuf>,
    /// Patients registered for cycle, claims and remit (claims and remit
    /// register more when their pool needs them: at most 20 visits each).
    #[arg(long, default_value_t = 200)]
    pub patients: usize,
    /// Released encounters set up before a claims or remit run: the pool
    /// the timed calls use up (default: 3,000 for claims, 6,000 for remit).
    /// When it runs out the run stops early and says so.
    #[arg(long)]
    pub encounters: Option<usize>,
    /// Claims in each 835 of the remit scenario.
    #[arg(long, default_value_t = 50)]
    pub claims_per_remittance: usize,
    /// Seed of the patients and the payer's decisions (cycle, claims,
    /// remit).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Write the report as JSON here too.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// How to call the services.
    #[command(flatten)]
    pub caller: Caller,
}

/// What a run measured.
#[derive(Debug)]
pub struct Report {
    /// The scenario.
    pub scenario: String,
    /// `closed(N)` or `open(R/s)`.
    pub mode: String,
    /// Seconds measured (until the last call answered).
    pub seconds: f64,
    /// Calls that answered OK.
    pub ok: u64,
    /// Failed calls by gRPC status code name.
    pub errors: BTreeMap<String, u64>,
    /// Latencies of every call, OK or not.
    pub latency: Histogram,
    /// The same per RPC.
    pub rpcs: Rpcs,
    /// Whether the run stopped early: the pool set up for it ran out.
    pub ran_dry: bool,
}

impl Report {
    /// The report of `driven`, a drive of `seconds` in `args`' mode.
    fn new(args: &LoadArgs, driven: drive::Driven, seconds: f64) -> Report {
        let Tally {
            ok,
            errors,
            latency,
        } = driven.rpcs.total();
        Report {
            scenario: args.scenario.clone(),
            mode: mode(args),
            seconds,
            ok,
            errors,
            latency,
            rpcs: driven.rpcs,
            ran_dry: driven.ran_dry,
        }
    }

    /// Calls a second, OK or not.
    pub fn throughput(&self) -> f64 {
        self.latency.len() as f64 / self.seconds.max(f64::EPSILON)
    }

    /// The report as JSON (latencies in microseconds).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "scenario": self.scenario,
            "mode": self.mode,
            "seconds": self.seconds,
            "calls": self.latency.len(),
            "ok": self.ok,
            "errors": self.errors,
            "throughput_per_second": self.throughput(),
            "latency_us": latency_json(&self.latency),
            "rpcs": self.rpcs.to_json(),
            "ran_dry": self.ran_dry,
        })
    }

    /// The report as text: a table per RPC follows when there are several.
    pub fn to_text(&self) -> String {
        let ms = |us: u64| us as f64 / 1000.0;
        let p = |q: f64| ms(self.latency.percentile(q));
        let errors = if self.errors.is_empty() {
            "none".to_string()
        } else {
            self.errors
                .iter()
                .map(|(code, n)| format!("{code} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = format!(
            "{} {}: {} calls in {:.1} s = {:.0}/s; ok {}; errors: {}\n\
             latency ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}\n",
            self.scenario,
            self.mode,
            self.latency.len(),
            self.seconds,
            self.throughput(),
            self.ok,
            errors,
            p(50.0),
            p(90.0),
            p(99.0),
            p(99.9),
            ms(self.latency.max()),
        );
        if self.rpcs.0.len() > 1 {
            out.push_str(&self.rpcs.to_table());
        }
        if self.ran_dry {
            out.push_str(&format!(
                "STOPPED EARLY: the pool set up for the run ran out after {:.1} s \
                 (a larger --encounters runs the whole --duration)\n",
                self.seconds
            ));
        }
        out
    }
}

/// `closed(N)` or `open(R/s)`.
fn mode(args: &LoadArgs) -> String {
    match args.rate {
        Some(rate) => format!("open({rate}/s)"),
        None => format!("closed({})", args.concurrency.max(1)),
    }
}

/// `medbill load`: runs the scenario, prints its report (and writes it as
/// JSON with `--json`); an error when the run's own check after it failed.
pub async fn run(args: LoadArgs, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let (text, json, failed) = match args.scenario.as_str() {
        "cycle" => {
            let report = cycle::run(&args).await?;
            (report.to_text(), report.to_json(), None)
        }
        "claims" => {
            let report = claims::run(&args).await?;
            (report.to_text(), report.to_json(), report.failed())
        }
        "remit" => {
            let report = remit::run(&args).await?;
            (report.to_text(), report.to_json(), report.failed())
        }
        _ => {
            let scenario = Scenario::connect(&args).await?;
            warm_up(&scenario, &args).await;
            let report = measure(&scenario, &args).await;
            (report.to_text(), report.to_json(), None)
        }
    };
    out.write_all(text.as_bytes())?;
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&json)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    match failed {
        Some(why) => anyhow::bail!("the check after the run failed: {why}"),
        None => Ok(()),
    }
}

/// Calls `workload` for `--warmup` seconds, counting nothing.
async fn warm_up<W: Workload>(workload: &W, args: &LoadArgs) {
    if args.warmup > 0 {
        drive(workload, args, Duration::from_secs(args.warmup)).await;
    }
}

/// Calls `workload` for `--duration` seconds (or until it runs dry).
async fn measure<W: Workload>(workload: &W, args: &LoadArgs) -> Report {
    let started = Instant::now();
    let driven = drive(workload, args, Duration::from_secs(args.duration)).await;
    Report::new(args, driven, started.elapsed().as_secs_f64())
}
