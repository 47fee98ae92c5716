//! The service's clock: the current instant, and "today" as a calendar date
//! in the hospital's configured time zone — not the UTC date, which turns
//! over at 7 or 8 pm in the US and would date an evening's work tomorrow.
//! Tests pin the clock so no test depends on the day it runs.

use std::sync::Arc;

use jiff::tz::TimeZone;
use medbill_kernel::{CalendarDate, Timestamp};

use crate::config::ConfigError;

/// The current instant and date for one service.
#[derive(Clone)]
pub struct Clock {
    zone: TimeZone,
    fixed: Option<Timestamp>,
    name: Arc<str>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("zone", &self.name)
            .field("fixed", &self.fixed)
            .finish()
    }
}

impl Clock {
    /// The system clock in the IANA time zone `name` (e.g.
    /// `America/Chicago`); an unknown name is refused.
    pub fn in_zone(name: &str) -> Result<Clock, ConfigError> {
        let zone = TimeZone::get(name).map_err(|e| {
            ConfigError::Invalid(format!(
                "--time-zone {name:?} is not an IANA time zone: {e}"
            ))
        })?;
        Ok(Clock {
            zone,
            fixed: None,
            name: name.into(),
        })
    }

    /// The system clock in the machine's local time zone (the `TZ`
    /// environment variable, else the system setting, else UTC).
    pub fn system() -> Clock {
        let zone = TimeZone::system();
        let name: Arc<str> = zone.iana_name().unwrap_or("local").into();
        Clock {
            zone,
            fixed: None,
            name,
        }
    }

    /// A clock stopped at `at`, read in `zone` (tests).
    pub fn fixed(at: Timestamp, zone: &str) -> Result<Clock, ConfigError> {
        let mut clock = Clock::in_zone(zone)?;
        clock.fixed = Some(at);
        Ok(clock)
    }

    /// The IANA name of the zone.
    pub fn zone_name(&self) -> &str {
        &self.name
    }

    /// Now.
    pub fn now(&self) -> Timestamp {
        self.fixed.unwrap_or_else(Timestamp::now)
    }

    /// Today's date in the configured zone.
    pub fn today(&self) -> CalendarDate {
        self.date_of(self.now())
    }

    /// The calendar date of `at` in the configured zone.
    pub fn date_of(&self, at: Timestamp) -> CalendarDate {
        let local = jiff::Timestamp::from_microsecond(at.unix_micros())
            .map(|t| t.to_zoned(self.zone.clone()).date());
        match local {
            Ok(d) => CalendarDate::from_ymd(
                i32::from(d.year()),
                u32::from(d.month().unsigned_abs()),
                u32::from(d.day().unsigned_abs()),
            )
            .unwrap_or_else(|_| at.date()),
            // Out of jiff's range (years beyond ±9999): no clock reads that.
            Err(_) => at.date(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_evening_in_chicago_is_still_today_there_though_tomorrow_in_utc() {
        // 2026-12-02T03:30:00Z is 21:30 on December 1 in Chicago (UTC-6).
        let at = Timestamp::parse("2026-12-02T03:30:00Z").unwrap();
        let clock = Clock::fixed(at, "America/Chicago").unwrap();
        assert_eq!(clock.today().to_string(), "2026-12-01");
        assert_eq!(at.date().to_string(), "2026-12-02");
    }

    #[test]
    fn summer_time_moves_the_turn_of_the_day() {
        // New York is UTC-4 in July: 03:59Z is 23:59 the day before and
        // 04:01Z is 00:01. In January it is UTC-5: 04:01Z is 23:01 the day
        // before.
        let july = Timestamp::parse("2026-07-10T03:59:00Z").unwrap();
        let clock = Clock::fixed(july, "America/New_York").unwrap();
        assert_eq!(clock.today().to_string(), "2026-07-09");
        let july_later = Timestamp::parse("2026-07-10T04:01:00Z").unwrap();
        assert_eq!(clock.date_of(july_later).to_string(), "2026-07-10");
        let january = Timestamp::parse("2026-01-10T04:01:00Z").unwrap();
        assert_eq!(clock.date_of(january).to_string(), "2026-01-09");
    }

    #[test]
    fn an_unknown_zone_is_refused_naming_the_flag() {
        let err = Clock::in_zone("Mars/Olympus").unwrap_err();
        assert!(err.to_string().starts_with("--time-zone"), "{err}");
    }
}
