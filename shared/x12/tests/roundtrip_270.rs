//! Round trips of the 270 (005010X279A1): for arbitrary inquiries — members
//! asked about as subscribers, or as a subscriber's dependent (loop 2000D)
//! — `read_270(write_270(q)) == q`, and the written file validates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ack_strategies.rs"]
mod ack_strategies;
#[path = "support/claim_strategies.rs"]
mod claim_strategies;

use ack_strategies::{code, date, text};
use claim_strategies::{npi, person, phi};
use medbill_x12::claim::{Payer, Sex};
use medbill_x12::cli::validate;
use medbill_x12::eligibility::{
    DependentInquiry, EligibilityInquiry, InformationReceiver, SubscriberInquiry, read_270,
    write_270,
};
use medbill_x12::{Phi, samples};
use proptest::option::of;
use proptest::prelude::*;

fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Female), Just(Sex::Male), Just(Sex::Unknown)]
}

/// A birth date, and a sex only with it.
fn demographics() -> impl Strategy<Value = (Option<Phi<medbill_x12::Date>>, Option<Sex>)> {
    of((date(), of(sex()))).prop_map(|d| match d {
        Some((birth, sex)) => (Some(Phi::new(birth)), sex),
        None => (None, None),
    })
}

fn dependent() -> impl Strategy<Value = DependentInquiry> {
    (person(), demographics(), of(code("01|19|34"))).prop_map(|(name, (birth, sex), rel)| {
        DependentInquiry {
            name,
            birth_date: birth,
            sex,
            relationship: rel,
        }
    })
}

fn member() -> impl Strategy<Value = SubscriberInquiry> {
    (
        (code("[A-Z0-9]{1,50}"), code("[19][0-9]{9}")),
        (person(), phi(20), demographics()),
        of(date()),
        proptest::collection::vec(code("[0-9]{1,2}|[A-Z][0-9A-Z]"), 1..4),
        of(dependent()),
    )
        .prop_map(
            |((trace, originator), (name, id, (birth, sex)), day, types, dependent)| {
                SubscriberInquiry {
                    trace_number: trace,
                    trace_originator: originator,
                    name,
                    member_id: id,
                    birth_date: birth,
                    sex,
                    service_date: day,
                    service_types: types,
                    dependent,
                }
            },
        )
}

fn inquiry() -> impl Strategy<Value = EligibilityInquiry> {
    (
        code("[0-9]{4,9}"),
        code("[A-Z0-9]{1,30}"),
        date(),
        code("([01][0-9]|2[0-3])[0-5][0-9]"),
        (text(30), code("[A-Z0-9]{2,20}")),
        (text(30), npi()),
        proptest::collection::vec(member(), 1..4),
    )
        .prop_map(
            |(control, reference, created, time, payer, provider, subscribers)| {
                EligibilityInquiry {
                    control_number: control,
                    reference_id: reference,
                    created,
                    created_time: time,
                    payer: Payer {
                        name: payer.0,
                        id: payer.1,
                    },
                    provider: InformationReceiver {
                        name: provider.0,
                        npi: provider.1,
                    },
                    subscribers,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_270_reads_back_equal_and_validates(inquiries in proptest::collection::vec(inquiry(), 1..3)) {
        let file = write_270(&samples::interchange_params(5), &inquiries).unwrap();
        prop_assert_eq!(read_270(&file).unwrap(), inquiries);
        let report = validate(&file);
        prop_assert!(!report.has_errors(), "{}", report);
    }
}
