//! The tower layer every medbill server runs each call through: the role
//! check (before any handler runs), a tracing span named by the RPC, and the
//! request metrics. One layer rather than three keeps the per-call cost to a
//! single boxed future.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use tonic::{Code, Status};
use tower::{Layer, Service};
use tracing::Instrument;

use crate::auth::{Authenticator, Decision, RolePolicy};
use crate::metrics::Metrics;

struct Shared {
    policy: RolePolicy,
    auth: Authenticator,
    metrics: Metrics,
}

/// Authenticates, authorizes, traces and measures every call.
#[derive(Clone)]
pub struct PlatformLayer {
    shared: Arc<Shared>,
}

impl PlatformLayer {
    /// A layer enforcing `policy` with tokens checked by `auth`.
    pub fn new(policy: RolePolicy, auth: Authenticator, metrics: Metrics) -> Self {
        PlatformLayer {
            shared: Arc::new(Shared {
                policy,
                auth,
                metrics,
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
        // The tower idiom: call the instance that was driven to ready.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let span = tracing::info_span!("rpc", rpc = %path);
            let response = inner.call(req).instrument(span).await?;
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
