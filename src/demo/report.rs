//! Reads the figures of the summary back from the services: billing's
//! claim metrics and claims, payments' ledger audit (every claim billing
//! holds), AR aging and KPIs; and sets them beside the simulator's totals.

use std::collections::BTreeMap;

use anyhow::Context;
use medbill_contracts::medbill::billing::v1 as billing;
use medbill_contracts::medbill::common::v1::{Date, DateRange};
use medbill_contracts::medbill::payments::v1 as payments;
use medbill_kernel::CalendarDate;
use medbill_payer_sim::Simulator;

use super::api::{Actor, Api};
use super::summary::{Agreement, Summary};

fn date(day: CalendarDate) -> Option<Date> {
    Some(Date {
        year: day.year(),
        month: day.month() as i32,
        day: day.day() as i32,
    })
}

fn cents(m: &Option<medbill_contracts::medbill::common::v1::Money>) -> i64 {
    m.as_ref().map_or(0, |m| m.cents)
}

fn status_name(status: i32) -> String {
    billing::ClaimStatus::try_from(status)
        .map(|s| {
            s.as_str_name()
                .trim_start_matches("CLAIM_STATUS_")
                .to_lowercase()
        })
        .unwrap_or_else(|_| format!("status {status}"))
}

/// Fills `summary` from the services and the simulator. `patient_paid` is
/// what the demo posted as patient payments (the ledger's payments are
/// insurance and patient together).
pub async fn read(
    api: &Api,
    sim: &Simulator,
    claims: &[billing::Claim],
    first_day: CalendarDate,
    today: CalendarDate,
    patient_paid: i64,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let metrics = api
        .analytics()
        .get_claim_metrics(api.req(
            Actor::Biller,
            billing::GetClaimMetricsRequest {
                from: date(first_day.add_days(-400)?),
                to: date(today.add_days(400)?),
                payer_id: String::new(),
            },
        ))
        .await
        .map_err(crate::operator::status_error)
        .context("GetClaimMetrics")?
        .into_inner();
    summary.claims_submitted = metrics.claims_submitted;
    summary.clean_claims = metrics.clean_claims;
    summary.clean_claim_rate = metrics.clean_claim_rate.clone();
    summary.first_pass_denial_rate = metrics.first_pass_denial_rate.clone();
    for b in &metrics.by_category {
        summary
            .denials_by_category
            .insert(b.key.clone(), (b.denials, cents(&b.amount)));
    }
    for b in &metrics.by_origin {
        summary
            .denials_by_origin
            .insert(b.key.clone(), (b.denials, cents(&b.amount)));
    }
    for c in claims {
        *summary
            .claims_by_status
            .entry(status_name(c.status))
            .or_default() += 1;
    }

    let audit = api
        .accounts()
        .audit_ledger(api.req(
            Actor::Manager,
            payments::AuditLedgerRequest {
                claim_ids: claims.iter().map(|c| c.claim_id.clone()).collect(),
            },
        ))
        .await
        .map_err(crate::operator::status_error)
        .context("AuditLedger")?
        .into_inner();
    let mut sum = BTreeMap::<&str, i64>::new();
    for c in &audit.claims {
        *sum.entry("billed").or_default() += cents(&c.charges);
        *sum.entry("paid").or_default() += cents(&c.payments);
        *sum.entry("adjusted").or_default() += cents(&c.adjustments);
        *sum.entry("written_off").or_default() += cents(&c.write_offs);
        *sum.entry("insurance_ar").or_default() += cents(&c.insurance_balance);
        *sum.entry("patient_ar").or_default() += cents(&c.patient_balance);
    }
    let get = |k: &str| sum.get(k).copied().unwrap_or(0);
    // Secondary claims carry no charge of their own in payments' ledger
    // (the charge is on the primary), yet their 835 is posted against
    // insurance AR: reported, not netted away.
    let rank: BTreeMap<&str, u32> = claims
        .iter()
        .map(|c| (c.claim_id.as_str(), c.payer_rank))
        .collect();
    let odd: Vec<&payments::ClaimLedgerAudit> = audit
        .claims
        .iter()
        .filter(|c| rank.get(c.claim_id.as_str()) == Some(&2) && cents(&c.insurance_balance) < 0)
        .collect();
    if !odd.is_empty() {
        summary.exceptions.push(format!(
            "payments: {} secondary claim(s) have a negative insurance balance totalling ${} (their 835's payment and OA-23 posted against insurance AR with no charge on the secondary claim; the primary's patient balance is not reduced by what the secondary paid), e.g. claim {}",
            odd.len(),
            super::summary::dollars(odd.iter().map(|c| cents(&c.insurance_balance)).sum()),
            odd[0].claim_id
        ));
    }
    summary.difference = get("billed")
        - get("paid")
        - get("adjusted")
        - get("written_off")
        - get("insurance_ar")
        - get("patient_ar");
    summary.claims_out_of_balance = audit.claims_out_of_balance;
    for (k, v) in &sum {
        if *k != "paid" {
            summary.money.insert((*k).to_string(), *v);
        }
    }
    summary
        .money
        .insert("insurance_paid".into(), get("paid") - patient_paid);
    summary.money.insert("patient_paid".into(), patient_paid);

    let aging = api
        .reporting()
        .get_ar_aging(api.req(
            Actor::Manager,
            payments::GetArAgingRequest {
                as_of: date(today),
                group_by: payments::AgingGroupBy::Payer as i32,
                basis: payments::AgingBasis::DateOfService as i32,
            },
        ))
        .await
        .map_err(crate::operator::status_error)
        .context("GetArAging")?
        .into_inner();
    if let Some(total) = &aging.total {
        let (i, p) = (
            total.insurance.unwrap_or_default(),
            total.patient.unwrap_or_default(),
        );
        summary.aging = vec![
            ("0-30 days".into(), cents(&i.days_0_30), cents(&p.days_0_30)),
            (
                "31-60 days".into(),
                cents(&i.days_31_60),
                cents(&p.days_31_60),
            ),
            (
                "61-90 days".into(),
                cents(&i.days_61_90),
                cents(&p.days_61_90),
            ),
            (
                "91-120 days".into(),
                cents(&i.days_91_120),
                cents(&p.days_91_120),
            ),
            (
                "over 120 days".into(),
                cents(&i.days_over_120),
                cents(&p.days_over_120),
            ),
            ("total".into(), cents(&i.total), cents(&p.total)),
        ];
        summary.agreements.push(Agreement {
            what: "AR aging total / ledger audit AR".into(),
            services: cents(&i.total) + cents(&p.total),
            simulator: get("insurance_ar") + get("patient_ar"),
        });
    }

    let kpis = api
        .reporting()
        .get_kpis(api.req(
            Actor::Manager,
            payments::GetKpisRequest {
                period: Some(DateRange {
                    start: date(first_day.add_days(-1)?),
                    end: date(today),
                }),
            },
        ))
        .await
        .map_err(crate::operator::status_error)
        .context("GetKpis")?
        .into_inner();
    for (k, v) in [
        ("days in AR", &kpis.days_in_ar),
        ("net collection rate", &kpis.net_collection_rate),
        ("gross collection rate", &kpis.gross_collection_rate),
        ("denial rate by dollars", &kpis.denial_rate_by_dollars),
        ("AR over 90 days", &kpis.ar_over_90_days_ratio),
        ("patient share of AR", &kpis.patient_ar_ratio),
    ] {
        summary.kpis.insert(k.into(), v.clone());
    }
    summary.kpis.insert(
        "gross charges (KPI period)".into(),
        format!("${}", super::summary::dollars(cents(&kpis.gross_charges))),
    );
    summary.agreements.push(Agreement {
        what: "KPI total AR / ledger audit AR".into(),
        services: cents(&kpis.total_ar),
        simulator: get("insurance_ar") + get("patient_ar"),
    });

    // The payer's side.
    let record = sim.record();
    let t = &record.totals;
    for (k, v) in [
        ("claims accepted", t.claims_accepted as i64),
        ("claims rejected", t.claims_rejected as i64),
        ("claims pending", t.claims_pending as i64),
        ("billed (ΣCLP03)", t.billed),
        ("allowed", t.allowed),
        ("paid (ΣCLP04)", t.paid),
        ("patient responsibility (ΣCLP05)", t.patient_responsibility),
        ("interest", t.interest),
        ("provider adjustments (ΣPLB)", t.provider_adjustments),
        ("payments (ΣBPR02)", t.payments),
        ("835s", t.remittances as i64),
    ] {
        summary.simulator.insert(k.into(), v);
    }
    let received = (t.claims_accepted + t.claims_rejected) as i64;
    let sent = claims.iter().filter(|c| !c.batch_id.is_empty()).count() as i64;
    summary.agreements.push(Agreement {
        what: "claims sent (billing) / received (payer sim)".into(),
        services: sent,
        simulator: received,
    });
    summary.agreements.push(Agreement {
        what: "insurance paid (ledger) / ΣCLP04 (payer sim)".into(),
        services: get("paid") - patient_paid,
        simulator: t.paid,
    });
    let billing_paid: i64 = claims.iter().map(|c| cents(&c.paid)).sum();
    let standing: i64 = record.claims.iter().map(|c| c.net_paid()).sum();
    summary.agreements.push(Agreement {
        what: "paid on billing's claims / net paid (payer sim)".into(),
        services: billing_paid,
        simulator: standing,
    });
    Ok(())
}

/// Of the `released` encounters: how many have exactly one primary claim
/// that stands (not replaced, voided or rejected), how many have none, and
/// how many encounters have more than one.
pub fn billed_once(claims: &[billing::Claim], released: &[&str]) -> (usize, usize, usize) {
    let mut standing: BTreeMap<&str, usize> = BTreeMap::new();
    for c in claims {
        let gone = [
            billing::ClaimStatus::Replaced as i32,
            billing::ClaimStatus::Voided as i32,
            billing::ClaimStatus::Rejected as i32,
        ]
        .contains(&c.status);
        if c.payer_rank == 1 && !gone {
            *standing.entry(c.encounter_id.as_str()).or_default() += 1;
        }
    }
    let once = released
        .iter()
        .filter(|id| standing.get(*id) == Some(&1))
        .count();
    let unbilled = released
        .iter()
        .filter(|id| !standing.contains_key(*id))
        .count();
    let twice = standing.values().filter(|n| **n > 1).count();
    (once, unbilled, twice)
}
