//! The consumer of payments' feed: each `RemittancePosted` records what the
//! payer decided on one claim (paid, partly paid, denied, reversed,
//! forwarded), its payments per line and the payer's claim number, moves the
//! claim's adjudication and balance-owner dimensions, and turns every denied
//! line (or claim) into a denial work item classified by the CARC table.
//! Coding-caused denials go back to coding at once (`CodingReviewRequested`).
//! Nothing in an event's content fails the consumer: a claim we do not know
//! is logged and skipped.

use std::collections::HashMap;

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::common::v1::Event;
use medbill_contracts::medbill::payments::v1 as payments;
use medbill_kernel::{CalendarDate, ClaimId, Money};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::consumer::{Consumer, EventHandler};
use medbill_platform::convert;
use medbill_platform::db::{Database, Tx};
use medbill_platform::events;
use medbill_platform::outbox::{self, NewEvent};
use medbill_platform::peers::Peer;
use tokio::sync::{OnceCell, watch};

use super::store::{self, CarcClass, CasEntry, Denial, LineAdjudication};
use crate::claims::domain::{Adjudication, BalanceOwner, Claim, Dimension};
use crate::claims::secondary;
use crate::claims::service::{Billed, Context};
use crate::claims::store::{self as claim_store, Cause};
use crate::registry::store as registry;

/// The consumer's name in the billing database.
pub const CONSUMER: &str = "billing.payments-feed";

/// Follows payments' feed until `stop`.
pub async fn follow_payments(
    db: Database,
    payments: Peer,
    clock: Clock,
    stop: watch::Receiver<bool>,
) {
    Consumer::new(CONSUMER, db, AdjudicationHandler::new(clock))
        .follow_peer(payments, stop)
        .await;
}

/// Applies posted remittances.
pub struct AdjudicationHandler {
    /// Dates what it records.
    clock: Clock,
    /// The CARC table, read at the first remittance: it changes only with
    /// a migration, which runs before the service starts.
    carc: OnceCell<HashMap<String, CarcClass>>,
}

impl AdjudicationHandler {
    /// A handler dating what it records on `clock`.
    pub fn new(clock: Clock) -> Self {
        AdjudicationHandler {
            clock,
            carc: OnceCell::new(),
        }
    }
}

fn money(m: Option<&medbill_contracts::medbill::common::v1::Money>) -> Money {
    Money::from_cents(m.map(|m| m.cents).unwrap_or(0))
}

/// The adjustments of a line or claim that deny (not patient
/// responsibility, not contractual), with the CARC table's class of each.
fn denying<'a>(
    adjustments: &'a [payments::Adjustment],
    table: &HashMap<String, CarcClass>,
) -> Vec<(&'a payments::Adjustment, CarcClass)> {
    adjustments
        .iter()
        .filter(|a| a.group_code != "PR")
        .filter_map(|a| {
            let class = table.get(&a.reason_code).cloned().unwrap_or(CarcClass {
                category: "other".into(),
                origin: "billing team".into(),
            });
            (class.category != "contractual" && money(a.amount.as_ref()).cents() > 0)
                .then_some((a, class))
        })
        .collect()
}

#[tonic::async_trait]
impl EventHandler for AdjudicationHandler {
    fn event_types(&self) -> Vec<String> {
        vec![events::type_of::<payments::RemittancePosted>()]
    }

