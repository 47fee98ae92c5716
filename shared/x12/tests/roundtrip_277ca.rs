//! Round trip of the 277CA: for arbitrary acknowledgments,
//! `read_277ca(write_277ca(acks)) == acks`, and the written file validates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ack_strategies.rs"]
mod ack_strategies;

use ack_strategies::*;
use medbill_x12::claim_ack::{
    ClaimAcknowledgment, ClaimStatusReport, Disposition, LineStatusReport, StatusLevel, read_277ca,
    write_277ca,
};
use medbill_x12::cli::validate;
use medbill_x12::common::Reference;
use medbill_x12::samples;
use proptest::option::of;
use proptest::prelude::*;

const FIXTURE: &[u8] = include_bytes!("fixtures/claim_ack.277");

fn level(hl_id: String, role: &'static str) -> impl Strategy<Value = StatusLevel> {
    (
        of(entity(role)),
        of(code("[A-Z0-9-]{1,20}")),
        prop::collection::vec(status(), 0..4),
        prop::collection::vec(
            (code("TJ|SY|G2|LU"), code("[A-Z0-9]{1,20}")).prop_map(|(q, v)| Reference {
                qualifier: q.as_str().into(),
                value: v.as_str().into(),
            }),
            0..2,
        ),
        prop::collection::vec(date_ref("050"), 0..2),
        prop::collection::vec((code("90|AA|QA|QC"), quantity()), 0..3),
        prop::collection::vec((code("YU|YY"), money(0, 100_000_000)), 0..3),
    )
        .prop_map(
            move |(entity, trace_number, statuses, references, dates, quantities, amounts)| {
                StatusLevel {
                    hl_id: hl_id.clone(),
                    entity,
                    trace_number,
                    statuses,
                    references,
                    dates,
                    quantities,
                    amounts,
                }
            },
        )
}

fn line() -> impl Strategy<Value = LineStatusReport> {
    (
        procedure(),
        money(0, 10_000_000),
        of(code("0[0-9]{3}")),
        of(quantity()),
        prop::collection::vec(status(), 1..3),
        of(code("[A-Z0-9-]{1,30}")),
        of(date_ref("472")),
    )
        .prop_map(
            |(procedure, charge, revenue_code, units, statuses, control, date)| LineStatusReport {
                procedure,
                charge,
                revenue_code,
                units,
                statuses,
                line_item_control_number: control,
                service_date: date,
            },
        )
}

fn claim(provider_hl_id: Option<String>) -> impl Strategy<Value = ClaimStatusReport> {
    (
        of(entity("QC")),
        code("[A-Z0-9-]{1,20}"),
        prop::collection::vec(status(), 1..5),
        (
            of(code("[A-Z0-9]{1,30}")),
            of(code("[A-Z0-9]{1,30}")),
            of(code("[0-9]{3}")),
        ),
        prop::collection::vec((code("EA|F8|D1"), code("[A-Z0-9]{1,20}")), 0..2),
        of(date_ref("472")),
        prop::collection::vec(line(), 0..3),
    )
        .prop_map(
            move |(patient, pcn, statuses, refs, others, dates, lines)| ClaimStatusReport {
                provider_hl_id: provider_hl_id.clone(),
                patient,
                patient_control_number: pcn,
                disposition: Disposition::from_category(&statuses[0].category),
                statuses,
                payer_claim_control_number: refs.0,
                clearinghouse_trace_number: refs.1,
                bill_type: refs.2,
                references: others
                    .into_iter()
                    .map(|(q, v)| Reference {
                        qualifier: q.as_str().into(),
                        value: v.as_str().into(),
                    })
                    .collect(),
                service_dates: dates,
                lines,
            },
        )
}

