//! `medbill.coding.v1.CodingAuditService`.

use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::coding_audit_service_server::CodingAuditService;
use medbill_contracts::medbill::common::v1::DateRange;
use medbill_kernel::{CalendarDate, Timestamp};
use medbill_platform::ServiceError;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{date, optional_date, required_text, wire_timestamp};
use medbill_platform::db::Database;
use tonic::{Request, Response, Status};

use super::sampling::{self, Verdict};
use super::{Period, productivity};

/// The audit API.
#[derive(Clone)]
pub struct AuditRpc {
    db: Database,
    clock: Clock,
}

impl AuditRpc {
    /// The API over `db`; an open period ends today on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        AuditRpc { db, clock }
    }
}

/// A required period; an open end means `today`.
fn period(
    field: &str,
    range: Option<&DateRange>,
    today: CalendarDate,
) -> Result<Period, ServiceError> {
    let start = date(
        &format!("{field}.start"),
        range.and_then(|r| r.start.as_ref()),
    )?;
    let end = optional_date(&format!("{field}.end"), range.and_then(|r| r.end.as_ref()))?
        .unwrap_or(today);
    if end < start {
        return Err(ServiceError::invalid(
            format!("{field}.end"),
            "must not be before start",
        ));
    }
    Ok(Period::new(start, end))
}

#[tonic::async_trait]
impl CodingAuditService for AuditRpc {
    async fn get_coder_productivity(
        &self,
        request: Request<pb::GetCoderProductivityRequest>,
    ) -> Result<Response<pb::GetCoderProductivityResponse>, Status> {
        let req = request.into_inner();
        let period = period("period", req.period.as_ref(), self.clock.today())?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let figures = productivity::figures(&mut conn, &period, req.coder.trim())
            .await
            .map_err(ServiceError::from)?;
        Ok(Response::new(pb::GetCoderProductivityResponse {
            coders: figures
                .into_iter()
                .map(|f| pb::CoderProductivity {
                    coder: f.coder,
                    encounters_released: f.released,
                    turnaround_p50_seconds: f.turnaround_p50_seconds,
                    turnaround_p90_seconds: f.turnaround_p90_seconds,
                    edit_error_rate_permille: f.edit_error_rate_permille,
                    encounters_held: f.held,
                    denial_reworks: f.denial_reworks,
                })
                .collect(),
        }))
    }

    async fn sample_for_audit(
        &self,
        request: Request<pb::SampleForAuditRequest>,
    ) -> Result<Response<pb::SampleForAuditResponse>, Status> {
        let auditor = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let period = period("released", req.released.as_ref(), self.clock.today())?;
        if !(1..=200).contains(&req.sample_size) {
            return Err(ServiceError::invalid("sample_size", "must be 1-200").into());
        }
        let sample = sampling::draw(
            &self.db,
            &auditor,
            &period,
            req.coder.trim(),
            req.sample_size,
        )
        .await?;
        Ok(Response::new(pb::SampleForAuditResponse {
            sample_id: sample.sample_id,
            encounter_ids: sample.encounter_ids,
        }))
    }

    async fn record_audit_outcome(
        &self,
        request: Request<pb::RecordAuditOutcomeRequest>,
    ) -> Result<Response<pb::AuditOutcome>, Status> {
        let auditor = principal(&request)?.subject.clone();
        let req = request.into_inner();
        if req.codes_correct + req.codes_wrong + req.codes_missing == 0 {
            return Err(ServiceError::invalid(
                "codes_correct",
                "at least one code must be counted as correct, wrong or missing",
            )
            .into());
        }
        let verdict = Verdict {
            sample_id: required_text("sample_id", &req.sample_id)?,
            encounter_id: required_text("encounter_id", &req.encounter_id)?,
            codes_correct: req.codes_correct,
            codes_wrong: req.codes_wrong,
            codes_missing: req.codes_missing,
            comment: req.comment,
        };
        let o = sampling::record(&self.db, &auditor, verdict).await?;
        Ok(Response::new(pb::AuditOutcome {
            outcome_id: o.outcome_id,
            sample_id: o.verdict.sample_id,
            encounter_id: o.verdict.encounter_id,
            coder: o.coder,
            auditor: o.auditor,
            codes_correct: o.verdict.codes_correct,
            codes_wrong: o.verdict.codes_wrong,
            codes_missing: o.verdict.codes_missing,
            comment: o.verdict.comment,
            recorded_at: Timestamp::parse(&o.recorded_at).map(wire_timestamp),
        }))
    }

    async fn get_audit_summary(
        &self,
        request: Request<pb::GetAuditSummaryRequest>,
    ) -> Result<Response<pb::GetAuditSummaryResponse>, Status> {
        let period = period(
            "period",
            request.get_ref().period.as_ref(),
            self.clock.today(),
        )?;
        let coders = sampling::accuracy(&self.db, &period).await?;
        Ok(Response::new(pb::GetAuditSummaryResponse {
            coders: coders
                .into_iter()
                .map(|a| pb::CoderAccuracy {
                    coder: a.coder,
                    encounters_audited: a.audited,
                    accuracy_permille: a.accuracy_permille,
                })
                .collect(),
        }))
    }
}
