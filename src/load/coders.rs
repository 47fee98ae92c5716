//! Coders at work through coding's API: one encounter after another, each
//! submits the EHR's next visit, then codes and releases the next
//! encounter of coding's queue (the cycle's workers, and the set-up of the
//! pools of the claims and remit scenarios).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use medbill_contracts::medbill::coding::v1 as coding;
use medbill_platform::auth::Role;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::LoadArgs;
use super::practice::Visits;
use super::tally::Rpcs;
use crate::demo::api::{Actor, Api};
use crate::demo::coder::has_errors;
use crate::operator::request;

/// Coders at work, with the counts they share.
pub struct Coders {
    api: Arc<Api>,
    visits: Arc<Visits>,
    /// The number of the next encounter to submit.
    next: AtomicU64,
    /// Submissions stop at this number.
    until: u64,
    /// Encounters submitted.
    pub submitted: AtomicU64,
    /// Encounters released the first time.
    pub released: AtomicU64,
    /// Encounters released again after a coding denial sent them back.
    pub reworked: AtomicU64,
    /// Encounters a coding denial sent back that the coder could not
    /// correct from the denial's reasons: held with a physician query.
    pub queried: AtomicU64,
}

/// What one coder did.
#[derive(Debug, Default)]
pub struct CoderWork {
    /// The coder's calls.
    pub rpcs: Rpcs,
    /// Coding's ids of the encounters the coder released the first time.
    pub released: Vec<String>,
}

impl Coders {
    /// Coders of `visits` who stop when `until` encounters were submitted.
    pub fn new(api: Arc<Api>, visits: Arc<Visits>, until: u64) -> Arc<Coders> {
        Arc::new(Coders {
            api,
            visits,
            next: AtomicU64::new(0),
            until,
            submitted: AtomicU64::new(0),
            released: AtomicU64::new(0),
            reworked: AtomicU64::new(0),
            queried: AtomicU64::new(0),
        })
    }

    /// Starts `workers` coders, until `stop` or until the last encounter
    /// is submitted. Each is a coder of their own: the queue hands a coder
    /// back the encounter they hold, so one identity for all would code
    /// the same encounter twice.
    pub fn start(
        self: &Arc<Self>,
        data_dir: &Path,
        workers: usize,
        stop: watch::Receiver<bool>,
    ) -> anyhow::Result<Vec<JoinHandle<CoderWork>>> {
        let mut started = Vec::with_capacity(workers.max(1));
        for w in 0..workers.max(1) {
            let coder = crate::token::issue(&crate::token::TokenArgs {
                roles: vec![Role::Coder],
                subject: format!("coder.load-{w:03}"),
                data_dir: data_dir.to_path_buf(),
                ttl_hours: 12,
            })
            .map(|t| format!("Bearer {t}"))?;
            started.push(tokio::spawn(self.clone().work(w, coder, stop.clone())));
        }
        Ok(started)
    }

    async fn work(
        self: Arc<Self>,
        w: usize,
        coder: String,
        stop: watch::Receiver<bool>,
    ) -> CoderWork {
        let mut done = CoderWork::default();
        while !*stop.borrow() {
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            if k >= self.until {
                break;
            }
            let Some(submission) = self.visits.request(k as usize, &format!("L{w:03}-{k:08}"))
            else {
                break;
            };
            match one_encounter(&self.api, &coder, submission, &mut done.rpcs).await {
                Some(Coded::Released(encounter_id)) => {
                    self.released.fetch_add(1, Ordering::Relaxed);
                    done.released.push(encounter_id);
                }
                Some(Coded::Reworked) => {
                    self.reworked.fetch_add(1, Ordering::Relaxed);
                }
                Some(Coded::Queried) => {
                    self.queried.fetch_add(1, Ordering::Relaxed);
                }
                None => {}
            }
            self.submitted.fetch_add(1, Ordering::Relaxed);
        }
        done
    }
}

/// Set-up, not timed: `workers` coders release `n` encounters of
/// `visits` (progress on stderr); coding's ids of those released, and
/// the coders' calls that failed.
pub async fn release(
    api: &Arc<Api>,
    visits: &Arc<Visits>,
    args: &LoadArgs,
    n: usize,
) -> anyhow::Result<(Vec<String>, u64)> {
    let coders = Coders::new(api.clone(), visits.clone(), n as u64);
    let (_running, stop) = watch::channel(false);
    let started = Instant::now();
    let workers = coders.start(&args.caller.data_dir, args.concurrency, stop)?;
    let mut all = Box::pin(futures::future::join_all(workers));
    let done = loop {
        tokio::select! {
            done = &mut all => break done,
            () = tokio::time::sleep(Duration::from_secs(5)) => eprintln!(
                "{}: set-up: {} of {n} encounters released after {:.0} s",
                args.scenario,
                coders.released.load(Ordering::Relaxed),
                started.elapsed().as_secs_f64()
            ),
        }
    };
    let (mut released, mut failed) = (Vec::with_capacity(n), 0);
    for work in done {
        let work = work.context("a coder stopped")?;
        released.extend(work.released);
        failed += work.rpcs.total().failed();
    }
    Ok((released, failed))
}

