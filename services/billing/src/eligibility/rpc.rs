//! `CheckEligibility` and `GetEligibility`, called by the registry's
//! handler. A coverage is patient data: both write the audit log.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::Principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_date, wire_money, wire_timestamp};
use medbill_platform::db::Database;

use super::inquiry::{self, Question, Route};
use super::real_time::RealTime;
use super::store::{self, Inquiry};
use crate::registry::coverage::CoverageId;
use crate::submission::adapter::Clearinghouse;

/// The ways a 270 can go, as configured.
#[derive(Clone, Copy, Default)]
pub struct Routes<'a> {
    /// The real-time endpoint (`--eligibility-url`); preferred.
    pub real_time: Option<&'a RealTime>,
    /// The clearinghouse folder (`--clearinghouse-dir`).
    pub folder: Option<&'a dyn Clearinghouse>,
}

fn wire(q: &Inquiry) -> pb::EligibilityResponse {
    let answer = q.answer.as_ref();
    pb::EligibilityResponse {
        inquiry_id: q.inquiry_id.clone(),
        active: answer.is_some_and(|a| a.active),
        benefits: answer
            .map(|a| {
                a.benefits
                    .iter()
                    .map(|b| pb::Benefit {
                        info_code: b.info_code.clone(),
                        service_type: b.service_type.clone(),
                        period: b.period.clone(),
                        amount: b.amount.map(wire_money),
                        percent_basis_points: b.percent_basis_points,
                        in_network: b.in_network,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        checked_at: Some(wire_timestamp(q.created_at)),
        rejections: answer.map(|a| a.rejections.clone()).unwrap_or_default(),
        status: if answer.is_some() {
            pb::EligibilityStatus::Answered
        } else {
            pb::EligibilityStatus::Pending
        } as i32,
        coverage_id: q.coverage_id.as_str().to_string(),
        date_of_service: Some(wire_date(q.date_of_service)),
        trace_number: q.trace_number.clone(),
        plan: answer.map(|a| a.plan.clone()).unwrap_or_default(),
        answered_at: answer.map(|a| wire_timestamp(a.answered_at)),
    }
}

async fn audit_read(
    db: &Database,
    who: &Principal,
    coverage_id: &CoverageId,
    rpc: &str,
) -> Result<(), ServiceError> {
    let mut conn = db.pool().acquire().await?;
    audit::record(
        &mut conn,
        who,
        "read",
        "coverage",
        coverage_id.as_str(),
        rpc,
    )
    .await?;
    Ok(())
}

/// `CheckEligibility`: answered in the call through `real_time` when it is
/// configured, else sent through the clearinghouse folder and answered
/// PENDING; `FAILED_PRECONDITION` with neither.
pub async fn check_eligibility(
    db: &Database,
    clock: &Clock,
    routes: Routes<'_>,
    who: &Principal,
    req: pb::CheckEligibilityRequest,
) -> Result<pb::EligibilityResponse, ServiceError> {
    let question = Question {
        coverage_id: convert::id::<CoverageId>("coverage_id", &req.coverage_id)?,
        date_of_service: convert::date("date_of_service", req.date_of_service.as_ref())?,
        service_types: inquiry::service_types(&req.service_types)?,
    };
    let route = match (routes.real_time, routes.folder) {
        (Some(endpoint), _) => Route::RealTime(endpoint),
        (None, Some(folder)) => Route::Folder(folder),
        (None, None) => {
            return Err(ServiceError::FailedPrecondition(
                "no clearinghouse folder (--clearinghouse-dir) and no real-time endpoint \
                 (--eligibility-url) is configured: eligibility inquiries (270) go through \
                 one of them"
                    .into(),
            ));
        }
    };
    let checked = inquiry::check(
        db,
        route,
        &question,
        &who.subject,
        clock.now(),
        clock.today(),
    )
    .await;
    match checked {
        Ok(found) => {
            audit_read(db, who, &found.coverage_id, "CheckEligibility").await?;
            Ok(wire(&found))
        }
        // The coverage was read and its 270 built (and perhaps sent) before
        // the payer's side failed: the read is audited all the same.
        Err(e @ (ServiceError::Unavailable(_) | ServiceError::FailedPrecondition(_))) => {
            audit_read(db, who, &question.coverage_id, "CheckEligibility").await?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// `GetEligibility`.
pub async fn get_eligibility(
    db: &Database,
    who: &Principal,
    req: pb::GetEligibilityRequest,
) -> Result<pb::EligibilityResponse, ServiceError> {
    let id = medbill_kernel::ids::canonical_uuid(req.inquiry_id.trim())
        .map_err(|_| ServiceError::invalid("inquiry_id", "an inquiry id (UUID)"))?;
    let mut conn = db.pool().acquire().await?;
    let found = store::inquiry(&mut conn, &id)
        .await?
        .ok_or_else(|| ServiceError::not_found("eligibility inquiry", &id))?;
    drop(conn);
    audit_read(db, who, &found.coverage_id, "GetEligibility").await?;
    Ok(wire(&found))
}
