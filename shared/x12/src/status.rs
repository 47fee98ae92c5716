//! Claim status (005010X212): the 276 inquiry we send to ask where a
//! claim stands and the 277 response the payer sends back, one STC per
//! status with its category (`A` acknowledged, `P` pending, `F` finalized,
//! `R` more information requested, `E` error), amounts and dates.
//!
//! Both share the hierarchy HL 20 payer, 21 information receiver (us),
//! 19 provider, 22 subscriber and, when the patient is not the
//! subscriber, 23 dependent; each claim sits in its own subscriber (and
//! dependent) level and is matched to its question by the TRN trace.

mod inquiry;
mod inquiry_read;
mod levels;
mod response;
mod response_read;
mod response_write;

use serde::Serialize;

use crate::values::Date;

pub use inquiry::{
    ClaimStatusInquiry, ClaimStatusRequest, StatusDependent, StatusSubscriber, write_276,
};
pub use inquiry_read::{StatusInquiry276Parser, read_276};
pub use response::{
    CategoryClass, ClaimStatusResponse, ClaimStatusResult, LevelStatus, LineStatus, StatusCode,
    StatusDetail,
};
pub use response_read::{StatusResponse277Parser, read_277};
pub use response_write::write_277;

/// GS08/ST03 of the 276 and 277.
pub const VERSION: &str = "005010X212";

/// The three parties above the claims in a 276 and a 277.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusParties {
    /// Loop 2100A: the payer (NM1*PR, NM108 `PI`).
    pub payer: crate::claim::Payer,
    /// Loop 2100B: the information receiver, i.e. whoever asks (NM1*41,
    /// NM108 `46` electronic transmitter id).
    pub receiver: crate::claim::Receiver,
    /// Loop 2100C: the provider of service (NM1*1P, NM108 `XX` NPI).
    pub provider: crate::eligibility::InformationReceiver,
}

/// DTP*472: the claim's (or line's) service date or period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ServicePeriod {
    /// The first (or only) day.
    pub from: Date,
    /// The last day of a period (`RD8`); `None` for a single day (`D8`).
    pub to: Option<Date>,
}

impl ServicePeriod {
    /// The DTP*472 form.
    pub(crate) fn to_date_ref(self) -> crate::common::DateRef {
        crate::common::DateRef {
            qualifier: "472".into(),
            date: self.from,
            end: self.to,
        }
    }

    /// Reads a DTP*472.
    pub(crate) fn from_dtp(
        seg: &crate::segment::Segment<'_>,
    ) -> Result<Self, crate::error::X12Error> {
        let d = crate::common::DateRef::from_dtp(seg)?;
        Ok(Self {
            from: d.date,
            to: d.end,
        })
    }
}
