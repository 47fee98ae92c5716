//! What a payment poster, collector or manager does by hand against the
//! running payments service: `medbill remit ingest` (an 835 and its posting
//! summary), `medbill deposits import` (a bank's deposit CSV),
//! `medbill statements run` (a day's statements as text and PDF files) and
//! `medbill ar aging`. Callers as for billing's commands: `--token` /
//! `MEDBILL_TOKEN`, else a token from the local development secret. Money is
//! printed in dollars from integer cents; `--json` prints cents.

mod reports;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use medbill_contracts::medbill::common::v1 as common;
use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::remittance_service_client::RemittanceServiceClient;
use medbill_kernel::Money;
use medbill_payments::deposits::csv::read_deposits;
use medbill_platform::auth::Role;
use medbill_platform::convert::{wire_date, wire_money};
use serde_json::{Value, json};

use crate::operator::{self, Caller, request};
pub use reports::{ArCommand, StatementsCommand, ar, statements};

/// Where payments is and who calls it.
#[derive(Debug, Clone, clap::Args)]
pub struct PaymentsRemote {
    /// The payments service.
    #[arg(
        long,
        env = "MEDBILL_PAYMENTS_URL",
        default_value = "http://127.0.0.1:50053"
    )]
    pub endpoint: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub caller: Caller,
}

/// `medbill remit …`.
#[derive(Debug, clap::Subcommand)]
pub enum RemitCommand {
    /// Post an 835 file; prints what was matched, what went to the
    /// exceptions queue, totals by CAS group and the PLB entries.
    Ingest {
        /// The 835 X12 file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: PaymentsRemote,
    },
}

/// `medbill deposits …`.
#[derive(Debug, clap::Subcommand)]
pub enum DepositsCommand {
    /// Record the bank deposits of a CSV file (`trace,amount,date[,payer]`,
    /// amount in dollars with two decimals, date YYYY-MM-DD); prints each
    /// row matched to its 835 or why not. A file with a bad row records
    /// nothing.
    Import {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: PaymentsRemote,
    },
}

pub(crate) fn dollars(m: Option<&common::Money>) -> String {
    Money::from_cents(cents(m)).to_string()
}

pub(crate) fn cents(m: Option<&common::Money>) -> i64 {
    m.map(|m| m.cents).unwrap_or(0)
}

pub(crate) fn date_text(d: Option<&common::Date>) -> String {
    d.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
        .unwrap_or_default()
}

pub(crate) fn enum_text(name: Option<&str>, prefix: &str) -> String {
    name.unwrap_or("UNSPECIFIED")
        .trim_start_matches(prefix)
        .to_ascii_lowercase()
}

pub(crate) async fn channel(
    remote: &PaymentsRemote,
    role: Role,
) -> anyhow::Result<(tonic::transport::Channel, String)> {
    let bearer = remote.caller.bearer("medbill-cli", role)?;
    let channel = operator::connect(&remote.endpoint, "payments").await?;
    Ok((channel, bearer))
}

/// Adjustments of a remittance summed by CAS group (claim and line level).
fn cas_totals(r: &pb::Remittance) -> BTreeMap<String, i64> {
    let mut totals = BTreeMap::new();
    for c in &r.claims {
        let lines = c.services.iter().flat_map(|s| &s.adjustments);
        for a in c.adjustments.iter().chain(lines) {
            *totals.entry(a.group_code.clone()).or_insert(0) += cents(a.amount.as_ref());
        }
    }
    totals
}

fn reason_text(e: &pb::RemittanceException) -> String {
    enum_text(
        pb::ExceptionReason::try_from(e.reason)
            .ok()
            .map(|r| r.as_str_name()),
        "EXCEPTION_REASON_",
    )
}

fn remittance_json(r: &pb::Remittance) -> Value {
    let matched: Vec<_> = r.claims.iter().filter(|c| !c.claim_id.is_empty()).collect();
    json!({
        "remittance_id": r.remittance_id,
        "newly_posted": r.newly_posted,
        "status": enum_text(pb::RemittanceStatus::try_from(r.status).ok().map(|s| s.as_str_name()), "REMITTANCE_STATUS_"),
        "payer_name": r.payer_name,
        "trace_number": r.trace_number,
        "payment_date": date_text(r.payment_date.as_ref()),
        "total_paid_cents": cents(r.total_paid.as_ref()),
        "claims_matched": matched.len(),
        "claims": matched.iter().map(|c| json!({
            "patient_control_number": c.patient_control_number,
            "claim_id": c.claim_id,
            "status_code": c.status_code,
            "paid_cents": cents(c.paid.as_ref()),
        })).collect::<Vec<_>>(),
        "exceptions": r.exceptions.iter().map(|e| json!({
            "patient_control_number": e.patient_control_number,
            "claim_id": e.claim_id,
            "reason": reason_text(e),
            "detail": e.detail,
            "paid_cents": cents(e.paid.as_ref()),
        })).collect::<Vec<_>>(),
        "cas_totals_cents": cas_totals(r),
        "provider_adjustments": r.provider_adjustments.iter().map(|p| json!({
            "reason_code": p.reason_code,
            "reference": p.reference,
            "amount_cents": cents(p.amount.as_ref()),
        })).collect::<Vec<_>>(),
        "findings": r.findings,
    })
}

