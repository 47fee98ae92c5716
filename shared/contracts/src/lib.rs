//! Generated gRPC code for the medbill contracts in `proto/`, and the encoded
//! file descriptor set that server reflection serves. Nothing else lives here:
//! services convert these types into their own domain types at the handler.
#![allow(missing_docs, clippy::all, clippy::unwrap_used, clippy::expect_used)]

include!(concat!(env!("OUT_DIR"), "/medbill.rs"));

/// A generated gRPC server whose message size limits can be set; implemented
/// (by `build.rs`, from the descriptor set) for every medbill service's
/// server, so the platform's server assembly sizes each route the same way.
pub trait MessageLimits {
    /// The server with both its decoding and encoding limit set to `bytes`.
    fn with_message_limit(self, bytes: usize) -> Self;
}

include!(concat!(env!("OUT_DIR"), "/medbill_limits.rs"));

/// The encoded `FileDescriptorSet` of every medbill `.proto`, for reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/medbill_descriptor.bin"));
