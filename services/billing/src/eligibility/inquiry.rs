//! `CheckEligibility`'s work: the 270 for one coverage and date of service,
//! written with the X12 engine and stored as a pending inquiry, then
//! either dropped in the clearinghouse folder's `outbound/` (its 271
//! arrives later in `inbound/`) or posted to the real-time endpoint and
//! answered in the call ([`super::real_time`]) — unless a 271 for the same
//! coverage and date is recorded already, which is the answer then.

use medbill_kernel::{CalendarDate, Timestamp};
use medbill_platform::ServiceError;
use medbill_platform::db::Database;
use medbill_x12::Phi;
use medbill_x12::claim::Payer as X12Payer;
use medbill_x12::eligibility::{
    DependentInquiry, EligibilityInquiry, InformationReceiver, SubscriberInquiry, write_270,
};

use super::real_time::{self, Exchange, RealTime};
use super::store::{self, Inquiry};
use crate::claims::store::next_number;
use crate::registry::coverage::{CoverageId, Relationship};
use crate::registry::domain::PersonName;
use crate::registry::{patients, profile, store as registry};
use crate::submission::adapter::Clearinghouse;
use crate::submission::batch::hhmm;
use crate::submission::x12map::{self, Envelope};

/// The service types asked about when the request names none: `30`,
/// health benefit plan coverage.
pub const DEFAULT_SERVICE_TYPE: &str = "30";

/// What `CheckEligibility` asks.
#[derive(Debug, Clone)]
pub struct Question {
    /// The coverage.
    pub coverage_id: CoverageId,
    /// The date of service.
    pub date_of_service: CalendarDate,
    /// EQ01 codes, checked, at least one.
    pub service_types: Vec<String>,
}

/// Checks the request's service type codes (one or two letters or digits
/// each, at most 99); `["30"]` when none is given.
pub fn service_types(codes: &[String]) -> Result<Vec<String>, ServiceError> {
    if codes.is_empty() {
        return Ok(vec![DEFAULT_SERVICE_TYPE.to_string()]);
    }
    if codes.len() > 99 {
        return Err(ServiceError::invalid("service_types", "at most 99 codes"));
    }
    let mut out = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let code = code.trim().to_ascii_uppercase();
        if code.is_empty() || code.len() > 2 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ServiceError::invalid(
                format!("service_types[{i}]"),
                "an X12 service type code: one or two letters or digits (e.g. \"30\")",
            ));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// How a 270 reaches the clearinghouse.
