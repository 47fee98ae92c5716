//! The 277CA reader: follows the HL hierarchy (20 source, 21 receiver,
//! 19 provider, PT patient/claim) and the 2220D service lines under a claim.

use crate::claim_ack::{
    ClaimAcknowledgment, ClaimStatusReport, Disposition, LineStatusReport, StatusInfo, StatusLevel,
};
use crate::common::{DateRef, Entity, Reference};
use crate::driver::{Context, TransactionParser, expect_kind, read_all};
use crate::error::{ErrorKind, X12Error};
use crate::remit::Procedure;
use crate::segment::Segment;

/// The implementation guide versions this reader accepts.
pub const VERSIONS: &[&str] = &["005010X214"];

/// Reads every 277CA transaction set of an in-memory file.
pub fn read_277ca(bytes: &[u8]) -> Result<Vec<ClaimAcknowledgment>, X12Error> {
    read_all(bytes, |context: Context<'_>, st: &Segment<'_>| {
        expect_kind(context, st, "277", VERSIONS)?;
        Ok(ClaimAck277Parser::new(&context.transaction.control_number))
    })
}

#[derive(Debug)]
enum Open {
    None,
    Level(StatusLevel, &'static str),
    Claim(ClaimStatusReport),
}

/// Parser for the body of one 277CA transaction set.
#[derive(Debug)]
pub struct ClaimAck277Parser {
    control_number: String,
    header: Option<(String, crate::values::Date)>,
    source: Option<StatusLevel>,
    receiver: Option<StatusLevel>,
    providers: Vec<StatusLevel>,
    claims: Vec<ClaimStatusReport>,
    open: Open,
}

impl ClaimAck277Parser {
    /// A parser for the 277CA with control number ST02.
    pub fn new(control_number: &str) -> Self {
        Self {
            control_number: control_number.to_owned(),
            header: None,
            source: None,
            receiver: None,
            providers: Vec::new(),
            claims: Vec::new(),
            open: Open::None,
        }
    }

    fn close(&mut self) {
        match std::mem::replace(&mut self.open, Open::None) {
            Open::None => {}
            Open::Level(level, "20") => self.source = Some(level),
            Open::Level(level, "21") => self.receiver = Some(level),
            Open::Level(level, _) => self.providers.push(level),
            Open::Claim(claim) => self.claims.push(claim),
        }
    }

    fn hl(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        self.close();
        let id: String = seg.req(1)?.into();
        let level = |code| {
            Open::Level(
                StatusLevel {
                    hl_id: id.clone(),
                    entity: None,
                    trace_number: None,
                    statuses: Vec::new(),
                    references: Vec::new(),
                    dates: Vec::new(),
                    quantities: Vec::new(),
                    amounts: Vec::new(),
                },
                code,
            )
        };
        self.open = match seg.req(3)? {
            "20" if self.source.is_none() => level("20"),
            "21" => level("21"),
            "19" => level("19"),
            "PT" => Open::Claim(ClaimStatusReport {
                provider_hl_id: seg.opt(2).map(Into::into),
                patient: None,
                patient_control_number: String::new(),
                disposition: Disposition::Other,
                statuses: Vec::new(),
                payer_claim_control_number: None,
                clearinghouse_trace_number: None,
                bill_type: None,
                references: Vec::new(),
                service_dates: None,
                lines: Vec::new(),
            }),
            other => return Err(seg.invalid(3, other, "20, 21, 19 or PT")),
        };
        Ok(())
    }

    fn level_segment(level: &mut StatusLevel, seg: &Segment<'_>) -> Result<(), X12Error> {
        match seg.id() {
            "NM1" => level.entity = Some(Entity::from_nm1(seg)?),
            "TRN" => level.trace_number = Some(seg.req(2)?.into()),
            "STC" => read_stc(seg, &mut level.statuses)?,
            "REF" => level.references.push(Reference::from_ref(seg)?),
            "DTP" => level.dates.push(DateRef::from_dtp(seg)?),
            "QTY" => {
                let quantity = seg
                    .opt_quantity(2)?
                    .ok_or_else(|| seg.error(2, ErrorKind::MissingElement))?;
                level.quantities.push((seg.req(1)?.into(), quantity));
            }
            "AMT" => level.amounts.push((seg.req(1)?.into(), seg.amount(2)?)),
            _ => return Err(unexpected(seg)),
        }
        Ok(())
    }

