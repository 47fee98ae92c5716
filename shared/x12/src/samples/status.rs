//! A sample 276 claim status inquiry about two claims (one for the
//! subscriber, one for a dependent child) and the 277 that answers it:
//! the first finalized and paid, the second pending with a line status.

use crate::claim::{Demographics, Payer, Receiver, Sex};
use crate::eligibility::InformationReceiver;
use crate::remit::{Modifiers, Procedure};
use crate::samples::{day, person};
use crate::status::{
    ClaimStatusInquiry, ClaimStatusRequest, ClaimStatusResponse, ClaimStatusResult, LineStatus,
    ServicePeriod, StatusCode, StatusDependent, StatusDetail, StatusParties, StatusSubscriber,
};
use crate::values::{Amount, Date, Phi, Quantity};

fn parties() -> StatusParties {
    StatusParties {
        payer: Payer {
            name: "ACME HEALTH PLAN".into(),
            id: "12345".into(),
        },
        receiver: Receiver {
            name: "RIVERSIDE CLINIC BILLING".into(),
            id: "SUB12345".into(),
        },
        provider: InformationReceiver {
            name: "RIVERSIDE CLINIC".into(),
            npi: "1234567893".into(),
        },
    }
}

fn subscriber() -> StatusSubscriber {
    StatusSubscriber {
        name: person("DOE", "JANE"),
        member_id: Phi::from("MEM123456"),
        demographics: Some(Demographics {
            birth_date: Phi::new(Date::new(1980, 5, 17).unwrap_or(Date::MIN)),
            sex: Sex::Female,
        }),
    }
}

fn single_day(d: u8) -> Option<ServicePeriod> {
    Some(ServicePeriod {
        from: day(d),
        to: None,
    })
}

/// A 276 asking about `PCN0000001` (the subscriber's, already
/// acknowledged as `ICN20240301A`) and `PCN0000002` (her son's).
pub fn status_inquiry() -> ClaimStatusInquiry {
    ClaimStatusInquiry {
        control_number: "0001".into(),
        reference_id: "STATUS0001".into(),
        created: day(25),
        created_time: "0900".into(),
        parties: parties(),
        claims: vec![
            ClaimStatusRequest {
                subscriber: subscriber(),
                patient: None,
                trace_number: "TRACE0001".into(),
                payer_claim_control_number: Some("ICN20240301A".into()),
                bill_type: None,
                patient_control_number: Some("PCN0000001".into()),
                total_charge: Some(Amount::from_cents(20000)),
                service_period: single_day(1),
            },
            ClaimStatusRequest {
                subscriber: subscriber(),
                patient: Some(StatusDependent {
                    name: person("DOE", "JIMMY"),
                    demographics: Demographics {
                        birth_date: Phi::new(Date::new(2015, 9, 2).unwrap_or(Date::MIN)),
                        sex: Sex::Male,
                    },
                }),
                trace_number: "TRACE0002".into(),
                payer_claim_control_number: None,
                bill_type: None,
                patient_control_number: Some("PCN0000002".into()),
                total_charge: Some(Amount::from_cents(15000)),
                service_period: Some(ServicePeriod {
                    from: day(4),
                    to: Some(day(5)),
                }),
            },
        ],
    }
}

fn code(category: &str, status: &str, entity: Option<&str>) -> StatusCode {
    StatusCode {
        category: category.into(),
        status: status.into(),
        entity: entity.map(Into::into),
    }
}

fn detail(codes: Vec<StatusCode>, charge: i64, paid: i64) -> StatusDetail {
    StatusDetail {
        codes,
        effective_date: Some(day(25)),
        action: None,
        total_charge: Some(Amount::from_cents(charge)),
        paid: Some(Amount::from_cents(paid)),
        adjudicated: None,
        payment_method: None,
        check_date: None,
        check_number: None,
        message: None,
    }
}

/// A line-level STC: 005010X212 carries the line's amounts in SVC02/03,
/// so STC04/05 stay empty.
fn line_detail() -> StatusDetail {
    let mut d = detail(vec![code("P1", "20", None)], 0, 0);
    (d.total_charge, d.paid) = (None, None);
    d
}

/// The 277 answering [`status_inquiry`]: `PCN0000001` finalized and paid
/// 120.00 by check `CHK0001` (`F1:65`), `PCN0000002` pending in process
/// (`P1:20`) with its one line pending too.
pub fn status_response() -> ClaimStatusResponse {
    let mut paid = detail(vec![code("F1", "65", None)], 20000, 12000);
    paid.adjudicated = Some(day(20));
    paid.check_date = Some(day(22));
    paid.check_number = Some("CHK0001".into());
    let mut modifiers = Modifiers::default();
    modifiers.push("25");
    ClaimStatusResponse {
        control_number: "0001".into(),
        reference_id: "STATUS0001".into(),
        created: day(26),
        created_time: "1415".into(),
        parties: parties(),
        receiver_status: None,
        provider_status: None,
        claims: vec![
            ClaimStatusResult {
                subscriber: person("DOE", "JANE"),
                member_id: Some(Phi::from("MEM123456")),
                patient: None,
                trace_number: "TRACE0001".into(),
                statuses: vec![paid],
                payer_claim_control_number: Some("ICN20240301A".into()),
                bill_type: None,
                patient_control_number: Some("PCN0000001".into()),
                clearinghouse_trace_number: None,
                service_period: single_day(1),
                lines: Vec::new(),
            },
            ClaimStatusResult {
                subscriber: person("DOE", "JANE"),
                member_id: Some(Phi::from("MEM123456")),
                patient: Some(person("DOE", "JIMMY")),
                trace_number: "TRACE0002".into(),
                statuses: vec![detail(vec![code("P1", "20", None)], 15000, 0)],
                payer_claim_control_number: Some("ICN20240304B".into()),
                bill_type: None,
                patient_control_number: Some("PCN0000002".into()),
                clearinghouse_trace_number: None,
                service_period: Some(ServicePeriod {
                    from: day(4),
                    to: Some(day(5)),
                }),
                lines: vec![LineStatus {
                    procedure: Procedure {
                        qualifier: "HC".into(),
                        code: "99214".into(),
                        modifiers,
                    },
                    charge: Amount::from_cents(15000),
                    paid: Some(Amount::ZERO),
                    revenue_code: None,
                    units: Some(Quantity::from_units(1)),
                    statuses: vec![line_detail()],
                    line_item_control_number: Some("L21".into()),
                    service_period: single_day(4),
                }],
            },
        ],
    }
}