#[derive(Clone, Copy)]
pub enum Route<'a> {
    /// Dropped in the folder; the 271 is recorded when it arrives.
    Folder(&'a dyn Clearinghouse),
    /// Posted to the real-time endpoint; the 271 answers in the call.
    RealTime(&'a RealTime),
}

/// A 270 ready to go: the pending inquiry, the interchange, and the ISA
/// sender and receiver ids of the submitter profile.
struct Outgoing {
    inquiry: Inquiry,
    content: Vec<u8>,
    sender_id: String,
    receiver_id: String,
}

/// Answers `question`: the recorded answer for the same coverage and date
/// if there is one, else a new inquiry sent by `route` — pending when it
/// went to the folder, answered when it went in real time.
pub async fn check(
    db: &Database,
    route: Route<'_>,
    question: &Question,
    actor: &str,
    now: Timestamp,
    today: CalendarDate,
) -> Result<Inquiry, ServiceError> {
    let mut tx = db.begin().await?;
    let mut out = match prepare(&mut tx, question, actor, now, today).await? {
        Prepared::Answered(inquiry) => return Ok(inquiry),
        Prepared::Ask(out) => out,
    };
    match route {
        Route::Folder(clearinghouse) => {
            store::insert(&mut tx, &out.inquiry).await?;
            // Handed over before the commit: a failed drop records nothing.
            clearinghouse
                .send(&out.inquiry.file_name, &out.content)
                .map_err(|e| {
                    ServiceError::Unavailable(format!(
                        "clearinghouse drop of {} failed: {e}",
                        out.inquiry.file_name
                    ))
                })?;
            tx.commit().await?;
            tracing::info!(
                inquiry_id = out.inquiry.inquiry_id,
                file = out.inquiry.file_name,
                "270 handed to the clearinghouse"
            );
            Ok(out.inquiry)
        }
        Route::RealTime(endpoint) => {
            let payload_id = medbill_kernel::ids::new_uuid_v7();
            out.inquiry.file_name = format!("{}{payload_id}", real_time::NAME_PREFIX);
            store::insert(&mut tx, &out.inquiry).await?;
            // Committed before the call: no transaction waits on the network.
            tx.commit().await?;
            let exchange = Exchange {
                payload_id,
                sender_id: out.sender_id,
                receiver_id: out.receiver_id,
                x12: out.content,
            };
            endpoint.answer(db, &out.inquiry, exchange, now).await
        }
    }
}

/// What `question` needs.
enum Prepared {
    /// A 271 for the same coverage and date is recorded already.
    Answered(Inquiry),
    /// A 270 to send.
    Ask(Outgoing),
}

/// Reads what the 270 needs in `tx` and writes it (taking its control
/// numbers), or finds the recorded answer.
async fn prepare(
    tx: &mut sqlx::AnyConnection,
    question: &Question,
    actor: &str,
    now: Timestamp,
    today: CalendarDate,
) -> Result<Prepared, ServiceError> {
    let coverage = patients::coverage(tx, &question.coverage_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("coverage", question.coverage_id.as_str()))?;
    if let Some(answered) =
        store::latest_answer(tx, &coverage.coverage_id, question.date_of_service).await?
    {
        return Ok(Prepared::Answered(answered));
    }
    let patient = patients::patient(tx, Some(&coverage.patient_id), None)
        .await?
        .ok_or_else(|| ServiceError::not_found("patient", coverage.patient_id.as_str()))?;
    let payer = registry::require_payer(tx, &coverage.payer_id).await?;
    let profile = profile::load(tx).await?.ok_or_else(|| {
        ServiceError::FailedPrecondition(
            "no submitter profile: set it (SetSubmitterProfile) before eligibility inquiries"
                .into(),
        )
    })?;
    let provider = registry::provider(tx, Some(&profile.billing_provider_id), None)
        .await?
        .ok_or_else(|| {
            ServiceError::FailedPrecondition(
                "the submitter profile's billing provider is gone".into(),
            )
        })?;
    let ein = provider.tax_id.as_ref().ok_or_else(|| {
        ServiceError::FailedPrecondition(
            "the billing provider has no tax id (the 270 trace names it)".into(),
        )
    })?;
    let interchange = number(tx, "interchange").await?;
    let group = number(tx, "group").await?;
    let st = format!("{:04}", next_number(tx, "transaction").await?);
    let inquiry_id = medbill_kernel::ids::new_uuid_v7();
    // A self-insured patient is asked about as the subscriber; a spouse or
    // child is asked about as the subscriber's dependent (loop 2000D), the
    // subscriber named by the coverage's member id above them.
    let patient_name = x12map::name(patient.name.expose());
    let patient_birth = Some(Phi::new(medbill_x12::Date::from(
        *patient.birth_date.expose(),
    )));
    let patient_sex = Some(x12map::sex(patient.sex));
    let (name, birth_date, sex, dependent) = match &coverage.subscriber {
        None => (patient_name, patient_birth, patient_sex, None),
        Some(s) => (
            x12map::name(&PersonName {
                last: s.name.expose().last.clone(),
                first: s.name.expose().first.clone(),
                ..Default::default()
            }),
            Some(Phi::new(medbill_x12::Date::from(*s.birth_date.expose()))),
            Some(x12map::sex(s.sex)),
            Some(DependentInquiry {
                name: patient_name,
                birth_date: patient_birth,
                sex: patient_sex,
                relationship: Some(dependent_relationship(coverage.relationship).into()),
            }),
        ),
    };
    let date = medbill_x12::Date::from(today);
    let envelope = Envelope {
        profile: &profile,
        interchange,
        group,
        date,
        time: hhmm(now),
        reference: inquiry_id.clone(),
    };
    let x12 = EligibilityInquiry {
        control_number: st,
        reference_id: inquiry_id.clone(),
        created: date,
        created_time: hhmm(now),
        payer: X12Payer {
            name: payer.name.clone(),
            id: payer.electronic_payer_id.clone(),
        },
        provider: InformationReceiver {
            name: provider.name.clone(),
            npi: provider.npi.as_str().to_string(),
        },
        subscribers: vec![SubscriberInquiry {
            trace_number: inquiry_id.clone(),
            trace_originator: format!("1{}", ein.as_str()),
            name,
            member_id: Phi::new(coverage.member_id.expose().clone()),
            birth_date,
            sex,
            service_date: Some(medbill_x12::Date::from(question.date_of_service)),
            service_types: question.service_types.clone(),
            dependent,
        }],
    };
    let content = write_270(&envelope.params(), &[x12]).map_err(|e| {
        ServiceError::FailedPrecondition(format!(
            "the coverage cannot be asked about in a 270: {}: {}",
            e.field, e.reason
        ))
    })?;
    let inquiry = Inquiry {
        inquiry_id: inquiry_id.clone(),
        coverage_id: coverage.coverage_id.clone(),
        date_of_service: question.date_of_service,
        service_types: question.service_types.clone(),
        trace_number: inquiry_id,
        file_name: format!("270-{interchange:09}.x12"),
        created_by: actor.to_string(),
        created_at: now,
        answer: None,
    };
    Ok(Prepared::Ask(Outgoing {
        inquiry,
        content,
        sender_id: profile.interchange_sender_id.clone(),
        receiver_id: profile.interchange_receiver_id.clone(),
    }))
}

async fn number(conn: &mut sqlx::AnyConnection, name: &str) -> Result<u32, ServiceError> {
    u32::try_from(next_number(conn, name).await?)
        .map_err(|_| ServiceError::Internal(format!("control number {name} overflowed")))
}

/// INS02 of a 270's dependent loop: the patient's relationship to the
/// subscriber (01 spouse, 19 child, 34 other adult).
fn dependent_relationship(relationship: Relationship) -> &'static str {
    match relationship {
        Relationship::Spouse => "01",
        Relationship::Child => "19",
        Relationship::SelfInsured | Relationship::Other => "34",
    }
}
