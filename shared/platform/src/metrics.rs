//! Prometheus metrics per service: request counts by RPC and status code, and
//! latency histograms by RPC, served as text on `GET /metrics` from a small
//! HTTP/1 listener of its own ([`crate::http::serve`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    rpc: String,
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RpcLabels {
    rpc: String,
}

/// The metrics of one service.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    calls: Family<CallLabels, Counter>,
    latency: Family<RpcLabels, Histogram>,
}

impl Metrics {
    /// A registry whose metric names carry the service's name as a prefix
    /// label (`service="coding"`).
    pub fn new(service: &str) -> Self {
        let mut registry = Registry::with_prefix_and_labels(
            "medbill",
            [(
                std::borrow::Cow::Borrowed("service"),
                std::borrow::Cow::Owned(service.to_string()),
            )]
            .into_iter(),
        );
        let calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "grpc_requests",
            "gRPC requests handled, by RPC path and status code",
            calls.clone(),
        );
        // Latency buckets from 50 µs to ~1.6 s, doubling.
        let latency = Family::<RpcLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
        });
        registry.register(
            "grpc_request_duration_seconds",
            "Time from request to response headers, by RPC path",
            latency.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            calls,
            latency,
        }
    }

    /// Records one finished call.
    pub fn record(&self, rpc: &str, code: tonic::Code, elapsed: Duration) {
        self.calls
            .get_or_create(&CallLabels {
                rpc: rpc.to_string(),
                code: code_name(code),
            })
            .inc();
        self.latency
            .get_or_create(&RpcLabels {
                rpc: rpc.to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// The metrics in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Serves `GET /metrics` on `listener` until `shutdown` completes.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) {
        let handler = move |req: Request<Bytes>| {
            let metrics = self.clone();
            async move { metrics.respond(req.uri().path()) }
        };
        crate::http::serve(listener, "metrics", 64 * 1024, handler, shutdown).await;
    }

    fn respond(&self, path: &str) -> Response<Full<Bytes>> {
        let (status, body) = if path == "/metrics" {
            (StatusCode::OK, self.encode())
        } else {
            (StatusCode::NOT_FOUND, "try /metrics\n".to_string())
        };
        crate::http::respond(status, "text/plain; version=0.0.4", body)
    }
}

/// The canonical upper-case name of a gRPC code.
pub fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code::*;
    match code {
        Ok => "OK",
        Cancelled => "CANCELLED",
        Unknown => "UNKNOWN",
        InvalidArgument => "INVALID_ARGUMENT",
        DeadlineExceeded => "DEADLINE_EXCEEDED",
        NotFound => "NOT_FOUND",
        AlreadyExists => "ALREADY_EXISTS",
        PermissionDenied => "PERMISSION_DENIED",
        ResourceExhausted => "RESOURCE_EXHAUSTED",
        FailedPrecondition => "FAILED_PRECONDITION",
        Aborted => "ABORTED",
        OutOfRange => "OUT_OF_RANGE",
        Unimplemented => "UNIMPLEMENTED",
        Internal => "INTERNAL",
        Unavailable => "UNAVAILABLE",
        DataLoss => "DATA_LOSS",
        Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_calls_appear_in_the_text_format() {
        let metrics = Metrics::new("coding");
        metrics.record("/p.S/M", tonic::Code::Ok, Duration::from_micros(120));
        metrics.record(
            "/p.S/M",
            tonic::Code::PermissionDenied,
            Duration::from_micros(80),
        );
        let text = metrics.encode();
        assert!(
            text.contains(
                r#"medbill_grpc_requests_total{service="coding",rpc="/p.S/M",code="OK"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"code="PERMISSION_DENIED"} 1"#), "{text}");
        assert!(
            text.contains("medbill_grpc_request_duration_seconds_count"),
            "{text}"
        );
    }
}
