//! Coding quality and productivity: per-coder counts, turnaround and edit
//! rates from the encounter history ([`productivity`]); random samples of
//! released encounters for coding auditors and their recorded verdicts, from
//! which coder accuracy is reported ([`sampling`]).

pub mod grpc;
pub mod productivity;
pub mod sampling;

use medbill_kernel::CalendarDate;

/// A closed range of dates as the half-open text range `[from, to)` that
/// RFC 3339 timestamps compare against.
#[derive(Debug, Clone)]
pub struct Period {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// The day after the last, `YYYY-MM-DD`.
    pub to_exclusive: String,
}

impl Period {
    /// The period from `start` to `end` (both included).
    pub fn new(start: CalendarDate, end: CalendarDate) -> Period {
        let next = end.add_days(1).unwrap_or(end);
        Period {
            from: start.to_string(),
            to_exclusive: next.to_string(),
        }
    }
}

/// `numerator / denominator` in per mille, rounded half up; 0 when the
/// denominator is 0.
pub fn per_mille(numerator: u64, denominator: u64) -> u32 {
    if denominator == 0 {
        return 0;
    }
    u32::try_from((numerator * 1000 + denominator / 2) / denominator).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_mille_rounds_half_up_and_survives_zero() {
        assert_eq!(per_mille(1, 3), 333);
        assert_eq!(per_mille(2, 3), 667);
        assert_eq!(per_mille(1, 2000), 1); // 0.5 rounds up
        assert_eq!(per_mille(5, 0), 0);
    }

    #[test]
    fn a_period_ends_the_day_after_its_last_date() {
        let p = Period::new(
            CalendarDate::from_ymd(2026, 6, 1).unwrap(),
            CalendarDate::from_ymd(2026, 6, 30).unwrap(),
        );
        assert_eq!(
            (p.from.as_str(), p.to_exclusive.as_str()),
            ("2026-06-01", "2026-07-01")
        );
        assert!("2026-06-30T23:59:59.000000Z" < p.to_exclusive.as_str());
    }
}
