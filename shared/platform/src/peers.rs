//! How a service reaches another medbill service: the peer's URL and the
//! source of the `service` bearer token to call it with. Each service
//! declares the peers it needs (its own `Peers` type and flags); the platform
//! only knows what one peer is.

use std::sync::Arc;
use std::time::Duration;

use tonic::transport::{Channel, Endpoint};

use crate::auth::{Authenticator, Role};
use crate::config::ConfigError;
use crate::error::ServiceError;

/// Gives the bearer token for a call to another service (asked at every
/// (re)connect, so a rotated token is picked up).
pub type TokenSource = Arc<dyn Fn() -> Result<String, ServiceError> + Send + Sync>;

/// Another medbill service this one calls or follows.
#[derive(Clone)]
pub struct Peer {
    name: &'static str,
    endpoint: Endpoint,
    tokens: TokenSource,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("name", &self.name)
            .field("uri", self.endpoint.uri())
            .finish_non_exhaustive()
    }
}

impl Peer {
    /// The peer `name` ("billing", …) at `url`, called with tokens from
    /// `tokens`. A URL that is not a valid gRPC endpoint is refused, naming
    /// the flag it came from (`--{name}-url`).
    pub fn new(name: &'static str, url: &str, tokens: TokenSource) -> Result<Peer, ConfigError> {
        let endpoint = Endpoint::from_shared(url.to_string())
            .map_err(|e| ConfigError::Invalid(format!("--{name}-url {url:?} is not a URL: {e}")))?
            .connect_timeout(Duration::from_secs(5));
        Ok(Peer {
            name,
            endpoint,
            tokens,
        })
    }

    /// The peer's short name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Where the peer listens.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The token source for calls to the peer.
    pub fn tokens(&self) -> TokenSource {
        self.tokens.clone()
    }

    /// A channel that connects on first use (and reconnects after failures).
    pub fn channel(&self) -> Channel {
        self.endpoint.connect_lazy()
    }

    /// `message` as a request carrying this service's bearer token.
    pub fn request<T>(&self, message: T) -> Result<tonic::Request<T>, ServiceError> {
        let mut request = tonic::Request::new(message);
        let value = format!("Bearer {}", (self.tokens)()?)
            .parse()
            .map_err(|_| ServiceError::Internal("service token is not valid metadata".into()))?;
        request.metadata_mut().insert("authorization", value);
        Ok(request)
    }
}

/// Tokens for calls to other services: the configured `fixed` one (what an
/// RS256 deployment must give), or a fresh one-hour `service` token for
/// `subject` issued with the HS256 secret at each use.
pub fn service_tokens(
    auth: Authenticator,
    subject: &'static str,
    fixed: Option<String>,
) -> TokenSource {
    Arc::new(move || match &fixed {
        Some(token) => Ok(token.clone()),
        None => auth
            .issue(subject, &[Role::Service], Duration::from_secs(3600))
            .map_err(|e| {
                ServiceError::Unauthenticated(format!("cannot issue a service token: {e}"))
            }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_url_that_is_not_a_url_names_its_flag() {
        let tokens: TokenSource = Arc::new(|| Ok("t".into()));
        let err = Peer::new("billing", "not a url", tokens).unwrap_err();
        assert!(err.to_string().starts_with("--billing-url"), "{err}");
    }
}