/// Level HL ids are the strings 1, 2, 10, 11, ... so the writer's own
/// numbering of the claim levels has to step around them.
fn acknowledgment() -> impl Strategy<Value = ClaimAcknowledgment> {
    (0usize..3, any::<bool>())
        .prop_flat_map(|(providers, receiver)| {
            let provider_levels: Vec<_> = (0..providers)
                .map(|n| level(format!("{}", 10 + n), "85"))
                .collect();
            let claims = (0..=providers)
                .map(|n| {
                    let parent = n.checked_sub(1).map(|p| format!("{}", 10 + p));
                    prop::collection::vec(claim(parent), 0..3)
                })
                .collect::<Vec<_>>();
            (
                (code("[0-9]{4,9}"), code("[A-Z0-9-]{1,30}"), date()),
                level("1".into(), "PR"),
                if receiver {
                    of(level("2".into(), "41")).boxed()
                } else {
                    Just(None).boxed()
                },
                provider_levels,
                claims,
            )
        })
        .prop_map(
            |(header, source, receiver, providers, claims)| ClaimAcknowledgment {
                control_number: header.0,
                reference_id: header.1,
                created: header.2,
                information_source: source,
                information_receiver: receiver,
                providers,
                claims: claims.into_iter().flatten().collect(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_277ca_reads_back_equal_and_validates(acks in prop::collection::vec(acknowledgment(), 1..3)) {
        let file = write_277ca(&samples::interchange_params(8), &acks).unwrap();
        prop_assert_eq!(read_277ca(&file).unwrap(), acks);
        let report = validate(&file);
        prop_assert!(!report.has_errors(), "{}", report);
    }
}

#[test]
fn the_sample_is_the_fixture_and_both_round_trip() {
    let sample = samples::claim_acknowledgment();
    assert_eq!(read_277ca(FIXTURE).unwrap(), std::slice::from_ref(&sample));
    let file = write_277ca(
        &samples::interchange_params(4),
        std::slice::from_ref(&sample),
    )
    .unwrap();
    assert_eq!(read_277ca(&file).unwrap(), [sample]);
    let text = String::from_utf8(file).unwrap();
    assert!(text.contains("GS*HN*"), "{text}");
    assert!(
        text.contains("STC*A7:21:IL*20240320*U*200******A7:164:QC~"),
        "{text}"
    );
    assert!(text.contains("HL*5*3*PT~"), "{text}");
}

#[test]
fn a_provider_secondary_id_and_a_prescription_number_do_not_stop_the_reader() {
    let text = String::from_utf8(FIXTURE.to_vec())
        .unwrap()
        .replacen(
            "STC*A1:19:PR**WQ*350~\n",
            "STC*A1:19:PR**WQ*350~\nREF*TJ*061234567~\n",
            1,
        )
        .replacen(
            "REF*FJ*LINE-1002-1~\n",
            "REF*FJ*LINE-1002-1~\nREF*XZ*RX1234~\n",
            1,
        )
        .replacen("SE*42*0001", "SE*44*0001", 1);
    let ack = read_277ca(text.as_bytes()).unwrap().remove(0);
    assert_eq!(ack.providers[0].references[0].qualifier, "TJ");
    assert_eq!(ack.providers[0].references[0].value, "061234567");
    assert_eq!(
        ack.claims[1].lines[0].line_item_control_number.as_deref(),
        Some("LINE-1002-1")
    );
    let file = write_277ca(&samples::interchange_params(4), std::slice::from_ref(&ack)).unwrap();
    assert_eq!(read_277ca(&file).unwrap(), [ack]);
}

#[test]
fn claims_out_of_provider_order_are_refused() {
    let mut ack = samples::claim_acknowledgment();
    let mut second = ack.providers[0].clone();
    second.hl_id = "9".into();
    ack.providers.push(second);
    ack.claims[0].provider_hl_id = Some("9".into());
    let err = write_277ca(&samples::interchange_params(4), &[ack]).unwrap_err();
    assert_eq!(err.field, "acks[0].claims[1].provider_hl_id");
}

#[test]
fn a_disposition_that_contradicts_the_first_status_is_refused() {
    let mut ack = samples::claim_acknowledgment();
    ack.claims[1].disposition = Disposition::Accepted;
    let err = write_277ca(&samples::interchange_params(4), &[ack]).unwrap_err();
    assert_eq!(err.field, "acks[0].claims[1].disposition");
}
