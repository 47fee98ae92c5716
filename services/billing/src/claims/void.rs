//! Voiding a claim. One the payer never received is simply voided; one it
//! did gets a frequency-8 claim naming the payer's claim number, which the
//! next batch sends, and the original is voided (and `ClaimVoided`
//! published) when that batch goes out.

use medbill_kernel::{ClaimId, Money};
use medbill_platform::ServiceError;
use sqlx::AnyConnection;

use super::domain::{
    Adjudication, Claim, ClaimState, Dimension, Frequency, Lifecycle, Submission,
    line_control_number, patient_control_number,
};
use super::service::{self, Context};
use super::store::{self, Cause};

/// Voids claim `claim_id`; returns the voided claim, or the frequency-8
/// claim that will void it at the payer.
pub async fn void(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    reason: &str,
    cx: Context<'_>,
) -> Result<Claim, ServiceError> {
    let mut claim = store::require_claim(conn, claim_id).await?;
    if claim.state.lifecycle != Lifecycle::Active {
        return Err(ServiceError::FailedPrecondition(format!(
            "claim {claim_id} is {} already",
            claim.state.lifecycle.as_str()
        )));
    }
    if claim.frequency == Frequency::Void {
        return Err(ServiceError::FailedPrecondition(format!(
            "claim {claim_id} is itself a void"
        )));
    }
    let reached_payer = matches!(
        claim.state.submission,
        Submission::Submitted | Submission::Accepted
    ) || claim.state.adjudication != Adjudication::Pending;
    if !reached_payer {
        store::transition(
            conn,
            claim_id,
            Dimension::Lifecycle,
            Lifecycle::Active.as_str(),
            Lifecycle::Voided.as_str(),
            Cause {
                actor: cx.actor,
                reason,
                at: cx.now,
            },
        )
        .await?;
        claim.state.lifecycle = Lifecycle::Voided;
        return Ok(claim);
    }
    if claim.payer_claim_number.is_empty() {
        return Err(ServiceError::FailedPrecondition(format!(
            "claim {claim_id} has no payer claim number yet (it comes with the 835); \
             a void at the payer must name it"
        )));
    }
    let existing = store::standing_claims(conn, &claim.encounter_id, claim.payer_rank).await?;
    if let Some(v) = existing
        .iter()
        .find(|c| c.frequency == Frequency::Void && c.replaces_claim_id.as_ref() == Some(claim_id))
    {
        return Err(ServiceError::AlreadyExists(format!(
            "void claim {} exists for claim {claim_id}",
            v.claim_id
        )));
    }
    let pcn = patient_control_number(store::next_patient_control(conn).await?);
    let mut void = claim.clone();
    void.claim_id = ClaimId::new();
    void.frequency = Frequency::Void;
    void.replaces_claim_id = Some(claim_id.clone());
    void.type_of_bill = if claim.type_of_bill.len() == 3 {
        format!("{}8", &claim.type_of_bill[..2])
    } else {
        String::new()
    };
    void.state = ClaimState::new(true);
    void.batch_id = String::new();
    void.created_at = cx.now;
    void.submitted_at = None;
    void.paid = Money::ZERO;
    void.patient_responsibility = Money::ZERO;
    for line in &mut void.lines {
        line.line_control_number = line_control_number(&pcn, line.line_number);
        line.paid = Money::ZERO;
    }
    void.patient_control_number = pcn;
    let encounter_type =
        service::encounter_type_of(conn, &claim.encounter_id, claim.release_number).await?;
    void.findings = service::scrub(conn, &void, encounter_type, &[], cx.today)
        .await?
        // A void cancels the claim: whether it could be filed today, or
        // duplicates the claim it cancels, does not matter.
        .into_iter()
        .filter(|f| {
            !matches!(
                f.rule_id.as_str(),
                "DUPLICATE_CLAIM" | "TIMELY_FILING" | "TIMELY_FILING_RISK"
            )
        })
        .collect();
    void.state = ClaimState::new(!void.has_errors());
    store::insert_claim(
        conn,
        &void,
        cx.actor,
        &format!("void of claim {claim_id}: {reason}"),
    )
    .await?;
    Ok(void)
}
