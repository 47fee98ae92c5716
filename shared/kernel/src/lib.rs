//! Domain primitives shared by every medbill service, with no I/O: money in
//! cents, typed identifiers, calendar dates and UTC timestamps, and a
//! redacting wrapper for patient data.

pub mod date;
pub mod ids;
pub mod money;
pub mod npi;
pub mod redacted;
pub mod time;

pub use date::{CalendarDate, DateError};
pub use money::{Money, MoneyError};
pub use npi::{Npi, NpiError};
pub use redacted::Redacted;
pub use time::Timestamp;