    fn claim_segment(claim: &mut ClaimStatusReport, seg: &Segment<'_>) -> Result<(), X12Error> {
        if let Some(line) = claim.lines.last_mut() {
            return match seg.id() {
                "STC" => read_stc(seg, &mut line.statuses),
                "REF" if seg.element(1) == "FJ" => {
                    line.line_item_control_number = Some(seg.req(2)?.into());
                    Ok(())
                }
                // REF*XZ (pharmacy prescription number) is not modelled.
                "REF" if seg.element(1) == "XZ" => Ok(()),
                "DTP" => {
                    line.service_date = Some(DateRef::from_dtp(seg)?);
                    Ok(())
                }
                "SVC" => {
                    claim.lines.push(read_svc(seg)?);
                    Ok(())
                }
                _ => Err(unexpected(seg)),
            };
        }
        match seg.id() {
            "NM1" => claim.patient = Some(Entity::from_nm1(seg)?),
            "TRN" => claim.patient_control_number = seg.req(2)?.into(),
            "STC" => read_stc(seg, &mut claim.statuses)?,
            "REF" => {
                let reference = Reference::from_ref(seg)?;
                match reference.qualifier.as_str() {
                    "1K" => claim.payer_claim_control_number = Some(reference.value.to_string()),
                    "D9" => claim.clearinghouse_trace_number = Some(reference.value.to_string()),
                    "BLT" => claim.bill_type = Some(reference.value.to_string()),
                    _ => claim.references.push(reference),
                }
            }
            "DTP" => claim.service_dates = Some(DateRef::from_dtp(seg)?),
            "SVC" => claim.lines.push(read_svc(seg)?),
            _ => return Err(unexpected(seg)),
        }
        Ok(())
    }
}

fn unexpected(seg: &Segment<'_>) -> X12Error {
    seg.segment_error(ErrorKind::UnexpectedSegment("out of place in a 277CA"))
}

/// STC01, STC10 and STC11 each carry a category/status/entity composite;
/// they share STC02 (date), STC03 (action), STC04 (charge) and STC12.
fn read_stc(seg: &Segment<'_>, into: &mut Vec<StatusInfo>) -> Result<(), X12Error> {
    seg.req(1)?;
    let date = seg.opt_date(2)?;
    let action = seg.opt(3).map(Into::into);
    let charge = seg.opt_amount(4)?;
    let message = seg.opt(12).map(Into::into);
    for n in [1, 10, 11] {
        if seg.opt(n).is_none() {
            continue;
        }
        let category = seg.component(n, 1);
        let status = seg.component(n, 2);
        if category.is_empty() {
            return Err(seg.component_error(n, 1, ErrorKind::MissingElement));
        }
        if status.is_empty() {
            return Err(seg.component_error(n, 2, ErrorKind::MissingElement));
        }
        let entity = Some(seg.component(n, 3)).filter(|e| !e.is_empty());
        into.push(StatusInfo {
            category: category.to_owned(),
            status: status.to_owned(),
            entity: entity.map(Into::into),
            date,
            action: action.clone(),
            charge,
            message: message.clone(),
        });
    }
    Ok(())
}

fn read_svc(seg: &Segment<'_>) -> Result<LineStatusReport, X12Error> {
    Ok(LineStatusReport {
        procedure: Procedure::read(seg, 1)?,
        charge: seg.amount(2)?,
        revenue_code: seg.opt(4).map(Into::into),
        units: seg.opt_quantity(7)?,
        statuses: Vec::new(),
        line_item_control_number: None,
        service_date: None,
    })
}

impl TransactionParser for ClaimAck277Parser {
    type Output = ClaimAcknowledgment;

    fn segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match (seg.id(), &mut self.open) {
            ("BHT", Open::None) if self.header.is_none() && self.source.is_none() => {
                self.header = Some((seg.req(3)?.into(), seg.date(4)?));
                Ok(())
            }
            ("HL", _) => self.hl(seg),
            (_, Open::Level(level, _)) => Self::level_segment(level, seg),
            (_, Open::Claim(claim)) => Self::claim_segment(claim, seg),
            (_, Open::None) => Err(unexpected(seg)),
        }
    }

    fn finish(mut self, se: &Segment<'_>) -> Result<ClaimAcknowledgment, X12Error> {
        self.close();
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        let (reference_id, created) = self.header.ok_or_else(|| missing("BHT"))?;
        let mut claims = self.claims;
        for claim in &mut claims {
            if claim.patient_control_number.is_empty() {
                return Err(missing("TRN in a claim (HL*PT) loop"));
            }
            let first = claim
                .statuses
                .first()
                .ok_or_else(|| missing("STC in a claim (HL*PT) loop"))?;
            claim.disposition = Disposition::from_category(&first.category);
        }
        Ok(ClaimAcknowledgment {
            control_number: self.control_number,
            reference_id,
            created,
            information_source: self
                .source
                .ok_or_else(|| missing("HL*20 information source"))?,
            information_receiver: self.receiver,
            providers: self.providers,
            claims,
        })
    }
}
