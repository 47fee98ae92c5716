//! What the billing service tests share: `medbill_billing::testing`.
#![allow(dead_code, unused_imports)]

pub use medbill_billing::testing::*;
