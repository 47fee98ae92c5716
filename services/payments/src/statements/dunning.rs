//! The dunning policy: which cycle a guarantor's next statement is at, and
//! its message. The cycles are data (`dunning_cycles`); this is the rule
//! that walks them.

use medbill_kernel::CalendarDate;

/// One cycle of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DunningCycle {
    /// 1 for a guarantor's first statement, then 2, 3, …
    pub cycle: u32,
    /// Days that must have passed since the previous statement before a
    /// statement is sent at this cycle.
    pub days_after_previous: i64,
    /// Whether this is the final notice (placement may follow).
    pub final_notice: bool,
    /// The message printed on statements of this cycle.
    pub message: String,
}

/// The guarantor's previous statement, as the policy needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviousStatement {
    /// Its cycle.
    pub cycle: u32,
    /// Its statement date.
    pub date: CalendarDate,
}

/// Why a policy cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// No cycle at all.
    #[error("the dunning policy has no cycles")]
    Empty,
    /// Cycles must be numbered 1, 2, 3, … without gaps.
    #[error("dunning cycles must be numbered 1, 2, 3, ... (found {0})")]
    Numbering(u32),
}

/// The cycles of the dunning policy, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DunningPolicy {
    cycles: Vec<DunningCycle>,
}

impl DunningPolicy {
    /// The policy of `cycles` (any order); refused when empty or when the
    /// numbers are not 1..=n.
    pub fn new(mut cycles: Vec<DunningCycle>) -> Result<Self, PolicyError> {
        cycles.sort_by_key(|c| c.cycle);
        if cycles.is_empty() {
            return Err(PolicyError::Empty);
        }
        for (i, c) in cycles.iter().enumerate() {
            if c.cycle as usize != i + 1 {
                return Err(PolicyError::Numbering(c.cycle));
            }
        }
        Ok(DunningPolicy { cycles })
    }

    /// The cycle of a statement dated `today` for a guarantor whose previous
    /// statement was `previous`:
    ///
    /// - no previous statement: the first cycle;
    /// - dunning suspended (a payment plan in good standing): the previous
    ///   cycle again, never a later one;
    /// - otherwise the next cycle once its `days_after_previous` have passed
    ///   since the previous statement, else the previous cycle again; the
    ///   last cycle (final notice) repeats.
    pub fn next(
        &self,
        previous: Option<PreviousStatement>,
        today: CalendarDate,
        suspended: bool,
    ) -> &DunningCycle {
        let Some(previous) = previous else {
            return &self.cycles[0];
        };
        let index = (previous.cycle as usize)
            .saturating_sub(1)
            .min(self.cycles.len() - 1);
        let current = &self.cycles[index];
        if suspended {
            return current;
        }
        match self.cycles.get(index + 1) {
            Some(next) if today.days_after(previous.date) >= next.days_after_previous => next,
            _ => current,
        }
    }

    /// The cycle numbered `cycle`, if the policy has it.
    pub fn cycle(&self, cycle: u32) -> Option<&DunningCycle> {
        self.cycles.get((cycle as usize).checked_sub(1)?)
    }
}

/// Whether a statement of `current` claims continues the dunning of the
/// previous statement, which stated `previous` claims: it does when some
/// claim is on both (the balance is still, at least in part, the one
/// dunned); when none is, the guarantor paid that balance and owes a new
/// one, whose dunning starts again at the first cycle.
pub fn continues<'a>(
    previous: &std::collections::BTreeSet<String>,
    mut current: impl Iterator<Item = &'a str>,
) -> bool {
    current.any(|claim| previous.contains(claim))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> DunningPolicy {
        let c = |cycle, days, final_notice| DunningCycle {
            cycle,
            days_after_previous: days,
            final_notice,
            message: format!("cycle {cycle}"),
        };
        DunningPolicy::new(vec![
            c(3, 30, false),
            c(1, 0, false),
            c(4, 30, true),
            c(2, 30, false),
        ])
        .unwrap()
    }

    fn day(m: u32, d: u32) -> CalendarDate {
        CalendarDate::from_ymd(2026, m, d).unwrap()
    }

    fn after(cycle: u32, date: CalendarDate) -> Option<PreviousStatement> {
        Some(PreviousStatement { cycle, date })
    }

    #[test]
    fn a_first_statement_is_cycle_one() {
        assert_eq!(policy().next(None, day(11, 30), false).cycle, 1);
    }

    #[test]
    fn the_cycle_advances_only_once_its_days_have_passed_since_the_previous_statement() {
        let p = policy();
        assert_eq!(p.next(after(1, day(11, 1)), day(11, 30), false).cycle, 1);
        assert_eq!(p.next(after(1, day(10, 31)), day(11, 30), false).cycle, 2);
        assert_eq!(p.next(after(2, day(10, 31)), day(11, 30), false).cycle, 3);
    }

    #[test]
    fn the_final_notice_is_the_last_cycle_and_repeats() {
        let p = policy();
        let fin = p.next(after(3, day(10, 1)), day(11, 30), false);
        assert_eq!((fin.cycle, fin.final_notice), (4, true));
        assert_eq!(p.next(after(4, day(10, 1)), day(11, 30), false).cycle, 4);
    }

    #[test]
    fn a_new_balance_after_the_old_one_was_paid_starts_dunning_again() {
        let previous: std::collections::BTreeSet<String> =
            ["c1".to_string(), "c2".to_string()].into();
        assert!(continues(&previous, ["c2", "c3"].into_iter()));
        assert!(!continues(&previous, ["c3"].into_iter()));
    }

    #[test]
    fn a_suspended_guarantor_stays_at_the_previous_cycle() {
        let p = policy();
        assert_eq!(p.next(after(2, day(8, 1)), day(11, 30), true).cycle, 2);
    }

    #[test]
    fn a_policy_with_a_gap_in_its_numbers_or_no_cycle_is_refused() {
        let c = |cycle| DunningCycle {
            cycle,
            days_after_previous: 0,
            final_notice: false,
            message: String::new(),
        };
        assert_eq!(
            DunningPolicy::new(vec![c(1), c(3)]),
            Err(PolicyError::Numbering(3))
        );
        assert_eq!(DunningPolicy::new(vec![]), Err(PolicyError::Empty));
    }
}
