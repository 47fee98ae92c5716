//! Server bootstrap shared by the three services: the service's routes plus
//! grpc.health.v1, server reflection (listing only this service's APIs) and
//! the event feed, behind the [`PlatformLayer`] (auth, deadline, tracing,
//! metrics), with TCP no-delay, and a graceful shutdown that marks health NOT_SERVING, ends feed
//! streams, and lets in-flight calls finish within the drain period.

use std::future::Future;

use medbill_contracts::FILE_DESCRIPTOR_SET;
use medbill_contracts::medbill::common::v1::event_feed_server::EventFeedServer;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::service::Routes;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;

use crate::auth::RolePolicy;
use crate::config::ServerSettings;
use crate::db::Database;
use crate::feed::EventFeedService;
use crate::layer::PlatformLayer;
use crate::metrics::Metrics;

/// The event feed's service name.
pub const EVENT_FEED: &str = "medbill.common.v1.EventFeed";

/// What a service hands the bootstrap.
pub struct ServiceHost {
    /// Short name for logs and metrics: "coding", "billing", "payments".
    pub name: &'static str,
    /// Full names of the gRPC services in `routes` (health and reflection
    /// report exactly these, plus the event feed).
    pub services: Vec<&'static str>,
    /// Who may call what.
    pub policy: RolePolicy,
    /// The service's own gRPC services.
    pub routes: Routes,
}

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The gRPC server failed.
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// Reflection could not load the descriptor set.
    #[error("reflection setup failed: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The metrics listener could not bind.
    #[error("cannot listen for metrics: {0}")]
    Metrics(std::io::Error),
}

/// Applies the configured message size limits to a generated server.
#[macro_export]
macro_rules! limits {
    ($server:expr, $settings:expr) => {
        $server
            .max_decoding_message_size($settings.max_message_bytes)
            .max_encoding_message_size($settings.max_message_bytes)
    };
}

/// Serves `host` on `listener` until `shutdown` completes, then drains.
pub async fn run(
    host: ServiceHost,
    listener: TcpListener,
    db: Database,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let ServiceHost {
        name,
        services,
        policy,
        routes,
    } = host;
    let metrics = Metrics::new(name);
    let (stop_tx, stop_rx) = watch::channel(false);

    let (health, health_service) = tonic_health::server::health_reporter();
    let mut reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
        .with_service_name(EVENT_FEED);
    for service in &services {
        health
            .set_service_status(*service, ServingStatus::Serving)
            .await;
        reflection = reflection.with_service_name(*service);
    }
    health
        .set_service_status(EVENT_FEED, ServingStatus::Serving)
        .await;
    let reflection = reflection.build_v1()?;

    let feed = limits!(
        EventFeedServer::new(EventFeedService::new(db.clone(), stop_rx.clone())),
        settings
    );
    let routes = routes
        .add_service(feed)
        .add_service(health_service)
        .add_service(reflection);

    if let Some(addr) = settings.metrics_listen {
        let metrics_listener = TcpListener::bind(addr).await.map_err(ServeError::Metrics)?;
        let mut stop = stop_rx.clone();
        tracing::info!(service = name, %addr, "metrics on /metrics");
        tokio::spawn(metrics.clone().serve(metrics_listener, async move {
            let _ = stop.wait_for(|s| *s).await;
        }));
    }

    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(service = name, %addr, "serving");
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let signal = {
        let health = health.clone();
        let services = services.clone();
        async move {
            shutdown.await;
            tracing::info!(service = name, "shutting down: draining in-flight calls");
            for service in &services {
                health
                    .set_service_status(*service, ServingStatus::NotServing)
                    .await;
            }
            let _ = stop_tx.send(true);
        }
    };
    let server = Server::builder()
        .layer(PlatformLayer::new(
            policy,
            settings.auth.clone(),
            metrics,
            settings.request_timeout,
        ))
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, signal);
    tokio::pin!(server);
    let mut stopping = stop_rx.clone();
    tokio::select! {
        result = &mut server => result?,
        _ = async {
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(settings.drain).await;
        } => {
            tracing::warn!(service = name, "drain period over; dropping remaining calls");
        }
    }
    tracing::info!(service = name, "stopped");
    Ok(())
}

/// The full paths (`/package.Service/Method`) of every RPC of `service`, read
/// from the contracts' descriptor set; empty when the service is unknown.
pub fn rpc_paths(service: &str) -> Vec<String> {
    use prost::Message;
    let Ok(set) = prost_types::FileDescriptorSet::decode(FILE_DESCRIPTOR_SET) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    for file in &set.file {
        let package = file.package();
        for svc in &file.service {
            if format!("{package}.{}", svc.name()) == service {
                for method in &svc.method {
                    paths.push(format!("/{service}/{}", method.name()));
                }
            }
        }
    }
    paths
}

/// Checks a role table against the contracts: every RPC of `services` (and
/// the event feed) has a rule, and every rule names a real RPC. Returns the
/// problems, one per line; empty when the table is complete.
pub fn policy_gaps(policy: &RolePolicy, services: &[&str]) -> Vec<String> {
    let mut known = rpc_paths(EVENT_FEED);
    for service in services {
        known.extend(rpc_paths(service));
    }
    let mut gaps: Vec<String> = known
        .iter()
        .filter(|path| policy.roles_for(path).is_none())
        .map(|path| format!("no role may call {path}"))
        .collect();
    gaps.extend(
        policy
            .paths()
            .filter(|path| !known.iter().any(|k| k == path))
            .map(|path| format!("rule for unknown RPC {path}")),
    );
    gaps.sort();
    gaps
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
