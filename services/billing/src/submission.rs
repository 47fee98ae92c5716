//! Submission: claims gathered into X12 837 batches with persisted control
//! numbers, dropped for the clearinghouse, the 999 and 277CA
//! acknowledgments that come back, and the dispatch of every inbound file
//! (999, 277CA, 271, 277) by its [`kind`].

pub mod acks;
pub mod adapter;
pub mod batch;
pub mod grpc;
pub mod inbound;
pub mod kind;
pub mod store;
pub mod x12map;
