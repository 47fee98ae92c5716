//! The pricing rule: which entry prices a line, and what it comes to.

use medbill_kernel::{CalendarDate, Modifier, Money, ProcedureCode};
use rust_decimal::Decimal;

medbill_kernel::typed_id!(
    /// A payer fee schedule.
    FeeScheduleId,
    "fee schedule"
);

/// A UB-04 revenue code: four digits (`0450`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevenueCode(String);

impl RevenueCode {
    /// Parses four digits.
    pub fn parse(text: &str) -> Option<RevenueCode> {
        let text = text.trim();
        (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| RevenueCode(text.to_string()))
    }

    /// The four digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A code and the modifier its price is for (`None`: unmodified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceKey {
    /// The CPT/HCPCS code.
    pub code: ProcedureCode,
    /// The modifier, if the price is for a modified service.
    pub modifier: Option<Modifier>,
}

/// One line of the charge master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeMasterEntry {
    /// What it prices.
    pub key: PriceKey,
    /// The gross price of one unit.
    pub price: Money,
    /// The revenue code of the service.
    pub revenue_code: RevenueCode,
    /// What the service is, for people.
    pub description: String,
}

/// The charge master in force from a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeMaster {
    /// The first date of service it prices.
    pub effective_from: CalendarDate,
    /// Its lines.
    pub entries: Vec<ChargeMasterEntry>,
}

/// How a fee schedule entry prices one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeRule {
    /// A fixed amount.
    Fixed(Money),
    /// A share of the charge master price, in basis points (8000 = 80%).
    PercentOfCharge(u32),
    /// Relative value units times the schedule's conversion factor.
    Rvu(Decimal),
}

/// One line of a fee schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeScheduleEntry {
    /// What it prices.
    pub key: PriceKey,
    /// How.
    pub rule: FeeRule,
}

/// A payer fee schedule in force from a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeSchedule {
    /// Its id (payers name it).
    pub fee_schedule_id: String,
    /// Its name.
    pub name: String,
    /// The first date of service it prices.
    pub effective_from: CalendarDate,
    /// Dollars per RVU; required when an entry prices by RVU.
    pub conversion_factor: Option<Decimal>,
    /// Its lines.
    pub entries: Vec<FeeScheduleEntry>,
}

/// Why a line could not be priced; the charge is held with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    /// Neither the payer's fee schedule nor the charge master prices it.
    NoPrice,
    /// The fee schedule prices it as a share of a charge master price
    /// that does not exist.
    NoChargeMasterPrice,
    /// The fee schedule prices it by RVU but has no conversion factor.
    NoConversionFactor,
    /// The amount does not fit in cents.
    Overflow,
    /// The code is not a CPT or HCPCS code (charges price services only).
    NotAProcedureCode,
    /// Neither the line nor the encounter has a date of service.
    NoDateOfService,
    /// The line has no units.
    NoUnits,
}

impl HoldReason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            HoldReason::NoPrice => "no_price",
            HoldReason::NoChargeMasterPrice => "no_charge_master_price",
            HoldReason::NoConversionFactor => "no_conversion_factor",
            HoldReason::Overflow => "overflow",
            HoldReason::NotAProcedureCode => "not_a_procedure_code",
            HoldReason::NoDateOfService => "no_date_of_service",
            HoldReason::NoUnits => "no_units",
        }
    }

    /// What a biller reads.
    pub fn explain(self) -> &'static str {
        match self {
            HoldReason::NoPrice => {
                "neither the payer's fee schedule nor the charge master prices this code on the date of service"
            }
            HoldReason::NoChargeMasterPrice => {
                "the fee schedule prices a share of a charge master price that does not exist on the date of service"
            }
            HoldReason::NoConversionFactor => {
                "the fee schedule prices by RVU but has no conversion factor"
            }
            HoldReason::Overflow => "the amount is too large",
            HoldReason::NotAProcedureCode => "the code is not a CPT or HCPCS code",
            HoldReason::NoDateOfService => "the line has no date of service",
            HoldReason::NoUnits => "the line has no units",
        }
    }

    /// The reason of a stored name.
    pub fn parse(text: &str) -> Option<HoldReason> {
        [
            HoldReason::NoPrice,
            HoldReason::NoChargeMasterPrice,
            HoldReason::NoConversionFactor,
            HoldReason::Overflow,
            HoldReason::NotAProcedureCode,
            HoldReason::NoDateOfService,
            HoldReason::NoUnits,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }
}

/// A priced line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    /// The charge for all units.
    pub amount: Money,
    /// The revenue code, when the charge master has the code.
    pub revenue_code: Option<RevenueCode>,
}

/// The entry pricing `code` with `modifiers`: the first modifier with a
/// price of its own, else the unmodified price.
pub fn pick<'a, E>(
    entries: &'a [E],
    key: impl Fn(&E) -> &PriceKey,
    code: &ProcedureCode,
    modifiers: &[Modifier],
) -> Option<&'a E> {
    let of_code = || entries.iter().filter(|e| &key(e).code == code);
    modifiers
        .iter()
        .find_map(|m| of_code().find(|e| key(e).modifier.as_ref() == Some(m)))
        .or_else(|| of_code().find(|e| key(e).modifier.is_none()))
}

