//! The 835 reader: a state machine that follows the guide's loops (header,
//! 1000A/B parties, 2000 header number, 2100 claim, 2110 service, PLB).

use std::io::Read;

use crate::common::{Address, AmountRef, Contact, DateRef, Entity, Reference};
use crate::driver::{Context, TransactionParser, expect_kind, read_all, read_stream};
use crate::error::{ErrorKind, X12Error};
use crate::remit::{
    Adjustment, ClaimPayment, ClaimStatus, MedicareAdjudication, Party, Payment, Procedure,
    ProviderAdjustment, QuantityRef, Remark, Remittance, ServicePayment, Trace,
};
use crate::segment::Segment;
use crate::text::Text;

/// The implementation guide versions this reader accepts.
pub const VERSIONS: &[&str] = &["005010X221A1", "005010X221"];

/// Reads every 835 transaction set of an in-memory file.
pub fn read_835(bytes: &[u8]) -> Result<Vec<Remittance>, X12Error> {
    read_all(bytes, start)
}

/// Reads 835 transaction sets from a stream, one at a time, so memory is
/// bounded by the largest transaction set rather than the file.
pub fn read_835_stream<R: Read>(source: R, sink: impl FnMut(Remittance)) -> Result<(), X12Error> {
    read_stream(source, start, sink)
}

fn start(context: Context<'_>, st: &Segment<'_>) -> Result<Remittance835Parser, X12Error> {
    expect_kind(context, st, "835", VERSIONS)?;
    Ok(Remittance835Parser::new(
        &context.transaction.control_number,
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Header,
    Payer,
    Payee,
    Detail,
    Footer,
}

/// Parser for the body of one 835 transaction set.
#[derive(Debug)]
pub struct Remittance835Parser {
    control_number: String,
    area: Area,
    payment: Option<(Payment, crate::error::Position)>,
    trace: Option<Trace>,
    references: Vec<Reference>,
    production_date: Option<crate::values::Date>,
    payer: Option<Party>,
    payee: Option<Party>,
    header_number: Option<u32>,
    claims: Vec<ClaimPayment>,
    claim: Option<ClaimPayment>,
    service: Option<ServicePayment>,
    provider_adjustments: Vec<ProviderAdjustment>,
}

impl Remittance835Parser {
    /// A parser for the transaction set with control number ST02.
    pub fn new(control_number: &str) -> Self {
        Self {
            control_number: control_number.to_owned(),
            area: Area::Header,
            payment: None,
            trace: None,
            references: Vec::new(),
            production_date: None,
            payer: None,
            payee: None,
            header_number: None,
            claims: Vec::new(),
            claim: None,
            service: None,
            provider_adjustments: Vec::new(),
        }
    }

    fn close_service(&mut self) {
        if let (Some(service), Some(claim)) = (self.service.take(), self.claim.as_mut()) {
            claim.services.push(service);
        }
    }

    fn close_claim(&mut self) {
        self.close_service();
        if let Some(claim) = self.claim.take() {
            self.claims.push(claim);
        }
    }

    fn party(&mut self) -> Option<&mut Party> {
        match self.area {
            Area::Payer => self.payer.as_mut(),
            Area::Payee => self.payee.as_mut(),
            Area::Header | Area::Detail | Area::Footer => None,
        }
    }

    fn claim_mut(&mut self, seg: &Segment<'_>) -> Result<&mut ClaimPayment, X12Error> {
        self.claim.as_mut().ok_or_else(|| {
            seg.segment_error(ErrorKind::UnexpectedSegment("outside a claim (CLP) loop"))
        })
    }

    fn header(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match seg.id() {
            "BPR" => {
                if self.payment.is_some() {
                    return Err(seg.segment_error(ErrorKind::UnexpectedSegment("second BPR")));
                }
                self.payment = Some((read_bpr(seg)?, seg.position()));
            }
            "TRN" => {
                self.trace = Some(Trace {
                    number: seg.req(2)?.into(),
                    originator: seg.req(3)?.into(),
                    supplemental: seg.opt(4).map(Into::into),
                });
            }
            "CUR" => {}
            "REF" => self.references.push(Reference::from_ref(seg)?),
            "DTM" => self.production_date = Some(seg.date(2)?),
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "not allowed in the 835 header",
                )));
            }
        }
        Ok(())
    }

    fn detail(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match seg.id() {
            "TS3" | "TS2" => {}
            "CLP" => {
                self.close_claim();
                self.claim = Some(read_clp(seg, self.header_number)?);
            }
            "SVC" => {
                self.claim_mut(seg)?;
                self.close_service();
                self.service = Some(read_svc(seg)?);
            }
            "CAS" => match self.service.as_mut() {
                Some(service) => Adjustment::read_cas(seg, &mut service.adjustments)?,
                None => Adjustment::read_cas(seg, &mut self.claim_mut(seg)?.adjustments)?,
            },
            "NM1" if self.service.is_none() => {
                self.claim_mut(seg)?.names.push(Entity::from_nm1(seg)?)
            }
            "MIA" if self.service.is_none() => {
                self.claim_mut(seg)?.inpatient = Some(MedicareAdjudication {
                    quantity: seg.opt_quantity(1)?,
                    amount: seg.opt_amount(4)?,
                    remark_codes: remarks(seg, &[5, 20, 21, 22, 23]),
                });
            }
            "MOA" if self.service.is_none() => {
                self.claim_mut(seg)?.outpatient = Some(MedicareAdjudication {
                    quantity: seg.opt_quantity(1)?,
                    amount: seg.opt_amount(2)?,
                    remark_codes: remarks(seg, &[3, 4, 5, 6, 7]),
                });
            }
            "PER" if self.service.is_none() => {
                self.claim_mut(seg)?;
            }
            "REF" => {
                let reference = Reference::from_ref(seg)?;
                match self.service.as_mut() {
                    Some(service) if reference.qualifier == "6R" => {
                        service.line_item_control_number = Some(reference.value);
                    }
                    Some(service) => service.references.push(reference),
                    None => self.claim_mut(seg)?.references.push(reference),
                }
            }
            "DTM" => {
                let date = DateRef::from_dtm(seg)?;
                match self.service.as_mut() {
                    Some(service) => service.dates.push(date),
                    None => self.claim_mut(seg)?.dates.push(date),
                }
            }
            "AMT" => {
                let amount = AmountRef::from_amt(seg)?;
                match self.service.as_mut() {
                    Some(service) => service.amounts.push(amount),
                    None => self.claim_mut(seg)?.amounts.push(amount),
                }
            }
            "QTY" => {
                let quantity = QuantityRef {
                    qualifier: seg.req(1)?.into(),
                    quantity: seg
                        .opt_quantity(2)?
                        .ok_or_else(|| seg.error(2, ErrorKind::MissingElement))?,
                };
                match self.service.as_mut() {
                    Some(service) => service.quantities.push(quantity),
                    None => self.claim_mut(seg)?.quantities.push(quantity),
                }
            }
            "LQ" => {
                let remark = Remark {
                    qualifier: seg.req(1)?.into(),
                    code: seg.req(2)?.into(),
                };
                match self.service.as_mut() {
                    Some(service) => service.remarks.push(remark),
                    None => {
                        return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                            "LQ outside a service line",
                        )));
                    }
                }
            }
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "not allowed in an 835 claim loop",
                )));
            }
        }
        Ok(())
    }
}

