//! Revenue-cycle KPI formulas (HFMA definitions) over sums read from the
//! ledger and the 835 postings. Ratios are `rust_decimal` rounded to 4
//! places half away from zero (the kernel's money rule); a ratio whose
//! denominator is zero is `None`, never a division by zero or a float.

use medbill_kernel::Money;
use rust_decimal::{Decimal, RoundingStrategy};

/// Places every ratio is rounded to.
pub const PLACES: u32 = 4;

/// Days of gross charges days in AR averages over.
pub const CHARGE_DAYS: i64 = 90;

/// `numerator ÷ denominator` to [`PLACES`] places; `None` when the
/// denominator is zero.
pub fn ratio(numerator: Money, denominator: Money) -> Option<Decimal> {
    if denominator.is_zero() {
        return None;
    }
    let n = Decimal::from(numerator.cents());
    let d = Decimal::from(denominator.cents());
    n.checked_div(d)
        .map(|r| r.round_dp_with_strategy(PLACES, RoundingStrategy::MidpointAwayFromZero))
}

/// Days in AR: total AR ÷ (gross charges of the last [`CHARGE_DAYS`] days ÷
/// [`CHARGE_DAYS`]), computed as AR × 90 ÷ charges so nothing is rounded
/// before the end.
pub fn days_in_ar(total_ar: Money, charges_last_90_days: Money) -> Option<Decimal> {
    if charges_last_90_days.is_zero() {
        return None;
    }
    let ar = Decimal::from(total_ar.cents()).checked_mul(Decimal::from(CHARGE_DAYS))?;
    ar.checked_div(Decimal::from(charges_last_90_days.cents()))
        .map(|r| r.round_dp_with_strategy(PLACES, RoundingStrategy::MidpointAwayFromZero))
}

/// Net collection rate: payments ÷ (charges − contractual adjustments).
pub fn net_collection_rate(payments: Money, charges: Money, contractual: Money) -> Option<Decimal> {
    ratio(payments, charges.checked_sub(contractual).ok()?)
}

/// Gross collection rate: payments ÷ charges.
pub fn gross_collection_rate(payments: Money, charges: Money) -> Option<Decimal> {
    ratio(payments, charges)
}

/// A ratio as text with exactly [`PLACES`] places ("0.4267", "43.0000");
/// empty when undefined.
pub fn text(value: Option<Decimal>) -> String {
    match value {
        Some(mut v) => {
            v.rescale(PLACES);
            v.to_string()
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(c: i64) -> Money {
        Money::from_cents(c)
    }

    #[test]
    fn collection_rates_by_hand() {
        // $640 paid on $1,800 charged with $300 contractual:
        // 640 / 1500 = 0.42666… → 0.4267; 640 / 1800 = 0.35555… → 0.3556.
        assert_eq!(
            text(net_collection_rate(m(64_000), m(180_000), m(30_000))),
            "0.4267"
        );
        assert_eq!(text(gross_collection_rate(m(64_000), m(180_000))), "0.3556");
    }

    #[test]
    fn days_in_ar_divides_ar_by_average_daily_charges() {
        // $860 AR, $1,800 over 90 days = $20 a day: 43 days.
        assert_eq!(text(days_in_ar(m(86_000), m(180_000))), "43.0000");
        // $1,000 AR, $700 over 90 days: 128.571428… → 128.5714.
        assert_eq!(text(days_in_ar(m(100_000), m(70_000))), "128.5714");
        assert_eq!(text(days_in_ar(m(100_000), m(0))), "");
    }

    #[test]
    fn ratios_round_half_away_from_zero_and_are_undefined_over_zero() {
        // 1 / 8 = 0.125 exactly; 1 / 16 = 0.0625; 1/3 = 0.3333…
        assert_eq!(text(ratio(m(1), m(8))), "0.1250");
        assert_eq!(text(ratio(m(1), m(16))), "0.0625");
        assert_eq!(text(ratio(m(1), m(3))), "0.3333");
        // 0.00005 → 0.0001 (half away from zero).
        assert_eq!(text(ratio(m(1), m(20_000))), "0.0001");
        assert_eq!(text(ratio(m(-1), m(20_000))), "-0.0001");
        assert_eq!(ratio(m(5), m(0)), None);
        assert_eq!(text(net_collection_rate(m(5), m(100), m(100))), "");
    }
}
