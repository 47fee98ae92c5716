//! The simulator's configuration, read from JSON: who the clearinghouse
//! is, each payer with its contract, the plans they sell and the members
//! enrolled in them. Money is whole cents (`*_cents` fields), rates are
//! decimal strings (`"0.20"`), dates `YYYY-MM-DD`. The configuration is
//! checked when it is read; a simulator never runs on an invalid one.

mod contract;

use std::collections::BTreeSet;
use std::path::Path;

use medbill_kernel::CalendarDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use contract::{BundledPair, Contract, DenialRates, PaymentAdjustments};

use crate::error::SimError;
use crate::text::{date, decimal, opt_date};

/// Everything the simulator plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimConfig {
    /// Who sends the 999, 277CA, 271 and 277 files.
    pub clearinghouse: Clearinghouse,
    /// `HHMM` written in the envelopes (ISA10, GS05, BHT05): a constant,
    /// so that output never depends on the wall clock.
    #[serde(default = "default_time")]
    pub time: String,
    /// Days from a claim's acceptance to its adjudication.
    #[serde(default)]
    pub adjudication_days: u32,
    /// Days from adjudication to the EFT effective date (BPR16).
    #[serde(default)]
    pub payment_days: u32,
    /// The payers.
    pub payers: Vec<PayerConfig>,
    /// The plans the payers sell.
    pub plans: Vec<Plan>,
    /// The members enrolled in those plans.
    pub members: Vec<Member>,
}

fn default_time() -> String {
    "0900".into()
}

/// The clearinghouse the simulator plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clearinghouse {
    /// ISA06/GS02 of what it sends, at most 15 characters.
    pub id: String,
    /// Its name (NM103 of the 277CA information source).
    pub name: String,
}

/// One payer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayerConfig {
    /// The payer id claims are sent to (837 NM109 of loop 2010BB); also
    /// ISA06 of its 835s, so at most 15 characters.
    pub id: String,
    /// Its name (835 N102 of the payer, 271 NM103).
    pub name: String,
    /// Nine-digit federal tax id; the 835 TRN03 is `1` followed by it.
    pub tax_id: String,
    /// Where an EFT comes from and goes to; without it the payer pays by
    /// check (BPR04 `CHK`) and no deposit record is written.
    #[serde(default)]
    pub eft: Option<Eft>,
    /// What it pays and refuses.
    pub contract: Contract,
}

/// The bank accounts of an EFT (BPR06-BPR15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eft {
    /// The payer's bank routing number (nine digits).
    pub payer_routing: String,
    /// The payer's account number.
    pub payer_account: String,
    /// The provider's bank routing number (nine digits).
    pub payee_routing: String,
    /// The provider's account number.
    pub payee_account: String,
}

/// A health plan: the member's share of each claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The plan's id, which members name.
    pub id: String,
    /// The payer that sells it.
    pub payer_id: String,
    /// Its name (271 EB05 plan coverage description).
    pub name: String,
    /// Yearly deductible (calendar year of the date of service).
    #[serde(default)]
    pub deductible_cents: i64,
    /// Copay per claim (one visit), taken from the first paid line before
    /// the deductible.
    #[serde(default)]
    pub copay_cents: i64,
    /// The member's share of what is allowed after copay and deductible.
    #[serde(default, with = "decimal")]
    pub coinsurance: Decimal,
    /// Yearly cap of copay, deductible and coinsurance; none when absent.
    #[serde(default)]
    pub out_of_pocket_max_cents: Option<i64>,
    /// 271 EB04 insurance type, e.g. `PR` PPO, `HM` HMO.
    #[serde(default)]
    pub insurance_type: Option<String>,
}

/// One member's enrollment in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The member id on claims (837 NM109 of loop 2010BA).
    pub member_id: String,
    /// The plan.
    pub plan_id: String,
    /// First day of coverage.
    #[serde(with = "date")]
    pub coverage_start: CalendarDate,
    /// Last day of coverage; open-ended when absent.
    #[serde(default, with = "opt_date")]
    pub coverage_end: Option<CalendarDate>,
    /// Group number (271 REF*6P).
    #[serde(default)]
    pub group_number: Option<String>,
}

impl Member {
    /// Whether the member is covered on `day`.
    pub fn covered_on(&self, day: CalendarDate) -> bool {
        day >= self.coverage_start && self.coverage_end.is_none_or(|end| day <= end)
    }
}

impl SimConfig {
    /// Reads and checks a JSON configuration.
    pub fn from_json(text: &str) -> Result<Self, SimError> {
        let config: SimConfig =
            serde_json::from_str(text).map_err(|e| SimError::Config(e.to_string()))?;
        config.check().map_err(SimError::Config)?;
        Ok(config)
    }

    /// Reads and checks a JSON configuration file.
    pub fn load(path: &Path) -> Result<Self, SimError> {
        let text = std::fs::read_to_string(path).map_err(|e| SimError::io(path, e))?;
        Self::from_json(&text)
    }

    /// The payer with id `id`.
    pub fn payer(&self, id: &str) -> Option<&PayerConfig> {
        self.payers.iter().find(|p| p.id == id)
    }

    /// The enrollment of member `member_id` with payer `payer_id`, and its
    /// plan.
    pub fn member(&self, payer_id: &str, member_id: &str) -> Option<(&Member, &Plan)> {
        self.members.iter().find_map(|m| {
            let plan = self.plans.iter().find(|p| p.id == m.plan_id)?;
            (m.member_id == member_id && plan.payer_id == payer_id).then_some((m, plan))
        })
    }

