//! `medbill.billing.v1.AnalyticsService`.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::billing::v1::analytics_service_server::AnalyticsService;
use medbill_kernel::{Money, PayerId};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_date, wire_money};
use medbill_platform::db::Database;
use tonic::{Request, Response, Status};

use super::metrics::{self, Tally, ratio_text};
use super::store::{self, Period};
use crate::scrubber::catalog::TIMELY_FILING_WARNING_DAYS;

/// The analytics API over the billing database.
#[derive(Clone)]
pub struct AnalyticsRpc {
    db: Database,
    clock: Clock,
}

impl AnalyticsRpc {
    /// The API over `db`; "today" comes from `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        AnalyticsRpc { db, clock }
    }
}

fn breakdown(groups: std::collections::BTreeMap<&str, Tally>) -> Vec<pb::DenialBreakdown> {
    groups
        .into_iter()
        .map(|(key, t)| pb::DenialBreakdown {
            key: key.to_string(),
            denials: t.denials,
            amount: Some(wire_money(Money::from_cents(t.cents))),
        })
        .collect()
}

#[tonic::async_trait]
impl AnalyticsService for AnalyticsRpc {
    async fn get_claim_metrics(
        &self,
        request: Request<pb::GetClaimMetricsRequest>,
    ) -> Result<Response<pb::ClaimMetrics>, Status> {
        let req = request.into_inner();
        let today = self.clock.today();
        let to = convert::optional_date("to", req.to.as_ref())?.unwrap_or(today);
        let from = match convert::optional_date("from", req.from.as_ref())? {
            Some(d) => d,
            None => to
                .add_days(-89)
                .map_err(|e| ServiceError::invalid("to", e.to_string()))?,
        };
        if from > to {
            return Err(ServiceError::invalid("from", "must not be after to").into());
        }
        let payer = convert::optional_id::<PayerId>("payer_id", &req.payer_id)?
            .map(PayerId::into_string)
            .unwrap_or_default();
        let period = Period::new(from, to)?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let submitted = store::submitted(&mut conn, &period, &payer).await?;
        let (clean, sent) = metrics::clean_claims(&submitted);
        let adjudicated = store::first_adjudications(&mut conn, &period, &payer).await?;
        let (denied, judged, denied_cents, charge_cents) = metrics::first_pass(&adjudicated);
        let denials = store::denials(&mut conn, &period, &payer).await?;
        let mut risk = Vec::new();
        for u in store::unfiled(&mut conn, &payer).await? {
            let Ok(deadline) = u.first_day.add_days(u.filing_days) else {
                continue;
            };
            let left = deadline.days_after(today);
            if left <= TIMELY_FILING_WARNING_DAYS {
                risk.push(pb::TimelyFilingRisk {
                    claim_id: u.claim_id,
                    payer_id: u.payer_id,
                    deadline: Some(wire_date(deadline)),
                    days_left: left.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
                    total_charge: Some(wire_money(u.total_charge)),
                    submission: u.submission,
                });
            }
        }
        Ok(Response::new(pb::ClaimMetrics {
            from: Some(wire_date(from)),
            to: Some(wire_date(to)),
            claims_submitted: sent,
            clean_claims: clean,
            clean_claim_rate: ratio_text(i64::from(clean), i64::from(sent)),
            claims_adjudicated: judged,
            claims_denied_first_pass: denied,
            first_pass_denial_rate: ratio_text(i64::from(denied), i64::from(judged)),
            adjudicated_charges: Some(wire_money(Money::from_cents(charge_cents))),
            denied_first_pass: Some(wire_money(Money::from_cents(denied_cents))),
            first_pass_denial_rate_dollars: ratio_text(denied_cents, charge_cents),
            by_category: breakdown(metrics::group_by(&denials, |d| vec![d.category.as_str()])),
            by_origin: breakdown(metrics::group_by(&denials, |d| vec![d.origin.as_str()])),
            by_payer: breakdown(metrics::group_by(&denials, |d| vec![d.payer_id.as_str()])),
            by_carc: breakdown(metrics::group_by(&denials, |d| {
                d.carcs.iter().map(String::as_str).collect()
            })),
            average_days_release_to_submission: metrics::average_days_to_submit(&submitted)
                .map(|d| format!("{d:.2}"))
                .unwrap_or_default(),
            timely_filing_risk: risk,
        }))
    }
}
