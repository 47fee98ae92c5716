//! What the 276 and 277 share: the payer, receiver and provider levels
//! (HL 20, 21, 19), written the same way and read by one small state
//! machine, and the checks on their identifiers.

use crate::claim::{Payer, Receiver, check_npi};
use crate::eligibility::InformationReceiver;
use crate::error::{ErrorKind, WriteError, X12Error};
use crate::segment::Segment;
use crate::status::StatusParties;
use crate::write::{El, SegmentWriter};

/// The HL level a segment of a 276 or 277 belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// Before the first HL.
    Header,
    /// HL 20.
    Payer,
    /// HL 21.
    Receiver,
    /// HL 19.
    Provider,
    /// HL 22.
    Subscriber,
    /// HL 23.
    Dependent,
}

impl Level {
    /// Reads HL03; a subscriber or dependent level needs the provider
    /// level before it.
    pub(crate) fn from_hl(seg: &Segment<'_>, parties: &PartyReader) -> Result<Self, X12Error> {
        let level = match seg.req(3)? {
            "20" => Self::Payer,
            "21" => Self::Receiver,
            "19" => Self::Provider,
            "22" => Self::Subscriber,
            "23" => Self::Dependent,
            other => return Err(seg.invalid(3, other, "20, 21, 19, 22 or 23")),
        };
        if matches!(level, Self::Subscriber | Self::Dependent) && parties.provider.is_none() {
            return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                "a member level before the provider (HL*19) level",
            )));
        }
        Ok(level)
    }
}

/// Collects the NM1 of the payer, receiver and provider levels.
#[derive(Debug, Default)]
pub(crate) struct PartyReader {
    payer: Option<Payer>,
    receiver: Option<Receiver>,
    pub(crate) provider: Option<InformationReceiver>,
}

impl PartyReader {
    /// Takes an NM1 of one of the three party levels.
    pub(crate) fn nm1(&mut self, level: Level, seg: &Segment<'_>) -> Result<(), X12Error> {
        let (role, qualifier) = match level {
            Level::Payer => ("PR", "PI"),
            Level::Receiver => ("41", "46"),
            Level::Provider => ("1P", "XX"),
            Level::Header | Level::Subscriber | Level::Dependent => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment("NM1 out of place")));
            }
        };
        if seg.req(1)? != role {
            return Err(seg.invalid(1, seg.element(1), role_name(role)));
        }
        if seg.req(8)? != qualifier {
            return Err(seg.invalid(8, seg.element(8), qualifier_name(qualifier)));
        }
        let (name, id) = (seg.req(3)?.to_owned(), seg.req(9)?.to_owned());
        match level {
            Level::Payer => self.payer = Some(Payer { name, id }),
            Level::Receiver => self.receiver = Some(Receiver { name, id }),
            _ => self.provider = Some(InformationReceiver { name, npi: id }),
        }
        Ok(())
    }

    /// The three parties, or the first one missing (named at the SE).
    pub(crate) fn finish(self, se: &Segment<'_>) -> Result<StatusParties, X12Error> {
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        Ok(StatusParties {
            payer: self.payer.ok_or_else(|| missing("NM1*PR payer (HL*20)"))?,
            receiver: self
                .receiver
                .ok_or_else(|| missing("NM1*41 information receiver (HL*21)"))?,
            provider: self
                .provider
                .ok_or_else(|| missing("NM1*1P provider (HL*19)"))?,
        })
    }
}

fn role_name(role: &str) -> &'static str {
    match role {
        "PR" => "PR (payer)",
        "41" => "41 (information receiver)",
        _ => "1P (provider)",
    }
}

fn qualifier_name(qualifier: &str) -> &'static str {
    match qualifier {
        "PI" => "PI (payer identification)",
        "46" => "46 (electronic transmitter identification number)",
        _ => "XX (NPI)",
    }
}

/// Checks the parties' identifiers.
pub(crate) fn check_parties(path: &str, p: &StatusParties) -> Result<(), WriteError> {
    let err = |field: &str, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    if p.payer.name.is_empty() || p.payer.id.is_empty() {
        return err("parties.payer", "name and id are required");
    }
    if p.receiver.name.is_empty() || p.receiver.id.is_empty() {
        return err("parties.receiver", "name and id are required");
    }
    if p.provider.name.is_empty() {
        return err("parties.provider.name", "required");
    }
    check_npi(&format!("{path}.parties.provider.npi"), &p.provider.npi)
}

/// HL 1 (20), 2 (21) and 3 (19) with their NM1s, `after` adding what
/// follows a level's NM1 (the 277's 2200B/2200C trace and statuses); the
/// member levels number on from 4 under HL 3.
pub(crate) fn write_parties(
    w: &mut SegmentWriter,
    p: &StatusParties,
    mut after: impl FnMut(&mut SegmentWriter, Level) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let organization = |w: &mut SegmentWriter, role, name: &str, qualifier, id: &str| {
        w.seg(
            "NM1",
            &[
                El::S(role),
                El::S("2"),
                El::S(name),
                El::S(""),
                El::S(""),
                El::S(""),
                El::S(""),
                El::S(qualifier),
                El::S(id),
            ],
        )
    };
    w.seg("HL", &[El::S("1"), El::S(""), El::S("20"), El::S("1")])?;
    organization(w, "PR", &p.payer.name, "PI", &p.payer.id)?;
    after(w, Level::Payer)?;
    w.seg("HL", &[El::S("2"), El::S("1"), El::S("21"), El::S("1")])?;
    organization(w, "41", &p.receiver.name, "46", &p.receiver.id)?;
    after(w, Level::Receiver)?;
    w.seg("HL", &[El::S("3"), El::S("2"), El::S("19"), El::S("1")])?;
    organization(w, "1P", &p.provider.name, "XX", &p.provider.npi)?;
    after(w, Level::Provider)
}
