//! `CreateBatch`: READY claims of one form gathered into one X12 5010
//! interchange, one transaction set per payer, with control numbers taken
//! from persisted counters in the same transaction. Each claim is scrubbed
//! once more first (a claim that picked up an error since is held instead);
//! the claims become SUBMITTED and `ClaimSubmitted` (or, for a replacement
//! or void, `ClaimVoided` for the claim it takes over) is published in the
//! transaction that stores the file.

use std::collections::BTreeMap;

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_kernel::{ClaimId, EncounterId, Money, PayerId};
use medbill_platform::ServiceError;
use medbill_platform::convert::{wire_date, wire_money};
use medbill_platform::db::Tx;
use medbill_platform::outbox::{self, NewEvent};
use medbill_x12::Date;

use super::store::{self, Batch, BatchClaim};
use super::x12map::{self, Envelope, Parties};
use crate::charges::domain::EncounterType;
use crate::claims::cob::OtherPayer;
use crate::claims::domain::{Claim, ClaimType, Dimension, Frequency, Lifecycle, Submission};
use crate::claims::service::{Context, ScrubBasis, ScrubReads};
use crate::claims::store::{self as claim_store, Cause};
use crate::claims::wire::wire_lines;
use crate::registry::domain::Provider;
use crate::registry::profile;
use crate::registry::{store as registry, wire as registry_wire};

/// The most claims one batch takes.
pub const MAX_CLAIMS: u32 = 5000;

/// What a batch is asked to gather.
#[derive(Debug, Clone)]
pub struct BatchRequest {
    /// 837P or 837I.
    pub claim_type: ClaimType,
    /// At most this many claims.
    pub max_claims: u32,
    /// Only this payer's claims.
    pub payer_id: Option<PayerId>,
}

/// A created batch and its file.
#[derive(Debug, Clone)]
pub struct Created {
    /// The batch.
    pub batch: Batch,
    /// The X12 file.
    pub content: Vec<u8>,
    /// Claims held by the last scrub instead of going out.
    pub held: Vec<ClaimId>,
}

struct Prepared {
    claim: Claim,
    /// The registry facts the claim was scrubbed against, written into the
    /// 837 as they are.
    basis: ScrubBasis,
}

