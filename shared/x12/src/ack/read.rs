//! The 999 reader: AK1, then AK2/IK3/IK4/IK5 loops, then AK9.

use crate::ack::{
    AckStatus, ElementError, ErrorContext, ImplementationAck, SegmentError, TransactionAck,
};
use crate::driver::{Context, TransactionParser, expect_kind, read_all};
use crate::error::{ErrorKind, X12Error};
use crate::segment::Segment;

/// The implementation guide versions this reader accepts.
pub const VERSIONS: &[&str] = &["005010X231A1", "005010X231"];

/// Reads every 999 transaction set of an in-memory file.
pub fn read_999(bytes: &[u8]) -> Result<Vec<ImplementationAck>, X12Error> {
    read_all(bytes, |context: Context<'_>, st: &Segment<'_>| {
        expect_kind(context, st, "999", VERSIONS)?;
        Ok(Ack999Parser::new(&context.transaction.control_number))
    })
}

/// Parser for the body of one 999 transaction set.
#[derive(Debug)]
pub struct Ack999Parser {
    control_number: String,
    group: Option<(String, String, Option<String>)>,
    transactions: Vec<TransactionAck>,
    open: Option<TransactionAck>,
    trailer: Option<(AckStatus, [u32; 3], Vec<String>)>,
}

impl Ack999Parser {
    /// A parser for the 999 with control number ST02.
    pub fn new(control_number: &str) -> Self {
        Self {
            control_number: control_number.to_owned(),
            group: None,
            transactions: Vec::new(),
            open: None,
            trailer: None,
        }
    }

    fn open_mut(&mut self, seg: &Segment<'_>) -> Result<&mut TransactionAck, X12Error> {
        self.open.as_mut().ok_or_else(|| {
            seg.segment_error(ErrorKind::UnexpectedSegment(
                "outside a transaction (AK2) loop",
            ))
        })
    }
}

fn status(seg: &Segment<'_>, n: usize) -> Result<AckStatus, X12Error> {
    let code = seg.req(n)?;
    AckStatus::from_code(code).ok_or_else(|| seg.invalid(n, code, "A, E, P, R, M, W or X"))
}

fn codes(seg: &Segment<'_>, range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range
        .filter_map(|n| seg.opt(n))
        .map(str::to_owned)
        .collect()
}

/// A position number in component `k` of element `n`, when present.
fn number(seg: &Segment<'_>, n: usize, k: usize) -> Result<Option<u32>, X12Error> {
    let raw = seg.component(n, k);
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        seg.component_error(
            n,
            k,
            ErrorKind::InvalidValue {
                value: raw.to_owned(),
                expected: "a position number",
            },
        )
    })
}

fn read_ctx(seg: &Segment<'_>) -> Result<ErrorContext, X12Error> {
    seg.req(1)?;
    let name = seg.component(1, 1);
    if name.is_empty() {
        return Err(seg.component_error(1, 1, ErrorKind::MissingElement));
    }
    let position = match seg.opt(3) {
        Some(raw) => Some(
            raw.parse()
                .map_err(|_| seg.invalid(3, raw, "a segment position"))?,
        ),
        None => None,
    };
    Ok(ErrorContext {
        name: name.to_owned(),
        reference: Some(seg.component(1, 2))
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        segment_id: seg.opt(2).map(str::to_owned),
        segment_position: position,
        loop_id: seg.opt(4).map(str::to_owned),
        element_position: number(seg, 5, 1)?,
        component_position: number(seg, 5, 2)?,
    })
}

fn read_ik4(seg: &Segment<'_>) -> Result<ElementError, X12Error> {
    seg.req(1)?;
    let part = |k: usize| number(seg, 1, k);
    Ok(ElementError {
        position: part(1)?.ok_or_else(|| seg.component_error(1, 1, ErrorKind::MissingElement))?,
        component: part(2)?,
        repetition: part(3)?,
        data_element: seg.opt(2).map(str::to_owned),
        code: seg.req(3)?.to_owned(),
        bad_value: seg.opt(4).map(str::to_owned),
        contexts: Vec::new(),
    })
}

