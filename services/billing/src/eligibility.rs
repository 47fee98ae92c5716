//! Eligibility: `CheckEligibility` sends a 270 for a coverage and a date of
//! service through the clearinghouse folder ([`inquiry`]) and stores it as
//! a pending inquiry ([`store`]); the 271 that answers it arrives in the
//! folder's `inbound/` (or through `IngestAcknowledgment`) and is recorded
//! on the inquiry it echoes the trace of ([`answer`]). `GetEligibility`
//! reads it; the scrubber holds a claim whose coverage the latest 271 says
//! is inactive on its date of service. [`rpc`] serves both RPCs.

pub mod answer;
pub mod inquiry;
pub mod rpc;
pub mod store;
