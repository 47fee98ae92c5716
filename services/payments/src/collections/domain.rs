//! A collection case's lifecycle, agency fee rates and fees, and the
//! placement file.

use std::str::FromStr;

use medbill_kernel::{CalendarDate, Money, MoneyError};
use rust_decimal::Decimal;

medbill_kernel::typed_id!(
    /// A collection case (an account's placement with an agency).
    CaseId,
    "collection case"
);

/// Where a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatus {
    /// With the agency.
    Placed,
    /// Taken back from the agency.
    Recalled,
    /// Written off to bad debt.
    WrittenOff,
    /// Paid in full through the agency.
    Paid,
}

/// What can happen to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseEvent {
    /// Taken back from the agency.
    Recall,
    /// The balance written off to bad debt.
    WriteOff,
    /// The balance paid in full.
    PaidInFull,
}

/// A transition the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {} case cannot be {}", from.as_str(), event.past_tense())]
pub struct TransitionError {
    /// The status it was in.
    pub from: CaseStatus,
    /// What was asked.
    pub event: CaseEvent,
}

impl CaseEvent {
    fn past_tense(self) -> &'static str {
        match self {
            CaseEvent::Recall => "recalled",
            CaseEvent::WriteOff => "written off",
            CaseEvent::PaidInFull => "paid in full",
        }
    }
}

impl CaseStatus {
    /// The status after `event`: a placed case may be recalled, written off
    /// or paid; a recalled one (the agency gave up) may still be written
    /// off; written-off and paid cases are closed.
    pub fn apply(self, event: CaseEvent) -> Result<CaseStatus, TransitionError> {
        match (self, event) {
            (CaseStatus::Placed, CaseEvent::Recall) => Ok(CaseStatus::Recalled),
            (CaseStatus::Placed | CaseStatus::Recalled, CaseEvent::WriteOff) => {
                Ok(CaseStatus::WrittenOff)
            }
            (CaseStatus::Placed, CaseEvent::PaidInFull) => Ok(CaseStatus::Paid),
            (CaseStatus::Recalled, CaseEvent::Recall | CaseEvent::PaidInFull)
            | (CaseStatus::WrittenOff | CaseStatus::Paid, _) => {
                Err(TransitionError { from: self, event })
            }
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Placed => "placed",
            CaseStatus::Recalled => "recalled",
            CaseStatus::WrittenOff => "written_off",
            CaseStatus::Paid => "paid",
        }
    }

    /// The status stored as `name`.
    pub fn parse(name: &str) -> Option<CaseStatus> {
        Some(match name {
            "placed" => CaseStatus::Placed,
            "recalled" => CaseStatus::Recalled,
            "written_off" => CaseStatus::WrittenOff,
            "paid" => CaseStatus::Paid,
            _ => return None,
        })
    }
}

/// An agency's fee rate: a decimal fraction from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeRate(Decimal);

impl FeeRate {
    /// The rate written as `text` ("0.25"); `None` unless a decimal from 0
    /// to 1.
    pub fn parse(text: &str) -> Option<FeeRate> {
        let rate = Decimal::from_str(text.trim()).ok()?;
        (rate >= Decimal::ZERO && rate <= Decimal::ONE).then_some(FeeRate(rate.normalize()))
    }

    /// The agency's fee on `gross`: gross × rate, rounded half away from
    /// zero to the cent (the kernel's one rule).
    pub fn fee(self, gross: Money) -> Result<Money, MoneyError> {
        gross.apply_rate(self.0)
    }

    /// The rate as text.
    pub fn as_text(self) -> String {
        self.0.to_string()
    }
}

/// Whether `id` may name an agency: 1–32 letters, digits, `-` or `_`.
pub fn valid_agency_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// One placed account in the placement file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementRow {
    /// The guarantor account.
    pub account_id: String,
    /// Guarantor's name.
    pub guarantor_name: String,
    /// One-line address.
    pub address: String,
    /// Balance placed.
    pub balance: Money,
    /// Oldest date of service.
    pub oldest_date_of_service: CalendarDate,
    /// Day placed.
    pub placed_on: CalendarDate,
}

