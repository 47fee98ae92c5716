//! 835 health care claim payment/advice (005010X221A1): the typed
//! remittance, its reader and its balancing rules.

mod adjustments;
pub mod balance;
mod build;
mod procedure;
mod read;
mod view;
mod write;

use serde::Serialize;

use crate::common::Address;
use crate::common::{AmountRef, Contact, DateRef, Entity, Reference};
use crate::error::Position;
use crate::text::Text;
use crate::values::{Amount, Date, Phi, Quantity};

pub use adjustments::{Adjustment, AdjustmentGroup, ClaimStatus, ProviderAdjustment};
pub use build::{ClaimEntry, ServiceEntry};
pub use procedure::{Modifiers, Procedure};
pub use read::{Remittance835Parser, VERSIONS, read_835, read_835_stream};
pub use view::{ClaimRef, ServiceRef};
pub use write::{VERSION, write_835};

/// One 835 transaction set: one payment and the claims it pays.
///
/// The claims, their service lines and everything inside them (CAS
/// triples, names, references, dates, amounts, quantities, remarks) are
/// kept in a few flat lists, one per kind, in file order; each claim and
/// line holds the [`Span`] of its entries. Reading a remittance therefore
/// costs a handful of growing lists rather than several small allocations
/// per claim. [`Remittance::claims`] walks the claims as [`ClaimRef`]s,
/// which resolve those spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remittance {
    /// ST02.
    pub control_number: Text,
    /// BPR: the payment.
    pub payment: Payment,
    /// TRN: the check or EFT trace.
    pub trace: Option<Trace>,
    /// Header REF segments (EV receiver id, F2 version).
    pub references: Vec<Reference>,
    /// DTM*405 production date.
    pub production_date: Option<Date>,
    /// Loop 1000A.
    pub payer: Party,
    /// Loop 1000B.
    pub payee: Party,
    /// TS3 provider summaries of the header-number (LX) loops, in order.
    pub provider_summaries: Vec<ProviderSummary>,
    /// Every PLB adjustment, in order.
    pub provider_adjustments: Vec<ProviderAdjustment>,
    /// Segment ordinal of the BPR (for findings).
    pub position: Position,
    /// Every CLP in the file, in order.
    pub(crate) claims: Vec<ClaimPayment>,
    /// What the claims hold.
    pub(crate) detail: Detail,
}

/// The flat lists behind a remittance's claims and lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Detail {
    pub(crate) services: Vec<ServicePayment>,
    pub(crate) adjustments: Vec<Adjustment>,
    pub(crate) names: Vec<Entity>,
    pub(crate) references: Vec<Reference>,
    pub(crate) dates: Vec<DateRef>,
    pub(crate) amounts: Vec<AmountRef>,
    pub(crate) quantities: Vec<QuantityRef>,
    pub(crate) remarks: Vec<Remark>,
}

/// A run of entries in one of a remittance's flat lists: the entries a
/// claim or line owns of one kind (half-open, `start..end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// An empty run starting at `at`.
    pub(crate) fn empty_at(at: u32) -> Self {
        Self { start: at, end: at }
    }

    /// Extends the run to end at `end` (the list's new length).
    pub(crate) fn end_at(&mut self, end: u32) {
        self.end = end;
    }

    /// How many entries the run holds.
    pub fn len(self) -> usize {
        usize::try_from(self.end.saturating_sub(self.start)).unwrap_or(0)
    }

    /// Whether the run holds nothing.
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// The entries of `list` the run covers (empty if it lies outside).
    pub(crate) fn of<T>(self, list: &[T]) -> &[T] {
        let (Ok(start), Ok(end)) = (usize::try_from(self.start), usize::try_from(self.end)) else {
            return &[];
        };
        list.get(start..end).unwrap_or(&[])
    }
}

impl Remittance {
    /// The claims (loop 2100), in file order.
    pub fn claims(&self) -> impl ExactSizeIterator<Item = ClaimRef<'_>> + DoubleEndedIterator {
        self.claims.iter().map(|claim| ClaimRef {
            claim,
            detail: &self.detail,
        })
    }

    /// Claim `n` (0-based, in file order).
    pub fn claim(&self, n: usize) -> Option<ClaimRef<'_>> {
        self.claims.get(n).map(|claim| ClaimRef {
            claim,
            detail: &self.detail,
        })
    }

    /// How many claims the remittance holds.
    pub fn claim_count(&self) -> usize {
        self.claims.len()
    }

    /// How many service lines the remittance holds, over all claims.
    pub fn service_count(&self) -> usize {
        self.detail.services.len()
    }
}

