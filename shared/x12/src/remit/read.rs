//! The 835 reader: a state machine that follows the guide's loops (header,
//! 1000A/B parties, 2000 header number, 2100 claim, 2110 service, PLB).

use std::io::Read;

use crate::common::{Address, AmountRef, Contact, DateRef, Entity, Reference};
use crate::driver::{Context, TransactionParser, expect_kind, read_all, read_stream};
use crate::error::{ErrorKind, X12Error};
use crate::remit::{
    Adjustment, BankAccounts, ClaimPayment, ClaimSpans, ClaimStatus, Detail, MedicareAdjudication,
    Party, Payment, Procedure, ProviderAdjustment, ProviderSummary, QuantityRef, Remark,
    Remittance, ServicePayment, ServiceSpans, Span, Trace,
};
use crate::segment::{Segment, SegmentId};
use crate::text::Text;
use crate::values::Phi;

const AMT: SegmentId = SegmentId::new("AMT");
const BPR: SegmentId = SegmentId::new("BPR");
const CAS: SegmentId = SegmentId::new("CAS");
const CLP: SegmentId = SegmentId::new("CLP");
const CUR: SegmentId = SegmentId::new("CUR");
const DTM: SegmentId = SegmentId::new("DTM");
const LQ: SegmentId = SegmentId::new("LQ");
const LX: SegmentId = SegmentId::new("LX");
const MIA: SegmentId = SegmentId::new("MIA");
const MOA: SegmentId = SegmentId::new("MOA");
const N1: SegmentId = SegmentId::new("N1");
const N3: SegmentId = SegmentId::new("N3");
const N4: SegmentId = SegmentId::new("N4");
const NM1: SegmentId = SegmentId::new("NM1");
const PER: SegmentId = SegmentId::new("PER");
const PLB: SegmentId = SegmentId::new("PLB");
const QTY: SegmentId = SegmentId::new("QTY");
const RDM: SegmentId = SegmentId::new("RDM");
const REF: SegmentId = SegmentId::new("REF");
const SVC: SegmentId = SegmentId::new("SVC");
const TRN: SegmentId = SegmentId::new("TRN");
const TS2: SegmentId = SegmentId::new("TS2");
const TS3: SegmentId = SegmentId::new("TS3");

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

/// Which loop the next claim-level segment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// No claim yet (or the claims are over).
    Nothing,
    /// A CLP before its first SVC: entries belong to the claim.
    Claim,
    /// An SVC: entries belong to the last service line.
    Service,
}

/// Parser for the body of one 835 transaction set.
///
/// Claims and lines are appended to the remittance's flat lists as their
/// segments arrive. An owner's entries of one kind are always contiguous
/// (a claim's own segments come before its first SVC, a line's before the
/// next SVC or CLP), so each owner records where its runs start when it
/// opens and where they end when the next owner opens.
#[derive(Debug)]
pub struct Remittance835Parser {
    control_number: Text,
    area: Area,
    payment: Option<(Payment, crate::error::Position)>,
    trace: Option<Trace>,
    references: Vec<Reference>,
    production_date: Option<crate::values::Date>,
    payer: Option<Party>,
    payee: Option<Party>,
    header_number: Option<u32>,
    claims: Vec<ClaimPayment>,
    detail: Detail,
    open: Open,
    provider_summaries: Vec<ProviderSummary>,
    provider_adjustments: Vec<ProviderAdjustment>,
}

/// The length of a list as a span bound.
fn bound<T>(list: &[T], seg: &Segment<'_>) -> Result<u32, X12Error> {
    u32::try_from(list.len()).map_err(|_| {
        seg.segment_error(ErrorKind::UnexpectedSegment(
            "more entries than one 835 transaction set can hold (4,294,967,295)",
        ))
    })
}

impl Remittance835Parser {
    /// A parser for the transaction set with control number ST02.
    pub fn new(control_number: &str) -> Self {
        Self {
            control_number: Text::new(control_number),
            area: Area::Header,
            payment: None,
            trace: None,
            references: Vec::new(),
            production_date: None,
            payer: None,
            payee: None,
            header_number: None,
            claims: Vec::new(),
            detail: Detail::default(),
            open: Open::Nothing,
            provider_summaries: Vec::new(),
            provider_adjustments: Vec::new(),
        }
    }

