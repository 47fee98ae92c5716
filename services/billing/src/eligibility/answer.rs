//! 271 eligibility responses: each member report is matched to the inquiry
//! whose trace it echoes (TRN02) and recorded on it — active or not, the
//! plan, the EB benefit lines (copay, coinsurance, deductible remaining,
//! out-of-pocket) and AAA rejections. A report naming no inquiry we sent is
//! returned as unmatched, never dropped.

use medbill_kernel::{Money, Timestamp};
use medbill_platform::ServiceError;
use medbill_x12::eligibility::{Benefit, BenefitKind, CoverageReport, Rejection, read_271};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sqlx::AnyConnection;

use super::store::{self, Answer, BenefitLine};

/// What applying a 271 file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Inquiries answered now.
    pub answered: u32,
    /// What it named that we never asked (or asked and had answered).
    pub unmatched: Vec<String>,
}

/// Reads `content` as 271s and records each answer, in `tx`; a file that
/// does not read is `INVALID_ARGUMENT` on `field` with the segment
/// position, and nothing is recorded.
pub async fn apply_271(
    tx: &mut AnyConnection,
    content: &[u8],
    field: &str,
    now: Timestamp,
) -> Result<Applied, ServiceError> {
    let responses = read_271(content).map_err(|e| ServiceError::invalid(field, e.to_string()))?;
    let mut applied = Applied::default();
    for response in &responses {
        let above: Vec<String> = response
            .payer_rejections
            .iter()
            .chain(&response.receiver_rejections)
            .map(describe)
            .collect();
        for member in &response.members {
            let mut found = None;
            for trace in &member.traces {
                if let Some(inquiry) = store::by_trace(tx, &trace.number).await? {
                    found = Some(inquiry);
                    break;
                }
            }
            let traces: Vec<&str> = member.traces.iter().map(|t| t.number.as_str()).collect();
            let Some(inquiry) = found else {
                applied.unmatched.push(format!(
                    "271 member {} (trace {}): no inquiry we sent",
                    member.hl_id,
                    traces.join(", ")
                ));
                continue;
            };
            let answer = answer_of(member, &above, now);
            if store::record_answer(tx, &inquiry.inquiry_id, &answer).await? {
                applied.answered += 1;
            } else {
                applied.unmatched.push(format!(
                    "271 member {}: inquiry {} was answered already",
                    member.hl_id, inquiry.inquiry_id
                ));
            }
        }
    }
    Ok(applied)
}

fn describe(r: &Rejection) -> String {
    match &r.follow_up {
        Some(f) => format!("AAA reason {} (follow-up {f})", r.reason),
        None => format!("AAA reason {}", r.reason),
    }
}

/// The answer a member report gives: active when an EB says active
/// coverage and none says inactive and the payer rejected nothing.
fn answer_of(member: &CoverageReport, above: &[String], now: Timestamp) -> Answer {
    let mut rejections = above.to_vec();
    rejections.extend(member.rejections.iter().map(describe));
    rejections.extend(
        member
            .benefits
            .iter()
            .flat_map(|b| b.rejections.iter().map(describe)),
    );
    let is = |kind: BenefitKind| member.benefits.iter().any(|b| b.kind == kind);
    let active = is(BenefitKind::ActiveCoverage)
        && !is(BenefitKind::InactiveCoverage)
        && rejections.is_empty();
    let plan = member
        .benefits
        .iter()
        .filter(|b| b.kind == BenefitKind::ActiveCoverage)
        .find_map(|b| b.plan_description.clone())
        .unwrap_or_default();
    Answer {
        active,
        plan,
        rejections,
        benefits: member.benefits.iter().map(line_of).collect(),
        answered_at: now,
    }
}

fn line_of(b: &Benefit) -> BenefitLine {
    BenefitLine {
        info_code: b.code.clone(),
        service_type: b.service_types.join(","),
        period: b.time_period.clone().unwrap_or_default(),
        amount: b.amount.map(Money::from),
        percent_basis_points: b
            .percent
            .map(|p| (p.value() * Decimal::from(10_000)).round())
            .and_then(|bp| bp.to_u32())
            .unwrap_or(0),
        in_network: b.in_network.as_deref() == Some("Y"),
    }
}