/// BPR: the financial information of the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// BPR01: `I` remittance with payment, `H` notification only, ...
    pub handling_code: Text,
    /// BPR02.
    pub amount: Amount,
    /// BPR03: `C` credit or `D` debit.
    pub credit_debit: Text,
    /// BPR04: `ACH`, `CHK`, `BOP`, `FWT`, `NON`.
    pub method: Text,
    /// BPR05 when present (`CCP`, `CTX`).
    pub format: Option<Text>,
    /// BPR06-BPR15: the banks and accounts of an EFT (`ACH`, `BOP`,
    /// `FWT`); `None` for a check or no payment.
    pub accounts: Option<Box<BankAccounts>>,
    /// BPR16: check issue or EFT effective date.
    pub date: Date,
}

/// BPR06-BPR15: where an EFT comes from and goes to. Account numbers are
/// kept out of logs like PHI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct BankAccounts {
    /// BPR06: the payer's bank id qualifier (`01` ABA routing number).
    pub payer_bank_qualifier: Option<Text>,
    /// BPR07: the payer's bank (routing) number.
    pub payer_bank_id: Option<Text>,
    /// BPR08: the payer's account number qualifier (`DA` demand deposit).
    pub payer_account_qualifier: Option<Text>,
    /// BPR09: the payer's account number.
    pub payer_account: Option<Phi<Text>>,
    /// BPR10: the payer's identifier (`1` and its EIN), as in TRN03.
    pub originator_id: Option<Text>,
    /// BPR11: originating company supplemental code.
    pub originator_supplemental: Option<Text>,
    /// BPR12: the payee's bank id qualifier.
    pub payee_bank_qualifier: Option<Text>,
    /// BPR13: the payee's bank (routing) number.
    pub payee_bank_id: Option<Text>,
    /// BPR14: the payee's account number qualifier (`DA`, `SG` savings).
    pub payee_account_qualifier: Option<Text>,
    /// BPR15: the payee's account number.
    pub payee_account: Option<Phi<Text>>,
}

impl BankAccounts {
    /// BPR06-BPR15 in order, empty where absent.
    pub(crate) fn elements(&self) -> [&str; 10] {
        fn text(v: &Option<Text>) -> &str {
            v.as_deref().unwrap_or("")
        }
        fn phi(v: &Option<Phi<Text>>) -> &str {
            v.as_ref().map_or("", |p| p.expose().as_str())
        }
        [
            text(&self.payer_bank_qualifier),
            text(&self.payer_bank_id),
            text(&self.payer_account_qualifier),
            phi(&self.payer_account),
            text(&self.originator_id),
            text(&self.originator_supplemental),
            text(&self.payee_bank_qualifier),
            text(&self.payee_bank_id),
            text(&self.payee_account_qualifier),
            phi(&self.payee_account),
        ]
    }
}

/// TRN: reassociation trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// TRN02: check or EFT trace number.
    pub number: Text,
    /// TRN03: payer identifier.
    pub originator: Text,
    /// TRN04.
    pub supplemental: Option<Text>,
}

/// A payer or payee (N1 loop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Party {
    /// N102.
    pub name: Text,
    /// N103, e.g. `XX` NPI, `FI` tax id, `XV` plan id.
    pub id_qualifier: Option<Text>,
    /// N104.
    pub id: Option<Text>,
    /// N3/N4.
    pub address: Option<Address>,
    /// REF segments of the loop.
    pub references: Vec<Reference>,
    /// PER segments of the loop.
    pub contacts: Vec<Contact>,
}

