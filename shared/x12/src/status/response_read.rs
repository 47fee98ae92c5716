//! The 277 (005010X212) reader: the party levels, then per subscriber
//! (and dependent) level the member and one result per TRN with its STCs,
//! references, service dates and 2220 service lines, and the trace and
//! statuses of the receiver and provider levels (2200B/2200C).

use crate::claim::{PersonName, read_person};
use crate::driver::{Context, TransactionParser, expect_kind, read_all};
use crate::error::{ErrorKind, X12Error};
use crate::remit::Procedure;
use crate::segment::Segment;
use crate::status::levels::{Level, PartyReader};
use crate::status::{
    ClaimStatusResponse, ClaimStatusResult, LevelStatus, LineStatus, ServicePeriod, StatusCode,
    StatusDetail, VERSION,
};
use crate::values::{Date, Phi};

/// Reads every 277 claim status response (005010X212) of an in-memory
/// file; 277CA acknowledgments (005010X214) are read by
/// [`crate::claim_ack::read_277ca`].
pub fn read_277(bytes: &[u8]) -> Result<Vec<ClaimStatusResponse>, X12Error> {
    read_all(bytes, |context: Context<'_>, st: &Segment<'_>| {
        expect_kind(context, st, "277", &[VERSION])?;
        Ok(StatusResponse277Parser::new(
            &context.transaction.control_number,
        ))
    })
}

/// Parser for the body of one 277 (005010X212) transaction set.
#[derive(Debug)]
pub struct StatusResponse277Parser {
    control_number: String,
    header: Option<(String, Date, String)>,
    level: Level,
    parties: PartyReader,
    subscriber: Option<(PersonName, Option<Phi<String>>)>,
    patient: Option<PersonName>,
    claims: Vec<ClaimStatusResult>,
    /// A TRN of the open member level opened the last result.
    open: bool,
    receiver_status: Option<LevelStatus>,
    provider_status: Option<LevelStatus>,
}

impl StatusResponse277Parser {
    /// A parser for the 277 with control number ST02.
    pub fn new(control_number: &str) -> Self {
        Self {
            control_number: control_number.to_owned(),
            header: None,
            level: Level::Header,
            parties: PartyReader::default(),
            subscriber: None,
            patient: None,
            claims: Vec::new(),
            open: false,
            receiver_status: None,
            provider_status: None,
        }
    }

    fn hl(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        self.level = Level::from_hl(seg, &self.parties)?;
        self.open = false;
        match self.level {
            Level::Subscriber => (self.subscriber, self.patient) = (None, None),
            Level::Dependent if self.subscriber.is_none() => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "a dependent level (HL*23) without its subscriber level",
                )));
            }
            Level::Dependent => self.patient = None,
            Level::Header | Level::Payer | Level::Receiver | Level::Provider => {}
        }
        Ok(())
    }

    fn member(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let dependent = self.level == Level::Dependent;
        let named = if dependent {
            self.patient.is_some()
        } else {
            self.subscriber.is_some()
        };
        match seg.id() {
            "NM1" if !named => {
                let (name, id) = read_person(seg)?;
                let role = if dependent { "QC" } else { "IL" };
                if seg.element(1) != role {
                    return Err(seg.invalid(1, seg.element(1), "IL (subscriber) or QC (patient)"));
                }
                if dependent {
                    self.patient = Some(name);
                } else {
                    self.subscriber = Some((name, id.map(Phi::new)));
                }
            }
            "TRN" if named => {
                let Some((subscriber, member_id)) = self.subscriber.clone() else {
                    return Err(seg.segment_error(ErrorKind::MissingSegment("NM1*IL")));
                };
                self.claims.push(ClaimStatusResult {
                    subscriber,
                    member_id,
                    patient: if dependent {
                        self.patient.clone()
                    } else {
                        None
                    },
                    trace_number: seg.req(2)?.to_owned(),
                    statuses: Vec::new(),
                    payer_claim_control_number: None,
                    bill_type: None,
                    patient_control_number: None,
                    clearinghouse_trace_number: None,
                    service_period: None,
                    lines: Vec::new(),
                });
                self.open = true;
            }
            "STC" | "REF" | "DTP" | "SVC" if self.open => {
                if let Some(claim) = self.claims.last_mut() {
                    claim_segment(claim, seg)?;
                }
            }
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "out of place in a 277 member level",
                )));
            }
        }
        Ok(())
    }
}

impl StatusResponse277Parser {
    /// TRN and STC of loop 2200B or 2200C.
    fn level_status(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let slot = if self.level == Level::Receiver {
            &mut self.receiver_status
        } else {
            &mut self.provider_status
        };
        match (seg.id(), slot.as_mut()) {
            ("TRN", None) => {
                *slot = Some(LevelStatus {
                    trace_number: seg.req(2)?.to_owned(),
                    statuses: Vec::new(),
                });
            }
            ("STC", Some(level)) => level.statuses.push(read_stc(seg)?),
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "one TRN, then STC, in a receiver or provider level",
                )));
            }
        }
        Ok(())
    }
}

