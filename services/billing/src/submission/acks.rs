//! Acknowledgments and the other files the clearinghouse sends back: a 999 says which transaction sets of a batch the
//! clearinghouse accepted (a rejected set means none of its claims reached
//! the payer); a 277CA says, claim by claim, whether the payer's front end
//! accepted it. Rejected claims go back to work (REJECTED) with the reason;
//! accepted ones move on. A file is applied once (by its content); what it
//! names that we never sent is recorded as unmatched, never dropped. A 271
//! answers an eligibility inquiry ([`crate::eligibility::answer`]) and a
//! 277 a claim status inquiry ([`crate::followup::status`]); they are kept
//! here too, so each is applied once.

use medbill_kernel::{ClaimId, Timestamp};
use medbill_platform::ServiceError;
use medbill_x12::ack::{ImplementationAck, SegmentError, read_999};
use medbill_x12::claim_ack::{ClaimStatusReport, Disposition, read_277ca};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use super::kind::FileKind;
use super::store;
use crate::claims::domain::{Dimension, Submission};
use crate::claims::service::Context;
use crate::claims::store::{self as claim_store, Cause};
use crate::eligibility::answer;
use crate::followup::status;

/// The request field that carries the file.
const FIELD: &str = "content";

/// What an acknowledgment said and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgment {
    /// Its id.
    pub acknowledgment_id: String,
    /// `999`, `277CA`, `271` or `277`.
    pub transaction_type: String,
    /// The batch it acknowledges; empty when none we sent.
    pub batch_id: String,
    /// Claims accepted.
    pub claims_accepted: u32,
    /// Claims rejected.
    pub claims_rejected: u32,
    /// Errors reported, one line each.
    pub errors: Vec<String>,
    /// What it named that we never sent.
    pub unmatched: Vec<String>,
    /// When it was received.
    pub received_at: Timestamp,
    /// False when the same file was applied before.
    pub newly_applied: bool,
}

