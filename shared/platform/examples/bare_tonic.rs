//! A bare tonic server: `grpc.health.v1.Health` and nothing else — no
//! authentication, no platform layer, no metrics, no tracing, no database.
//! The ceiling the `medbill load` figures read against: the same load tool,
//! the same machine, the same tonic and tokio, with none of medbill's work.
//!
//! ```sh
//! cargo run --release -p medbill-platform --example bare_tonic -- 127.0.0.1:50199
//! medbill load --scenario health --coding http://127.0.0.1:50199
//! ```
//!
//! It runs until killed.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:50199".to_string());
    let addr: std::net::SocketAddr = listen.parse()?;
    let (_reporter, health) = tonic_health::server::health_reporter();
    println!("bare tonic health server on {addr}");
    tonic::transport::Server::builder()
        .add_service(health)
        .serve(addr)
        .await?;
    Ok(())
}