fn write_remittance(out: &mut dyn Write, r: &pb::Remittance) -> std::io::Result<()> {
    let matched = r.claims.iter().filter(|c| !c.claim_id.is_empty()).count();
    writeln!(
        out,
        "remittance {} from {} trace {}: {} paid on {}{}",
        r.remittance_id,
        r.payer_name,
        r.trace_number,
        dollars(r.total_paid.as_ref()),
        date_text(r.payment_date.as_ref()),
        if r.newly_posted {
            ""
        } else {
            " (posted before; nothing changed)"
        }
    )?;
    writeln!(
        out,
        "  {} claim(s): {matched} matched, {} exception(s)",
        r.claims.len(),
        r.exceptions.len()
    )?;
    for c in r.claims.iter().filter(|c| !c.claim_id.is_empty()) {
        writeln!(
            out,
            "  claim {} -> {}  CLP02 {}  paid {}",
            c.patient_control_number,
            c.claim_id,
            c.status_code,
            dollars(c.paid.as_ref())
        )?;
    }
    for e in &r.exceptions {
        writeln!(
            out,
            "  exception {}: {} ({}), {} held in unapplied cash",
            e.patient_control_number,
            reason_text(e),
            e.detail,
            dollars(e.paid.as_ref())
        )?;
    }
    for (group, total) in cas_totals(r) {
        writeln!(out, "  CAS {group} {}", Money::from_cents(total))?;
    }
    for p in &r.provider_adjustments {
        writeln!(
            out,
            "  PLB {} {} {}",
            p.reason_code,
            p.reference,
            dollars(p.amount.as_ref())
        )?;
    }
    for f in &r.findings {
        writeln!(out, "  finding: {f}")?;
    }
    Ok(())
}

/// Runs a `remit` command, writing to `out`.
pub async fn remit(command: RemitCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let RemitCommand::Ingest { file, json, remote } = command;
    let content =
        std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let (channel, bearer) = channel(&remote, Role::PaymentPoster).await?;
    let posted = RemittanceServiceClient::new(channel)
        .ingest_remittance(request(
            pb::IngestRemittanceRequest {
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
        let value = remittance_json(&posted);
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        write_remittance(out, &posted)?;
    }
    Ok(())
}

/// Runs a `deposits` command, writing to `out`.
pub async fn deposits(command: DepositsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let DepositsCommand::Import { file, remote } = command;
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {} as text", file.display()))?;
    let rows = read_deposits(&text).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        anyhow::anyhow!("{}: nothing recorded; {}", file.display(), list.join("; "))
    })?;
    let (channel, bearer) = channel(&remote, Role::PaymentPoster).await?;
    let mut client = RemittanceServiceClient::new(channel);
    let (mut matched, mut unmatched) = (0, 0);
    for row in &rows {
        let deposit = client
            .record_deposit(request(
                pb::RecordDepositRequest {
                    trace_number: row.trace_number.clone(),
                    amount: Some(wire_money(row.amount)),
                    deposit_date: Some(wire_date(row.deposit_date)),
                    idempotency_key: row.idempotency_key(),
                },
                &bearer,
            )?)
            .await
            .map_err(operator::status_error)
            .with_context(|| format!("line {}", row.line))?
            .into_inner();
        let outcome = if deposit.remittance_id.is_empty() {
            unmatched += 1;
            format!("unmatched: {}", deposit.suspense_detail)
        } else {
            matched += 1;
            format!("matched remittance {}", deposit.remittance_id)
        };
        writeln!(
            out,
            "line {}: {} {} {} -> {}{}",
            row.line,
            row.trace_number,
            row.amount,
            row.deposit_date,
            outcome,
            if deposit.newly_recorded {
                ""
            } else {
                " (recorded before)"
            }
        )?;
    }
    writeln!(
        out,
        "{} deposit(s): {matched} matched, {unmatched} unmatched",
        rows.len()
    )?;
    Ok(())
}
