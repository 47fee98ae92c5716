//! `medbill load --scenario cycle`: the whole revenue cycle under load, on
//! a fresh stack. The demo's practice is registered (payers, physicians,
//! submitter, `--patients` patients with their coverages); then, for the
//! run's duration, `--concurrency` workers each do what the EHR and a coder
//! do for one encounter after another (SubmitEncounter, ClaimNextEncounter,
//! SaveCoding, ReleaseEncounter) while billing builds the claims from
//! coding's feed, a biller creates batches four times a second, and the payer
//! simulator answers billing's files four times a second and pays them
//! into payments' folder (adjudicating each claim as it takes it), its
//! calendar a day further each second. After the run the batches and the
//! payer go on until every claim the payer took is adjudicated and
//! payments has posted every 835.
//!
//! It reports encounters released per second during the run, encounters
//! carried end to end per second (released to posted, over the whole time),
//! and each RPC's latency percentiles. The stack must be fresh: the
//! registration would collide with an earlier run's.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use medbill_contracts::medbill::billing::v1 as billing;
use medbill_payer_sim::{Folders, Simulator};
use medbill_platform::clock::Clock;
use tokio::sync::{Mutex, watch};

use super::LoadArgs;
use super::coders::Coders;
use super::practice;
use super::tally::Rpcs;
use crate::demo::api::{Actor, Api};
use crate::demo::cycle::waiting_files;
use crate::demo::world;

/// What a cycle run measured.
#[derive(Debug)]
pub struct CycleReport {
    /// Workers.
    pub concurrency: usize,
    /// Seconds of the run (encounters submitted).
    pub run_seconds: f64,
    /// Seconds until the last claim was posted.
    pub total_seconds: f64,
    /// Encounters submitted.
    pub submitted: u64,
    /// Encounters released (the first time).
    pub released: u64,
    /// Encounters released again after a coding denial sent them back.
    pub reworked: u64,
    /// Encounters a coding denial sent back that the coder held with a
    /// physician query (the denial's reasons did not say how to correct
    /// them).
    pub queried: u64,
    /// Claims the payer adjudicated.
    pub adjudicated: u64,
    /// 835 files payments took in.
    pub remittances: u64,
    /// Billing's claims at the end.
    pub outcome: Outcome,
    /// Per RPC.
    pub rpcs: Rpcs,
}

impl CycleReport {
    /// Encounters released per second of the run.
    pub fn released_per_second(&self) -> f64 {
        self.released as f64 / self.run_seconds.max(f64::EPSILON)
    }

    /// Encounters carried from submission to a posted remittance per
    /// second, over the whole time.
    pub fn end_to_end_per_second(&self) -> f64 {
        self.released as f64 / self.total_seconds.max(f64::EPSILON)
    }

    /// As text.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "cycle closed({}): {} encounters submitted, {} released (and {} re-released after a \
             coding denial, {} held for a physician query) in {:.1} s = {:.1} released/s; \
             all claims adjudicated and posted after {:.1} s = {:.1} encounters/s end to end; \
             {} encounters billed in {} claims ({} paid, {} denied, {} held, {} rejected), \
             {} adjudicated by the payer, \
             {} remittances posted\n",
            self.concurrency,
            self.submitted,
            self.released,
            self.reworked,
            self.queried,
            self.run_seconds,
            self.released_per_second(),
            self.total_seconds,
            self.end_to_end_per_second(),
            self.outcome.billed,
            self.outcome.claims,
            self.outcome.paid,
            self.outcome.denied,
            self.outcome.held,
            self.outcome.rejected,
            self.adjudicated,
            self.remittances,
        );
        out.push_str(&self.rpcs.to_table());
        out
    }

    /// As JSON (latencies in microseconds).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "scenario": "cycle",
            "mode": format!("closed({})", self.concurrency),
            "run_seconds": self.run_seconds,
            "total_seconds": self.total_seconds,
            "encounters_submitted": self.submitted,
            "encounters_released": self.released,
            "encounters_reworked": self.reworked,
            "encounters_queried": self.queried,
            "released_per_second": self.released_per_second(),
            "end_to_end_per_second": self.end_to_end_per_second(),
            "encounters_billed": self.outcome.billed,
            "claims": {
                "total": self.outcome.claims, "paid": self.outcome.paid,
                "denied": self.outcome.denied, "held": self.outcome.held,
                "rejected": self.outcome.rejected,
            },
            "claims_adjudicated": self.adjudicated,
            "remittances_posted": self.remittances,
            "rpcs": self.rpcs.to_json(),
        })
    }
}

