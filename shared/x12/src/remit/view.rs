//! Reading a remittance's claims and lines: [`ClaimRef`] and
//! [`ServiceRef`] pair a claim or line with the flat lists that hold its
//! entries, and the JSON shape nests them as the file does.

use std::ops::Deref;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::common::{AmountRef, DateRef, Entity, Reference};
use crate::remit::{
    Adjustment, ClaimPayment, Detail, QuantityRef, Remark, Remittance, ServicePayment,
};

/// One claim of a remittance with access to what it holds. Derefs to the
/// claim's own fields ([`ClaimPayment`]).
#[derive(Debug, Clone, Copy)]
pub struct ClaimRef<'r> {
    pub(crate) claim: &'r ClaimPayment,
    pub(crate) detail: &'r Detail,
}

impl<'r> ClaimRef<'r> {
    /// The claim's own fields.
    pub fn claim(&self) -> &'r ClaimPayment {
        self.claim
    }

    /// Claim-level CAS, one entry per reason/amount/quantity triple.
    pub fn adjustments(&self) -> &'r [Adjustment] {
        self.claim.spans.adjustments.of(&self.detail.adjustments)
    }

    /// NM1 segments: patient (QC), insured (IL), corrected names (74), ...
    pub fn names(&self) -> &'r [Entity] {
        self.claim.spans.names.of(&self.detail.names)
    }

    /// Claim REF segments.
    pub fn references(&self) -> &'r [Reference] {
        self.claim.spans.references.of(&self.detail.references)
    }

    /// Claim DTM segments (232/233 statement period, 050 received, ...).
    pub fn dates(&self) -> &'r [DateRef] {
        self.claim.spans.dates.of(&self.detail.dates)
    }

    /// Claim AMT segments (AU coverage, I interest, ...).
    pub fn amounts(&self) -> &'r [AmountRef] {
        self.claim.spans.amounts.of(&self.detail.amounts)
    }

    /// Claim QTY segments.
    pub fn quantities(&self) -> &'r [QuantityRef] {
        self.claim.spans.quantities.of(&self.detail.quantities)
    }

    /// The loop 2110 service lines, in order.
    pub fn services(&self) -> impl ExactSizeIterator<Item = ServiceRef<'r>> + use<'r> {
        let detail = self.detail;
        self.claim
            .spans
            .services
            .of(&detail.services)
            .iter()
            .map(move |service| ServiceRef { service, detail })
    }

    /// Service line `n` (0-based) of the claim.
    pub fn service(&self, n: usize) -> Option<ServiceRef<'r>> {
        self.services().nth(n)
    }
}

impl Deref for ClaimRef<'_> {
    type Target = ClaimPayment;
    fn deref(&self) -> &ClaimPayment {
        self.claim
    }
}

/// One service line with access to what it holds. Derefs to the line's own
/// fields ([`ServicePayment`]).
#[derive(Debug, Clone, Copy)]
pub struct ServiceRef<'r> {
    service: &'r ServicePayment,
    detail: &'r Detail,
}

impl<'r> ServiceRef<'r> {
    /// The line's own fields.
    pub fn service(&self) -> &'r ServicePayment {
        self.service
    }

    /// Line DTM segments (472, 150, 151).
    pub fn dates(&self) -> &'r [DateRef] {
        self.service.spans.dates.of(&self.detail.dates)
    }

    /// Line-level CAS, one entry per triple.
    pub fn adjustments(&self) -> &'r [Adjustment] {
        self.service.spans.adjustments.of(&self.detail.adjustments)
    }

    /// Line REF segments other than 6R.
    pub fn references(&self) -> &'r [Reference] {
        self.service.spans.references.of(&self.detail.references)
    }

    /// Line AMT segments (B6 allowed, ...).
    pub fn amounts(&self) -> &'r [AmountRef] {
        self.service.spans.amounts.of(&self.detail.amounts)
    }

    /// Line QTY segments.
    pub fn quantities(&self) -> &'r [QuantityRef] {
        self.service.spans.quantities.of(&self.detail.quantities)
    }

    /// LQ remark codes.
    pub fn remarks(&self) -> &'r [Remark] {
        self.service.spans.remarks.of(&self.detail.remarks)
    }
}

