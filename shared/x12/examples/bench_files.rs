//! Writes the benchmark inputs to a directory so pyx12 can be timed on the
//! very same bytes the criterion benchmarks use:
//! `bench-835.x12` (36 000 claims, about 11.7 MB) and `bench-837p.x12`
//! (10 000 claims).
//!
//! Usage: `cargo run --release -p medbill-x12 --example bench_files -- OUTDIR`

use std::path::PathBuf;
use std::process::ExitCode;

use medbill_x12::professional::write_837p;
use medbill_x12::samples;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: bench_files OUTDIR");
        return ExitCode::from(2);
    };
    let files = [
        ("bench-835.x12", samples::remittance_file(36_000)),
        (
            "bench-837p.x12",
            write_837p(
                &samples::interchange_params(1),
                &[samples::professional_batch("0001", 10_000)],
            ),
        ),
    ];
    for (name, bytes) in files {
        let path = dir.join(name);
        let written = bytes.map_err(|e| e.to_string()).and_then(|b| {
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&path, &b))
                .map(|()| b.len())
                .map_err(|e| e.to_string())
        });
        match written {
            Ok(len) => println!("wrote {} ({len} bytes)", path.display()),
            Err(e) => {
                eprintln!("cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