/// The header of the placement file.
pub const PLACEMENT_HEADER: &str =
    "account_id,guarantor_name,address,balance,oldest_dos,placed_date";

/// The placement file: [`PLACEMENT_HEADER`], then one row per account;
/// the balance in dollars with two decimals (from cents, exactly).
pub fn placement_csv(rows: &[PlacementRow]) -> String {
    let mut out = String::from(PLACEMENT_HEADER);
    out.push_str("\r\n");
    for r in rows {
        let fields = [
            r.account_id.clone(),
            r.guarantor_name.clone(),
            r.address.clone(),
            dollars(r.balance),
            r.oldest_date_of_service.to_string(),
            r.placed_on.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Cents as dollars with two decimals and no thousands separator:
/// `123456` → `1234.56`, `-5` → `-0.05`.
pub fn dollars(m: Money) -> String {
    let cents = m.cents();
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or line
/// break, with quotes doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_moves_only_where_its_lifecycle_allows() {
        use CaseEvent::*;
        use CaseStatus::*;
        assert_eq!(Placed.apply(Recall), Ok(Recalled));
        assert_eq!(Placed.apply(WriteOff), Ok(WrittenOff));
        assert_eq!(Recalled.apply(WriteOff), Ok(WrittenOff));
        assert_eq!(Placed.apply(PaidInFull), Ok(Paid));
        assert!(Recalled.apply(Recall).is_err());
        assert!(WrittenOff.apply(WriteOff).is_err());
        assert!(Paid.apply(Recall).is_err());
        let err = WrittenOff.apply(Recall).unwrap_err();
        assert_eq!(err.to_string(), "a written_off case cannot be recalled");
        for s in [Placed, Recalled, WrittenOff, Paid] {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn an_agency_fee_is_the_rate_of_the_gross_rounded_half_away_from_zero() {
        let rate = FeeRate::parse("0.25").unwrap();
        assert_eq!(rate.fee(Money::from_cents(4_000)).unwrap().cents(), 1_000);
        // 0.3333 × $10.01 = 333.6333 cents → 334.
        let third = FeeRate::parse("0.3333").unwrap();
        assert_eq!(third.fee(Money::from_cents(1_001)).unwrap().cents(), 334);
        // 0.15 × 5 cents = 0.75 → 1; 0.1 × 5 cents = 0.5 → 1 (half away).
        assert_eq!(
            FeeRate::parse("0.1")
                .unwrap()
                .fee(Money::from_cents(5))
                .unwrap()
                .cents(),
            1
        );
        assert!(FeeRate::parse("1.5").is_none());
        assert!(FeeRate::parse("-0.1").is_none());
        assert!(FeeRate::parse("25%").is_none());
    }

    #[test]
    fn the_placement_file_has_a_header_and_quotes_fields_with_commas() {
        let row = PlacementRow {
            account_id: "a1".into(),
            guarantor_name: "JANE \"JJ\" DOE".into(),
            address: "1 MAIN ST, ALBANY, NY 12207".into(),
            balance: Money::from_cents(123_456),
            oldest_date_of_service: CalendarDate::from_ymd(2026, 7, 1).unwrap(),
            placed_on: CalendarDate::from_ymd(2026, 11, 30).unwrap(),
        };
        let csv = placement_csv(&[row]);
        assert_eq!(
            csv,
            "account_id,guarantor_name,address,balance,oldest_dos,placed_date\r\n\
             a1,\"JANE \"\"JJ\"\" DOE\",\"1 MAIN ST, ALBANY, NY 12207\",1234.56,2026-07-01,2026-11-30\r\n"
        );
        assert_eq!(dollars(Money::from_cents(-5)), "-0.05");
        assert_eq!(dollars(Money::from_cents(7)), "0.07");
    }

    #[test]
    fn agency_ids_are_short_codes() {
        assert!(valid_agency_id("ACME-COLL_1"));
        assert!(!valid_agency_id(""));
        assert!(!valid_agency_id("a b"));
        assert!(!valid_agency_id(&"x".repeat(33)));
    }
}
