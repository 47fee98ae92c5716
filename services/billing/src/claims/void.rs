//! Voiding and correcting a claim. One the payer never received is simply
//! voided; one it did gets a frequency-8 claim naming the payer's claim
//! number, which the next batch sends, and the original is voided (and
//! `ClaimVoided` published) when that batch goes out. A claim the payer
//! adjudicated is corrected with a frequency-7 claim the same way.

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
    reissue(
        conn,
        &claim,
        Frequency::Void,
        &format!("void of claim {claim_id}: {reason}"),
        cx,
    )
    .await
}

/// Builds a corrected claim (frequency 7) of a claim the payer has
/// adjudicated: its content as the registry now has it (a billing-caused
/// denial is fixed in the registry), naming the payer's claim number; the
/// batch that sends it replaces the original.
pub async fn correct(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    reason: &str,
    cx: Context<'_>,
) -> Result<Claim, ServiceError> {
    let claim = store::require_claim(conn, claim_id).await?;
    if claim.state.lifecycle != Lifecycle::Active || claim.frequency == Frequency::Void {
        return Err(ServiceError::FailedPrecondition(format!(
            "claim {claim_id} is {} ({}); only a standing claim is corrected",
            claim.state.lifecycle.as_str(),
            claim.frequency.as_str()
        )));
    }
    if claim.state.adjudication == Adjudication::Pending || claim.payer_claim_number.is_empty() {
        return Err(ServiceError::FailedPrecondition(format!(
            "claim {claim_id} has no adjudication with a payer claim number yet; \
             a claim the payer has not decided is fixed and scrubbed, not corrected"
        )));
    }
    let existing = store::standing_claims(conn, &claim.encounter_id, claim.payer_rank).await?;
    if let Some(c) = existing.iter().find(|c| {
        c.frequency == Frequency::Replacement && c.replaces_claim_id.as_ref() == Some(claim_id)
    }) {
        return Err(ServiceError::AlreadyExists(format!(
            "corrected claim {} exists for claim {claim_id}",
            c.claim_id
        )));
    }
    reissue(
        conn,
        &claim,
        Frequency::Replacement,
        &format!("corrected claim of {claim_id}: {reason}"),
        cx,
    )
    .await
}

/// A new claim of `frequency` (7 or 8) standing for `claim` at the payer:
/// its lines and codes, a new patient control number, the payer's claim
/// number, scrubbed with the registry as it is now.
async fn reissue(
    conn: &mut AnyConnection,
    claim: &Claim,
    frequency: Frequency,
    history_reason: &str,
    cx: Context<'_>,
) -> Result<Claim, ServiceError> {
    let pcn = patient_control_number(store::next_patient_control(conn).await?);
    let mut next = claim.clone();
    next.claim_id = ClaimId::new();
    next.frequency = frequency;
    next.replaces_claim_id = Some(claim.claim_id.clone());
    next.type_of_bill = if claim.type_of_bill.len() == 3 {
        format!("{}{}", &claim.type_of_bill[..2], frequency.as_str())
    } else {
        String::new()
    };
    next.batch_id = String::new();
    next.created_at = cx.now;
    next.submitted_at = None;
    next.paid = Money::ZERO;
    next.patient_responsibility = Money::ZERO;
    for line in &mut next.lines {
        line.line_control_number = line_control_number(&pcn, line.line_number);
        line.paid = Money::ZERO;
    }
    next.patient_control_number = pcn;
    // The current billing organization (the registry may have been fixed).
    if let Some(p) = crate::registry::profile::load(conn).await?
        && let Some(org) =
            crate::registry::store::provider(conn, Some(&p.billing_provider_id), None).await?
    {
        next.billing_provider_npi = org.npi.as_str().to_string();
    }
    let encounter_type =
        service::encounter_type_of(conn, &claim.encounter_id, claim.release_number).await?;
    let findings = service::scrub(conn, &next, encounter_type, &[], cx.today).await?;
    next.findings = if frequency == Frequency::Void {
        // A void cancels the claim: whether it could be filed today, or
        // duplicates the claim it cancels, does not matter.
        findings
            .into_iter()
            .filter(|f| {
                !matches!(
                    f.rule_id.as_str(),
                    "DUPLICATE_CLAIM" | "TIMELY_FILING" | "TIMELY_FILING_RISK"
                )
            })
            .collect()
    } else {
        findings
    };
    next.state = ClaimState::new(!next.has_errors());
    store::insert_claim(conn, &next, cx.actor, history_reason, None).await?;
    // A secondary claim's replacement bills after the same primary: its
    // 837 carries the same prior payer loops (2320/2330B/2430).
    if let Some((primary_id, remittance_id)) = super::cob::primary_of(conn, &claim.claim_id).await?
    {
        sqlx::query(
            "INSERT INTO secondary_claims (claim_id, primary_claim_id, remittance_id) \
             VALUES ($1, $2, $3)",
        )
        .bind(next.claim_id.as_str())
        .bind(primary_id.as_str())
        .bind(&remittance_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(next)
}
