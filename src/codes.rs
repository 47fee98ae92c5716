//! `medbill codes …`: operator tools for the code sets.
//!
//! - `fetch` downloads the pinned public releases (docs/CODESETS.md) into
//!   `.codesets/` and checks their sha256;
//! - `import` loads them (or one file in an official CMS layout) into the
//!   coding database as versioned releases;
//! - `show` and `search` ask the running coding service over gRPC, with
//!   `--token` / `MEDBILL_TOKEN` or a token from the local development
//!   secret; ICD-10-CM codes are shown with their dot (`R07.9`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use medbill_coding::codesets;
use medbill_contracts::medbill::coding::v1 as pb;
use medbill_contracts::medbill::coding::v1::code_set_service_client::CodeSetServiceClient;
use medbill_kernel::{CalendarDate, display_icd};
use medbill_platform::auth::Role;
use medbill_platform::clock::Clock;
use medbill_platform::convert::wire_date;
use medbill_platform::db::Database;

use crate::operator::{self, Caller, request};

/// The code-set subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CodesCommand {
    /// Download the pinned public code sets and check their sha256.
    Fetch {
        /// Where to keep them.
        #[arg(long, default_value = ".codesets")]
        dir: PathBuf,
    },
    /// Load code sets into the coding database as versioned releases.
    Import(ImportArgs),
    /// What a code is on a date of service (asks the running service).
    Show {
        /// The code, with or without the dot.
        code: String,
        /// Date of service (default today).
        #[arg(long)]
        date: Option<CalendarDate>,
        /// Code system.
        #[arg(long, value_enum, default_value_t = SystemArg::Icd10cm)]
        system: SystemArg,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: Remote,
    },
    /// Find codes by prefix or description words (asks the running service).
    Search {
        /// A code prefix or words of the description.
        text: String,
        /// Only this system (default every system).
        #[arg(long, value_enum)]
        system: Option<SystemArg>,
        /// Date of service (default today).
        #[arg(long)]
        date: Option<CalendarDate>,
        /// Most results.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        remote: Remote,
    },
}

/// Code systems on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SystemArg {
    /// ICD-10-CM diagnoses.
    Icd10cm,
    /// ICD-10-PCS procedures.
    Icd10pcs,
    /// CPT (numbers; descriptors only from a licensed file).
    Cpt,
    /// HCPCS Level II.
    Hcpcs,
    /// Modifiers.
    Modifier,
}

impl SystemArg {
    fn wire(self) -> pb::CodeSystem {
        match self {
            SystemArg::Icd10cm => pb::CodeSystem::Icd10cm,
            SystemArg::Icd10pcs => pb::CodeSystem::Icd10pcs,
            SystemArg::Cpt => pb::CodeSystem::Cpt,
            SystemArg::Hcpcs => pb::CodeSystem::Hcpcs,
            SystemArg::Modifier => pb::CodeSystem::Modifier,
        }
    }
}

/// Where the running coding service is.
#[derive(Debug, Clone, clap::Args)]
pub struct Remote {
    /// The coding service.
    #[arg(
        long,
        env = "MEDBILL_CODING_URL",
        default_value = "http://127.0.0.1:50051"
    )]
    pub endpoint: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub caller: Caller,
}

/// Official CMS file layouts `import --file` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CmsLayout {
    /// `icd10cm_order_YYYY.txt` (fixed width).
    Order,
    /// NCCI PTP, tab-delimited.
    NcciPtp,
    /// MUE, csv.
    Mue,
    /// A customer's licensed CPT file (code, short, long description).
    Cpt,
}

