//! Money as whole cents.
//!
//! Amounts are `i64` cents on the wire, in the database and here. Rates and
//! percentages are `rust_decimal::Decimal`; the one place a fractional amount
//! becomes cents is [`Money::from_decimal_dollars`] / [`Money::apply_rate`],
//! and both use the same rule: **round half away from zero to the cent**
//! (`$0.125` → `$0.13`, `-$0.125` → `-$0.13`), the rule of CMS fee schedule
//! arithmetic and of ordinary accounting.

use std::fmt;
use std::iter::Sum;

use rust_decimal::{Decimal, RoundingStrategy};

/// Errors of money arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The result does not fit in `i64` cents.
    #[error("amount overflows the range of cents")]
    Overflow,
    /// A negative amount where only zero or more is allowed.
    #[error("amount must not be negative")]
    Negative,
    /// A split into zero parts.
    #[error("cannot split an amount into zero parts")]
    ZeroParts,
}

/// An amount of US dollars in whole cents. May be negative (credits,
/// adjustments, takebacks); constructors that need a non-negative amount say
/// so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    /// Zero dollars.
    pub const ZERO: Money = Money(0);

    /// An amount of `cents`.
    pub const fn from_cents(cents: i64) -> Self {
        Money(cents)
    }

    /// An amount of `cents` that must not be negative.
    pub fn non_negative(cents: i64) -> Result<Self, MoneyError> {
        if cents < 0 {
            Err(MoneyError::Negative)
        } else {
            Ok(Money(cents))
        }
    }

    /// The amount in cents.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Dollars as a decimal, rounded to the cent by the module's rule.
    pub fn from_decimal_dollars(dollars: Decimal) -> Result<Self, MoneyError> {
        let cents = (dollars * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        i64::try_from(cents)
            .map(Money)
            .map_err(|_| MoneyError::Overflow)
    }

    /// The amount as decimal dollars (exact).
    pub fn to_decimal_dollars(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// This amount times `rate` (e.g. 0.80 for 80%), rounded to the cent by
    /// the module's rule.
    pub fn apply_rate(self, rate: Decimal) -> Result<Self, MoneyError> {
        let product = Decimal::from(self.0)
            .checked_mul(rate)
            .ok_or(MoneyError::Overflow)?;
        let cents = product.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        i64::try_from(cents)
            .map(Money)
            .map_err(|_| MoneyError::Overflow)
    }

    /// Sum that fails instead of wrapping.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Money)
            .ok_or(MoneyError::Overflow)
    }

    /// Difference that fails instead of wrapping.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.0
            .checked_sub(other.0)
            .map(Money)
            .ok_or(MoneyError::Overflow)
    }

    /// The negated amount.
    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        self.0.checked_neg().map(Money).ok_or(MoneyError::Overflow)
    }

    /// Splits the amount into `parts` amounts that differ by at most one cent
    /// and add up exactly to the whole; the earlier parts carry the extra
    /// cents (so a payment plan's first installments are the larger ones).
    pub fn split(self, parts: u32) -> Result<Vec<Money>, MoneyError> {
        if parts == 0 {
            return Err(MoneyError::ZeroParts);
        }
        let n = i64::from(parts);
        let base = self.0.div_euclid(n);
        let remainder = self.0.rem_euclid(n);
        Ok((0..n)
            .map(|i| Money(base + i64::from(i < remainder)))
            .collect())
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whether the amount is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }
}

/// Adds amounts with the one overflow policy of this type: an error, in
/// release builds as in debug, never a wrap. Collect into
/// `Result<Money, MoneyError>`: `let total: Result<Money, _> = it.sum();`.
impl Sum<Money> for Result<Money, MoneyError> {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Result<Money, MoneyError> {
        iter.into_iter()
            .try_fold(Money::ZERO, |total, m| total.checked_add(m))
    }
}

impl<'a> Sum<&'a Money> for Result<Money, MoneyError> {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Result<Money, MoneyError> {
        iter.copied().sum()
    }
}

impl fmt::Display for Money {
    /// `$1,234.56`, `-$0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let dollars = (abs / 100).to_string();
        let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
        for (i, ch) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}${grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    #[test]
    fn half_a_cent_rounds_away_from_zero() {
        let up = Money::from_decimal_dollars(Decimal::from_str("0.125").unwrap()).unwrap();
        let down = Money::from_decimal_dollars(Decimal::from_str("-0.125").unwrap()).unwrap();
        assert_eq!(up.cents(), 13);
        assert_eq!(down.cents(), -13);
    }

    #[test]
    fn applying_eighty_percent_rounds_to_the_cent() {
        let allowed = Money::from_cents(10_001); // $100.01
        let paid = allowed
            .apply_rate(Decimal::from_str("0.80").unwrap())
            .unwrap();
        assert_eq!(paid.cents(), 8_001); // 8000.8 -> 8001
    }

    #[test]
    fn split_puts_extra_cents_first() {
        let parts = Money::from_cents(1_000).split(3).unwrap();
        assert_eq!(parts, vec![Money(334), Money(333), Money(333)]);
    }

    #[test]
    fn split_into_zero_parts_is_an_error() {
        assert_eq!(Money::from_cents(5).split(0), Err(MoneyError::ZeroParts));
    }

    #[test]
    fn display_groups_thousands_and_keeps_the_sign() {
        assert_eq!(Money::from_cents(123_456).to_string(), "$1,234.56");
        assert_eq!(Money::from_cents(-5).to_string(), "-$0.05");
        assert_eq!(Money::from_cents(100_000_000).to_string(), "$1,000,000.00");
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        assert_eq!(
            Money::from_cents(i64::MAX).checked_add(Money::from_cents(1)),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn a_sum_that_overflows_is_an_error_not_a_wrap() {
        let total: Result<Money, MoneyError> = [Money::from_cents(i64::MAX), Money::from_cents(1)]
            .into_iter()
            .sum();
        assert_eq!(total, Err(MoneyError::Overflow));
        let fine: Result<Money, MoneyError> =
            [Money::from_cents(5), Money::from_cents(-2)].iter().sum();
        assert_eq!(fine, Ok(Money::from_cents(3)));
    }

    #[test]
    fn non_negative_rejects_negative_cents() {
        assert_eq!(Money::non_negative(-1), Err(MoneyError::Negative));
        assert_eq!(Money::non_negative(0), Ok(Money::ZERO));
    }

    proptest! {
        #[test]
        fn split_parts_always_add_up_to_the_whole(cents in -1_000_000_000i64..1_000_000_000, parts in 1u32..100) {
            let split = Money::from_cents(cents).split(parts).unwrap();
            prop_assert_eq!(split.len(), parts as usize);
            prop_assert_eq!(split.iter().sum::<Result<Money, MoneyError>>(), Ok(Money::from_cents(cents)));
            let max = split.iter().max().unwrap().cents();
            let min = split.iter().min().unwrap().cents();
            prop_assert!(max - min <= 1);
        }

        #[test]
        fn dollars_round_trip_exactly(cents in i64::MIN / 1000..i64::MAX / 1000) {
            let money = Money::from_cents(cents);
            prop_assert_eq!(Money::from_decimal_dollars(money.to_decimal_dollars()).unwrap(), money);
        }
    }
}
