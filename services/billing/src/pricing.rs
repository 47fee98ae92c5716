//! Prices: the hospital's charge master (gross price and revenue code of
//! each code and modifier) and payers' fee schedules (fixed, percentage of
//! the charge master price, or RVU × conversion factor), each versioned by
//! the date it takes effect, so a line is priced by what was in force on its
//! date of service.
//!
//! [`domain`] holds the pricing rule (one rounding rule, the kernel's; a
//! line nothing prices is held with its reason, never charged $0), [`store`]
//! the versions, [`grpc`] the registry RPCs that maintain them.

pub mod domain;
pub mod grpc;
pub mod store;
