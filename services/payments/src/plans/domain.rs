//! The installment schedule of a plan and its standing on a day.

use medbill_kernel::{CalendarDate, Money, MoneyError};

medbill_kernel::typed_id!(
    /// A payment plan.
    PaymentPlanId,
    "payment plan"
);

/// The most installments a plan may have.
pub const MAX_INSTALLMENTS: u32 = 60;

/// Why a schedule cannot be made; each names the request field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// A field breaks a rule.
    #[error("{field}: {rule}")]
    Field {
        /// The request field.
        field: &'static str,
        /// The rule broken.
        rule: String,
    },
    /// Arithmetic overflowed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

fn field(field: &'static str, rule: impl Into<String>) -> ScheduleError {
    ScheduleError::Field {
        field,
        rule: rule.into(),
    }
}

/// One installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installment {
    /// 1, 2, 3, …
    pub number: u32,
    /// The day it is due.
    pub due: CalendarDate,
    /// How much.
    pub amount: Money,
}

/// The amounts of a plan for `total`: from the installment count, the
/// installment amount, or both (then they must fit: amount × (count − 1) <
/// total ≤ amount × count). With only a count the amount is total ÷ count
/// rounded up to the cent. Every installment is the amount but the last,
/// which takes the remainder.
pub fn amounts(
    total: Money,
    count: Option<u32>,
    amount: Option<Money>,
) -> Result<Vec<Money>, ScheduleError> {
    if total.cents() <= 0 {
        return Err(field("total", "must be positive"));
    }
    if let Some(a) = amount
        && a.cents() <= 0
    {
        return Err(field("installment_amount", "must be positive"));
    }
    if let Some(n) = count
        && !(1..=MAX_INSTALLMENTS).contains(&n)
    {
        return Err(field(
            "installments",
            format!("must be 1 to {MAX_INSTALLMENTS}"),
        ));
    }
    let cents = total.cents();
    let (n, each) = match (count, amount) {
        (None, None) => {
            return Err(field("installments", "or installment_amount is required"));
        }
        (Some(n), None) => (i64::from(n), (cents + i64::from(n) - 1) / i64::from(n)),
        (None, Some(a)) => ((cents + a.cents() - 1) / a.cents(), a.cents()),
        (Some(n), Some(a)) => (i64::from(n), a.cents()),
    };
    if n > i64::from(MAX_INSTALLMENTS) {
        return Err(field(
            "installment_amount",
            format!("would need more than {MAX_INSTALLMENTS} installments"),
        ));
    }
    let before_last = each.checked_mul(n - 1).ok_or(MoneyError::Overflow)?;
    if before_last >= cents {
        return Err(field(
            "installment_amount",
            format!(
                "{n} installments of {} pay more than the total {total}",
                Money::from_cents(each)
            ),
        ));
    }
    if before_last + each < cents {
        return Err(field(
            "installment_amount",
            format!(
                "{n} installments of {} do not cover the total {total}",
                Money::from_cents(each)
            ),
        ));
    }
    let mut out = vec![Money::from_cents(each); (n - 1) as usize];
    out.push(Money::from_cents(cents - before_last));
    Ok(out)
}

/// The due dates of `count` monthly installments on day `due_day` (1–28,
/// so every month has it), the first on or after `start`.
pub fn due_dates(
    start: CalendarDate,
    due_day: u32,
    count: usize,
) -> Result<Vec<CalendarDate>, ScheduleError> {
    if !(1..=28).contains(&due_day) {
        return Err(field("due_day", "must be 1 to 28 (a day every month has)"));
    }
    let (mut year, mut month) = (start.year(), start.month());
    if start.day() > due_day {
        (year, month) = next_month(year, month);
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        out.push(
            CalendarDate::from_ymd(year, month, due_day)
                .map_err(|e| field("start_date", e.to_string()))?,
        );
        (year, month) = next_month(year, month);
    }
    Ok(out)
}

fn next_month(year: i32, month: u32) -> (i32, u32) {
    if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    }
}

/// The schedule: [`amounts`] due on [`due_dates`].
pub fn schedule(
    total: Money,
    count: Option<u32>,
    amount: Option<Money>,
    due_day: u32,
    start: CalendarDate,
) -> Result<Vec<Installment>, ScheduleError> {
    let amounts = amounts(total, count, amount)?;
    let dates = due_dates(start, due_day, amounts.len())?;
    Ok(amounts
        .into_iter()
        .zip(dates)
        .enumerate()
        .map(|(i, (amount, due))| Installment {
            number: i as u32 + 1,
            due,
            amount,
        })
        .collect())
}

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStatus {
    /// Being paid; in good standing (fewer misses than the policy allows).
    Active,
    /// Paid in full.
    Completed,
    /// Missed too many installments.
    Defaulted,
    /// Cancelled by a collector or manager.
    Cancelled,
}

impl PlanStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Active => "active",
            PlanStatus::Completed => "completed",
            PlanStatus::Defaulted => "defaulted",
            PlanStatus::Cancelled => "cancelled",
        }
    }

    /// The status stored as `name`.
    pub fn parse(name: &str) -> Option<PlanStatus> {
        Some(match name {
            "active" => PlanStatus::Active,
            "completed" => PlanStatus::Completed,
            "defaulted" => PlanStatus::Defaulted,
            "cancelled" => PlanStatus::Cancelled,
            _ => return None,
        })
    }
}

