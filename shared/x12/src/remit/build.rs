//! Building a [`Remittance`] in code (for the 835 writer's callers: tests,
//! the payer simulator): claims and lines are given as owned trees
//! ([`ClaimEntry`], [`ServiceEntry`]) and stored in the remittance's flat
//! lists; [`ClaimRef::to_entry`] turns a read claim back into a tree.

use crate::common::{AmountRef, DateRef, Entity, Reference};
use crate::error::Position;
use crate::remit::{
    Adjustment, ClaimPayment, ClaimRef, ClaimSpans, ClaimStatus, Detail, MedicareAdjudication,
    Party, Payment, Procedure, QuantityRef, Remark, Remittance, ServicePayment, ServiceRef,
    ServiceSpans, Span, Trace,
};
use crate::text::Text;
use crate::values::{Amount, Quantity};

/// Loop 2100 as an owned tree: one claim with everything it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimEntry {
    /// LX01 of the header-number loop the claim sits in.
    pub header_number: Option<u32>,
    /// CLP01: the provider's patient control number.
    pub patient_control_number: Text,
    /// CLP02.
    pub status: ClaimStatus,
    /// CLP03.
    pub total_charge: Amount,
    /// CLP04.
    pub paid: Amount,
    /// CLP05.
    pub patient_responsibility: Option<Amount>,
    /// CLP06.
    pub filing_indicator: Text,
    /// CLP07: the payer's claim control number.
    pub payer_claim_control_number: Text,
    /// CLP08.
    pub facility_type: Option<Text>,
    /// CLP09.
    pub frequency: Option<Text>,
    /// CLP11.
    pub drg_code: Option<Text>,
    /// MIA.
    pub inpatient: Option<MedicareAdjudication>,
    /// MOA.
    pub outpatient: Option<MedicareAdjudication>,
    /// Claim-level CAS, one entry per triple.
    pub adjustments: Vec<Adjustment>,
    /// NM1 segments (QC patient, IL insured, 74 corrected, 82 rendering, ...).
    pub names: Vec<Entity>,
    /// Claim REF segments.
    pub references: Vec<Reference>,
    /// Claim DTM segments (single dates; DTM has no ranges).
    pub dates: Vec<DateRef>,
    /// Claim AMT segments.
    pub amounts: Vec<AmountRef>,
    /// Claim QTY segments.
    pub quantities: Vec<QuantityRef>,
    /// Loop 2110 service lines.
    pub services: Vec<ServiceEntry>,
}

/// Loop 2110 as an owned tree: one service line with what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEntry {
    /// SVC01 as adjudicated.
    pub procedure: Procedure,
    /// SVC02.
    pub charge: Amount,
    /// SVC03.
    pub paid: Amount,
    /// SVC04.
    pub revenue_code: Option<Text>,
    /// SVC05.
    pub units_paid: Option<Quantity>,
    /// SVC06.
    pub submitted_procedure: Option<Procedure>,
    /// SVC07.
    pub submitted_units: Option<Quantity>,
    /// REF*6R.
    pub line_item_control_number: Option<Text>,
    /// Line DTM segments (472, 150, 151).
    pub dates: Vec<DateRef>,
    /// Line CAS, one entry per triple.
    pub adjustments: Vec<Adjustment>,
    /// Line REF segments other than 6R.
    pub references: Vec<Reference>,
    /// Line AMT segments (B6 allowed, ...).
    pub amounts: Vec<AmountRef>,
    /// Line QTY segments.
    pub quantities: Vec<QuantityRef>,
    /// LQ remark codes.
    pub remarks: Vec<Remark>,
}

/// A list's length as a span bound. A remittance in memory cannot hold
/// 2^32 entries of one kind, so saturating never changes a real bound.
fn at<T>(list: &[T]) -> u32 {
    u32::try_from(list.len()).unwrap_or(u32::MAX)
}

/// Appends `items` to `list` and returns the span they occupy.
fn append<T>(list: &mut Vec<T>, items: Vec<T>) -> Span {
    let mut span = Span::empty_at(at(list));
    list.extend(items);
    span.end_at(at(list));
    span
}

impl Remittance {
    /// A remittance with no claims, TS3 summaries, PLB adjustments, header
    /// references or production date yet (set the public fields, add claims with
    /// [`Remittance::push_claim`]).
    pub fn new(
        control_number: &str,
        payment: Payment,
        trace: Trace,
        payer: Party,
        payee: Party,
    ) -> Self {
        Self {
            control_number: Text::new(control_number),
            payment,
            trace: Some(trace),
            references: Vec::new(),
            production_date: None,
            payer,
            payee,
            provider_summaries: Vec::new(),
            provider_adjustments: Vec::new(),
            position: Position::default(),
            claims: Vec::new(),
            detail: Detail::default(),
        }
    }

