//! The 270 reader: the hierarchy the 270 writer produces (HL 20 payer,
//! 21 provider, 22 subscriber) into [`EligibilityInquiry`], so a payer (or
//! the payer simulator) can answer what was asked. Segments the guide
//! allows but the model does not hold (addresses, provider details, other
//! references and dates, amounts) are accepted and dropped. A dependent
//! (HL 23) under a subscriber becomes that subscriber's `dependent`, with
//! the trace, date and service types of its loops.

use crate::claim::{Payer, Sex, read_person};
use crate::common::DateRef;
use crate::driver::{Context, TransactionParser, expect_kind, read_all};
use crate::eligibility::{
    DependentInquiry, EligibilityInquiry, InformationReceiver, SubscriberInquiry, VERSION,
};
use crate::error::{ErrorKind, X12Error};
use crate::segment::Segment;
use crate::values::{Date, Phi};

/// Reads every 270 transaction set of an in-memory file.
pub fn read_270(bytes: &[u8]) -> Result<Vec<EligibilityInquiry>, X12Error> {
    read_all(bytes, |context: Context<'_>, st: &Segment<'_>| {
        expect_kind(context, st, "270", &[VERSION])?;
        Ok(Eligibility270Parser::new(
            &context.transaction.control_number,
        ))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Header,
    Payer,
    Provider,
    Subscriber,
    Dependent,
}

/// Parser for the body of one 270 transaction set.
#[derive(Debug)]
pub struct Eligibility270Parser {
    control_number: String,
    header: Option<(String, Date, String)>,
    level: Level,
    payer: Option<Payer>,
    provider: Option<InformationReceiver>,
    subscribers: Vec<SubscriberInquiry>,
}

impl Eligibility270Parser {
    /// A parser for the 270 with control number ST02.
    pub fn new(control_number: &str) -> Self {
        Self {
            control_number: control_number.to_owned(),
            header: None,
            level: Level::Header,
            payer: None,
            provider: None,
            subscribers: Vec::new(),
        }
    }

    fn hl(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        self.level = match seg.req(3)? {
            "20" => Level::Payer,
            "21" => Level::Provider,
            "22" => {
                if self.provider.is_none() {
                    return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                        "a subscriber level before the provider (HL*21) level",
                    )));
                }
                self.subscribers.push(SubscriberInquiry {
                    trace_number: String::new(),
                    trace_originator: String::new(),
                    name: crate::claim::empty_name(),
                    member_id: Phi::new(String::new()),
                    birth_date: None,
                    sex: None,
                    service_date: None,
                    service_types: Vec::new(),
                    dependent: None,
                });
                Level::Subscriber
            }
            "23" => {
                let subscriber = self
                    .subscribers
                    .last_mut()
                    .filter(|s| self.level == Level::Subscriber && s.dependent.is_none())
                    .ok_or_else(|| {
                        seg.segment_error(ErrorKind::UnexpectedSegment(
                            "a dependent level not right under its subscriber (HL*22) level",
                        ))
                    })?;
                if !subscriber.trace_number.is_empty() || !subscriber.service_types.is_empty() {
                    return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                        "a dependent level under a subscriber that is asked about itself",
                    )));
                }
                subscriber.dependent = Some(DependentInquiry {
                    name: crate::claim::empty_name(),
                    birth_date: None,
                    sex: None,
                    relationship: None,
                });
                Level::Dependent
            }
            other => return Err(seg.invalid(3, other, "20, 21, 22 or 23")),
        };
        Ok(())
    }

    fn subscriber(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let dependent = self.level == Level::Dependent;
        let Some(s) = self.subscribers.last_mut() else {
            return Err(unexpected(seg));
        };
        if let Some(d) = s.dependent.as_mut().filter(|_| dependent) {
            match seg.id() {
                "NM1" => {
                    d.name = read_person(seg)?.0;
                    return Ok(());
                }
                "DMG" => {
                    (d.birth_date, d.sex) = demographics(seg)?;
                    return Ok(());
                }
                "INS" => {
                    d.relationship = seg.opt(2).map(str::to_owned);
                    return Ok(());
                }
                _ => {}
            }
        }
        match seg.id() {
            // A second trace (a clearinghouse's own) is not part of the model.
            "TRN" if s.trace_number.is_empty() => {
                s.trace_number = seg.req(2)?.to_owned();
                s.trace_originator = seg.req(3)?.to_owned();
            }
            "NM1" => {
                let (name, id) = read_person(seg)?;
                s.name = name;
                s.member_id = Phi::new(id.ok_or_else(|| seg.error(9, ErrorKind::MissingElement))?);
            }
            "DMG" => (s.birth_date, s.sex) = demographics(seg)?,
            // The date of service asked about; a range keeps its first day.
            "DTP" if seg.element(1) == "291" => {
                s.service_date = Some(DateRef::from_dtp(seg)?.date);
            }
            "EQ" => s.service_types.extend(
                seg.repetitions(1)
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            ),
            "TRN" | "REF" | "N3" | "N4" | "PRV" | "INS" | "HI" | "DTP" | "AMT" | "III" => {}
            _ => return Err(unexpected(seg)),
        }
        Ok(())
    }
}

