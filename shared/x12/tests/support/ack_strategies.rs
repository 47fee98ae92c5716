//! Proptest strategies for the parts acknowledgments and status
//! responses share: NM1 entities, STC statuses, procedures, dates.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use medbill_x12::claim_ack::StatusInfo;
use medbill_x12::common::{DateRef, Entity, EntityType};
use medbill_x12::remit::{Modifiers, Procedure};
use medbill_x12::{Amount, Date, Phi, Quantity};
use proptest::option::of;
use proptest::prelude::*;
use rust_decimal::Decimal;

pub fn code(pattern: &'static str) -> impl Strategy<Value = String> {
    proptest::string::string_regex(pattern).unwrap()
}

pub fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Z0-9]([A-Z0-9 .,&'/-]{{0,{max}}}[A-Z0-9])?"))
        .unwrap()
}

pub fn date() -> impl Strategy<Value = Date> {
    (1990u16..2035, 1u8..=12, 1u8..=31)
        .prop_map(|(y, m, d)| Date::new(y, m, d).or(Date::new(y, m, 28)).unwrap())
}

pub fn money(min: i64, max: i64) -> impl Strategy<Value = Amount> {
    (min..max).prop_map(Amount::from_cents)
}

pub fn quantity() -> impl Strategy<Value = Quantity> {
    (0i64..100_000, 0u32..3).prop_map(|(m, s)| Quantity::from(Decimal::new(m, s)))
}

pub fn date_ref(qualifier: &'static str) -> impl Strategy<Value = DateRef> {
    (date(), of(date())).prop_map(move |(date, end)| DateRef {
        qualifier: qualifier.into(),
        date,
        end,
    })
}

pub fn entity(role: &'static str) -> impl Strategy<Value = Entity> {
    (
        any::<bool>(),
        text(20),
        of(text(10)),
        of(text(6)),
        of(code("JR|SR|III")),
        of((code("PI|XX|46|MI|FI"), code("[A-Z0-9]{1,20}"))),
    )
        .prop_map(move |(person, last, first, middle, suffix, id)| Entity {
            role: role.into(),
            entity_type: if person {
                EntityType::Person
            } else {
                EntityType::Organization
            },
            last_name: Phi::from(last.as_str()),
            first_name: first.as_deref().map(Phi::from),
            middle_name: middle.as_deref().map(Phi::from),
            suffix: suffix.as_deref().map(Phi::from),
            id_qualifier: id.as_ref().map(|(q, _)| q.as_str().into()),
            id: id.as_ref().map(|(_, v)| Phi::from(v.as_str())),
        })
}

pub fn status() -> impl Strategy<Value = StatusInfo> {
    (
        (
            code("A[0-8]|P[0-5]|F[0-4]|R[0-9]|E[0-4]"),
            code("[0-9]{1,3}"),
            of(code("PR|IL|QC|85|41|1P")),
        ),
        of(date()),
        of(code("WQ|U")),
        of(money(0, 10_000_000)),
        of(text(30)),
    )
        .prop_map(|(codes, date, action, charge, message)| StatusInfo {
            category: codes.0,
            status: codes.1,
            entity: codes.2,
            date,
            action,
            charge,
            message,
        })
}

pub fn procedure() -> impl Strategy<Value = Procedure> {
    (
        code("HC|NU|AD"),
        code("[0-9]{5}|[A-Z][0-9]{4}"),
        prop::collection::vec(code("[A-Z0-9]{2}"), 0..=4),
    )
        .prop_map(|(qualifier, code, mods)| {
            let mut modifiers = Modifiers::default();
            for m in &mods {
                modifiers.push(m);
            }
            Procedure {
                qualifier: qualifier.as_str().into(),
                code: code.as_str().into(),
                modifiers,
            }
        })
}
