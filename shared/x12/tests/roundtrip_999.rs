//! Round trip of the 999: for arbitrary acknowledgments,
//! `read_999(write_999(acks)) == acks`, and the written file validates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_x12::ack::{
    AckStatus, ElementError, ErrorContext, ImplementationAck, SegmentError, TransactionAck,
    read_999, write_999,
};
use medbill_x12::cli::validate;
use medbill_x12::samples;
use proptest::option::of;
use proptest::prelude::*;

fn code(pattern: &'static str) -> impl Strategy<Value = String> {
    proptest::string::string_regex(pattern).unwrap()
}

fn status() -> impl Strategy<Value = AckStatus> {
    prop_oneof![
        Just(AckStatus::Accepted),
        Just(AckStatus::AcceptedWithErrors),
        Just(AckStatus::Rejected),
        Just(AckStatus::RejectedAuthentication),
        Just(AckStatus::RejectedAssurance),
        Just(AckStatus::RejectedDecryption),
    ]
}

fn context() -> impl Strategy<Value = ErrorContext> {
    (
        (
            code("CLM01|SITUATIONAL TRIGGER"),
            of(code("[A-Z0-9-]{1,20}")),
        ),
        (
            of(code("[A-Z][A-Z0-9]{1,2}")),
            of(1u32..100_000),
            of(code("[0-9]{4}[A-Z]{0,2}")),
        ),
        (of(1u32..99), of(1u32..20)),
    )
        .prop_map(|(name, segment, element)| ErrorContext {
            name: name.0,
            reference: name.1,
            segment_id: segment.0,
            segment_position: segment.1,
            loop_id: segment.2,
            element_position: element.0,
            component_position: element.1,
        })
}

fn element_error() -> impl Strategy<Value = ElementError> {
    (
        1u32..99,
        of(1u32..20),
        of(1u32..20),
        of(code("[0-9]{1,4}")),
        code("[0-9]{1,2}|I[0-9]{1,2}"),
        of(code("[A-Z0-9][A-Z0-9 .-]{0,20}")),
        prop::collection::vec(context(), 0..2),
    )
        .prop_map(
            |(position, component, repetition, data_element, code, bad_value, contexts)| {
                ElementError {
                    position,
                    component,
                    repetition,
                    data_element,
                    code,
                    bad_value,
                    contexts,
                }
            },
        )
}

fn segment_error() -> impl Strategy<Value = SegmentError> {
    (
        code("[A-Z][A-Z0-9]{1,2}"),
        1u32..100_000,
        of(code("[0-9]{4}[A-Z]{0,2}")),
        of(code("[0-9]|I[0-9]")),
        prop::collection::vec(context(), 0..2),
        prop::collection::vec(element_error(), 0..3),
    )
        .prop_map(
            |(segment_id, position, loop_id, code, contexts, element_errors)| SegmentError {
                segment_id,
                position,
                loop_id,
                code,
                contexts,
                element_errors,
            },
        )
}

fn transaction() -> impl Strategy<Value = TransactionAck> {
    (
        code("837|835|270|276"),
        code("[0-9]{4,9}"),
        of(code("005010X2[0-9]{2}(A[12])?")),
        prop::collection::vec(segment_error(), 0..3),
        status(),
        prop::collection::vec(code("[0-9]|I[0-9]"), 0..=5),
    )
        .prop_map(
            |(id, control_number, version, segment_errors, status, error_codes)| TransactionAck {
                id,
                control_number,
                version,
                segment_errors,
                status,
                error_codes,
            },
        )
}

fn ack() -> impl Strategy<Value = ImplementationAck> {
    (
        (
            code("[0-9]{4,9}"),
            code("HC|HP|HS|HR"),
            code("[1-9][0-9]{0,8}"),
        ),
        of(code("005010X2[0-9]{2}(A[12])?")),
        prop::collection::vec(transaction(), 0..4),
        (
            prop_oneof![status(), Just(AckStatus::PartiallyAccepted)],
            0u32..1000,
            0u32..1000,
            0u32..1000,
        ),
        prop::collection::vec(code("[0-9]{1,2}"), 0..=5),
    )
        .prop_map(
            |(ids, version, transactions, counts, group_errors)| ImplementationAck {
                control_number: ids.0,
                functional_id: ids.1,
                group_control_number: ids.2,
                version,
                transactions,
                status: counts.0,
                included: counts.1,
                received: counts.2,
                accepted: counts.3,
                group_errors,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_999_reads_back_equal_and_validates(acks in prop::collection::vec(ack(), 1..3)) {
        let file = write_999(&samples::interchange_params(7), &acks).unwrap();
        prop_assert_eq!(read_999(&file).unwrap(), acks);
        let report = validate(&file);
        prop_assert!(!report.has_errors(), "{}", report);
    }
}

#[test]
fn the_sample_999_is_the_fixture_and_names_the_rejected_claim() {
    let ack = samples::implementation_ack();
    let fixture = read_999(include_bytes!("fixtures/ack_partial.999")).unwrap();
    assert_eq!(fixture, std::slice::from_ref(&ack));
    let rejected = &fixture[0].transactions[1];
    let claims: Vec<Option<&str>> = rejected
        .segment_errors
        .iter()
        .map(|e| e.patient_control_number())
        .collect();
    assert_eq!(claims, [None, Some("PCN-2002")]);
}

#[test]
fn the_sample_999_reads_back_equal() {
    let ack = samples::implementation_ack();
    let file = write_999(&samples::interchange_params(3), std::slice::from_ref(&ack)).unwrap();
    assert_eq!(read_999(&file).unwrap(), [ack]);
    let text = String::from_utf8(file).unwrap();
    assert!(text.contains("GS*FA*"), "{text}");
    assert!(text.contains("ST*999*0001*005010X231A1~"), "{text}");
    assert!(
        text.contains("IK3*DTP*17*2400*8~\nCTX*CLM01:PCN-2002~\nIK4*3*1251*8*20241301~"),
        "{text}"
    );
}

#[test]
fn a_transaction_set_cannot_be_partially_accepted() {
    let mut ack = samples::implementation_ack();
    ack.transactions[0].status = AckStatus::PartiallyAccepted;
    let err = write_999(&samples::interchange_params(3), &[ack]).unwrap_err();
    assert_eq!(err.field, "acks[0].transactions[0].status");
}

#[test]
fn more_than_five_syntax_error_codes_are_refused() {
    let mut ack = samples::implementation_ack();
    ack.transactions[1].error_codes = vec!["5".into(); 6];
    let err = write_999(&samples::interchange_params(3), &[ack]).unwrap_err();
    assert_eq!(err.field, "acks[0].transactions[1].error_codes");
}
