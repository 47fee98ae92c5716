//! `medbill load --scenario claims`: claims built and scrubbed through
//! billing's API, on a fresh stack.
//!
//! Set-up, not timed: the demo's practice is registered with its patients
//! but without their coverage, and coders release `--encounters`
//! encounters through coding's API. Billing takes each release in and
//! prices its charges, but bills a release by itself only to a patient's
//! coverage, so with none it leaves the claim to be built by hand (charge
//! capture's "not billed yet"). Once billing holds every release, the
//! coverages are added.
//!
//! Timed: `CreateClaim` (build and scrub) of the pool's encounters, each
//! once. When the pool runs out the run stops early and says so. After
//! the run billing's claims are counted through its API: one for each
//! `CreateClaim` that answered OK.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use anyhow::Context;
use medbill_contracts::medbill::billing::v1 as billing;
use medbill_contracts::medbill::billing::v1::claim_service_client::ClaimServiceClient;
use medbill_contracts::medbill::common::v1::PageRequest;
use tonic::transport::Channel;

use super::drive::{Outcome, Worker, Workload};
use super::practice::{self, Setup};
use super::{LoadArgs, Report, measure, warm_up};
use crate::demo::api::{Actor, Api};
use crate::demo::cycle::all_claims;
use crate::operator::status_error;

/// Encounters set up when `--encounters` is not given: more than a
/// default run (11 s) builds on two cores.
const DEFAULT_ENCOUNTERS: usize = 3_000;

/// What a claims run measured and found.
#[derive(Debug)]
pub struct ClaimsReport {
    /// The timed calls.
    pub run: Report,
    /// The set-up.
    pub setup: Setup,
    /// `CreateClaim` calls that answered OK, warm-up included.
    pub created: u64,
    /// Encounters of the pool no call took.
    pub left: u64,
    /// Billing's claims of the pool's encounters, counted through its API.
    pub listed: u64,
    /// Pool encounters those claims bill (one each when all is well).
    pub encounters_billed: u64,
    /// Of the claims, READY for a batch.
    pub ready: u64,
    /// Of the claims, held by the scrubber.
    pub held: u64,
}

impl ClaimsReport {
    /// Why the check after the run failed, if it did.
    pub fn failed(&self) -> Option<String> {
        (self.listed != self.created || self.encounters_billed != self.listed).then(|| {
            format!(
                "billing lists {} claims for {} of the pool's encounters; {} CreateClaim calls \
                 answered OK",
                self.listed, self.encounters_billed, self.created
            )
        })
    }

    /// As text.
    pub fn to_text(&self) -> String {
        let verdict = match self.failed() {
            None => "one for each",
            Some(_) => "MISMATCH with the",
        };
        format!(
            "{}{}check: billing lists {} claims of the pool's encounters ({} ready, {} held by \
             the scrubber), {verdict} of the {} CreateClaim calls that answered OK (warm-up \
             included); {} encounters of the pool left\n",
            self.run.to_text(),
            self.setup.to_text(),
            self.listed,
            self.ready,
            self.held,
            self.created,
            self.left,
        )
    }

    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let mut json = self.run.to_json();
        json["setup"] = self.setup.to_json();
        json["check"] = serde_json::json!({
            "passed": self.failed().is_none(),
            "create_claim_ok": self.created,
            "claims_listed": self.listed,
            "encounters_billed": self.encounters_billed,
            "ready": self.ready,
            "held": self.held,
            "encounters_left": self.left,
        });
        json
    }
}

/// The released encounters the run bills.
struct Pool {
    encounters: Vec<String>,
    next: AtomicUsize,
    /// `CreateClaim` calls that answered OK.
    built: AtomicU64,
}

impl Pool {
    /// The next encounter no call has taken; `None` once all are taken.
    fn take(&self) -> Option<String> {
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        self.encounters.get(k).cloned()
    }
}

/// A biller building the pool's claims.
#[derive(Clone)]
struct Claims {
    api: Arc<Api>,
    pool: Arc<Pool>,
    channels: Vec<Channel>,
}

/// One biller's client.
struct Biller {
    api: Arc<Api>,
    pool: Arc<Pool>,
    client: ClaimServiceClient<Channel>,
}

