//! The payer's own second look: now and then it reverses a payment it
//! sent in an earlier 835 and pays the claim again, corrected, in the
//! same 835 as the day's claims.

use medbill_kernel::CalendarDate;

use super::{Run, give, reverse_standing};
use crate::cas::{Cas, Group};
use crate::desk::Desk;
use crate::draws::{draw, hits, pick, rng};
use crate::money;
use crate::record::{ClaimState, PaymentKind, PaymentRecord, Record};

/// Now and then (the payer's reversal rate, drawn once per 835): reverses
/// one payment of this provider sent in an earlier 835 and pays it again
/// under a new payer claim number, reduced by the correction percentage
/// (moved to CO-45; the patient's share is unchanged).
pub(super) fn correct_one(
    desk: &mut Desk<'_>,
    payer_id: &str,
    npi: &str,
    run: &mut Run,
    paid_on: CalendarDate,
) {
    let Some(payer) = desk.config.payer(payer_id) else {
        return;
    };
    let adjustments = &payer.contract.adjustments;
    let mut draws = rng(desk.seed, "correction", &run.trace);
    if !hits(draw(&mut draws), adjustments.reversal_rate) {
        return;
    }
    let candidates: Vec<usize> = desk
        .record
        .claims
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.claim.payer_id == payer_id
                && c.claim.billing_provider.npi == npi
                && c.state == ClaimState::Adjudicated
                && c.superseded_by.is_none()
                && c.standing_payment()
                    .is_some_and(|p| p.paid > 0 && p.trace != run.trace)
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return;
    }
    let i = candidates[pick(&mut draws, candidates.len())];
    let Some(k) = desk.record.claims[i]
        .payments
        .iter()
        .rposition(PaymentRecord::standing)
    else {
        return;
    };
    let original = desk.record.claims[i].payments[k].clone();
    reverse_standing(desk.record, i, run, desk.today, paid_on);
    let sequence = desk.record.next_claim();
    let today = desk.today;
    let mut corrected = original.clone();
    corrected.kind = PaymentKind::Correction;
    corrected.payer_claim_number = format!(
        "{payer_id}{:02}{:02}{:02}{sequence:07}",
        today.year() % 100,
        today.month(),
        today.day()
    );
    corrected.trace = run.trace.clone();
    corrected.file = run.file.clone();
    corrected.adjudicated_on = today;
    corrected.paid_on = paid_on;
    corrected.interest = 0;
    corrected.reversed_by = None;
    for line in &mut corrected.lines {
        let cut =
            money::apply(line.paid, adjustments.correction_percent).clamp(0, line.paid.max(0));
        if cut == 0 {
            continue;
        }
        line.paid -= cut;
        line.allowed -= cut;
        match line
            .adjustments
            .iter_mut()
            .find(|a| a.group == Group::Contractual && a.reason == "45")
        {
            Some(a) => a.amount += cut,
            None => line
                .adjustments
                .insert(0, Cas::new(Group::Contractual, "45", cut)),
        }
        corrected.paid -= cut;
        corrected.allowed -= cut;
        *corrected.adjustments.entry("CO-45".into()).or_insert(0) += cut;
    }
    let claim = &desk.record.claims[i].claim;
    let year = claim
        .first_service_date()
        .map_or(today.year(), |d| d.year());
    let key = Record::accumulator_key(&claim.payer_id, claim.member_id.expose(), year);
    give(&mut desk.record.accumulators, key, corrected.benefit_use);
    let c = &mut desk.record.claims[i];
    c.payments.push(corrected);
    run.entries.push((i, c.payments.len() - 1));
}
