//! What the scenarios that play the whole practice share (cycle, claims,
//! remit): the stack `--data-dir` and the service URLs name, refused unless
//! it is fresh; the demo's practice and patients registered through
//! billing's API and the visits the EHR submits for them; and the set-up
//! of a pool of released encounters before a timed run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use medbill_contracts::medbill::billing::v1 as billing;
use medbill_contracts::medbill::coding::v1 as coding;
use medbill_contracts::medbill::common::v1::PageRequest;
use medbill_kernel::CalendarDate;
use tonic::transport::Channel;

use super::LoadArgs;
use super::coders::release;
use crate::demo::api::{Actor, Api, connect_all};
use crate::demo::coder::encounter_request;
use crate::demo::registry::{self, Practice};
use crate::demo::rng::Rng;
use crate::demo::stack::{External, Stack};
use crate::demo::world::{self, Person};
use crate::operator::status_error;

/// Most visits of one patient in a pool set up before a run (one a day,
/// going back): with more patients registered for a larger pool, no visit
/// is older than billing's and the payer's timely filing allow.
const VISITS_PER_PATIENT: usize = 20;

/// The stack `args` name, connected with a caller for each person the
/// scenario plays, once it is known to be fresh: the registration would
/// collide with an earlier run's, and coders would take up encounters
/// the run did not submit.
pub async fn fresh_stack(args: &LoadArgs) -> anyhow::Result<(Stack, Arc<Api>)> {
    let scenario = &args.scenario;
    anyhow::ensure!(
        args.caller.token.is_none(),
        "the {scenario} scenario plays several people (EHR, coder, biller, poster) with \
         tokens from the development secret in --data-dir; it does not take --token"
    );
    let data_dir = &args.caller.data_dir;
    let clearinghouse = args
        .clearinghouse_dir
        .clone()
        .unwrap_or_else(|| data_dir.join("clearinghouse"));
    let remittance = args
        .remittance_dir
        .clone()
        .unwrap_or_else(|| clearinghouse.join("payments"));
    let stack = Stack::external(External {
        coding_url: args.coding.clone(),
        billing_url: args.billing.clone(),
        payments_url: args.payments.clone(),
        clearinghouse,
        remittance,
        secret_dir: data_dir.clone(),
        hook: None,
    });
    let api = Arc::new(Api::connect(&stack).await?);
    let payers = api
        .registry()
        .list_payers(api.req(Actor::Biller, billing::ListPayersRequest::default()))
        .await
        .map_err(status_error)
        .context("listing payers")?
        .into_inner()
        .payers;
    anyhow::ensure!(
        payers.is_empty(),
        "the {scenario} scenario needs a fresh stack (billing has payers already)"
    );
    let encounters = api
        .encounters()
        .list_encounters(api.req(
            Actor::Coder,
            coding::ListEncountersRequest {
                page: Some(PageRequest {
                    page_size: 1,
                    page_token: String::new(),
                }),
                ..Default::default()
            },
        ))
        .await
        .map_err(status_error)
        .context("listing encounters")?
        .into_inner()
        .encounters;
    anyhow::ensure!(
        encounters.is_empty(),
        "the {scenario} scenario needs a fresh stack (coding has encounters already)"
    );
    Ok((stack, api))
}

/// Patients to register for a pool of `encounters`: `--patients`, or more
/// so that none has more than [`VISITS_PER_PATIENT`] visits.
pub fn patients_for(args: &LoadArgs, encounters: usize) -> usize {
    args.patients
        .max(encounters.div_ceil(VISITS_PER_PATIENT))
        .max(1)
}

/// The demo's practice and patients as registered.
pub struct Registration {
    /// The practice.
    pub practice: Practice,
    /// Billing's id of each patient, in the order of `visits.people`.
    pub patient_ids: Vec<String>,
    /// The patients and their visits.
    pub visits: Arc<Visits>,
}

/// The visits the EHR submits for a run's patients: one a day for each
/// patient, going back from the first day (the same patient, physician,
/// day and codes twice would be a duplicate claim).
pub struct Visits {
    /// The patients.
    pub people: Vec<Person>,
    /// The kind of visit (index into [`world::VISITS`]) each patient has.
    kinds: Vec<usize>,
    /// The physicians' NPIs.
    physicians: Vec<String>,
    first_day: CalendarDate,
}

impl Visits {
    /// The EHR's submission of the run's `k`th encounter (`source_id` its
    /// id in the EHR): patient `k % n`'s visit, `k / n` days before the
    /// first day.
    pub fn request(&self, k: usize, source_id: &str) -> Option<coding::SubmitEncounterRequest> {
        let person = k % self.people.len();
        let day = self
            .first_day
            .add_days(-((k / self.people.len()) as i64))
            .ok()?;
        Some(encounter_request(
            source_id,
            &self.people[person],
            self.kinds[person],
            day,
            &self.physicians[person % self.physicians.len()],
            false,
        ))
    }
}