/// DMG02 and DMG03.
fn demographics(seg: &Segment<'_>) -> Result<(Option<Phi<Date>>, Option<Sex>), X12Error> {
    let birth = seg.opt_date(2)?.map(Phi::new);
    let sex = seg
        .opt(3)
        .map(|c| Sex::from_code(c).ok_or_else(|| seg.invalid(3, c, "F, M or U")))
        .transpose()?;
    Ok((birth, sex))
}

fn unexpected(seg: &Segment<'_>) -> X12Error {
    seg.segment_error(ErrorKind::UnexpectedSegment("out of place in a 270"))
}

impl TransactionParser for Eligibility270Parser {
    type Output = EligibilityInquiry;

    fn segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match (seg.id(), self.level) {
            ("BHT", Level::Header) if self.header.is_none() => {
                self.header = Some((seg.req(3)?.into(), seg.date(4)?, seg.req(5)?.into()));
            }
            ("HL", _) => self.hl(seg)?,
            ("NM1", Level::Payer) => {
                self.payer = Some(Payer {
                    name: seg.req(3)?.to_owned(),
                    id: seg.req(9)?.to_owned(),
                });
            }
            ("NM1", Level::Provider) => {
                self.provider = Some(InformationReceiver {
                    name: seg.req(3)?.to_owned(),
                    npi: seg.req(9)?.to_owned(),
                });
            }
            ("REF" | "N3" | "N4" | "PRV", Level::Provider) => {}
            (_, Level::Subscriber | Level::Dependent) => self.subscriber(seg)?,
            (_, Level::Header | Level::Payer | Level::Provider) => return Err(unexpected(seg)),
        }
        Ok(())
    }

    fn finish(self, se: &Segment<'_>) -> Result<EligibilityInquiry, X12Error> {
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        let (reference_id, created, created_time) = self.header.ok_or_else(|| missing("BHT"))?;
        let payer = self
            .payer
            .ok_or_else(|| missing("NM1*PR information source"))?;
        let provider = self
            .provider
            .ok_or_else(|| missing("NM1*1P information receiver"))?;
        if self.subscribers.is_empty() {
            return Err(missing("HL*22 subscriber"));
        }
        for s in &self.subscribers {
            if s.trace_number.is_empty() {
                return Err(missing("TRN in a subscriber (HL*22) loop"));
            }
            if s.member_id.expose().is_empty() {
                return Err(missing("NM1*IL in a subscriber (HL*22) loop"));
            }
            if s.service_types.is_empty() {
                return Err(missing("EQ in a subscriber (HL*22) loop"));
            }
            if s.dependent
                .as_ref()
                .is_some_and(|d| d.name.last.expose().is_empty())
            {
                return Err(missing("NM1*03 in a dependent (HL*23) loop"));
            }
        }
        Ok(EligibilityInquiry {
            control_number: self.control_number,
            reference_id,
            created,
            created_time,
            payer,
            provider,
            subscribers: self.subscribers,
        })
    }
}
