//! Round trips of the claim status pair (005010X212): for arbitrary
//! inquiries `read_276(write_276(q)) == q`, for arbitrary responses
//! `read_277(write_277(r)) == r`, and both written files validate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ack_strategies.rs"]
mod ack_strategies;
#[path = "support/claim_strategies.rs"]
mod claim_strategies;

use ack_strategies::{code, date, money, procedure, quantity, text};
use claim_strategies::{demographics, npi, person, phi};
use medbill_x12::claim::{Payer, Receiver};
use medbill_x12::claim_ack::read_277ca;
use medbill_x12::cli::{parse_to_json, validate};
use medbill_x12::eligibility::InformationReceiver;
use medbill_x12::samples;
use medbill_x12::status::{
    CategoryClass, ClaimStatusInquiry, ClaimStatusRequest, ClaimStatusResponse, ClaimStatusResult,
    LevelStatus, LineStatus, ServicePeriod, StatusCode, StatusDependent, StatusDetail,
    StatusParties, StatusSubscriber, read_276, read_277, write_276, write_277,
};
use proptest::option::of;
use proptest::prelude::*;

fn parties() -> impl Strategy<Value = StatusParties> {
    (
        (text(30), code("[A-Z0-9]{2,20}")),
        (text(30), code("[A-Z0-9]{2,20}")),
        (text(30), npi()),
    )
        .prop_map(|(payer, receiver, provider)| StatusParties {
            payer: Payer {
                name: payer.0,
                id: payer.1,
            },
            receiver: Receiver {
                name: receiver.0,
                id: receiver.1,
            },
            provider: InformationReceiver {
                name: provider.0,
                npi: provider.1,
            },
        })
}

fn period() -> impl Strategy<Value = ServicePeriod> {
    (date(), of(date())).prop_map(|(from, to)| ServicePeriod { from, to })
}

fn request() -> impl Strategy<Value = ClaimStatusRequest> {
    (
        (person(), phi(15), of(demographics())),
        of((person(), demographics())),
        code("[A-Z0-9-]{1,50}"),
        (
            of(code("[A-Z0-9]{1,30}")),
            of(code("[0-9]{3}")),
            of(code("[A-Z0-9-]{1,20}")),
        ),
        of(money(0, 100_000_000)),
        of(period()),
    )
        .prop_map(|(sub, patient, trace, refs, charge, period)| {
            let has_patient = patient.is_some();
            ClaimStatusRequest {
                subscriber: StatusSubscriber {
                    name: sub.0,
                    member_id: sub.1,
                    // The guide wants the DMG when the subscriber is the patient.
                    demographics: sub.2.or_else(|| {
                        (!has_patient).then(|| medbill_x12::claim::Demographics {
                            birth_date: medbill_x12::Phi::new(
                                medbill_x12::Date::new(1970, 1, 1).unwrap(),
                            ),
                            sex: medbill_x12::claim::Sex::Unknown,
                        })
                    }),
                },
                patient: patient.map(|(name, demographics)| StatusDependent { name, demographics }),
                trace_number: trace,
                payer_claim_control_number: refs.0,
                bill_type: refs.1,
                patient_control_number: refs.2,
                total_charge: charge,
                service_period: period,
            }
        })
}

fn inquiry() -> impl Strategy<Value = ClaimStatusInquiry> {
    (
        (
            code("[0-9]{4,9}"),
            code("[A-Z0-9]{1,30}"),
            date(),
            code("[01][0-9][0-5][0-9]"),
        ),
        parties(),
        prop::collection::vec(request(), 1..5),
    )
        .prop_map(|(header, parties, claims)| ClaimStatusInquiry {
            control_number: header.0,
            reference_id: header.1,
            created: header.2,
            created_time: header.3,
            parties,
            claims,
        })
}

fn status_code() -> impl Strategy<Value = StatusCode> {
    (
        code("A[0-8]|P[0-5]|F[0-4]|R([0-9]|1[0-6])|E[0-4]|D0"),
        code("[0-9]{1,3}"),
        of(code("PR|IL|QC|1P|41")),
    )
        .prop_map(|(category, status, entity)| StatusCode {
            category,
            status,
            entity,
        })
}

fn detail() -> impl Strategy<Value = StatusDetail> {
    (
        prop::collection::vec(status_code(), 1..=3),
        (of(date()), of(code("WQ|U"))),
        (of(money(0, 10_000_000)), of(money(-1_000_000, 10_000_000))),
        (
            of(date()),
            of(code("ACH|CHK|BOP|FWT|NON")),
            of(date()),
            of(code("[A-Z0-9]{1,16}")),
        ),
        of(text(40)),
    )
        .prop_map(|(codes, head, amounts, payment, message)| StatusDetail {
            codes,
            effective_date: head.0,
            action: head.1,
            total_charge: amounts.0,
            paid: amounts.1,
            adjudicated: payment.0,
            payment_method: payment.1,
            check_date: payment.2,
            check_number: payment.3,
            message,
        })
}