/// Flags of `medbill codes import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The fetched code sets (from `medbill codes fetch`).
    #[arg(long, default_value = ".codesets")]
    pub dir: PathBuf,
    /// The coding database (default: the local stack's, under --data-dir).
    #[arg(long, env = "MEDBILL_CODING_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The data directory of `medbill up`.
    #[arg(long, env = "MEDBILL_DATA_DIR", default_value = "./medbill-data")]
    pub data_dir: PathBuf,
    /// Load one file in an official CMS layout instead of the fetched sets.
    #[arg(long, requires_all = ["layout", "name", "effective"])]
    pub file: Option<PathBuf>,
    /// The layout of --file.
    #[arg(long, value_enum)]
    pub layout: Option<CmsLayout>,
    /// Release name, e.g. "FY2027" or "2026 Q3".
    #[arg(long)]
    pub name: Option<String>,
    /// First date of service the release governs (YYYY-MM-DD).
    #[arg(long)]
    pub effective: Option<CalendarDate>,
    /// Care setting of an NCCI or MUE file: practitioner, hospital_outpatient, dme.
    #[arg(long, default_value = "practitioner")]
    pub setting: String,
    /// Load the demo's small slice instead (the codes `medbill demo` and
    /// `medbill load --scenario cycle` use), before the stack starts.
    #[arg(long, conflicts_with = "file")]
    pub demo: bool,
}

fn progress(line: &str) {
    println!("  {line}");
}

/// Runs a code-set subcommand.
pub async fn run(command: CodesCommand) -> anyhow::Result<()> {
    match command {
        CodesCommand::Fetch { dir } => {
            println!(
                "Fetching the pinned public code sets into {}",
                dir.display()
            );
            let files = codesets::fetch(&dir, &progress).await?;
            println!("Fetched and checked: {}", files.dir.display());
            Ok(())
        }
        CodesCommand::Import(args) => import(args).await,
        CodesCommand::Show {
            code,
            date,
            system,
            json,
            remote,
        } => show(&remote, &code, date, system, json).await,
        CodesCommand::Search {
            text,
            system,
            date,
            limit,
            json,
            remote,
        } => search(&remote, &text, system, date, limit, json).await,
    }
}

/// The local stack's coding database URL.
pub fn local_coding_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("coding.db").display())
}

async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| local_coding_url(&args.data_dir));
    if args.demo {
        crate::demo::seed_codes(&url).await?;
        println!("Loaded the demo's code-set slice into the coding database");
        return Ok(());
    }
    let db = Database::connect(&url, medbill_coding::MIGRATIONS)
        .await
        .context("cannot open the coding database")?;
    if let (Some(file), Some(layout), Some(name), Some(effective)) =
        (&args.file, args.layout, &args.name, args.effective)
    {
        let loaded = match layout {
            CmsLayout::Order => codesets::import_order_file(&db, file, name, effective).await?,
            CmsLayout::NcciPtp => {
                codesets::import_ncci_ptp(&db, file, name, effective, &args.setting).await?
            }
            CmsLayout::Mue => {
                codesets::import_mue(&db, file, name, effective, &args.setting).await?
            }
            CmsLayout::Cpt => codesets::import_cpt(&db, file, name, effective).await?,
        };
        println!(
            "{} {} release {:?}: {} rows{}",
            loaded.system.as_str(),
            loaded.kind,
            loaded.name,
            loaded.rows,
            if loaded.already_loaded {
                " (already loaded; nothing changed)"
            } else {
                ""
            }
        );
        return Ok(());
    }
    let files = codesets::fetch(&args.dir, &progress).await?;
    import_fetched(&db, &files).await
}

/// Imports fetched code sets with progress lines.
pub async fn import_fetched(db: &Database, files: &codesets::FetchedFiles) -> anyhow::Result<()> {
    let summary = codesets::import_all(db, files, &progress).await?;
    for r in &summary.releases {
        println!(
            "  {:<9} {:<9} {:>9} rows  {:>6.1} s  {}{}",
            r.system.as_str(),
            r.kind,
            r.rows,
            r.elapsed.as_secs_f64(),
            r.name,
            if r.already_loaded {
                " (already loaded)"
            } else {
                ""
            }
        );
    }
    println!("Imported in {:.1} s.", summary.elapsed.as_secs_f64());
    Ok(())
}

async fn client(
    remote: &Remote,
) -> anyhow::Result<(CodeSetServiceClient<tonic::transport::Channel>, String)> {
    let bearer = remote.caller.bearer("medbill-codes", Role::Coder)?;
    let channel = operator::connect(&remote.endpoint, "coding").await?;
    Ok((CodeSetServiceClient::new(channel), bearer))
}

fn date_or_today(date: Option<CalendarDate>) -> CalendarDate {
    date.unwrap_or_else(|| Clock::system().today())
}

