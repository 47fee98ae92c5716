//! The 837P and 837I readers: the samples the writers produce (and pyx12
//! accepts) read back into the very claims they were written from, and
//! broken claims are refused with their position.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_x12::cli::parse_to_json;
use medbill_x12::institutional::{read_837i, write_837i};
use medbill_x12::professional::{read_837p, write_837p};
use medbill_x12::samples;

#[test]
fn every_sample_professional_claim_reads_back_equal_to_what_was_written() {
    let batches = [
        samples::professional_batch("0001", 8),
        samples::professional_batch("0002", 3),
    ];
    let file = write_837p(&samples::interchange_params(1), &batches).unwrap();
    assert_eq!(read_837p(&file).unwrap(), batches);
}

#[test]
fn every_sample_institutional_claim_reads_back_equal_to_what_was_written() {
    let batches = [
        samples::institutional_batch("0001", 8),
        samples::institutional_batch("0002", 3),
    ];
    let file = write_837i(&samples::interchange_params(2), &batches).unwrap();
    assert_eq!(read_837i(&file).unwrap(), batches);
}

#[test]
fn the_professional_reader_refuses_an_institutional_file_at_st03() {
    let file = write_837i(
        &samples::interchange_params(2),
        &[samples::institutional_batch("0001", 1)],
    )
    .unwrap();
    let err = read_837p(&file).unwrap_err();
    assert_eq!(err.location.segment_id, "ST");
    assert!(err.to_string().contains("ST03"), "{err}");
}

#[test]
fn a_service_line_without_its_date_is_refused_at_the_next_segment() {
    let file = write_837p(
        &samples::interchange_params(1),
        &[samples::professional_batch("0001", 1)],
    )
    .unwrap();
    let text = String::from_utf8(file).unwrap();
    let start = text.find("DTP*472").unwrap();
    let end = start + text[start..].find('\n').unwrap() + 1;
    let broken = format!("{}{}", &text[..start], &text[end..]);
    let broken = fix_se_count(&broken, -1);
    let err = read_837p(broken.as_bytes()).unwrap_err();
    assert_eq!(
        err.kind.to_string(),
        "missing required segment: DTP*472 in loop 2400"
    );
}

#[test]
fn parse_to_json_types_837_claims_by_their_guide() {
    let file = write_837i(
        &samples::interchange_params(2),
        &[samples::institutional_batch("0001", 2)],
    )
    .unwrap();
    let json = parse_to_json(&file).unwrap();
    let tx = &json["interchanges"][0]["groups"][0]["transactions"][0];
    assert_eq!(tx["type"], "837");
    let claim = &tx["data"]["claims"][0];
    assert_eq!(
        claim["patient_control_number"],
        samples::institutional_claim(0).patient_control_number
    );
    assert_eq!(
        claim["total_charge"],
        samples::institutional_claim(0).total_charge.to_string()
    );
}

fn fix_se_count(text: &str, delta: i64) -> String {
    let at = text.find("\nSE*").unwrap() + 4;
    let end = at + text[at..].find('*').unwrap();
    let count: i64 = text[at..end].parse().unwrap();
    format!("{}{}{}", &text[..at], count + delta, &text[end..])
}
