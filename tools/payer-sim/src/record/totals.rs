//! Totals over the record, what end-to-end tests compare the services'
//! figures with. Claim figures add up every claim payment the 835s carried
//! (reversals subtract); remittance figures add up the 835s themselves.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::record::{ClaimState, Record};

/// Totals of a record, in cents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Claims accepted.
    pub claims_accepted: u64,
    /// Claims rejected by the 277CA.
    pub claims_rejected: u64,
    /// Claims accepted and not yet adjudicated.
    pub claims_pending: u64,
    /// Claim payments (CLP loops) sent.
    pub claim_payments: u64,
    /// ΣCLP03.
    pub billed: i64,
    /// Σ allowed.
    pub allowed: i64,
    /// ΣCLP04.
    pub paid: i64,
    /// ΣCLP05.
    pub patient_responsibility: i64,
    /// Σ of every CAS, by `GROUP-REASON`.
    pub adjustments: BTreeMap<String, i64>,
    /// Interest paid (the L6 adjustments, as a positive amount).
    pub interest: i64,
    /// ΣPLB over all 835s (positive reduces payments).
    pub provider_adjustments: i64,
    /// ΣBPR02 over all 835s.
    pub payments: i64,
    /// 835s written.
    pub remittances: u64,
}

impl Totals {
    /// The totals of `record`.
    pub fn of(record: &Record) -> Self {
        let mut t = Totals {
            claims_accepted: record.claims.len() as u64,
            claims_rejected: record.rejected_claims.len() as u64,
            claims_pending: record
                .claims
                .iter()
                .filter(|c| c.state == ClaimState::Pending)
                .count() as u64,
            remittances: record.remittances.len() as u64,
            ..Totals::default()
        };
        for p in record.claims.iter().flat_map(|c| &c.payments) {
            t.claim_payments += 1;
            t.billed += p.billed;
            t.allowed += p.allowed;
            t.paid += p.paid;
            t.patient_responsibility += p.patient_responsibility;
            t.interest += p.interest;
            for (key, amount) in &p.adjustments {
                *t.adjustments.entry(key.clone()).or_default() += amount;
            }
        }
        for r in &record.remittances {
            t.payments += r.payment;
            t.provider_adjustments += r.provider_adjustments.iter().map(|a| a.amount).sum::<i64>();
        }
        t
    }
}