    /// Adds a claim after the last one.
    pub fn push_claim(&mut self, claim: ClaimEntry) {
        let d = &mut self.detail;
        let spans_before_lines = ClaimSpans {
            adjustments: append(&mut d.adjustments, claim.adjustments),
            names: append(&mut d.names, claim.names),
            references: append(&mut d.references, claim.references),
            dates: append(&mut d.dates, claim.dates),
            amounts: append(&mut d.amounts, claim.amounts),
            quantities: append(&mut d.quantities, claim.quantities),
            services: Span::empty_at(at(&d.services)),
        };
        let mut spans = spans_before_lines;
        for line in claim.services {
            let line_spans = ServiceSpans {
                dates: append(&mut d.dates, line.dates),
                adjustments: append(&mut d.adjustments, line.adjustments),
                references: append(&mut d.references, line.references),
                amounts: append(&mut d.amounts, line.amounts),
                quantities: append(&mut d.quantities, line.quantities),
                remarks: append(&mut d.remarks, line.remarks),
            };
            d.services.push(ServicePayment {
                procedure: line.procedure,
                charge: line.charge,
                paid: line.paid,
                revenue_code: line.revenue_code,
                units_paid: line.units_paid,
                submitted_procedure: line.submitted_procedure.map(Box::new),
                submitted_units: line.submitted_units,
                line_item_control_number: line.line_item_control_number,
                position: Position::default(),
                spans: line_spans,
            });
        }
        spans.services.end_at(at(&d.services));
        self.claims.push(ClaimPayment {
            header_number: claim.header_number,
            patient_control_number: claim.patient_control_number,
            status: claim.status,
            total_charge: claim.total_charge,
            paid: claim.paid,
            patient_responsibility: claim.patient_responsibility,
            filing_indicator: claim.filing_indicator,
            payer_claim_control_number: claim.payer_claim_control_number,
            facility_type: claim.facility_type,
            frequency: claim.frequency,
            drg_code: claim.drg_code,
            inpatient: claim.inpatient.map(Box::new),
            outpatient: claim.outpatient.map(Box::new),
            position: Position::default(),
            spans,
        });
    }

    /// Every claim as an owned tree, in order: what two remittances are
    /// compared on when where their segments sat does not matter.
    pub fn entries(&self) -> Vec<ClaimEntry> {
        self.claims().map(|c| c.to_entry()).collect()
    }
}

impl ClaimRef<'_> {
    /// The claim as an owned tree (positions left out).
    pub fn to_entry(&self) -> ClaimEntry {
        let c = self.claim();
        ClaimEntry {
            header_number: c.header_number,
            patient_control_number: c.patient_control_number.clone(),
            status: c.status,
            total_charge: c.total_charge,
            paid: c.paid,
            patient_responsibility: c.patient_responsibility,
            filing_indicator: c.filing_indicator.clone(),
            payer_claim_control_number: c.payer_claim_control_number.clone(),
            facility_type: c.facility_type.clone(),
            frequency: c.frequency.clone(),
            drg_code: c.drg_code.clone(),
            inpatient: c.inpatient.as_deref().cloned(),
            outpatient: c.outpatient.as_deref().cloned(),
            adjustments: self.adjustments().to_vec(),
            names: self.names().to_vec(),
            references: self.references().to_vec(),
            dates: self.dates().to_vec(),
            amounts: self.amounts().to_vec(),
            quantities: self.quantities().to_vec(),
            services: self.services().map(|s| s.to_entry()).collect(),
        }
    }
}

impl ServiceRef<'_> {
    /// The line as an owned tree (position left out).
    pub fn to_entry(&self) -> ServiceEntry {
        let s = self.service();
        ServiceEntry {
            procedure: s.procedure.clone(),
            charge: s.charge,
            paid: s.paid,
            revenue_code: s.revenue_code.clone(),
            units_paid: s.units_paid,
            submitted_procedure: s.submitted_procedure.as_deref().cloned(),
            submitted_units: s.submitted_units,
            line_item_control_number: s.line_item_control_number.clone(),
            dates: self.dates().to_vec(),
            adjustments: self.adjustments().to_vec(),
            references: self.references().to_vec(),
            amounts: self.amounts().to_vec(),
            quantities: self.quantities().to_vec(),
            remarks: self.remarks().to_vec(),
        }
    }
}
