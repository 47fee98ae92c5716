//! What a run counts: per RPC, the calls that answered OK, the failures by
//! gRPC status code and the latency of every call; and how those read as
//! a table and as JSON.

use std::collections::BTreeMap;
use std::time::Duration;

use super::histogram::Histogram;

/// One RPC's (or one worker's) counts.
#[derive(Debug, Default)]
pub struct Tally {
    /// Calls that answered OK.
    pub ok: u64,
    /// Failed calls by gRPC status code name.
    pub errors: BTreeMap<String, u64>,
    /// Latencies of every call, OK or not.
    pub latency: Histogram,
}

impl Tally {
    /// Counts one call that took `took`.
    pub fn count(&mut self, result: Result<(), tonic::Status>, took: Duration) {
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

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: Tally) {
        self.ok += other.ok;
        for (code, n) in other.errors {
            *self.errors.entry(code).or_default() += n;
        }
        self.latency.merge(&other.latency);
    }

    /// Failed calls, whatever the code.
    pub fn failed(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// Latencies and outcomes per RPC.
#[derive(Debug, Default)]
pub struct Rpcs(pub BTreeMap<&'static str, Tally>);

impl Rpcs {
    /// Counts a call of `rpc` that answered `result` after `took`.
    pub fn count<T>(
        &mut self,
        rpc: &'static str,
        result: &Result<T, tonic::Status>,
        took: Duration,
    ) {
        let outcome = match result {
            Ok(_) => Ok(()),
            Err(s) => Err(s.clone()),
        };
        self.0.entry(rpc).or_default().count(outcome, took);
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: Rpcs) {
        for (rpc, tally) in other.0 {
            self.0.entry(rpc).or_default().merge(tally);
        }
    }

    /// Every RPC's counts together.
    pub fn total(&self) -> Tally {
        let mut all = Tally::default();
        for tally in self.0.values() {
            all.ok += tally.ok;
            for (code, n) in &tally.errors {
                *all.errors.entry(code.clone()).or_default() += n;
            }
            all.latency.merge(&tally.latency);
        }
        all
    }

    /// A table with a row per RPC: calls, OK, errors and latency
    /// percentiles in milliseconds.
    pub fn to_table(&self) -> String {
        let mut out = String::from(
            "rpc                      calls      ok  errors   p50 ms   p90 ms   p99 ms  max ms\n",
        );
        for (rpc, t) in &self.0 {
            let ms = |q: f64| t.latency.percentile(q) as f64 / 1000.0;
            out.push_str(&format!(
                "{rpc:<22} {:>7} {:>7} {:>7} {:>8.2} {:>8.2} {:>8.2} {:>7.1}\n",
                t.latency.len(),
                t.ok,
                t.failed(),
                ms(50.0),
                ms(90.0),
                ms(99.0),
                t.latency.max() as f64 / 1000.0,
            ));
        }
        out
    }

    /// Per RPC as JSON (latencies in microseconds).
    pub fn to_json(&self) -> serde_json::Value {
        let rpcs: serde_json::Map<String, serde_json::Value> = self
            .0
            .iter()
            .map(|(rpc, t)| {
                (
                    (*rpc).to_string(),
                    serde_json::json!({
                        "calls": t.latency.len(),
                        "ok": t.ok,
                        "errors": t.errors,
                        "latency_us": latency_json(&t.latency),
                    }),
                )
            })
            .collect();
        serde_json::Value::Object(rpcs)
    }
}

/// Latency percentiles and maximum of `h`, in microseconds, as JSON.
pub fn latency_json(h: &Histogram) -> serde_json::Value {
    let p = |q: f64| h.percentile(q);
    serde_json::json!({
        "p50": p(50.0), "p90": p(90.0), "p99": p(99.0), "p99_9": p(99.9),
        "max": h.max(),
    })
}
