# One image for all three services: `medbill serve coding|billing|payments`.
# Stage 1 builds the release binary; protoc is not needed (protox compiles the
# contracts in build.rs).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin medbill

# Stage 2: a small runtime with only the binary and CA certificates.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 medbill \
    && mkdir -p /var/lib/medbill/clearinghouse /var/lib/medbill/remittance \
    && chown -R medbill /var/lib/medbill
COPY --from=build /src/target/release/medbill /usr/local/bin/medbill
USER medbill
EXPOSE 50051 9090
ENTRYPOINT ["medbill"]
CMD ["--help"]