    /// By claim: one claim's remittances (a payment, its reversal, a
    /// correction) are applied in feed order; different claims' side by
    /// side. A claim's secondary is built by its primary's event and
    /// adjudicated only after its own 837, so never in the same batch.
    fn lane(&self, event: &Event) -> Option<String> {
        let e = events::decode::<payments::RemittancePosted>(event)
            .ok()??
            .payload;
        match (e.claim_id.is_empty(), e.payment) {
            (false, _) => Some(e.claim_id),
            (true, Some(payment)) => Some(payment.claim_id),
            (true, None) => None,
        }
    }

    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<(), ServiceError> {
        let Some(posted) = events::decode::<payments::RemittancePosted>(event)? else {
            return Ok(());
        };
        let e = posted.payload;
        let Some(payment) = e.payment.as_ref() else {
            return Ok(());
        };
        let id = if e.claim_id.is_empty() {
            &payment.claim_id
        } else {
            &e.claim_id
        };
        let Ok(claim_id) = ClaimId::parse(id) else {
            tracing::warn!(event_id = %posted.event_id, "RemittancePosted without a claim id; skipped");
            return Ok(());
        };
        let Some(claim) = claim_store::claim(tx, &claim_id).await? else {
            tracing::warn!(%claim_id, "RemittancePosted for a claim billing does not have; skipped");
            return Ok(());
        };
        let payment_date = convert::optional_date("payment_date", e.payment_date.as_ref())
            .ok()
            .flatten();
        let paid = money(payment.paid.as_ref());
        let patient = money(payment.patient_responsibility.as_ref());
        let now = self.clock.now();
        if !store::record_adjudication(
            tx,
            &e.remittance_id,
            &claim_id,
            &payment.status_code,
            paid,
            patient,
            &payment.payer_claim_number,
            payment_date,
            &cas(&payment.adjustments),
            now,
        )
        .await?
        {
            return Ok(());
        }
        let lines: Vec<LineAdjudication> = payment
            .services
            .iter()
            .filter(|s| s.matched_line_number > 0)
            .map(|s| LineAdjudication {
                line_number: s.matched_line_number,
                paid: money(s.paid.as_ref()),
                paid_units: s.units,
                adjustments: cas(&s.adjustments),
            })
            .collect();
        let amounts = store::ClaimAmounts {
            paid,
            patient_responsibility: patient,
            payer_claim_number: &payment.payer_claim_number,
        };
        store::add_payment(tx, &e.remittance_id, &claim_id, amounts, &lines).await?;
        let table = self.carc.get_or_try_init(|| store::carc_table(tx)).await?;
        let outcome = outcome_of(payment, paid, table);
        let reason = format!(
            "remittance {} (CLP02 {}, paid {paid})",
            e.remittance_id, payment.status_code
        );
        let cause = Cause {
            actor: CONSUMER,
            reason: &reason,
            at: now,
        };
        let owner = match outcome {
            Adjudication::Denied | Adjudication::Reversed | Adjudication::Pending => {
                BalanceOwner::Insurance
            }
            _ if claim.patient_responsibility.cents() + patient.cents() > 0 => {
                BalanceOwner::Patient
            }
            _ => BalanceOwner::Settled,
        };
        claim_store::transition_all(
            tx,
            &claim_id,
            &[
                (
                    Dimension::Adjudication,
                    claim.state.adjudication.as_str(),
                    outcome.as_str(),
                ),
                (
                    Dimension::BalanceOwner,
                    claim.state.balance_owner.as_str(),
                    owner.as_str(),
                ),
            ],
            cause,
        )
        .await?;
        let determined_on = payment_date.unwrap_or_else(|| self.clock.today());
        let mut events = Vec::new();
        for denial in denials_of(&claim, &e.remittance_id, payment, table, determined_on, now) {
            let mut denial = denial;
            let payer = registry::require_payer(tx, &claim.payer_id).await?;
            denial.appeal_deadline = determined_on
                .add_days(i64::from(payer.appeal_window_days))
                .map_err(|err| ServiceError::Internal(err.to_string()))?;
            if denial.category == "coding" {
                denial.status = "in_coding_review".into();
                denial
                    .notes
                    .push("sent to coding: a coding-caused denial".into());
                events.push(coding_review(&denial, &claim, "coding-caused denial"));
            }
            store::insert_denial(tx, &denial).await?;
        }
        // Published at the commit of the consumer's batch, not here: the
        // outbox's sequence row would be held for the rest of the batch.
        outbox::publish_at_commit(tx, events);
        // The secondary payer is billed from the primary's adjudication,
        // unless the primary forwarded the claim itself (crossover): then
        // the secondary's own 835 follows and billing it would bill twice.
        if claim.payer_rank == 1 && matches!(payment.status_code.as_str(), "1" | "2" | "3" | "4") {
            let cx = Context {
                actor: CONSUMER,
                now,
                today: self.clock.today(),
            };
            let mut primary = claim;
            primary.state.adjudication = outcome;
            match secondary::build(tx, &primary, cx).await? {
                Billed::Built(c) => {
                    tracing::info!(claim_id = %c.claim_id, primary = %primary.claim_id, "secondary claim built");
                }
                Billed::Exists(_) | Billed::NotBillable(_) => {}
            }
        }
        Ok(())
    }
}

fn cas(adjustments: &[payments::Adjustment]) -> Vec<CasEntry> {
    adjustments
        .iter()
        .map(|a| CasEntry {
            group: a.group_code.clone(),
            reason: a.reason_code.clone(),
            amount: money(a.amount.as_ref()),
        })
        .collect()
}

/// What the payer decided on the claim.
fn outcome_of(
    payment: &payments::ClaimPayment,
    paid: Money,
    table: &HashMap<String, CarcClass>,
) -> Adjudication {
    match payment.status_code.as_str() {
        "22" => Adjudication::Reversed,
        "4" => Adjudication::Denied,
        "19" | "20" | "21" => Adjudication::Forwarded,
        _ => {
            let line_denied = payment
                .services
                .iter()
                .any(|s| !denying(&s.adjustments, table).is_empty());
            let claim_denied = !denying(&payment.adjustments, table).is_empty();
            match (paid.cents() > 0, line_denied || claim_denied) {
                (true, true) => Adjudication::PartlyPaid,
                (false, true) => Adjudication::Denied,
                _ => Adjudication::Paid,
            }
        }
    }
}

