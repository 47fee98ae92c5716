//! The check after a remit run, through payments' API: the 835s that
//! answered OK matched every claim they pay to a claim; each of those
//! claims shows on the ledger exactly the cash and the patient share its
//! 835 paid (posted once: twice would show double, and a claim paid or
//! left with a patient share shows nothing when not posted); `AuditLedger`
//! finds every claim and every journal entry in balance; and no claim
//! payment went to the exceptions queue. Claims of an 835 whose call
//! failed are counted apart.

use std::collections::BTreeMap;

use anyhow::Context;
use medbill_contracts::medbill::common::v1::PageRequest;
use medbill_contracts::medbill::payments::v1 as payments;

use super::MAX_MESSAGE;
use super::eras::Era;
use crate::demo::api::{Actor, Api};
use crate::operator::status_error;

/// What the ledger showed after the run.
#[derive(Debug, Default)]
pub struct Check {
    /// Claims paid by the 835s that answered OK.
    pub claims_sent: u64,
    /// Claim payments those 835s' answers matched to a claim.
    pub matched: u64,
    /// Of those, the claims whose cash and patient share are the 835s'.
    pub posted_once: u64,
    /// The first few that differ, in words.
    pub differ: Vec<String>,
    /// Claims paid by 835s whose call failed.
    pub claims_of_failed_calls: u64,
    /// Of those, claims the ledger shows posted all the same.
    pub posted_anyway: u64,
    /// Claim payments in the exceptions queue.
    pub exceptions: u64,
    /// Claims `AuditLedger` checked.
    pub claims_checked: u32,
    /// Claims it found out of balance.
    pub claims_out_of_balance: u32,
    /// Journal entries it checked.
    pub entries_checked: u32,
    /// Journal entries whose debits and credits differ.
    pub unbalanced_entries: usize,
}

impl Check {
    /// Why the check failed, if it did.
    pub fn failed(&self) -> Option<String> {
        let mut why = Vec::new();
        if self.matched != self.claims_sent {
            why.push(format!(
                "the 835s matched {} of the {} claims they pay",
                self.matched, self.claims_sent
            ));
        }
        if self.posted_once != self.claims_sent {
            why.push(format!(
                "{} of {} claims paid are not posted once ({})",
                self.claims_sent - self.posted_once,
                self.claims_sent,
                self.differ.join("; ")
            ));
        }
        if self.exceptions > 0 {
            why.push(format!("{} remittance exceptions", self.exceptions));
        }
        if self.claims_out_of_balance > 0 || self.unbalanced_entries > 0 {
            why.push(format!(
                "{} claims and {} journal entries out of balance",
                self.claims_out_of_balance, self.unbalanced_entries
            ));
        }
        (!why.is_empty()).then(|| why.join("; "))
    }

    /// As text.
    pub fn to_text(&self) -> String {
        let verdict = if self.failed().is_some() {
            "FAILED"
        } else {
            "passed"
        };
        let mut out = format!(
            "check {verdict}: the 835s that answered OK pay {} claims and matched {}; {} are \
             posted once (ledger cash and patient share as the 835s paid them); AuditLedger: {} claims and \
             {} entries checked, {} claims out of balance, {} unbalanced entries; \
             remittance exceptions: {}\n",
            self.claims_sent,
            self.matched,
            self.posted_once,
            self.claims_checked,
            self.entries_checked,
            self.claims_out_of_balance,
            self.unbalanced_entries,
            self.exceptions,
        );
        if self.claims_of_failed_calls > 0 {
            out.push_str(&format!(
                "{} claims were in 835s whose call failed; the ledger shows {} of them posted\n",
                self.claims_of_failed_calls, self.posted_anyway
            ));
        }
        for d in &self.differ {
            out.push_str(&format!("  not posted once: {d}\n"));
        }
        out
    }

    /// As JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "passed": self.failed().is_none(),
            "claims_paid": self.claims_sent,
            "claims_matched": self.matched,
            "claims_posted_once": self.posted_once,
            "differ": self.differ,
            "claims_of_failed_calls": self.claims_of_failed_calls,
            "claims_posted_anyway": self.posted_anyway,
            "exceptions": self.exceptions,
            "ledger": {
                "claims_checked": self.claims_checked,
                "claims_out_of_balance": self.claims_out_of_balance,
                "entries_checked": self.entries_checked,
                "unbalanced_entries": self.unbalanced_entries,
            },
        })
    }
}