    /// Checks the whole configuration; the error names the field.
    pub fn check(&self) -> Result<(), String> {
        x12_id("clearinghouse.id", &self.clearinghouse.id, 15)?;
        x12_text("clearinghouse.name", &self.clearinghouse.name)?;
        if self.time.len() != 4
            || !self.time.bytes().all(|b| b.is_ascii_digit())
            || &self.time[..2] > "23"
            || &self.time[2..] > "59"
        {
            return Err("time: HHMM".into());
        }
        let mut payer_ids = BTreeSet::new();
        for (n, p) in self.payers.iter().enumerate() {
            let path = format!("payers[{n}]");
            x12_id(&format!("{path}.id"), &p.id, 15)?;
            if !payer_ids.insert(p.id.as_str()) {
                return Err(format!("{path}.id: {} is listed twice", p.id));
            }
            x12_text(&format!("{path}.name"), &p.name)?;
            digits(&format!("{path}.tax_id"), &p.tax_id, 9)?;
            if let Some(eft) = &p.eft {
                digits(&format!("{path}.eft.payer_routing"), &eft.payer_routing, 9)?;
                digits(&format!("{path}.eft.payee_routing"), &eft.payee_routing, 9)?;
                x12_id(&format!("{path}.eft.payer_account"), &eft.payer_account, 35)?;
                x12_id(&format!("{path}.eft.payee_account"), &eft.payee_account, 35)?;
            }
            p.contract.check(&format!("{path}.contract"))?;
        }
        let mut plan_ids = BTreeSet::new();
        for (n, plan) in self.plans.iter().enumerate() {
            let path = format!("plans[{n}]");
            if !plan_ids.insert(plan.id.as_str()) {
                return Err(format!("{path}.id: {} is listed twice", plan.id));
            }
            if !payer_ids.contains(plan.payer_id.as_str()) {
                return Err(format!("{path}.payer_id: no payer {}", plan.payer_id));
            }
            x12_text(&format!("{path}.name"), &plan.name)?;
            let amounts = [
                plan.deductible_cents,
                plan.copay_cents,
                plan.out_of_pocket_max_cents.unwrap_or(0),
            ];
            if amounts.iter().any(|a| *a < 0) {
                return Err(format!("{path}: amounts must not be negative"));
            }
            if plan.coinsurance.is_sign_negative() || plan.coinsurance > Decimal::ONE {
                return Err(format!("{path}.coinsurance: between 0 and 1"));
            }
        }
        let mut enrolled = BTreeSet::new();
        for (n, m) in self.members.iter().enumerate() {
            let path = format!("members[{n}]");
            x12_id(&format!("{path}.member_id"), &m.member_id, 80)?;
            let Some(plan) = self.plans.iter().find(|p| p.id == m.plan_id) else {
                return Err(format!("{path}.plan_id: no plan {}", m.plan_id));
            };
            if !enrolled.insert((plan.payer_id.as_str(), m.member_id.as_str())) {
                return Err(format!(
                    "{path}: member {} is enrolled twice with payer {}",
                    m.member_id, plan.payer_id
                ));
            }
            if m.coverage_end.is_some_and(|end| end < m.coverage_start) {
                return Err(format!("{path}.coverage_end: before coverage_start"));
            }
        }
        Ok(())
    }
}

/// Text written into an X12 element: no delimiter the simulator writes
/// with (`*`, `:`, `^`, `~`), no comma (it would break the deposit CSV).
fn x12_text(field: &str, value: &str) -> Result<(), String> {
    let bad = |c: char| matches!(c, '*' | ':' | '^' | '~' | ',') || c.is_control();
    if value.is_empty() || value.chars().any(bad) {
        return Err(format!(
            "{field}: required, without * : ^ ~ , or control characters"
        ));
    }
    Ok(())
}

/// An identifier: X12 text of at most `max` characters, no spaces.
fn x12_id(field: &str, value: &str, max: usize) -> Result<(), String> {
    x12_text(field, value)?;
    if value.len() > max || value.contains(' ') {
        return Err(format!("{field}: at most {max} characters, no spaces"));
    }
    Ok(())
}

fn digits(field: &str, value: &str, n: usize) -> Result<(), String> {
    if value.len() != n || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{field}: {n} digits"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../payer-sim.example.json");

    #[test]
    fn the_example_configuration_reads_and_passes_its_checks() {
        let config = SimConfig::from_json(EXAMPLE);
        assert!(config.is_ok(), "{config:?}");
    }

    #[test]
    fn a_member_of_an_unknown_plan_is_refused_naming_the_field() {
        let mut config = SimConfig::from_json(EXAMPLE).unwrap();
        config.members[0].plan_id = "NOPE".into();
        let err = config.check().unwrap_err();
        assert!(err.starts_with("members[0].plan_id"), "{err}");
    }

    #[test]
    fn claim_level_denial_rates_above_one_in_total_are_refused() {
        let mut config = SimConfig::from_json(EXAMPLE).unwrap();
        let rates = &mut config.payers[0].contract.denial_rates;
        rates.missing_information = Decimal::new(6, 1);
        rates.medical_necessity = Decimal::new(5, 1);
        let err = config.check().unwrap_err();
        assert!(err.contains("add up to 1.1"), "{err}");
    }

    #[test]
    fn a_float_rate_is_refused_so_rates_stay_exact() {
        let text = EXAMPLE.replacen("\"0.80\"", "0.8", 1);
        assert!(SimConfig::from_json(&text).is_err());
    }
}
