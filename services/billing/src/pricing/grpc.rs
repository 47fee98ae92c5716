//! The registry RPCs that maintain prices (`UpsertChargeMaster`,
//! `GetChargeMaster`, `UpsertFeeSchedule`, `GetFeeSchedule`), called by the
//! registry's handler: requests parsed into versions, versions answered.

use std::collections::HashSet;

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_kernel::{CalendarDate, Modifier, ProcedureCode};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_date, wire_money};
use medbill_platform::db::Database;
use rust_decimal::Decimal;

use super::domain::{
    ChargeMaster, ChargeMasterEntry, FeeRule, FeeSchedule, FeeScheduleEntry, FeeScheduleId,
    PriceKey, RevenueCode,
};
use super::store;

/// The key of `entries[i]`, refusing a code and modifier already listed.
fn price_key(
    field: &str,
    code: &str,
    modifier: &str,
    seen: &mut HashSet<(String, String)>,
) -> Result<PriceKey, ServiceError> {
    let code = ProcedureCode::parse(code).map_err(|_| {
        ServiceError::invalid(format!("{field}.code"), "must be a CPT or HCPCS code")
    })?;
    let modifier = if modifier.trim().is_empty() {
        None
    } else {
        Some(Modifier::parse(modifier).map_err(|_| {
            ServiceError::invalid(
                format!("{field}.modifier"),
                "must be a two-character modifier",
            )
        })?)
    };
    let pair = (
        code.as_str().to_string(),
        modifier
            .as_ref()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
    );
    if !seen.insert(pair) {
        return Err(ServiceError::invalid(
            field,
            "repeats a code and modifier listed before",
        ));
    }
    Ok(PriceKey { code, modifier })
}

/// A positive decimal given as text.
fn positive_decimal(field: &str, text: &str) -> Result<Decimal, ServiceError> {
    text.trim()
        .parse::<Decimal>()
        .ok()
        .filter(|d| *d > Decimal::ZERO)
        .ok_or_else(|| ServiceError::invalid(field, "must be a positive decimal number"))
}

fn wire_key(key: &PriceKey) -> (String, String) {
    (
        key.code.as_str().to_string(),
        key.modifier
            .as_ref()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
    )
}

fn wire_charge_master(master: &ChargeMaster) -> pb::ChargeMaster {
    pb::ChargeMaster {
        effective_from: Some(wire_date(master.effective_from)),
        entries: master
            .entries
            .iter()
            .map(|e| {
                let (code, modifier) = wire_key(&e.key);
                pb::ChargeMasterEntry {
                    code,
                    modifier,
                    price: Some(wire_money(e.price)),
                    revenue_code: e.revenue_code.as_str().to_string(),
                    description: e.description.clone(),
                }
            })
            .collect(),
    }
}

fn wire_fee_schedule(schedule: &FeeSchedule) -> pb::FeeSchedule {
    pb::FeeSchedule {
        fee_schedule_id: schedule.fee_schedule_id.clone(),
        name: schedule.name.clone(),
        effective_from: Some(wire_date(schedule.effective_from)),
        conversion_factor: schedule
            .conversion_factor
            .map(|f| f.to_string())
            .unwrap_or_default(),
        entries: schedule
            .entries
            .iter()
            .map(|e| {
                let (code, modifier) = wire_key(&e.key);
                let mut entry = pb::FeeScheduleEntry {
                    code,
                    modifier,
                    ..Default::default()
                };
                match e.rule {
                    FeeRule::Fixed(m) => {
                        entry.method = pb::PricingMethod::Fixed as i32;
                        entry.charge = Some(wire_money(m));
                    }
                    FeeRule::PercentOfCharge(bp) => {
                        entry.method = pb::PricingMethod::PercentOfCharge as i32;
                        entry.percent_of_charge_basis_points = bp;
                    }
                    FeeRule::Rvu(rvu) => {
                        entry.method = pb::PricingMethod::Rvu as i32;
                        entry.rvu = rvu.to_string();
                    }
                }
                entry
            })
            .collect(),
    }
}

/// `UpsertChargeMaster`.
pub async fn upsert_charge_master(
    db: &Database,
    req: pb::UpsertChargeMasterRequest,
) -> Result<pb::ChargeMaster, ServiceError> {
    let effective_from = convert::date("effective_from", req.effective_from.as_ref())?;
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(req.entries.len());
    for (i, e) in req.entries.iter().enumerate() {
        let field = format!("entries[{i}]");
        entries.push(ChargeMasterEntry {
            key: price_key(&field, &e.code, &e.modifier, &mut seen)?,
            price: convert::money_non_negative(&format!("{field}.price"), e.price.as_ref())?,
            revenue_code: RevenueCode::parse(&e.revenue_code).ok_or_else(|| {
                ServiceError::invalid(format!("{field}.revenue_code"), "must be four digits")
            })?,
            description: e.description.trim().to_string(),
        });
    }
    // Answered in the order reads give (by code, then modifier).
    entries.sort_by_key(|e| wire_key(&e.key));
    let master = ChargeMaster {
        effective_from,
        entries,
    };
    let mut tx = db.begin().await?;
    store::replace_charge_master(&mut tx, &master).await?;
    tx.commit().await?;
    Ok(wire_charge_master(&master))
}