/// One denial per denied line, and one for claim-level denials (or a
/// whole-claim CLP02 4 with no reason given).
fn denials_of(
    claim: &Claim,
    remittance_id: &str,
    payment: &payments::ClaimPayment,
    table: &HashMap<String, CarcClass>,
    determined_on: CalendarDate,
    now: medbill_kernel::Timestamp,
) -> Vec<Denial> {
    if payment.status_code == "22" {
        return Vec::new();
    }
    let make = |line: &str, found: &[(&payments::Adjustment, CarcClass)], remarks: &[String]| {
        // The largest denying adjustment names the root cause.
        let main = found
            .iter()
            .max_by_key(|(a, _)| money(a.amount.as_ref()).cents());
        let amount = found
            .iter()
            .map(|(a, _)| money(a.amount.as_ref()).cents())
            .sum::<i64>();
        Denial {
            denial_id: medbill_kernel::ids::new_uuid_v7(),
            claim_id: claim.claim_id.clone(),
            remittance_id: remittance_id.to_string(),
            line_control_number: line.to_string(),
            category: main
                .map(|(_, c)| c.category.clone())
                .unwrap_or_else(|| "other".into()),
            origin: main
                .map(|(_, c)| c.origin.clone())
                .unwrap_or_else(|| "billing team".into()),
            status: "open".into(),
            carc_codes: found.iter().map(|(a, _)| a.reason_code.clone()).collect(),
            rarc_codes: remarks.to_vec(),
            group_code: main.map(|(a, _)| a.group_code.clone()).unwrap_or_default(),
            denied_amount: Money::from_cents(amount),
            payer_id: claim.payer_id.as_str().to_string(),
            assigned_to: String::new(),
            notes: Vec::new(),
            denied_at: now,
            determined_on,
            appeal_deadline: determined_on,
            resolution: String::new(),
        }
    };
    let mut out = Vec::new();
    for s in &payment.services {
        let found = denying(&s.adjustments, table);
        if !found.is_empty() {
            out.push(make(&s.line_control_number, &found, &s.remark_codes));
        }
    }
    let found = denying(&payment.adjustments, table);
    if !found.is_empty() {
        out.push(make("", &found, &payment.remark_codes));
    } else if payment.status_code == "4" && out.is_empty() {
        // Denied whole with only patient-responsibility reasons (PR-204
        // not covered by the plan, PR-27 after coverage ended, ...): the
        // denial is classed by those reasons.
        let patient: Vec<_> = payment
            .adjustments
            .iter()
            .chain(payment.services.iter().flat_map(|s| s.adjustments.iter()))
            .filter(|a| a.group_code == "PR" && money(a.amount.as_ref()).cents() > 0)
            .filter_map(|a| table.get(&a.reason_code).map(|class| (a, class.clone())))
            .filter(|(_, class)| class.category != "contractual")
            .collect();
        let mut d = make("", &patient, &payment.remark_codes);
        d.denied_amount = money(payment.charge.as_ref());
        out.push(d);
    }
    out
}

/// The event that sends a denial back to coding.
pub fn coding_review(denial: &Denial, claim: &Claim, note: &str) -> NewEvent {
    NewEvent::of(
        claim.encounter_id.as_str(),
        &pb::CodingReviewRequested {
            denial_id: denial.denial_id.clone(),
            claim_id: claim.claim_id.as_str().to_string(),
            encounter_id: claim.encounter_id.as_str().to_string(),
            carc_codes: denial.carc_codes.clone(),
            rarc_codes: denial.rarc_codes.clone(),
            note: note.to_string(),
        },
    )
}

/// The event that asks payments to write a denied amount off.
pub fn write_off_request(denial: &Denial, appeal_id: &str, reason: &str) -> NewEvent {
    NewEvent::of(
        denial.claim_id.as_str(),
        &pb::DenialWriteOffRequested {
            denial_id: denial.denial_id.clone(),
            claim_id: denial.claim_id.as_str().to_string(),
            line_control_number: denial.line_control_number.clone(),
            amount: Some(convert::wire_money(denial.denied_amount)),
            group_code: denial.group_code.clone(),
            carc_codes: denial.carc_codes.clone(),
            category: denial.category.clone(),
            appeal_id: appeal_id.to_string(),
            reason: reason.to_string(),
        },
    )
}