    /// Ends the runs of the open claim's own entries (before its lines).
    fn seal_claim_header(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let d = &self.detail;
        let ends = [
            bound(&d.adjustments, seg)?,
            bound(&d.names, seg)?,
            bound(&d.references, seg)?,
            bound(&d.dates, seg)?,
            bound(&d.amounts, seg)?,
            bound(&d.quantities, seg)?,
        ];
        if let Some(claim) = self.claims.last_mut() {
            let s = &mut claim.spans;
            let [adjustments, names, references, dates, amounts, quantities] = ends;
            s.adjustments.end_at(adjustments);
            s.names.end_at(names);
            s.references.end_at(references);
            s.dates.end_at(dates);
            s.amounts.end_at(amounts);
            s.quantities.end_at(quantities);
        }
        Ok(())
    }

    /// Ends the runs of the open service line's entries.
    fn seal_service(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let d = &mut self.detail;
        let ends = [
            bound(&d.dates, seg)?,
            bound(&d.adjustments, seg)?,
            bound(&d.references, seg)?,
            bound(&d.amounts, seg)?,
            bound(&d.quantities, seg)?,
            bound(&d.remarks, seg)?,
        ];
        if let Some(service) = d.services.last_mut() {
            let s = &mut service.spans;
            let [dates, adjustments, references, amounts, quantities, remarks] = ends;
            s.dates.end_at(dates);
            s.adjustments.end_at(adjustments);
            s.references.end_at(references);
            s.amounts.end_at(amounts);
            s.quantities.end_at(quantities);
            s.remarks.end_at(remarks);
        }
        Ok(())
    }

    /// Closes whatever claim is open, with its lines.
    fn close_claim(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match self.open {
            Open::Nothing => return Ok(()),
            Open::Claim => self.seal_claim_header(seg)?,
            Open::Service => self.seal_service(seg)?,
        }
        let services = bound(&self.detail.services, seg)?;
        if let Some(claim) = self.claims.last_mut() {
            claim.spans.services.end_at(services);
        }
        self.open = Open::Nothing;
        Ok(())
    }

    fn open_claim(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        self.close_claim(seg)?;
        let d = &self.detail;
        let spans = ClaimSpans {
            adjustments: Span::empty_at(bound(&d.adjustments, seg)?),
            names: Span::empty_at(bound(&d.names, seg)?),
            references: Span::empty_at(bound(&d.references, seg)?),
            dates: Span::empty_at(bound(&d.dates, seg)?),
            amounts: Span::empty_at(bound(&d.amounts, seg)?),
            quantities: Span::empty_at(bound(&d.quantities, seg)?),
            services: Span::empty_at(bound(&d.services, seg)?),
        };
        self.claims.push(read_clp(seg, self.header_number, spans)?);
        self.open = Open::Claim;
        Ok(())
    }

    fn open_service(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match self.open {
            Open::Nothing => {
                return Err(
                    seg.segment_error(ErrorKind::UnexpectedSegment("outside a claim (CLP) loop"))
                );
            }
            Open::Claim => self.seal_claim_header(seg)?,
            Open::Service => self.seal_service(seg)?,
        }
        let d = &self.detail;
        let spans = ServiceSpans {
            dates: Span::empty_at(bound(&d.dates, seg)?),
            adjustments: Span::empty_at(bound(&d.adjustments, seg)?),
            references: Span::empty_at(bound(&d.references, seg)?),
            amounts: Span::empty_at(bound(&d.amounts, seg)?),
            quantities: Span::empty_at(bound(&d.quantities, seg)?),
            remarks: Span::empty_at(bound(&d.remarks, seg)?),
        };
        let service = read_svc(seg, spans)?;
        self.detail.services.push(service);
        self.open = Open::Service;
        Ok(())
    }

    fn party(&mut self) -> Option<&mut Party> {
        match self.area {
            Area::Payer => self.payer.as_mut(),
            Area::Payee => self.payee.as_mut(),
            Area::Header | Area::Detail | Area::Footer => None,
        }
    }

