//! What a biller does by hand against the running billing service:
//! `medbill claims list|show|scrub`, `medbill batch create`, `medbill acks
//! ingest` and `medbill denials list`, with `--token` / `MEDBILL_TOKEN` or a
//! token from the local development secret. Money is printed in dollars
//! from integer cents; `--json` prints the same with cents.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::billing::v1::claim_service_client::ClaimServiceClient;
use medbill_contracts::medbill::billing::v1::denial_service_client::DenialServiceClient;
use medbill_contracts::medbill::billing::v1::submission_service_client::SubmissionServiceClient;
use medbill_kernel::Money;
use medbill_platform::auth::Role;
use serde_json::{Value, json};

use crate::operator::{self, Caller, request};

/// Where billing is and who calls it.
#[derive(Debug, Clone, clap::Args)]
pub struct BillingRemote {
    /// The billing service.
    #[arg(
        long,
        env = "MEDBILL_BILLING_URL",
        default_value = "http://127.0.0.1:50052"
    )]
    pub endpoint: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub caller: Caller,
}

/// `medbill claims …`.
#[derive(Debug, clap::Subcommand)]
pub enum ClaimsCommand {
    /// Claims, newest first.
    List {
        /// Only claims in this status: draft, ready, submitted, accepted, rejected.
        #[arg(long)]
        status: Option<String>,
        /// Only this payer's.
        #[arg(long)]
        payer: Option<String>,
        /// Only this encounter's.
        #[arg(long)]
        encounter: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: BillingRemote,
    },
    /// One claim with its lines, findings and history.
    Show {
        /// The claim id.
        claim_id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: BillingRemote,
    },
    /// Scrub a claim again (after a fix); prints its findings.
    Scrub {
        /// The claim id.
        claim_id: String,
        /// Record this prior authorization number first.
        #[arg(long)]
        prior_authorization: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: BillingRemote,
    },
}

/// `medbill batch …`.
#[derive(Debug, clap::Subcommand)]
pub enum BatchCommand {
    /// Gather READY claims into an 837 and print the file written.
    Create {
        /// 837P or 837I.
        #[arg(long = "type", default_value = "837P")]
        transaction_type: String,
        /// Only this payer's claims.
        #[arg(long)]
        payer: Option<String>,
        /// At most this many claims (default 5000).
        #[arg(long, default_value_t = 0)]
        max_claims: u32,
        /// Write the file here instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: BillingRemote,
    },
}

/// `medbill acks …`.
#[derive(Debug, clap::Subcommand)]
pub enum AcksCommand {
    /// Apply a 999, 277CA, 271 or 277 file.
    Ingest {
        /// The X12 file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: BillingRemote,
    },
}

/// `medbill denials …`.
#[derive(Debug, clap::Subcommand)]
pub enum DenialsCommand {
    /// The denial work queue, oldest first.
    List {
        /// coding, billing, eligibility, authorization, medical_necessity,
        /// timely_filing, duplicate, non_covered or other.
        #[arg(long)]
        category: Option<String>,
        /// Who fixes it, e.g. "coding team".
        #[arg(long)]
        origin: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: BillingRemote,
    },
}

fn dollars(m: Option<&medbill_contracts::medbill::common::v1::Money>) -> String {
    Money::from_cents(m.map(|m| m.cents).unwrap_or(0)).to_string()
}

fn cents(m: Option<&medbill_contracts::medbill::common::v1::Money>) -> i64 {
    m.map(|m| m.cents).unwrap_or(0)
}

fn enum_name(name: Option<&str>, prefix: &str) -> String {
    name.unwrap_or("UNSPECIFIED")
        .trim_start_matches(prefix)
        .to_ascii_lowercase()
}

fn status_name(c: &pb::Claim) -> String {
    enum_name(
        pb::ClaimStatus::try_from(c.status)
            .ok()
            .map(|s| s.as_str_name()),
        "CLAIM_STATUS_",
    )
}

