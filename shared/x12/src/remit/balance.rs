//! 835 balancing per the implementation guide, reported as findings:
//! BPR02 = ΣCLP04 − ΣPLB; per claim CLP03 − CLP04 = Σ claim and line CAS;
//! per line SVC02 − SVC03 = Σ line CAS.

use std::fmt;

use serde::Serialize;

use crate::remit::{ClaimRef, Remittance};
use crate::values::Amount;

/// Which balancing rule failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BalanceRule {
    /// BPR02 = ΣCLP04 − ΣPLB amounts.
    Payment,
    /// CLP03 − CLP04 = Σ claim CAS + Σ line CAS.
    Claim,
    /// SVC02 − SVC03 = Σ line CAS.
    ServiceLine,
}

/// One imbalance: the segment it concerns and the two sides that differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceFinding {
    /// The rule.
    pub rule: BalanceRule,
    /// Segment ordinal of the BPR, CLP or SVC.
    pub segment_index: usize,
    /// Byte offset of that segment.
    pub byte_offset: usize,
    /// `BPR`, `CLP` or `SVC`.
    pub segment_id: &'static str,
    /// CLP01 of the claim concerned, when there is one.
    pub patient_control_number: Option<String>,
    /// The left side of the rule as sent.
    pub expected: Amount,
    /// The right side of the rule as computed from the parts.
    pub actual: Amount,
}

impl fmt::Display for BalanceFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "segment {} ({}): ", self.segment_index, self.segment_id)?;
        let claim = self.patient_control_number.as_deref().unwrap_or("");
        match self.rule {
            BalanceRule::Payment => write!(
                f,
                "BPR02 is {} but the sum of CLP04 less PLB adjustments is {}",
                self.expected, self.actual
            ),
            BalanceRule::Claim => write!(
                f,
                "claim {claim}: CLP03 − CLP04 is {} but claim and line CAS total {}",
                self.expected, self.actual
            ),
            BalanceRule::ServiceLine => write!(
                f,
                "claim {claim}: SVC02 − SVC03 is {} but line CAS total {}",
                self.expected, self.actual
            ),
        }
    }
}

/// Checks every balancing rule of one remittance; an empty result means
/// every cent is accounted for.
pub fn balance(remittance: &Remittance) -> Vec<BalanceFinding> {
    let mut findings = Vec::new();
    let paid: Amount = remittance.claims().map(|c| c.paid).sum();
    let plb: Amount = remittance
        .provider_adjustments
        .iter()
        .map(|p| p.amount)
        .sum();
    if remittance.payment.amount != paid - plb {
        findings.push(BalanceFinding {
            rule: BalanceRule::Payment,
            segment_index: remittance.position.index,
            byte_offset: remittance.position.offset,
            segment_id: "BPR",
            patient_control_number: None,
            expected: remittance.payment.amount,
            actual: paid - plb,
        });
    }
    for claim in remittance.claims() {
        balance_claim(claim, &mut findings);
    }
    findings
}

fn balance_claim(claim: ClaimRef<'_>, findings: &mut Vec<BalanceFinding>) {
    let pcn = Some(claim.patient_control_number.to_string());
    let claim_cas: Amount = claim.adjustments().iter().map(|a| a.amount).sum();
    let mut line_cas_total = Amount::ZERO;
    for service in claim.services() {
        let line_cas: Amount = service.adjustments().iter().map(|a| a.amount).sum();
        line_cas_total = line_cas_total + line_cas;
        let expected = service.charge - service.paid;
        if expected != line_cas {
            findings.push(BalanceFinding {
                rule: BalanceRule::ServiceLine,
                segment_index: service.position.index,
                byte_offset: service.position.offset,
                segment_id: "SVC",
                patient_control_number: pcn.clone(),
                expected,
                actual: line_cas,
            });
        }
    }
    let expected = claim.total_charge - claim.paid;
    if expected != claim_cas + line_cas_total {
        findings.push(BalanceFinding {
            rule: BalanceRule::Claim,
            segment_index: claim.position.index,
            byte_offset: claim.position.offset,
            segment_id: "CLP",
            patient_control_number: pcn,
            expected,
            actual: claim_cas + line_cas_total,
        });
    }
}
