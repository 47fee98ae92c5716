//! `medbill.billing.v1.DenialService`: the denial work queue and appeals.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::billing::v1::denial_service_server::DenialService;
use medbill_kernel::Money;
use medbill_platform::ServiceError;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_date, wire_money, wire_timestamp};
use medbill_platform::db::Database;
use medbill_platform::outbox;
use medbill_platform::paging::Page;
use medbill_platform::pdf;
use sqlx::{AnyConnection, Row};
use tonic::{Request, Response, Status};

use super::adjudication::{coding_review, write_off_request};
use super::letter::{LetterParties, appeal_letter};
use super::store::{self, Denial, DenialFilter};
use crate::claims::store as claim_store;
use crate::registry::{patients, profile, store as registry};

/// The denial API over the billing database.
#[derive(Clone)]
pub struct DenialRpc {
    db: Database,
    clock: Clock,
}

impl DenialRpc {
    /// The API over `db`; appeal deadlines are checked against `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        DenialRpc { db, clock }
    }
}

const CATEGORIES: [(pb::DenialCategory, &str); 9] = [
    (pb::DenialCategory::Coding, "coding"),
    (pb::DenialCategory::Billing, "billing"),
    (pb::DenialCategory::Eligibility, "eligibility"),
    (pb::DenialCategory::Authorization, "authorization"),
    (pb::DenialCategory::MedicalNecessity, "medical_necessity"),
    (pb::DenialCategory::TimelyFiling, "timely_filing"),
    (pb::DenialCategory::Duplicate, "duplicate"),
    (pb::DenialCategory::NonCovered, "non_covered"),
    (pb::DenialCategory::Other, "other"),
];

const STATUSES: [(pb::DenialStatus, &str); 4] = [
    (pb::DenialStatus::Open, "open"),
    (pb::DenialStatus::InCodingReview, "in_coding_review"),
    (pb::DenialStatus::Appealed, "appealed"),
    (pb::DenialStatus::Resolved, "resolved"),
];

fn wire_denial(d: &Denial) -> pb::Denial {
    let category = CATEGORIES
        .iter()
        .find(|(_, n)| *n == d.category)
        .map_or(pb::DenialCategory::Other, |(c, _)| *c);
    let status = STATUSES
        .iter()
        .find(|(_, n)| *n == d.status)
        .map_or(pb::DenialStatus::Unspecified, |(s, _)| *s);
    pb::Denial {
        denial_id: d.denial_id.clone(),
        claim_id: d.claim_id.as_str().to_string(),
        line_control_number: d.line_control_number.clone(),
        category: category as i32,
        status: status as i32,
        carc_codes: d.carc_codes.clone(),
        rarc_codes: d.rarc_codes.clone(),
        group_code: d.group_code.clone(),
        denied_amount: Some(wire_money(d.denied_amount)),
        assigned_to: d.assigned_to.clone(),
        notes: d.notes.clone(),
        denied_at: Some(wire_timestamp(d.denied_at)),
        appeal_deadline: Some(wire_date(d.appeal_deadline)),
        resolution: d.resolution.clone(),
        origin: d.origin.clone(),
        payer_id: d.payer_id.clone(),
        remittance_id: d.remittance_id.clone(),
    }
}

fn denial_id(text: &str) -> Result<String, ServiceError> {
    medbill_kernel::ids::canonical_uuid(text.trim())
        .map_err(|_| ServiceError::invalid("denial_id", "a denial id (UUID)"))
}

fn required(field: &str, text: &str) -> Result<String, ServiceError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ServiceError::invalid(field, "required"));
    }
    if t.len() > 2000 {
        return Err(ServiceError::invalid(field, "at most 2000 characters"));
    }
    Ok(t.to_string())
}

/// An appeal as stored.
struct Appeal {
    appeal_id: String,
    denial_id: String,
    level: u32,
    status: String,
    letter: String,
    submitted_at: String,
    recovered: Money,
    outcome_note: String,
}

