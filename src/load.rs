//! `medbill load`: load on a running stack (`medbill up`, or deployed
//! endpoints with `--token`), closed-loop at a concurrency or open-loop at
//! a rate, for a duration. Prints throughput, errors by gRPC status code and
//! latency percentiles from a log-linear histogram, and can write the same
//! as JSON.
//!
//! Open loop measures each call from the moment it was due, not from when
//! a busy client got round to it, so a server that falls behind shows it in
//! the latencies instead of hiding it (coordinated omission).

mod cycle;
mod histogram;
mod scenarios;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use histogram::Histogram;
use scenarios::{Call, Scenario};
use tokio::sync::Semaphore;

use crate::operator::Caller;

/// What to load, how hard and for how long.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// lookup (GetCode and SearchCodes), intake (SubmitEncounter), health
    /// (grpc.health.v1 Check on the coding port: the ceiling the others
    /// read against), or cycle (the whole revenue cycle on a fresh stack:
    /// encounters coded and released, batches, the payer simulator,
    /// remittances posted).
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
    /// The billing service (cycle).
    #[arg(
        long,
        env = "MEDBILL_BILLING_URL",
        default_value = "http://127.0.0.1:50052"
    )]
    pub billing: String,
    /// The payments service (cycle).
    #[arg(
        long,
        env = "MEDBILL_PAYMENTS_URL",
        default_value = "http://127.0.0.1:50053"
    )]
    pub payments: String,
    /// Billing's clearinghouse folder (cycle; default
    /// `<data-dir>/clearinghouse`, as `medbill up` has it).
    #[arg(long)]
    pub clearinghouse_dir: Option<PathBuf>,
    /// Payments' folder (cycle; default `<clearinghouse-dir>/payments`).
    #[arg(long)]
    pub remittance_dir: Option<PathBuf>,
    /// Patients registered for the cycle.
    #[arg(long, default_value_t = 200)]
    pub patients: usize,
    /// Seed of the cycle's patients and the payer's decisions.
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
    /// Seconds measured.
    pub seconds: f64,
    /// Calls that answered OK.
    pub ok: u64,
    /// Failed calls by gRPC status code name.
    pub errors: BTreeMap<String, u64>,
    /// Latencies of every call, OK or not.
    pub latency: Histogram,
}

impl Report {
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
        })
    }

    /// The report as text.
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
        format!(
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
        )
    }
}

/// Latency percentiles and maximum of `h`, in microseconds, as JSON.
fn latency_json(h: &Histogram) -> serde_json::Value {
    let p = |q: f64| h.percentile(q);
    serde_json::json!({
        "p50": p(50.0), "p90": p(90.0), "p99": p(99.0), "p99_9": p(99.9),
        "max": h.max(),
    })
}

/// One worker's counts.
#[derive(Debug, Default)]
struct Tally {
    ok: u64,
    errors: BTreeMap<String, u64>,
    latency: Histogram,
}

impl Tally {
    fn count(&mut self, result: Result<(), tonic::Status>, took: Duration) {
        self.latency.record(took.as_micros() as u64);
        match result {
            Ok(()) => self.ok += 1,
            Err(status) => {
                *self
                    .errors
                    .entry(format!("{:?}", status.code()))
                    .or_default() += 1
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.ok += other.ok;
        for (code, n) in other.errors {
            *self.errors.entry(code).or_default() += n;
        }
        self.latency.merge(&other.latency);
    }
}

/// `medbill load`.
pub async fn run(args: LoadArgs, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    if args.scenario == "cycle" {
        let report = cycle::run(&args).await?;
        out.write_all(report.to_text().as_bytes())?;
        if let Some(path) = &args.json {
            std::fs::write(path, serde_json::to_vec_pretty(&report.to_json())?)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        return Ok(());
    }
    let scenario = Scenario::connect(&args).await?;
    if args.warmup > 0 {
        drive(&scenario, &args, Duration::from_secs(args.warmup)).await;
    }
    let started = Instant::now();
    let tally = drive(&scenario, &args, Duration::from_secs(args.duration)).await;
    let report = Report {
        scenario: args.scenario.clone(),
        mode: match args.rate {
            Some(rate) => format!("open({rate}/s)"),
            None => format!("closed({})", args.concurrency),
        },
        seconds: started.elapsed().as_secs_f64(),
        ok: tally.ok,
        errors: tally.errors,
        latency: tally.latency,
    };
    out.write_all(report.to_text().as_bytes())?;
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report.to_json())?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Calls `scenario` for `length`, closed or open loop as `args` say.
async fn drive(scenario: &Scenario, args: &LoadArgs, length: Duration) -> Tally {
    let deadline = Instant::now() + length;
    let mut workers = Vec::new();
    match args.rate {
        None => {
            for worker in 0..args.concurrency.max(1) {
                let call = scenario.call(worker);
                workers.push(tokio::spawn(closed_loop(call, deadline)));
            }
        }
        Some(rate) => {
            workers.push(tokio::spawn(open_loop(
                scenario.clone(),
                rate.max(1),
                deadline,
            )));
        }
    }
    let mut tally = Tally::default();
    for w in workers {
        if let Ok(t) = w.await {
            tally.merge(t);
        }
    }
    tally
}

async fn closed_loop(mut call: Call, deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut n = 0u64;
    while Instant::now() < deadline {
        let started = Instant::now();
        let result = call.once(n).await;
        tally.count(result, started.elapsed());
        n += 1;
    }
    tally
}

async fn open_loop(scenario: Scenario, rate: u32, deadline: Instant) -> Tally {
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let in_flight = Arc::new(Semaphore::new(10_000));
    let (tx, mut rx) =
        tokio::sync::mpsc::unbounded_channel::<(Result<(), tonic::Status>, Duration)>();
    let start = Instant::now();
    let mut n = 0u64;
    loop {
        let due = start + interval.mul_f64(n as f64);
        if due >= deadline {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let mut call = scenario.call(n as usize);
        let tx = tx.clone();
        tokio::spawn(async move {
            let result = call.once(n).await;
            // From when the call was due, not when it was sent.
            let _ = tx.send((result, due.elapsed()));
            drop(permit);
        });
        n += 1;
    }
    drop(tx);
    let mut tally = Tally::default();
    while let Some((result, took)) = rx.recv().await {
        tally.count(result, took);
    }
    tally
}