/// Prices `units` of a service: the payer's fee schedule entry when there
/// is one, else the charge master price. Amounts are rounded to the cent
/// once, half away from zero (the kernel's rule).
pub fn price(
    units: u32,
    master: Option<&ChargeMasterEntry>,
    fee: Option<(&FeeScheduleEntry, Option<Decimal>)>,
) -> Result<Priced, HoldReason> {
    let units = Decimal::from(units);
    let revenue_code = master.map(|m| m.revenue_code.clone());
    let amount = match fee {
        Some((entry, conversion_factor)) => match entry.rule {
            FeeRule::Fixed(each) => each.apply_rate(units).map_err(|_| HoldReason::Overflow)?,
            FeeRule::PercentOfCharge(basis_points) => {
                let master = master.ok_or(HoldReason::NoChargeMasterPrice)?;
                let rate = Decimal::new(i64::from(basis_points), 4)
                    .checked_mul(units)
                    .ok_or(HoldReason::Overflow)?;
                master
                    .price
                    .apply_rate(rate)
                    .map_err(|_| HoldReason::Overflow)?
            }
            FeeRule::Rvu(rvu) => {
                let factor = conversion_factor.ok_or(HoldReason::NoConversionFactor)?;
                let dollars = rvu
                    .checked_mul(factor)
                    .and_then(|d| d.checked_mul(units))
                    .ok_or(HoldReason::Overflow)?;
                // Cents = dollars × 100 rounded by the kernel's rule.
                Money::from_cents(1)
                    .apply_rate(
                        dollars
                            .checked_mul(Decimal::ONE_HUNDRED)
                            .ok_or(HoldReason::Overflow)?,
                    )
                    .map_err(|_| HoldReason::Overflow)?
            }
        },
        None => {
            let master = master.ok_or(HoldReason::NoPrice)?;
            master
                .price
                .apply_rate(units)
                .map_err(|_| HoldReason::Overflow)?
        }
    };
    Ok(Priced {
        amount,
        revenue_code,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(code: &str, modifier: Option<&str>) -> PriceKey {
        PriceKey {
            code: ProcedureCode::parse(code).unwrap(),
            modifier: modifier.map(|m| Modifier::parse(m).unwrap()),
        }
    }

    fn master(code: &str, modifier: Option<&str>, cents: i64) -> ChargeMasterEntry {
        ChargeMasterEntry {
            key: key(code, modifier),
            price: Money::from_cents(cents),
            revenue_code: RevenueCode::parse("0510").unwrap(),
            description: String::new(),
        }
    }

    fn fee(rule: FeeRule) -> FeeScheduleEntry {
        FeeScheduleEntry {
            key: key("99213", None),
            rule,
        }
    }

    #[test]
    fn the_charge_master_prices_every_unit_when_the_payer_has_no_entry() {
        let m = master("99213", None, 15_000);
        let priced = price(3, Some(&m), None).unwrap();
        assert_eq!(priced.amount, Money::from_cents(45_000));
        assert_eq!(priced.revenue_code.unwrap().as_str(), "0510");
    }

    #[test]
    fn a_percentage_of_charge_rounds_half_a_cent_away_from_zero() {
        // 80.05% of $10.00 is 800.5 cents: $8.01, never $8.00 (banker's).
        let m = master("99213", None, 1_000);
        let priced = price(
            1,
            Some(&m),
            Some((&fee(FeeRule::PercentOfCharge(8005)), None)),
        );
        assert_eq!(priced.unwrap().amount, Money::from_cents(801));
    }

    #[test]
    fn rvus_times_the_conversion_factor_are_rounded_once_for_all_units() {
        // 1.92 RVU × $32.3465 = $62.10528 a unit; two units $124.21056.
        let cf = Some("32.3465".parse().unwrap());
        let rule = FeeRule::Rvu("1.92".parse().unwrap());
        let priced = price(2, None, Some((&fee(rule), cf))).unwrap();
        assert_eq!(priced.amount, Money::from_cents(12_421));
    }

    #[test]
    fn a_fixed_fee_overrides_the_charge_master_price_but_keeps_its_revenue_code() {
        let m = master("99213", None, 15_000);
        let rule = FeeRule::Fixed(Money::from_cents(9_000));
        let priced = price(1, Some(&m), Some((&fee(rule), None))).unwrap();
        assert_eq!(priced.amount, Money::from_cents(9_000));
        assert!(priced.revenue_code.is_some());
    }

    #[test]
    fn a_line_nothing_prices_is_held_with_its_reason_not_charged_zero() {
        assert_eq!(price(1, None, None), Err(HoldReason::NoPrice));
        let pct = fee(FeeRule::PercentOfCharge(8000));
        assert_eq!(
            price(1, None, Some((&pct, None))),
            Err(HoldReason::NoChargeMasterPrice)
        );
        let rvu = fee(FeeRule::Rvu(Decimal::ONE));
        assert_eq!(
            price(1, None, Some((&rvu, None))),
            Err(HoldReason::NoConversionFactor)
        );
    }

    #[test]
    fn the_first_modifier_with_its_own_price_wins_over_the_unmodified_price() {
        let entries = [
            master("71046", None, 20_000),
            master("71046", Some("26"), 5_000),
        ];
        let code = ProcedureCode::parse("71046").unwrap();
        let m = |s: &str| Modifier::parse(s).unwrap();
        let got = pick(&entries, |e| &e.key, &code, &[m("LT"), m("26")]).unwrap();
        assert_eq!(got.price, Money::from_cents(5_000));
        let got = pick(&entries, |e| &e.key, &code, &[m("LT")]).unwrap();
        assert_eq!(got.price, Money::from_cents(20_000));
        let other = ProcedureCode::parse("99213").unwrap();
        assert!(pick(&entries, |e| &e.key, &other, &[]).is_none());
    }
}
