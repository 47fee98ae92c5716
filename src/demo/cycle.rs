//! The moving parts between the services and the payer: batches created
//! through billing's API, the simulator answering billing's outbound
//! folder and paying into payments' folder, and waiting until billing's
//! and payments' folder pollers and event consumers have taken everything
//! in (their folders empty, and what billing reports has stopped changing).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::common::v1::PageRequest;
use medbill_kernel::CalendarDate;
use medbill_payer_sim::{Folders, Report, Simulator};
use tonic::Code;

use super::api::{Actor, Api};
use super::stack::{Phase, Stack};

/// Every claim billing holds.
pub async fn all_claims(api: &Api) -> anyhow::Result<Vec<pb::Claim>> {
    let mut client = api.claims();
    let mut claims = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_claims(api.req(
                Actor::Biller,
                pb::ListClaimsRequest {
                    page: Some(PageRequest {
                        page_size: 500,
                        page_token: token.clone(),
                    }),
                    ..Default::default()
                },
            ))
            .await
            .map_err(crate::operator::status_error)
            .context("listing claims")?
            .into_inner();
        claims.extend(page.claims);
        match page.page {
            Some(p) if !p.next_page_token.is_empty() => token = p.next_page_token,
            _ => return Ok(claims),
        }
    }
}

/// Files waiting in `dir` (not dot files, not folders).
pub fn waiting_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .count()
        })
        .unwrap_or(0)
}

/// Waits until `dir` has no file waiting (its poller took them all).
pub async fn drained(dir: &Path, what: &str, stack: &Stack) -> anyhow::Result<()> {
    let started = Instant::now();
    while waiting_files(dir) > 0 {
        anyhow::ensure!(!stack.failed(), "a service stopped");
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(300),
            "{what}: files still waiting in {} after 5 minutes",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

fn fingerprint(claims: &[pb::Claim]) -> Vec<(String, i32, i32, i32, i64)> {
    let mut f: Vec<_> = claims
        .iter()
        .map(|c| {
            (
                c.claim_id.clone(),
                c.status,
                c.submission,
                c.adjudication,
                c.paid.as_ref().map_or(0, |m| m.cents),
            )
        })
        .collect();
    f.sort();
    f
}

/// Waits until billing's claims stop changing (its consumers of coding's
/// and payments' feeds have caught up) and at least `min_claims` exist.
pub async fn settle(api: &Api, stack: &Stack, min_claims: usize) -> anyhow::Result<Vec<pb::Claim>> {
    let started = Instant::now();
    let mut last = None;
    let mut stable = 0;
    loop {
        anyhow::ensure!(!stack.failed(), "a service stopped");
        let claims = all_claims(api).await?;
        let now = fingerprint(&claims);
        if last.as_ref() == Some(&now) {
            stable += 1;
            // Claims still expected may never come (an encounter billing
            // could not bill): the summary reports what is there.
            let waited_enough = started.elapsed() > Duration::from_secs(30);
            if stable >= 3 && (claims.len() >= min_claims || waited_enough) {
                return Ok(claims);
            }
        } else {
            stable = 0;
        }
        last = Some(now);
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "billing's claims did not settle within 5 minutes ({} claims, {min_claims} expected)",
            claims.len()
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}

/// What one round of batching sent.
#[derive(Debug, Default, Clone)]
pub struct Batched {
    /// Batches created.
    pub batches: u32,
    /// Claims in them.
    pub claims: u32,
    /// Claims the scrubber held back.
    pub held: Vec<String>,
}

/// Creates an 837P and an 837I batch of every READY claim (billing drops
/// each file in its outbound folder).
pub async fn create_batches(api: &Api) -> anyhow::Result<Batched> {
    let mut client = api.submission();
    let mut out = Batched::default();
    for kind in ["837P", "837I"] {
        let created = client
            .create_batch(api.req(
                Actor::Biller,
                pb::CreateBatchRequest {
                    transaction_type: kind.into(),
                    max_claims: 0,
                    payer_id: String::new(),
                },
            ))
            .await;
        match created {
            Ok(batch) => {
                let batch = batch.into_inner();
                out.batches += 1;
                out.claims += batch.claim_ids.len() as u32;
                out.held.extend(batch.held_claim_ids);
            }
            // Nothing ready of this kind.
            Err(s) if matches!(s.code(), Code::FailedPrecondition | Code::NotFound) => {}
            Err(s) => {
                return Err(crate::operator::status_error(s)).context(format!("{kind} batch"));
            }
        }
    }
    Ok(out)
}

/// Runs the stack's hook at `phase`; when there is one (it may have
/// restarted a service), the demo's channels connect afresh.
pub async fn at(api: &Api, stack: &Stack, phase: Phase) -> anyhow::Result<()> {
    stack.at(phase).await?;
    if stack.has_hook() {
        api.reconnect().await?;
    }
    Ok(())
}

/// The simulator over the stack's folders, with its own calendar.
pub struct Payer {
    /// The simulator.
    pub sim: Simulator,
    /// Its folders.
    pub folders: Folders,
    /// Its today.
    pub today: CalendarDate,
    /// Everything it did.
    pub report: Report,
    /// Sets of answers dropped so far.
    pub answers: u32,
    /// Sets of 835s dropped so far.
    pub payments: u32,
}

impl Payer {
    /// Answers what billing dropped (999, 277CA, 271, 277) and waits until
    /// billing has taken the answers in.
    pub async fn answer(&mut self, api: &Api, stack: &Stack) -> anyhow::Result<Report> {
        let report = self.sim.process_dir(&self.folders, self.today)?;
        anyhow::ensure!(
            report.files_refused.is_empty(),
            "the payer simulator refused {:?}",
            report.files_refused
        );
        self.answers += 1;
        at(api, stack, Phase::Answered(self.answers)).await?;
        drained(&self.folders.to_billing, "billing's inbound folder", stack).await?;
        self.report.merge(report.clone());
        Ok(report)
    }

    /// Moves the calendar `days` on, adjudicates what is due, and waits
    /// until payments has posted the 835s and deposits.
    pub async fn pay(&mut self, api: &Api, stack: &Stack, days: i64) -> anyhow::Result<Report> {
        self.today = self.today.add_days(days)?;
        let report = self
            .sim
            .adjudicate_due(&self.folders.to_payments, self.today)?;
        self.payments += 1;
        at(api, stack, Phase::Paid(self.payments)).await?;
        drained(&self.folders.to_payments, "payments' inbound folder", stack).await?;
        self.report.merge(report.clone());
        Ok(report)
    }
}