/// Applies an acknowledgment file in `tx` (once per content).
pub async fn ingest(
    tx: &mut AnyConnection,
    content: &[u8],
    file_name: &str,
    cx: Context<'_>,
) -> Result<Acknowledgment, ServiceError> {
    let hash = format!("{:x}", Sha256::digest(content));
    if let Some(previous) = by_hash(tx, &hash).await? {
        return Ok(Acknowledgment {
            newly_applied: false,
            ..previous
        });
    }
    let kind = FileKind::of(content, FIELD)?;
    let mut ack = Acknowledgment {
        acknowledgment_id: medbill_kernel::ids::new_uuid_v7(),
        transaction_type: kind.code().to_string(),
        batch_id: String::new(),
        claims_accepted: 0,
        claims_rejected: 0,
        errors: Vec::new(),
        unmatched: Vec::new(),
        received_at: cx.now,
        newly_applied: true,
    };
    match kind {
        FileKind::Ack999 => {
            let groups =
                read_999(content).map_err(|e| ServiceError::invalid(FIELD, e.to_string()))?;
            for group in &groups {
                apply_999(tx, group, &mut ack, cx).await?;
            }
        }
        FileKind::ClaimAck277 => {
            let acks =
                read_277ca(content).map_err(|e| ServiceError::invalid(FIELD, e.to_string()))?;
            let reports: Vec<&ClaimStatusReport> =
                acks.iter().flat_map(|a| a.claims.iter()).collect();
            apply_277ca(tx, &reports, &mut ack, cx).await?;
        }
        FileKind::Eligibility271 => {
            let applied = answer::apply_271(tx, content, FIELD, cx.now).await?;
            ack.claims_accepted = applied.answered;
            ack.unmatched = applied.unmatched;
        }
        FileKind::ClaimStatus277 => {
            let applied = status::apply_277(tx, content, FIELD, cx).await?;
            ack.claims_accepted = applied.recorded;
            ack.claims_rejected = applied.sent_back;
            ack.errors = applied.notes;
            ack.unmatched = applied.unmatched;
        }
    }
    sqlx::query(
        "INSERT INTO acknowledgments (acknowledgment_id, transaction_type, content_hash, \
         file_name, content, batch_id, claims_accepted, claims_rejected, errors, unmatched, \
         received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&ack.acknowledgment_id)
    .bind(&ack.transaction_type)
    .bind(&hash)
    .bind(file_name)
    .bind(content)
    .bind(&ack.batch_id)
    .bind(i64::from(ack.claims_accepted))
    .bind(i64::from(ack.claims_rejected))
    .bind(ack.errors.join("\n"))
    .bind(ack.unmatched.join("\n"))
    .bind(ack.received_at.to_string())
    .execute(&mut *tx)
    .await?;
    Ok(ack)
}

fn describe(e: &SegmentError) -> String {
    let mut text = format!("IK3 {} at segment {}", e.segment_id, e.position);
    if let Some(code) = &e.code {
        text.push_str(&format!(" (error {code})"));
    }
    for el in &e.element_errors {
        text.push_str(&format!(", IK4 element {} error {}", el.position, el.code));
        if let Some(bad) = &el.bad_value {
            text.push_str(&format!(" value {bad:?}"));
        }
    }
    text
}

async fn apply_999(
    tx: &mut AnyConnection,
    group: &ImplementationAck,
    ack: &mut Acknowledgment,
    cx: Context<'_>,
) -> Result<(), ServiceError> {
    let Some(batch_id) = store::batch_by_group(tx, &group.group_control_number).await? else {
        ack.unmatched.push(format!(
            "group control number {} ({}): no batch we sent",
            group.group_control_number, group.functional_id
        ));
        return Ok(());
    };
    ack.batch_id = batch_id.clone();
    let claims = store::batch_claims(tx, &batch_id).await?;
    let mut any_accepted = false;
    let mut any_rejected = false;
    for set in &group.transactions {
        let in_set: Vec<_> = claims
            .iter()
            .filter(|c| c.transaction_control_number == set.control_number)
            .collect();
        if in_set.is_empty() {
            ack.unmatched.push(format!(
                "transaction set {} of batch {batch_id}: not one we sent",
                set.control_number
            ));
            continue;
        }
        let problems: Vec<String> = set.segment_errors.iter().map(describe).collect();
        if set.status.is_accepted() {
            any_accepted = true;
            ack.claims_accepted += in_set.len() as u32;
            for p in &problems {
                ack.errors.push(format!(
                    "set {} accepted with error: {p}",
                    set.control_number
                ));
            }
            continue;
        }
        any_rejected = true;
        let reason = if problems.is_empty() {
            format!("999 rejected transaction set {}", set.control_number)
        } else {
            format!(
                "999 rejected transaction set {}: {}",
                set.control_number,
                problems.join("; ")
            )
        };
        ack.errors.push(reason.clone());
        for c in in_set {
            if reject(tx, &c.claim_id, &reason, cx).await? {
                ack.claims_rejected += 1;
            }
        }
    }
    if group.transactions.is_empty() && !group.status.is_accepted() {
        // A group rejected without set detail: nothing of it reached the payer.
        any_rejected = true;
        let reason = format!(
            "999 rejected functional group {}",
            group.group_control_number
        );
        ack.errors.push(reason.clone());
        for c in &claims {
            if reject(tx, &c.claim_id, &reason, cx).await? {
                ack.claims_rejected += 1;
            }
        }
    } else if group.transactions.is_empty() {
        any_accepted = true;
        ack.claims_accepted += claims.len() as u32;
    }
    let status = match (any_accepted, any_rejected) {
        (true, false) => "accepted",
        (true, true) => "partially_accepted",
        _ => "rejected",
    };
    store::set_batch_status(tx, &batch_id, &["created", "sent"], status).await?;
    Ok(())
}

/// Moves a claim that the clearinghouse or payer sent back to REJECTED;
/// false when it was not on its way (a later file moved it already).
async fn reject(
    tx: &mut AnyConnection,
    claim_id: &ClaimId,
    reason: &str,
    cx: Context<'_>,
) -> Result<bool, ServiceError> {
    let claim = claim_store::require_claim(tx, claim_id).await?;
    reject_from(tx, claim_id, claim.state.submission, reason, cx).await
}

/// [`reject`] of a claim whose submission status the caller knows.
async fn reject_from(
    tx: &mut AnyConnection,
    claim_id: &ClaimId,
    from: Submission,
    reason: &str,
    cx: Context<'_>,
) -> Result<bool, ServiceError> {
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
            reason,
            at: cx.now,
        },
    )
    .await
}