fn claim_json(c: &pb::Claim) -> Value {
    json!({
        "claim_id": c.claim_id,
        "status": status_name(c),
        "submission": enum_name(pb::SubmissionStatus::try_from(c.submission).ok().map(|s| s.as_str_name()), "SUBMISSION_STATUS_"),
        "adjudication": enum_name(pb::AdjudicationStatus::try_from(c.adjudication).ok().map(|s| s.as_str_name()), "ADJUDICATION_STATUS_"),
        "balance_owner": enum_name(pb::BalanceOwner::try_from(c.balance_owner).ok().map(|s| s.as_str_name()), "BALANCE_OWNER_"),
        "claim_type": enum_name(pb::ClaimType::try_from(c.claim_type).ok().map(|s| s.as_str_name()), "CLAIM_TYPE_"),
        "encounter_id": c.encounter_id,
        "patient_id": c.patient_id,
        "payer_id": c.payer_id,
        "payer_rank": c.payer_rank,
        "patient_control_number": c.patient_control_number,
        "frequency_code": c.frequency_code,
        "payer_claim_number": c.payer_claim_number,
        "total_charge_cents": cents(c.total_charge.as_ref()),
        "paid_cents": cents(c.paid.as_ref()),
        "diagnoses": c.diagnosis_codes,
        "lines": c.lines.iter().map(|l| json!({
            "line_number": l.line_number,
            "line_control_number": l.line_control_number,
            "code": l.code,
            "modifiers": l.modifiers,
            "units": l.units,
            "charge_cents": cents(l.charge.as_ref()),
            "revenue_code": l.revenue_code,
        })).collect::<Vec<_>>(),
        "findings": c.scrub_findings.iter().map(|f| json!({
            "rule_id": f.rule_id,
            "severity": if f.blocking { "error" } else { "warning" },
            "field": f.field,
            "message": f.message,
            "suggested_fix": f.suggested_fix,
        })).collect::<Vec<_>>(),
        "history": c.history.iter().map(|t| json!({
            "dimension": t.dimension,
            "from": t.from_state,
            "to": t.to_state,
            "actor": t.actor,
            "reason": t.reason,
        })).collect::<Vec<_>>(),
    })
}

fn write_claim(out: &mut dyn Write, c: &pb::Claim) -> std::io::Result<()> {
    writeln!(
        out,
        "claim {}  {}  {}  payer {} (rank {})  PCN {}  freq {}  total {}  paid {}",
        c.claim_id,
        status_name(c),
        enum_name(
            pb::ClaimType::try_from(c.claim_type)
                .ok()
                .map(|s| s.as_str_name()),
            "CLAIM_TYPE_"
        ),
        c.payer_id,
        c.payer_rank,
        c.patient_control_number,
        c.frequency_code,
        dollars(c.total_charge.as_ref()),
        dollars(c.paid.as_ref()),
    )?;
    writeln!(out, "  diagnoses: {}", c.diagnosis_codes.join(" "))?;
    for l in &c.lines {
        let modifiers = if l.modifiers.is_empty() {
            String::new()
        } else {
            format!("-{}", l.modifiers.join("-"))
        };
        writeln!(
            out,
            "  line {} {}{} x{} {} {}",
            l.line_number,
            l.code,
            modifiers,
            l.units,
            dollars(l.charge.as_ref()),
            l.line_control_number
        )?;
    }
    for f in &c.scrub_findings {
        writeln!(
            out,
            "  {} {} at {}: {} (fix: {})",
            if f.blocking { "ERROR" } else { "warning" },
            f.rule_id,
            f.field,
            f.message,
            f.suggested_fix
        )?;
    }
    for t in &c.history {
        writeln!(
            out,
            "  {} {} -> {} by {}: {}",
            t.dimension, t.from_state, t.to_state, t.actor, t.reason
        )?;
    }
    Ok(())
}

async fn channel(remote: &BillingRemote) -> anyhow::Result<(tonic::transport::Channel, String)> {
    let bearer = remote.caller.bearer("medbill-cli", Role::Biller)?;
    let channel = operator::connect(&remote.endpoint, "billing").await?;
    Ok((channel, bearer))
}

fn claim_status(text: &str) -> anyhow::Result<pb::ClaimStatus> {
    Ok(match text.to_ascii_lowercase().as_str() {
        "draft" | "held" => pb::ClaimStatus::Draft,
        "ready" => pb::ClaimStatus::Ready,
        "submitted" => pb::ClaimStatus::Submitted,
        "accepted" => pb::ClaimStatus::Accepted,
        "rejected" => pb::ClaimStatus::Rejected,
        other => {
            anyhow::bail!("--status {other:?}: one of draft, ready, submitted, accepted, rejected")
        }
    })
}

