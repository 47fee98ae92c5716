//! `medbill load --scenario remit`: 835 posting through payments' API, on
//! a fresh stack.
//!
//! Set-up, not timed: the demo's practice and patients are registered
//! with their coverages, coders release `--encounters` encounters through
//! coding's API, billing builds their claims from coding's feed, and a
//! biller's batches submit them (billing tells payments of each claim
//! with `ClaimSubmitted`). The payer simulator takes billing's 837 files
//! (its 999s and 277CAs go to billing's inbound folder) and adjudicates
//! every claim it accepted; its 835s do not go to payments' folder but
//! are cut into files of `--claims-per-remittance` claims ([`eras`]). The
//! run starts once payments knows every claim those files pay.
//!
//! Timed: `IngestRemittance`, one file a call, each file once; when the
//! files run out the run stops early and says so. Reported besides the
//! calls: 835s and claims posted per second. After the run the ledger is
//! checked through payments' API ([`check`]).

mod check;
mod eras;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use anyhow::Context;
use medbill_contracts::medbill::billing::v1 as billing;
use medbill_contracts::medbill::payments::v1 as payments;
use medbill_contracts::medbill::payments::v1::remittance_service_client::RemittanceServiceClient;
use medbill_payer_sim::{Folders, Simulator};
use medbill_platform::clock::Clock;
use tonic::transport::Channel;

use super::drive::{Outcome, Worker, Workload};
use super::practice::{self, Setup};
use super::{LoadArgs, Report, measure, warm_up};
use crate::demo::api::{Actor, Api};
use crate::demo::cycle::{all_claims, create_batches, drained};
use crate::demo::world;
use check::{Check, audit};
use eras::Era;

/// Encounters set up when `--encounters` is not given: more claims than a
/// default run (11 s) posts on two cores.
const DEFAULT_ENCOUNTERS: usize = 6_000;

/// The largest message a posting call sends or takes (a file of many
/// claims, and the remittance it answers with).
const MAX_MESSAGE: usize = 64 << 20;

/// What a remit run measured and found.
#[derive(Debug)]
pub struct RemitReport {
    /// The timed calls.
    pub run: Report,
    /// The set-up.
    pub setup: Setup,
    /// Claims billing submitted in the set-up.
    pub submitted: u64,
    /// Claims in the 835 files (those the payer adjudicated).
    pub adjudicated: u64,
    /// 835 files made.
    pub files: u64,
    /// Claims in each file (at most).
    pub per_file: usize,
    /// 835s of the timed run that answered OK.
    pub remittances_posted: u64,
    /// Claim payments of those that payments matched to a claim and posted.
    pub claims_posted: u64,
    /// The ledger after the run.
    pub check: Check,
}

impl RemitReport {
    /// 835s posted a second.
    pub fn remittances_per_second(&self) -> f64 {
        self.remittances_posted as f64 / self.run.seconds.max(f64::EPSILON)
    }

    /// Claims posted a second.
    pub fn claims_per_second(&self) -> f64 {
        self.claims_posted as f64 / self.run.seconds.max(f64::EPSILON)
    }

    /// Why the check after the run failed, if it did.
    pub fn failed(&self) -> Option<String> {
        self.check.failed()
    }

    /// As text.
    pub fn to_text(&self) -> String {
        format!(
            "{}posted: {} 835s = {:.1}/s, {} claims = {:.1}/s (at most {} claims an 835)\n\
             {}set-up: {} claims submitted by billing, {} adjudicated by the payer simulator, \
             cut into {} 835s\n{}",
            self.run.to_text(),
            self.remittances_posted,
            self.remittances_per_second(),
            self.claims_posted,
            self.claims_per_second(),
            self.per_file,
            self.setup.to_text(),
            self.submitted,
            self.adjudicated,
            self.files,
            self.check.to_text(),
        )
    }

    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let mut json = self.run.to_json();
        json["remittances_posted"] = self.remittances_posted.into();
        json["remittances_per_second"] = self.remittances_per_second().into();
        json["claims_posted"] = self.claims_posted.into();
        json["claims_posted_per_second"] = self.claims_per_second().into();
        json["claims_per_remittance"] = self.per_file.into();
        json["setup"] = self.setup.to_json();
        json["setup"]["claims_submitted"] = self.submitted.into();
        json["setup"]["claims_adjudicated"] = self.adjudicated.into();
        json["setup"]["remittance_files"] = self.files.into();
        json["check"] = self.check.to_json();
        json
    }
}

