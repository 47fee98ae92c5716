//! Sample acknowledgments (999 and 277CA) of an 837P batch of three claim
//! sets, for the writers' tests, the pyx12 oracle and demos.

use crate::ack::{AckStatus, ElementError, ImplementationAck, SegmentError, TransactionAck};

/// A 999 that accepts set `0001`, rejects `0002` (a bad member id and an
/// impossible date) and accepts `0003` with an error noted.
pub fn implementation_ack() -> ImplementationAck {
    let transaction =
        |control: &str, status, errors: Vec<SegmentError>, codes: &[&str]| TransactionAck {
            id: "837".into(),
            control_number: control.into(),
            version: Some("005010X222A1".into()),
            segment_errors: errors,
            status,
            error_codes: codes.iter().map(|c| (*c).to_owned()).collect(),
        };
    let element = |position, component, data_element: &str, code: &str, bad: &str| ElementError {
        position,
        component,
        repetition: None,
        data_element: Some(data_element.into()),
        code: code.into(),
        bad_value: Some(bad.into()),
    };
    let segment = |id: &str, position, loop_id: &str, code: &str, errors| SegmentError {
        segment_id: id.into(),
        position,
        loop_id: Some(loop_id.into()),
        code: Some(code.into()),
        element_errors: errors,
    };
    ImplementationAck {
        control_number: "0001".into(),
        functional_id: "HC".into(),
        group_control_number: "1001".into(),
        version: Some("005010X222A1".into()),
        transactions: vec![
            transaction("0001", AckStatus::Accepted, Vec::new(), &[]),
            transaction(
                "0002",
                AckStatus::Rejected,
                vec![
                    segment(
                        "NM1",
                        8,
                        "2010",
                        "8",
                        vec![element(9, None, "67", "7", "MEMBER 1")],
                    ),
                    segment(
                        "DTP",
                        17,
                        "2400",
                        "8",
                        vec![element(3, Some(2), "1251", "8", "20241301")],
                    ),
                ],
                &["5"],
            ),
            transaction(
                "0003",
                AckStatus::AcceptedWithErrors,
                vec![segment("REF", 21, "2300", "I4", Vec::new())],
                &["I5"],
            ),
        ],
        status: AckStatus::PartiallyAccepted,
        included: 3,
        received: 3,
        accepted: 2,
        group_errors: Vec::new(),
    }
}
