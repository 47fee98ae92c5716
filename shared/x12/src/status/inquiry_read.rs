//! The 276 reader: the party levels, then per subscriber (and dependent)
//! level the member and one request per TRN. Service lines (loop 2210)
//! are accepted and dropped: the model asks about whole claims.

use crate::claim::{demographics, read_person};
use crate::driver::{Context, TransactionParser, expect_kind, read_all};
use crate::error::{ErrorKind, X12Error};
use crate::segment::Segment;
use crate::status::inquiry::{
    ClaimStatusInquiry, ClaimStatusRequest, StatusDependent, StatusSubscriber,
};
use crate::status::levels::{Level, PartyReader};
use crate::status::{ServicePeriod, VERSION};
use crate::values::{Date, Phi};

/// Reads every 276 transaction set of an in-memory file.
pub fn read_276(bytes: &[u8]) -> Result<Vec<ClaimStatusInquiry>, X12Error> {
    read_all(bytes, |context: Context<'_>, st: &Segment<'_>| {
        expect_kind(context, st, "276", &[VERSION])?;
        Ok(StatusInquiry276Parser::new(
            &context.transaction.control_number,
        ))
    })
}

/// Parser for the body of one 276 transaction set.
#[derive(Debug)]
pub struct StatusInquiry276Parser {
    control_number: String,
    header: Option<(String, Date, String)>,
    level: Level,
    parties: PartyReader,
    subscriber: Option<StatusSubscriber>,
    patient: Option<StatusDependent>,
    /// Whether the open level's member NM1 has been read.
    named: bool,
    claims: Vec<ClaimStatusRequest>,
    /// Whether the last request of the open level is still taking
    /// segments (a TRN opened it and no SVC line has started).
    open: bool,
    in_line: bool,
}

impl StatusInquiry276Parser {
    /// A parser for the 276 with control number ST02.
    pub fn new(control_number: &str) -> Self {
        Self {
            control_number: control_number.to_owned(),
            header: None,
            level: Level::Header,
            parties: PartyReader::default(),
            subscriber: None,
            patient: None,
            named: false,
            claims: Vec::new(),
            open: false,
            in_line: false,
        }
    }

    fn hl(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        self.level = Level::from_hl(seg, &self.parties)?;
        (self.open, self.in_line, self.named) = (false, false, false);
        match self.level {
            Level::Subscriber => {
                self.subscriber = Some(StatusSubscriber {
                    name: crate::claim::empty_name(),
                    member_id: Phi::new(String::new()),
                    demographics: None,
                });
                self.patient = None;
            }
            Level::Dependent => {
                if self.subscriber.is_none() {
                    return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                        "a dependent level (HL*23) without its subscriber level",
                    )));
                }
                self.patient = None;
            }
            Level::Header | Level::Payer | Level::Receiver | Level::Provider => {}
        }
        Ok(())
    }

    fn member(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let dependent = self.level == Level::Dependent;
        match seg.id() {
            "DMG" if !self.named => {
                let d = demographics(seg)?;
                match (dependent, self.subscriber.as_mut()) {
                    (false, Some(s)) => s.demographics = Some(d),
                    _ => {
                        self.patient = Some(StatusDependent {
                            name: crate::claim::empty_name(),
                            demographics: d,
                        });
                    }
                }
            }
            "NM1" if !self.named => {
                let (name, id) = read_person(seg)?;
                if dependent {
                    if seg.element(1) != "QC" {
                        return Err(seg.invalid(1, seg.element(1), "QC (patient)"));
                    }
                    let patient = self.patient.as_mut().ok_or_else(|| {
                        seg.segment_error(ErrorKind::MissingSegment("DMG of the dependent"))
                    })?;
                    patient.name = name;
                } else {
                    if seg.element(1) != "IL" {
                        return Err(seg.invalid(1, seg.element(1), "IL (subscriber)"));
                    }
                    let id = id.ok_or_else(|| seg.error(9, ErrorKind::MissingElement))?;
                    if let Some(s) = self.subscriber.as_mut() {
                        s.name = name;
                        s.member_id = Phi::new(id);
                    }
                }
                self.named = true;
            }
            "TRN" if self.named => {
                let (Some(subscriber), Some(trace)) = (&self.subscriber, seg.opt(2)) else {
                    return Err(seg.error(2, ErrorKind::MissingElement));
                };
                self.claims.push(ClaimStatusRequest {
                    subscriber: subscriber.clone(),
                    patient: if dependent {
                        self.patient.clone()
                    } else {
                        None
                    },
                    trace_number: trace.to_owned(),
                    payer_claim_control_number: None,
                    bill_type: None,
                    patient_control_number: None,
                    total_charge: None,
                    service_period: None,
                });
                (self.open, self.in_line) = (true, false);
            }
            "SVC" if self.open => self.in_line = true,
            // A service line's REF*FJ and DTP*472 go with the dropped line.
            "REF" | "DTP" if self.in_line => {}
            "REF" | "AMT" | "DTP" if self.open => self.claim_segment(seg)?,
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "out of place in a 276 member level",
                )));
            }
        }
        Ok(())
    }

    fn claim_segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let Some(claim) = self.claims.last_mut() else {
            return Err(seg.segment_error(ErrorKind::MissingSegment("TRN")));
        };
        match (seg.id(), seg.req(1)?) {
            ("REF", "1K") => claim.payer_claim_control_number = Some(seg.req(2)?.to_owned()),
            ("REF", "BLT") => claim.bill_type = Some(seg.req(2)?.to_owned()),
            ("REF", "EJ") => claim.patient_control_number = Some(seg.req(2)?.to_owned()),
            ("REF", _) => {}
            ("AMT", "T3") => claim.total_charge = Some(seg.amount(2)?),
            ("AMT", other) => return Err(seg.invalid(1, other, "T3 (total submitted charges)")),
            ("DTP", "472") => claim.service_period = Some(ServicePeriod::from_dtp(seg)?),
            (_, other) => return Err(seg.invalid(1, other, "472 (service date)")),
        }
        Ok(())
    }
}

impl TransactionParser for StatusInquiry276Parser {
    type Output = ClaimStatusInquiry;

    fn segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match (seg.id(), self.level) {
            ("BHT", Level::Header) if self.header.is_none() => {
                self.header = Some((seg.req(3)?.into(), seg.date(4)?, seg.req(5)?.into()));
                Ok(())
            }
            (_, Level::Header) if self.header.is_none() => {
                Err(seg.segment_error(ErrorKind::MissingSegment("BHT")))
            }
            ("HL", _) => self.hl(seg),
            ("NM1", Level::Payer | Level::Receiver | Level::Provider) => {
                self.parties.nm1(self.level, seg)
            }
            (_, Level::Subscriber | Level::Dependent) => self.member(seg),
            _ => Err(seg.segment_error(ErrorKind::UnexpectedSegment("out of place in a 276"))),
        }
    }

    fn finish(self, se: &Segment<'_>) -> Result<ClaimStatusInquiry, X12Error> {
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        let (reference_id, created, created_time) = self.header.ok_or_else(|| missing("BHT"))?;
        let parties = self.parties.finish(se)?;
        if self.claims.is_empty() {
            return Err(missing("TRN of a claim (2200D)"));
        }
        Ok(ClaimStatusInquiry {
            control_number: self.control_number,
            reference_id,
            created,
            created_time,
            parties,
            claims: self.claims,
        })
    }
}
