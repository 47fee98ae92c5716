//! Value types the transactions share: money in integer cents, decimal
//! quantities, calendar dates, and a wrapper that keeps PHI out of logs.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Neg, Sub};

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of money in integer cents. X12 monetary amounts carry at most
/// two decimal places; anything finer is rejected rather than rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0);

    /// An amount from integer cents.
    pub const fn from_cents(cents: i64) -> Self {
        Self(cents)
    }

    /// The amount in integer cents.
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Parses an X12 `R` value such as `-12.5`, `100` or `.75`.
    pub fn parse(raw: &str) -> Option<Self> {
        let (negative, digits) = match raw.as_bytes() {
            [b'-', rest @ ..] => (true, rest),
            rest => (false, rest),
        };
        // One pass: whole digits, then at most two significant decimals;
        // further decimals must be zeros (other digits would silently
        // change the amount). Eighteen digits keep the cents inside i64.
        let mut cents: i64 = 0;
        let mut whole_digits = 0u32;
        let mut decimals: Option<u32> = None;
        for b in digits {
            match (*b, decimals) {
                (b'0'..=b'9', None) => {
                    whole_digits += 1;
                    if whole_digits > 16 {
                        return None;
                    }
                    cents = cents * 10 + i64::from(b - b'0');
                }
                (b'0'..=b'9', Some(n)) if n < 2 => {
                    cents = cents * 10 + i64::from(b - b'0');
                    decimals = Some(n + 1);
                }
                (b'0', Some(n)) => decimals = Some(n + 1),
                (b'.', None) => decimals = Some(0),
                _ => return None,
            }
        }
        if whole_digits == 0 && decimals.is_none_or(|n| n == 0) {
            return None;
        }
        for _ in decimals.unwrap_or(0).min(2)..2 {
            cents *= 10;
        }
        Some(Self(if negative { -cents } else { cents }))
    }

    /// The X12 form: no trailing zeros, no trailing dot (`100`, `100.5`).
    pub fn to_x12(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, frac) = (abs / 100, abs % 100);
        match frac {
            0 => format!("{sign}{whole}"),
            f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
            f => format!("{sign}{whole}.{f:02}"),
        }
    }
}

impl fmt::Display for Amount {
    /// Always two decimals: `-12.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Amount {
    /// Money is a string in JSON so no consumer ever reads it as a float.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Add for Amount {
    type Output = Amount;
    fn add(self, rhs: Amount) -> Amount {
        Amount(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Amount {
    type Output = Amount;
    fn sub(self, rhs: Amount) -> Amount {
        Amount(self.0.saturating_sub(rhs.0))
    }
}

impl Neg for Amount {
    type Output = Amount;
    fn neg(self) -> Amount {
        Amount(self.0.saturating_neg())
    }
}

impl Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::ZERO, Add::add)
    }
}

/// A decimal quantity: service units, CAS quantities, benefit percentages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(Decimal);

impl Quantity {
    /// Parses an X12 `R` value; the sign is allowed, exponents are not.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= 18
            && raw
                .bytes()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || b == b'.' || (i == 0 && b == b'-'));
        if !ok {
            return None;
        }
        // Units and counts are nearly always a few digits: build the
        // decimal from its digits rather than through `from_str`.
        let (negative, digits) = match raw.as_bytes() {
            [b'-', rest @ ..] => (true, rest),
            rest => (false, rest),
        };
        let mut mantissa: i64 = 0;
        let mut scale: Option<u32> = None;
        for b in digits {
            match b {
                b'.' if scale.is_none() => scale = Some(0),
                b'0'..=b'9' => {
                    mantissa = mantissa * 10 + i64::from(b - b'0');
                    scale = scale.map(|s| s + 1);
                }
                _ => return None,
            }
        }
        // A lone "-", "." or "-." has no digits.
        if digits.iter().all(|b| *b == b'.') {
            return None;
        }
        let value = Decimal::try_new(
            if negative { -mantissa } else { mantissa },
            scale.unwrap_or(0),
        );
        // Only decimals can carry trailing zeros to normalize away.
        match scale {
            Some(s) if s > 0 => value.ok().map(|d| Self(d.normalize())),
            _ => value.ok().map(Self),
        }
    }

    /// A whole quantity.
    pub fn from_units(units: i64) -> Self {
        Self(Decimal::from(units))
    }

    /// The decimal value.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// The X12 form (normalized, no exponent).
    pub fn to_x12(self) -> String {
        self.0.normalize().to_string()
    }
}