/// Creates a batch in `tx`; `FAILED_PRECONDITION` when no claim is ready.
pub async fn create_batch(
    tx: &mut Tx,
    request: &BatchRequest,
    cx: Context<'_>,
) -> Result<Created, ServiceError> {
    let profile = profile::load(tx).await?.ok_or_else(|| {
        ServiceError::FailedPrecondition(
            "no submitter profile: set it (SetSubmitterProfile) before creating batches".into(),
        )
    })?;
    let billing_provider = registry::provider(tx, Some(&profile.billing_provider_id), None)
        .await?
        .ok_or_else(|| {
            ServiceError::FailedPrecondition(
                "the submitter profile's billing provider is gone".into(),
            )
        })?;
    let ids = claim_store::ready_claims(
        tx,
        request.claim_type,
        request.payer_id.as_ref(),
        i64::from(request.max_claims),
    )
    .await?;
    let batch_id = medbill_kernel::ids::new_uuid_v7();
    let mut prepared = Vec::with_capacity(ids.len());
    let mut held = Vec::new();
    // Taking the claims first: a concurrent batch that took one already
    // left it no longer READY, and this batch skips it.
    let reason = format!("sent in batch {batch_id}");
    // What a claim the scrubber now holds back goes back to.
    let last_batches = claim_store::last_batches(tx, &ids).await?;
    let taken = claim_store::take_ready(
        tx,
        &ids,
        &batch_id,
        Cause {
            actor: cx.actor,
            reason: &reason,
            at: cx.now,
        },
    )
    .await?;
    let claims = claim_store::require_claims(tx, &taken).await?;
    let releases: Vec<(EncounterId, u32)> = claims
        .iter()
        .map(|c| (c.encounter_id.clone(), c.release_number))
        .collect();
    let encounter_types = claim_store::encounter_types(tx, &releases).await?;
    let bases = ScrubBasis::for_claims(tx, &claims).await?;
    let reads = {
        let all: Vec<&Claim> = claims.iter().collect();
        ScrubReads::for_claims(tx, &all).await?
    };
    for ((mut claim, mut basis), reads) in claims.into_iter().zip(bases).zip(reads) {
        let claim_id = claim.claim_id.clone();
        let encounter_type = encounter_types
            .get(&(claim.encounter_id.clone(), claim.release_number))
            .copied()
            .unwrap_or(EncounterType::Unspecified);
        // The 837 goes to the claim's payer, as recorded when it was built,
        // should the coverage name another since.
        if basis.payer.payer_id != claim.payer_id {
            basis.payer = registry::require_payer(tx, &claim.payer_id).await?;
        }
        let mut findings = basis.scrub_with(&claim, encounter_type, &[], cx.today, reads);
        if claim.frequency == Frequency::Void {
            findings.retain(|f| {
                !matches!(
                    f.rule_id.as_str(),
                    "DUPLICATE_CLAIM" | "TIMELY_FILING" | "TIMELY_FILING_RISK"
                )
            });
        }
        if findings != claim.findings {
            claim_store::replace_findings(tx, &claim_id, &findings).await?;
        }
        claim.findings = findings;
        if claim.has_errors() {
            claim_store::transition(
                tx,
                &claim_id,
                Dimension::Submission,
                Submission::Submitted.as_str(),
                Submission::Held.as_str(),
                Cause {
                    actor: cx.actor,
                    reason: "scrubber errors found when batching",
                    at: cx.now,
                },
            )
            .await?;
            let (last_batch, last_sent) = last_batches
                .get(claim_id.as_str())
                .map(|(b, at)| (b.as_str(), at.as_str()))
                .unwrap_or_default();
            claim_store::set_submitted(tx, &claim_id, last_batch, last_sent).await?;
            held.push(claim_id);
            continue;
        }
        claim.state.submission = Submission::Submitted;
        claim.batch_id = batch_id.clone();
        claim.submitted_at = Some(cx.now);
        prepared.push(Prepared { claim, basis });
    }
    if prepared.is_empty() {
        return Err(ServiceError::FailedPrecondition(format!(
            "no {} claim is ready{}",
            transaction_type(request.claim_type),
            if held.is_empty() {
                String::new()
            } else {
                format!(" ({} held by the scrubber just now)", held.len())
            }
        )));
    }
    let interchange = control_number(tx, "interchange").await?;
    let group = control_number(tx, "group").await?;
    let date = Date::from(cx.today);
    let envelope = Envelope {
        profile: &profile,
        interchange,
        group,
        date,
        time: hhmm(cx.now),
        reference: batch_id.clone(),
    };
    // One transaction set per payer, claims in the order they were built.
    let mut by_payer: BTreeMap<String, Vec<&Prepared>> = BTreeMap::new();
    for p in &prepared {
        by_payer
            .entry(p.basis.payer.payer_id.as_str().to_string())
            .or_default()
            .push(p);
    }
    let mut batch_claims = Vec::with_capacity(prepared.len());
    let mut sets = Vec::with_capacity(by_payer.len());
    for claims in by_payer.values() {
        let st = format!("{:04}", control_number(tx, "transaction").await?);
        for p in claims {
            batch_claims.push(BatchClaim {
                claim_id: p.claim.claim_id.clone(),
                transaction_control_number: st.clone(),
                patient_control_number: p.claim.patient_control_number.clone(),
            });
        }
        sets.push((st, claims));
    }
    let params = envelope.params();
    let written = match request.claim_type {
        ClaimType::Professional => {
            let batches: Vec<_> = sets
                .iter()
                .map(|(st, claims)| {
                    envelope.batch(
                        st.clone(),
                        claims
                            .iter()
                            .map(|p| x12map::professional(&p.claim, &parties(&billing_provider, p)))
                            .collect(),
                    )
                })
                .collect();
            medbill_x12::professional::write_837p(&params, &batches)
        }
        ClaimType::Institutional => {
            let batches: Vec<_> = sets
                .iter()
                .map(|(st, claims)| {
                    envelope.batch(
                        st.clone(),
                        claims
                            .iter()
                            .map(|p| {
                                x12map::institutional(&p.claim, &parties(&billing_provider, p))
                            })
                            .collect(),
                    )
                })
                .collect();
            medbill_x12::institutional::write_837i(&params, &batches)
        }
    }
    // Every claim passed the writer's checks alone (rule X12_5010); a
    // failure here is a fault of ours, not of a claim.
    .map_err(|e| ServiceError::Internal(format!("837 not written: {}: {}", e.field, e.reason)))?;
    let total_charge = prepared
        .iter()
        .map(|p| p.claim.total_charge)
        .sum::<Result<Money, _>>()
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let batch = Batch {
        batch_id: batch_id.clone(),
        transaction_type: transaction_type(request.claim_type).to_string(),
        payer_id: request
            .payer_id
            .as_ref()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        status: "created".into(),
        interchange_control_number: format!("{interchange:09}"),
        group_control_number: group.to_string(),
        usage_indicator: profile.usage_indicator.clone(),
        file_name: format!(
            "{}-{interchange:09}.x12",
            transaction_type(request.claim_type)
        ),
        claim_count: prepared.len() as u32,
        total_charge,
        created_by: cx.actor.to_string(),
        created_at: cx.now,
        claim_ids: batch_claims.iter().map(|c| c.claim_id.clone()).collect(),
    };
    store::insert_batch(tx, &batch, &written, &batch_claims).await?;
    let mut events = Vec::with_capacity(prepared.len());
    for p in &prepared {
        events.extend(events_of(tx, p, &batch, cx).await?);
    }
    outbox::publish(tx, &events).await?;
    Ok(Created {
        batch,
        content: written,
        held,
    })
}