/// Runs a `claims` command, writing to `out`.
pub async fn claims(command: ClaimsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match command {
        ClaimsCommand::List {
            status,
            payer,
            encounter,
            json,
            remote,
        } => {
            let (channel, bearer) = channel(&remote).await?;
            let statuses = match status {
                Some(s) => vec![claim_status(&s)? as i32],
                None => Vec::new(),
            };
            let found = ClaimServiceClient::new(channel)
                .list_claims(request(
                    pb::ListClaimsRequest {
                        statuses,
                        payer_id: payer.unwrap_or_default(),
                        encounter_id: encounter.unwrap_or_default(),
                        ..Default::default()
                    },
                    &bearer,
                )?)
                .await
                .map_err(operator::status_error)?
                .into_inner();
            if json {
                let list: Vec<_> = found.claims.iter().map(claim_json).collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
            } else {
                for c in &found.claims {
                    writeln!(
                        out,
                        "{}  {:<9}  {}  {}  {:>10}  {}",
                        c.claim_id,
                        status_name(c),
                        c.patient_control_number,
                        c.payer_id,
                        dollars(c.total_charge.as_ref()),
                        c.scrub_findings
                            .iter()
                            .filter(|f| f.blocking)
                            .map(|f| f.rule_id.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    )?;
                }
                writeln!(out, "{} claim(s)", found.claims.len())?;
            }
        }
        ClaimsCommand::Show {
            claim_id,
            json,
            remote,
        } => {
            let (channel, bearer) = channel(&remote).await?;
            let claim = ClaimServiceClient::new(channel)
                .get_claim(request(pb::GetClaimRequest { claim_id }, &bearer)?)
                .await
                .map_err(operator::status_error)?
                .into_inner();
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&claim_json(&claim))?
                )?;
            } else {
                write_claim(out, &claim)?;
            }
        }
        ClaimsCommand::Scrub {
            claim_id,
            prior_authorization,
            json,
            remote,
        } => {
            let (channel, bearer) = channel(&remote).await?;
            let claim = ClaimServiceClient::new(channel)
                .scrub_claim(request(
                    pb::ScrubClaimRequest {
                        claim_id,
                        prior_authorization: prior_authorization.unwrap_or_default(),
                    },
                    &bearer,
                )?)
                .await
                .map_err(operator::status_error)?
                .into_inner();
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&claim_json(&claim))?
                )?;
            } else {
                write_claim(out, &claim)?;
            }
        }
    }
    Ok(())
}

/// Runs a `batch` command: the 837 goes to `out` (or `--out`), a summary to
/// `summary`.
pub async fn batch(
    command: BatchCommand,
    out: &mut dyn Write,
    summary: &mut dyn Write,
) -> anyhow::Result<()> {
    let BatchCommand::Create {
        transaction_type,
        payer,
        max_claims,
        out: path,
        remote,
    } = command;
    let (channel, bearer) = channel(&remote).await?;
    let mut client = SubmissionServiceClient::new(channel);
    let batch = client
        .create_batch(request(
            pb::CreateBatchRequest {
                transaction_type: transaction_type.to_ascii_uppercase(),
                max_claims,
                payer_id: payer.unwrap_or_default(),
            },
            &bearer,
        )?)
        .await
        .map_err(operator::status_error)?
        .into_inner();
    let file = client
        .get_batch_file(request(
            pb::GetBatchFileRequest {
                batch_id: batch.batch_id.clone(),
            },
            &bearer,
        )?)
        .await
        .map_err(operator::status_error)?
        .into_inner();
    match path {
        Some(path) => std::fs::write(&path, &file.content)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => out.write_all(&file.content)?,
    }
    writeln!(
        summary,
        "batch {} ({}, ISA13 {}): {} claim(s), {} — {}{}",
        batch.batch_id,
        batch.transaction_type,
        batch.interchange_control_number,
        batch.claim_ids.len(),
        dollars(batch.total_charge.as_ref()),
        file.file_name,
        if batch.held_claim_ids.is_empty() {
            String::new()
        } else {
            format!(
                "; held by the scrubber: {}",
                batch.held_claim_ids.join(", ")
            )
        }
    )?;
    Ok(())
}