/// Loop 2100: the payer's decision on one claim. What the claim holds
/// (adjustments, names, service lines, ...) is read through a [`ClaimRef`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPayment {
    /// LX01 of the header-number loop the claim sits in.
    pub header_number: Option<u32>,
    /// CLP01: the provider's patient control number (our claim id).
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
    /// CLP07: the payer's claim control number (ICN).
    pub payer_claim_control_number: Text,
    /// CLP08.
    pub facility_type: Option<Text>,
    /// CLP09.
    pub frequency: Option<Text>,
    /// CLP11.
    pub drg_code: Option<Text>,
    /// MIA: inpatient adjudication.
    pub inpatient: Option<Box<MedicareAdjudication>>,
    /// MOA: outpatient adjudication.
    pub outpatient: Option<Box<MedicareAdjudication>>,
    /// Segment ordinal of the CLP.
    pub position: Position,
    /// Claim-level CAS triples, NM1 names, REF, DTM, AMT and QTY segments
    /// and the 2110 service lines, as runs of the remittance's lists.
    pub(crate) spans: ClaimSpans,
}

/// Where a claim's entries sit in the remittance's flat lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ClaimSpans {
    pub(crate) adjustments: Span,
    pub(crate) names: Span,
    pub(crate) references: Span,
    pub(crate) dates: Span,
    pub(crate) amounts: Span,
    pub(crate) quantities: Span,
    pub(crate) services: Span,
}

/// MIA/MOA: Medicare adjudication remarks and the main figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct MedicareAdjudication {
    /// MIA01 covered days, or MOA01 reimbursement rate.
    pub quantity: Option<Quantity>,
    /// MIA04 claim DRG amount, or MOA02 claim HCPCS payable amount.
    pub amount: Option<Amount>,
    /// Remark codes (MIA05, MIA20-22; MOA03-07).
    pub remark_codes: Vec<Text>,
}

/// TS3: the provider summary at the top of one header-number (LX) loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderSummary {
    /// LX01 of the loop it summarizes.
    pub header_number: u32,
    /// TS301: the provider's identifier.
    pub provider_id: Text,
    /// TS302: facility type code (place of service, or the type of bill's
    /// first two digits).
    pub facility_type: Text,
    /// TS303: last day of the provider's fiscal year.
    pub fiscal_period_end: Date,
    /// TS304: total claim count.
    pub claim_count: Quantity,
    /// TS305: total claim charge amount.
    pub total_charge: Amount,
    /// Other monetary totals as (element position, amount): TS313 MSP
    /// payer, TS315 non-lab charge, TS317 HCPCS reported charge, TS318
    /// HCPCS payable, TS320 professional component, TS321 MSP patient
    /// liability met, TS322 patient reimbursement, TS324 PIP adjustment.
    pub amounts: Vec<(u8, Amount)>,
    /// TS323: total periodic interim payment claim count.
    pub pip_claim_count: Option<Quantity>,
}

/// A qualified quantity (QTY).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuantityRef {
    /// QTY01.
    pub qualifier: Text,
    /// QTY02.
    pub quantity: Quantity,
}

/// Loop 2110: the payer's decision on one service line. Its dates,
/// adjustments and remarks are read through a [`ServiceRef`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePayment {
    /// SVC01 as adjudicated.
    pub procedure: Procedure,
    /// SVC02.
    pub charge: Amount,
    /// SVC03.
    pub paid: Amount,
    /// SVC04: NUBC revenue code.
    pub revenue_code: Option<Text>,
    /// SVC05 (1 when absent, per the guide).
    pub units_paid: Option<Quantity>,
    /// SVC06: the procedure as submitted, when the payer changed it.
    pub submitted_procedure: Option<Box<Procedure>>,
    /// SVC07.
    pub submitted_units: Option<Quantity>,
    /// REF*6R: the line item control number sent in the 837.
    pub line_item_control_number: Option<Text>,
    /// Segment ordinal of the SVC.
    pub position: Position,
    /// Line DTM, CAS triples, other REF, AMT, QTY and LQ segments, as runs
    /// of the remittance's lists.
    pub(crate) spans: ServiceSpans,
}

/// Where a service line's entries sit in the remittance's flat lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ServiceSpans {
    pub(crate) dates: Span,
    pub(crate) adjustments: Span,
    pub(crate) references: Span,
    pub(crate) amounts: Span,
    pub(crate) quantities: Span,
    pub(crate) remarks: Span,
}

/// LQ: a remark (RARC when qualifier is `HE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remark {
    /// LQ01: `HE` claim payment remark code, `RX` NCPDP reject code.
    pub qualifier: Text,
    /// LQ02.
    pub code: Text,
}
