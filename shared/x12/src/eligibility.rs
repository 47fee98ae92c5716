//! Eligibility (005010X279A1): the 270 inquiry we send before a visit and
//! the 271 response that says whether the member is covered and what the
//! visit will cost them (deductible, copay, coinsurance).

mod benefits;
mod inquiry;
mod read;

pub use benefits::{
    Benefit, BenefitKind, CoverageReport, EligibilityResponse, EligibilityTrace, Rejection,
};
pub use inquiry::{EligibilityInquiry, InformationReceiver, SubscriberInquiry, write_270};
pub use read::{Eligibility271Parser, read_271};

/// GS08/ST03 of the 270 and 271.
pub const VERSION: &str = "005010X279A1";
