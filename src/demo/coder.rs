//! Coding, as the EHR and a coder use it: encounters submitted with the
//! codes the EHR proposes (some wrong), then claimed one by one at the
//! workbench, saved, corrected when an edit finds an error (the coder reads
//! the documentation: the demo knows what the visit was), and released
//! with its warnings acknowledged. Denial rework comes back through the
//! same queue; the coder fixes what the denial named and releases again.

use std::collections::BTreeMap;

use anyhow::Context;
use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::common::v1 as wire;
use medbill_kernel::CalendarDate;
use tonic::Code;

use super::api::{Actor, Api};
use super::progress::Progress;
use super::world::{Person, VISITS, Visit};

/// One encounter the demo submitted.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// Coding's id.
    pub encounter_id: String,
    /// Index into [`VISITS`].
    pub visit: usize,
    /// Whether the EHR proposed wrong diagnoses.
    pub mistaken: bool,
}

fn wire_date(day: CalendarDate) -> wire::Date {
    wire::Date {
        year: day.year(),
        month: day.month() as i32,
        day: day.day() as i32,
    }
}

/// The coding of `visit` with `diagnoses`.
pub(crate) fn coding_of(visit: &Visit, diagnoses: &[&str]) -> pb::Coding {
    pb::Coding {
        diagnoses: diagnoses
            .iter()
            .map(|c| pb::Diagnosis {
                code: (*c).into(),
                present_on_admission: if visit.institutional {
                    "Y".into()
                } else {
                    String::new()
                },
            })
            .collect(),
        lines: visit
            .lines
            .iter()
            .map(|(code, units, pointers)| pb::ProcedureLine {
                code: (*code).into(),
                modifiers: Vec::new(),
                units: *units,
                diagnosis_pointers: pointers
                    .iter()
                    .copied()
                    .filter(|p| (*p as usize) <= diagnoses.len())
                    .collect(),
                date_of_service: None,
                revenue_code: String::new(),
            })
            .collect(),
    }
}

/// The EHR's submission of `person`'s visit `visit_index` on `day` (its
/// id in the EHR `source_id`), with the visit's usual mistake proposed
/// when `mistaken`.
pub(crate) fn encounter_request(
    source_id: &str,
    person: &Person,
    visit_index: usize,
    day: CalendarDate,
    physician: &str,
    mistaken: bool,
) -> pb::SubmitEncounterRequest {
    let visit = &VISITS[visit_index];
    let proposed = match (mistaken, visit.mistaken) {
        (true, Some(wrong)) => coding_of(visit, wrong),
        _ => coding_of(visit, visit.diagnoses),
    };
    pb::SubmitEncounterRequest {
        source_system: "riverside-ehr".into(),
        source_encounter_id: source_id.into(),
        patient_mrn: person.mrn.expose().clone(),
        patient_age_years: person.age,
        patient_sex: if person.female {
            wire::Sex::Female
        } else {
            wire::Sex::Male
        } as i32,
        rendering_provider_npi: physician.into(),
        dates_of_service: Some(wire::DateRange {
            start: Some(wire_date(day)),
            end: Some(wire_date(day)),
        }),
        place_of_service: if visit.institutional { "23" } else { "11" }.into(),
        encounter_type: if visit.institutional {
            pb::EncounterType::Outpatient
        } else {
            pb::EncounterType::Professional
        } as i32,
        documentation: visit.note.into(),
        proposed: Some(proposed),
        priority: pb::Priority::Routine as i32,
        payer_id: String::new(),
        facility_npi: String::new(),
        inpatient_stay: None,
    }
}

/// Submits one encounter per entry of `plan` (patient, visit, day, whether
/// the EHR proposes the visit's usual mistake).
pub async fn submit(
    api: &Api,
    people: &[Person],
    physicians: &[String],
    plan: &[(usize, usize, CalendarDate, bool)],
) -> anyhow::Result<Vec<Submitted>> {
    let mut client = api.encounters();
    let mut out = Vec::with_capacity(plan.len());
    let mut progress = Progress::new("submitting encounters", plan.len());
    for (n, &(person, visit_index, day, mistaken)) in plan.iter().enumerate() {
        let request = encounter_request(
            &format!("V{:06}", n + 1),
            &people[person],
            visit_index,
            day,
            &physicians[n % physicians.len()],
            mistaken,
        );
        let response = client
            .submit_encounter(api.req(Actor::Ehr, request))
            .await
            .with_context(|| format!("submitting encounter {}", n + 1))?
            .into_inner();
        let encounter = response.encounter.context("no encounter in the answer")?;
        out.push(Submitted {
            encounter_id: encounter.encounter_id,
            visit: visit_index,
            mistaken: mistaken && VISITS[visit_index].mistaken.is_some(),
        });
        progress.tick();
    }
    progress.done();
    Ok(out)
}