/// `GetChargeMaster`: the version in force on `as_of` (today when absent).
pub async fn get_charge_master(
    db: &Database,
    clock: &Clock,
    req: pb::GetChargeMasterRequest,
) -> Result<pb::ChargeMaster, ServiceError> {
    let day = convert::optional_date("as_of", req.as_of.as_ref())?.unwrap_or_else(|| clock.today());
    let mut conn = db.pool().acquire().await?;
    let master = store::charge_master(&mut conn, day, &[])
        .await?
        .ok_or_else(|| ServiceError::not_found("charge master in force on", day.to_string()))?;
    Ok(wire_charge_master(&master))
}

fn fee_rule(field: &str, e: &pb::FeeScheduleEntry) -> Result<FeeRule, ServiceError> {
    use pb::PricingMethod as M;
    match M::try_from(e.method) {
        Ok(M::Fixed) | Ok(M::Unspecified) => Ok(FeeRule::Fixed(convert::money_non_negative(
            &format!("{field}.charge"),
            e.charge.as_ref(),
        )?)),
        Ok(M::PercentOfCharge) => match e.percent_of_charge_basis_points {
            0 => Err(ServiceError::invalid(
                format!("{field}.percent_of_charge_basis_points"),
                "must be positive",
            )),
            bp => Ok(FeeRule::PercentOfCharge(bp)),
        },
        Ok(M::Rvu) => Ok(FeeRule::Rvu(positive_decimal(
            &format!("{field}.rvu"),
            &e.rvu,
        )?)),
        Err(_) => Err(ServiceError::invalid(
            format!("{field}.method"),
            "is not a pricing method",
        )),
    }
}

/// `UpsertFeeSchedule`: a new schedule when no id is given.
pub async fn upsert_fee_schedule(
    db: &Database,
    req: pb::UpsertFeeScheduleRequest,
) -> Result<pb::FeeSchedule, ServiceError> {
    let id = convert::optional_id::<FeeScheduleId>("fee_schedule_id", &req.fee_schedule_id)?;
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(req.entries.len());
    for (i, e) in req.entries.iter().enumerate() {
        let field = format!("entries[{i}]");
        entries.push(FeeScheduleEntry {
            key: price_key(&field, &e.code, &e.modifier, &mut seen)?,
            rule: fee_rule(&field, e)?,
        });
    }
    entries.sort_by_key(|e| wire_key(&e.key));
    let conversion_factor = if req.conversion_factor.trim().is_empty() {
        None
    } else {
        Some(positive_decimal(
            "conversion_factor",
            &req.conversion_factor,
        )?)
    };
    if conversion_factor.is_none() && entries.iter().any(|e| matches!(e.rule, FeeRule::Rvu(_))) {
        return Err(ServiceError::invalid(
            "conversion_factor",
            "is required when an entry prices by RVU",
        ));
    }
    let mut tx = db.begin().await?;
    let fee_schedule_id = match id {
        Some(id) if store::fee_schedule_exists(&mut tx, id.as_str()).await? => id,
        Some(id) => return Err(ServiceError::not_found("fee schedule", id.as_str())),
        None => FeeScheduleId::new(),
    };
    let schedule = FeeSchedule {
        fee_schedule_id: fee_schedule_id.into_string(),
        name: convert::required_text("name", &req.name)?,
        effective_from: convert::date("effective_from", req.effective_from.as_ref())?,
        conversion_factor,
        entries,
    };
    store::replace_fee_schedule(&mut tx, &schedule).await?;
    tx.commit().await?;
    Ok(wire_fee_schedule(&schedule))
}

/// `GetFeeSchedule`: the version in force on `as_of` (today when absent).
pub async fn get_fee_schedule(
    db: &Database,
    clock: &Clock,
    req: pb::GetFeeScheduleRequest,
) -> Result<pb::FeeSchedule, ServiceError> {
    let id = convert::id::<FeeScheduleId>("fee_schedule_id", &req.fee_schedule_id)?;
    let day: CalendarDate =
        convert::optional_date("as_of", req.as_of.as_ref())?.unwrap_or_else(|| clock.today());
    let mut conn = db.pool().acquire().await?;
    let schedule = store::fee_schedule(&mut conn, id.as_str(), day, &[])
        .await?
        .ok_or_else(|| ServiceError::not_found("fee schedule", id.as_str()))?;
    Ok(wire_fee_schedule(&schedule))
}
