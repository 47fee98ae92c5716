//! The 999 and 277CA readers on hand-made fixtures in the 5010 layouts
//! (both also pass pyx12 in `scripts/x12-oracle.sh`), directly and through
//! `cli::parse_to_json`/`cli::validate`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_x12::ack::{AckStatus, read_999};
use medbill_x12::claim_ack::{Disposition, read_277ca};
use medbill_x12::cli::{parse_to_json, validate};

const ACK: &[u8] = include_bytes!("fixtures/ack_partial.999");
const CLAIM_ACK: &[u8] = include_bytes!("fixtures/claim_ack.277");

fn replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(text.contains(from), "fixture lacks {from}");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn a_999_reports_each_transaction_set_with_its_segment_and_element_errors() {
    let acks = read_999(ACK).unwrap();
    assert_eq!(acks.len(), 1);
    let ack = &acks[0];
    assert_eq!(ack.functional_id, "HC");
    assert_eq!(ack.group_control_number, "1001");
    assert_eq!(ack.status, AckStatus::PartiallyAccepted);
    assert_eq!((ack.included, ack.received, ack.accepted), (3, 3, 2));
    let verdicts: Vec<(&str, AckStatus)> = ack
        .transactions
        .iter()
        .map(|t| (t.control_number.as_str(), t.status))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("0001", AckStatus::Accepted),
            ("0002", AckStatus::Rejected),
            ("0003", AckStatus::AcceptedWithErrors)
        ]
    );
    let rejected = &ack.transactions[1];
    assert_eq!(rejected.error_codes, ["5"]);
    assert_eq!(rejected.segment_errors.len(), 2);
    let nm1 = &rejected.segment_errors[0];
    assert_eq!(
        (
            nm1.segment_id.as_str(),
            nm1.position,
            nm1.loop_id.as_deref()
        ),
        ("NM1", 8, Some("2010"))
    );
    let element = &nm1.element_errors[0];
    assert_eq!(element.position, 9);
    assert_eq!(element.data_element.as_deref(), Some("67"));
    assert_eq!(element.code, "7");
    assert_eq!(element.bad_value.as_deref(), Some("MEMBER 1"));
    let date = &rejected.segment_errors[1].element_errors[0];
    assert_eq!((date.position, date.code.as_str()), (3, "8"));
    assert!(!rejected.status.is_accepted());
    assert!(ack.transactions[2].status.is_accepted());
}

#[test]
fn a_999_without_ak9_is_an_error_at_the_se() {
    let broken = replace(ACK, "AK9*P*3*3*2~\n", "");
    let broken = replace(&broken, "SE*16*0001", "SE*15*0001");
    let err = read_999(&broken).unwrap_err();
    assert_eq!(err.location.segment_id, "SE");
    assert_eq!(err.kind.to_string(), "missing required segment: AK9");
}

#[test]
fn an_ik4_before_any_ik3_names_the_offending_segment() {
    let broken = replace(
        ACK,
        "IK3*NM1*8*2010*8~",
        "IK5*A~\nAK2*837*0009~\nIK4*1*66*1~",
    );
    let err = read_999(&broken).unwrap_err();
    assert_eq!(err.location.segment_id, "IK4");
    assert!(err.to_string().contains("IK4 without IK3"), "{err}");
}

#[test]
fn an_unknown_ak9_code_is_rejected_at_ak901() {
    let broken = replace(ACK, "AK9*P", "AK9*Q");
    let err = read_999(&broken).unwrap_err();
    assert!(
        err.to_string().contains("AK901: invalid value \"Q\""),
        "{err}"
    );
}

