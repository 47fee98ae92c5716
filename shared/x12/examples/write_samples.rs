//! Writes sample 837P, 837I, 999, 277CA and 835 files into a directory, for the pyx12
//! oracle script (`scripts/x12-oracle.sh`) and for people to look at.
//!
//! Usage: `cargo run -p medbill-x12 --example write_samples -- OUTDIR`

use std::path::PathBuf;
use std::process::ExitCode;

use medbill_x12::ack::write_999;
use medbill_x12::claim_ack::write_277ca;
use medbill_x12::institutional::write_837i;
use medbill_x12::professional::write_837p;
use medbill_x12::remit::write_835;
use medbill_x12::samples;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: write_samples OUTDIR");
        return ExitCode::from(2);
    };
    let files = [
        (
            "sample-837p.x12",
            write_837p(
                &samples::interchange_params(1),
                &[
                    samples::professional_batch("0001", 8),
                    samples::professional_batch("0002", 3),
                ],
            ),
        ),
        (
            "sample-837i.x12",
            write_837i(
                &samples::interchange_params(2),
                &[
                    samples::institutional_batch("0001", 8),
                    samples::institutional_batch("0002", 3),
                ],
            ),
        ),
        (
            "sample-999.x12",
            write_999(
                &samples::interchange_params(3),
                &[samples::implementation_ack()],
            ),
        ),
        (
            "sample-277ca.x12",
            write_277ca(
                &samples::interchange_params(4),
                &[samples::claim_acknowledgment()],
            ),
        ),
        (
            "sample-835.x12",
            write_835(&samples::interchange_params(5), &[samples::remittance()]),
        ),
    ];
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for (name, bytes) in files {
        let path = dir.join(name);
        let written = bytes
            .map_err(|e| e.to_string())
            .and_then(|b| std::fs::write(&path, b).map_err(|e| e.to_string()));
        match written {
            Ok(()) => println!("wrote {}", path.display()),
            Err(e) => {
                eprintln!("cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
