//! Eligibility: `CheckEligibility` writes a 270 for a coverage and a date of
//! service ([`inquiry`]) and stores it as a pending inquiry ([`store`]).
//! With a real-time endpoint configured the 270 is posted in a CAQH CORE
//! envelope and the 271 that comes back is recorded and returned in the
//! same call ([`real_time`]); otherwise it goes through the clearinghouse
//! folder, and the 271 that answers it arrives in the folder's `inbound/`
//! (or through `IngestAcknowledgment`) and is recorded on the inquiry it
//! echoes the trace of ([`answer`]). `GetEligibility` reads it; the
//! scrubber holds a claim whose coverage the latest 271 says is inactive on
//! its date of service. [`rpc`] serves both RPCs.

pub mod answer;
pub mod inquiry;
pub mod real_time;
pub mod rpc;
pub mod store;
