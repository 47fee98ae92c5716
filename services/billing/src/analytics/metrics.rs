//! The billing metrics' formulas, over rows the store reads: clean-claim
//! rate, first-pass denial rate by count and by dollars, denials grouped by
//! root cause, origin, payer and CARC, days from release to submission.

use std::collections::BTreeMap;

use medbill_kernel::Money;
use rust_decimal::{Decimal, RoundingStrategy};

/// Places a ratio is given to.
pub const PLACES: u32 = 4;

/// `numerator / denominator` to four places, half away from zero; `None`
/// over zero.
pub fn ratio(numerator: i64, denominator: i64) -> Option<Decimal> {
    if denominator == 0 {
        return None;
    }
    Decimal::from(numerator)
        .checked_div(Decimal::from(denominator))
        .map(|r| r.round_dp_with_strategy(PLACES, RoundingStrategy::MidpointAwayFromZero))
}

/// A ratio as the wire carries it: empty when undefined.
pub fn ratio_text(numerator: i64, denominator: i64) -> String {
    ratio(numerator, denominator)
        .map(|r| format!("{r:.4}"))
        .unwrap_or_default()
}

/// One claim first submitted in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// Whether the scrubber ever held it or a 999/277CA rejected it.
    pub ever_held_or_rejected: bool,
    /// Seconds from the release's arrival to the first submission.
    pub seconds_to_submit: i64,
}

/// One claim first adjudicated in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstAdjudication {
    /// The claim's charges.
    pub charge: Money,
    /// What that first adjudication denied (Σ its denial items).
    pub denied: Money,
    /// CLP02.
    pub status_code: String,
}

impl FirstAdjudication {
    /// Denied in full (CLP02 4) or in part.
    pub fn is_denial(&self) -> bool {
        self.status_code == "4" || self.denied.cents() > 0
    }
}

/// One denial recorded in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenialRow {
    /// Root-cause category.
    pub category: String,
    /// Who fixes it.
    pub origin: String,
    /// The payer.
    pub payer_id: String,
    /// Its CARCs.
    pub carcs: Vec<String>,
    /// Denied amount.
    pub amount: Money,
}

/// Count and dollars under one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// How many denials.
    pub denials: u32,
    /// Σ denied cents.
    pub cents: i64,
}

/// Clean claims and all claims submitted.
pub fn clean_claims(submitted: &[Submitted]) -> (u32, u32) {
    let clean = submitted
        .iter()
        .filter(|s| !s.ever_held_or_rejected)
        .count();
    (clean as u32, submitted.len() as u32)
}

/// Mean days from release to first submission, two places; `None` when no
/// claim was submitted.
pub fn average_days_to_submit(submitted: &[Submitted]) -> Option<Decimal> {
    if submitted.is_empty() {
        return None;
    }
    let seconds: i64 = submitted.iter().map(|s| s.seconds_to_submit).sum();
    Some(
        (Decimal::from(seconds) / Decimal::from(86_400 * submitted.len() as i64))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
    )
}

/// Claims denied on first adjudication, claims adjudicated, denied cents,
/// adjudicated charge cents.
pub fn first_pass(adjudicated: &[FirstAdjudication]) -> (u32, u32, i64, i64) {
    let denied = adjudicated.iter().filter(|a| a.is_denial()).count() as u32;
    let denied_cents = adjudicated.iter().map(|a| a.denied.cents()).sum();
    let charge_cents = adjudicated.iter().map(|a| a.charge.cents()).sum();
    (denied, adjudicated.len() as u32, denied_cents, charge_cents)
}

/// Denials grouped by `key`; a denial with several keys (CARCs) counts
/// under each.
pub fn group_by<'a>(
    rows: &'a [DenialRow],
    key: impl Fn(&'a DenialRow) -> Vec<&'a str>,
) -> BTreeMap<&'a str, Tally> {
    let mut out: BTreeMap<&str, Tally> = BTreeMap::new();
    for row in rows {
        for k in key(row) {
            let t = out.entry(k).or_default();
            t.denials += 1;
            t.cents += row.amount.cents();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_four_places_half_away_from_zero_and_undefined_over_zero() {
        assert_eq!(ratio_text(2, 3), "0.6667");
        assert_eq!(ratio_text(1, 8), "0.1250");
        assert_eq!(ratio_text(1, 0), "");
        assert_eq!(ratio_text(5, 5), "1.0000");
    }

    #[test]
    fn a_claim_held_once_or_rejected_once_is_not_clean() {
        let s = |bad, secs| Submitted {
            ever_held_or_rejected: bad,
            seconds_to_submit: secs,
        };
        let rows = [s(false, 86_400), s(true, 3 * 86_400), s(false, 0)];
        assert_eq!(clean_claims(&rows), (2, 3));
        assert_eq!(
            average_days_to_submit(&rows).map(|d| d.to_string()),
            Some("1.33".into())
        );
        assert_eq!(average_days_to_submit(&[]), None);
    }

    #[test]
    fn first_pass_denials_count_whole_and_partial_denials_and_their_dollars() {
        let a = |charge, denied, status: &str| FirstAdjudication {
            charge: Money::from_cents(charge),
            denied: Money::from_cents(denied),
            status_code: status.into(),
        };
        let rows = [
            a(10_000, 0, "1"),
            a(20_000, 20_000, "4"),
            a(17_500, 2_500, "1"),
        ];
        assert_eq!(first_pass(&rows), (2, 3, 22_500, 47_500));
        assert_eq!(ratio_text(22_500, 47_500), "0.4737");
    }

    #[test]
    fn a_denial_with_two_carcs_counts_under_each() {
        let row = |carcs: &[&str], cents| DenialRow {
            category: "coding".into(),
            origin: "coding team".into(),
            payer_id: "p".into(),
            carcs: carcs.iter().map(|c| c.to_string()).collect(),
            amount: Money::from_cents(cents),
        };
        let rows = [row(&["97", "16"], 100), row(&["97"], 50)];
        let by = group_by(&rows, |r| r.carcs.iter().map(String::as_str).collect());
        assert_eq!(
            by["97"],
            Tally {
                denials: 2,
                cents: 150
            }
        );
        assert_eq!(
            by["16"],
            Tally {
                denials: 1,
                cents: 100
            }
        );
    }
}
