//! Adjudication day: every pending claim due by today is adjudicated (a
//! replacement or void first reverses the payment of the claim it names),
//! now and then a payer reverses an earlier payment and pays it again
//! corrected, and each payer pays each provider with one 835 — interest
//! as PLB L6, a balance the provider owes recovered as PLB WO, a
//! remittance that would be negative carried forward as PLB FB — plus one
//! deposit record per EFT, as payments' bank file (CSV) has them.

use std::collections::BTreeMap;

use crate::adjudication::{Accumulator, Circumstances, Terms, adjudicate};
use crate::claim::Frequency;
use crate::desk::{Desk, Output};
use crate::draws::{draw, rng};
use crate::envelope::file_name;
use crate::error::SimError;
use crate::intake::add_days;
use crate::record::{ClaimState, PaymentKind, PaymentRecord, Record};
use crate::remittance::method;

mod correction;
mod settle;

use correction::correct_one;
use settle::write_remittance;

/// What one adjudication day did.
#[derive(Debug, Default)]
pub(crate) struct Payday {
    pub(crate) outputs: Vec<Output>,
    pub(crate) adjudicated: u32,
    pub(crate) remittances: u32,
    pub(crate) paid: i64,
}

/// Where the claim payments of one 835 go.
struct Run {
    /// TRN02.
    trace: String,
    /// The 835's file name.
    file: String,
    /// (claim, payment) indices into the record, in CLP order.
    entries: Vec<(usize, usize)>,
}

/// Adjudicates and pays every claim due by `desk.today`.
pub(crate) fn pay_due(desk: &mut Desk<'_>) -> Result<Payday, SimError> {
    let today = desk.today;
    let config = desk.config;
    let paid_on = add_days(today, config.payment_days);
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in desk.record.claims.iter().enumerate() {
        let known = config.payer(&c.claim.payer_id).is_some()
            && config
                .member(&c.claim.payer_id, c.claim.member_id.expose())
                .is_some();
        if c.state == ClaimState::Pending && c.due_on <= today && known {
            let key = (
                c.claim.payer_id.clone(),
                c.claim.billing_provider.npi.clone(),
            );
            groups.entry(key).or_default().push(i);
        }
    }
    let mut day = Payday::default();
    let mut deposits = Vec::new();
    let mut last_control = 0;
    for ((payer_id, npi), claims) in groups {
        let Some(payer) = config.payer(&payer_id) else {
            continue;
        };
        let control = desk.record.next_interchange();
        last_control = control;
        let prefix = if payer.eft.is_some() { "EFT" } else { "CHK" };
        let mut run = Run {
            trace: format!("{prefix}{:09}", desk.record.next_trace()),
            file: file_name(control, "835", "x12"),
            entries: Vec::new(),
        };
        for &i in &claims {
            adjudicate_claim(desk, i, &mut run, paid_on);
            day.adjudicated += 1;
        }
        correct_one(desk, &payer_id, &npi, &mut run, paid_on);
        if run.entries.is_empty() {
            // Only voids of claims never paid: nothing to remit.
            continue;
        }
        let remitted = write_remittance(desk, &payer_id, &npi, &run, paid_on, control)?;
        day.remittances += 1;
        day.paid += remitted.1;
        if method(payer, remitted.1) == "ACH" {
            deposits.push(format!(
                "{},{}.{:02},{paid_on},{payer_id}",
                run.trace,
                remitted.1 / 100,
                remitted.1 % 100
            ));
        }
        day.outputs.push(remitted.0);
    }
    if !deposits.is_empty() {
        let mut text = String::from("trace,amount,date,payer\n");
        for row in deposits {
            text.push_str(&row);
            text.push('\n');
        }
        day.outputs.push(Output {
            name: file_name(last_control, "deposits", "csv"),
            content: text.into_bytes(),
        });
    }
    Ok(day)
}