fn parties<'a>(billing_provider: &'a Provider, p: &'a Prepared) -> Parties<'a> {
    let basis = &p.basis;
    Parties {
        billing_provider,
        payer: &basis.payer,
        coverage: &basis.coverage,
        patient: &basis.patient,
        rendering_provider: basis.rendering_provider.as_ref(),
        service_facility: basis.service_facility.as_ref(),
        other_payer: basis.other.as_ref().map(OtherPayer::facts),
    }
}

/// `837P` or `837I`.
pub fn transaction_type(claim_type: ClaimType) -> &'static str {
    match claim_type {
        ClaimType::Professional => "837P",
        ClaimType::Institutional => "837I",
    }
}

async fn control_number(tx: &mut Tx, name: &str) -> Result<u32, ServiceError> {
    let n = claim_store::next_number(tx, name).await?;
    // ISA13 has nine digits; the counter wraps after 999,999,999.
    u32::try_from((n - 1) % 999_999_999 + 1).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// `HHMM` of a timestamp (UTC), for ISA10, GS05 and BHT05.
pub(crate) fn hhmm(t: medbill_kernel::Timestamp) -> String {
    // RFC 3339 UTC: "2026-11-30T17:00:00Z".
    let text = t.to_string();
    text.get(11..16)
        .map(|s| s.replace(':', ""))
        .unwrap_or_else(|| "0000".into())
}

/// What another service must learn of one claim of the batch.
async fn events_of(
    tx: &mut Tx,
    p: &Prepared,
    batch: &Batch,
    cx: Context<'_>,
) -> Result<Vec<NewEvent>, ServiceError> {
    let claim = &p.claim;
    let mut events = Vec::new();
    if let Some(old) = &claim.replaces_claim_id {
        let (to, reason) = match claim.frequency {
            Frequency::Void => (
                Lifecycle::Voided,
                format!("voided at the payer by claim {}", claim.claim_id),
            ),
            _ => (
                Lifecycle::Replaced,
                format!("replaced at the payer by claim {}", claim.claim_id),
            ),
        };
        let changed = claim_store::transition(
            tx,
            old,
            Dimension::Lifecycle,
            Lifecycle::Active.as_str(),
            to.as_str(),
            Cause {
                actor: cx.actor,
                reason: &reason,
                at: cx.now,
            },
        )
        .await?;
        if changed {
            events.push(NewEvent::of(
                old.as_str(),
                &pb::ClaimVoided {
                    claim_id: old.as_str().to_string(),
                    reason,
                    replaced_by_claim_id: if claim.frequency == Frequency::Void {
                        String::new()
                    } else {
                        claim.claim_id.as_str().to_string()
                    },
                },
            ));
        }
    }
    if claim.frequency == Frequency::Void {
        return Ok(events);
    }
    let patient = &p.basis.patient;
    events.push(NewEvent::of(
        claim.claim_id.as_str(),
        &pb::ClaimSubmitted {
            claim_id: claim.claim_id.as_str().to_string(),
            patient_id: claim.patient_id.as_str().to_string(),
            patient_mrn: patient.mrn.expose().clone(),
            guarantor_account_id: patient.guarantor_account_id.as_str().to_string(),
            payer_id: claim.payer_id.as_str().to_string(),
            payer_rank: u32::from(claim.payer_rank),
            patient_control_number: claim.patient_control_number.clone(),
            frequency_code: claim.frequency.as_str().to_string(),
            replaces_claim_id: claim
                .replaces_claim_id
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            lines: wire_lines(&claim.lines),
            total_charge: Some(wire_money(claim.total_charge)),
            first_date_of_service: Some(wire_date(claim.dates.start())),
            batch_id: batch.batch_id.clone(),
            encounter_id: claim.encounter_id.as_str().to_string(),
            guarantor_name: Some(registry_wire::wire_name(patient.name.expose())),
            guarantor_address: Some(registry_wire::wire_address(patient.address.expose())),
            payer_name: p.basis.payer.name.clone(),
            claim_filing_indicator: p.basis.payer.filing_indicator.code().to_string(),
            submitted_on: Some(wire_date(cx.today)),
            primary_claim_id: p
                .basis
                .other
                .as_ref()
                .map(|o| o.primary_claim_id.as_str().to_string())
                .unwrap_or_default(),
        },
    ));
    Ok(events)
}
