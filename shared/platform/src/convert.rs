//! Conversions between the common wire messages (`medbill.common.v1`) and the
//! kernel's domain types, used by every service's handlers. Failures name the
//! request field they came from.

use medbill_contracts::medbill::common::v1 as wire;
use medbill_kernel::{CalendarDate, Money, Timestamp};

use crate::error::ServiceError;

/// A required date field.
pub fn date(field: &str, value: Option<&wire::Date>) -> Result<CalendarDate, ServiceError> {
    let value = value.ok_or_else(|| ServiceError::invalid(field, "is required"))?;
    optional_date(field, Some(value))?.ok_or_else(|| ServiceError::invalid(field, "is required"))
}

/// An optional date field (absent or all zero means none).
pub fn optional_date(
    field: &str,
    value: Option<&wire::Date>,
) -> Result<Option<CalendarDate>, ServiceError> {
    match value {
        None => Ok(None),
        Some(d) if d.year == 0 && d.month == 0 && d.day == 0 => Ok(None),
        Some(d) => {
            let month = u32::try_from(d.month)
                .map_err(|_| ServiceError::invalid(field, "month must be 1-12"))?;
            let day = u32::try_from(d.day)
                .map_err(|_| ServiceError::invalid(field, "day must be 1-31"))?;
            CalendarDate::from_ymd(d.year, month, day)
                .map(Some)
                .map_err(|e| ServiceError::invalid(field, e.to_string()))
        }
    }
}

/// The wire form of a date.
pub fn wire_date(date: CalendarDate) -> wire::Date {
    wire::Date {
        year: date.year(),
        month: date.month() as i32,
        day: date.day() as i32,
    }
}

/// A required amount that must not be negative.
pub fn money_non_negative(field: &str, value: Option<&wire::Money>) -> Result<Money, ServiceError> {
    let cents = value.map(|m| m.cents).unwrap_or(0);
    Money::non_negative(cents).map_err(|_| ServiceError::invalid(field, "must not be negative"))
}

/// An amount that may be negative (absent is zero).
pub fn money(value: Option<&wire::Money>) -> Money {
    Money::from_cents(value.map(|m| m.cents).unwrap_or(0))
}

/// The wire form of an amount.
pub fn wire_money(money: Money) -> wire::Money {
    wire::Money {
        cents: money.cents(),
    }
}

/// The wire form of an instant.
pub fn wire_timestamp(t: Timestamp) -> prost_types::Timestamp {
    let (seconds, nanos) = t.seconds_nanos();
    prost_types::Timestamp { seconds, nanos }
}

/// A required, non-blank text field, trimmed.
pub fn required_text(field: &str, value: &str) -> Result<String, ServiceError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(ServiceError::invalid(field, "is required"))
    } else {
        Ok(trimmed.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_date_names_the_field() {
        let err = date(
            "encounter.date_of_service",
            Some(&wire::Date {
                year: 2026,
                month: 2,
                day: 30,
            }),
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("encounter.date_of_service:"),
            "{err}"
        );
    }

    #[test]
    fn negative_money_is_refused_where_it_must_not_be() {
        let err =
            money_non_negative("payment.amount", Some(&wire::Money { cents: -1 })).unwrap_err();
        assert_eq!(err.to_string(), "payment.amount: must not be negative");
    }
}