/// Applies a 277CA's claim reports in the order they come: the claims are
/// read in one query and the accepted ones moved together; a rejection
/// first moves the acceptances before it, so a claim named twice ends as
/// its last report says, as if each were applied alone.
async fn apply_277ca(
    tx: &mut AnyConnection,
    reports: &[&ClaimStatusReport],
    ack: &mut Acknowledgment,
    cx: Context<'_>,
) -> Result<(), ServiceError> {
    let pcns: Vec<&str> = reports
        .iter()
        .map(|r| r.patient_control_number.as_str())
        .collect();
    let mut sent = claim_store::sent_claims(tx, &pcns).await?;
    let mut accepted: Vec<(ClaimId, String)> = Vec::new();
    for report in reports {
        let pcn = &report.patient_control_number;
        let Some(claim) = sent.get_mut(pcn) else {
            ack.unmatched
                .push(format!("patient control number {pcn}: no claim we sent"));
            continue;
        };
        let statuses: Vec<String> = report
            .statuses
            .iter()
            .map(|s| {
                let mut t = format!("STC {}:{}", s.category, s.status);
                if let Some(entity) = &s.entity {
                    t.push_str(&format!(":{entity}"));
                }
                if let Some(message) = &s.message {
                    t.push_str(&format!(" {message}"));
                }
                t
            })
            .collect();
        if ack.batch_id.is_empty() {
            ack.batch_id = claim.batch_id.clone();
        }
        match report.disposition {
            Disposition::Accepted => {
                if claim.submission == Submission::Submitted {
                    accepted.push((
                        claim.claim_id.clone(),
                        format!("277CA accepted: {}", statuses.join("; ")),
                    ));
                    claim.submission = Submission::Accepted;
                }
                ack.claims_accepted += 1;
            }
            Disposition::Rejected => {
                let reason = format!("277CA rejected claim {pcn}: {}", statuses.join("; "));
                ack.errors.push(reason.clone());
                accept(tx, &mut accepted, cx).await?;
                if reject_from(tx, &claim.claim_id, claim.submission, &reason, cx).await? {
                    ack.claims_rejected += 1;
                    claim.submission = Submission::Rejected;
                }
            }
            Disposition::Other => {
                ack.errors
                    .push(format!("277CA claim {pcn}: {}", statuses.join("; ")));
            }
        }
    }
    accept(tx, &mut accepted, cx).await
}

/// Moves the claims of `accepted` (each with its reason) from SUBMITTED to
/// ACCEPTED, and empties it.
async fn accept(
    tx: &mut AnyConnection,
    accepted: &mut Vec<(ClaimId, String)>,
    cx: Context<'_>,
) -> Result<(), ServiceError> {
    if accepted.is_empty() {
        return Ok(());
    }
    claim_store::transition_many(
        tx,
        Dimension::Submission,
        Submission::Submitted.as_str(),
        Submission::Accepted.as_str(),
        (cx.actor, cx.now),
        accepted,
    )
    .await?;
    accepted.clear();
    Ok(())
}

async fn by_hash(
    conn: &mut AnyConnection,
    hash: &str,
) -> Result<Option<Acknowledgment>, ServiceError> {
    let row = sqlx::query(&format!(
        "SELECT {ACK_COLUMNS} FROM acknowledgments WHERE content_hash = $1"
    ))
    .bind(hash)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(ack_of).transpose()
}

const ACK_COLUMNS: &str = "acknowledgment_id, transaction_type, batch_id, claims_accepted, \
    claims_rejected, errors, unmatched, received_at";

fn lines(text: String) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn ack_of(row: &sqlx::any::AnyRow) -> Result<Acknowledgment, ServiceError> {
    let id: String = row.try_get("acknowledgment_id")?;
    let bad = || ServiceError::Internal(format!("stored acknowledgment {id} does not parse"));
    Ok(Acknowledgment {
        transaction_type: row.try_get("transaction_type")?,
        batch_id: row.try_get("batch_id")?,
        claims_accepted: u32::try_from(row.try_get::<i64, _>("claims_accepted")?)
            .map_err(|_| bad())?,
        claims_rejected: u32::try_from(row.try_get::<i64, _>("claims_rejected")?)
            .map_err(|_| bad())?,
        errors: lines(row.try_get("errors")?),
        unmatched: lines(row.try_get("unmatched")?),
        received_at: Timestamp::parse(&row.try_get::<String, _>("received_at")?).ok_or_else(bad)?,
        newly_applied: true,
        acknowledgment_id: id,
    })
}

/// Acknowledgments of a batch (all when empty), newest first.
pub async fn acknowledgments(
    conn: &mut AnyConnection,
    batch_id: &str,
) -> Result<Vec<Acknowledgment>, ServiceError> {
    let rows = sqlx::query(&format!(
        "SELECT {ACK_COLUMNS} FROM acknowledgments WHERE ($1 = '' OR batch_id = $1) \
         ORDER BY received_at DESC, acknowledgment_id DESC LIMIT 500"
    ))
    .bind(batch_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(ack_of).collect()
}
