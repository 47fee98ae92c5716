//! What answering one file needs: the configuration, the seed, the record
//! to read and change, and the day the simulator takes as today; and what
//! an answer is (a file name and its bytes).

use medbill_kernel::CalendarDate;

use crate::config::SimConfig;
use crate::record::Record;

/// The simulator's state while it answers one file or adjudicates one day.
#[derive(Debug)]
pub(crate) struct Desk<'a> {
    pub(crate) config: &'a SimConfig,
    pub(crate) seed: u64,
    pub(crate) record: &'a mut Record,
    pub(crate) today: CalendarDate,
}

/// A file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Output {
    pub(crate) name: String,
    pub(crate) content: Vec<u8>,
}
