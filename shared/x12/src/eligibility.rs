//! Eligibility (005010X279A1): the 270 inquiry we send before a visit and
//! the 271 response that says whether the member is covered and what the
//! visit will cost them (deductible, copay, coinsurance). Both are read and
//! written: billing writes the 270 and reads the 271, a payer (the payer
//! simulator) reads the 270 and writes the 271.

mod benefits;
mod inquiry;
mod inquiry_read;
mod read;
mod write;

pub use benefits::{
    Benefit, BenefitKind, CoverageReport, EligibilityResponse, EligibilityTrace, Rejection,
};
pub use inquiry::{
    DependentInquiry, EligibilityInquiry, InformationReceiver, SubscriberInquiry, write_270,
};
pub use inquiry_read::{Eligibility270Parser, read_270};
pub use read::{Eligibility271Parser, read_271};
pub use write::write_271;

/// GS08/ST03 of the 270 and 271.
pub const VERSION: &str = "005010X279A1";