/// Billing's claims at the end of a cycle run, by status.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outcome {
    /// Released encounters with a claim.
    pub billed: u64,
    /// Every claim (primary, secondary, replacement).
    pub claims: u64,
    /// Paid in full or in part.
    pub paid: u64,
    /// Denied.
    pub denied: u64,
    /// Held by the scrubber.
    pub held: u64,
    /// Rejected by the 999 or 277CA.
    pub rejected: u64,
}

/// How often the end of a run looks whether the cycle has settled.
const SETTLE_POLL: Duration = Duration::from_millis(200);

/// Days the payer's calendar may advance before it reaches today.
const PAYER_DAYS: i64 = 45;

/// Runs the cycle against the stack `args` names.
pub async fn run(args: &LoadArgs) -> anyhow::Result<CycleReport> {
    anyhow::ensure!(
        args.rate.is_none(),
        "the cycle scenario runs closed loop only (--concurrency)"
    );
    let (stack, api) = practice::fresh_stack(args).await?;
    let today = Clock::system().today();
    // Each patient's visits on days one after another going back from 60
    // days ago.
    let first_day = today.add_days(-60)?;
    let patients = args.patients.max(1);
    eprintln!("cycle: registering the practice and {patients} patients");
    let registration = practice::register(&api, args.seed, patients, first_day, true).await?;

    let workdir = args.caller.data_dir.join("load-cycle");
    std::fs::create_dir_all(&workdir)?;
    // The payer adjudicates a claim in the step that takes it: its
    // turnaround is the payer's, not the system's. An 835 can then reach
    // payments before billing's ClaimSubmitted does; payments parks it and
    // posts it when the claim arrives.
    let mut config = world::sim_config(&registration.visits.people)?;
    config.adjudication_days = 0;
    let sim = Simulator::open(
        config,
        args.seed,
        workdir.join(format!("payer-sim-{}", medbill_kernel::ids::new_uuid_v7())),
    )?;
    let folders = Folders {
        from: stack.clearinghouse.join("outbound"),
        to_billing: stack.clearinghouse.join("inbound"),
        to_payments: stack.remittance.join("inbound"),
    };
    for dir in [&folders.from, &folders.to_billing, &folders.to_payments] {
        std::fs::create_dir_all(dir)?;
    }

    let (stop_workers, workers_stopped) = watch::channel(false);
    let (stop_back, back_stopped) = watch::channel(false);
    eprintln!(
        "cycle: {} workers for {} s",
        args.concurrency.max(1),
        args.duration
    );
    let started = Instant::now();
    let coders = Coders::new(api.clone(), registration.visits.clone(), u64::MAX);
    let workers = coders.start(&args.caller.data_dir, args.concurrency, workers_stopped)?;
    let batcher = tokio::spawn(batches(api.clone(), back_stopped.clone()));
    let payer = Arc::new(Mutex::new(PayerState {
        sim,
        today: today.add_days(-PAYER_DAYS)?,
        adjudicated: 0,
        remittances: 0,
    }));
    let paying = tokio::spawn(pay(
        payer.clone(),
        folders.clone(),
        today,
        back_stopped.clone(),
    ));

    tokio::time::sleep(Duration::from_secs(args.duration)).await;
    let _ = stop_workers.send(true);
    let mut rpcs = Rpcs::default();
    for w in workers {
        rpcs.merge(w.await?.rpcs);
    }
    let run_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "cycle: run over ({} released); waiting for every claim to be paid and posted",
        coders.released.load(Ordering::Relaxed)
    );
    // Settled: every released encounter has its claim, no claim is on its
    // way (ready, submitted, accepted), and the folders are empty — so
    // every claim the payer took was adjudicated and payments posted it.
    let released_now = coders.released.load(Ordering::Relaxed);
    let settle_deadline = Instant::now() + Duration::from_secs(600);
    let mut claims;
    let mut done_checks = 0;
    let mut finished = started.elapsed();
    let mut billed;
    let mut last_count = usize::MAX;
    loop {
        tokio::time::sleep(SETTLE_POLL).await;
        let looked = started.elapsed();
        // Listing every claim is the run's dearest read: it waits until
        // the folders are empty and no claim is ready or sent.
        let moving = waiting_files(&folders.to_payments) > 0
            || waiting_files(&folders.from) > 0
            || any_on_the_way(&api).await?;
        if moving {
            done_checks = 0;
            last_count = usize::MAX;
            if Instant::now() > settle_deadline || payer.lock().await.today >= today {
                anyhow::bail!(
                    "the cycle did not settle: claims still on their way for {released_now} \
                     released encounters; files waiting: {} for the payer, {} for payments \
                     (run shorter, or the payer's calendar ran out)",
                    waiting_files(&folders.from),
                    waiting_files(&folders.to_payments)
                );
            }
            continue;
        }
        claims = crate::demo::cycle::all_claims(&api).await?;
        let encounters: std::collections::BTreeSet<&str> =
            claims.iter().map(|c| c.encounter_id.as_str()).collect();
        let on_the_way = claims.iter().any(|c| {
            [
                billing::ClaimStatus::Ready,
                billing::ClaimStatus::Submitted,
                billing::ClaimStatus::Accepted,
            ]
            .iter()
            .any(|s| c.status == *s as i32)
        });
        let drained = waiting_files(&folders.to_payments) == 0 && waiting_files(&folders.from) == 0;
        billed = encounters.len() as u64;
        let same = std::mem::replace(&mut last_count, claims.len()) == claims.len();
        if billed > 0 && !on_the_way && drained {
            // Settled when two more looks find the same claims: the time
            // is that of the first look that found them.
            if !same {
                done_checks = 0;
                finished = looked;
            } else {
                done_checks += 1;
                if done_checks >= 2 {
                    break;
                }
            }
        } else {
            done_checks = 0;
            last_count = usize::MAX;
        }
        let stuck = payer.lock().await.today >= today;
        if Instant::now() > settle_deadline || stuck {
            let mut by_status = BTreeMap::new();
            for c in &claims {
                *by_status
                    .entry(
                        billing::ClaimStatus::try_from(c.status)
                            .map(|s| s.as_str_name())
                            .unwrap_or("?"),
                    )
                    .or_insert(0) += 1;
            }
            anyhow::bail!(
                "the cycle did not settle: {} claims for {released_now} released encounters \
                 ({by_status:?}); files waiting: {} for the payer, {} for payments \
                 (run shorter, or the payer's calendar ran out)",
                claims.len(),
                waiting_files(&folders.from),
                waiting_files(&folders.to_payments)
            );
        }
    }
    let total_seconds = finished.as_secs_f64();
    let status_count = |status: billing::ClaimStatus| {
        claims.iter().filter(|c| c.status == status as i32).count() as u64
    };
    let outcome = Outcome {
        billed,
        claims: claims.len() as u64,
        paid: status_count(billing::ClaimStatus::Paid),
        denied: status_count(billing::ClaimStatus::Denied),
        held: status_count(billing::ClaimStatus::Draft),
        rejected: status_count(billing::ClaimStatus::Rejected),
    };
    let _ = stop_back.send(true);
    rpcs.merge(batcher.await?);
    paying.await??;
    let p = payer.lock().await;
    Ok(CycleReport {
        concurrency: args.concurrency.max(1),
        run_seconds,
        total_seconds,
        submitted: coders.submitted.load(Ordering::Relaxed),
        released: coders.released.load(Ordering::Relaxed),
        reworked: coders.reworked.load(Ordering::Relaxed),
        queried: coders.queried.load(Ordering::Relaxed),
        adjudicated: p.adjudicated,
        remittances: p.remittances,
        outcome,
        rpcs,
    })
}

