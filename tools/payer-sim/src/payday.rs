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
use crate::draws::{draw, hits, pick, rng};
use crate::envelope::{file_name, params};
use crate::error::SimError;
use crate::intake::add_days;
use crate::money;
use crate::record::{
    ClaimState, PaymentKind, PaymentRecord, ProviderAdjustmentRecord, Record, Recovery,
    RemittanceRecord,
};
use crate::remittance::{Draft, method, remittance};

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
    trace: String,
    file: String,
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
                .member(&c.claim.payer_id, &c.claim.member_id)
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
        config.member(&claim.payer_id, &claim.member_id),
    ) else {
        return;
    };
    let record = &mut *desk.record;
    let number = record.claims[i].payer_claim_number.clone();
    let year = claim
        .first_service_date()
        .map_or(desk.today.year(), |d| d.year());
    let key = Record::accumulator_key(&claim.payer_id, &claim.member_id, year);
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
        let key = Record::accumulator_key(&claim.payer_id, &claim.member_id, year);
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

/// Now and then (the payer's reversal rate, drawn once per 835): reverses
/// one payment of this provider sent in an earlier 835 and pays it again
/// under a new payer claim number, reduced by the correction percentage
/// (moved to CO-45; the patient's share is unchanged).
fn correct_one(
    desk: &mut Desk<'_>,
    payer_id: &str,
    npi: &str,
    run: &mut Run,
    paid_on: medbill_kernel::CalendarDate,
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
            .find(|a| a.group == crate::cas::Group::Contractual && a.reason == "45")
        {
            Some(a) => a.amount += cut,
            None => line.adjustments.insert(
                0,
                crate::cas::Cas::new(crate::cas::Group::Contractual, "45", cut),
            ),
        }
        corrected.paid -= cut;
        corrected.allowed -= cut;
        *corrected.adjustments.entry("CO-45".into()).or_insert(0) += cut;
    }
    let claim = &desk.record.claims[i].claim;
    let year = claim
        .first_service_date()
        .map_or(today.year(), |d| d.year());
    let key = Record::accumulator_key(&claim.payer_id, &claim.member_id, year);
    give(&mut desk.record.accumulators, key, corrected.benefit_use);
    let c = &mut desk.record.claims[i];
    c.payments.push(corrected);
    run.entries.push((i, c.payments.len() - 1));
}

/// The provider-level adjustments of a run and its payment (BPR02): L6
/// for each claim's interest; a balance owed recovered (WO) from a
/// positive payment; a negative one carried forward (FB) and owed.
fn settle(
    record: &mut Record,
    payer_id: &str,
    npi: &str,
    run: &Run,
) -> (Vec<ProviderAdjustmentRecord>, i64) {
    let mut plb = Vec::new();
    let mut claims_paid = 0;
    for &(i, k) in &run.entries {
        let p = &record.claims[i].payments[k];
        claims_paid += p.paid;
        if p.interest > 0 {
            plb.push(ProviderAdjustmentRecord {
                reason: "L6".into(),
                reference: p.payer_claim_number.clone(),
                amount: -p.interest,
            });
        }
    }
    let mut payment = claims_paid - plb.iter().map(|a| a.amount).sum::<i64>();
    for r in record
        .recoveries
        .iter_mut()
        .filter(|r| r.payer_id == payer_id && r.payee_npi == npi && r.outstanding > 0)
    {
        if payment <= 0 {
            break;
        }
        let take = r.outstanding.min(payment);
        r.outstanding -= take;
        payment -= take;
        plb.push(ProviderAdjustmentRecord {
            reason: "WO".into(),
            reference: r.reference.clone(),
            amount: take,
        });
    }
    if payment < 0 {
        plb.push(ProviderAdjustmentRecord {
            reason: "FB".into(),
            reference: run.trace.clone(),
            amount: payment,
        });
        record.recoveries.push(Recovery {
            payer_id: payer_id.into(),
            payee_npi: npi.into(),
            reference: run.trace.clone(),
            outstanding: -payment,
        });
        payment = 0;
    }
    (plb, payment)
}

/// Writes the run's 835 and records it.
fn write_remittance(
    desk: &mut Desk<'_>,
    payer_id: &str,
    npi: &str,
    run: &Run,
    paid_on: medbill_kernel::CalendarDate,
    control: u32,
) -> Result<(Output, i64), SimError> {
    let config = desk.config;
    let (plb, payment) = settle(desk.record, payer_id, npi, run);
    let Some(payer) = config.payer(payer_id) else {
        return Err(SimError::Config(format!("no payer {payer_id}")));
    };
    let record = &*desk.record;
    let first = run.entries.first().map(|(i, _)| &record.claims[*i]);
    let (payee_name, to) = match first {
        Some(c) => (
            c.claim.billing_provider.name.as_str(),
            c.return_address.clone(),
        ),
        None => return Err(SimError::Config("an 835 without claims".into())),
    };
    let draft = Draft {
        payer,
        payee_name,
        payee_npi: npi,
        trace: &run.trace,
        today: desk.today,
        paid_on,
        claims: run
            .entries
            .iter()
            .map(|(i, k)| (&record.claims[*i], &record.claims[*i].payments[*k]))
            .collect(),
        provider_adjustments: &plb,
        payment,
    };
    let p = params(&payer.id, &to, control, desk.today, &config.time);
    let content =
        medbill_x12::remit::write_835(&p, &[remittance(&draft)]).map_err(SimError::write("835"))?;
    let claims_paid = draft.claims.iter().map(|(_, p)| p.paid).sum();
    desk.record.remittances.push(RemittanceRecord {
        file: run.file.clone(),
        payer_id: payer_id.into(),
        payee_npi: npi.into(),
        trace: run.trace.clone(),
        method: method(payer, payment).into(),
        payment_date: paid_on,
        claims_paid,
        provider_adjustments: plb,
        payment,
    });
    Ok((
        Output {
            name: run.file.clone(),
            content,
        },
        payment,
    ))
}