impl Workload for Claims {
    type Worker = Biller;

    fn worker(&self, n: usize) -> Biller {
        Biller {
            api: self.api.clone(),
            pool: self.pool.clone(),
            client: ClaimServiceClient::new(self.channels[n % self.channels.len()].clone()),
        }
    }
}

impl Worker for Biller {
    async fn once(&mut self, _n: u64) -> Option<Outcome> {
        let request = self.api.req(
            Actor::Biller,
            billing::CreateClaimRequest {
                encounter_id: self.pool.take()?,
                payer_rank: 1,
                ..Default::default()
            },
        );
        let result = self.client.create_claim(request).await.map(|_| {
            self.pool.built.fetch_add(1, Ordering::Relaxed);
        });
        Some(Outcome {
            rpc: "CreateClaim",
            result,
        })
    }
}

/// Sets up the pool, runs the timed calls and counts billing's claims.
pub async fn run(args: &LoadArgs) -> anyhow::Result<ClaimsReport> {
    let released = practice::Pool::release(args, DEFAULT_ENCOUNTERS, false).await?;
    let practice::Pool {
        api,
        registration,
        encounters,
        ..
    } = &released;
    eprintln!(
        "claims: set-up: waiting for billing to take in {} releases",
        encounters.len()
    );
    taken_in(api, encounters).await?;
    registration.add_coverages(api).await?;
    let setup = released.setup();
    let channels = practice::channels(args, &args.billing, "billing").await?;
    let pool = Arc::new(Pool {
        encounters: encounters.clone(),
        next: AtomicUsize::new(0),
        built: AtomicU64::new(0),
    });
    let claims = Claims {
        api: api.clone(),
        pool: pool.clone(),
        channels,
    };
    eprintln!("claims: {} for {} s", super::mode(args), args.duration);
    warm_up(&claims, args).await;
    let run = measure(&claims, args).await;

    let pool_encounters: BTreeSet<&str> = pool.encounters.iter().map(String::as_str).collect();
    let listed: Vec<billing::Claim> = all_claims(api)
        .await?
        .into_iter()
        .filter(|c| pool_encounters.contains(c.encounter_id.as_str()))
        .collect();
    let status_count = |status: billing::ClaimStatus| {
        listed.iter().filter(|c| c.status == status as i32).count() as u64
    };
    let billed: BTreeSet<&str> = listed.iter().map(|c| c.encounter_id.as_str()).collect();
    let taken = pool.next.load(Ordering::Relaxed).min(pool.encounters.len());
    Ok(ClaimsReport {
        setup,
        created: pool.built.load(Ordering::Relaxed),
        left: (pool.encounters.len() - taken) as u64,
        listed: listed.len() as u64,
        encounters_billed: billed.len() as u64,
        ready: status_count(billing::ClaimStatus::Ready),
        held: status_count(billing::ClaimStatus::Draft),
        run,
    })
}

/// Waits until billing has taken in a release of each of `encounters`
/// (it lists their charges): a coverage added before would let billing
/// bill the release by itself as it takes it in.
async fn taken_in(api: &Api, encounters: &[String]) -> anyhow::Result<()> {
    let wanted: BTreeSet<&str> = encounters.iter().map(String::as_str).collect();
    let wanted = &wanted;
    practice::wait_for(
        "releases billing took in",
        wanted.len(),
        move || async move {
            let charged = charged_encounters(api).await?;
            Ok(wanted.iter().filter(|e| charged.contains(**e)).count())
        },
    )
    .await
}

/// The encounters billing lists charges of.
async fn charged_encounters(api: &Api) -> anyhow::Result<BTreeSet<String>> {
    let mut client = api.claims();
    let mut encounters = BTreeSet::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_charges(api.req(
                Actor::Biller,
                billing::ListChargesRequest {
                    page: Some(PageRequest {
                        page_size: 500,
                        page_token: token.clone(),
                    }),
                    ..Default::default()
                },
            ))
            .await
            .map_err(status_error)
            .context("listing charges")?
            .into_inner();
        encounters.extend(page.charges.into_iter().map(|c| c.encounter_id));
        match page.page {
            Some(p) if !p.next_page_token.is_empty() => token = p.next_page_token,
            _ => return Ok(encounters),
        }
    }
}
