//! Domain primitives shared by every medbill service, with no I/O: money in
//! cents, typed identifiers, medical code newtypes, calendar dates, date
//! ranges and UTC timestamps, and a redacting wrapper for patient data.

pub mod codes;
pub mod date;
pub mod ids;
pub mod money;
pub mod npi;
pub mod redacted;
pub mod time;

pub use codes::{CodeError, IcdCm, IcdPcs, Modifier, ProcedureCode, display_icd};
pub use date::{CalendarDate, DateError, DateRange};
pub use ids::{
    AccountId, ClaimId, DenialId, EncounterId, PatientId, PayerId, RemittanceId, TypedId,
};
pub use money::{Money, MoneyError};
pub use npi::{Npi, NpiError};
pub use redacted::Redacted;
pub use time::Timestamp;