    /// The open claim, for segments only a claim (not a line) may hold.
    fn claim_only(&mut self, seg: &Segment<'_>) -> Result<&mut ClaimPayment, X12Error> {
        match (self.open, self.claims.last_mut()) {
            (Open::Claim, Some(claim)) => Ok(claim),
            (Open::Service, _) => Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                "a claim-level segment inside a service line (SVC) loop",
            ))),
            _ => Err(seg.segment_error(ErrorKind::UnexpectedSegment("outside a claim (CLP) loop"))),
        }
    }

    /// Checks that a claim is open, for entries a claim or a line may hold.
    fn in_claim(&self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match self.open {
            Open::Nothing => {
                Err(seg.segment_error(ErrorKind::UnexpectedSegment("outside a claim (CLP) loop")))
            }
            Open::Claim | Open::Service => Ok(()),
        }
    }

    fn header(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match seg.code() {
            BPR => {
                if self.payment.is_some() {
                    return Err(seg.segment_error(ErrorKind::UnexpectedSegment("second BPR")));
                }
                self.payment = Some((read_bpr(seg)?, seg.position()));
            }
            TRN => {
                self.trace = Some(Trace {
                    number: seg.req(2)?.into(),
                    originator: seg.req(3)?.into(),
                    supplemental: seg.opt(4).map(Into::into),
                });
            }
            CUR => {}
            REF => self.references.push(Reference::from_ref(seg)?),
            DTM => self.production_date = Some(seg.date(2)?),
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "not allowed in the 835 header",
                )));
            }
        }
        Ok(())
    }

    fn detail(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match seg.code() {
            // TS2 (Medicare inpatient totals) is not modelled.
            TS2 => {}
            TS3 => {
                let header_number = match (self.open, self.header_number) {
                    (Open::Nothing, Some(n)) => n,
                    _ => {
                        return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                            "TS3 outside the top of a header number (LX) loop",
                        )));
                    }
                };
                self.provider_summaries.push(read_ts3(seg, header_number)?);
            }
            CLP => self.open_claim(seg)?,
            SVC => self.open_service(seg)?,
            CAS => {
                self.in_claim(seg)?;
                Adjustment::read_cas(seg, &mut self.detail.adjustments)?;
            }
            NM1 => {
                self.claim_only(seg)?;
                self.detail.names.push(Entity::from_nm1(seg)?);
            }
            MIA => {
                self.claim_only(seg)?.inpatient = Some(Box::new(MedicareAdjudication {
                    quantity: seg.opt_quantity(1)?,
                    amount: seg.opt_amount(4)?,
                    remark_codes: remarks(seg, &[5, 20, 21, 22, 23]),
                }));
            }
            MOA => {
                self.claim_only(seg)?.outpatient = Some(Box::new(MedicareAdjudication {
                    quantity: seg.opt_quantity(1)?,
                    amount: seg.opt_amount(2)?,
                    remark_codes: remarks(seg, &[3, 4, 5, 6, 7]),
                }));
            }
            PER => {
                self.claim_only(seg)?;
            }
            REF => {
                self.in_claim(seg)?;
                let reference = Reference::from_ref(seg)?;
                match (self.open, self.detail.services.last_mut()) {
                    (Open::Service, Some(service)) if reference.qualifier == "6R" => {
                        service.line_item_control_number = Some(reference.value);
                    }
                    _ => self.detail.references.push(reference),
                }
            }
            DTM => {
                self.in_claim(seg)?;
                self.detail.dates.push(DateRef::from_dtm(seg)?);
            }
            AMT => {
                self.in_claim(seg)?;
                self.detail.amounts.push(AmountRef::from_amt(seg)?);
            }
            QTY => {
                self.in_claim(seg)?;
                let quantity = QuantityRef {
                    qualifier: seg.req(1)?.into(),
                    quantity: seg
                        .opt_quantity(2)?
                        .ok_or_else(|| seg.error(2, ErrorKind::MissingElement))?,
                };
                self.detail.quantities.push(quantity);
            }
            LQ => {
                if self.open != Open::Service {
                    return Err(seg
                        .segment_error(ErrorKind::UnexpectedSegment("LQ outside a service line")));
                }
                self.detail.remarks.push(Remark {
                    qualifier: seg.req(1)?.into(),
                    code: seg.req(2)?.into(),
                });
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
        match (seg.code(), self.area) {
            (N1, Area::Header | Area::Payer | Area::Payee) => {
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
            (N3 | N4 | REF | PER | RDM, Area::Payer | Area::Payee) => {
                let Some(party) = self.party() else {
                    return Ok(());
                };
                match seg.code() {
                    N3 => party
                        .address
                        .get_or_insert_with(Address::default)
                        .read_n3(seg)?,
                    N4 => party
                        .address
                        .get_or_insert_with(Address::default)
                        .read_n4(seg)?,
                    REF => party.references.push(Reference::from_ref(seg)?),
                    PER => party.contacts.push(Contact::from_per(seg)?),
                    _ => {}
                }
            }
            (LX, Area::Payer | Area::Payee | Area::Detail) => {
                self.close_claim(seg)?;
                self.area = Area::Detail;
                let raw = seg.req(1)?;
                self.header_number =
                    Some(raw.parse().map_err(|_| seg.invalid(1, raw, "a number"))?);
            }
            (CLP, Area::Payer | Area::Payee) => {
                self.area = Area::Detail;
                self.detail(seg)?;
            }
            (PLB, Area::Payer | Area::Payee | Area::Detail | Area::Footer) => {
                self.close_claim(seg)?;
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
        self.close_claim(se)?;
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        let (payment, position) = self.payment.ok_or_else(|| missing("BPR"))?;
        Ok(Remittance {
            control_number: self.control_number,
            payment,
            trace: Some(self.trace.ok_or_else(|| missing("TRN"))?),
            references: self.references,
            production_date: self.production_date,
            payer: self.payer.ok_or_else(|| missing("N1*PR payer"))?,
            payee: self.payee.ok_or_else(|| missing("N1*PE payee"))?,
            provider_summaries: self.provider_summaries,
            provider_adjustments: self.provider_adjustments,
            position,
            claims: self.claims,
            detail: self.detail,
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
        accounts: read_accounts(seg),
        date: seg.date(16)?,
    })
}

/// TS313-TS324 positions that hold amounts (TS323 is a count).
pub(crate) const TS3_AMOUNTS: [u8; 8] = [13, 15, 17, 18, 20, 21, 22, 24];

fn read_ts3(seg: &Segment<'_>, header_number: u32) -> Result<ProviderSummary, X12Error> {
    let mut amounts = Vec::new();
    for n in TS3_AMOUNTS {
        if let Some(amount) = seg.opt_amount(usize::from(n))? {
            amounts.push((n, amount));
        }
    }
    Ok(ProviderSummary {
        header_number,
        provider_id: seg.req(1)?.into(),
        facility_type: seg.req(2)?.into(),
        fiscal_period_end: seg.date(3)?,
        claim_count: seg
            .opt_quantity(4)?
            .ok_or_else(|| seg.error(4, ErrorKind::MissingElement))?,
        total_charge: seg.amount(5)?,
        amounts,
        pip_claim_count: seg.opt_quantity(23)?,
    })
}

/// BPR06-BPR15, when any is present.
fn read_accounts(seg: &Segment<'_>) -> Option<Box<BankAccounts>> {
    if (6..=15).all(|n| seg.opt(n).is_none()) {
        return None;
    }
    let text = |n| seg.opt(n).map(Text::new);
    let phi = |n| seg.opt(n).map(|v| Phi::new(Text::new(v)));
    Some(Box::new(BankAccounts {
        payer_bank_qualifier: text(6),
        payer_bank_id: text(7),
        payer_account_qualifier: text(8),
        payer_account: phi(9),
        originator_id: text(10),
        originator_supplemental: text(11),
        payee_bank_qualifier: text(12),
        payee_bank_id: text(13),
        payee_account_qualifier: text(14),
        payee_account: phi(15),
    }))
}

fn read_clp(
    seg: &Segment<'_>,
    header_number: Option<u32>,
    spans: ClaimSpans,
) -> Result<ClaimPayment, X12Error> {
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
        inpatient: None,
        outpatient: None,
        position: seg.position(),
        spans,
    })
}

fn read_svc(seg: &Segment<'_>, spans: ServiceSpans) -> Result<ServicePayment, X12Error> {
    Ok(ServicePayment {
        procedure: Procedure::read(seg, 1)?,
        charge: seg.amount(2)?,
        paid: seg.amount(3)?,
        revenue_code: seg.opt(4).map(Into::into),
        units_paid: seg.opt_quantity(5)?,
        submitted_procedure: seg
            .opt(6)
            .map(|_| Procedure::read(seg, 6).map(Box::new))
            .transpose()?,
        submitted_units: seg.opt_quantity(7)?,
        line_item_control_number: None,
        position: seg.position(),
        spans,
    })
}

fn remarks(seg: &Segment<'_>, positions: &[usize]) -> Vec<Text> {
    positions
        .iter()
        .filter_map(|n| seg.opt(*n))
        .map(Into::into)
        .collect()
}