fn line() -> impl Strategy<Value = LineStatus> {
    (
        procedure(),
        money(0, 10_000_000),
        of(money(-1_000_000, 10_000_000)),
        of(code("0[0-9]{3}")),
        of(quantity()),
        prop::collection::vec(detail(), 1..3),
        of(code("[A-Z0-9-]{1,30}")),
        of(period()),
    )
        .prop_map(
            |(procedure, charge, paid, revenue_code, units, statuses, control, period)| {
                LineStatus {
                    procedure,
                    charge,
                    paid,
                    revenue_code,
                    units,
                    statuses,
                    line_item_control_number: control,
                    service_period: period,
                }
            },
        )
}

fn result() -> impl Strategy<Value = ClaimStatusResult> {
    (
        (person(), of(phi(15)), of(person())),
        code("[A-Z0-9-]{1,50}"),
        prop::collection::vec(detail(), 1..3),
        (
            of(code("[A-Z0-9]{1,30}")),
            of(code("[0-9]{3}")),
            of(code("[A-Z0-9-]{1,20}")),
            of(code("[A-Z0-9]{1,30}")),
        ),
        of(period()),
        prop::collection::vec(line(), 0..3),
    )
        .prop_map(
            |(people, trace, statuses, refs, period, lines)| ClaimStatusResult {
                subscriber: people.0,
                member_id: people.1,
                patient: people.2,
                trace_number: trace,
                statuses,
                payer_claim_control_number: refs.0,
                bill_type: refs.1,
                patient_control_number: refs.2,
                clearinghouse_trace_number: refs.3,
                service_period: period,
                lines,
            },
        )
}

fn level_status() -> impl Strategy<Value = LevelStatus> {
    (
        code("[A-Z0-9-]{1,50}"),
        prop::collection::vec(detail(), 1..3),
    )
        .prop_map(|(trace_number, statuses)| LevelStatus {
            trace_number,
            statuses,
        })
}

