//! The follow-up queue and the 276 claim status inquiry about its claims:
//! one interchange per call, one transaction set per payer, one TRN trace
//! per claim, recorded so the 277 finds its question.

use std::collections::BTreeMap;

use medbill_kernel::{CalendarDate, ClaimId, PayerId, Timestamp};
use medbill_platform::ServiceError;
use medbill_x12::claim::{Demographics, Payer as X12Payer, Receiver};
use medbill_x12::eligibility::InformationReceiver;
use medbill_x12::status::{
    ClaimStatusInquiry, ClaimStatusRequest, ServicePeriod, StatusDependent, StatusParties,
    StatusSubscriber, write_276,
};
use medbill_x12::{Amount, Date, Phi};
use sqlx::AnyConnection;

use super::store::{self, SentInquiry, Unpaid};
use crate::claims::domain::{Adjudication, Claim, Lifecycle, Submission};
use crate::claims::store::{self as claim_store, next_number};
use crate::registry::domain::PersonName;
use crate::registry::{patients, profile, store as registry};
use crate::submission::batch::hhmm;
use crate::submission::x12map::{self, Envelope};

/// The most claims looked at for the queue, and asked about in one 276.
pub const MAX_CLAIMS: i64 = 5000;

/// A claim due for follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The claim.
    pub claim: Unpaid,
    /// Days since it was submitted.
    pub age_days: u32,
}

/// Claims sent at least their payer's follow-up days ago and not
/// adjudicated: oldest first, then the largest charge first.
pub async fn queue(
    conn: &mut AnyConnection,
    payer_id: Option<&PayerId>,
    today: CalendarDate,
) -> Result<Vec<Due>, ServiceError> {
    let mut due: Vec<Due> = store::unpaid(conn, payer_id, MAX_CLAIMS)
        .await?
        .into_iter()
        .filter_map(|claim| {
            let age = u32::try_from(claim.age_days(today)).ok()?;
            (age >= claim.follow_up_days).then_some(Due {
                claim,
                age_days: age,
            })
        })
        .collect();
    due.sort_by(|a, b| {
        (b.age_days, b.claim.total_charge.cents(), &a.claim.claim_id).cmp(&(
            a.age_days,
            a.claim.total_charge.cents(),
            &b.claim.claim_id,
        ))
    });
    Ok(due)
}

/// A 276 written and the claims it asks about.
#[derive(Debug, Clone)]
pub struct Written {
    /// `276-<ISA13>.x12`.
    pub file_name: String,
    /// ISA13, nine digits.
    pub interchange_control_number: String,
    /// The file.
    pub content: Vec<u8>,
    /// One per claim.
    pub inquiries: Vec<SentInquiry>,
}

/// Whether a claim is one the payer has and has not adjudicated: what a
/// status inquiry is for.
fn followable(claim: &Claim) -> bool {
    matches!(
        claim.state.submission,
        Submission::Submitted | Submission::Accepted
    ) && claim.state.adjudication == Adjudication::Pending
        && claim.state.lifecycle == Lifecycle::Active
}

/// How long a 276 waits for its 277 before the queue asks about the claim
/// again: a clearinghouse answers within the day.
pub const ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Takes the next interchange control number in `tx`: the first write of a
/// status inquiry, so that two sent at once queue on it and the later one
/// reads the queue after the earlier one's inquiries are committed.
pub async fn reserve_interchange(tx: &mut AnyConnection) -> Result<u32, ServiceError> {
    number(tx, "interchange").await
}

/// The queue's claims no 276 is awaiting an answer for: none sent within
/// [`ANSWER_WAIT`] of `now` is still unanswered.
pub async fn not_awaiting(
    conn: &mut AnyConnection,
    due: Vec<Due>,
    now: Timestamp,
) -> Result<Vec<ClaimId>, ServiceError> {
    let mut out = Vec::with_capacity(due.len());
    for d in due {
        let waiting = store::unanswered_since(conn, &d.claim.claim_id)
            .await?
            .is_some_and(|sent| now.since(sent) < ANSWER_WAIT);
        if !waiting {
            out.push(d.claim.claim_id);
        }
    }
    Ok(out)
}