/// Whether some claim is READY or SUBMITTED (on its way to the payer).
async fn any_on_the_way(api: &Api) -> anyhow::Result<bool> {
    let page = api
        .claims()
        .list_claims(api.req(
            Actor::Biller,
            billing::ListClaimsRequest {
                statuses: vec![
                    billing::ClaimStatus::Ready as i32,
                    billing::ClaimStatus::Submitted as i32,
                ],
                page: Some(medbill_contracts::medbill::common::v1::PageRequest {
                    page_size: 1,
                    page_token: String::new(),
                }),
                ..Default::default()
            },
        ))
        .await
        .map_err(crate::operator::status_error)?
        .into_inner();
    Ok(!page.claims.is_empty())
}

/// How often the cycle's biller batches what is ready.
const BATCH_EVERY: Duration = Duration::from_millis(250);

/// A biller's batches of whatever is ready, every [`BATCH_EVERY`], until
/// `stop`.
async fn batches(api: Arc<Api>, mut stop: watch::Receiver<bool>) -> Rpcs {
    let mut rpcs = Rpcs::default();
    let mut client = api.submission();
    loop {
        for kind in ["837P", "837I"] {
            let t = Instant::now();
            let created = client
                .create_batch(api.req(
                    Actor::Biller,
                    billing::CreateBatchRequest {
                        transaction_type: kind.into(),
                        max_claims: 5000,
                        payer_id: String::new(),
                    },
                ))
                .await;
            // Nothing ready is the normal answer between waves.
            let nothing = created.as_ref().is_err_and(|s| {
                matches!(
                    s.code(),
                    tonic::Code::FailedPrecondition | tonic::Code::NotFound
                )
            });
            if !nothing {
                rpcs.count("CreateBatch", &created, t.elapsed());
            }
        }
        tokio::select! {
            () = tokio::time::sleep(BATCH_EVERY) => {}
            _ = stop.changed() => return rpcs,
        }
    }
}

struct PayerState {
    sim: Simulator,
    today: medbill_kernel::CalendarDate,
    adjudicated: u64,
    remittances: u64,
}

/// How often the payer looks for files.
const PAYER_STEP: Duration = Duration::from_millis(250);

/// Steps per day of the payer's calendar: a day a second.
const STEPS_PER_DAY: u32 = 4;

/// The payer: every `PAYER_STEP` it answers billing's files and pays what
/// is due, its calendar a day further each second (never past `until`).
async fn pay(
    payer: Arc<Mutex<PayerState>>,
    folders: Folders,
    until: medbill_kernel::CalendarDate,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let mut steps = 0u32;
    loop {
        steps += 1;
        {
            let mut p = payer.lock().await;
            let day = p.today;
            let report = p.sim.step(&folders, day)?;
            anyhow::ensure!(
                report.files_refused.is_empty(),
                "the payer simulator refused {:?}",
                report.files_refused
            );
            p.adjudicated += u64::from(report.claims_adjudicated);
            p.remittances += u64::from(report.remittances);
            if day < until && steps.is_multiple_of(STEPS_PER_DAY) {
                p.today = day.add_days(1)?;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(PAYER_STEP) => {}
            _ = stop.changed() => return Ok(()),
        }
    }
}
