//! Follow-up of unpaid claims: a claim sent and not adjudicated within its
//! payer's `follow_up_days` joins the follow-up queue ([`inquiry::queue`],
//! `ListFollowUps`); `SendStatusInquiries` asks the payer where the
//! queue's claims (or named ones) stand in a 276 dropped in the
//! clearinghouse folder ([`inquiry`]); the 277 that answers is recorded on
//! each claim and moves a claim the payer cannot find back to REJECTED
//! ([`status`]). [`rpc`] serves both RPCs; [`store`] persists.

pub mod inquiry;
pub mod rpc;
pub mod status;
pub mod store;
