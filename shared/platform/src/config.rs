//! Typed service settings from flags and environment variables (12-factor).
//!
//! Every flag has an environment variable with the `MEDBILL_` prefix and `__`
//! between a group and its field, e.g. `--jwt-secret` /
//! `MEDBILL_AUTH__JWT_SECRET`. Settings are validated once at start;
//! secrets live in a redacting wrapper and never reach a log.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use medbill_kernel::Redacted;

use crate::auth::{AuthError, Authenticator};
use crate::clock::Clock;
use crate::telemetry::LogFormat;

/// Flags shared by every way of running a service.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Longest time a unary call may run before DEADLINE_EXCEEDED (a client's
    /// shorter `grpc-timeout` wins).
    #[arg(
        long,
        env = "MEDBILL_SERVER__REQUEST_TIMEOUT_SECS",
        default_value_t = 30
    )]
    pub request_timeout_secs: u64,
    /// Largest request or response message, in bytes (835 and 837 files
    /// travel inside messages).
    #[arg(long, env = "MEDBILL_SERVER__MAX_MESSAGE_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_message_bytes: usize,
    /// Seconds to let in-flight calls finish after a shutdown signal.
    #[arg(long, env = "MEDBILL_SERVER__DRAIN_SECS", default_value_t = 20)]
    pub drain_secs: u64,
    /// Log line format.
    #[arg(long, env = "MEDBILL_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
    /// The hospital's IANA time zone (e.g. `America/Chicago`): "today" for
    /// dates of service, statements and aging is the date there. Default:
    /// the machine's local zone (`TZ`).
    #[arg(long, env = "MEDBILL_TIME_ZONE")]
    pub time_zone: Option<String>,
}

/// Token verification flags.
#[derive(Debug, Clone, clap::Args)]
pub struct AuthArgs {
    /// HS256 signing secret (at least 32 bytes).
    #[arg(long, env = "MEDBILL_AUTH__JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// File holding the HS256 secret (as an alternative to --jwt-secret).
    #[arg(long, env = "MEDBILL_AUTH__JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,
    /// RS256 public key (PEM file): verify tokens of an identity provider.
    #[arg(long, env = "MEDBILL_AUTH__JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<PathBuf>,
}

/// Why settings were refused at start.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No way to verify tokens was configured.
    #[error(
        "no token key: set --jwt-secret / MEDBILL_AUTH__JWT_SECRET, --jwt-secret-file, or --jwt-public-key-file"
    )]
    NoKey,
    /// More than one key source was given.
    #[error("give exactly one of --jwt-secret, --jwt-secret-file, --jwt-public-key-file")]
    ConflictingKeys,
    /// A key file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key was unusable.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A value out of range.
    #[error("{0}")]
    Invalid(String),
}

impl AuthArgs {
    /// The authenticator these flags describe.
    pub fn authenticator(&self) -> Result<Authenticator, ConfigError> {
        match (
            &self.jwt_secret,
            &self.jwt_secret_file,
            &self.jwt_public_key_file,
        ) {
            (Some(secret), None, None) => Ok(Authenticator::hs256(secret.trim().as_bytes())?),
            (None, Some(path), None) => {
                let secret = read(path)?;
                Ok(Authenticator::hs256(secret.trim().as_bytes())?)
            }
            (None, None, Some(path)) => Ok(Authenticator::rs256(read(path)?.as_bytes())?),
            (None, None, None) => Err(ConfigError::NoKey),
            _ => Err(ConfigError::ConflictingKeys),
        }
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Validated settings of one running service.
#[derive(Clone)]
pub struct ServerSettings {
    /// Token verification.
    pub auth: Authenticator,
    /// Unary call deadline.
    pub request_timeout: Duration,
    /// Largest message in bytes.
    pub max_message_bytes: usize,
    /// Grace period for in-flight calls at shutdown.
    pub drain: Duration,
    /// Where to serve `/metrics`, if anywhere.
    pub metrics_listen: Option<SocketAddr>,
    /// Now and today, in the hospital's time zone.
    pub clock: Clock,
}

impl ServerSettings {
    /// Settings from flags, checked.
    pub fn from_args(
        server: &ServerArgs,
        auth: Authenticator,
        metrics_listen: Option<SocketAddr>,
    ) -> Result<Self, ConfigError> {
        if server.request_timeout_secs == 0 {
            return Err(ConfigError::Invalid(
                "--request-timeout-secs must be at least 1".into(),
            ));
        }
        if server.max_message_bytes < 1024 {
            return Err(ConfigError::Invalid(
                "--max-message-bytes must be at least 1024".into(),
            ));
        }
        Ok(ServerSettings {
            auth,
            request_timeout: Duration::from_secs(server.request_timeout_secs),
            max_message_bytes: server.max_message_bytes,
            drain: Duration::from_secs(server.drain_secs),
            metrics_listen,
            clock: match &server.time_zone {
                Some(zone) => Clock::in_zone(zone)?,
                None => Clock::system(),
            },
        })
    }

    /// Defaults for tests and embedded use: 30 s deadline, 64 MiB messages,
    /// the machine's time zone.
    pub fn with_auth(auth: Authenticator) -> Self {
        ServerSettings {
            auth,
            request_timeout: Duration::from_secs(30),
            max_message_bytes: 64 * 1024 * 1024,
            drain: Duration::from_secs(20),
            metrics_listen: None,
            clock: Clock::system(),
        }
    }
}

/// Reads the development signing secret in `dir`, creating it (64 random hex
/// characters, owner-only permissions) on first use. Returns the secret and
/// whether it was created now.
pub fn dev_secret(dir: &Path) -> Result<(Redacted<String>, bool), ConfigError> {
    let path = dir.join("dev-jwt-secret");
    if path.exists() {
        return Ok((Redacted::new(read(&path)?.trim().to_string()), false));
    }
    let io = |source| ConfigError::Read {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ConfigError::Invalid(e.to_string()))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret).map_err(io)?;
    Ok((Redacted::new(secret), true))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dev_secret_is_created_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (first, created) = dev_secret(dir.path()).unwrap();
        assert!(created);
        assert_eq!(first.expose().len(), 64);
        let (second, created) = dev_secret(dir.path()).unwrap();
        assert!(!created);
        assert_eq!(first, second);
    }

    #[test]
    fn two_key_sources_are_refused() {
        let args = AuthArgs {
            jwt_secret: Some("x".repeat(32)),
            jwt_secret_file: Some(PathBuf::from("/nonexistent")),
            jwt_public_key_file: None,
        };
        assert!(matches!(
            args.authenticator(),
            Err(ConfigError::ConflictingKeys)
        ));
    }
}
