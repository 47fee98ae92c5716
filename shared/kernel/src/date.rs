//! Calendar dates (dates of service, birth dates, payment dates) without a
//! time zone, stored as `YYYY-MM-DD` text. Day arithmetic uses the proleptic
//! Gregorian day count (Howard Hinnant's `days_from_civil`), so no date crate
//! is needed.

use std::fmt;
use std::str::FromStr;

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Year, month or day out of range, or a day the month does not have.
    #[error("{0:04}-{1:02}-{2:02} is not a calendar date")]
    NotADate(i32, u32, u32),
    /// Text that is not `YYYY-MM-DD`.
    #[error("expected a date as YYYY-MM-DD")]
    Format,
    /// A range whose end comes before its start.
    #[error("the end must not be before the start")]
    EndBeforeStart,
}

/// A valid calendar date between the years 1900 and 2199.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    year: i32,
    month: u32,
    day: u32,
}

impl CalendarDate {
    /// 1970-01-01.
    pub const EPOCH: CalendarDate = CalendarDate {
        year: 1970,
        month: 1,
        day: 1,
    };

    /// The date, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Self, DateError> {
        let valid = (1900..=2199).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        if valid {
            Ok(CalendarDate { year, month, day })
        } else {
            Err(DateError::NotADate(year, month, day))
        }
    }

    /// Year.
    pub const fn year(self) -> i32 {
        self.year
    }

    /// Month, 1-12.
    pub const fn month(self) -> u32 {
        self.month
    }

    /// Day of month, 1-31.
    pub const fn day(self) -> u32 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days since 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Result<Self, DateError> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = i32::try_from(year).map_err(|_| DateError::Format)?;
        // month and day are in 1..=12 and 1..=31 by construction.
        CalendarDate::from_ymd(year, month as u32, day as u32)
    }

    /// The date `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> Result<Self, DateError> {
        CalendarDate::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Whole days from `earlier` to `self` (negative when `earlier` is later).
    pub fn days_after(self, earlier: CalendarDate) -> i64 {
        self.days_since_epoch() - earlier.days_since_epoch()
    }

    /// Whole years of age on `self` of a person born on `birth`.
    pub fn age_of(self, birth: CalendarDate) -> i32 {
        let had_birthday = (self.month, self.day) >= (birth.month, birth.day);
        self.year - birth.year - i32::from(!had_birthday)
    }

    /// `YYYYMMDD`, the X12 date format.
    pub fn to_x12(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

/// A closed range of dates, both ends included; `end` absent means open
/// ended (coverage with no termination date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateRange {
    start: CalendarDate,
    end: Option<CalendarDate>,
}

impl DateRange {
    /// The range from `start` to `end`; an end before the start is refused.
    pub fn new(start: CalendarDate, end: Option<CalendarDate>) -> Result<Self, DateError> {
        match end {
            Some(end) if end < start => Err(DateError::EndBeforeStart),
            _ => Ok(DateRange { start, end }),
        }
    }

    /// The first day.
    pub const fn start(self) -> CalendarDate {
        self.start
    }

    /// The last day, if the range has one.
    pub const fn end(self) -> Option<CalendarDate> {
        self.end
    }

    /// Whether `date` falls in the range.
    pub fn contains(self, date: CalendarDate) -> bool {
        date >= self.start && self.end.is_none_or(|end| date <= end)
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for CalendarDate {
    type Err = DateError;

    /// Parses `YYYY-MM-DD` (or `YYYYMMDD`, the X12 form).
    fn from_str(s: &str) -> Result<Self, DateError> {
        let digits: String = s.chars().filter(|c| *c != '-').collect();
        let dashes_ok = s.len() == 8 || (s.len() == 10 && &s[4..5] == "-" && &s[7..8] == "-");
        if digits.len() != 8 || !dashes_ok || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateError::Format);
        }
        let year = digits[0..4].parse().map_err(|_| DateError::Format)?;
        let month = digits[4..6].parse().map_err(|_| DateError::Format)?;
        let day = digits[6..8].parse().map_err(|_| DateError::Format)?;
        CalendarDate::from_ymd(year, month, day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn february_29_exists_only_in_leap_years() {
        assert!(CalendarDate::from_ymd(2024, 2, 29).is_ok());
        assert!(CalendarDate::from_ymd(2026, 2, 29).is_err());
        assert!(CalendarDate::from_ymd(2000, 2, 29).is_ok());
        assert!(CalendarDate::from_ymd(2100, 2, 29).is_err());
    }

    #[test]
    fn parses_iso_and_x12_forms_and_rejects_others() {
        let d: CalendarDate = "2026-04-01".parse().unwrap();
        assert_eq!(d, "20260401".parse().unwrap());
        assert_eq!(d.to_string(), "2026-04-01");
        assert_eq!(d.to_x12(), "20260401");
        assert!("2026-4-1".parse::<CalendarDate>().is_err());
        assert!("2026-13-01".parse::<CalendarDate>().is_err());
        assert!("abcd-ef-gh".parse::<CalendarDate>().is_err());
    }

    #[test]
    fn epoch_day_is_zero_and_arithmetic_crosses_year_ends() {
        let epoch = CalendarDate::from_ymd(1970, 1, 1).unwrap();
        assert_eq!(epoch.days_since_epoch(), 0);
        let d = CalendarDate::from_ymd(2025, 12, 31).unwrap();
        assert_eq!(d.add_days(1).unwrap().to_string(), "2026-01-01");
        assert_eq!(d.add_days(-365).unwrap().to_string(), "2024-12-31");
    }

    #[test]
    fn age_counts_only_completed_birthdays() {
        let birth = CalendarDate::from_ymd(1956, 6, 15).unwrap();
        assert_eq!(
            CalendarDate::from_ymd(2026, 6, 14).unwrap().age_of(birth),
            69
        );
        assert_eq!(
            CalendarDate::from_ymd(2026, 6, 15).unwrap().age_of(birth),
            70
        );
    }

    proptest! {
        #[test]
        fn day_numbers_round_trip(days in -25_000i64..80_000) {
            let date = CalendarDate::from_days_since_epoch(days).unwrap();
            prop_assert_eq!(date.days_since_epoch(), days);
            prop_assert_eq!(date.to_string().parse::<CalendarDate>().unwrap(), date);
        }
    }
}
