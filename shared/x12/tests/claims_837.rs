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

#[test]
fn segments_outside_the_model_are_accepted_without_changing_the_claim() {
    let batch = samples::professional_batch("0001", 1);
    let file = write_837p(
        &samples::interchange_params(1),
        std::slice::from_ref(&batch),
    )
    .unwrap();
    let text = String::from_utf8(file).unwrap();
    // A pay-to address loop after the billing provider (with its own N3,
    // N4 and REF), a claim note and a line-level rendering provider:
    // common in real files, not held by the model. The service facility
    // (2310C) between them is held, and read.
    let ein_line = format!("REF*EI*{}~\n", batch.claims[0].billing_provider.ein);
    let pay_to = "NM1*87*2~\nN3*PO BOX 12~\nN4*HARTFORD*CT*06101~\nREF*TJ*987654321~\n";
    let text = text
        .replacen(&ein_line, &format!("{ein_line}{pay_to}"), 1)
        .replacen(
            "\nHI*",
            "\nNTE*ADD*PATIENT SEEN TWICE~\nNM1*77*2*EAST CAMPUS*****XX*1234567893~\nN3*9 ELM ST~\nN4*HARTFORD*CT*06101~\nHI*",
            1,
        )
        .replacen(
            "\nREF*6R*",
            "\nNM1*82*1*JONES*AMY****XX*1234567893~\nREF*6R*",
            1,
        );
    let text = fix_se_count(&text, 9);
    assert!(!medbill_x12::cli::validate(text.as_bytes()).has_errors());
    let mut expected = batch;
    expected.claims[0].service_facility = Some(medbill_x12::claim::ServiceFacility {
        name: "EAST CAMPUS".into(),
        npi: "1234567893".into(),
        address: medbill_x12::common::Address {
            line1: medbill_x12::Phi::new("9 ELM ST".into()),
            line2: None,
            city: medbill_x12::Phi::new("HARTFORD".into()),
            state: Some("CT".into()),
            postal_code: Some(medbill_x12::Phi::new("06101".into())),
            country: None,
        },
    });
    assert_eq!(read_837p(text.as_bytes()).unwrap(), [expected]);
}

fn fix_se_count(text: &str, delta: i64) -> String {
    let at = text.find("\nSE*").unwrap() + 4;
    let end = at + text[at..].find('*').unwrap();
    let count: i64 = text[at..end].parse().unwrap();
    format!("{}{}{}", &text[..at], count + delta, &text[end..])
}