/// Adjudicates claim `i` (after reversing what a replacement or void
/// supersedes).
fn adjudicate_claim(
    desk: &mut Desk<'_>,
    i: usize,
    run: &mut Run,
    paid_on: medbill_kernel::CalendarDate,
) {
    let claim = desk.record.claims[i].claim.clone();
    if claim.frequency != Frequency::Original {
        let original = claim
            .replaces
            .as_deref()
            .and_then(|n| desk.record.claim_by_number(&claim.payer_id, n))
            .filter(|o| *o != i);
        if let Some(o) = original {
            reverse_standing(desk.record, o, run, desk.today, paid_on);
            desk.record.claims[o].state = ClaimState::Superseded;
        }
        if claim.frequency == Frequency::Void {
            desk.record.claims[i].state = ClaimState::Applied;
            return;
        }
    }
    let config = desk.config;
    let (Some(payer), Some((member, plan))) = (
        config.payer(&claim.payer_id),
        config.member(&claim.payer_id, claim.member_id.expose()),
    ) else {
        return;
    };
    let record = &mut *desk.record;
    let number = record.claims[i].payer_claim_number.clone();
    let year = claim
        .first_service_date()
        .map_or(desk.today.year(), |d| d.year());
    let key = Record::accumulator_key(&claim.payer_id, claim.member_id.expose(), year);
    let before = record.accumulators.get(&key).copied().unwrap_or_default();
    let services = claim.services_key();
    let duplicate = record.claims.iter().enumerate().any(|(j, other)| {
        j != i
            && other.claim.payer_id == claim.payer_id
            && other.claim.patient_control_number == claim.patient_control_number
            && other.claim.services_key() == services
            && other.standing_payment().is_some_and(|p| p.paid > 0)
    });
    let mut draws = rng(desk.seed, "adjudicate", &number);
    let facts = Circumstances {
        received_on: record.claims[i].received_on,
        duplicate,
        claim_draw: draw(&mut draws),
        bundling_draw: draw(&mut draws),
        interest_draw: draw(&mut draws),
    };
    let terms = Terms {
        contract: &payer.contract,
        plan,
        member,
    };
    let decided = adjudicate(&claim, &terms, before, &facts);
    record.accumulators.insert(key, decided.totals);
    let mut adjustments = BTreeMap::new();
    for a in decided.lines.iter().flat_map(|l| &l.adjustments) {
        *adjustments.entry(a.key()).or_insert(0) += a.amount;
    }
    let payment = PaymentRecord {
        kind: PaymentKind::Original,
        payer_claim_number: number,
        status: decided.status.clone(),
        trace: run.trace.clone(),
        file: run.file.clone(),
        adjudicated_on: desk.today,
        paid_on,
        billed: claim.total_charge,
        allowed: decided.allowed(),
        paid: decided.paid(),
        patient_responsibility: decided.patient_responsibility(),
        adjustments,
        denials: decided.denials.clone(),
        interest: decided.interest,
        lines: decided.lines.clone(),
        benefit_use: Accumulator {
            deductible_met: decided.totals.deductible_met - before.deductible_met,
            out_of_pocket_met: decided.totals.out_of_pocket_met - before.out_of_pocket_met,
        },
        reversed_by: None,
    };
    let c = &mut record.claims[i];
    c.payments.push(payment);
    c.state = ClaimState::Adjudicated;
    run.entries.push((i, c.payments.len() - 1));
}

/// Reverses every standing payment of claim `o` in this run and gives the
/// member's plan-year totals back what they took.
fn reverse_standing(
    record: &mut Record,
    o: usize,
    run: &mut Run,
    today: medbill_kernel::CalendarDate,
    paid_on: medbill_kernel::CalendarDate,
) {
    let standing: Vec<usize> = record.claims[o]
        .payments
        .iter()
        .enumerate()
        .filter(|(_, p)| p.standing())
        .map(|(k, _)| k)
        .collect();
    for k in standing {
        let claim = &record.claims[o].claim;
        let year = claim
            .first_service_date()
            .map_or(today.year(), |d| d.year());
        let key = Record::accumulator_key(&claim.payer_id, claim.member_id.expose(), year);
        let reversal = record.claims[o].payments[k].reversal(&run.trace, &run.file, today, paid_on);
        give(&mut record.accumulators, key, reversal.benefit_use);
        let c = &mut record.claims[o];
        c.payments[k].reversed_by = Some(run.trace.clone());
        c.payments.push(reversal);
        run.entries.push((o, c.payments.len() - 1));
    }
}

/// Adds `use_` (negative to give back) to a plan-year total, never below 0.
fn give(accumulators: &mut BTreeMap<String, Accumulator>, key: String, use_: Accumulator) {
    let a = accumulators.entry(key).or_default();
    a.deductible_met = (a.deductible_met + use_.deductible_met).max(0);
    a.out_of_pocket_met = (a.out_of_pocket_met + use_.out_of_pocket_met).max(0);
}
