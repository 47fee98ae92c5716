//! The submitter profile and payers' scrubber rules on the wire.

use std::collections::HashMap;

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_kernel::{PayerId, ProcedureCode};
use medbill_platform::ServiceError;
use medbill_platform::convert;
use medbill_platform::db::Database;
use tonic::{Request, Response, Status};

use super::domain::ProviderId;
use super::profile::{self, SubmitterProfile};
use super::store;
use crate::scrubber::{self, PayerRules, RuleSetting, Severity};

fn wire_profile(p: &SubmitterProfile) -> pb::SubmitterProfile {
    pb::SubmitterProfile {
        billing_provider_id: p.billing_provider_id.as_str().to_string(),
        submitter_name: p.submitter_name.clone(),
        submitter_id: p.submitter_id.clone(),
        contact_name: p.contact_name.clone(),
        contact_phone: p.contact_phone.clone(),
        receiver_name: p.receiver_name.clone(),
        receiver_id: p.receiver_id.clone(),
        interchange_sender_id: p.interchange_sender_id.clone(),
        interchange_receiver_id: p.interchange_receiver_id.clone(),
        usage_indicator: p.usage_indicator.clone(),
    }
}

/// `SetSubmitterProfile`.
pub async fn set_submitter_profile(
    db: &Database,
    request: Request<pb::SubmitterProfile>,
) -> Result<Response<pb::SubmitterProfile>, Status> {
    let r = request.into_inner();
    let t = |s: &str| s.trim().to_string();
    let p = SubmitterProfile {
        billing_provider_id: convert::id::<ProviderId>(
            "billing_provider_id",
            &r.billing_provider_id,
        )?,
        submitter_name: t(&r.submitter_name),
        submitter_id: t(&r.submitter_id),
        contact_name: t(&r.contact_name),
        contact_phone: t(&r.contact_phone),
        receiver_name: t(&r.receiver_name),
        receiver_id: t(&r.receiver_id),
        interchange_sender_id: t(&r.interchange_sender_id),
        interchange_receiver_id: t(&r.interchange_receiver_id),
        usage_indicator: t(&r.usage_indicator),
    };
    profile::validate(&p)?;
    let mut tx = db.begin().await.map_err(ServiceError::from)?;
    let provider = store::provider(&mut tx, Some(&p.billing_provider_id), None)
        .await?
        .ok_or_else(|| ServiceError::not_found("provider", p.billing_provider_id.as_str()))?;
    if !provider.organization || provider.tax_id.is_none() {
        return Err(ServiceError::invalid(
            "billing_provider_id",
            "the billing provider must be an organization with a tax id",
        )
        .into());
    }
    profile::save(&mut tx, &p).await?;
    tx.commit().await.map_err(ServiceError::from)?;
    Ok(Response::new(wire_profile(&p)))
}

/// `GetSubmitterProfile`.
pub async fn get_submitter_profile(
    db: &Database,
) -> Result<Response<pb::SubmitterProfile>, Status> {
    let mut conn = db.pool().acquire().await.map_err(ServiceError::from)?;
    let p = profile::load(&mut conn)
        .await?
        .ok_or_else(|| ServiceError::not_found("submitter profile", "(not set)"))?;
    Ok(Response::new(wire_profile(&p)))
}

fn wire_rules(payer_id: &PayerId, rules: &PayerRules) -> pb::PayerRules {
    let mut overrides: Vec<_> = rules
        .overrides
        .iter()
        .map(|(id, setting)| pb::RuleOverride {
            rule_id: id.clone(),
            severity: match setting {
                RuleSetting::Run(Severity::Error) => pb::RuleSeverity::Error,
                RuleSetting::Run(Severity::Warning) => pb::RuleSeverity::Warning,
                RuleSetting::Off => pb::RuleSeverity::Off,
            } as i32,
        })
        .collect();
    overrides.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
    pb::PayerRules {
        payer_id: payer_id.as_str().to_string(),
        overrides,
        authorization_required_codes: rules.authorization_required_codes.clone(),
    }
}

/// `SetPayerRules`.
pub async fn set_payer_rules(
    db: &Database,
    request: Request<pb::PayerRules>,
) -> Result<Response<pb::PayerRules>, Status> {
    let r = request.into_inner();
    let payer_id = convert::id::<PayerId>("payer_id", &r.payer_id)?;
    let mut overrides = HashMap::new();
    for (i, o) in r.overrides.iter().enumerate() {
        let rule_id = o.rule_id.trim().to_ascii_uppercase();
        if !scrubber::is_rule(&rule_id) {
            return Err(ServiceError::invalid(
                format!("overrides[{i}].rule_id"),
                format!(
                    "{:?} is not a rule of the catalog (docs/SCRUBBER.md)",
                    o.rule_id
                ),
            )
            .into());
        }
        let setting = match pb::RuleSeverity::try_from(o.severity) {
            Ok(pb::RuleSeverity::Error) => RuleSetting::Run(Severity::Error),
            Ok(pb::RuleSeverity::Warning) => RuleSetting::Run(Severity::Warning),
            Ok(pb::RuleSeverity::Off) => RuleSetting::Off,
            _ => {
                return Err(ServiceError::invalid(
                    format!("overrides[{i}].severity"),
                    "ERROR, WARNING or OFF",
                )
                .into());
            }
        };
        if overrides.insert(rule_id, setting).is_some() {
            return Err(ServiceError::invalid(
                format!("overrides[{i}].rule_id"),
                "each rule at most once",
            )
            .into());
        }
    }
    let mut codes = Vec::new();
    for (i, code) in r.authorization_required_codes.iter().enumerate() {
        let code = ProcedureCode::parse(code.trim()).map_err(|e| {
            ServiceError::invalid(format!("authorization_required_codes[{i}]"), e.to_string())
        })?;
        codes.push(code.as_str().to_string());
    }
    codes.sort();
    codes.dedup();
    let rules = PayerRules {
        overrides,
        authorization_required_codes: codes,
    };
    let mut tx = db.begin().await.map_err(ServiceError::from)?;
    store::require_payer(&mut tx, &payer_id).await?;
    scrubber::store::set_payer_rules(&mut tx, &payer_id, &rules).await?;
    tx.commit().await.map_err(ServiceError::from)?;
    Ok(Response::new(wire_rules(&payer_id, &rules)))
}

/// `GetPayerRules`.
pub async fn get_payer_rules(
    db: &Database,
    request: Request<pb::GetPayerRulesRequest>,
) -> Result<Response<pb::PayerRules>, Status> {
    let payer_id = convert::id::<PayerId>("payer_id", &request.get_ref().payer_id)?;
    let mut conn = db.pool().acquire().await.map_err(ServiceError::from)?;
    store::require_payer(&mut conn, &payer_id).await?;
    let rules = scrubber::store::payer_rules(&mut conn, &payer_id).await?;
    Ok(Response::new(wire_rules(&payer_id, &rules)))
}