fn wire_appeal(a: &Appeal) -> pb::Appeal {
    let status = match a.status.as_str() {
        "draft" => pb::AppealStatus::Draft,
        "submitted" => pb::AppealStatus::Submitted,
        "won" => pb::AppealStatus::Won,
        "partially_won" => pb::AppealStatus::PartiallyWon,
        "lost" => pb::AppealStatus::Lost,
        _ => pb::AppealStatus::Unspecified,
    };
    pb::Appeal {
        appeal_id: a.appeal_id.clone(),
        denial_id: a.denial_id.clone(),
        level: a.level,
        status: status as i32,
        letter: a.letter.clone(),
        submitted_at: medbill_kernel::Timestamp::parse(&a.submitted_at).map(wire_timestamp),
        recovered: Some(wire_money(a.recovered)),
        outcome_note: a.outcome_note.clone(),
    }
}

async fn appeals(
    conn: &mut AnyConnection,
    by: &str,
    id: &str,
) -> Result<Vec<Appeal>, ServiceError> {
    let rows = sqlx::query(&format!(
        "SELECT appeal_id, denial_id, level, status, letter, submitted_at, recovered, \
         outcome_note FROM appeals WHERE {by} = $1 ORDER BY level"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Appeal {
                appeal_id: r.try_get("appeal_id")?,
                denial_id: r.try_get("denial_id")?,
                level: u32::try_from(r.try_get::<i64, _>("level")?).unwrap_or(0),
                status: r.try_get("status")?,
                letter: r.try_get("letter")?,
                submitted_at: r.try_get("submitted_at")?,
                recovered: Money::from_cents(r.try_get("recovered")?),
                outcome_note: r.try_get("outcome_note")?,
            })
        })
        .collect()
}

/// The appeal a request names by `appeal_id` (`INVALID_ARGUMENT` when it
/// is no id, `NOT_FOUND` when there is none).
async fn one_appeal(conn: &mut AnyConnection, appeal_id: &str) -> Result<Appeal, ServiceError> {
    let id = medbill_kernel::ids::canonical_uuid(appeal_id.trim())
        .map_err(|_| ServiceError::invalid("appeal_id", "an appeal id (UUID)"))?;
    appeals(conn, "appeal_id", &id)
        .await?
        .pop()
        .ok_or_else(|| ServiceError::not_found("appeal", &id))
}

