//! Generated gRPC code for the medbill contracts in `proto/`, and the encoded
//! file descriptor set that server reflection serves. Nothing else lives here:
//! services convert these types into their own domain types at the handler.
#![allow(missing_docs, clippy::all, clippy::unwrap_used, clippy::expect_used)]

include!(concat!(env!("OUT_DIR"), "/medbill.rs"));

/// The encoded `FileDescriptorSet` of every medbill `.proto`, for reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/medbill_descriptor.bin"));