fn response() -> impl Strategy<Value = ClaimStatusResponse> {
    (
        (
            code("[0-9]{4,9}"),
            code("[A-Z0-9]{1,30}"),
            date(),
            code("[01][0-9][0-5][0-9]"),
        ),
        parties(),
        (of(level_status()), of(level_status())),
        prop::collection::vec(result(), 0..5),
    )
        .prop_map(|(header, parties, levels, claims)| ClaimStatusResponse {
            control_number: header.0,
            reference_id: header.1,
            created: header.2,
            created_time: header.3,
            parties,
            receiver_status: levels.0,
            provider_status: levels.1,
            claims,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_276_reads_back_equal_and_validates(inquiries in prop::collection::vec(inquiry(), 1..3)) {
        let file = write_276(&samples::interchange_params(11), &inquiries).unwrap();
        prop_assert_eq!(read_276(&file).unwrap(), inquiries);
        let report = validate(&file);
        prop_assert!(!report.has_errors(), "{}", report);
    }

    #[test]
    fn any_277_reads_back_equal_and_validates(responses in prop::collection::vec(response(), 1..3)) {
        let file = write_277(&samples::interchange_params(12), &responses).unwrap();
        prop_assert_eq!(read_277(&file).unwrap(), responses);
        let report = validate(&file);
        prop_assert!(!report.has_errors(), "{}", report);
    }
}

#[test]
fn the_fixtures_are_the_samples() {
    let inquiry = read_276(include_bytes!("fixtures/claim_status.276")).unwrap();
    assert_eq!(inquiry, [samples::status_inquiry()]);
    let response = read_277(include_bytes!("fixtures/claim_status.277")).unwrap();
    assert_eq!(response, [samples::status_response()]);
}

#[test]
fn the_sample_inquiry_and_response_round_trip_and_match_by_trace() {
    let inquiry = samples::status_inquiry();
    let file = write_276(
        &samples::interchange_params(11),
        std::slice::from_ref(&inquiry),
    )
    .unwrap();
    assert_eq!(read_276(&file).unwrap(), std::slice::from_ref(&inquiry));
    let text = String::from_utf8(file).unwrap();
    assert!(text.contains("GS*HR*"), "{text}");
    assert!(text.contains("ST*276*0001*005010X212~"), "{text}");
    assert!(
        text.contains(
            "HL*5*3*22*1~\nDMG*D8*19800517*F~\nNM1*IL*1*DOE*JANE****MI*MEM123456~\nHL*6*5*23~"
        ),
        "{text}"
    );
    assert!(
        text.contains("AMT*T3*150~\nDTP*472*RD8*20240304-20240305~"),
        "{text}"
    );

    let response = samples::status_response();
    let file = write_277(
        &samples::interchange_params(12),
        std::slice::from_ref(&response),
    )
    .unwrap();
    let read = read_277(&file).unwrap();
    assert_eq!(read, std::slice::from_ref(&response));
    let text = String::from_utf8(file).unwrap();
    assert!(
        text.contains("STC*F1:65*20240325**200*120*20240320**20240322*CHK0001~"),
        "{text}"
    );
    for (asked, answer) in inquiry.claims.iter().zip(&read[0].claims) {
        assert_eq!(asked.trace_number, answer.trace_number);
        assert_eq!(asked.patient_control_number, answer.patient_control_number);
    }
    assert_eq!(read[0].claims[0].class(), Some(CategoryClass::Finalized));
    assert_eq!(read[0].claims[1].class(), Some(CategoryClass::Pending));
}

#[test]
fn a_277_status_response_is_not_a_277ca_and_parses_to_typed_json() {
    let file = write_277(
        &samples::interchange_params(12),
        &[samples::status_response()],
    )
    .unwrap();
    let err = read_277ca(&file).unwrap_err();
    assert_eq!(err.location.segment_id, "ST");
    let json = parse_to_json(&file).unwrap();
    let tx = &json["interchanges"][0]["groups"][0]["transactions"][0];
    assert_eq!(tx["type"], "277");
    assert_eq!(tx["data"]["claims"][0]["statuses"][0]["paid"], "120.00");
    assert_eq!(
        tx["data"]["claims"][1]["lines"][0]["statuses"][0]["codes"][0]["category"],
        "P1"
    );
    let file = write_276(
        &samples::interchange_params(11),
        &[samples::status_inquiry()],
    )
    .unwrap();
    let json = parse_to_json(&file).unwrap();
    let tx = &json["interchanges"][0]["groups"][0]["transactions"][0];
    assert_eq!(tx["type"], "276");
    assert_eq!(tx["data"]["claims"][1]["total_charge"], "150.00");
}

#[test]
fn a_277_that_cannot_identify_the_provider_says_so_with_no_claims() {
    let mut response = samples::status_response();
    response.claims.clear();
    response.provider_status = Some(LevelStatus {
        trace_number: "STATUS0001".into(),
        statuses: vec![StatusDetail {
            codes: vec![StatusCode {
                category: "A3".into(),
                status: "562".into(),
                entity: Some("1P".into()),
            }],
            effective_date: Some(medbill_x12::Date::new(2024, 3, 26).unwrap()),
            action: None,
            total_charge: None,
            paid: None,
            adjudicated: None,
            payment_method: None,
            check_date: None,
            check_number: None,
            message: None,
        }],
    });
    let file = write_277(
        &samples::interchange_params(12),
        std::slice::from_ref(&response),
    )
    .unwrap();
    let text = String::from_utf8(file.clone()).unwrap();
    assert!(
        text.contains("NM1*1P*2*RIVERSIDE CLINIC*****XX*1234567893~\nTRN*1*STATUS0001~\nSTC*A3:562:1P*20240326~"),
        "{text}"
    );
    let read = read_277(&file).unwrap();
    assert_eq!(read, [response]);
    assert!(read[0].claims.is_empty());
}

#[test]
fn a_subscriber_patient_without_demographics_is_refused() {
    let mut inquiry = samples::status_inquiry();
    inquiry.claims[0].subscriber.demographics = None;
    let err = write_276(&samples::interchange_params(11), &[inquiry]).unwrap_err();
    assert_eq!(err.field, "inquiries[0].claims[0].subscriber.demographics");
}

#[test]
fn a_277_claim_without_a_status_is_an_error_at_the_se() {
    let file = write_277(
        &samples::interchange_params(12),
        &[samples::status_response()],
    )
    .unwrap();
    let text = String::from_utf8(file).unwrap();
    let broken = text
        .replacen(
            "STC*F1:65*20240325**200*120*20240320**20240322*CHK0001~\n",
            "",
            1,
        )
        .replace("SE*29*0001", "SE*28*0001");
    let err = read_277(broken.as_bytes()).unwrap_err();
    assert_eq!(err.location.segment_id, "SE", "{err}");
    assert!(
        err.to_string().contains("missing required segment: STC"),
        "{err}"
    );
}

#[test]
fn an_stc_without_its_status_code_names_the_component() {
    let file = write_277(
        &samples::interchange_params(12),
        &[samples::status_response()],
    )
    .unwrap();
    let text = String::from_utf8(file)
        .unwrap()
        .replacen("STC*P1:20*", "STC*P1::*", 1);
    let err = read_277(text.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("(STC) at byte"), "{err}");
    assert!(
        err.to_string()
            .ends_with("STC01-2: required element is missing"),
        "{err}"
    );
}