async fn show(
    remote: &Remote,
    code: &str,
    date: Option<CalendarDate>,
    system: SystemArg,
    json: bool,
) -> anyhow::Result<()> {
    let (mut client, bearer) = client(remote).await?;
    let date = date_or_today(date);
    let answer = client
        .get_code(request(
            pb::GetCodeRequest {
                system: system.wire() as i32,
                code: code.to_string(),
                date_of_service: Some(wire_date(date)),
            },
            &bearer,
        )?)
        .await
        .map_err(operator::status_error)?
        .into_inner()
        .code
        .context("empty answer")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&code_json(&answer))?);
    } else {
        println!(
            "{} on {date}: {} — {}",
            shown_code(&answer),
            status_word(answer.status),
            answer.description
        );
        for note in &answer.notes {
            println!(
                "  {} ({}): {}",
                note_word(note.kind),
                display_icd(&note.from_code),
                note.text
            );
        }
        if !answer.mce_edits.is_empty() {
            println!("  MCE edits: {}", answer.mce_edits.join(", "));
        }
    }
    Ok(())
}

async fn search(
    remote: &Remote,
    text: &str,
    system: Option<SystemArg>,
    date: Option<CalendarDate>,
    limit: u32,
    json: bool,
) -> anyhow::Result<()> {
    let (mut client, bearer) = client(remote).await?;
    let found = client
        .search_codes(request(
            pb::SearchCodesRequest {
                query: text.to_string(),
                system: system.map_or(pb::CodeSystem::Unspecified, SystemArg::wire) as i32,
                date_of_service: Some(wire_date(date_or_today(date))),
                limit,
                include_headers: false,
            },
            &bearer,
        )?)
        .await
        .map_err(operator::status_error)?
        .into_inner();
    if json {
        let list: Vec<_> = found.codes.iter().map(code_json).collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        for c in &found.codes {
            println!("{:<9} {}", shown_code(c), c.description);
        }
    }
    Ok(())
}

/// A code as people read it: ICD-10-CM with its dot (`R07.9`), others as
/// they are.
fn shown_code(c: &pb::Code) -> String {
    if c.system == pb::CodeSystem::Icd10cm as i32 {
        display_icd(&c.code)
    } else {
        c.code.clone()
    }
}

fn status_word(status: i32) -> &'static str {
    match pb::CodeStatus::try_from(status) {
        Ok(pb::CodeStatus::Billable) => "billable",
        Ok(pb::CodeStatus::Header) => "header (not billable)",
        Ok(pb::CodeStatus::NotEffective) => "not in effect",
        _ => "unknown",
    }
}

fn note_word(kind: i32) -> &'static str {
    match pb::NoteKind::try_from(kind) {
        Ok(pb::NoteKind::InclusionTerm) => "inclusion term",
        Ok(pb::NoteKind::Includes) => "includes",
        Ok(pb::NoteKind::Excludes1) => "excludes1",
        Ok(pb::NoteKind::Excludes2) => "excludes2",
        Ok(pb::NoteKind::CodeFirst) => "code first",
        Ok(pb::NoteKind::UseAdditionalCode) => "use additional code",
        Ok(pb::NoteKind::CodeAlso) => "code also",
        Ok(pb::NoteKind::Note) => "note",
        Ok(pb::NoteKind::SeventhCharacter) => "7th character",
        _ => "note",
    }
}

fn code_json(c: &pb::Code) -> serde_json::Value {
    let date = |d: &Option<medbill_contracts::medbill::common::v1::Date>| {
        d.as_ref()
            .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
    };
    serde_json::json!({
        "code": shown_code(c),
        "status": status_word(c.status),
        "description": c.description,
        "effective_from": c.effective.as_ref().and_then(|r| date(&r.start)),
        "effective_to": c.effective.as_ref().and_then(|r| date(&r.end)),
        "parent": c.parent,
        "mce_edits": c.mce_edits,
        "notes": c.notes.iter().map(|n| serde_json::json!({
            "kind": note_word(n.kind), "from_code": n.from_code, "text": n.text
        })).collect::<Vec<_>>(),
    })
}