fn claim_segment(claim: &mut ClaimStatusResult, seg: &Segment<'_>) -> Result<(), X12Error> {
    if let Some(line) = claim.lines.last_mut() {
        match seg.id() {
            "STC" => line.statuses.push(read_stc(seg)?),
            "REF" if seg.req(1)? == "FJ" => {
                line.line_item_control_number = Some(seg.req(2)?.to_owned());
            }
            "REF" => return Err(seg.invalid(1, seg.element(1), "FJ (line item control number)")),
            "DTP" => line.service_period = Some(read_period(seg)?),
            _ => claim.lines.push(read_svc(seg)?),
        }
        return Ok(());
    }
    match seg.id() {
        "STC" => claim.statuses.push(read_stc(seg)?),
        "REF" => {
            let value = Some(seg.req(2)?.to_owned());
            match seg.req(1)? {
                "1K" => claim.payer_claim_control_number = value,
                "BLT" => claim.bill_type = value,
                "EJ" => claim.patient_control_number = value,
                "D9" => claim.clearinghouse_trace_number = value,
                // XZ prescription and VV voucher numbers are not modelled.
                _ => {}
            }
        }
        "DTP" => claim.service_period = Some(read_period(seg)?),
        _ => claim.lines.push(read_svc(seg)?),
    }
    Ok(())
}

fn read_period(seg: &Segment<'_>) -> Result<ServicePeriod, X12Error> {
    if seg.req(1)? != "472" {
        return Err(seg.invalid(1, seg.element(1), "472 (service date)"));
    }
    ServicePeriod::from_dtp(seg)
}

fn read_svc(seg: &Segment<'_>) -> Result<LineStatus, X12Error> {
    Ok(LineStatus {
        procedure: Procedure::read(seg, 1)?,
        charge: seg.amount(2)?,
        paid: seg.opt_amount(3)?,
        revenue_code: seg.opt(4).map(str::to_owned),
        units: seg.opt_quantity(7)?,
        statuses: Vec::new(),
        line_item_control_number: None,
        service_period: None,
    })
}

/// STC: the composites of STC01, STC10 and STC11 and the shared elements.
fn read_stc(seg: &Segment<'_>) -> Result<StatusDetail, X12Error> {
    seg.req(1)?;
    let mut codes = Vec::with_capacity(1);
    for n in [1, 10, 11] {
        if seg.opt(n).is_none() {
            continue;
        }
        let (category, status) = (seg.component(n, 1), seg.component(n, 2));
        if category.is_empty() {
            return Err(seg.component_error(n, 1, ErrorKind::MissingElement));
        }
        if status.is_empty() {
            return Err(seg.component_error(n, 2, ErrorKind::MissingElement));
        }
        let entity = Some(seg.component(n, 3)).filter(|e| !e.is_empty());
        codes.push(StatusCode {
            category: category.to_owned(),
            status: status.to_owned(),
            entity: entity.map(str::to_owned),
        });
    }
    let text = |n| seg.opt(n).map(str::to_owned);
    Ok(StatusDetail {
        codes,
        effective_date: seg.opt_date(2)?,
        action: text(3),
        total_charge: seg.opt_amount(4)?,
        paid: seg.opt_amount(5)?,
        adjudicated: seg.opt_date(6)?,
        payment_method: text(7),
        check_date: seg.opt_date(8)?,
        check_number: text(9),
        message: text(12),
    })
}

impl TransactionParser for StatusResponse277Parser {
    type Output = ClaimStatusResponse;

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
            ("PER", Level::Payer) => Ok(()),
            ("TRN" | "STC", Level::Receiver | Level::Provider) => self.level_status(seg),
            (_, Level::Subscriber | Level::Dependent) => self.member(seg),
            _ => Err(seg.segment_error(ErrorKind::UnexpectedSegment("out of place in a 277"))),
        }
    }

    fn finish(self, se: &Segment<'_>) -> Result<ClaimStatusResponse, X12Error> {
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        let (reference_id, created, created_time) = self.header.ok_or_else(|| missing("BHT"))?;
        let parties = self.parties.finish(se)?;
        let levels = [&self.receiver_status, &self.provider_status];
        if levels.into_iter().flatten().any(|l| l.statuses.is_empty()) {
            return Err(missing("STC in a receiver or provider (2200B/C) loop"));
        }
        for claim in &self.claims {
            if claim.statuses.is_empty() {
                return Err(missing("STC in a claim (2200D/E) loop"));
            }
            if claim.lines.iter().any(|l| l.statuses.is_empty()) {
                return Err(missing("STC in a service line (2220D/E) loop"));
            }
        }
        Ok(ClaimStatusResponse {
            control_number: self.control_number,
            reference_id,
            created,
            created_time,
            parties,
            receiver_status: self.receiver_status,
            provider_status: self.provider_status,
            claims: self.claims,
        })
    }
}
