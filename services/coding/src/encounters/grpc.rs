//! `medbill.coding.v1.EncounterService`: translates requests into workbench
//! calls and domain results into responses. Reads of an encounter (which
//! carries documentation and the MRN) are written to the audit log.

use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::encounter_service_server::EncounterService;
use medbill_kernel::EncounterId;
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, required_text};
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use tonic::{Request, Response, Status};

use super::domain::{EncounterStatus, Priority};
use super::service::{Acknowledgment, Workbench};
use super::store::QueueFilter;
use super::wire;
use crate::codesets::index_cache::IndexCache;
use crate::suggestions::Suggester;

/// The encounter API.
#[derive(Clone)]
pub struct EncounterRpc {
    workbench: Workbench,
    suggester: Suggester,
    db: Database,
    clock: Clock,
}

impl EncounterRpc {
    /// The API over `db`, suggesting codes through the shared `index`;
    /// "today" (no date of service in the future) is read on `clock`.
    pub fn new(db: Database, index: IndexCache, clock: Clock) -> Self {
        EncounterRpc {
            workbench: Workbench::new(db.clone(), index.clone()),
            suggester: Suggester::new(index),
            db,
            clock,
        }
    }

    async fn audit_read(
        &self,
        subject: &medbill_platform::auth::Principal,
        id: &str,
        rpc: &str,
    ) -> Result<(), Status> {
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        audit::record(&mut conn, subject, "read", "encounter", id, rpc)
            .await
            .map_err(ServiceError::from)?;
        Ok(())
    }
}

fn id(field: &str, value: &str) -> Result<String, ServiceError> {
    convert::id::<EncounterId>(field, value).map(EncounterId::into_string)
}

#[tonic::async_trait]
impl EncounterService for EncounterRpc {
    async fn submit_encounter(
        &self,
        request: Request<pb::SubmitEncounterRequest>,
    ) -> Result<Response<pb::SubmitEncounterResponse>, Status> {
        let actor = principal(&request)?.subject.clone();
        let new = wire::new_encounter(request.into_inner(), self.clock.today())?;
        let (encounter, created) = self.workbench.submit(&actor, new).await?;
        Ok(Response::new(pb::SubmitEncounterResponse {
            encounter: Some(wire::encounter_to_pb(&encounter)),
            created,
        }))
    }

    async fn get_encounter(
        &self,
        request: Request<pb::GetEncounterRequest>,
    ) -> Result<Response<pb::Encounter>, Status> {
        let who = principal(&request)?.clone();
        let encounter_id = id("encounter_id", &request.get_ref().encounter_id)?;
        let encounter = self.workbench.get(&encounter_id).await?;
        self.audit_read(&who, &encounter_id, "GetEncounter").await?;
        Ok(Response::new(wire::encounter_to_pb(&encounter)))
    }

