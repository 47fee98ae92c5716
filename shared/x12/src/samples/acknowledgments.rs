//! Sample acknowledgments (999 and 277CA) of an 837P batch of three claim
//! sets, for the writers' tests, the pyx12 oracle and demos.

use crate::ack::{
    AckStatus, ElementError, ErrorContext, ImplementationAck, SegmentError, TransactionAck,
};
use crate::claim_ack::{
    ClaimAcknowledgment, ClaimStatusReport, Disposition, LineStatusReport, StatusInfo, StatusLevel,
};
use crate::common::{DateRef, Entity, EntityType};
use crate::remit::{Modifiers, Procedure};
use crate::values::{Amount, Date, Phi, Quantity};

/// A 999 that accepts set `0001`, rejects `0002` (a bad member id and an
/// impossible date in claim `PCN-2002`, named by a CTX) and accepts `0003`
/// with an error noted; the same content as `tests/fixtures/ack_partial.999`.
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
        contexts: Vec::new(),
    };
    let segment = |id: &str, position, loop_id: &str, code: &str, errors| SegmentError {
        segment_id: id.into(),
        position,
        loop_id: Some(loop_id.into()),
        code: Some(code.into()),
        contexts: Vec::new(),
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
                    SegmentError {
                        contexts: vec![ErrorContext {
                            name: "CLM01".into(),
                            reference: Some("PCN-2002".into()),
                            segment_id: None,
                            segment_position: None,
                            loop_id: None,
                            element_position: None,
                            component_position: None,
                        }],
                        ..segment(
                            "DTP",
                            17,
                            "2400",
                            "8",
                            vec![element(3, None, "1251", "8", "20241301")],
                        )
                    },
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

/// A 277CA from a payer for a batch of two claims: `PCN-1001` accepted
/// (`A2:20`), `PCN-1002` rejected (`A7:21` and `A7:164`) with one line
/// status; the same content as `tests/fixtures/claim_ack.277`.
pub fn claim_acknowledgment() -> ClaimAcknowledgment {
    let date = |d| Date::new(2024, 3, d).unwrap_or(Date::MIN);
    let entity = |role: &str, kind, last: &str, first: Option<&str>, q: &str, id: &str| Entity {
        role: role.into(),
        entity_type: kind,
        last_name: Phi::from(last),
        first_name: first.map(Phi::from),
        middle_name: None,
        suffix: None,
        id_qualifier: Some(q.into()),
        id: Some(Phi::from(id)),
    };
    let status = |category: &str,
                  code: &str,
                  entity: Option<&str>,
                  d: Option<Date>,
                  action: &str,
                  cents: Option<i64>| {
        StatusInfo {
            category: category.into(),
            status: code.into(),
            entity: entity.map(Into::into),
            date: d,
            action: Some(action.into()),
            charge: cents.map(Amount::from_cents),
            message: None,
        }
    };
    let level = |hl: &str, e, trace: &str| StatusLevel {
        hl_id: hl.into(),
        entity: Some(e),
        trace_number: Some(trace.into()),
        statuses: Vec::new(),
        references: Vec::new(),
        dates: Vec::new(),
        quantities: Vec::new(),
        amounts: Vec::new(),
    };
    let count = |q: &str, n| (q.to_owned(), Quantity::from_units(n));
    let totals = vec![
        ("YU".to_owned(), Amount::from_cents(15000)),
        ("YY".to_owned(), Amount::from_cents(20000)),
    ];
    let dtp = |q: &str, d: u8, end: Option<u8>| DateRef {
        qualifier: q.into(),
        date: date(d),
        end: end.map(date),
    };
    let mut source = level(
        "1",
        entity(
            "PR",
            EntityType::Organization,
            "ACME HEALTH PLAN",
            None,
            "PI",
            "12345",
        ),
        "ACK-7781",
    );
    source.dates = vec![dtp("050", 19, None), dtp("009", 20, None)];
    let mut receiver = level(
        "2",
        entity(
            "41",
            EntityType::Organization,
            "MEDBILL CLINIC",
            None,
            "46",
            "MEDBILL01",
        ),
        "BATCH-0001",
    );
    receiver.statuses = vec![status(
        "A1",
        "19",
        Some("PR"),
        Some(date(20)),
        "WQ",
        Some(35000),
    )];
    receiver.quantities = vec![count("90", 1), count("AA", 1)];
    receiver.amounts.clone_from(&totals);
    let mut provider = level(
        "3",
        entity(
            "85",
            EntityType::Organization,
            "MEDBILL CLINIC",
            None,
            "XX",
            "1234567893",
        ),
        "0",
    );
    provider.statuses = vec![status("A1", "19", Some("PR"), None, "WQ", Some(35000))];
    provider.quantities = vec![count("QA", 1), count("QC", 1)];
    provider.amounts = totals;
    let claim = |pcn: &str, last: &str, first: &str, member: &str, statuses: Vec<StatusInfo>| {
        ClaimStatusReport {
            provider_hl_id: Some("3".into()),
            patient: Some(entity(
                "QC",
                EntityType::Person,
                last,
                Some(first),
                "MI",
                member,
            )),
            patient_control_number: pcn.into(),
            disposition: Disposition::from_category(
                statuses.first().map_or("", |s| s.category.as_str()),
            ),
            statuses,
            payer_claim_control_number: Some(format!("ICN-55500{}", &pcn[pcn.len() - 1..])),
            clearinghouse_trace_number: Some(format!("CH-TRACE-{}", &pcn[pcn.len() - 1..])),
            bill_type: None,
            references: Vec::new(),
            service_dates: None,
            lines: Vec::new(),
        }
    };
    let mut accepted = claim(
        "PCN-1001",
        "DOE",
        "JANE",
        "MEMBER1",
        vec![status(
            "A2",
            "20",
            Some("PR"),
            Some(date(20)),
            "WQ",
            Some(15000),
        )],
    );
    accepted.service_dates = Some(dtp("472", 1, Some(1)));
    let mut rejected = claim(
        "PCN-1002",
        "ROE",
        "RICHARD",
        "MEMBER2",
        vec![
            status("A7", "21", Some("IL"), Some(date(20)), "U", Some(20000)),
            status("A7", "164", Some("QC"), Some(date(20)), "U", Some(20000)),
        ],
    );
    rejected.service_dates = Some(dtp("472", 2, None));
    let mut modifiers = Modifiers::default();
    modifiers.push("25");
    rejected.lines.push(LineStatusReport {
        procedure: Procedure {
            qualifier: "HC".into(),
            code: "99214".into(),
            modifiers,
        },
        charge: Amount::from_cents(20000),
        revenue_code: None,
        units: Some(Quantity::from_units(1)),
        statuses: vec![status("A7", "453", None, Some(date(20)), "U", None)],
        line_item_control_number: Some("LINE-1002-1".into()),
        service_date: Some(dtp("472", 2, None)),
    });
    ClaimAcknowledgment {
        control_number: "0001".into(),
        reference_id: "277CA-7781".into(),
        created: date(20),
        information_source: source,
        information_receiver: Some(receiver),
        providers: vec![provider],
        claims: vec![accepted, rejected],
    }
}
