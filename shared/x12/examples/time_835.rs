//! Times `read_835` on a file, for profiling (`valgrind --tool=callgrind`)
//! and quick checks beside the criterion benchmark.
//!
//! Usage: `cargo run --release -p medbill-x12 --example time_835 -- FILE [RUNS]`

use std::process::ExitCode;
use std::time::Instant;

use medbill_x12::remit::read_835;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: time_835 FILE [RUNS]");
        return ExitCode::from(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut best = f64::MAX;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        match read_835(&bytes) {
            Ok(r) => std::hint::black_box(r),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        best = best.min(start.elapsed().as_secs_f64());
    }
    // Throughput is a measurement, not money: a float is the right type.
    let mb = bytes.len() as f64 / 1e6;
    println!(
        "{} bytes, best of {runs}: {:.2} ms = {:.1} MB/s",
        bytes.len(),
        best * 1e3,
        mb / best
    );
    ExitCode::SUCCESS
}
