//! docs/SCRUBBER.md is the scrubber's rule catalog as generated; this test
//! fails when the two differ (`UPDATE_DOCS=1` rewrites the file).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

#[test]
fn docs_scrubber_md_is_generated_from_the_catalog() {
    // The workspace root is two levels above this crate.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.ancestors().nth(2).unwrap().join("docs/SCRUBBER.md");
    let generated = medbill_billing::scrubber::catalog_markdown();
    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/SCRUBBER.md is stale: run `UPDATE_DOCS=1 cargo test -p medbill-billing --test scrubber_doc`"
    );
}
