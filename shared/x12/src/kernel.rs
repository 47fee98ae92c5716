//! The one place where the X12 engine's value types meet the services'
//! domain types (`medbill-kernel`): amounts and money, X12 dates and
//! calendar dates, and the two PHI wrappers. The engine keeps its own types
//! (an `Amount` parsed in place, a `Date` for any year an X12 file may carry,
//! a `Phi` that serializes into `x12 parse --json`); services convert here
//! and nowhere else.

use medbill_kernel::{CalendarDate, DateError, Money, Redacted};

use crate::values::{Amount, Date, Phi};

impl From<Amount> for Money {
    fn from(amount: Amount) -> Money {
        Money::from_cents(amount.cents())
    }
}

impl From<Money> for Amount {
    fn from(money: Money) -> Amount {
        Amount::from_cents(money.cents())
    }
}

impl TryFrom<Date> for CalendarDate {
    type Error = DateError;

    /// Refused when outside the years the services hold (1900-2199).
    fn try_from(date: Date) -> Result<CalendarDate, DateError> {
        CalendarDate::from_ymd(
            i32::from(date.year()),
            u32::from(date.month()),
            u32::from(date.day()),
        )
    }
}

impl From<CalendarDate> for Date {
    fn from(date: CalendarDate) -> Date {
        // Every calendar date of the kernel (1900-2199) is an X12 date.
        let year = u16::try_from(date.year()).unwrap_or(1900);
        Date::new(year, date.month() as u8, date.day() as u8).unwrap_or(Date::MIN)
    }
}

impl<T> From<Phi<T>> for Redacted<T> {
    fn from(value: Phi<T>) -> Redacted<T> {
        Redacted::new(value.into_inner())
    }
}

impl<T> From<Redacted<T>> for Phi<T> {
    fn from(value: Redacted<T>) -> Phi<T> {
        Phi::new(value.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_money_convert_to_the_cent_both_ways() {
        let amount = Amount::parse("-12.34").unwrap();
        let money = Money::from(amount);
        assert_eq!(money.cents(), -1234);
        assert_eq!(Amount::from(money), amount);
    }

    #[test]
    fn dates_convert_both_ways_and_a_year_outside_the_services_range_is_refused() {
        let x12 = Date::parse("20260315").unwrap();
        let day = CalendarDate::try_from(x12).unwrap();
        assert_eq!(day.to_string(), "2026-03-15");
        assert_eq!(Date::from(day), x12);
        assert!(CalendarDate::try_from(Date::parse("18991231").unwrap()).is_err());
    }

    #[test]
    fn phi_stays_redacted_across_the_conversion() {
        let name: Redacted<String> = Phi::new("DOE".to_string()).into();
        assert_eq!(format!("{name:?}"), "[redacted]");
        let back: Phi<String> = name.into();
        assert_eq!(back.expose(), "DOE");
    }
}
