//! 277 claim status responses (005010X212): each claim reported on is
//! matched to the 276 trace that asked about it, else by its patient
//! control number (REF*EJ), and its status is recorded on the claim. A
//! finalized claim (paid or denied) is a note only: the 835 posts the
//! money and the denial. A claim the payer cannot find (A4, D0, or an
//! F-category "not found") goes back to REJECTED to be sent again.

use medbill_kernel::{ClaimId, Money};
use medbill_platform::ServiceError;
use medbill_x12::status::{CategoryClass, ClaimStatusResult, StatusDetail, read_277};
use sqlx::AnyConnection;

use super::store::{self, RecordedStatus};
use crate::claims::domain::{Dimension, Submission};
use crate::claims::service::Context;
use crate::claims::store::{self as claim_store, Cause};

/// What applying a 277 file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Claim statuses recorded.
    pub recorded: u32,
    /// Claims sent back to REJECTED (not found at the payer).
    pub sent_back: u32,
    /// Why each claim sent back was.
    pub notes: Vec<String>,
    /// What it named that we never asked about or sent.
    pub unmatched: Vec<String>,
}

/// Category codes that say the payer has no such claim.
const NOT_FOUND: [&str; 2] = ["A4", "D0"];

/// The outcome a claim's first status names.
fn outcome_of(result: &ClaimStatusResult) -> &'static str {
    let Some(code) = result.statuses.first().and_then(|s| s.codes.first()) else {
        return "other";
    };
    if NOT_FOUND.contains(&code.category.as_str()) {
        return "not_found";
    }
    match code.class() {
        CategoryClass::DataSearchUnsuccessful => "not_found",
        CategoryClass::Finalized => match code.category.as_str() {
            "F1" => "paid",
            "F2" => "denied",
            _ => "finalized",
        },
        CategoryClass::Pending => "pending",
        CategoryClass::RequestForInformation => "information_requested",
        CategoryClass::Acknowledgment => "acknowledged",
        CategoryClass::Error => "error",
        CategoryClass::Other => "other",
    }
}

fn describe(statuses: &[StatusDetail]) -> String {
    statuses
        .iter()
        .map(|s| {
            let codes: Vec<String> = s
                .codes
                .iter()
                .map(|c| match &c.entity {
                    Some(e) => format!("{}:{}:{e}", c.category, c.status),
                    None => format!("{}:{}", c.category, c.status),
                })
                .collect();
            let mut text = format!("STC {}", codes.join(" "));
            if let Some(paid) = s.paid {
                text.push_str(&format!(" paid {paid}"));
            }
            if let Some(m) = &s.message {
                text.push_str(&format!(" {m}"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads `content` as 277s and applies each claim's status, in `tx`; a
/// file that does not read is `INVALID_ARGUMENT` on `field` with the
/// segment position, and nothing is recorded.
pub async fn apply_277(
    tx: &mut AnyConnection,
    content: &[u8],
    field: &str,
    cx: Context<'_>,
) -> Result<Applied, ServiceError> {
    let responses = read_277(content).map_err(|e| ServiceError::invalid(field, e.to_string()))?;
    let mut applied = Applied::default();
    for result in responses.iter().flat_map(|r| r.claims.iter()) {
        let (claim_id, trace) = match matched(tx, result).await? {
            Some(found) => found,
            None => {
                applied.unmatched.push(format!(
                    "277 trace {} (patient control number {}): no claim we asked about",
                    result.trace_number,
                    result.patient_control_number.as_deref().unwrap_or("none")
                ));
                continue;
            }
        };
        let outcome = outcome_of(result);
        let statuses = describe(&result.statuses);
        let paid = result
            .statuses
            .first()
            .and_then(|s| s.paid)
            .map(Money::from)
            .unwrap_or(Money::ZERO);
        store::insert_status(
            tx,
            &RecordedStatus {
                claim_id: claim_id.clone(),
                trace_number: trace.clone(),
                outcome: outcome.to_string(),
                statuses: statuses.clone(),
                paid,
                payer_claim_number: result
                    .payer_claim_control_number
                    .clone()
                    .unwrap_or_default(),
                received_at: cx.now,
            },
        )
        .await?;
        if !trace.is_empty() {
            store::mark_answered(tx, &trace, cx.now).await?;
        }
        applied.recorded += 1;
        if outcome == "not_found" && send_back(tx, &claim_id, &statuses, cx).await? {
            applied.sent_back += 1;
            applied.notes.push(format!(
                "claim {claim_id}: not found at payer ({statuses}); back to rejected to resubmit"
            ));
        }
    }
    Ok(applied)
}

/// The claim a result is about and the 276 trace it answers (empty when
/// matched by patient control number only).
async fn matched(
    tx: &mut AnyConnection,
    result: &ClaimStatusResult,
) -> Result<Option<(ClaimId, String)>, ServiceError> {
    if let Some(claim_id) = store::claim_of_trace(tx, &result.trace_number).await? {
        return Ok(Some((claim_id, result.trace_number.clone())));
    }
    match &result.patient_control_number {
        Some(pcn) => Ok(claim_store::claim_by_control_number(tx, pcn)
            .await?
            .map(|c| (c, String::new()))),
        None => Ok(None),
    }
}

/// Moves a claim the payer cannot find back to REJECTED; false when it was
/// no longer at the payer (a later file moved it already).
async fn send_back(
    tx: &mut AnyConnection,
    claim_id: &ClaimId,
    statuses: &str,
    cx: Context<'_>,
) -> Result<bool, ServiceError> {
    let claim = claim_store::require_claim(tx, claim_id).await?;
    let from = claim.state.submission;
    if !matches!(from, Submission::Submitted | Submission::Accepted) {
        return Ok(false);
    }
    claim_store::transition(
        tx,
        claim_id,
        Dimension::Submission,
        from.as_str(),
        Submission::Rejected.as_str(),
        Cause {
            actor: cx.actor,
            reason: &format!("277 {statuses}: not found at payer → resubmit"),
            at: cx.now,
        },
    )
    .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use medbill_x12::status::StatusCode;

    use super::*;

    fn outcome(category: &str) -> &'static str {
        let mut result = medbill_x12::samples::status_response().claims.remove(0);
        result.statuses[0].codes = vec![StatusCode {
            category: category.into(),
            status: "0".into(),
            entity: None,
        }];
        outcome_of(&result)
    }

    #[test]
    fn a_277_category_names_what_became_of_the_claim() {
        assert_eq!(outcome("F1"), "paid");
        assert_eq!(outcome("F2"), "denied");
        assert_eq!(outcome("F3"), "finalized");
        assert_eq!(outcome("P1"), "pending");
        assert_eq!(outcome("R4"), "information_requested");
        assert_eq!(outcome("A1"), "acknowledged");
        assert_eq!(outcome("E0"), "error");
    }

    #[test]
    fn a_claim_the_payer_cannot_find_is_not_found_whether_a4_or_d0() {
        assert_eq!(outcome("A4"), "not_found");
        assert_eq!(outcome("D0"), "not_found");
    }
}