/// Checks the ledger after `sent` (each 835 sent, and whether its call
/// answered OK), whose answers matched `matched` claim payments;
/// `claim_ids` maps patient control numbers to claims.
pub async fn audit(
    api: &Api,
    sent: &[(&Era, bool)],
    matched: u64,
    claim_ids: &BTreeMap<String, String>,
) -> anyhow::Result<Check> {
    // Per claim: what the 835s that answered OK paid it (cash, patient
    // share), and whether a failed call carried it.
    let mut expected: BTreeMap<&str, (i64, i64, bool)> = BTreeMap::new();
    for (era, ok) in sent {
        for paid in &era.claims {
            let id = claim_ids
                .get(&paid.patient_control_number)
                .context("a claim paid without its id")?;
            let e = expected.entry(id.as_str()).or_default();
            if *ok {
                e.0 += paid.paid;
                e.1 += paid.patient_share;
            } else {
                e.2 = true;
            }
        }
    }
    let ids: Vec<String> = expected.keys().map(|id| id.to_string()).collect();
    let ledger = ledger(api, &ids).await?;
    let mut check = Check {
        claims_checked: ledger.claims_checked,
        claims_out_of_balance: ledger.claims_out_of_balance,
        entries_checked: ledger.entries_checked,
        unbalanced_entries: ledger.unbalanced_entry_ids.len(),
        exceptions: exceptions(api).await?,
        matched,
        ..Check::default()
    };
    let cents = |m: &Option<medbill_contracts::medbill::common::v1::Money>| {
        m.as_ref().map_or(0, |m| m.cents)
    };
    for claim in &ledger.claims {
        let Some(&(paid, patient_share, in_failed)) = expected.get(claim.claim_id.as_str()) else {
            continue;
        };
        let (cash, patient) = (cents(&claim.payments), cents(&claim.patient_balance));
        if in_failed {
            check.claims_of_failed_calls += 1;
            if cash != 0 || patient != 0 {
                check.posted_anyway += 1;
            }
            continue;
        }
        check.claims_sent += 1;
        if cash == paid && patient == patient_share && claim.balanced {
            check.posted_once += 1;
        } else if check.differ.len() < 5 {
            check.differ.push(format!(
                "claim {}: cash {cash} cents (835: {paid}), patient share {patient} cents \
                 (835: {patient_share}){}",
                claim.claim_id,
                if claim.balanced {
                    ""
                } else {
                    ", out of balance"
                }
            ));
        }
    }
    Ok(check)
}

/// `AuditLedger` with the figures of `claim_ids`.
pub async fn ledger(
    api: &Api,
    claim_ids: &[String],
) -> anyhow::Result<payments::AuditLedgerResponse> {
    Ok(api
        .accounts()
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE)
        .audit_ledger(api.req(
            Actor::Poster,
            payments::AuditLedgerRequest {
                claim_ids: claim_ids.to_vec(),
            },
        ))
        .await
        .map_err(status_error)
        .context("auditing the ledger")?
        .into_inner())
}

/// Claim payments in the exceptions queue.
async fn exceptions(api: &Api) -> anyhow::Result<u64> {
    let mut client = api.remittances();
    let mut count = 0;
    let mut token = String::new();
    loop {
        let page = client
            .list_remittance_exceptions(api.req(
                Actor::Poster,
                payments::ListRemittanceExceptionsRequest {
                    remittance_id: String::new(),
                    page: Some(PageRequest {
                        page_size: 500,
                        page_token: token.clone(),
                    }),
                },
            ))
            .await
            .map_err(status_error)
            .context("listing remittance exceptions")?
            .into_inner();
        count += page.exceptions.len() as u64;
        match page.page {
            Some(p) if !p.next_page_token.is_empty() => token = p.next_page_token,
            _ => return Ok(count),
        }
    }
}