impl From<Decimal> for Quantity {
    fn from(d: Decimal) -> Self {
        Self(d.normalize())
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A calendar date (X12 `CCYYMMDD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The earliest date the type holds (1000-01-01).
    pub const MIN: Date = Date {
        year: 1000,
        month: 1,
        day: 1,
    };

    /// A date, when it exists on the calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1000 && (1..=days).contains(&day)).then_some(Self { year, month, day })
    }

    /// Parses `CCYYMMDD`.
    pub fn parse(raw: &str) -> Option<Self> {
        let b = raw.as_bytes();
        if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        // All eight bytes are ASCII digits (checked above).
        let d = |i: usize| u16::from(b[i] - b'0');
        let two = |i: usize| u8::try_from(d(i) * 10 + d(i + 1)).ok();
        Self::new(
            d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3),
            two(4)?,
            two(6)?,
        )
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1-12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The `CCYYMMDD` form.
    pub fn to_x12(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// The `YYMMDD` form the ISA header uses.
    pub fn to_isa(self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }
}

impl fmt::Display for Date {
    /// ISO 8601: `2024-01-31`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Protected health information: names, member ids, birth dates,
/// addresses. `Debug` prints `[redacted]` so PHI never reaches a log; the
/// value is only reachable through [`Phi::expose`] and JSON output.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Phi<T>(T);

impl<T> Phi<T> {
    /// Wraps a sensitive value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The sensitive value, for the code that must write or display it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Phi<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T: Serialize> Serialize for Phi<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Phi<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Phi)
    }
}

impl From<&str> for Phi<crate::text::Text> {
    fn from(v: &str) -> Self {
        Self(crate::text::Text::new(v))
    }
}

impl From<&str> for Phi<String> {
    fn from(v: &str) -> Self {
        Self(v.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_exact_cents() {
        let cents = |s| Amount::parse(s).map(Amount::cents);
        assert_eq!(cents("100"), Some(10000));
        assert_eq!(cents("100.5"), Some(10050));
        assert_eq!(cents("-12.34"), Some(-1234));
        assert_eq!(cents(".75"), Some(75));
        assert_eq!(cents("1.500"), Some(150));
        assert_eq!(cents("1.005"), None);
        assert_eq!(cents("1e3"), None);
        assert_eq!(cents("-"), None);
        assert_eq!(cents("."), None);
        assert_eq!(cents("12."), Some(1200));
        assert_eq!(cents("0.07"), Some(7));
        assert_eq!(cents("1.2.3"), None);
        assert_eq!(cents("--1"), None);
        assert_eq!(cents(""), None);
        assert_eq!(cents("9999999999999999.99"), Some(999_999_999_999_999_999));
        assert_eq!(cents("10000000000000000"), None);
    }

    #[test]
    fn amounts_are_written_without_trailing_zeros() {
        assert_eq!(Amount::from_cents(10000).to_x12(), "100");
        assert_eq!(Amount::from_cents(10050).to_x12(), "100.5");
        assert_eq!(Amount::from_cents(-5).to_x12(), "-0.05");
        assert_eq!(Amount::from_cents(-5).to_string(), "-0.05");
    }

    #[test]
    fn quantities_parse_like_decimal_from_str() {
        use std::str::FromStr;
        for raw in [
            "1",
            "0",
            "-2",
            "1.5",
            ".25",
            "1.",
            "007",
            "12.3400",
            "99999999999999999",
        ] {
            let expected = Decimal::from_str(raw).map(|d| d.normalize()).ok();
            assert_eq!(Quantity::parse(raw).map(Quantity::value), expected, "{raw}");
        }
        for raw in ["", "-", ".", "-.", "1.2.3", "1e3", "--1", "1-"] {
            assert_eq!(Quantity::parse(raw), None, "{raw}");
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert!(Date::parse("20240229").is_some());
        assert!(Date::parse("20230229").is_none());
        assert!(Date::parse("20241301").is_none());
        assert!(Date::parse("2024011").is_none());
    }

    #[test]
    fn phi_never_shows_in_debug_output() {
        let name = Phi::new("DOE".to_owned());
        assert_eq!(format!("{name:?}"), "[redacted]");
    }
}
