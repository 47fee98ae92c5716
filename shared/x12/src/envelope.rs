//! Interchange (ISA/IEA), functional group (GS/GE) and transaction set
//! (ST/SE) envelopes: their headers and the checks on their trailers
//! (counts and matching control numbers).

use serde::Serialize;

use crate::error::{ErrorKind, Location, X12Error};
use crate::segment::{Segment, SegmentId};
use crate::values::Date;

/// ISA15: whether an interchange is test or production data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    /// `T`.
    Test,
    /// `P`.
    Production,
    /// `I` (information; 999 only).
    Information,
}

impl Usage {
    /// The ISA15 code.
    pub fn code(self) -> &'static str {
        match self {
            Usage::Test => "T",
            Usage::Production => "P",
            Usage::Information => "I",
        }
    }
}

/// What an ISA header says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterchangeHeader {
    /// ISA05.
    pub sender_qualifier: String,
    /// ISA06, trimmed.
    pub sender_id: String,
    /// ISA07.
    pub receiver_qualifier: String,
    /// ISA08, trimmed.
    pub receiver_id: String,
    /// ISA09 (`YYMMDD`).
    pub date: String,
    /// ISA10 (`HHMM`).
    pub time: String,
    /// ISA12, e.g. `00501`.
    pub version: String,
    /// ISA13.
    pub control_number: String,
    /// ISA14.
    pub acknowledgment_requested: bool,
    /// ISA15.
    pub usage: Usage,
}

/// What a GS header says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupHeader {
    /// GS01, e.g. `HP` for 835.
    pub functional_id: String,
    /// GS02.
    pub application_sender: String,
    /// GS03.
    pub application_receiver: String,
    /// GS04.
    pub date: Date,
    /// GS05.
    pub time: String,
    /// GS06.
    pub control_number: String,
    /// GS08, e.g. `005010X221A1`.
    pub version: String,
}

/// What an ST header says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionHeader {
    /// ST01, e.g. `835`.
    pub id: String,
    /// ST02.
    pub control_number: String,
    /// ST03 when present.
    pub implementation_reference: Option<String>,
}

/// The role a segment plays in the envelope structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// ISA.
    InterchangeStart,
    /// GS.
    GroupStart,
    /// ST.
    TransactionStart,
    /// A segment inside a transaction set.
    Body,
    /// SE.
    TransactionEnd,
    /// GE.
    GroupEnd,
    /// IEA.
    InterchangeEnd,
    /// A segment outside any transaction set (already reported).
    Stray,
}

#[derive(Debug)]
struct Open<H> {
    header: H,
    count: usize,
}

/// Follows the envelopes segment by segment and reports every broken rule.
#[derive(Debug, Default)]
pub struct EnvelopeTracker {
    interchange: Option<Open<InterchangeHeader>>,
    group: Option<Open<GroupHeader>>,
    transaction: Option<Open<TransactionHeader>>,
}

impl EnvelopeTracker {
    /// A tracker outside any envelope.
    pub fn new() -> Self {
        Self::default()
    }

    /// The open interchange's header.
    pub fn interchange(&self) -> Option<&InterchangeHeader> {
        self.interchange.as_ref().map(|o| &o.header)
    }

    /// The open group's header.
    pub fn group(&self) -> Option<&GroupHeader> {
        self.group.as_ref().map(|o| &o.header)
    }

    /// The open transaction set's header.
    pub fn transaction(&self) -> Option<&TransactionHeader> {
        self.transaction.as_ref().map(|o| &o.header)
    }

