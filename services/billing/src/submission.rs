//! Submission: claims gathered into X12 837 batches with persisted control
//! numbers, dropped for the clearinghouse, and the 999 and 277CA
//! acknowledgments that come back.

pub mod acks;
pub mod adapter;
pub mod batch;
pub mod grpc;
pub mod inbound;
pub mod store;
pub mod x12map;
