//! The coding workbench's operations: each begins a transaction, loads what
//! it changes, lets the domain decide, persists, records the change and, on
//! release, publishes `EncounterReleased` through the outbox in the same
//! transaction.

use medbill_kernel::Timestamp;
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::ServiceError;
use medbill_platform::db::{Database, Tx};
use medbill_platform::outbox::NewEvent;
use medbill_platform::writes::Writes;

// `ReviewRequest` lives in the domain; re-exported where the denial
// consumer has always found it.
pub use super::domain::ReviewRequest;
use super::domain::{
    Coding, Encounter, EncounterStatus, EncounterType, NewEncounter, PhysicianQuery, Priority,
    Transition,
};
use super::{history, store, wire};
use crate::codesets::index_cache::IndexCache;
use crate::codesets::store::facts::CodeSource;
use crate::edits::codeset::CodeSetInput;
use crate::edits::{self, EditInput, Finding, Severity};

/// The workbench over one coding database.
#[derive(Clone)]
pub struct Workbench {
    db: Database,
    /// The loaded code sets, for the edits.
    index: IndexCache,
}

/// A coder's acknowledgment of a warning at release.
#[derive(Debug, Clone)]
pub struct Acknowledgment {
    /// `Finding::key()` of the warning.
    pub finding_key: String,
    /// Why the coder confirms it.
    pub reason: String,
}

fn now() -> String {
    Timestamp::now().to_string()
}

impl Workbench {
    /// A workbench over `db`, its edits reading what codes are from
    /// `index` (the service's index of `db`'s code sets).
    pub fn new(db: Database, index: IndexCache) -> Self {
        Workbench { db, index }
    }