impl TransactionParser for Ack999Parser {
    type Output = ImplementationAck;

    fn segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        if self.trailer.is_some() {
            return Err(seg.segment_error(ErrorKind::UnexpectedSegment("after AK9")));
        }
        match seg.id() {
            "AK1" if self.group.is_none() => {
                self.group = Some((
                    seg.req(1)?.to_owned(),
                    seg.req(2)?.to_owned(),
                    seg.opt(3).map(str::to_owned),
                ));
            }
            _ if self.group.is_none() => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment("before AK1")));
            }
            "AK2" => {
                if self.open.is_some() {
                    return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                        "AK2 before the previous loop's IK5",
                    )));
                }
                self.open = Some(TransactionAck {
                    id: seg.req(1)?.to_owned(),
                    control_number: seg.req(2)?.to_owned(),
                    version: seg.opt(3).map(str::to_owned),
                    segment_errors: Vec::new(),
                    status: AckStatus::Accepted,
                    error_codes: Vec::new(),
                });
            }
            "IK3" => {
                let raw = seg.req(2)?;
                let position = raw
                    .parse()
                    .map_err(|_| seg.invalid(2, raw, "a segment position"))?;
                let error = SegmentError {
                    segment_id: seg.req(1)?.to_owned(),
                    position,
                    loop_id: seg.opt(3).map(str::to_owned),
                    code: seg.opt(4).map(str::to_owned),
                    contexts: Vec::new(),
                    element_errors: Vec::new(),
                };
                self.open_mut(seg)?.segment_errors.push(error);
            }
            "IK4" => {
                let error = read_ik4(seg)?;
                let segment = self
                    .open_mut(seg)?
                    .segment_errors
                    .last_mut()
                    .ok_or_else(|| {
                        seg.segment_error(ErrorKind::UnexpectedSegment("IK4 without IK3"))
                    })?;
                segment.element_errors.push(error);
            }
            // A CTX belongs to the IK4 before it, or to the IK3 when no
            // IK4 has come yet; outside an IK3 loop the guide has none.
            "CTX" => {
                let context = read_ctx(seg)?;
                let Some(segment) = self.open_mut(seg)?.segment_errors.last_mut() else {
                    return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                        "CTX outside a segment error (IK3) loop",
                    )));
                };
                match segment.element_errors.last_mut() {
                    Some(element) => element.contexts.push(context),
                    None => segment.contexts.push(context),
                }
            }
            "IK5" => {
                let mut done = self.open.take().ok_or_else(|| {
                    seg.segment_error(ErrorKind::UnexpectedSegment("IK5 without AK2"))
                })?;
                done.status = status(seg, 1)?;
                if done.status == AckStatus::PartiallyAccepted {
                    return Err(seg.invalid(1, "P", "A, E, R, M, W or X"));
                }
                done.error_codes = codes(seg, 2..=6);
                self.transactions.push(done);
            }
            "AK9" => {
                if self.open.is_some() {
                    return Err(seg.segment_error(ErrorKind::MissingSegment("IK5")));
                }
                let mut counts = [0u32; 3];
                for (i, n) in (2..=4).enumerate() {
                    let raw = seg.req(n)?;
                    counts[i] = raw.parse().map_err(|_| seg.invalid(n, raw, "a count"))?;
                }
                self.trailer = Some((status(seg, 1)?, counts, codes(seg, 5..=9)));
            }
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "not part of a 999 (AK1, AK2, IK3, CTX, IK4, IK5, AK9)",
                )));
            }
        }
        Ok(())
    }

    fn finish(self, se: &Segment<'_>) -> Result<ImplementationAck, X12Error> {
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        if self.open.is_some() {
            return Err(missing("IK5"));
        }
        let (functional_id, group_control_number, version) =
            self.group.ok_or_else(|| missing("AK1"))?;
        let (status, [included, received, accepted], group_errors) =
            self.trailer.ok_or_else(|| missing("AK9"))?;
        Ok(ImplementationAck {
            control_number: self.control_number,
            functional_id,
            group_control_number,
            version,
            transactions: self.transactions,
            status,
            included,
            received,
            accepted,
            group_errors,
        })
    }
}
