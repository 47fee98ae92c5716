//! Driving a scenario's calls: closed loop (a number of workers, each
//! calling again as soon as it is answered) or open loop (calls started at
//! a rate whatever the answers), until a deadline, or until the scenario
//! has nothing left to call with (a pool set up beforehand ran dry).
//!
//! Open loop measures each call from the moment it was due, not from when
//! a busy client got round to it, so a server that falls behind shows it in
//! the latencies instead of hiding it (coordinated omission).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::LoadArgs;
use super::tally::Rpcs;

/// How one call ended, and which RPC it was.
pub struct Outcome {
    /// The RPC's name, e.g. `CreateClaim`.
    pub rpc: &'static str,
    /// OK, or the status it failed with.
    pub result: Result<(), tonic::Status>,
}

/// A scenario's calls: what its workers share.
pub trait Workload: Clone + Send + Sync + 'static {
    /// One worker's clients.
    type Worker: Worker;
    /// The worker for closed-loop worker (or open-loop call) `n`.
    fn worker(&self, n: usize) -> Self::Worker;
}

/// One worker of a [`Workload`].
pub trait Worker: Send + 'static {
    /// Makes the `n`th call of this worker; `None` when the scenario has
    /// nothing left to call with.
    fn once(&mut self, n: u64) -> impl Future<Output = Option<Outcome>> + Send;
}

/// What a drive counted.
#[derive(Debug, Default)]
pub struct Driven {
    /// Per RPC.
    pub rpcs: Rpcs,
    /// Whether it stopped because the scenario had nothing left to call
    /// with, before the time was up.
    pub ran_dry: bool,
}

/// Calls `workload` for `length`, closed or open loop as `args` say; it
/// returns when every call started has answered.
pub async fn drive<W: Workload>(workload: &W, args: &LoadArgs, length: Duration) -> Driven {
    let deadline = Instant::now() + length;
    let mut workers = Vec::new();
    match args.rate {
        None => {
            for n in 0..args.concurrency.max(1) {
                workers.push(tokio::spawn(closed_loop(workload.worker(n), deadline)));
            }
        }
        Some(rate) => {
            workers.push(tokio::spawn(open_loop(
                workload.clone(),
                rate.max(1),
                deadline,
            )));
        }
    }
    let mut driven = Driven::default();
    for w in workers {
        if let Ok(d) = w.await {
            driven.rpcs.merge(d.rpcs);
            driven.ran_dry |= d.ran_dry;
        }
    }
    driven
}

async fn closed_loop<C: Worker>(mut worker: C, deadline: Instant) -> Driven {
    let mut driven = Driven::default();
    let mut n = 0u64;
    while Instant::now() < deadline {
        let started = Instant::now();
        let Some(outcome) = worker.once(n).await else {
            driven.ran_dry = true;
            break;
        };
        driven
            .rpcs
            .count(outcome.rpc, &outcome.result, started.elapsed());
        n += 1;
    }
    driven
}

async fn open_loop<W: Workload>(workload: W, rate: u32, deadline: Instant) -> Driven {
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let in_flight = Arc::new(Semaphore::new(10_000));
    let dry = Arc::new(AtomicBool::new(false));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Outcome, Duration)>();
    let start = Instant::now();
    let mut n = 0u64;
    loop {
        let due = start + interval.mul_f64(n as f64);
        if due >= deadline || dry.load(Ordering::Relaxed) {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let mut worker = workload.worker(n as usize);
        let (tx, dry) = (tx.clone(), dry.clone());
        tokio::spawn(async move {
            match worker.once(n).await {
                // From when the call was due, not when it was sent.
                Some(outcome) => {
                    let _ = tx.send((outcome, due.elapsed()));
                }
                None => dry.store(true, Ordering::Relaxed),
            }
            drop(permit);
        });
        n += 1;
    }
    drop(tx);
    let mut driven = Driven::default();
    while let Some((outcome, took)) = rx.recv().await {
        driven.rpcs.count(outcome.rpc, &outcome.result, took);
    }
    driven.ran_dry = dry.load(Ordering::Relaxed);
    driven
}