#[test]
fn a_277ca_gives_each_claim_its_trace_numbers_and_disposition() {
    let acks = read_277ca(CLAIM_ACK).unwrap();
    let ack = &acks[0];
    assert_eq!(ack.reference_id, "277CA-7781");
    assert_eq!(
        ack.information_source.trace_number.as_deref(),
        Some("ACK-7781")
    );
    let receiver = ack.information_receiver.as_ref().unwrap();
    assert_eq!(receiver.trace_number.as_deref(), Some("BATCH-0001"));
    let amounts: Vec<(String, i64)> = receiver
        .amounts
        .iter()
        .map(|(q, a)| (q.clone(), a.cents()))
        .collect();
    assert_eq!(
        amounts,
        [("YU".to_owned(), 15000), ("YY".to_owned(), 20000)]
    );
    assert_eq!(ack.providers.len(), 1);
    let claims: Vec<(&str, Disposition, Option<&str>, Option<&str>)> = ack
        .claims
        .iter()
        .map(|c| {
            (
                c.patient_control_number.as_str(),
                c.disposition,
                c.payer_claim_control_number.as_deref(),
                c.clearinghouse_trace_number.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        claims,
        [
            (
                "PCN-1001",
                Disposition::Accepted,
                Some("ICN-555001"),
                Some("CH-TRACE-1")
            ),
            (
                "PCN-1002",
                Disposition::Rejected,
                Some("ICN-555002"),
                Some("CH-TRACE-2")
            ),
        ]
    );
    assert_eq!(ack.claims[0].provider_hl_id.as_deref(), Some("3"));
}

#[test]
fn a_rejected_claim_keeps_every_status_composite_and_its_line_statuses() {
    let ack = read_277ca(CLAIM_ACK).unwrap().remove(0);
    let rejected = &ack.claims[1];
    let statuses: Vec<(&str, &str, Option<&str>)> = rejected
        .statuses
        .iter()
        .map(|s| (s.category.as_str(), s.status.as_str(), s.entity.as_deref()))
        .collect();
    assert_eq!(
        statuses,
        [("A7", "21", Some("IL")), ("A7", "164", Some("QC"))]
    );
    assert_eq!(rejected.statuses[0].action.as_deref(), Some("U"));
    assert_eq!(rejected.statuses[0].charge.map(|a| a.cents()), Some(20000));
    let line = &rejected.lines[0];
    assert_eq!(line.procedure.code, "99214");
    assert_eq!(line.procedure.modifiers, ["25"]);
    assert_eq!(
        line.line_item_control_number.as_deref(),
        Some("LINE-1002-1")
    );
    assert_eq!(line.statuses[0].status, "453");
    assert_eq!(line.units.map(|u| u.to_string()), Some("1".to_owned()));
}

#[test]
fn a_277ca_claim_without_a_status_is_an_error() {
    let broken = replace(CLAIM_ACK, "STC*A2:20:PR*20240320*WQ*150~\n", "");
    let broken = replace(&broken, "SE*42*0001", "SE*41*0001");
    let err = read_277ca(&broken).unwrap_err();
    assert!(
        err.to_string().contains("missing required segment: STC"),
        "{err}"
    );
}

#[test]
fn parse_to_json_types_999_and_277ca_bodies() {
    let json = parse_to_json(ACK).unwrap();
    let tx = &json["interchanges"][0]["groups"][0]["transactions"][0];
    assert_eq!(tx["type"], "999");
    assert_eq!(tx["data"]["status"], "partially_accepted");
    assert_eq!(
        tx["data"]["transactions"][1]["segment_errors"][0]["element_errors"][0]["code"],
        "7"
    );
    let json = parse_to_json(CLAIM_ACK).unwrap();
    let tx = &json["interchanges"][0]["groups"][0]["transactions"][0];
    assert_eq!(tx["type"], "277");
    assert_eq!(tx["data"]["claims"][1]["disposition"], "rejected");
    assert_eq!(tx["data"]["claims"][1]["statuses"][0]["charge"], "200.00");
    assert_eq!(tx["data"]["claims"][0]["patient"]["last_name"], "DOE");
}

#[test]
fn validate_accepts_the_fixtures_and_names_a_missing_ak1() {
    for file in [ACK, CLAIM_ACK] {
        let report = validate(file);
        assert!(!report.has_errors(), "{report}");
        assert_eq!(report.transactions, 1);
    }
    let broken = replace(ACK, "AK1*HC*1001*005010X222A1~\n", "");
    let report = validate(&broken);
    assert!(report.has_errors());
    let text = report.to_string();
    assert!(
        text.contains("(AK2)") && text.contains("before AK1"),
        "{text}"
    );
}
