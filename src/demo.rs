//! `medbill demo`: a whole revenue cycle through the real gRPC APIs. It
//! starts its own stack in this process (fresh SQLite databases under the
//! work folder, ports the system picks), registers payers, physicians,
//! the submitter and patients with their coverages, checks eligibility,
//! submits encounters that a coder codes (fixing what the edits catch) and
//! releases; billing builds the claims and sends them in batches; the payer
//! simulator acknowledges, adjudicates and pays them; billing and payments
//! take the answers in through their folders; the biller works the
//! denials; patients pay; statements go out; one patient gets a plan. The
//! summary is read back from the services and set beside the simulator's
//! record, and it must balance to the cent.

pub(crate) mod api;
pub(crate) mod coder;
mod codeset;
pub(crate) mod cycle;
mod denials;
mod eligibility;
mod patients;
mod progress;
pub(crate) mod registry;
mod report;
pub(crate) mod rng;
pub(crate) mod stack;
mod summary;
pub(crate) mod world;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use medbill_contracts::medbill::billing::v1 as billing;
use medbill_payer_sim::{Folders, Report, Simulator};
use medbill_platform::clock::Clock;

pub use registry::npi;
pub use summary::{Agreement, Summary, dollars};

use api::Api;
use cycle::Payer;
pub use cycle::waiting_files;
use progress::note;
use rng::Rng;
use stack::Stack;
pub use stack::{External, Hook, Phase};

/// Flags of `medbill demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// How many encounters to submit.
    #[arg(long, default_value_t = 100)]
    pub encounters: u32,
    /// Seed of the patients, visits and the payer's decisions.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where the databases, the exchanged X12 files and the simulator's
    /// record go (default: a new folder under ./medbill-demo/).
    #[arg(long)]
    pub workdir: Option<PathBuf>,
    /// Print the summary as JSON (money in cents).
    #[arg(long)]
    pub json: bool,
}

/// How many rounds of batching, answering, paying and denial work.
const ROUNDS: usize = 4;

/// Runs `medbill demo`: prints the summary; an unbalanced summary is an
/// error (after printing it).
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let json = args.json;
    let summary = run_cycle(args).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summary.to_json())?);
    } else {
        print!("{}", summary.to_text());
    }
    anyhow::ensure!(
        summary.balanced(),
        "THE SUMMARY DOES NOT BALANCE: billed − (paid + adjusted + written off + AR) = {} cents, {} claim(s) out of balance",
        summary.difference,
        summary.claims_out_of_balance
    );
    Ok(())
}

fn default_workdir() -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    PathBuf::from("medbill-demo").join(format!("run-{stamp}"))
}

/// Drives the whole cycle on a stack of its own and returns the summary
/// (what `medbill demo` prints, and what the end-to-end test checks).
pub async fn run_cycle(args: DemoArgs) -> anyhow::Result<Summary> {
    let workdir = args.workdir.clone().unwrap_or_else(default_workdir);
    let data_dir = workdir.join("data");
    anyhow::ensure!(
        !data_dir.join("billing.db").exists(),
        "{} already holds a demo; pass a new --workdir",
        workdir.display()
    );
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    note(&format!(
        "medbill demo: starting its own stack (coding, billing, payments on ports the system picks; databases in {})",
        data_dir.display()
    ));
    let db = stack::coding_db(&data_dir).await?;
    codeset::seed(&db).await?;
    drop(db);
    let stack = Stack::start(&data_dir).await?;
    cycle_on(args, workdir, stack).await
}

/// Loads the demo's slice of the code sets into the coding database at
/// `database_url` (migrating it first): what a stack the caller runs needs
/// before [`run_cycle_against`].
pub async fn seed_codes(database_url: &str) -> anyhow::Result<()> {
    let db = medbill_platform::db::Database::connect(database_url, medbill_coding::MIGRATIONS)
        .await
        .context("cannot open the coding database")?;
    codeset::seed(&db).await?;
    db.close().await;
    Ok(())
}

/// Drives the whole cycle on services the caller runs (fresh databases,
/// coding seeded with [`seed_codes`]); the simulator's record and the
/// summary's files go under `args.workdir`.
pub async fn run_cycle_against(args: DemoArgs, external: External) -> anyhow::Result<Summary> {
    let workdir = args.workdir.clone().unwrap_or_else(default_workdir);
    std::fs::create_dir_all(&workdir)
        .with_context(|| format!("cannot create {}", workdir.display()))?;
    cycle_on(args, workdir, Stack::external(external)).await
}