/// What the coder did in one pass over the queue.
#[derive(Debug, Default, Clone)]
pub struct CodingPass {
    /// Encounters released.
    pub released: u32,
    /// Of those, re-released after a denial (replacement claims follow).
    pub reworked: u32,
    /// Encounters whose saved coding had errors the coder fixed.
    pub corrected: u32,
    /// Encounters the coder could not release, with why.
    pub not_released: Vec<(String, String)>,
}

/// The coder works the queue until it is empty. `visits` says what each
/// encounter was; `rework_lines` which line codes a denial named (the
/// coder adds the NCCI bypass modifier 59 when the service was distinct).
pub async fn work_queue(
    api: &Api,
    visits: &BTreeMap<String, usize>,
    rework_lines: &BTreeMap<String, Vec<String>>,
    expected: usize,
) -> anyhow::Result<CodingPass> {
    let mut client = api.encounters();
    let mut pass = CodingPass::default();
    let mut progress = Progress::new("coding and releasing", expected);
    // Encounters sent back by a denial reach the queue through coding's
    // consumer of billing's feed: an empty queue is waited on a little
    // while fewer than `expected` have come through.
    let started = std::time::Instant::now();
    let mut handled = 0usize;
    loop {
        let claimed = client
            .claim_next_encounter(api.req(Actor::Coder, pb::ClaimNextEncounterRequest::default()))
            .await;
        let encounter = match claimed {
            Ok(e) => e.into_inner(),
            Err(s) if s.code() == Code::NotFound => {
                if handled < expected && started.elapsed() < std::time::Duration::from_secs(15) {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    continue;
                }
                break;
            }
            Err(s) => {
                return Err(crate::operator::status_error(s))
                    .context("claiming the next encounter");
            }
        };
        handled += 1;
        let id = encounter.encounter_id.clone();
        let visit = visits.get(&id).map(|v| &VISITS[*v]);
        let rework = encounter.rework.is_some();
        let mut coding = if rework {
            encounter.coding.clone().or(encounter.proposed.clone())
        } else {
            encounter.proposed.clone()
        }
        .unwrap_or_default();
        if rework {
            let named = rework_lines.get(&id).cloned().unwrap_or_default();
            for line in coding.lines.iter_mut() {
                if named.contains(&line.code) && !line.modifiers.iter().any(|m| m == "59") {
                    line.modifiers.push("59".into());
                }
            }
        }
        let mut saved = save(api, &mut client, &id, coding, encounter.version).await?;
        if has_errors(&saved)
            && let Some(visit) = visit
        {
            // The coder reads the note and codes what it documents.
            let mut fixed = coding_of(visit, visit.diagnoses);
            if let Some(current) = &saved.coding {
                for (line, old) in fixed.lines.iter_mut().zip(&current.lines) {
                    line.modifiers = old.modifiers.clone();
                }
            }
            saved = save(api, &mut client, &id, fixed, saved.version).await?;
            pass.corrected += 1;
        }
        if has_errors(&saved) {
            let why = saved
                .findings
                .iter()
                .filter(|f| f.severity == pb::Severity::Error as i32)
                .map(|f| format!("{}: {}", f.edit_id, f.message))
                .collect::<Vec<_>>()
                .join("; ");
            pass.not_released.push((id.clone(), why));
            continue;
        }
        let acknowledgments = saved
            .findings
            .iter()
            .filter(|f| f.severity == pb::Severity::Warning as i32)
            .map(|f| pb::WarningAcknowledgment {
                finding_key: f.finding_key.clone(),
                reason: "reviewed against the documentation".into(),
            })
            .collect();
        let released = client
            .release_encounter(api.req(
                Actor::Coder,
                pb::ReleaseEncounterRequest {
                    encounter_id: id.clone(),
                    acknowledgments,
                },
            ))
            .await;
        match released {
            Ok(_) => {
                pass.released += 1;
                if rework {
                    pass.reworked += 1;
                }
            }
            Err(s) => pass
                .not_released
                .push((id.clone(), s.message().to_string())),
        }
        progress.tick();
    }
    progress.done();
    Ok(pass)
}

pub(crate) fn has_errors(encounter: &pb::Encounter) -> bool {
    encounter
        .findings
        .iter()
        .any(|f| f.severity == pb::Severity::Error as i32)
}

async fn save(
    api: &Api,
    client: &mut pb::encounter_service_client::EncounterServiceClient<tonic::transport::Channel>,
    id: &str,
    coding: pb::Coding,
    version: u64,
) -> anyhow::Result<pb::Encounter> {
    Ok(client
        .save_coding(api.req(
            Actor::Coder,
            pb::SaveCodingRequest {
                encounter_id: id.into(),
                coding: Some(coding),
                expected_version: version,
            },
        ))
        .await
        .map_err(crate::operator::status_error)
        .with_context(|| format!("saving the coding of {id}"))?
        .into_inner())
}
