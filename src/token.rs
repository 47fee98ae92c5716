//! `medbill token --role ROLE`: a development token signed with the secret
//! that `medbill up` created in its data directory.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use medbill_platform::auth::{Authenticator, Role};

/// Flags of `medbill token`.
#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// A role for the token (repeat for several): coder, coding_auditor,
    /// biller, payment_poster, collector, manager, auditor, admin, service.
    #[arg(long = "role", required = true, value_parser = parse_role)]
    pub roles: Vec<Role>,
    /// Who the token names.
    #[arg(long, default_value = "dev")]
    pub subject: String,
    /// The data directory of `medbill up` (holds the dev secret).
    #[arg(long, env = "MEDBILL_DATA_DIR", default_value = "./medbill-data")]
    pub data_dir: PathBuf,
    /// Hours until the token expires.
    #[arg(long, default_value_t = 12)]
    pub ttl_hours: u64,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.to_string())
}

/// Prints the token.
pub fn run(args: &TokenArgs) -> anyhow::Result<()> {
    println!("{}", issue(args)?);
    Ok(())
}

/// The token the flags ask for.
pub fn issue(args: &TokenArgs) -> anyhow::Result<String> {
    let path = args.data_dir.join("dev-jwt-secret");
    let secret = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "no development secret at {} (run `medbill up` once, or pass --data-dir)",
            path.display()
        )
    })?;
    let auth = Authenticator::hs256(secret.trim().as_bytes())?;
    let token = auth.issue(
        &args.subject,
        &args.roles,
        Duration::from_secs(args.ttl_hours * 3600),
    )?;
    Ok(token)
}
