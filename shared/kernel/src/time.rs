//! UTC instants as RFC 3339 text with fixed microsecond precision
//! (`2026-11-23T09:39:00.000000Z`), so that text order is time order in both
//! databases.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::date::CalendarDate;

/// A UTC instant with microsecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    micros: i64,
}

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Timestamp::from_system_time(SystemTime::now())
    }

    /// The instant of a `SystemTime`.
    pub fn from_system_time(t: SystemTime) -> Self {
        let micros = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX),
        };
        Timestamp { micros }
    }

    /// Microseconds since 1970-01-01T00:00:00Z.
    pub const fn unix_micros(self) -> i64 {
        self.micros
    }

    /// The instant `micros` microseconds after the epoch.
    pub const fn from_unix_micros(micros: i64) -> Self {
        Timestamp { micros }
    }

    /// The instant of whole `seconds` and `nanos` since the epoch (a protobuf
    /// Timestamp), truncated to the microsecond; `None` when `nanos` is out
    /// of 0..1e9 or the instant is out of range.
    pub fn from_seconds_nanos(seconds: i64, nanos: i32) -> Option<Self> {
        if !(0..1_000_000_000).contains(&nanos) {
            return None;
        }
        let micros = seconds
            .checked_mul(1_000_000)?
            .checked_add(i64::from(nanos) / 1000)?;
        Some(Timestamp { micros })
    }

    /// Whole seconds and nanoseconds since the epoch (protobuf Timestamp).
    pub fn seconds_nanos(self) -> (i64, i32) {
        let secs = self.micros.div_euclid(1_000_000);
        let nanos = self.micros.rem_euclid(1_000_000) * 1000;
        (secs, nanos as i32)
    }

    /// The UTC calendar date of the instant.
    pub fn date(self) -> CalendarDate {
        let days = self.micros.div_euclid(86_400_000_000);
        // Outside 1900-2199 (never for a clock reading) clamp to the epoch.
        CalendarDate::from_days_since_epoch(days).unwrap_or(CalendarDate::EPOCH)
    }

    /// Time elapsed since `earlier`, zero when `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_micros(u64::try_from(self.micros - earlier.micros).unwrap_or(0))
    }

    /// Parses the RFC 3339 text this type writes (UTC, `Z`, any fraction).
    pub fn parse(s: &str) -> Option<Self> {
        let (date, rest) = s.split_once('T')?;
        let date: CalendarDate = date.parse().ok()?;
        let rest = rest.strip_suffix('Z')?;
        let (hms, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let mut parts = hms.split(':');
        let h: i64 = parts.next()?.parse().ok()?;
        let m: i64 = parts.next()?.parse().ok()?;
        let sec: i64 = parts.next()?.parse().ok()?;
        if h > 23 || m > 59 || sec > 60 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut micros_frac = 0i64;
        for (i, b) in frac.bytes().take(6).enumerate() {
            micros_frac += i64::from(b - b'0') * 10i64.pow(5 - i as u32);
        }
        let secs = date.days_since_epoch() * 86_400 + h * 3600 + m * 60 + sec;
        Some(Timestamp {
            micros: secs * 1_000_000 + micros_frac,
        })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.date();
        let micros_of_day = self.micros.rem_euclid(86_400_000_000);
        let secs = micros_of_day / 1_000_000;
        write!(
            f,
            "{date}T{:02}:{:02}:{:02}.{:06}Z",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60,
            micros_of_day % 1_000_000
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_fixed_microseconds_and_parses_back() {
        let t = Timestamp::from_unix_micros(1_795_427_940_000_123);
        let text = t.to_string();
        assert_eq!(text, "2026-11-23T09:59:00.000123Z");
        assert_eq!(Timestamp::parse(&text), Some(t));
    }

    #[test]
    fn text_order_is_time_order() {
        let a = Timestamp::from_unix_micros(1_000_000);
        let b = Timestamp::from_unix_micros(10_000_000);
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn rejects_text_without_zulu() {
        assert_eq!(Timestamp::parse("2026-11-23T09:59:00+01:00"), None);
    }
}
