//! Claims payments knows of: billing's `ClaimSubmitted` and `ClaimVoided`
//! events, applied exactly once (the platform consumer keeps the cursor and
//! event ids in this database, in the same transaction as the effect). A
//! submitted claim is stored with its lines, guarantor account and payer,
//! and opens its receivable on the ledger (insurance AR debited, revenue
//! credited, per line); a void closes what insurance still owes with a
//! reversing entry.
//!
//! The feed handler translates events ([`feed`]), the domain decides
//! ([`domain`]), the store persists ([`store`]).

pub mod domain;
pub mod feed;
pub mod store;