/// The 835 files of a run, and what became of them.
struct Files {
    eras: Vec<Era>,
    next: AtomicUsize,
    /// Whether each file's call answered OK.
    posted: Vec<AtomicBool>,
    /// Claim payments posted (matched to a claim) by the calls so far.
    claims_posted: AtomicU64,
}

/// A payment poster sending the files.
#[derive(Clone)]
struct Posting {
    api: Arc<Api>,
    files: Arc<Files>,
    channels: Vec<Channel>,
}

/// One poster's client.
struct Poster {
    api: Arc<Api>,
    files: Arc<Files>,
    client: RemittanceServiceClient<Channel>,
}

impl Workload for Posting {
    type Worker = Poster;

    fn worker(&self, n: usize) -> Poster {
        let channel = self.channels[n % self.channels.len()].clone();
        Poster {
            api: self.api.clone(),
            files: self.files.clone(),
            client: RemittanceServiceClient::new(channel)
                .max_decoding_message_size(MAX_MESSAGE)
                .max_encoding_message_size(MAX_MESSAGE),
        }
    }
}

impl Worker for Poster {
    async fn once(&mut self, _n: u64) -> Option<Outcome> {
        let k = self.files.next.fetch_add(1, Ordering::Relaxed);
        let era = self.files.eras.get(k)?;
        let request = self.api.req(
            Actor::Poster,
            payments::IngestRemittanceRequest {
                content: era.content.clone(),
                file_name: era.name.clone(),
            },
        );
        let result = match self.client.ingest_remittance(request).await {
            Ok(remittance) => {
                let matched = remittance
                    .get_ref()
                    .claims
                    .iter()
                    .filter(|c| !c.claim_id.is_empty())
                    .count();
                self.files
                    .claims_posted
                    .fetch_add(matched as u64, Ordering::Relaxed);
                self.files.posted[k].store(true, Ordering::Relaxed);
                Ok(())
            }
            Err(status) => Err(status),
        };
        Some(Outcome {
            rpc: "IngestRemittance",
            result,
        })
    }
}