/// What a coder did with the encounter the queue gave them.
enum Coded {
    /// Released it the first time (coding's id).
    Released(String),
    /// Corrected a coding denial's rework and released it again.
    Reworked,
    /// Could not correct a coding denial from its reasons: held it with a
    /// physician query.
    Queried,
}

/// Modifiers that tell the payer two services of a bundled pair were
/// distinct (NCCI bypass modifiers).
const BYPASS: [&str; 5] = ["59", "XE", "XS", "XP", "XU"];

/// The coding a coder releases again for a coding denial, when its reasons
/// say how: a bundled service (CARC 97) gets the distinct-service modifier
/// 59 on every line after the first that has no bypass modifier yet (one
/// that has them all was denied at the payer's drawn bundling rate and is
/// sent again as it is). `None` for any other reason (an unspecified
/// diagnosis, services never paid together): the coder asks the physician.
fn rework_coding(
    encounter: &coding::Encounter,
    rework: &coding::DenialRework,
) -> Option<coding::Coding> {
    if !rework.carc_codes.iter().any(|c| c == "97") {
        return None;
    }
    let mut coding = encounter
        .coding
        .clone()
        .or_else(|| encounter.proposed.clone())
        .unwrap_or_default();
    for line in coding.lines.iter_mut().skip(1) {
        let bypassed = line.modifiers.iter().any(|m| BYPASS.contains(&m.as_str()));
        if !bypassed && line.modifiers.len() < 4 {
            line.modifiers.push("59".into());
        }
    }
    Some(coding)
}

/// Submits an encounter, then codes and releases the next one in the queue
/// (a coding denial's rework first, as coders work: corrected from the
/// denial's reasons and released again, or held with a physician query
/// when the reasons do not say how).
async fn one_encounter(
    api: &Api,
    coder: &str,
    encounter: coding::SubmitEncounterRequest,
    rpcs: &mut Rpcs,
) -> Option<Coded> {
    let mut client = api.encounters();
    let t = Instant::now();
    let submitted = client
        .submit_encounter(api.req(Actor::Ehr, encounter))
        .await;
    rpcs.count("SubmitEncounter", &submitted, t.elapsed());
    submitted.ok()?;
    let t = Instant::now();
    let claimed = client
        .claim_next_encounter(request(coding::ClaimNextEncounterRequest::default(), coder).ok()?)
        .await;
    rpcs.count("ClaimNextEncounter", &claimed, t.elapsed());
    let encounter = claimed.ok()?.into_inner();
    let rework = encounter.rework.is_some();
    let coding = match &encounter.rework {
        None => encounter.proposed.clone(),
        Some(denial) => match rework_coding(&encounter, denial) {
            Some(corrected) => Some(corrected),
            None => {
                let t = Instant::now();
                let held = client
                    .hold_encounter(
                        request(
                            coding::HoldEncounterRequest {
                                encounter_id: encounter.encounter_id.clone(),
                                question: format!(
                                    "The payer denied claim {} (CARC {}, RARC {}): please \
                                     document the specific diagnosis and the services given.",
                                    denial.claim_id,
                                    denial.carc_codes.join(","),
                                    denial.rarc_codes.join(",")
                                ),
                            },
                            coder,
                        )
                        .ok()?,
                    )
                    .await;
                rpcs.count("HoldEncounter", &held, t.elapsed());
                return held.ok().map(|_| Coded::Queried);
            }
        },
    };
    let t = Instant::now();
    let saved = client
        .save_coding(
            request(
                coding::SaveCodingRequest {
                    encounter_id: encounter.encounter_id.clone(),
                    coding,
                    expected_version: encounter.version,
                },
                coder,
            )
            .ok()?,
        )
        .await;
    rpcs.count("SaveCoding", &saved, t.elapsed());
    let saved = saved.ok()?.into_inner();
    if has_errors(&saved) {
        return None;
    }
    let acknowledgments = saved
        .findings
        .iter()
        .filter(|f| f.severity == coding::Severity::Warning as i32)
        .map(|f| coding::WarningAcknowledgment {
            finding_key: f.finding_key.clone(),
            reason: "reviewed against the documentation".into(),
        })
        .collect();
    let t = Instant::now();
    let done = client
        .release_encounter(
            request(
                coding::ReleaseEncounterRequest {
                    encounter_id: encounter.encounter_id.clone(),
                    acknowledgments,
                },
                coder,
            )
            .ok()?,
        )
        .await;
    rpcs.count("ReleaseEncounter", &done, t.elapsed());
    done.ok().map(|_| {
        if rework {
            Coded::Reworked
        } else {
            Coded::Released(encounter.encounter_id)
        }
    })
}