async fn cycle_on(args: DemoArgs, workdir: PathBuf, stack: Stack) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let n = args.encounters.max(1) as usize;
    let mut rng = Rng::new(args.seed);
    // The payer's calendar starts three weeks back, so that everything it
    // dates (acknowledgments, adjudication, EFT effective dates) is on or
    // before the services' today, as posted remittances would be.
    let today = Clock::system().today();
    let payer_start = today.add_days(-21)?;
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    fn count(counts: &mut BTreeMap<String, i64>, k: &str, v: i64) {
        *counts.entry(k.into()).or_default() += v;
    }
    let mut exceptions = Vec::new();

    // The world: patients (some seen twice), each with the visit they come for.
    let patients = (n * 2).div_ceil(3);
    let visit_kinds: Vec<usize> = (0..patients)
        .map(|_| rng.below(world::VISITS.len() as u32) as usize)
        .collect();
    let people = world::people(&mut rng, &visit_kinds);
    let mut plan = Vec::with_capacity(n);
    for e in 0..n {
        let person = e % patients;
        let back = 1 + (e / patients) as i64 * 14 + i64::from(rng.below(10));
        let mistaken = rng.chance(0.5);
        plan.push((
            person,
            visit_kinds[person],
            payer_start.add_days(-back)?,
            mistaken,
        ));
    }
    let first_day = plan.iter().map(|p| p.2).min().unwrap_or(today);

    let api = Api::connect(&stack).await?;
    let config = world::sim_config(&people)?;
    let mut payer = Payer {
        sim: Simulator::open(config, args.seed, workdir.join("payer-sim"))?,
        folders: Folders {
            from: stack.clearinghouse.join("outbound"),
            to_billing: stack.clearinghouse.join("inbound"),
            to_payments: stack.remittance.join("inbound"),
        },
        today: payer_start,
        report: Report::default(),
        answers: 0,
        payments: 0,
    };
    for dir in [
        &payer.folders.from,
        &payer.folders.to_billing,
        &payer.folders.to_payments,
    ] {
        std::fs::create_dir_all(dir)?;
    }

    note("registering the charge master, providers, submitter, payers and patients");
    let registered = registry::register(&api, &people, today.year()).await?;
    count(&mut counts, "patients registered", people.len() as i64);
    count(
        &mut counts,
        "patients with a secondary coverage",
        people.iter().filter(|p| p.secondary.is_some()).count() as i64,
    );

    // Eligibility for every fifth patient before the visit (270 → 271).
    let checked =
        eligibility::check(&api, &mut payer, &stack, &registered.patients, payer_start).await?;
    exceptions.extend(checked.refused);
    let (inquiries, answered, active) = (checked.inquiries, checked.answered, checked.active);
    count(&mut counts, "eligibility inquiries (270)", inquiries);
    count(&mut counts, "eligibility answers (271) taken in", answered);
    count(&mut counts, "eligibility answers: coverage active", active);

    // Coding.
    let submitted = coder::submit(&api, &people, &registered.physicians, &plan).await?;
    let visits: BTreeMap<String, usize> = submitted
        .iter()
        .map(|s| (s.encounter_id.clone(), s.visit))
        .collect();
    count(&mut counts, "encounters submitted", submitted.len() as i64);
    count(
        &mut counts,
        "encounters proposed with a coding error",
        submitted.iter().filter(|s| s.mistaken).count() as i64,
    );
    let mut rework_lines = BTreeMap::new();
    let pass = coder::work_queue(&api, &visits, &rework_lines, submitted.len()).await?;
    count(&mut counts, "encounters released", pass.released.into());
    count(
        &mut counts,
        "codings corrected by the coder",
        pass.corrected.into(),
    );
    for (id, why) in &pass.not_released {
        exceptions.push(format!("encounter {id} not released: {why}"));
    }
    let mut releases = pass.released as usize;
    cycle::at(&api, &stack, Phase::Released).await?;

    // Rounds: batch what is ready, the payer answers and pays, the biller
    // works the denials (whose fixes go out in the next round).
    let mut corrections = 0usize;
    let mut seen_denials = std::collections::BTreeSet::new();
    for round in 1..=ROUNDS {
        cycle::settle(&api, &stack, releases + corrections).await?;
        let batched = cycle::create_batches(&api).await?;
        count(
            &mut counts,
            "batches sent (837P/837I)",
            batched.batches.into(),
        );
        count(&mut counts, "claims sent in batches", batched.claims.into());
        for id in &batched.held {
            exceptions.push(format!("claim {id} held by the scrubber"));
        }
        if batched.claims == 0 && round > 1 {
            // Whatever was accepted earlier and is still due gets paid.
            payer.pay(&api, &stack, 1).await?;
            break;
        }
        note(&format!(
            "round {round}: {} claim(s) in {} batch(es) sent; the payer answers",
            batched.claims, batched.batches
        ));
        payer.answer(&api, &stack).await?;
        cycle::settle(&api, &stack, 0).await?;
        payer.pay(&api, &stack, 1).await?;
        let claims = cycle::settle(&api, &stack, 0).await?;
        if round == ROUNDS {
            break;
        }
        let worked = denials::work(&api, &claims, &mut rework_lines, &mut seen_denials).await?;
        count(&mut counts, "denials worked", worked.open.into());
        count(
            &mut counts,
            "denials sent to coding review",
            worked.coding_reviews.into(),
        );
        count(
            &mut counts,
            "corrected claims (CorrectClaim)",
            worked.corrections.into(),
        );
        count(&mut counts, "appeals filed", worked.appeals.into());
        count(
            &mut counts,
            "denials resolved without a new claim",
            worked.resolved.into(),
        );
        count(
            &mut counts,
            "denials resolved: OA-23 on secondary claims",
            worked.prior_payer_impact.into(),
        );
        exceptions.extend(worked.refused);
        corrections += worked.corrections as usize;
        if worked.coding_reviews > 0 {
            let again =
                coder::work_queue(&api, &visits, &rework_lines, worked.coding_reviews as usize)
                    .await?;
            count(
                &mut counts,
                "encounters re-coded after a denial",
                again.reworked.into(),
            );
            releases += again.released as usize;
            for (id, why) in &again.not_released {
                exceptions.push(format!("encounter {id} not re-released: {why}"));
            }
        }
    }
    let claims = cycle::settle(&api, &stack, 0).await?;
    for c in &claims {
        if c.status == billing::ClaimStatus::Rejected as i32 {
            exceptions.push(format!(
                "claim {} (PCN {}) rejected by the clearinghouse/payer and not resent",
                c.claim_id, c.patient_control_number
            ));
        }
    }

    // Every released encounter billed once: one primary claim that stands
    // (not replaced, voided or rejected) per encounter.
    let released: Vec<&str> = submitted
        .iter()
        .map(|s| s.encounter_id.as_str())
        .filter(|id| !pass.not_released.iter().any(|(n, _)| n == id))
        .collect();
    let (once, unbilled, twice) = report::billed_once(&claims, &released);
    count(
        &mut counts,
        "released encounters billed exactly once",
        once as i64,
    );
    count(
        &mut counts,
        "released encounters not billed",
        unbilled as i64,
    );
    count(
        &mut counts,
        "encounters with two standing claims",
        twice as i64,
    );

    note("patients pay; statements; a payment plan");
    let patient_work = patients::work(&api, &mut rng, today).await?;
    count(
        &mut counts,
        "accounts with a patient balance",
        patient_work.accounts_owing.into(),
    );
    count(
        &mut counts,
        "patient payments posted",
        patient_work.payments.into(),
    );
    count(
        &mut counts,
        "statements generated",
        patient_work.statements.into(),
    );
    count(
        &mut counts,
        "small balances written off by statements",
        patient_work.small_balances_written_off.into(),
    );
    count(
        &mut counts,
        "payment plans",
        i64::from(patient_work.plan.is_some()),
    );
    exceptions.extend(patient_work.refused);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let claims = cycle::settle(&api, &stack, claims.len()).await?;

    let mut summary = Summary {
        seed: args.seed,
        encounters: n as u32,
        workdir: workdir.display().to_string(),
        ..Default::default()
    };
    report::read(
        &api,
        &payer.sim,
        &claims,
        first_day,
        today,
        patient_work.paid,
        &mut summary,
    )
    .await?;
    let files = count_files(&stack.clearinghouse)
        + if stack.remittance.starts_with(&stack.clearinghouse) {
            0
        } else {
            count_files(&stack.remittance)
        };
    count(&mut counts, "X12 and deposit files exchanged", files as i64);
    summary.counts = counts;
    exceptions.append(&mut summary.exceptions);
    summary.exceptions = exceptions;
    stack.stop().await?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Files under `dir` (recursively), dot files left out.
fn count_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                count_files(&path)
            } else if e.file_name().to_string_lossy().starts_with('.')
                || path.extension().is_some_and(|x| x == "error")
            {
                0
            } else {
                1
            }
        })
        .sum()
}