/// Sets up the files, runs the timed calls and checks the ledger.
pub async fn run(args: &LoadArgs) -> anyhow::Result<RemitReport> {
    let released = practice::Pool::release(args, DEFAULT_ENCOUNTERS, true).await?;
    let practice::Pool {
        stack,
        api,
        registration,
        encounters,
        ..
    } = &released;
    eprintln!("remit: set-up: billing builds and submits the claims");
    let submitted = build_and_submit(api, encounters).await?;

    let folders = Folders {
        from: stack.clearinghouse.join("outbound"),
        to_billing: stack.clearinghouse.join("inbound"),
        to_payments: args
            .caller
            .data_dir
            .join("load-remit")
            .join(medbill_kernel::ids::new_uuid_v7()),
    };
    for dir in [&folders.from, &folders.to_billing, &folders.to_payments] {
        std::fs::create_dir_all(dir)?;
    }
    let mut sim = Simulator::open(
        world::sim_config(&registration.visits.people)?,
        args.seed,
        folders.to_payments.join("payer-sim"),
    )?;
    let received = Clock::system().today().add_days(-10)?;
    let answered = sim.process_dir(&folders, received)?;
    anyhow::ensure!(
        answered.files_refused.is_empty(),
        "the payer simulator refused {:?}",
        answered.files_refused
    );
    sim.adjudicate_due(&folders.to_payments, received.add_days(1)?)?;
    drained(&folders.to_billing, "billing's inbound folder", stack).await?;
    let eras = eras::cut(&folders.to_payments, args.claims_per_remittance)?;
    let claim_ids = claim_ids(&eras, &submitted)?;
    eprintln!(
        "remit: set-up: {} claims adjudicated, in {} 835s; waiting for payments to know them",
        claim_ids.len(),
        eras.len()
    );
    known_to_payments(api, &claim_ids).await?;
    let setup = released.setup();
    let channels = practice::channels(args, &args.payments, "payments").await?;
    let files = Arc::new(Files {
        posted: eras.iter().map(|_| AtomicBool::new(false)).collect(),
        eras,
        next: AtomicUsize::new(0),
        claims_posted: AtomicU64::new(0),
    });
    let posting = Posting {
        api: api.clone(),
        files: files.clone(),
        channels,
    };
    eprintln!("remit: {} for {} s", super::mode(args), args.duration);
    warm_up(&posting, args).await;
    let before = files.claims_posted.load(Ordering::Relaxed);
    let run = measure(&posting, args).await;
    let claims_posted = files.claims_posted.load(Ordering::Relaxed) - before;

    let sent: Vec<(&Era, bool)> = files
        .eras
        .iter()
        .zip(&files.posted)
        .take(files.next.load(Ordering::Relaxed))
        .map(|(era, ok)| (era, ok.load(Ordering::Relaxed)))
        .collect();
    let matched = files.claims_posted.load(Ordering::Relaxed);
    let check = audit(api, &sent, matched, &claim_ids).await?;
    Ok(RemitReport {
        remittances_posted: run.rpcs.0.get("IngestRemittance").map_or(0, |t| t.ok),
        claims_posted,
        setup,
        submitted: submitted.len() as u64,
        adjudicated: claim_ids.len() as u64,
        files: files.eras.len() as u64,
        per_file: args.claims_per_remittance.max(1),
        check,
        run,
    })
}

/// Waits until billing has built a claim for each of `encounters`, then
/// batches every ready claim; the claims submitted, by patient control
/// number.
async fn build_and_submit(
    api: &Api,
    encounters: &[String],
) -> anyhow::Result<BTreeMap<String, String>> {
    let wanted: BTreeSet<&str> = encounters.iter().map(String::as_str).collect();
    let wanted = &wanted;
    practice::wait_for(
        "encounters billing built claims for",
        wanted.len(),
        move || async move {
            let claims = all_claims(api).await?;
            let billed: BTreeSet<&str> = claims
                .iter()
                .map(|c| c.encounter_id.as_str())
                .filter(|e| wanted.contains(e))
                .collect();
            Ok(billed.len())
        },
    )
    .await?;
    while create_batches(api).await?.claims > 0 {}
    Ok(all_claims(api)
        .await?
        .into_iter()
        .filter(|c| c.status == billing::ClaimStatus::Submitted as i32)
        .map(|c| (c.patient_control_number, c.claim_id))
        .collect())
}

/// Billing's id of each claim the files pay.
fn claim_ids(
    eras: &[Era],
    submitted: &BTreeMap<String, String>,
) -> anyhow::Result<BTreeMap<String, String>> {
    let mut ids = BTreeMap::new();
    for paid in eras.iter().flat_map(|e| &e.claims) {
        let pcn = &paid.patient_control_number;
        let id = submitted
            .get(pcn)
            .with_context(|| format!("the payer paid {pcn}, a claim billing did not submit"))?;
        ids.insert(pcn.clone(), id.clone());
    }
    Ok(ids)
}

/// Waits until payments knows every claim of `claim_ids` (its ledger
/// holds the claim's charges, posted from `ClaimSubmitted`).
async fn known_to_payments(api: &Api, claim_ids: &BTreeMap<String, String>) -> anyhow::Result<()> {
    let ids: Vec<String> = claim_ids.values().cloned().collect();
    let ids = &ids;
    practice::wait_for("claims payments knows", ids.len(), move || async move {
        let audit = check::ledger(api, ids).await?;
        Ok(audit
            .claims
            .iter()
            .filter(|c| c.charges.as_ref().is_some_and(|m| m.cents > 0))
            .count())
    })
    .await
}