    /// Takes one segment; pushes any envelope problem it reveals.
    pub fn observe(&mut self, seg: &Segment<'_>, problems: &mut Vec<X12Error>) -> Role {
        if let Some(t) = self.transaction.as_mut() {
            t.count += 1;
        }
        match seg.code() {
            SegmentId::ISA => {
                if self.interchange.is_some() {
                    self.close_all(seg, problems);
                }
                match parse_isa(seg) {
                    Ok(header) => self.interchange = Some(Open { header, count: 0 }),
                    Err(e) => problems.push(e),
                }
                Role::InterchangeStart
            }
            SegmentId::GS => {
                if self.transaction.is_some() {
                    self.unclosed(seg, "SE", problems);
                    self.transaction = None;
                }
                if self.group.is_some() {
                    self.unclosed(seg, "GE", problems);
                }
                if self.interchange.is_none() {
                    problems.push(
                        seg.segment_error(ErrorKind::UnexpectedSegment(
                            "GS outside an interchange",
                        )),
                    );
                }
                if let Some(i) = self.interchange.as_mut() {
                    i.count += 1;
                }
                match parse_gs(seg) {
                    Ok(header) => self.group = Some(Open { header, count: 0 }),
                    Err(e) => {
                        problems.push(e);
                        self.group = None;
                    }
                }
                Role::GroupStart
            }
            SegmentId::ST => {
                if self.transaction.is_some() {
                    self.unclosed(seg, "SE", problems);
                }
                if self.group.is_none() {
                    problems.push(seg.segment_error(ErrorKind::UnexpectedSegment(
                        "ST outside a functional group",
                    )));
                }
                if let Some(g) = self.group.as_mut() {
                    g.count += 1;
                }
                let header = TransactionHeader {
                    id: seg.element(1).to_owned(),
                    control_number: seg.element(2).to_owned(),
                    implementation_reference: seg.opt(3).map(str::to_owned),
                };
                for n in [1, 2] {
                    if seg.opt(n).is_none() {
                        problems.push(seg.error(n, ErrorKind::MissingElement));
                    }
                }
                self.transaction = Some(Open { header, count: 1 });
                Role::TransactionStart
            }
            SegmentId::SE => match self.transaction.take() {
                Some(open) => {
                    check_trailer(seg, &open.header.control_number, open.count, problems);
                    Role::TransactionEnd
                }
                None => {
                    problems.push(seg.segment_error(ErrorKind::UnexpectedSegment("SE without ST")));
                    Role::Stray
                }
            },
            SegmentId::GE => {
                if self.transaction.take().is_some() {
                    self.unclosed(seg, "SE", problems);
                }
                match self.group.take() {
                    Some(open) => {
                        check_trailer(seg, &open.header.control_number, open.count, problems);
                        Role::GroupEnd
                    }
                    None => {
                        problems
                            .push(seg.segment_error(ErrorKind::UnexpectedSegment("GE without GS")));
                        Role::Stray
                    }
                }
            }
            SegmentId::IEA => {
                if self.transaction.take().is_some() {
                    self.unclosed(seg, "SE", problems);
                }
                if self.group.take().is_some() {
                    self.unclosed(seg, "GE", problems);
                }
                match self.interchange.take() {
                    Some(open) => {
                        check_trailer(seg, &open.header.control_number, open.count, problems);
                        Role::InterchangeEnd
                    }
                    None => {
                        problems.push(
                            seg.segment_error(ErrorKind::UnexpectedSegment("IEA without ISA")),
                        );
                        Role::Stray
                    }
                }
            }
            _ if self.transaction.is_some() => Role::Body,
            _ => {
                problems.push(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "outside a transaction set (ST/SE)",
                )));
                Role::Stray
            }
        }
    }

    /// Reports envelopes still open at the end of the file; `at` is where
    /// the file ended.
    pub fn finish(&mut self, at: Location, problems: &mut Vec<X12Error>) {
        for (open, trailer) in [
            (self.transaction.take().is_some(), "SE"),
            (self.group.take().is_some(), "GE"),
            (self.interchange.take().is_some(), "IEA"),
        ] {
            if open {
                problems.push(X12Error::new(
                    at.clone(),
                    ErrorKind::UnclosedEnvelope(trailer),
                ));
            }
        }
    }

    fn close_all(&mut self, seg: &Segment<'_>, problems: &mut Vec<X12Error>) {
        let mut at = seg.location(None);
        at.segment_id = seg.id().to_owned();
        self.finish(at, problems);
    }

    fn unclosed(&self, seg: &Segment<'_>, trailer: &'static str, problems: &mut Vec<X12Error>) {
        problems.push(seg.segment_error(ErrorKind::UnclosedEnvelope(trailer)));
    }
}

/// SE/GE/IEA: element 1 is the count, element 2 the header's control number.
fn check_trailer(seg: &Segment<'_>, control: &str, actual: usize, problems: &mut Vec<X12Error>) {
    let declared = seg.element(1);
    if declared.parse::<usize>().ok() != Some(actual) {
        problems.push(seg.error(
            1,
            ErrorKind::CountMismatch {
                declared: declared.to_owned(),
                actual,
            },
        ));
    }
    // Control numbers are compared as numbers when both are numeric, so a
    // GE02 of `1` closes a GS06 of `0001`.
    let trailer = seg.element(2);
    let same = trailer == control
        || matches!((trailer.parse::<u64>(), control.parse::<u64>()), (Ok(a), Ok(b)) if a == b);
    if !same {
        problems.push(seg.error(
            2,
            ErrorKind::ControlNumberMismatch {
                header: control.to_owned(),
                trailer: trailer.to_owned(),
            },
        ));
    }
}