impl Deref for ServiceRef<'_> {
    type Target = ServicePayment;
    fn deref(&self) -> &ServicePayment {
        self.service
    }
}

impl Serialize for Remittance {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("Remittance", 10)?;
        out.serialize_field("control_number", &self.control_number)?;
        out.serialize_field("payment", &self.payment)?;
        out.serialize_field("trace", &self.trace)?;
        out.serialize_field("references", &self.references)?;
        out.serialize_field("production_date", &self.production_date)?;
        out.serialize_field("payer", &self.payer)?;
        out.serialize_field("payee", &self.payee)?;
        out.serialize_field("claims", &Claims(self))?;
        out.serialize_field("provider_summaries", &self.provider_summaries)?;
        out.serialize_field("provider_adjustments", &self.provider_adjustments)?;
        out.end()
    }
}

struct Claims<'r>(&'r Remittance);

impl Serialize for Claims<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.claim_count()))?;
        for claim in self.0.claims() {
            seq.serialize_element(&claim)?;
        }
        seq.end()
    }
}

impl Serialize for ClaimRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.claim;
        let mut out = s.serialize_struct("ClaimPayment", 20)?;
        out.serialize_field("header_number", &c.header_number)?;
        out.serialize_field("patient_control_number", &c.patient_control_number)?;
        out.serialize_field("status", &c.status)?;
        out.serialize_field("total_charge", &c.total_charge)?;
        out.serialize_field("paid", &c.paid)?;
        out.serialize_field("patient_responsibility", &c.patient_responsibility)?;
        out.serialize_field("filing_indicator", &c.filing_indicator)?;
        out.serialize_field("payer_claim_control_number", &c.payer_claim_control_number)?;
        out.serialize_field("facility_type", &c.facility_type)?;
        out.serialize_field("frequency", &c.frequency)?;
        out.serialize_field("drg_code", &c.drg_code)?;
        out.serialize_field("adjustments", self.adjustments())?;
        out.serialize_field("names", self.names())?;
        out.serialize_field("inpatient", &c.inpatient)?;
        out.serialize_field("outpatient", &c.outpatient)?;
        out.serialize_field("references", self.references())?;
        out.serialize_field("dates", self.dates())?;
        out.serialize_field("amounts", self.amounts())?;
        out.serialize_field("quantities", self.quantities())?;
        out.serialize_field("services", &Services(*self))?;
        out.end()
    }
}

struct Services<'r>(ClaimRef<'r>);

impl Serialize for Services<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let lines = self.0.services();
        let mut seq = s.serialize_seq(Some(lines.len()))?;
        for line in lines {
            seq.serialize_element(&line)?;
        }
        seq.end()
    }
}

impl Serialize for ServiceRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let l = self.service;
        let mut out = s.serialize_struct("ServicePayment", 14)?;
        out.serialize_field("procedure", &l.procedure)?;
        out.serialize_field("charge", &l.charge)?;
        out.serialize_field("paid", &l.paid)?;
        out.serialize_field("revenue_code", &l.revenue_code)?;
        out.serialize_field("units_paid", &l.units_paid)?;
        out.serialize_field("submitted_procedure", &l.submitted_procedure)?;
        out.serialize_field("submitted_units", &l.submitted_units)?;
        out.serialize_field("dates", self.dates())?;
        out.serialize_field("adjustments", self.adjustments())?;
        out.serialize_field("line_item_control_number", &l.line_item_control_number)?;
        out.serialize_field("references", self.references())?;
        out.serialize_field("amounts", self.amounts())?;
        out.serialize_field("quantities", self.quantities())?;
        out.serialize_field("remarks", self.remarks())?;
        out.end()
    }
}
