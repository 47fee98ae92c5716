//! Server assembly shared by the three services ([`ServiceBuilder`]): the
//! service's own gRPC servers plus grpc.health.v1, server reflection (v1 and
//! v1alpha, listing only this service's APIs) and the event feed, behind the
//! [`PlatformLayer`] (auth, deadline, tracing, metrics), with TCP no-delay;
//! the service's background tasks (event consumers); and a graceful shutdown
//! that marks health NOT_SERVING, ends feed streams, stops the tasks and lets
//! in-flight calls finish within the drain period.

use std::convert::Infallible;
use std::future::Future;

use futures::future::BoxFuture;
use medbill_contracts::medbill::common::v1::event_feed_server::EventFeedServer;
use medbill_contracts::{FILE_DESCRIPTOR_SET, MessageLimits};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::server::NamedService;
use tonic::service::Routes;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tower::Service;

use crate::auth::RolePolicy;
use crate::config::ServerSettings;
use crate::db::Database;
use crate::feed::EventFeedService;
use crate::layer::PlatformLayer;
use crate::metrics::Metrics;

/// The event feed's service name.
pub const EVENT_FEED: &str = "medbill.common.v1.EventFeed";

/// A background task of a service (an event consumer, a folder poller): it
/// runs while the service serves and must return soon after its stop
/// receiver turns true.
type Task = Box<dyn FnOnce(watch::Receiver<bool>) -> BoxFuture<'static, ()> + Send>;

/// Assembles one medbill service: its gRPC servers (each named by its
/// generated `NamedService::NAME` and sized by the message limit), its role
/// table, checked against the contracts before anything listens, and its
/// background tasks; then serves them with health, reflection (v1 and
/// v1alpha) and the event feed behind the [`PlatformLayer`].
pub struct ServiceBuilder {
    name: &'static str,
    policy: RolePolicy,
    settings: ServerSettings,
    routes: Routes,
    services: Vec<&'static str>,
    tasks: Vec<Task>,
}

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The role table does not cover the contracts exactly.
    #[error("role policy of {service} does not match its contracts:\n{}", gaps.join("\n"))]
    RolePolicy {
        /// The service.
        service: &'static str,
        /// One line per gap.
        gaps: Vec<String>,
    },
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

impl ServiceBuilder {
    /// A service called `name` ("coding", "billing", "payments": logs and
    /// metrics) whose RPCs `policy` guards.
    pub fn new(name: &'static str, policy: RolePolicy, settings: ServerSettings) -> Self {
        ServiceBuilder {
            name,
            policy,
            settings,
            routes: Routes::default(),
            services: Vec::new(),
            tasks: Vec::new(),
        }
    }

    /// Adds a generated gRPC server, with the configured message limit.
    pub fn add_service<S>(mut self, server: S) -> Self
    where
        S: MessageLimits
            + Service<
                http::Request<tonic::body::Body>,
                Response = http::Response<tonic::body::Body>,
                Error = Infallible,
            > + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        self.services.push(S::NAME);
        self.routes = self
            .routes
            .add_service(server.with_message_limit(self.settings.max_message_bytes));
        self
    }

    /// Runs `task` beside the server; it is told to stop at shutdown and
    /// awaited before [`ServiceBuilder::serve`] returns.
    pub fn task<F, Fut>(mut self, task: F) -> Self
    where
        F: FnOnce(watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.tasks.push(Box::new(move |stop| Box::pin(task(stop))));
        self
    }

    /// The full names of the gRPC services added so far (health and
    /// reflection report these, plus the event feed).
    pub fn services(&self) -> &[&'static str] {
        &self.services
    }

    /// The role table's gaps against the contracts of the added services
    /// (see [`policy_gaps`]); empty when every RPC has a rule and every rule
    /// an RPC.
    pub fn policy_gaps(&self) -> Vec<String> {
        policy_gaps(&self.policy, &self.services)
    }

    /// Serves on `listener` until `shutdown` completes, then drains. Refuses
    /// to start (before serving anything) when the role table has a gap.
    pub async fn serve(
        self,
        listener: TcpListener,
        db: Database,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let gaps = self.policy_gaps();
        if !gaps.is_empty() {
            return Err(ServeError::RolePolicy {
                service: self.name,
                gaps,
            });
        }
        let ServiceBuilder {
            name,
            policy,
            settings,
            routes,
            services,
            tasks,
        } = self;
        let metrics = Metrics::new(name);
        let (stop_tx, stop_rx) = watch::channel(false);

        let (health, health_service) = tonic_health::server::health_reporter();
        let mut v1 = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
            .with_service_name(EVENT_FEED);
        let mut v1alpha = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
            .with_service_name(EVENT_FEED);
        for service in &services {
            health
                .set_service_status(*service, ServingStatus::Serving)
                .await;
            v1 = v1.with_service_name(*service);
            v1alpha = v1alpha.with_service_name(*service);
        }
        health
            .set_service_status(EVENT_FEED, ServingStatus::Serving)
            .await;

        let feed = EventFeedServer::new(EventFeedService::new(db.clone(), stop_rx.clone()))
            .with_message_limit(settings.max_message_bytes);
        let routes = routes
            .add_service(feed)
            .add_service(health_service)
            .add_service(v1.build_v1()?)
            .add_service(v1alpha.build_v1alpha()?);

        if let Some(addr) = settings.metrics_listen {
            let metrics_listener = TcpListener::bind(addr).await.map_err(ServeError::Metrics)?;
            let mut stop = stop_rx.clone();
            tracing::info!(service = name, %addr, "metrics on /metrics");
            tokio::spawn(metrics.clone().serve(metrics_listener, async move {
                let _ = stop.wait_for(|s| *s).await;
            }));
        }
        let running: Vec<_> = tasks
            .into_iter()
            .map(|task| tokio::spawn(task(stop_rx.clone())))
            .collect();

        let addr = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        tracing::info!(service = name, %addr, "serving");
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let signal = {
            let health = health.clone();
            let services = services.clone();
            let stop_tx = stop_tx.clone();
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
        let result = tokio::select! {
            result = &mut server => result.map_err(ServeError::from),
            _ = async {
                let _ = stopping.wait_for(|s| *s).await;
                tokio::time::sleep(settings.drain).await;
            } => {
                tracing::warn!(service = name, "drain period over; dropping remaining calls");
                Ok(())
            }
        };
        // Background tasks stop with the server, also when it failed.
        let _ = stop_tx.send(true);
        for task in running {
            let _ = task.await;
        }
        tracing::info!(service = name, "stopped");
        result
    }
}

/// The full paths (`/package.Service/Method`) of every RPC of `service`, read
/// from the contracts' descriptor set; empty when the service is unknown.
pub fn rpc_paths(service: &str) -> Vec<String> {
    rpc_methods(service)
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

/// Every RPC of `service` as its full path and whether the server streams
/// its answer.
pub fn rpc_methods(service: &str) -> Vec<(String, bool)> {
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
                    paths.push((
                        format!("/{service}/{}", method.name()),
                        method.server_streaming(),
                    ));
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
