//! `cli::parse_to_json` and `cli::validate` on hand-made and generated files,
//! as `medbill x12 parse` and `medbill x12 validate` will run them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_x12::cli::{parse_to_json, validate};
use medbill_x12::professional::write_837p;
use medbill_x12::samples;

const MULTI: &[u8] = include_bytes!("fixtures/remit_multi_claim.835");
const UNBALANCED: &[u8] = include_bytes!("fixtures/remit_unbalanced.835");

#[test]
fn parse_gives_every_clp_svc_cas_triple_and_plb_with_exact_amounts() {
    let json = parse_to_json(MULTI).unwrap();
    let group = &json["interchanges"][0]["groups"][0];
    assert_eq!(group["header"]["functional_id"], "HP");
    let tx = &group["transactions"][0];
    assert_eq!(tx["type"], "835");
    assert_eq!(tx["control_number"], "0001");
    let data = &tx["data"];
    assert_eq!(data["payment"]["amount"], "212.50");
    let pcns: Vec<&str> = data["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["patient_control_number"].as_str().unwrap())
        .collect();
    assert_eq!(pcns, ["PCN-1001", "PCN-1002", "PCN-0990", "PCN-1003"]);
    assert_eq!(data["claims"][1]["status"], "denied");
    assert_eq!(data["claims"][2]["paid"], "-150.00");
    let line = &data["claims"][0]["services"][0];
    assert_eq!(line["procedure"]["modifiers"][0], "25");
    let triples: Vec<(String, String, String)> = line["adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["group"].as_str().unwrap().into(),
                a["reason"].as_str().unwrap().into(),
                a["amount"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        triples,
        [
            ("CO", "45", "40.00"),
            ("PR", "1", "30.00"),
            ("PR", "2", "20.00"),
            ("PR", "3", "10.00")
        ]
        .map(|(g, r, a)| (g.to_owned(), r.to_owned(), a.to_owned()))
    );
    let plb: Vec<&str> = data["provider_adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["amount"].as_str().unwrap())
        .collect();
    assert_eq!(plb, ["25.00", "10.00", "-2.50", "-5.00"]);
    assert_eq!(data["balancing"], serde_json::json!([]));
}

#[test]
fn parse_shows_the_patient_name_in_json_but_debug_output_hides_it() {
    let json = parse_to_json(MULTI).unwrap();
    assert_eq!(
        json["interchanges"][0]["groups"][0]["transactions"][0]["data"]["claims"][0]["names"][0]["last_name"],
        "DOE"
    );
}

#[test]
fn parse_stops_at_the_first_error_with_its_position() {
    let text = String::from_utf8(MULTI.to_vec())
        .unwrap()
        .replace("SE*45*0001", "SE*40*0001");
    let err = parse_to_json(text.as_bytes()).unwrap_err();
    assert!(err.to_string().starts_with("segment 47 (SE)"), "{err}");
}

#[test]
fn validate_passes_a_balanced_835() {
    let report = validate(MULTI);
    assert!(!report.has_errors(), "{report}");
    assert_eq!(
        report.to_string(),
        "1 transaction set(s), 0 error(s), 0 warning(s)"
    );
}

#[test]
fn validate_reports_every_imbalance_with_its_segment() {
    let report = validate(UNBALANCED);
    assert!(report.has_errors());
    let lines: Vec<String> = report.to_string().lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 4, "{report}");
    assert!(
        lines[0].starts_with("error: segment 4 (BPR) at byte "),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with(
        "unbalanced: BPR02 is 212.51 but the sum of CLP04 less PLB adjustments is 212.50"
    ));
    assert!(lines[1].contains("segment 26 (SVC)"), "{}", lines[1]);
    assert!(lines[2].contains("segment 15 (CLP)"), "{}", lines[2]);
}

#[test]
fn validate_reports_a_wrong_se_count_and_keeps_going() {
    let text = String::from_utf8(UNBALANCED.to_vec())
        .unwrap()
        .replace("SE*45*0001", "SE*46*0001");
    let report = validate(text.as_bytes());
    let lines = report.to_string();
    assert!(lines.contains("segment 47 (SE) at byte"), "{lines}");
    assert!(
        lines.contains("SE01: declared count 46 but found 45"),
        "{lines}"
    );
    assert!(lines.contains("(BPR)"), "balancing still runs: {lines}");
}

#[test]
fn validate_accepts_a_generated_837p_and_names_a_missing_required_segment() {
    let file = write_837p(
        &samples::interchange_params(7),
        &[samples::professional_batch("0001", 4)],
    )
    .unwrap();
    let report = validate(&file);
    assert!(!report.has_errors(), "{report}");
    let without_hi: String = String::from_utf8(file)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("HI*"))
        .collect::<Vec<_>>()
        .join("\n");
    let report = validate(without_hi.as_bytes());
    assert!(
        report.to_string().contains("missing required segment: HI"),
        "{report}"
    );
}

#[test]
fn validate_reports_garbage_instead_of_panicking() {
    let report = validate(b"not an x12 file at all");
    assert!(report.has_errors());
    assert!(
        report
            .to_string()
            .starts_with("error: segment 1 (not) at byte 0: invalid ISA header"),
        "{report}"
    );
}
