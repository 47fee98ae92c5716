//! The one rounding rule of the simulator: a rate or percentage applied to
//! cents is computed exactly in `rust_decimal` and rounded **half away from
//! zero to the cent**, the rule of [`medbill_kernel::Money::apply_rate`]
//! (billing and payments use the same). Every allowed amount, coinsurance
//! share, corrected payment and interest amount goes through [`apply`];
//! everything else is whole-cent addition and subtraction.

use medbill_kernel::Money;
use rust_decimal::Decimal;

/// `cents × rate`, rounded half away from zero to the cent. An overflow
/// (only possible with amounts no claim carries) saturates.
pub fn apply(cents: i64, rate: Decimal) -> i64 {
    match Money::from_cents(cents).apply_rate(rate) {
        Ok(m) => m.cents(),
        Err(_) if (rate.is_sign_negative()) == (cents < 0) => i64::MAX,
        Err(_) => i64::MIN,
    }
}

/// Splits `total` over `weights` in proportion, to the cent, so the parts
/// add up to `total` exactly: each part is rounded down and the cents left
/// over go to the largest remainders (the earliest first on a tie). With no
/// positive weight the whole goes to the first part.
pub fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    let mut parts = vec![0i64; weights.len()];
    if weights.is_empty() {
        return parts;
    }
    if sum == 0 {
        parts[0] = total;
        return parts;
    }
    let total_wide = i128::from(total);
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let share = total_wide * i128::from((*w).max(0));
        let base = share.div_euclid(sum);
        remainders.push((share.rem_euclid(sum), i));
        parts[i] = i64::try_from(base).unwrap_or(0);
        given += base;
    }
    let mut left = total_wide - given;
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left <= 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap_or_default()
    }

    #[test]
    fn a_rate_rounds_half_away_from_zero_to_the_cent() {
        assert_eq!(apply(15_000, d("0.80")), 12_000);
        // 0.125 cents rounds up, −0.125 down.
        assert_eq!(apply(1, d("0.5")), 1);
        assert_eq!(apply(-1, d("0.5")), -1);
        assert_eq!(apply(333, d("0.15")), 50); // 49.95 → 50
        assert_eq!(apply(7_000, d("0.20")), 1_400);
    }

    #[test]
    fn a_split_adds_up_to_the_whole_and_follows_the_weights() {
        assert_eq!(split(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(split(3_000, &[15_000, 5_000]), vec![2_250, 750]);
        assert_eq!(split(1, &[0, 5]), vec![0, 1]);
        assert_eq!(split(7, &[0, 0]), vec![7, 0]);
        assert_eq!(split(-100, &[1, 2]), vec![-33, -67]);
        assert_eq!(split(-100, &[1, 2]).iter().sum::<i64>(), -100);
    }
}
