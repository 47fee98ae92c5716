//! Conversions between the request fields and the common wire messages
//! (`medbill.common.v1`) and the kernel's domain types, used by every
//! service's handlers: typed ids, dates and date ranges, money, instants,
//! required text. Failures are `INVALID_ARGUMENT` naming the request field
//! they came from and the rule broken.

use medbill_contracts::medbill::common::v1 as wire;
use medbill_kernel::{CalendarDate, DateRange, Money, Timestamp, TypedId};

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

/// A required id of type `T` (`claim_id`, `encounter_id`, …).
pub fn id<T: TypedId>(field: &str, text: &str) -> Result<T, ServiceError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ServiceError::invalid(field, "is required"));
    }
    T::parse_id(text)
        .map_err(|_| ServiceError::invalid(field, format!("must be a {} id (a UUID)", T::KIND)))
}

/// An optional id: empty text is none.
pub fn optional_id<T: TypedId>(field: &str, text: &str) -> Result<Option<T>, ServiceError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        id(field, text).map(Some)
    }
}

/// A required date range: a start, and an end (if any) not before it.
pub fn date_range(field: &str, value: Option<&wire::DateRange>) -> Result<DateRange, ServiceError> {
    let value = value.ok_or_else(|| ServiceError::invalid(field, "is required"))?;
    let start = date(&format!("{field}.start"), value.start.as_ref())?;
    let end = optional_date(&format!("{field}.end"), value.end.as_ref())?;
    DateRange::new(start, end)
        .map_err(|e| ServiceError::invalid(format!("{field}.end"), e.to_string()))
}

/// The wire form of a date range.
pub fn wire_date_range(range: DateRange) -> wire::DateRange {
    wire::DateRange {
        start: Some(wire_date(range.start())),
        end: range.end().map(wire_date),
    }
}

/// A required amount, which may be negative (adjustments, takebacks). A
/// missing amount is an error, never $0.00.
pub fn money(field: &str, value: Option<&wire::Money>) -> Result<Money, ServiceError> {
    value
        .map(|m| Money::from_cents(m.cents))
        .ok_or_else(|| ServiceError::invalid(field, "is required"))
}

/// A required amount that must not be negative.
pub fn money_non_negative(field: &str, value: Option<&wire::Money>) -> Result<Money, ServiceError> {
    let amount = money(field, value)?;
    Money::non_negative(amount.cents())
        .map_err(|_| ServiceError::invalid(field, "must not be negative"))
}

/// An optional amount: absent is none (not zero).
pub fn optional_money(value: Option<&wire::Money>) -> Option<Money> {
    value.map(|m| Money::from_cents(m.cents))
}

/// The wire form of an amount.
pub fn wire_money(money: Money) -> wire::Money {
    wire::Money {
        cents: money.cents(),
    }
}

/// A required instant.
pub fn timestamp(
    field: &str,
    value: Option<&prost_types::Timestamp>,
) -> Result<Timestamp, ServiceError> {
    let value = value.ok_or_else(|| ServiceError::invalid(field, "is required"))?;
    Timestamp::from_seconds_nanos(value.seconds, value.nanos)
        .ok_or_else(|| ServiceError::invalid(field, "is not a valid instant"))
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
    fn a_missing_amount_is_refused_never_read_as_zero() {
        let err = money("payment.amount", None).unwrap_err();
        assert_eq!(err.to_string(), "payment.amount: is required");
        let err = money_non_negative("payment.amount", None).unwrap_err();
        assert_eq!(err.to_string(), "payment.amount: is required");
        assert_eq!(optional_money(None), None);
    }

    #[test]
    fn a_typed_id_field_names_the_field_and_the_kind() {
        let err = id::<medbill_kernel::ClaimId>("claim_id", "claim-1").unwrap_err();
        assert_eq!(err.to_string(), "claim_id: must be a claim id (a UUID)");
        let err = id::<medbill_kernel::ClaimId>("claim_id", " ").unwrap_err();
        assert_eq!(err.to_string(), "claim_id: is required");
        let ok = id::<medbill_kernel::ClaimId>("claim_id", "0190D9A0-0000-7000-8000-000000000001");
        assert_eq!(ok.unwrap().as_str(), "0190d9a0-0000-7000-8000-000000000001");
        assert_eq!(
            optional_id::<medbill_kernel::ClaimId>("x", "").unwrap(),
            None
        );
    }

    #[test]
    fn a_date_range_ending_before_it_starts_names_the_end() {
        let d = |day| wire::Date {
            year: 2026,
            month: 3,
            day,
        };
        let err = date_range(
            "period",
            Some(&wire::DateRange {
                start: Some(d(10)),
                end: Some(d(9)),
            }),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("period.end:"), "{err}");
        let open = date_range(
            "period",
            Some(&wire::DateRange {
                start: Some(d(10)),
                end: None,
            }),
        )
        .unwrap();
        assert!(open.contains(CalendarDate::from_ymd(2030, 1, 1).unwrap()));
    }

    #[test]
    fn negative_money_is_refused_where_it_must_not_be() {
        let err =
            money_non_negative("payment.amount", Some(&wire::Money { cents: -1 })).unwrap_err();
        assert_eq!(err.to_string(), "payment.amount: must not be negative");
    }
}
