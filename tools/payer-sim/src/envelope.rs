//! The envelopes of what the simulator writes: its own sender id, the
//! receiver an answer goes back to, a control number from the record and
//! the configured time, so no byte depends on the wall clock.

use medbill_kernel::CalendarDate;
use medbill_x12::envelope::Usage;
use medbill_x12::write::InterchangeParams;
use medbill_x12::{Date, Delimiters};

use crate::record::ReturnAddress;

/// Interchange parameters for a file from `sender` to `to`.
pub(crate) fn params(
    sender: &str,
    to: &ReturnAddress,
    control: u32,
    today: CalendarDate,
    time: &str,
) -> InterchangeParams {
    InterchangeParams {
        sender_qualifier: "ZZ".into(),
        sender_id: sender.into(),
        receiver_qualifier: to.qualifier.clone(),
        receiver_id: to.id.clone(),
        control_number: control,
        group_control_number: control,
        date: Date::from(today),
        time: time.into(),
        usage: if to.test {
            Usage::Test
        } else {
            Usage::Production
        },
        acknowledgment_requested: false,
        delimiters: Delimiters::default(),
        line_breaks: true,
    }
}

/// The name of an output file: its interchange control number first, so
/// names sort in the order the files were written.
pub(crate) fn file_name(control: u32, kind: &str, extension: &str) -> String {
    format!("{control:09}-{kind}.{extension}")
}
