//! Proptest strategies for valid claim parts, shared by the 837P and 837I
//! round-trip tests. Values stay within what X12 carries: no delimiters,
//! two-decimal money, positive units, dates the calendar has.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use medbill_x12::claim::{
    BillingProvider, ClaimBatch, Demographics, Frequency, LineAdjudication, OtherPayer, Patient,
    Payer, PayerResponsibility, PersonName, Practitioner, Receiver, ServiceFacility, Sex,
    Submitter, Subscriber,
};
use medbill_x12::common::Address;
use medbill_x12::remit::{Adjustment, AdjustmentGroup};
use medbill_x12::{Amount, Date, Phi, Quantity};
use proptest::option::of;
use proptest::prelude::*;
use rust_decimal::Decimal;

pub fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Z0-9]([A-Z0-9 .,&'/-]{{0,{max}}}[A-Z0-9])?"))
        .unwrap()
}

pub fn code(pattern: &'static str) -> impl Strategy<Value = String> {
    proptest::string::string_regex(pattern).unwrap()
}

pub fn phi(max: usize) -> impl Strategy<Value = Phi<String>> {
    text(max).prop_map(Phi::new)
}

pub fn date() -> impl Strategy<Value = Date> {
    (1990u16..2035, 1u8..=12, 1u8..=31)
        .prop_map(|(y, m, d)| Date::new(y, m, d).or(Date::new(y, m, 28)).unwrap())
}

pub fn money(min: i64, max: i64) -> impl Strategy<Value = Amount> {
    (min..max).prop_map(Amount::from_cents)
}

pub fn units() -> impl Strategy<Value = Quantity> {
    (1i64..100_000, 0u32..4).prop_map(|(m, s)| Quantity::from(Decimal::new(m, s)))
}

/// Ten digits whose last is the NPI Luhn check digit.
pub fn npi() -> impl Strategy<Value = String> {
    code("[1-2][0-9]{8}").prop_map(|nine| {
        let mut sum = 24;
        for (i, c) in nine.chars().rev().enumerate() {
            let d = c.to_digit(10).unwrap();
            let v = if i % 2 == 0 { d * 2 } else { d };
            sum += if v > 9 { v - 9 } else { v };
        }
        format!("{nine}{}", (10 - sum % 10) % 10)
    })
}

pub fn person() -> impl Strategy<Value = PersonName> {
    (
        phi(20),
        of(phi(12)),
        of(phi(8)),
        of(code("JR|SR|III").prop_map(Phi::new)),
    )
        .prop_map(|(last, first, middle, suffix)| PersonName {
            last,
            first,
            middle,
            suffix,
        })
}

pub fn address() -> impl Strategy<Value = Address> {
    (
        phi(30),
        of(phi(10)),
        phi(15),
        of(code("[A-Z]{2}")),
        of(code("[0-9]{5}([0-9]{4})?").prop_map(Phi::new)),
    )
        .prop_map(|(line1, line2, city, state, postal_code)| Address {
            line1,
            line2,
            city,
            state,
            postal_code,
            country: None,
        })
}

pub fn demographics() -> impl Strategy<Value = Demographics> {
    (
        date(),
        prop_oneof![Just(Sex::Female), Just(Sex::Male), Just(Sex::Unknown)],
    )
        .prop_map(|(d, sex)| Demographics {
            birth_date: Phi::new(d),
            sex,
        })
}

pub fn responsibility() -> impl Strategy<Value = PayerResponsibility> {
    prop_oneof![
        Just(PayerResponsibility::Primary),
        Just(PayerResponsibility::Secondary),
        Just(PayerResponsibility::Tertiary)
    ]
}

pub fn adjustments() -> impl Strategy<Value = Vec<Adjustment>> {
    let group = prop_oneof![
        Just(AdjustmentGroup::Contractual),
        Just(AdjustmentGroup::PatientResponsibility),
        Just(AdjustmentGroup::Other),
        Just(AdjustmentGroup::PayerInitiated),
    ];
    let one = (
        group,
        code("[1-9][0-9]{0,2}|[A-Z][0-9]"),
        money(-50_000, 500_000),
        of(units()),
    )
        .prop_map(|(group, reason, amount, quantity)| Adjustment {
            group,
            reason: reason.into(),
            amount,
            quantity,
        });
    prop::collection::vec(one, 0..8)
}

pub fn other_payer() -> impl Strategy<Value = OtherPayer> {
    (
        (
            responsibility(),
            code("18|01|19|20"),
            of(text(10)),
            code("CI|MB|MC|BL|HM"),
        ),
        (adjustments(), of(money(0, 1_000_000))),
        (
            person(),
            phi(12),
            text(20),
            code("[A-Z0-9]{2,10}"),
            of(date()),
        ),
    )
        .prop_map(|(sbr, amounts, names)| OtherPayer {
            responsibility: sbr.0,
            relationship: sbr.1,
            group_number: sbr.2,
            filing_indicator: sbr.3,
            adjustments: amounts.0,
            paid_amount: amounts.1,
            subscriber_name: names.0,
            subscriber_id: names.1,
            payer_name: names.2,
            payer_id: names.3,
            adjudication_date: names.4,
        })
}

/// The parties above a claim; address and demographics sit on the
/// subscriber exactly when there is no separate patient.
#[derive(Debug, Clone)]
pub struct Parties {
    pub provider: BillingProvider,
    pub subscriber: Subscriber,
    pub payer: Payer,
    pub patient: Option<Patient>,
}

pub fn parties() -> impl Strategy<Value = Parties> {
    let provider = (
        text(25),
        npi(),
        code("[0-9]{9}"),
        of(code("[0-9]{3}[A-Z0-9]{6}X")),
        address(),
    )
        .prop_map(|(name, npi, ein, taxonomy, address)| BillingProvider {
            name,
            npi,
            ein,
            taxonomy,
            address,
        });
    let patient = (code("01|19|20|G8"), person(), address(), demographics()).prop_map(
        |(relationship, name, address, demographics)| Patient {
            relationship,
            name,
            address,
            demographics,
        },
    );
    (
        provider,
        (
            responsibility(),
            of(text(10)),
            code("CI|MB|MC|BL|HM"),
            person(),
            phi(15),
        ),
        (address(), demographics()),
        (text(20), code("[A-Z0-9]{2,10}")),
        of(patient),
    )
        .prop_map(|(provider, sub, own, payer, patient)| Parties {
            provider,
            subscriber: Subscriber {
                responsibility: sub.0,
                group_number: sub.1,
                filing_indicator: sub.2,
                name: sub.3,
                member_id: sub.4,
                address: patient.is_none().then_some(own.0),
                demographics: patient.is_none().then_some(own.1),
            },
            payer: Payer {
                name: payer.0,
                id: payer.1,
            },
            patient,
        })
}

pub fn practitioner() -> impl Strategy<Value = Practitioner> {
    (person(), npi(), of(code("[0-9]{3}[A-Z0-9]{6}X"))).prop_map(|(name, npi, taxonomy)| {
        Practitioner {
            name,
            npi,
            taxonomy,
        }
    })
}

pub fn service_facility() -> impl Strategy<Value = ServiceFacility> {
    (text(25), npi(), address()).prop_map(|(name, npi, address)| ServiceFacility {
        name,
        npi,
        address,
    })
}

pub fn frequency() -> impl Strategy<Value = (Frequency, Option<String>)> {
    (
        prop_oneof![
            Just(Frequency::Original),
            Just(Frequency::Replacement),
            Just(Frequency::Void)
        ],
        of(code("[A-Z0-9]{5,15}")),
    )
        .prop_map(|(f, icn)| match (f, icn) {
            (Frequency::Original, icn) => (f, icn),
            (_, icn) => (f, Some(icn.unwrap_or_else(|| "ICN0001".into()))),
        })
}

/// Line adjudications name one of the claim's other payers; none when the
/// claim has no other payer.
pub fn adjudication(ids: Vec<String>) -> impl Strategy<Value = Vec<LineAdjudication>> {
    let n = if ids.is_empty() { 0 } else { 2 };
    prop::collection::vec(
        (
            0..ids.len().max(1),
            money(0, 1_000_000),
            units(),
            adjustments(),
            date(),
        ),
        0..=n,
    )
    .prop_map(move |list| {
        list.into_iter()
            .map(
                |(i, paid_amount, paid_units, adjustments, adjudication_date)| LineAdjudication {
                    payer_id: ids[i].clone(),
                    paid_amount,
                    paid_units,
                    adjustments,
                    adjudication_date,
                },
            )
            .collect()
    })
}

/// A date `days` days after `from`, by stepping the calendar.
pub fn later(from: Date, days: u16) -> Date {
    let text = from.to_x12();
    let (mut y, mut m, mut d): (u16, u8, u8) = (
        text[..4].parse().unwrap(),
        text[4..6].parse().unwrap(),
        text[6..].parse().unwrap(),
    );
    let mut out = from;
    for _ in 0..days {
        d += 1;
        if Date::new(y, m, d).is_none() {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
        out = Date::new(y, m, d).unwrap();
    }
    out
}

pub fn batch<C>(claims: Vec<C>) -> ClaimBatch<C> {
    ClaimBatch {
        control_number: "0001".into(),
        reference_id: "BATCH0001".into(),
        created: Date::new(2024, 3, 15).unwrap(),
        created_time: "1030".into(),
        submitter: Submitter {
            name: "RIVERSIDE CLINIC BILLING".into(),
            id: "SUB12345".into(),
            contact_name: "BILLING OFFICE".into(),
            phone: "8605551234".into(),
        },
        receiver: Receiver {
            name: "ACME CLEARINGHOUSE".into(),
            id: "RCV67890".into(),
        },
        claims,
    }
}