fn parse_isa(seg: &Segment<'_>) -> Result<InterchangeHeader, X12Error> {
    let usage = match seg.req(15)? {
        "T" => Usage::Test,
        "P" => Usage::Production,
        "I" => Usage::Information,
        other => return Err(seg.invalid(15, other, "T or P")),
    };
    let control = seg.req(13)?;
    if control.len() != 9 || !control.bytes().all(|b| b.is_ascii_digit()) {
        return Err(seg.invalid(13, control, "a 9-digit control number"));
    }
    Ok(InterchangeHeader {
        sender_qualifier: seg.req(5)?.to_owned(),
        sender_id: seg.req(6)?.trim().to_owned(),
        receiver_qualifier: seg.req(7)?.to_owned(),
        receiver_id: seg.req(8)?.trim().to_owned(),
        date: seg.req(9)?.to_owned(),
        time: seg.req(10)?.to_owned(),
        version: seg.req(12)?.to_owned(),
        control_number: control.to_owned(),
        acknowledgment_requested: seg.element(14) == "1",
        usage,
    })
}

fn parse_gs(seg: &Segment<'_>) -> Result<GroupHeader, X12Error> {
    Ok(GroupHeader {
        functional_id: seg.req(1)?.to_owned(),
        application_sender: seg.req(2)?.to_owned(),
        application_receiver: seg.req(3)?.to_owned(),
        date: seg.date(4)?,
        time: seg.req(5)?.to_owned(),
        control_number: seg.req(6)?.to_owned(),
        version: seg.req(8)?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::Segments;

    fn problems(file: &str) -> Vec<X12Error> {
        let mut tracker = EnvelopeTracker::new();
        let mut problems = Vec::new();
        let mut last = None;
        for seg in Segments::new(file.as_bytes()) {
            let seg = seg.expect("readable");
            tracker.observe(&seg, &mut problems);
            last = Some(seg.location(None));
        }
        if let Some(at) = last {
            tracker.finish(at, &mut problems);
        }
        problems
    }

    const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*T*:~";

    #[test]
    fn a_well_formed_envelope_has_no_problems() {
        let file = format!(
            "{ISA}GS*HP*A*B*20240101*1200*1*X*005010X221A1~ST*835*0001~BPR*I~SE*3*0001~GE*1*1~IEA*1*000000001~"
        );
        assert_eq!(problems(&file), vec![]);
    }

    #[test]
    fn a_wrong_se_count_is_reported_at_se01() {
        let file = format!(
            "{ISA}GS*HP*A*B*20240101*1200*1*X*005010X221A1~ST*835*0001~BPR*I~SE*4*0001~GE*1*1~IEA*1*000000001~"
        );
        let found = problems(&file);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].to_string(),
            "segment 5 (SE) at byte 165, SE01: declared count 4 but found 3"
        );
    }

    #[test]
    fn mismatched_control_numbers_are_reported_on_every_trailer() {
        let file = format!(
            "{ISA}GS*HP*A*B*20240101*1200*1*X*005010X221A1~ST*835*0001~SE*2*0002~GE*1*2~IEA*1*000000002~"
        );
        let kinds: Vec<_> = problems(&file)
            .into_iter()
            .map(|e| e.into_detail().location.segment_id)
            .collect();
        assert_eq!(kinds, ["SE", "GE", "IEA"]);
    }

    #[test]
    fn a_file_that_stops_inside_a_transaction_reports_each_open_envelope() {
        let file = format!("{ISA}GS*HP*A*B*20240101*1200*1*X*005010X221A1~ST*835*0001~BPR*I~");
        let kinds: Vec<_> = problems(&file)
            .into_iter()
            .map(|e| e.into_detail().kind)
            .collect();
        assert_eq!(
            kinds,
            [
                ErrorKind::UnclosedEnvelope("SE"),
                ErrorKind::UnclosedEnvelope("GE"),
                ErrorKind::UnclosedEnvelope("IEA")
            ]
        );
    }
}
