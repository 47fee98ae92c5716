//! The generated sample files are what they claim: a large 835 that reads
//! back balanced, and 837 files the validator accepts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_x12::cli::validate;
use medbill_x12::institutional::write_837i;
use medbill_x12::remit::balance::balance;
use medbill_x12::remit::read_835;
use medbill_x12::samples;

#[test]
fn the_generated_835_reads_back_balanced_claim_by_claim() {
    let file = samples::remittance_file(4_500).unwrap();
    let remittances = read_835(&file).unwrap();
    assert_eq!(remittances.len(), 3);
    assert_eq!(
        remittances.iter().map(|r| r.claim_count()).sum::<usize>(),
        4_500
    );
    for r in &remittances {
        assert_eq!(balance(r), vec![]);
    }
    assert_eq!(
        remittances[2]
            .claim(0)
            .and_then(|c| c.service(1))
            .and_then(|l| l.line_item_control_number.clone())
            .as_deref(),
        Some("PCN0004000-2")
    );
}

#[test]
fn a_generated_837i_passes_our_own_validation() {
    let file = write_837i(
        &samples::interchange_params(3),
        &[samples::institutional_batch("0001", 8)],
    )
    .unwrap();
    let report = validate(&file);
    assert!(!report.has_errors(), "{report}");
}
