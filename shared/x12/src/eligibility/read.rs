//! The 271 reader: the HL hierarchy (20 payer, 21 provider, 22 subscriber,
//! 23 dependent), the member's 2100 loop, and the EB loops under it.

use crate::claim::Sex;
use crate::common::{DateRef, Entity, Reference};
use crate::driver::{Context, TransactionParser, expect_kind, read_all};
use crate::eligibility::{
    Benefit, BenefitKind, CoverageReport, EligibilityResponse, EligibilityTrace, Rejection, VERSION,
};
use crate::error::{ErrorKind, X12Error};
use crate::remit::Procedure;
use crate::segment::Segment;
use crate::values::Phi;

/// Reads every 271 transaction set of an in-memory file.
pub fn read_271(bytes: &[u8]) -> Result<Vec<EligibilityResponse>, X12Error> {
    read_all(bytes, |context: Context<'_>, st: &Segment<'_>| {
        expect_kind(context, st, "271", &[VERSION])?;
        Ok(Eligibility271Parser::new(
            &context.transaction.control_number,
        ))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Header,
    Payer,
    Receiver,
    Member,
}

/// Parser for the body of one 271 transaction set.
#[derive(Debug)]
pub struct Eligibility271Parser {
    control_number: String,
    header: Option<(String, crate::values::Date)>,
    level: Level,
    response_payer: Option<Entity>,
    payer_rejections: Vec<Rejection>,
    receiver: Option<Entity>,
    receiver_rejections: Vec<Rejection>,
    members: Vec<CoverageReport>,
    /// Inside an LS/LE pair of the current EB loop.
    in_related: bool,
}

impl Eligibility271Parser {
    /// A parser for the 271 with control number ST02.
    pub fn new(control_number: &str) -> Self {
        Self {
            control_number: control_number.to_owned(),
            header: None,
            level: Level::Header,
            response_payer: None,
            payer_rejections: Vec::new(),
            receiver: None,
            receiver_rejections: Vec::new(),
            members: Vec::new(),
            in_related: false,
        }
    }

    fn hl(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        if self.in_related {
            return Err(seg.segment_error(ErrorKind::MissingSegment("LE")));
        }
        self.level = match seg.req(3)? {
            "20" => Level::Payer,
            "21" => Level::Receiver,
            code @ ("22" | "23") => {
                self.members.push(CoverageReport {
                    hl_id: seg.req(1)?.into(),
                    dependent: code == "23",
                    traces: Vec::new(),
                    member: None,
                    birth_date: None,
                    sex: None,
                    references: Vec::new(),
                    dates: Vec::new(),
                    rejections: Vec::new(),
                    benefits: Vec::new(),
                });
                Level::Member
            }
            other => return Err(seg.invalid(3, other, "20, 21, 22 or 23")),
        };
        Ok(())
    }

    fn member(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let Some(member) = self.members.last_mut() else {
            return Err(unexpected(seg));
        };
        if seg.id() == "EB" && !self.in_related {
            member.benefits.push(read_eb(seg)?);
            return Ok(());
        }
        if let Some(benefit) = member.benefits.last_mut() {
            return benefit_segment(benefit, &mut self.in_related, seg);
        }
        match seg.id() {
            "TRN" => member.traces.push(EligibilityTrace {
                kind: seg.req(1)?.into(),
                number: seg.req(2)?.into(),
                originator: seg.req(3)?.into(),
            }),
            "NM1" => member.member = Some(Entity::from_nm1(seg)?),
            "DMG" => {
                member.birth_date = seg.opt_date(2)?.map(Phi::new);
                member.sex = seg
                    .opt(3)
                    .map(|c| Sex::from_code(c).ok_or_else(|| seg.invalid(3, c, "F, M or U")))
                    .transpose()?;
            }
            "REF" => member.references.push(Reference::from_ref(seg)?),
            "DTP" => member.dates.push(DateRef::from_dtp(seg)?),
            "AAA" => member.rejections.push(read_aaa(seg)?),
            // Addresses, contacts, provider, insured benefit, diagnoses and
            // military information carry nothing billing decides on.
            "N3" | "N4" | "PER" | "PRV" | "INS" | "HI" | "MPI" => {}
            _ => return Err(unexpected(seg)),
        }
        Ok(())
    }
}

fn benefit_segment(
    benefit: &mut Benefit,
    in_related: &mut bool,
    seg: &Segment<'_>,
) -> Result<(), X12Error> {
    if *in_related {
        match seg.id() {
            "NM1" => benefit.related_entities.push(Entity::from_nm1(seg)?),
            "N3" | "N4" | "PER" | "PRV" => {}
            "LE" => *in_related = false,
            _ => return Err(seg.segment_error(ErrorKind::MissingSegment("LE"))),
        }
        return Ok(());
    }
    match seg.id() {
        "HSD" | "III" => {}
        "REF" => benefit.references.push(Reference::from_ref(seg)?),
        "DTP" => benefit.dates.push(DateRef::from_dtp(seg)?),
        "AAA" => benefit.rejections.push(read_aaa(seg)?),
        "MSG" => benefit.messages.push(seg.req(1)?.into()),
        "LS" => *in_related = true,
        _ => return Err(unexpected(seg)),
    }
    Ok(())
}

fn unexpected(seg: &Segment<'_>) -> X12Error {
    seg.segment_error(ErrorKind::UnexpectedSegment("out of place in a 271"))
}

fn read_aaa(seg: &Segment<'_>) -> Result<Rejection, X12Error> {
    let valid_request = match seg.req(1)? {
        "Y" => true,
        "N" => false,
        other => return Err(seg.invalid(1, other, "Y or N")),
    };
    Ok(Rejection {
        valid_request,
        reason: seg.req(3)?.into(),
        follow_up: seg.opt(4).map(Into::into),
    })
}

fn read_eb(seg: &Segment<'_>) -> Result<Benefit, X12Error> {
    let code = seg.req(1)?;
    let owned = |n| seg.opt(n).map(Into::into);
    Ok(Benefit {
        code: code.to_owned(),
        kind: BenefitKind::from_code(code),
        coverage_level: owned(2),
        service_types: seg
            .repetitions(3)
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(Into::into)
            .collect(),
        insurance_type: owned(4),
        plan_description: owned(5),
        time_period: owned(6),
        amount: seg.opt_amount(7)?,
        percent: seg.opt_quantity(8)?,
        quantity_qualifier: owned(9),
        quantity: seg.opt_quantity(10)?,
        authorization_required: owned(11),
        in_network: owned(12),
        procedure: seg.opt(13).map(|_| Procedure::read(seg, 13)).transpose()?,
        dates: Vec::new(),
        references: Vec::new(),
        messages: Vec::new(),
        rejections: Vec::new(),
        related_entities: Vec::new(),
    })
}

impl TransactionParser for Eligibility271Parser {
    type Output = EligibilityResponse;

    fn segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match (seg.id(), self.level) {
            ("BHT", Level::Header) if self.header.is_none() => {
                self.header = Some((seg.req(3)?.into(), seg.date(4)?));
            }
            ("HL", _) => self.hl(seg)?,
            ("NM1", Level::Payer) => self.response_payer = Some(Entity::from_nm1(seg)?),
            ("AAA", Level::Payer) => self.payer_rejections.push(read_aaa(seg)?),
            ("PER", Level::Payer) => {}
            ("NM1", Level::Receiver) => self.receiver = Some(Entity::from_nm1(seg)?),
            ("AAA", Level::Receiver) => self.receiver_rejections.push(read_aaa(seg)?),
            ("REF" | "N3" | "N4" | "PRV", Level::Receiver) => {}
            (_, Level::Member) => self.member(seg)?,
            (_, Level::Header | Level::Payer | Level::Receiver) => return Err(unexpected(seg)),
        }
        Ok(())
    }

    fn finish(self, se: &Segment<'_>) -> Result<EligibilityResponse, X12Error> {
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        if self.in_related {
            return Err(missing("LE"));
        }
        let (reference_id, created) = self.header.ok_or_else(|| missing("BHT"))?;
        if self.response_payer.is_none() {
            return Err(missing("NM1*PR information source"));
        }
        if self.members.iter().any(|m| m.member.is_none()) {
            return Err(missing("NM1 in a subscriber (HL*22) loop"));
        }
        Ok(EligibilityResponse {
            control_number: self.control_number,
            reference_id,
            created,
            payer: self.response_payer,
            payer_rejections: self.payer_rejections,
            receiver: self.receiver,
            receiver_rejections: self.receiver_rejections,
            members: self.members,
        })
    }
}
