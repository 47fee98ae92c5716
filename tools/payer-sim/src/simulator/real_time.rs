//! A 270 sent in real time rather than dropped in the folder: answered
//! with the 271 the folder mode would write for it, and recorded the same
//! way (under the name the caller gives it), but handed back instead of
//! written into billing's inbound folder.

use medbill_kernel::CalendarDate;

use super::{Simulator, functional_id};
use crate::files::digest;
use crate::record::ReceivedFile;
use crate::scan::scan;

/// Why a real-time 270 was not answered.
#[derive(Debug, thiserror::Error)]
pub enum RealTimeError {
    /// The payload cannot be answered (not a 270, or one that does not
    /// read); the text says why. Nothing was recorded.
    #[error("{0}")]
    Refused(String),
    /// The record could not be saved; nothing of the answer counts.
    #[error(transparent)]
    Sim(#[from] crate::SimError),
}

impl Simulator {
    /// Answers the 270 interchange `bytes`, received as `name` on `today`,
    /// with the 271 [`Simulator::process_dir`] would write for it; the
    /// record notes it as a file taken, so a restart carries on from it.
    pub fn answer_real_time(
        &mut self,
        name: &str,
        bytes: &[u8],
        today: CalendarDate,
    ) -> Result<Vec<u8>, RealTimeError> {
        let interchanges = scan(bytes);
        if interchanges.is_empty() {
            return Err(RealTimeError::Refused(
                "not an X12 interchange: no readable ISA".into(),
            ));
        }
        let group = functional_id(&interchanges).map_err(RealTimeError::Refused)?;
        if group != "HS" {
            return Err(RealTimeError::Refused(format!(
                "functional group {group}: only a 270 (HS) is answered in real time"
            )));
        }
        let before = self.record.clone();
        let answered = self.answer(bytes, today).and_then(|answer| {
            answer
                .outputs
                .into_iter()
                .next()
                .ok_or_else(|| "the 270 was answered with nothing".to_string())
        });
        let output = match answered {
            Ok(output) => output,
            Err(reason) => {
                self.record = before;
                return Err(RealTimeError::Refused(reason));
            }
        };
        self.record.files.push(ReceivedFile {
            name: name.to_string(),
            digest: digest(bytes),
            kind: "270".into(),
            received_on: today,
            answers: vec![output.name],
        });
        if let Err(e) = self.record.save(&self.work_dir) {
            self.record = before;
            return Err(e.into());
        }
        Ok(output.content)
    }
}