    async fn list_encounters(
        &self,
        request: Request<pb::ListEncountersRequest>,
    ) -> Result<Response<pb::ListEncountersResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let mut statuses = Vec::new();
        for (i, s) in req.statuses.iter().enumerate() {
            statuses.push(match pb::EncounterStatus::try_from(*s) {
                Ok(pb::EncounterStatus::Ready) => EncounterStatus::Ready,
                Ok(pb::EncounterStatus::InProgress) => EncounterStatus::InProgress,
                Ok(pb::EncounterStatus::OnHold) => EncounterStatus::OnHold,
                Ok(pb::EncounterStatus::Released) => EncounterStatus::Released,
                _ => {
                    return Err(
                        ServiceError::invalid(format!("statuses[{i}]"), "is not a status").into(),
                    );
                }
            });
        }
        let min_priority = match pb::Priority::try_from(req.min_priority) {
            Ok(pb::Priority::Unspecified | pb::Priority::Routine) => Priority::Routine,
            Ok(pb::Priority::High) => Priority::High,
            Ok(pb::Priority::DenialRework) => Priority::DenialRework,
            Err(_) => return Err(ServiceError::invalid("min_priority", "is not a priority").into()),
        };
        // The queue order (priority, then age) changes as encounters are
        // worked, so the token carries the position in it.
        let page = Page::from_request("page", req.page.as_ref())?;
        let offset: u64 = match &page.after {
            None => 0,
            Some(key) => key.parse().map_err(|_| {
                ServiceError::invalid("page.page_token", "is not a token this RPC issued")
            })?,
        };
        let filter = QueueFilter {
            statuses: &statuses,
            assigned_coder: req.assigned_coder.trim(),
            min_priority,
        };
        let fetched = self
            .workbench
            .list(&filter, offset, page.size.saturating_add(1))
            .await?;
        // A next page exists only after a full one.
        let next_offset = offset + u64::from(page.size);
        let (encounters, next) = page.finish(fetched, |_| next_offset.to_string());
        let ids: Vec<&str> = encounters.iter().map(|e| e.encounter_id.as_str()).collect();
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        audit::record_many(&mut conn, &who, "read", "encounter", &ids, "ListEncounters")
            .await
            .map_err(ServiceError::from)?;
        Ok(Response::new(pb::ListEncountersResponse {
            encounters: encounters.iter().map(wire::encounter_to_pb).collect(),
            page: Some(next),
        }))
    }

    async fn claim_next_encounter(
        &self,
        request: Request<pb::ClaimNextEncounterRequest>,
    ) -> Result<Response<pb::Encounter>, Status> {
        let coder = principal(&request)?.subject.clone();
        let encounter_type =
            wire::encounter_type("encounter_type", request.get_ref().encounter_type)?;
        let encounter = self.workbench.claim_next(&coder, encounter_type).await?;
        Ok(Response::new(wire::encounter_to_pb(&encounter)))
    }

    async fn save_coding(
        &self,
        request: Request<pb::SaveCodingRequest>,
    ) -> Result<Response<pb::Encounter>, Status> {
        let coder = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let encounter_id = id("encounter_id", &req.encounter_id)?;
        let coding = req.coding.unwrap_or_default();
        let saved = self
            .workbench
            .save_coding(
                &coder,
                &encounter_id,
                |current| {
                    wire::coding(
                        "coding",
                        coding,
                        current.intake.dos_start,
                        current.intake.dos_end,
                    )
                },
                req.expected_version,
            )
            .await?;
        Ok(Response::new(wire::encounter_to_pb(&saved)))
    }

    async fn check_coding(
        &self,
        request: Request<pb::CheckCodingRequest>,
    ) -> Result<Response<pb::CheckCodingResponse>, Status> {
        let encounter_id = id("encounter_id", &request.get_ref().encounter_id)?;
        let findings = self.workbench.check(&encounter_id).await?;
        Ok(Response::new(pb::CheckCodingResponse {
            releasable: !crate::edits::has_errors(&findings),
            findings: findings.iter().map(wire::finding_to_pb).collect(),
        }))
    }

    async fn hold_encounter(
        &self,
        request: Request<pb::HoldEncounterRequest>,
    ) -> Result<Response<pb::Encounter>, Status> {
        let coder = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let encounter_id = id("encounter_id", &req.encounter_id)?;
        let question = required_text("question", &req.question)?;
        let held = self.workbench.hold(&coder, &encounter_id, question).await?;
        Ok(Response::new(wire::encounter_to_pb(&held)))
    }

    async fn resume_encounter(
        &self,
        request: Request<pb::ResumeEncounterRequest>,
    ) -> Result<Response<pb::Encounter>, Status> {
        let actor = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let encounter_id = id("encounter_id", &req.encounter_id)?;
        let query_id = id("query_id", &req.query_id)?;
        let answer = required_text("answer", &req.answer)?;
        let resumed = self
            .workbench
            .resume(&actor, &encounter_id, &query_id, &answer)
            .await?;
        Ok(Response::new(wire::encounter_to_pb(&resumed)))
    }

    async fn release_encounter(
        &self,
        request: Request<pb::ReleaseEncounterRequest>,
    ) -> Result<Response<pb::ReleaseEncounterResponse>, Status> {
        let coder = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let encounter_id = id("encounter_id", &req.encounter_id)?;
        let acknowledgments: Vec<Acknowledgment> = req
            .acknowledgments
            .into_iter()
            .map(|a| Acknowledgment {
                finding_key: a.finding_key,
                reason: a.reason,
            })
            .collect();
        let (encounter, sequence) = self
            .workbench
            .release(&coder, &encounter_id, &acknowledgments)
            .await?;
        Ok(Response::new(pb::ReleaseEncounterResponse {
            encounter: Some(wire::encounter_to_pb(&encounter)),
            event_sequence: sequence,
        }))
    }

    async fn get_encounter_history(
        &self,
        request: Request<pb::GetEncounterHistoryRequest>,
    ) -> Result<Response<pb::GetEncounterHistoryResponse>, Status> {
        let who = principal(&request)?.clone();
        let encounter_id = id("encounter_id", &request.get_ref().encounter_id)?;
        let changes = self.workbench.history(&encounter_id).await?;
        self.audit_read(&who, &encounter_id, "GetEncounterHistory")
            .await?;
        Ok(Response::new(pb::GetEncounterHistoryResponse {
            changes: changes.iter().map(wire::change_to_pb).collect(),
        }))
    }

    async fn suggest_codes(
        &self,
        request: Request<pb::SuggestCodesRequest>,
    ) -> Result<Response<pb::SuggestCodesResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let limit = match req.limit {
            0 => 10,
            n if n <= 50 => n as usize,
            _ => return Err(ServiceError::invalid("limit", "must be at most 50").into()),
        };
        let (text, default_date) = if req.encounter_id.trim().is_empty() {
            let text = required_text("text", &req.text)?;
            (text, self.clock.today())
        } else {
            let encounter_id = id("encounter_id", &req.encounter_id)?;
            let encounter = self.workbench.get(&encounter_id).await?;
            self.audit_read(&who, &encounter_id, "SuggestCodes").await?;
            (
                encounter.intake.documentation.into_inner(),
                encounter.intake.dos_start,
            )
        };
        let date = medbill_platform::convert::optional_date(
            "date_of_service",
            req.date_of_service.as_ref(),
        )?
        .unwrap_or(default_date);
        let suggestions = self.suggester.suggest(&text, date, limit).await?;
        Ok(Response::new(pb::SuggestCodesResponse {
            suggestions: suggestions
                .into_iter()
                .map(|s| pb::CodeSuggestion {
                    evidence: s
                        .evidence
                        .iter()
                        .map(|&(start, end)| pb::TextSpan {
                            start: start as u32,
                            end: end as u32,
                            text: text[start..end].to_string(),
                        })
                        .collect(),
                    code: s.code,
                    description: s.description,
                    score_permille: s.score_permille,
                    negated: s.negated,
                })
                .collect(),
        }))
    }
}