/// A plan's standing on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// What was paid on each installment (payments in order).
    pub paid: Vec<Money>,
    /// Installments due before the day and not fully paid.
    pub missed: Vec<u32>,
    /// The status the plan should have: an active plan completes when paid
    /// in full and defaults at `misses_to_default` misses; other statuses
    /// stay.
    pub status: PlanStatus,
}

/// The standing on `as_of` of a plan in `status` whose installments are
/// `installments`, given `paid` toward it so far.
pub fn standing(
    status: PlanStatus,
    installments: &[Installment],
    paid: Money,
    as_of: CalendarDate,
    misses_to_default: u32,
) -> Standing {
    let mut left = paid.cents().max(0);
    let mut per = Vec::with_capacity(installments.len());
    let mut missed = Vec::new();
    for i in installments {
        let applied = left.min(i.amount.cents());
        left -= applied;
        per.push(Money::from_cents(applied));
        if i.due < as_of && applied < i.amount.cents() {
            missed.push(i.number);
        }
    }
    let total: i64 = installments.iter().map(|i| i.amount.cents()).sum();
    let status = match status {
        PlanStatus::Active if paid.cents() >= total => PlanStatus::Completed,
        PlanStatus::Active if missed.len() as u32 >= misses_to_default => PlanStatus::Defaulted,
        other => other,
    };
    Standing {
        paid: per,
        missed,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(c: i64) -> Money {
        Money::from_cents(c)
    }

    fn day(y: i32, mo: u32, d: u32) -> CalendarDate {
        CalendarDate::from_ymd(y, mo, d).unwrap()
    }

    fn cents(v: &[Money]) -> Vec<i64> {
        v.iter().map(|m| m.cents()).collect()
    }

    #[test]
    fn the_last_installment_takes_the_remainder() {
        assert_eq!(
            cents(&amounts(m(10_000), Some(3), None).unwrap()),
            vec![3_334, 3_334, 3_332]
        );
        assert_eq!(
            cents(&amounts(m(10_000), None, Some(m(3_000))).unwrap()),
            vec![3_000, 3_000, 3_000, 1_000]
        );
        assert_eq!(
            cents(&amounts(m(9_000), Some(3), Some(m(3_000))).unwrap()),
            vec![3_000; 3]
        );
    }

    #[test]
    fn installments_that_do_not_cover_the_total_or_overshoot_it_are_refused() {
        let short = amounts(m(10_000), Some(3), Some(m(3_000))).unwrap_err();
        assert!(
            short
                .to_string()
                .starts_with("installment_amount: 3 installments of $30.00 do not cover")
        );
        let long = amounts(m(10_000), Some(5), Some(m(3_000))).unwrap_err();
        assert!(long.to_string().contains("pay more than the total"));
        assert!(amounts(m(5), Some(4), None).is_err());
        let many = amounts(m(1_000_000), None, Some(m(100))).unwrap_err();
        assert!(many.to_string().contains("more than 60"));
        assert!(
            amounts(m(100), Some(0), None)
                .unwrap_err()
                .to_string()
                .starts_with("installments:")
        );
    }

    #[test]
    fn installments_fall_due_monthly_on_the_due_day_from_the_start() {
        let dates = due_dates(day(2026, 11, 20), 15, 3).unwrap();
        assert_eq!(
            dates,
            vec![day(2026, 12, 15), day(2027, 1, 15), day(2027, 2, 15)]
        );
        let dates = due_dates(day(2026, 11, 15), 15, 1).unwrap();
        assert_eq!(dates, vec![day(2026, 11, 15)]);
        assert!(
            due_dates(day(2026, 11, 1), 31, 1)
                .unwrap_err()
                .to_string()
                .starts_with("due_day:")
        );
    }

    #[test]
    fn payments_apply_in_order_and_two_misses_default_the_plan() {
        let plan = schedule(m(9_000), Some(3), None, 1, day(2026, 9, 1)).unwrap();
        // Due Sep 1, Oct 1, Nov 1.
        let s = standing(PlanStatus::Active, &plan, m(4_000), day(2026, 10, 15), 2);
        assert_eq!(cents(&s.paid), vec![3_000, 1_000, 0]);
        assert_eq!(s.missed, vec![2]);
        assert_eq!(s.status, PlanStatus::Active);
        // Due on the day is not missed yet.
        let s = standing(PlanStatus::Active, &plan, m(3_000), day(2026, 10, 1), 2);
        assert!(s.missed.is_empty());
        let s = standing(PlanStatus::Active, &plan, m(3_000), day(2026, 11, 2), 2);
        assert_eq!(
            (s.missed.clone(), s.status),
            (vec![2, 3], PlanStatus::Defaulted)
        );
        let s = standing(PlanStatus::Active, &plan, m(9_000), day(2027, 1, 1), 2);
        assert_eq!(s.status, PlanStatus::Completed);
        let s = standing(PlanStatus::Cancelled, &plan, m(0), day(2027, 1, 1), 2);
        assert_eq!(s.status, PlanStatus::Cancelled);
    }
}
