//! AR aging: which bucket an age falls in, and the sums of open claim
//! balances per group and bucket.

use std::collections::BTreeMap;

use medbill_kernel::{CalendarDate, Money, MoneyError};

/// The buckets' upper bounds in days (inclusive); older is 121+.
const BOUNDS: [i64; 4] = [30, 60, 90, 120];

/// The bucket (0: 0–30 … 4: 121+) of a balance `age_days` old; a balance
/// dated after the report day is in the first.
pub fn bucket(age_days: i64) -> usize {
    BOUNDS
        .iter()
        .position(|bound| age_days <= *bound)
        .unwrap_or(BOUNDS.len())
}

/// Balances in the five buckets, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Buckets(pub [Money; 5]);

impl Buckets {
    /// Adds `amount` to bucket `index` (0–4; others are ignored).
    pub fn add(&mut self, index: usize, amount: Money) -> Result<(), MoneyError> {
        if let Some(slot) = self.0.get_mut(index) {
            *slot = slot.checked_add(amount)?;
        }
        Ok(())
    }

    /// The sum of the buckets.
    pub fn total(&self) -> Result<Money, MoneyError> {
        self.0
            .iter()
            .try_fold(Money::ZERO, |sum, m| sum.checked_add(*m))
    }

    /// Bucket by bucket sum of `self` and `other`.
    pub fn plus(&self, other: &Buckets) -> Result<Buckets, MoneyError> {
        let mut out = *self;
        for (slot, m) in out.0.iter_mut().zip(other.0) {
            *slot = slot.checked_add(m)?;
        }
        Ok(out)
    }
}

/// One claim's open balances and the facts it ages and groups by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenClaim {
    /// The key of its group (payer, account or filing indicator).
    pub group: String,
    /// The day it ages from.
    pub aged_from: CalendarDate,
    /// Insurance AR.
    pub insurance: Money,
    /// Patient AR.
    pub patient: Money,
}

/// One group's insurance and patient buckets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupAging {
    /// Insurance AR by age.
    pub insurance: Buckets,
    /// Patient AR by age.
    pub patient: Buckets,
}

/// The aging of `claims` as of `as_of`, by group key (claims with no open
/// balance left out).
pub fn age(
    claims: &[OpenClaim],
    as_of: CalendarDate,
) -> Result<BTreeMap<String, GroupAging>, MoneyError> {
    let mut out: BTreeMap<String, GroupAging> = BTreeMap::new();
    for claim in claims {
        if claim.insurance == Money::ZERO && claim.patient == Money::ZERO {
            continue;
        }
        let index = bucket(as_of.days_after(claim.aged_from));
        let row = out.entry(claim.group.clone()).or_default();
        row.insurance.add(index, claim.insurance)?;
        row.patient.add(index, claim.patient)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bucket_ends_on_its_named_day() {
        let cases = [(-3, 0), (0, 0), (30, 0), (31, 1), (60, 1), (61, 2), (90, 2)];
        for (age, want) in cases {
            assert_eq!(bucket(age), want, "age {age}");
        }
        assert_eq!(bucket(91), 3);
        assert_eq!(bucket(120), 3);
        assert_eq!(bucket(121), 4);
        assert_eq!(bucket(4_000), 4);
    }
}