impl TransactionParser for Remittance835Parser {
    type Output = Remittance;

    fn segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match (seg.id(), self.area) {
            ("N1", Area::Header | Area::Payer | Area::Payee) => {
                let party = Party {
                    name: seg.req(2)?.into(),
                    id_qualifier: seg.opt(3).map(Into::into),
                    id: seg.opt(4).map(Into::into),
                    ..Party::default()
                };
                match seg.req(1)? {
                    "PR" if self.payer.is_none() => {
                        (self.area, self.payer) = (Area::Payer, Some(party))
                    }
                    "PE" if self.payee.is_none() => {
                        (self.area, self.payee) = (Area::Payee, Some(party))
                    }
                    other => {
                        return Err(seg.invalid(1, other, "one PR (payer) and one PE (payee)"));
                    }
                }
            }
            ("N3" | "N4" | "REF" | "PER" | "RDM", Area::Payer | Area::Payee) => {
                let Some(party) = self.party() else {
                    return Ok(());
                };
                match seg.id() {
                    "N3" => party
                        .address
                        .get_or_insert_with(Address::default)
                        .read_n3(seg)?,
                    "N4" => party
                        .address
                        .get_or_insert_with(Address::default)
                        .read_n4(seg)?,
                    "REF" => party.references.push(Reference::from_ref(seg)?),
                    "PER" => party.contacts.push(Contact::from_per(seg)?),
                    _ => {}
                }
            }
            ("LX", Area::Payer | Area::Payee | Area::Detail) => {
                self.close_claim();
                self.area = Area::Detail;
                let raw = seg.req(1)?;
                self.header_number =
                    Some(raw.parse().map_err(|_| seg.invalid(1, raw, "a number"))?);
            }
            ("CLP", Area::Payer | Area::Payee) => {
                self.area = Area::Detail;
                self.detail(seg)?;
            }
            ("PLB", Area::Payer | Area::Payee | Area::Detail | Area::Footer) => {
                self.close_claim();
                self.area = Area::Footer;
                ProviderAdjustment::read_plb(seg, &mut self.provider_adjustments)?;
            }
            (_, Area::Header) => self.header(seg)?,
            (_, Area::Detail) => self.detail(seg)?,
            (_, Area::Payer | Area::Payee | Area::Footer) => {
                return Err(
                    seg.segment_error(ErrorKind::UnexpectedSegment("out of place in an 835"))
                );
            }
        }
        Ok(())
    }

    fn finish(mut self, se: &Segment<'_>) -> Result<Remittance, X12Error> {
        self.close_claim();
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        let (payment, position) = self.payment.ok_or_else(|| missing("BPR"))?;
        Ok(Remittance {
            control_number: Text::from(self.control_number),
            payment,
            trace: Some(self.trace.ok_or_else(|| missing("TRN"))?),
            references: self.references,
            production_date: self.production_date,
            payer: self.payer.ok_or_else(|| missing("N1*PR payer"))?,
            payee: self.payee.ok_or_else(|| missing("N1*PE payee"))?,
            claims: self.claims,
            provider_adjustments: self.provider_adjustments,
            position,
        })
    }
}