/// The appeal letter of `denial` at `level`, from its claim and parties.
async fn letter_of(
    conn: &mut AnyConnection,
    denial: &Denial,
    level: u32,
    today: medbill_kernel::CalendarDate,
    argument: &str,
) -> Result<String, ServiceError> {
    let claim = claim_store::require_claim(conn, &denial.claim_id).await?;
    let payer = registry::require_payer(conn, &claim.payer_id).await?;
    let patient = patients::patient(conn, Some(&claim.patient_id), None)
        .await?
        .ok_or_else(|| ServiceError::not_found("patient", claim.patient_id.as_str()))?;
    let member_id = patients::coverage(conn, &claim.coverage_id)
        .await?
        .map(|c| c.member_id.expose().clone())
        .unwrap_or_default();
    let provider_name = match profile::load(conn).await? {
        Some(p) => registry::provider(conn, Some(&p.billing_provider_id), None)
            .await?
            .map(|p| p.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(appeal_letter(
        &claim,
        denial,
        LetterParties {
            payer: &payer,
            patient: &patient,
            member_id: &member_id,
            provider_name: &provider_name,
        },
        level,
        today,
        argument,
    ))
}

#[tonic::async_trait]
impl DenialService for DenialRpc {
    async fn list_denials(
        &self,
        request: Request<pb::ListDenialsRequest>,
    ) -> Result<Response<pb::ListDenialsResponse>, Status> {
        let req = request.into_inner();
        let mut filter = DenialFilter {
            origin: req.origin.trim().to_string(),
            assigned_to: req.assigned_to.trim().to_string(),
            ..Default::default()
        };
        if !req.payer_id.trim().is_empty() {
            filter.payer_id =
                convert::id::<medbill_kernel::PayerId>("payer_id", &req.payer_id)?.into_string();
        }
        for s in &req.statuses {
            let name = STATUSES
                .iter()
                .find(|(w, _)| *w as i32 == *s)
                .map(|(_, n)| *n)
                .ok_or_else(|| ServiceError::invalid("statuses", "not a denial status"))?;
            filter.statuses.push(name.to_string());
        }
        for c in &req.categories {
            let name = CATEGORIES
                .iter()
                .find(|(w, _)| *w as i32 == *c)
                .map(|(_, n)| *n)
                .ok_or_else(|| ServiceError::invalid("categories", "not a denial category"))?;
            filter.categories.push(name.to_string());
        }
        if req.min_age_days > 0 {
            // Older than N days: recorded before now minus N days.
            let cutoff = self
                .clock
                .now()
                .seconds_nanos()
                .0
                .checked_sub(i64::from(req.min_age_days) * 86_400)
                .and_then(|s| medbill_kernel::Timestamp::from_seconds_nanos(s, 0))
                .ok_or_else(|| ServiceError::invalid("min_age_days", "too many days"))?;
            filter.denied_before = cutoff.to_string();
        }
        if let Some(min) = convert::optional_money(req.min_amount.as_ref()) {
            if min.cents() < 0 {
                return Err(ServiceError::invalid("min_amount", "must not be negative").into());
            }
            filter.min_cents = min.cents();
        }
        let page = Page::from_request("page", req.page.as_ref())?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let rows = store::denials(
            &mut conn,
            &filter,
            page.after.as_deref(),
            page.fetch_limit(),
        )
        .await?;
        let (rows, next) = page.finish(rows, |d| d.denial_id.clone());
        Ok(Response::new(pb::ListDenialsResponse {
            denials: rows.iter().map(wire_denial).collect(),
            page: Some(next),
        }))
    }

    async fn get_denial(
        &self,
        request: Request<pb::GetDenialRequest>,
    ) -> Result<Response<pb::Denial>, Status> {
        let id = denial_id(&request.get_ref().denial_id)?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_denial(
            &store::require_denial(&mut conn, &id).await?,
        )))
    }

    async fn assign_denial(
        &self,
        request: Request<pb::AssignDenialRequest>,
    ) -> Result<Response<pb::Denial>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let id = denial_id(&req.denial_id)?;
        let assignee = req.assigned_to.trim();
        if assignee.is_empty() && req.note.trim().is_empty() {
            return Err(
                ServiceError::invalid("assigned_to", "give an assignee, a note or both").into(),
            );
        }
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let mut d = store::require_denial(&mut tx, &id).await?;
        if !assignee.is_empty() {
            d.assigned_to = assignee.to_string();
        }
        if !req.note.trim().is_empty() {
            d.notes
                .push(format!("{}: {}", who.subject, req.note.trim()));
        }
        store::update_denial(&mut tx, &d).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_denial(&d)))
    }

    async fn request_coding_review(
        &self,
        request: Request<pb::RequestCodingReviewRequest>,
    ) -> Result<Response<pb::Denial>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let id = denial_id(&req.denial_id)?;
        let note = required("note", &req.note)?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let mut d = store::require_denial(&mut tx, &id).await?;
        if !matches!(d.status.as_str(), "open") {
            return Err(ServiceError::FailedPrecondition(format!(
                "denial {id} is {}; only an open denial goes to coding",
                d.status
            ))
            .into());
        }
        let claim = claim_store::require_claim(&mut tx, &d.claim_id).await?;
        d.status = "in_coding_review".into();
        d.notes
            .push(format!("{} sent to coding: {note}", who.subject));
        store::update_denial(&mut tx, &d).await?;
        outbox::publish(&mut tx, &[coding_review(&d, &claim, &note)])
            .await
            .map_err(ServiceError::from)?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_denial(&d)))
    }

    async fn resolve_denial(
        &self,
        request: Request<pb::ResolveDenialRequest>,
    ) -> Result<Response<pb::Denial>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let id = denial_id(&req.denial_id)?;
        let resolution = required("resolution", &req.resolution)?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let mut d = store::require_denial(&mut tx, &id).await?;
        if d.status == "resolved" {
            return Err(ServiceError::FailedPrecondition(format!(
                "denial {id} is resolved already"
            ))
            .into());
        }
        d.status = "resolved".into();
        d.resolution = resolution.clone();
        d.notes
            .push(format!("{} resolved: {resolution}", who.subject));
        store::update_denial(&mut tx, &d).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_denial(&d)))
    }

    async fn create_appeal(
        &self,
        request: Request<pb::CreateAppealRequest>,
    ) -> Result<Response<pb::Appeal>, Status> {
        let req = request.into_inner();
        let id = denial_id(&req.denial_id)?;
        let argument = required("letter", &req.letter)?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let mut d = store::require_denial(&mut tx, &id).await?;
        let today = self.clock.today();
        if today > d.appeal_deadline {
            return Err(ServiceError::FailedPrecondition(format!(
                "the payer's appeal window for denial {id} closed on {} (today is {today})",
                d.appeal_deadline
            ))
            .into());
        }
        if d.status == "resolved" {
            return Err(
                ServiceError::FailedPrecondition(format!("denial {id} is resolved")).into(),
            );
        }
        let level = appeals(&mut tx, "denial_id", &id).await?.len() as u32 + 1;
        let now = self.clock.now();
        let letter = letter_of(&mut tx, &d, level, today, &argument).await?;
        let appeal = Appeal {
            appeal_id: medbill_kernel::ids::new_uuid_v7(),
            denial_id: id.clone(),
            level,
            status: if req.submit { "submitted" } else { "draft" }.into(),
            letter,
            submitted_at: if req.submit {
                now.to_string()
            } else {
                String::new()
            },
            recovered: Money::ZERO,
            outcome_note: String::new(),
        };
        sqlx::query(
            "INSERT INTO appeals (appeal_id, denial_id, level, status, letter, submitted_at, \
             recovered, outcome_note, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, '', $7)",
        )
        .bind(&appeal.appeal_id)
        .bind(&appeal.denial_id)
        .bind(i64::from(level))
        .bind(&appeal.status)
        .bind(&appeal.letter)
        .bind(&appeal.submitted_at)
        .bind(now.to_string())
        .execute(&mut *tx)
        .await
        .map_err(ServiceError::from)?;
        d.status = "appealed".into();
        store::update_denial(&mut tx, &d).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_appeal(&appeal)))
    }

    async fn get_appeal(
        &self,
        request: Request<pb::GetAppealRequest>,
    ) -> Result<Response<pb::Appeal>, Status> {
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let a = one_appeal(&mut conn, &request.get_ref().appeal_id).await?;
        Ok(Response::new(wire_appeal(&a)))
    }

    async fn list_appeals(
        &self,
        request: Request<pb::ListAppealsRequest>,
    ) -> Result<Response<pb::ListAppealsResponse>, Status> {
        let id = denial_id(&request.get_ref().denial_id)?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        Ok(Response::new(pb::ListAppealsResponse {
            appeals: appeals(&mut conn, "denial_id", &id)
                .await?
                .iter()
                .map(wire_appeal)
                .collect(),
        }))
    }

    async fn get_appeal_letter(
        &self,
        request: Request<pb::GetAppealRequest>,
    ) -> Result<Response<pb::AppealLetter>, Status> {
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let a = one_appeal(&mut conn, &request.get_ref().appeal_id).await?;
        let d = store::require_denial(&mut conn, &a.denial_id).await?;
        let claim = claim_store::require_claim(&mut conn, &d.claim_id).await?;
        Ok(Response::new(pb::AppealLetter {
            appeal_id: a.appeal_id.clone(),
            file_name: format!(
                "appeal-{}-level-{}.pdf",
                claim.patient_control_number, a.level
            ),
            pdf: pdf::render(&pdf::text_lines(&a.letter)),
            text: a.letter.clone(),
        }))
    }

    async fn record_appeal_outcome(
        &self,
        request: Request<pb::RecordAppealOutcomeRequest>,
    ) -> Result<Response<pb::Appeal>, Status> {
        let req = request.into_inner();
        let id = medbill_kernel::ids::canonical_uuid(req.appeal_id.trim())
            .map_err(|_| ServiceError::invalid("appeal_id", "an appeal id (UUID)"))?;
        let outcome = match pb::AppealStatus::try_from(req.outcome) {
            Ok(pb::AppealStatus::Won) => "won",
            Ok(pb::AppealStatus::PartiallyWon) => "partially_won",
            Ok(pb::AppealStatus::Lost) => "lost",
            _ => return Err(ServiceError::invalid("outcome", "WON, PARTIALLY_WON or LOST").into()),
        };
        let recovered = convert::optional_money(req.recovered.as_ref()).unwrap_or(Money::ZERO);
        if recovered.cents() < 0 {
            return Err(ServiceError::invalid("recovered", "not negative").into());
        }
        if req.write_off && outcome != "lost" {
            return Err(ServiceError::invalid(
                "write_off",
                "only an upheld (LOST) appeal is written off",
            )
            .into());
        }
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let mut a = one_appeal(&mut tx, &id).await?;
        if a.status != "submitted" && a.status != "draft" {
            return Err(ServiceError::FailedPrecondition(format!(
                "appeal {id} is {} already",
                a.status
            ))
            .into());
        }
        a.status = outcome.into();
        a.recovered = recovered;
        a.outcome_note = req.note.trim().to_string();
        // Only from an open status: of two outcomes recorded at once, the
        // second finds the appeal decided and is refused.
        let changed = sqlx::query(
            "UPDATE appeals SET status = $1, recovered = $2, outcome_note = $3 \
             WHERE appeal_id = $4 AND status IN ('draft', 'submitted')",
        )
        .bind(&a.status)
        .bind(a.recovered.cents())
        .bind(&a.outcome_note)
        .bind(&a.appeal_id)
        .execute(&mut *tx)
        .await
        .map_err(ServiceError::from)?
        .rows_affected();
        if changed == 0 {
            return Err(ServiceError::FailedPrecondition(format!(
                "appeal {id} was decided meanwhile"
            ))
            .into());
        }
        let mut d = store::require_denial(&mut tx, &a.denial_id).await?;
        // Won: the payer pays (its 835 posts it); lost: the denial is open
        // again for the next level, or written off at the biller's word.
        d.status = if outcome == "lost" && !req.write_off {
            "open"
        } else {
            "resolved"
        }
        .into();
        d.notes.push(format!("appeal level {} {outcome}", a.level));
        if outcome != "lost" {
            d.resolution = format!("appeal level {} {outcome}", a.level);
        }
        if req.write_off {
            d.resolution = format!("written off: appeal level {} upheld by the payer", a.level);
            let reason = if a.outcome_note.is_empty() {
                d.resolution.clone()
            } else {
                format!("{}: {}", d.resolution, a.outcome_note)
            };
            outbox::publish(&mut tx, &[write_off_request(&d, &a.appeal_id, &reason)])
                .await
                .map_err(ServiceError::from)?;
        }
        store::update_denial(&mut tx, &d).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire_appeal(&a)))
    }
}
