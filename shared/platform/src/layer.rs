//! The tower layer every medbill server runs each call through: the role
//! check (before any handler runs), the request deadline, a tracing span
//! named by the RPC, and the request metrics. One layer rather than four
//! keeps the per-call cost to a single boxed future.
//!
//! The deadline is the shorter of the server's limit and the client's
//! `grpc-timeout`; a call that runs past it answers `DEADLINE_EXCEEDED` (the
//! code clients retry on), where tonic's own server timeout would say
//! `CANCELLED`. It bounds the time to the response headers, so an open stream
//! is not cut.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tonic::{Code, Status};
use tower::{Layer, Service};
use tracing::Instrument;

use crate::auth::{Authenticator, Decision, RolePolicy};
use crate::metrics::Metrics;

struct Shared {
    policy: RolePolicy,
    auth: Authenticator,
    metrics: Metrics,
    deadline: Duration,
}

/// Authenticates, authorizes, traces and measures every call.
#[derive(Clone)]
pub struct PlatformLayer {
    shared: Arc<Shared>,
}

impl PlatformLayer {
    /// A layer enforcing `policy` with tokens checked by `auth`, and
    /// `deadline` as the longest a call may take to answer.
    pub fn new(
        policy: RolePolicy,
        auth: Authenticator,
        metrics: Metrics,
        deadline: Duration,
    ) -> Self {
        PlatformLayer {
            shared: Arc::new(Shared {
                policy,
                auth,
                metrics,
                deadline,
            }),
        }
    }
}

impl<S> Layer<S> for PlatformLayer {
    type Service = PlatformService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PlatformService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service [`PlatformLayer`] wraps around the routes.
#[derive(Clone)]
pub struct PlatformService<S> {
    inner: S,
    shared: Arc<Shared>,
}

type BoxFuture<T> = Pin<Box<dyn std::future::Future<Output = T> + Send>>;

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for PlatformService<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<ReqBody>) -> Self::Future {
        let start = Instant::now();
        let shared = self.shared.clone();
        let path = req.uri().path().to_owned();
        let header = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let refusal = match shared.policy.decide(&shared.auth, &path, header) {
            Decision::Allow(principal) => {
                if let Some(principal) = principal {
                    req.extensions_mut().insert(principal);
                }
                None
            }
            Decision::Unauthenticated(e) => Some(Status::unauthenticated(e.to_string())),
            Decision::Denied(message) => Some(Status::permission_denied(message)),
        };
        if let Some(status) = refusal {
            tracing::info!(rpc = %path, code = ?status.code(), "call refused");
            shared.metrics.record(&path, status.code(), start.elapsed());
            return Box::pin(std::future::ready(Ok(status.into_http())));
        }
        let deadline = req
            .headers()
            .get("grpc-timeout")
            .and_then(|v| parse_grpc_timeout(v.as_bytes()))
            .map_or(shared.deadline, |client| client.min(shared.deadline));
        // The tower idiom: call the instance that was driven to ready.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let span = tracing::info_span!("rpc", rpc = %path);
            let response =
                match tokio::time::timeout(deadline, inner.call(req).instrument(span)).await {
                    Ok(response) => response?,
                    Err(_) => {
                        let status = Status::deadline_exceeded(format!(
                            "no answer within the {deadline:?} deadline"
                        ));
                        shared.metrics.record(&path, status.code(), start.elapsed());
                        return Ok(status.into_http());
                    }
                };
            // Errors are "trailers-only" responses with grpc-status in the
            // headers; a success carries its status in the trailers.
            let code = response
                .headers()
                .get("grpc-status")
                .map(|v| Code::from_bytes(v.as_bytes()))
                .unwrap_or(Code::Ok);
            shared.metrics.record(&path, code, start.elapsed());
            Ok(response)
        })
    }
}

/// Parses a `grpc-timeout` header: up to 8 digits and a unit
/// (`H`, `M`, `S`, `m`, `u`, `n`).
fn parse_grpc_timeout(value: &[u8]) -> Option<Duration> {
    let (unit, digits) = value.split_last()?;
    if digits.is_empty() || digits.len() > 8 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(match unit {
        b'H' => Duration::from_secs(n * 3600),
        b'M' => Duration::from_secs(n * 60),
        b'S' => Duration::from_secs(n),
        b'm' => Duration::from_millis(n),
        b'u' => Duration::from_micros(n),
        b'n' => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_headers_parse_in_every_unit() {
        assert_eq!(parse_grpc_timeout(b"2S"), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_grpc_timeout(b"150m"),
            Some(Duration::from_millis(150))
        );
        assert_eq!(parse_grpc_timeout(b"1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout(b"5n"), Some(Duration::from_nanos(5)));
        assert_eq!(parse_grpc_timeout(b"S"), None);
        assert_eq!(parse_grpc_timeout(b"123456789S"), None);
        assert_eq!(parse_grpc_timeout(b"10x"), None);
    }
}
