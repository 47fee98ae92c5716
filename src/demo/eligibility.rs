//! Eligibility before the visits: the biller asks (CheckEligibility drops a
//! 270 in billing's outbound folder), the payer simulator answers with a
//! 271 that billing's folder poller takes in, and the answer is read back.

use medbill_contracts::medbill::billing::v1 as billing;
use medbill_contracts::medbill::common::v1::Date;
use medbill_kernel::CalendarDate;

use super::api::{Actor, Api};
use super::cycle::Payer;
use super::stack::Stack;

/// What the checks found.
#[derive(Debug, Default)]
pub struct Checked {
    /// 270s sent.
    pub inquiries: i64,
    /// 271s taken in.
    pub answered: i64,
    /// Of those, coverage active.
    pub active: i64,
    /// Calls refused, with why.
    pub refused: Vec<String>,
}

/// Checks the primary coverage of every fifth patient for `day`.
pub async fn check(
    api: &Api,
    payer: &mut Payer,
    stack: &Stack,
    patients: &[(String, Vec<String>)],
    day: CalendarDate,
) -> anyhow::Result<Checked> {
    let mut checked = Checked::default();
    let mut ids = Vec::new();
    let mut registry = api.registry();
    for (patient_id, coverages) in patients.iter().step_by(5) {
        let Some(coverage) = coverages.first() else {
            continue;
        };
        let asked = registry
            .check_eligibility(api.req(
                Actor::Biller,
                billing::CheckEligibilityRequest {
                    coverage_id: coverage.clone(),
                    date_of_service: Some(Date {
                        year: day.year(),
                        month: day.month() as i32,
                        day: day.day() as i32,
                    }),
                    service_types: vec!["30".into()],
                },
            ))
            .await;
        match asked {
            Ok(r) => ids.push(r.into_inner().inquiry_id),
            Err(s) => checked
                .refused
                .push(format!("CheckEligibility {patient_id}: {}", s.message())),
        }
    }
    checked.inquiries = ids.len() as i64;
    payer.answer(api, stack).await?;
    for id in ids {
        let answer = registry
            .get_eligibility(api.req(
                Actor::Biller,
                billing::GetEligibilityRequest { inquiry_id: id },
            ))
            .await
            .map_err(crate::operator::status_error)?
            .into_inner();
        if answer.status == billing::EligibilityStatus::Answered as i32 {
            checked.answered += 1;
            checked.active += i64::from(answer.active);
        }
    }
    Ok(checked)
}