/// Runs an `acks` command.
pub async fn acks(command: AcksCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let AcksCommand::Ingest { file, json, remote } = command;
    let content =
        std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let (channel, bearer) = channel(&remote).await?;
    let ack = SubmissionServiceClient::new(channel)
        .ingest_acknowledgment(request(
            pb::IngestAcknowledgmentRequest {
                content,
                file_name: file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            },
            &bearer,
        )?)
        .await
        .map_err(operator::status_error)?
        .into_inner();
    if json {
        let value = json!({
            "acknowledgment_id": ack.acknowledgment_id,
            "transaction_type": ack.transaction_type,
            "batch_id": ack.batch_id,
            "claims_accepted": ack.claims_accepted,
            "claims_rejected": ack.claims_rejected,
            "errors": ack.errors,
            "unmatched": ack.unmatched,
            "newly_applied": ack.newly_applied,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        writeln!(
            out,
            "{} for batch {}: {} accepted, {} rejected{}",
            ack.transaction_type,
            if ack.batch_id.is_empty() {
                "(none we sent)"
            } else {
                &ack.batch_id
            },
            ack.claims_accepted,
            ack.claims_rejected,
            if ack.newly_applied {
                ""
            } else {
                " (applied before; nothing changed)"
            }
        )?;
        for e in &ack.errors {
            writeln!(out, "  error: {e}")?;
        }
        for u in &ack.unmatched {
            writeln!(out, "  unmatched: {u}")?;
        }
    }
    Ok(())
}

fn category(text: &str) -> anyhow::Result<pb::DenialCategory> {
    let wanted = format!("DENIAL_CATEGORY_{}", text.trim().to_ascii_uppercase());
    pb::DenialCategory::from_str_name(&wanted)
        .filter(|c| *c != pb::DenialCategory::Unspecified)
        .with_context(|| {
            format!("--category {text:?}: coding, billing, eligibility, authorization, medical_necessity, timely_filing, duplicate, non_covered or other")
        })
}

/// Runs a `denials` command.
pub async fn denials(command: DenialsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let DenialsCommand::List {
        category: wanted,
        origin,
        json,
        remote,
    } = command;
    let categories = match wanted {
        Some(c) => vec![category(&c)? as i32],
        None => Vec::new(),
    };
    let (channel, bearer) = channel(&remote).await?;
    let found = DenialServiceClient::new(channel)
        .list_denials(request(
            pb::ListDenialsRequest {
                categories,
                origin: origin.unwrap_or_default(),
                ..Default::default()
            },
            &bearer,
        )?)
        .await
        .map_err(operator::status_error)?
        .into_inner();
    let category_name = |d: &pb::Denial| {
        enum_name(
            pb::DenialCategory::try_from(d.category)
                .ok()
                .map(|c| c.as_str_name()),
            "DENIAL_CATEGORY_",
        )
    };
    let status = |d: &pb::Denial| {
        enum_name(
            pb::DenialStatus::try_from(d.status)
                .ok()
                .map(|c| c.as_str_name()),
            "DENIAL_STATUS_",
        )
    };
    if json {
        let list: Vec<_> = found
            .denials
            .iter()
            .map(|d| {
                json!({
                    "denial_id": d.denial_id,
                    "claim_id": d.claim_id,
                    "line_control_number": d.line_control_number,
                    "category": category_name(d),
                    "origin": d.origin,
                    "status": status(d),
                    "carc_codes": d.carc_codes,
                    "rarc_codes": d.rarc_codes,
                    "group_code": d.group_code,
                    "denied_cents": cents(d.denied_amount.as_ref()),
                    "payer_id": d.payer_id,
                    "assigned_to": d.assigned_to,
                    "appeal_deadline": d.appeal_deadline.map(|a| format!("{:04}-{:02}-{:02}", a.year, a.month, a.day)),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
    } else {
        for d in &found.denials {
            writeln!(
                out,
                "{}  {:<17}  {:<26}  {:<16}  {}-{}  {:>10}  claim {} {}",
                d.denial_id,
                category_name(d),
                d.origin,
                status(d),
                d.group_code,
                d.carc_codes.join(","),
                dollars(d.denied_amount.as_ref()),
                d.claim_id,
                d.line_control_number
            )?;
        }
        writeln!(out, "{} denial(s)", found.denials.len())?;
    }
    Ok(())
}