/// Registers the practice and `patients` patients drawn from `seed`, who
/// visit from `first_day` back; with their coverages when `covered`, else
/// without (added by [`Registration::add_coverages`]).
pub async fn register(
    api: &Api,
    seed: u64,
    patients: usize,
    first_day: CalendarDate,
    covered: bool,
) -> anyhow::Result<Registration> {
    let mut rng = Rng::new(seed);
    let kinds: Vec<usize> = (0..patients.max(1))
        .map(|_| rng.below(world::VISITS.len() as u32) as usize)
        .collect();
    let people = world::people(&mut rng, &kinds);
    let practice = registry::register_practice(api).await?;
    let patient_ids = registry::register_patients(api, &people, first_day.year()).await?;
    let registration = Registration {
        visits: Arc::new(Visits {
            people,
            kinds,
            physicians: practice.physicians.clone(),
            first_day,
        }),
        practice,
        patient_ids,
    };
    if covered {
        registration.add_coverages(api).await?;
    }
    Ok(registration)
}

impl Registration {
    /// Adds every patient's coverages, as the payer simulator enrolls them.
    pub async fn add_coverages(&self, api: &Api) -> anyhow::Result<()> {
        let visits = &self.visits;
        registry::add_coverages(
            api,
            &self.practice,
            &visits.people,
            &self.patient_ids,
            visits.first_day.year(),
        )
        .await?;
        Ok(())
    }
}

/// The first part of the set-up of a pool: a fresh stack, the practice
/// and enough patients registered, and the encounters released.
pub struct Pool {
    /// The stack.
    pub stack: Stack,
    /// Callers.
    pub api: Arc<Api>,
    /// The practice and patients.
    pub registration: Registration,
    /// Coding's ids of the encounters released.
    pub encounters: Vec<String>,
    setup: Setup,
    started: Instant,
}

impl Pool {
    /// Registers the practice and patients on the fresh stack `args` names,
    /// with their coverages when `covered`, and releases `--encounters`
    /// (else `default`) encounters, visits from 60 days ago back.
    pub async fn release(args: &LoadArgs, default: usize, covered: bool) -> anyhow::Result<Pool> {
        let started = Instant::now();
        let scenario = &args.scenario;
        let (stack, api) = fresh_stack(args).await?;
        let requested = args.encounters.unwrap_or(default).max(1);
        let patients = patients_for(args, requested);
        let first_day = medbill_platform::clock::Clock::system()
            .today()
            .add_days(-60)?;
        eprintln!(
            "{scenario}: set-up (not timed): the practice and {patients} patients{}",
            if covered { "" } else { ", without coverage" }
        );
        let registration = register(&api, args.seed, patients, first_day, covered).await?;
        eprintln!("{scenario}: set-up: releasing {requested} encounters through coding");
        let (encounters, failed_calls) =
            release(&api, &registration.visits, args, requested).await?;
        Ok(Pool {
            stack,
            api,
            registration,
            setup: Setup {
                requested,
                released: encounters.len(),
                patients,
                failed_calls,
                seconds: 0.0,
            },
            encounters,
            started,
        })
    }

    /// What the set-up did, up to now.
    pub fn setup(&self) -> Setup {
        Setup {
            seconds: self.started.elapsed().as_secs_f64(),
            ..self.setup
        }
    }
}

/// `--connections` channels to the service at `urls` for the timed calls.
pub async fn channels(args: &LoadArgs, urls: &str, what: &str) -> anyhow::Result<Vec<Channel>> {
    let mut channels = Vec::with_capacity(args.connections.max(1));
    for _ in 0..args.connections.max(1) {
        channels.push(connect_all(urls, what).await?);
    }
    Ok(channels)
}

/// What the set-up before a timed run did (none of it timed).
#[derive(Debug, Clone)]
pub struct Setup {
    /// Encounters asked for (`--encounters`).
    pub requested: usize,
    /// Encounters released.
    pub released: usize,
    /// Patients registered.
    pub patients: usize,
    /// Coding calls of the set-up that failed.
    pub failed_calls: u64,
    /// Seconds the whole set-up took.
    pub seconds: f64,
}

impl Setup {
    /// As a line of text.
    pub fn to_text(&self) -> String {
        let failed = match self.failed_calls {
            0 => String::new(),
            n => format!(" ({n} coding calls failed)"),
        };
        format!(
            "set-up (not timed): {} of {} encounters released for {} patients through coding{failed}; \
             {:.1} s in all\n",
            self.released, self.requested, self.patients, self.seconds
        )
    }

    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "encounters_requested": self.requested,
            "encounters_released": self.released,
            "patients": self.patients,
            "failed_calls": self.failed_calls,
            "seconds": self.seconds,
        })
    }
}

/// Set-up: waits until `count` (what a service reports so far) reaches
/// `want`, asking every half second; an error when it has not moved for
/// two minutes (`what` says what is counted).
pub async fn wait_for<F, Fut>(what: &str, want: usize, mut count: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<usize>>,
{
    let mut last = 0;
    let mut moved = Instant::now();
    loop {
        let n = count().await?;
        if n >= want {
            return Ok(());
        }
        if n != last {
            (last, moved) = (n, Instant::now());
        }
        anyhow::ensure!(
            moved.elapsed() < Duration::from_secs(120),
            "{what}: {n} of {want}, and no more for two minutes"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