    /// Takes an encounter; returns it and whether it is new.
    pub async fn submit(
        &self,
        actor: &str,
        new: NewEncounter,
    ) -> Result<(Encounter, bool), ServiceError> {
        let id = new_uuid_v7();
        let received = now();
        let mut w = Writes::new();
        store::push_insert(&mut w, &id, &new, &received);
        history::push(&mut w, &id, actor, "submitted", None, &received, "")?;
        match w.commit(&self.db).await {
            Ok(_) => Ok((as_received(id, new, received), true)),
            // The source system's key is taken: the encounter was
            // submitted before (intake is idempotent).
            Err(ServiceError::AlreadyExists(detail)) => {
                let mut conn = self.db.pool().acquire().await?;
                match store::id_by_source(&mut conn, &new.source_system, &new.source_encounter_id)
                    .await?
                {
                    Some(existing) => Ok((load(&mut conn, &existing).await?, false)),
                    None => Err(ServiceError::AlreadyExists(detail)),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Reads one encounter.
    pub async fn get(&self, encounter_id: &str) -> Result<Encounter, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        load(&mut conn, encounter_id).await
    }

    /// A page of the queue.
    pub async fn list(
        &self,
        filter: &store::QueueFilter<'_>,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<Encounter>, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        let ids = store::list_ids(&mut conn, filter, offset, limit).await?;
        let mut encounters = Vec::with_capacity(ids.len());
        for id in ids {
            encounters.push(load(&mut conn, &id).await?);
        }
        Ok(encounters)
    }

    /// Gives the next encounter in the queue to `coder`.
    pub async fn claim_next(
        &self,
        coder: &str,
        encounter_type: Option<EncounterType>,
    ) -> Result<Encounter, ServiceError> {
        store::claim_next(&self.db, coder, encounter_type, &now())
            .await?
            .ok_or_else(|| ServiceError::not_found("ready encounter", "(the queue is empty)"))
    }

    /// Replaces the coding of an encounter the coder holds with what
    /// `coding` makes of the request for the stored encounter (its checks
    /// need the encounter's dates; a refusal changes nothing).
    pub async fn save_coding(
        &self,
        coder: &str,
        encounter_id: &str,
        coding: impl FnOnce(&Encounter) -> Result<Coding, ServiceError>,
        expected_version: u64,
    ) -> Result<Encounter, ServiceError> {
        let mut tx = self.db.begin().await?;
        let mut encounter = load(&mut tx, encounter_id).await?;
        let coding = coding(&encounter)?;
        if expected_version != 0 && expected_version != encounter.version {
            return Err(ServiceError::Aborted(format!(
                "the encounter changed (version {} now, {expected_version} read); reload and save again",
                encounter.version
            )));
        }
        encounter.status = encounter.status.apply(Transition::Save)?;
        require_assignee(&encounter, coder)?;
        let before = std::mem::replace(&mut encounter.coding, coding);
        // A first save has no rows to replace. (Not in the writes below:
        // on PostgreSQL they become one statement, whose parts may run in
        // any order, and the new rows take the old rows' keys.)
        if !(before.diagnoses.is_empty() && before.lines.is_empty()) {
            store::delete_coding(&mut tx, encounter_id, store::CodingKind::Coded).await?;
        }
        encounter.findings = run_edits(&mut tx, &self.index, &encounter).await?;
        let first_check = edits::has_errors(&encounter.findings);
        let mut w = Writes::new();
        store::push_coding(
            &mut w,
            encounter_id,
            store::CodingKind::Coded,
            &encounter.coding,
        );
        let change = Some((&before, &encounter.coding));
        history::push(
            &mut w,
            encounter_id,
            coder,
            "coding_saved",
            change,
            &now(),
            "",
        )?;
        persist(&mut tx, &encounter, Some(first_check), w).await?;
        tx.commit().await?;
        // What was written, as a load would read it back: `persist` bumped
        // the version.
        encounter.version += 1;
        Ok(encounter)
    }

    /// Runs the edits on the saved coding without changing anything.
    pub async fn check(&self, encounter_id: &str) -> Result<Vec<Finding>, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        let encounter = load(&mut conn, encounter_id).await?;
        run_edits(&mut conn, &self.index, &encounter).await
    }

    /// Puts an encounter on hold with a question for the physician.
    pub async fn hold(
        &self,
        coder: &str,
        encounter_id: &str,
        question: String,
    ) -> Result<Encounter, ServiceError> {
        let mut tx = self.db.begin().await?;
        let mut encounter = load(&mut tx, encounter_id).await?;
        encounter.status = encounter.status.apply(Transition::Hold)?;
        require_assignee(&encounter, coder)?;
        let at = now();
        let query = PhysicianQuery {
            query_id: new_uuid_v7(),
            question,
            asked_by: coder.to_string(),
            asked_at: at.clone(),
            answer: None,
            answered_at: None,
        };
        store::insert_query(&mut tx, encounter_id, &query).await?;
        let mut w = Writes::new();
        history::push(
            &mut w,
            encounter_id,
            coder,
            "held",
            None,
            &at,
            &query.query_id,
        )?;
        persist(&mut tx, &encounter, None, w).await?;
        let held = load(&mut tx, encounter_id).await?;
        tx.commit().await?;
        Ok(held)
    }

    /// Records the physician's answer and resumes coding.
    pub async fn resume(
        &self,
        actor: &str,
        encounter_id: &str,
        query_id: &str,
        answer: &str,
    ) -> Result<Encounter, ServiceError> {
        let mut tx = self.db.begin().await?;
        let mut encounter = load(&mut tx, encounter_id).await?;
        encounter.status = encounter.status.apply(Transition::Resume)?;
        let at = now();
        if !store::answer_query(&mut tx, encounter_id, query_id, answer, &at).await? {
            return Err(ServiceError::invalid(
                "query_id",
                "must name an unanswered query of this encounter",
            ));
        }
        let mut w = Writes::new();
        history::push(&mut w, encounter_id, actor, "resumed", None, &at, query_id)?;
        persist(&mut tx, &encounter, None, w).await?;
        let resumed = load(&mut tx, encounter_id).await?;
        tx.commit().await?;
        Ok(resumed)
    }

    /// Releases the encounter to billing when no error is left and every
    /// warning is acknowledged; returns it and the event's sequence.
    pub async fn release(
        &self,
        coder: &str,
        encounter_id: &str,
        acknowledgments: &[Acknowledgment],
    ) -> Result<(Encounter, u64), ServiceError> {
        // Read outside a transaction: the write below happens only if the
        // encounter is still at the version read here.
        let mut conn = self.db.pool().acquire().await?;
        let mut encounter = load(&mut conn, encounter_id).await?;
        encounter.status = encounter.status.apply(Transition::Release)?;
        require_assignee(&encounter, coder)?;
        let findings = run_edits(&mut conn, &self.index, &encounter).await?;
        drop(conn);
        let blocking: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{} ({})", f.edit_id, f.message))
            .collect();
        if !blocking.is_empty() {
            return Err(ServiceError::FailedPrecondition(format!(
                "coding edits block release: {}",
                blocking.join("; ")
            )));
        }
        let unacknowledged: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .map(Finding::key)
            .filter(|key| {
                !acknowledgments
                    .iter()
                    .any(|a| &a.finding_key == key && !a.reason.trim().is_empty())
            })
            .collect();
        if !unacknowledged.is_empty() {
            return Err(ServiceError::FailedPrecondition(format!(
                "warnings must be acknowledged with a reason before release: {}",
                unacknowledged.join(", ")
            )));
        }
        let at = now();
        let replaces = encounter.rework.take().map(|r| r.claim_id);
        encounter.findings = findings;
        encounter.release_count += 1;
        encounter.released_at = Some(at.clone());
        encounter.priority = Priority::Routine;
        let event = wire::released_event(&encounter, coder, replaces.as_deref());
        let detail = acknowledgments
            .iter()
            .map(|a| format!("acknowledged {}: {}", a.finding_key, a.reason))
            .collect::<Vec<_>>()
            .join("; ");
        let mut w = Writes::new();
        history::push(&mut w, encounter_id, coder, "released", None, &at, &detail)?;
        let mut guard = Writes::new();
        store::push_update_state(&mut guard, &encounter, encounter.version, None)?;
        // One statement that commits alone on PostgreSQL: publishing holds
        // the outbox's sequence row, which every publishing change waits
        // for, and it is held for no round trip to this process.
        let sequences = w
            .commit_publishing(
                &self.db,
                guard,
                &[NewEvent::of(encounter_id.to_string(), &event)],
            )
            .await?
            .ok_or_else(|| {
                ServiceError::Aborted("the encounter changed concurrently; reload and retry".into())
            })?;
        encounter.version += 1;
        Ok((encounter, sequences.first().copied().unwrap_or(0)))
    }

    /// Re-opens a released encounter for a coding-caused denial, inside the
    /// consumer's transaction. An encounter that is not released (already
    /// re-opened), or whose denied claim was reworked before, is left as it
    /// is.
    pub async fn reopen(tx: &mut Tx, request: &ReviewRequest) -> Result<(), ServiceError> {
        let Some(mut encounter) = store::load(tx, &request.encounter_id).await? else {
            tracing::warn!(encounter_id = %request.encounter_id, "coding review for an unknown encounter");
            return Ok(());
        };
        if encounter.status != EncounterStatus::Released {
            return Ok(());
        }
        if !store::record_rework(tx, request).await? {
            tracing::info!(
                encounter_id = %request.encounter_id,
                claim_id = %request.rework.claim_id,
                "claim already reworked; review request ignored"
            );
            return Ok(());
        }
        encounter.status = encounter.status.apply(Transition::Reopen)?;
        encounter.priority = Priority::DenialRework;
        encounter.assigned_coder = None;
        encounter.rework = Some(request.rework.clone());
        let detail = format!(
            "denial {} on claim {}: CARC {} RARC {}",
            request.denial_id,
            request.rework.claim_id,
            request.rework.carc_codes.join(","),
            request.rework.rarc_codes.join(",")
        );
        let mut w = Writes::new();
        history::push(
            &mut w,
            &request.encounter_id,
            "billing",
            "reopened",
            None,
            &now(),
            &detail,
        )?;
        persist(tx, &encounter, None, w).await?;
        Ok(())
    }

    /// Every change of an encounter.
    pub async fn history(&self, encounter_id: &str) -> Result<Vec<history::Change>, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        load(&mut conn, encounter_id).await?;
        Ok(history::of_encounter(&mut conn, encounter_id).await?)
    }
}

/// A new encounter as `store::push_insert` wrote it, without reading it
/// back.
fn as_received(encounter_id: String, intake: NewEncounter, received_at: String) -> Encounter {
    Encounter {
        encounter_id,
        priority: intake.priority,
        intake,
        coding: Coding::default(),
        status: EncounterStatus::Ready,
        assigned_coder: None,
        findings: Vec::new(),
        queries: Vec::new(),
        rework: None,
        received_at,
        released_at: None,
        version: 1,
        release_count: 0,
    }
}

async fn load(
    conn: &mut sqlx::AnyConnection,
    encounter_id: &str,
) -> Result<Encounter, ServiceError> {
    store::load(conn, encounter_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("encounter", encounter_id))
}

/// Runs `w` (the change's other writes) and, last, the update of the
/// encounter's state from the version it was read at: on PostgreSQL one
/// statement. `ABORTED` when another change came first (the caller's
/// transaction then rolls back the rest).
async fn persist(
    tx: &mut Tx,
    encounter: &Encounter,
    first_check_had_error: Option<bool>,
    mut w: Writes,
) -> Result<(), ServiceError> {
    store::push_update_state(&mut w, encounter, encounter.version, first_check_had_error)?;
    if w.run(tx).await? == 1 {
        Ok(())
    } else {
        Err(ServiceError::Aborted(
            "the encounter changed concurrently; reload and retry".into(),
        ))
    }
}

fn require_assignee(encounter: &Encounter, coder: &str) -> Result<(), ServiceError> {
    match encounter.assigned_coder.as_deref() {
        Some(assigned) if assigned == coder => Ok(()),
        Some(assigned) => Err(ServiceError::FailedPrecondition(format!(
            "the encounter is assigned to {assigned}"
        ))),
        None => Err(ServiceError::FailedPrecondition(
            "the encounter is not assigned; claim it first".into(),
        )),
    }
}

/// The structural edits and the code-set edits for the date of service,
/// what the codes are read from `index`.
async fn run_edits(
    conn: &mut sqlx::AnyConnection,
    index: &IndexCache,
    encounter: &Encounter,
) -> Result<Vec<Finding>, ServiceError> {
    let index = index.get().await?;
    let mut findings = edits::check_structure(&EditInput {
        coding: &encounter.coding,
        encounter_type: encounter.intake.encounter_type,
    });
    let input = CodeSetInput {
        coding: &encounter.coding,
        encounter_type: encounter.intake.encounter_type,
        age_years: encounter.intake.patient_age_years,
        date_of_service: encounter.intake.dos_start,
    };
    findings.extend(edits::codeset::check(conn, &input, CodeSource::Index(&index)).await?);
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use medbill_kernel::{CalendarDate, Npi, Redacted};
    use medbill_platform::testing::TestDatabase;

    use super::*;
    use crate::encounters::domain::{Diagnosis, InpatientStay, ProcedureLine, Sex};

    fn inpatient() -> NewEncounter {
        let day: CalendarDate = "2026-06-01".parse().unwrap();
        NewEncounter {
            source_system: "ehr".into(),
            source_encounter_id: "E-1".into(),
            patient_mrn: Redacted::new("MRN0001".into()),
            patient_age_years: 61,
            patient_sex: Sex::Male,
            rendering_provider_npi: Npi::parse("1234567893").unwrap(),
            dos_start: day,
            dos_end: "2026-06-04".parse().unwrap(),
            place_of_service: "21".into(),
            encounter_type: EncounterType::Inpatient,
            documentation: Redacted::new("Admitted.".into()),
            proposed: Coding {
                diagnoses: vec![
                    Diagnosis {
                        code: "I214".into(),
                        present_on_admission: "Y".into(),
                    },
                    Diagnosis {
                        code: "E119".into(),
                        present_on_admission: "W".into(),
                    },
                ],
                lines: vec![ProcedureLine {
                    code: "0450".into(),
                    modifiers: vec!["25".into(), "59".into()],
                    units: 3,
                    diagnosis_pointers: vec![1, 2],
                    date_of_service: day,
                    revenue_code: "0450".into(),
                }],
            },
            priority: Priority::High,
            payer_id: "ACME01".into(),
            facility_npi: "1245319599".into(),
            inpatient_stay: Some(InpatientStay {
                admission_hour: 7,
                admission_type: "1".into(),
                admission_source: "7".into(),
                discharge_hour: 15,
                discharge_status: "01".into(),
            }),
        }
    }

    #[tokio::test]
    async fn what_submit_and_a_first_save_answer_is_what_a_read_finds() {
        let test_db = TestDatabase::sqlite();
        let db = test_db.connect(crate::MIGRATIONS).await;
        let bench = Workbench::new(db.clone(), IndexCache::new(db));
        let (submitted, created) = bench.submit("ehr", inpatient()).await.unwrap();
        assert!(created);
        let read = bench.get(&submitted.encounter_id).await.unwrap();
        assert_eq!(format!("{submitted:?}"), format!("{read:?}"));

        let claimed = bench.claim_next("coder-1", None).await.unwrap();
        let coding = claimed.intake.proposed.clone();
        let saved = bench
            .save_coding(
                "coder-1",
                &claimed.encounter_id,
                |_| Ok(coding),
                claimed.version,
            )
            .await
            .unwrap();
        let read = bench.get(&saved.encounter_id).await.unwrap();
        assert_eq!(format!("{saved:?}"), format!("{read:?}"));
        assert_eq!(read.coding.diagnoses.len(), 2);
    }
}