fn read_bpr(seg: &Segment<'_>) -> Result<Payment, X12Error> {
    Ok(Payment {
        handling_code: seg.req(1)?.into(),
        amount: seg.amount(2)?,
        credit_debit: seg.req(3)?.into(),
        method: seg.req(4)?.into(),
        format: seg.opt(5).map(Into::into),
        date: seg.date(16)?,
    })
}

fn read_clp(seg: &Segment<'_>, header_number: Option<u32>) -> Result<ClaimPayment, X12Error> {
    let code = seg.req(2)?;
    let status = ClaimStatus::from_code(code)
        .ok_or_else(|| seg.invalid(2, code, "a CLP02 claim status code (1-4, 19-23, 25)"))?;
    Ok(ClaimPayment {
        header_number,
        patient_control_number: seg.req(1)?.into(),
        status,
        total_charge: seg.amount(3)?,
        paid: seg.amount(4)?,
        patient_responsibility: seg.opt_amount(5)?,
        filing_indicator: seg.req(6)?.into(),
        payer_claim_control_number: seg.req(7)?.into(),
        facility_type: seg.opt(8).map(Into::into),
        frequency: seg.opt(9).map(Into::into),
        drg_code: seg.opt(11).map(Into::into),
        adjustments: Vec::new(),
        names: Vec::new(),
        inpatient: None,
        outpatient: None,
        references: Vec::new(),
        dates: Vec::new(),
        amounts: Vec::new(),
        quantities: Vec::new(),
        services: Vec::new(),
        position: seg.position(),
    })
}

fn read_svc(seg: &Segment<'_>) -> Result<ServicePayment, X12Error> {
    Ok(ServicePayment {
        procedure: Procedure::read(seg, 1)?,
        charge: seg.amount(2)?,
        paid: seg.amount(3)?,
        revenue_code: seg.opt(4).map(Into::into),
        units_paid: seg.opt_quantity(5)?,
        submitted_procedure: seg.opt(6).map(|_| Procedure::read(seg, 6)).transpose()?,
        submitted_units: seg.opt_quantity(7)?,
        dates: Vec::new(),
        adjustments: Vec::new(),
        line_item_control_number: None,
        references: Vec::new(),
        amounts: Vec::new(),
        quantities: Vec::new(),
        remarks: Vec::new(),
        position: seg.position(),
    })
}

fn remarks(seg: &Segment<'_>, positions: &[usize]) -> Vec<Text> {
    positions
        .iter()
        .filter_map(|n| seg.opt(*n))
        .map(Into::into)
        .collect()
}
