//! What every operator command that calls a running service shares: where
//! the service is, and the bearer token to call it with — the one given with
//! `--token` / `MEDBILL_TOKEN` (a deployed stack), else a short-lived token
//! issued from the local development secret of `medbill up`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use medbill_platform::auth::{Authenticator, Role};
use tonic::transport::{Channel, Endpoint};

/// How to call a running service.
#[derive(Debug, Clone, clap::Args)]
pub struct Caller {
    /// Bearer token for a deployed stack; when absent, a token is issued
    /// from the development secret in `--data-dir`.
    #[arg(long, env = "MEDBILL_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The data directory of `medbill up` (for the development secret).
    #[arg(long, env = "MEDBILL_DATA_DIR", default_value = "./medbill-data")]
    pub data_dir: PathBuf,
}

impl Caller {
    /// The `authorization` value: `--token`, or a five-minute token with
    /// `role` for `subject` from the development secret.
    pub fn bearer(&self, subject: &str, role: Role) -> anyhow::Result<String> {
        if let Some(token) = &self.token {
            let token = token.trim();
            let token = token.strip_prefix("Bearer ").unwrap_or(token);
            return Ok(format!("Bearer {token}"));
        }
        let secret_path = self.data_dir.join("dev-jwt-secret");
        let secret = std::fs::read_to_string(&secret_path).with_context(|| {
            format!(
                "no --token and no development secret at {} (pass --token or --data-dir)",
                secret_path.display()
            )
        })?;
        let auth = Authenticator::hs256(secret.trim().as_bytes())?;
        let token = auth.issue(subject, &[role], Duration::from_secs(300))?;
        Ok(format!("Bearer {token}"))
    }
}

/// A connected channel to the service at `url`.
pub async fn connect(url: &str, what: &str) -> anyhow::Result<Channel> {
    Endpoint::from_shared(url.to_string())
        .with_context(|| format!("{url} is not a valid service URL"))?
        .connect()
        .await
        .with_context(|| format!("cannot reach the {what} service at {url}"))
}

/// `message` as a request carrying `bearer`.
pub fn request<T>(message: T, bearer: &str) -> anyhow::Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", bearer.parse()?);
    Ok(request)
}

/// A failed call as a readable error: `NOT_FOUND: claim … not found`.
pub fn status_error(status: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: {}",
        medbill_platform::metrics::code_name(status.code()),
        status.message()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_token_wins_over_the_development_secret() {
        let caller = Caller {
            token: Some("Bearer abc.def.ghi".into()),
            data_dir: PathBuf::from("/nonexistent"),
        };
        assert_eq!(
            caller.bearer("x", Role::Coder).unwrap(),
            "Bearer abc.def.ghi"
        );
        let bare = Caller {
            token: Some("abc.def.ghi".into()),
            data_dir: PathBuf::from("/nonexistent"),
        };
        assert_eq!(bare.bearer("x", Role::Coder).unwrap(), "Bearer abc.def.ghi");
    }

    #[test]
    fn without_a_token_or_secret_the_error_says_what_to_pass() {
        let caller = Caller {
            token: None,
            data_dir: PathBuf::from("/nonexistent"),
        };
        let err = caller.bearer("x", Role::Coder).unwrap_err().to_string();
        assert!(err.contains("--token"), "{err}");
    }
}