/// Writes the 276 about `claim_ids` in `tx` under ISA13 `interchange` (from
/// [`reserve_interchange`]) and records each inquiry; a claim the payer
/// does not have or has adjudicated is `FAILED_PRECONDITION`.
pub async fn write(
    tx: &mut AnyConnection,
    interchange: u32,
    claim_ids: &[ClaimId],
    actor: &str,
    now: Timestamp,
    today: CalendarDate,
) -> Result<Written, ServiceError> {
    let profile = profile::load(tx).await?.ok_or_else(|| {
        ServiceError::FailedPrecondition(
            "no submitter profile: set it (SetSubmitterProfile) before status inquiries".into(),
        )
    })?;
    let provider = registry::provider(tx, Some(&profile.billing_provider_id), None)
        .await?
        .ok_or_else(|| {
            ServiceError::FailedPrecondition(
                "the submitter profile's billing provider is gone".into(),
            )
        })?;
    let mut by_payer: BTreeMap<String, Vec<(ClaimId, ClaimStatusRequest, String)>> =
        BTreeMap::new();
    for claim_id in claim_ids {
        let claim = claim_store::require_claim(tx, claim_id).await?;
        if !followable(&claim) {
            return Err(ServiceError::FailedPrecondition(format!(
                "claim {claim_id} is {} / {}: only claims at the payer and not adjudicated \
                 are asked about",
                claim.state.submission.as_str(),
                claim.state.adjudication.as_str()
            )));
        }
        let trace = medbill_kernel::ids::new_uuid_v7();
        let request = request_of(tx, &claim, &trace).await?;
        by_payer
            .entry(claim.payer_id.as_str().to_string())
            .or_default()
            .push((claim_id.clone(), request, trace));
    }
    let group = number(tx, "group").await?;
    let date = Date::from(today);
    let envelope = Envelope {
        profile: &profile,
        interchange,
        group,
        date,
        time: hhmm(now),
        reference: format!("STATUS{interchange:09}"),
    };
    let file_name = format!("276-{interchange:09}.x12");
    let mut sets = Vec::with_capacity(by_payer.len());
    let mut inquiries = Vec::new();
    for (payer_id, claims) in by_payer {
        let payer = registry::require_payer(
            tx,
            &PayerId::parse(&payer_id).map_err(|e| ServiceError::Internal(e.to_string()))?,
        )
        .await?;
        let st = format!("{:04}", next_number(tx, "transaction").await?);
        let mut requests = Vec::with_capacity(claims.len());
        for (claim_id, request, trace) in claims {
            inquiries.push(SentInquiry {
                trace_number: trace,
                claim_id,
                file_name: file_name.clone(),
                interchange_control_number: format!("{interchange:09}"),
                sent_by: actor.to_string(),
                sent_at: now,
            });
            requests.push(request);
        }
        sets.push(ClaimStatusInquiry {
            control_number: st,
            reference_id: envelope.reference.clone(),
            created: date,
            created_time: hhmm(now),
            parties: StatusParties {
                payer: X12Payer {
                    name: payer.name.clone(),
                    id: payer.electronic_payer_id.clone(),
                },
                receiver: Receiver {
                    name: profile.submitter_name.clone(),
                    id: profile.submitter_id.clone(),
                },
                provider: InformationReceiver {
                    name: provider.name.clone(),
                    npi: provider.npi.as_str().to_string(),
                },
            },
            claims: requests,
        });
    }
    let content = write_276(&envelope.params(), &sets).map_err(|e| {
        ServiceError::FailedPrecondition(format!(
            "the claims cannot be asked about in a 276: {}: {}",
            e.field, e.reason
        ))
    })?;
    for q in &inquiries {
        store::insert_inquiry(tx, q).await?;
    }
    Ok(Written {
        file_name,
        interchange_control_number: format!("{interchange:09}"),
        content,
        inquiries,
    })
}

/// Loop 2000D/E of one claim: its subscriber (and the patient when a
/// dependent), trace, CLM01, payer claim number, charge and dates.
async fn request_of(
    conn: &mut AnyConnection,
    claim: &Claim,
    trace: &str,
) -> Result<ClaimStatusRequest, ServiceError> {
    let coverage = patients::coverage(conn, &claim.coverage_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("coverage", claim.coverage_id.as_str()))?;
    let patient = patients::patient(conn, Some(&claim.patient_id), None)
        .await?
        .ok_or_else(|| ServiceError::not_found("patient", claim.patient_id.as_str()))?;
    let patient_demographics = Demographics {
        birth_date: Phi::new(Date::from(*patient.birth_date.expose())),
        sex: x12map::sex(patient.sex),
    };
    let member_id = Phi::new(coverage.member_id.expose().clone());
    let (subscriber, dependent) = match &coverage.subscriber {
        None => (
            StatusSubscriber {
                name: x12map::name(patient.name.expose()),
                member_id,
                demographics: Some(patient_demographics),
            },
            None,
        ),
        Some(s) => (
            StatusSubscriber {
                name: x12map::name(&PersonName {
                    last: s.name.expose().last.clone(),
                    first: s.name.expose().first.clone(),
                    ..Default::default()
                }),
                member_id,
                demographics: Some(Demographics {
                    birth_date: Phi::new(Date::from(*s.birth_date.expose())),
                    sex: x12map::sex(s.sex),
                }),
            },
            Some(StatusDependent {
                name: x12map::name(patient.name.expose()),
                demographics: patient_demographics,
            }),
        ),
    };
    let start = claim.dates.start();
    let end = claim.dates.end().filter(|e| *e != start);
    Ok(ClaimStatusRequest {
        subscriber,
        patient: dependent,
        trace_number: trace.to_string(),
        payer_claim_control_number: Some(claim.payer_claim_number.clone())
            .filter(|n| !n.is_empty()),
        bill_type: Some(claim.type_of_bill.clone()).filter(|t| !t.is_empty()),
        patient_control_number: Some(claim.patient_control_number.clone()),
        total_charge: Some(Amount::from(claim.total_charge)),
        service_period: Some(ServicePeriod {
            from: Date::from(start),
            to: end.map(Date::from),
        }),
    })
}

async fn number(conn: &mut AnyConnection, name: &str) -> Result<u32, ServiceError> {
    u32::try_from(next_number(conn, name).await?)
        .map_err(|_| ServiceError::Internal(format!("control number {name} overflowed")))
}
