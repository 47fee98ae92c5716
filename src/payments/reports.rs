//! The collector's and manager's commands: `medbill statements run` (a
//! day's statements written as `<statement_id>.txt` and `.pdf`) and
//! `medbill ar aging`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::reporting_service_client::ReportingServiceClient;
use medbill_contracts::medbill::payments::v1::statement_service_client::StatementServiceClient;
use medbill_kernel::CalendarDate;
use medbill_platform::auth::Role;
use medbill_platform::convert::wire_date;
use serde_json::{Value, json};

use super::{PaymentsRemote, cents, channel, dollars};
use crate::operator::{self, request};

/// `medbill statements …`.
#[derive(Debug, clap::Subcommand)]
pub enum StatementsCommand {
    /// Generate the statements of a day and write each as
    /// `<statement_id>.txt` and `<statement_id>.pdf` into `--out`.
    Run {
        /// The statement date, YYYY-MM-DD.
        #[arg(long, value_parser = calendar_date)]
        date: CalendarDate,
        /// The directory to write into (created when missing).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: PaymentsRemote,
    },
}

/// `medbill ar …`.
#[derive(Debug, clap::Subcommand)]
pub enum ArCommand {
    /// Open AR by age bucket (0-30, 31-60, 61-90, 91-120, 121+ days).
    Aging {
        /// Rows by payer, patient (guarantor account) or class (financial
        /// class: the claim filing indicator).
        #[arg(long, default_value = "payer", value_parser = ["payer", "patient", "class"])]
        by: String,
        /// Age from the date of service or the first submission.
        #[arg(long, default_value = "service", value_parser = ["service", "submission"])]
        basis: String,
        /// Balances as of this day (YYYY-MM-DD); the service's today when absent.
        #[arg(long, value_parser = calendar_date)]
        as_of: Option<CalendarDate>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: PaymentsRemote,
    },
}

fn calendar_date(text: &str) -> Result<CalendarDate, String> {
    if text.len() != 10 {
        return Err(format!("{text:?} is not a date YYYY-MM-DD"));
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not a date YYYY-MM-DD"))
}

/// Runs a `statements` command, writing a summary to `out`.
pub async fn statements(command: StatementsCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let StatementsCommand::Run {
        date,
        out: dir,
        remote,
    } = command;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let (channel, bearer) = channel(&remote, Role::Collector).await?;
    let mut client = StatementServiceClient::new(channel);
    let run = client
        .generate_statements(request(
            pb::GenerateStatementsRequest {
                as_of: Some(wire_date(date)),
                minimum_balance: None,
            },
            &bearer,
        )?)
        .await
        .map_err(operator::status_error)?
        .into_inner();
    for id in &run.statement_ids {
        let statement = client
            .get_statement(request(
                pb::GetStatementRequest {
                    statement_id: id.clone(),
                },
                &bearer,
            )?)
            .await
            .map_err(operator::status_error)?
            .into_inner();
        for (ext, bytes) in [("txt", statement.text.as_bytes()), ("pdf", &statement.pdf)] {
            let path = dir.join(format!("{id}.{ext}"));
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        writeln!(
            out,
            "statement {id}  account {}  due {}  level {}{}",
            statement.account_id,
            dollars(statement.amount_due.as_ref()),
            statement.dunning_level,
            if statement.final_notice {
                "  final notice"
            } else {
                ""
            }
        )?;
    }
    writeln!(
        out,
        "{} statement(s) for {date} ({} created now), {} small balance(s) written off; files in {}",
        run.statement_ids.len(),
        run.statements_created,
        run.small_balances_written_off,
        dir.display()
    )?;
    Ok(())
}

fn buckets(row: &pb::AgingRow) -> [i64; 6] {
    [
        cents(row.days_0_30.as_ref()),
        cents(row.days_31_60.as_ref()),
        cents(row.days_61_90.as_ref()),
        cents(row.days_91_120.as_ref()),
        cents(row.days_over_120.as_ref()),
        cents(row.total.as_ref()),
    ]
}

fn row_json(row: &pb::AgingRow) -> Value {
    let split = |b: Option<&pb::AgingBuckets>| cents(b.and_then(|b| b.total.as_ref()));
    let [d0, d31, d61, d91, d121, total] = buckets(row);
    json!({
        "responsible": row.responsible,
        "days_0_30_cents": d0,
        "days_31_60_cents": d31,
        "days_61_90_cents": d61,
        "days_91_120_cents": d91,
        "days_over_120_cents": d121,
        "total_cents": total,
        "insurance_cents": split(row.insurance.as_ref()),
        "patient_cents": split(row.patient.as_ref()),
    })
}

fn write_row(out: &mut dyn Write, name: &str, row: &pb::AgingRow) -> std::io::Result<()> {
    let m = |o: &Option<_>| dollars(o.as_ref());
    writeln!(
        out,
        "{:<38} {:>12} {:>12} {:>12} {:>12} {:>12} {:>13}",
        name,
        m(&row.days_0_30),
        m(&row.days_31_60),
        m(&row.days_61_90),
        m(&row.days_91_120),
        m(&row.days_over_120),
        m(&row.total)
    )
}

/// Runs an `ar` command, writing to `out`.
pub async fn ar(command: ArCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    let ArCommand::Aging {
        by,
        basis,
        as_of,
        json,
        remote,
    } = command;
    let group_by = match by.as_str() {
        "patient" => pb::AgingGroupBy::Patient,
        "class" => pb::AgingGroupBy::FinancialClass,
        _ => pb::AgingGroupBy::Payer,
    };
    let basis = match basis.as_str() {
        "submission" => pb::AgingBasis::FirstSubmission,
        _ => pb::AgingBasis::DateOfService,
    };
    let (channel, bearer) = channel(&remote, Role::Manager).await?;
    let aging = ReportingServiceClient::new(channel)
        .get_ar_aging(request(
            pb::GetArAgingRequest {
                as_of: as_of.map(wire_date),
                group_by: group_by as i32,
                basis: basis as i32,
            },
            &bearer,
        )?)
        .await
        .map_err(operator::status_error)?
        .into_inner();
    let total = aging.total.unwrap_or_default();
    if json {
        let value = json!({
            "rows": aging.rows.iter().map(row_json).collect::<Vec<_>>(),
            "total": row_json(&total),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<38} {:>12} {:>12} {:>12} {:>12} {:>12} {:>13}",
        by, "0-30", "31-60", "61-90", "91-120", "121+", "total"
    )?;
    for row in &aging.rows {
        write_row(out, &row.responsible, row)?;
    }
    write_row(out, "total", &total)?;
    Ok(())
}
