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

/// Another medbill service this one calls or follows: one address, or
/// several instances of it (calls are spread over them round-robin; a feed
/// is followed from whichever answers).
#[derive(Clone)]
pub struct Peer {
    name: &'static str,
    endpoints: Vec<Endpoint>,
    tokens: TokenSource,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("name", &self.name)
            .field(
                "uris",
                &self.endpoints.iter().map(Endpoint::uri).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Peer {
    /// The peer `name` ("billing", …) at `url` — or at each of a
    /// comma-separated list of URLs, the instances of a scaled-out service —
    /// called with tokens from `tokens`. A URL that is not a valid gRPC
    /// endpoint is refused, naming the flag it came from (`--{name}-url`).
    pub fn new(name: &'static str, url: &str, tokens: TokenSource) -> Result<Peer, ConfigError> {
        let endpoints = url
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| {
                Endpoint::from_shared(u.to_string())
                    .map(|e| e.connect_timeout(Duration::from_secs(5)))
                    .map_err(|e| {
                        ConfigError::Invalid(format!("--{name}-url {u:?} is not a URL: {e}"))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if endpoints.is_empty() {
            return Err(ConfigError::Invalid(format!("--{name}-url is empty")));
        }
        Ok(Peer {
            name,
            endpoints,
            tokens,
        })
    }

    /// The peer's short name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Where the peer listens (its first instance).
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoints[0]
    }

    /// Every instance of the peer, in the order given.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// The token source for calls to the peer.
    pub fn tokens(&self) -> TokenSource {
        self.tokens.clone()
    }

    /// A channel that connects on first use (and reconnects after
    /// failures); over several instances, calls go round-robin to those
    /// that are up.
    pub fn channel(&self) -> Channel {
        match self.endpoints.as_slice() {
            [one] => one.connect_lazy(),
            many => Channel::balance_list(many.iter().cloned()),
        }
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
        let err = Peer::new("billing", "not a url", tokens.clone()).unwrap_err();
        assert!(err.to_string().starts_with("--billing-url"), "{err}");
        let err = Peer::new("billing", "http://a:1, not a url", tokens.clone()).unwrap_err();
        assert!(err.to_string().contains("\"not a url\""), "{err}");
        let err = Peer::new("billing", " , ", tokens).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn a_comma_separated_url_is_one_peer_with_each_instance() {
        let tokens: TokenSource = Arc::new(|| Ok("t".into()));
        let peer = Peer::new(
            "billing",
            "http://10.0.0.1:50051, http://10.0.0.2:50051",
            tokens,
        )
        .unwrap();
        let uris: Vec<String> = peer
            .endpoints()
            .iter()
            .map(|e| e.uri().to_string())
            .collect();
        assert_eq!(uris, ["http://10.0.0.1:50051/", "http://10.0.0.2:50051/"]);
        assert_eq!(peer.endpoint().uri().to_string(), "http://10.0.0.1:50051/");
    }
}
