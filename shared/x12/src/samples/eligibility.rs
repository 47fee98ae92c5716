//! A sample 270 eligibility inquiry: two members, one with a birth date
//! and a date of service, one with the bare minimum.

use crate::claim::{Payer, Sex};
use crate::eligibility::{EligibilityInquiry, InformationReceiver, SubscriberInquiry};
use crate::samples::{day, person};
use crate::values::Phi;

/// A 270 asking about `members` members (at least one is always written).
pub fn eligibility_inquiry(control_number: &str, members: usize) -> EligibilityInquiry {
    let subscribers = (0..members.max(1))
        .map(|i| SubscriberInquiry {
            trace_number: format!("ELIG{control_number}-{i}"),
            trace_originator: "9123456789".into(),
            name: person("MEMBER", &format!("PAT{i}")),
            member_id: Phi::new(format!("MBR{i:06}")),
            birth_date: (i % 2 == 0).then(|| Phi::new(day(u8::try_from(1 + i % 28).unwrap_or(1)))),
            sex: (i % 2 == 0).then_some(if i % 4 == 0 { Sex::Female } else { Sex::Male }),
            service_date: (i % 2 == 0).then(|| day(20)),
            service_types: if i % 2 == 0 {
                vec!["30".into(), "98".into()]
            } else {
                vec!["30".into()]
            },
            dependent: None,
        })
        .collect();
    EligibilityInquiry {
        control_number: control_number.into(),
        reference_id: format!("INQ{control_number}"),
        created: day(15),
        created_time: "1030".into(),
        payer: Payer {
            name: "ACME HEALTH PLAN".into(),
            id: "12345".into(),
        },
        provider: InformationReceiver {
            name: "RIVERSIDE CLINIC".into(),
            npi: "1234567893".into(),
        },
        subscribers,
    }
}
