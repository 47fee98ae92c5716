//! `medbill.payments.v1.ReportingService`: `GetArAging` and `GetKpis`,
//! read from the ledger and the 835 postings.

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::reporting_service_server::ReportingService;
use medbill_kernel::{DateRange, Money, MoneyError};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_date_range, wire_money};
use medbill_platform::db::Database;
use tonic::{Request, Response, Status};

use super::domain::{Buckets, GroupAging, age};
use super::kpi_store;
use super::kpis::{self, CHARGE_DAYS, text};
use super::store::{self, Basis, GroupBy};

/// The reporting API.
#[derive(Clone)]
pub struct ReportingRpc {
    db: Database,
    clock: Clock,
}

impl ReportingRpc {
    /// The API over `db`, ageing as of `clock`'s today by default.
    pub fn new(db: Database, clock: Clock) -> Self {
        ReportingRpc { db, clock }
    }
}

fn money_error(e: MoneyError) -> ServiceError {
    ServiceError::Internal(format!("aging total: {e}"))
}

fn wire_buckets(b: &Buckets) -> Result<pb::AgingBuckets, MoneyError> {
    Ok(pb::AgingBuckets {
        days_0_30: Some(wire_money(b.0[0])),
        days_31_60: Some(wire_money(b.0[1])),
        days_61_90: Some(wire_money(b.0[2])),
        days_91_120: Some(wire_money(b.0[3])),
        days_over_120: Some(wire_money(b.0[4])),
        total: Some(wire_money(b.total()?)),
    })
}

fn wire_row(key: &str, aging: &GroupAging) -> Result<pb::AgingRow, MoneyError> {
    let both = aging.insurance.plus(&aging.patient)?;
    Ok(pb::AgingRow {
        responsible: key.to_string(),
        days_0_30: Some(wire_money(both.0[0])),
        days_31_60: Some(wire_money(both.0[1])),
        days_61_90: Some(wire_money(both.0[2])),
        days_91_120: Some(wire_money(both.0[3])),
        days_over_120: Some(wire_money(both.0[4])),
        total: Some(wire_money(both.total()?)),
        insurance: Some(wire_buckets(&aging.insurance)?),
        patient: Some(wire_buckets(&aging.patient)?),
    })
}

#[tonic::async_trait]
impl ReportingService for ReportingRpc {
    async fn get_ar_aging(
        &self,
        request: Request<pb::GetArAgingRequest>,
    ) -> Result<Response<pb::GetArAgingResponse>, Status> {
        let req = request.into_inner();
        let as_of = convert::optional_date("as_of", req.as_of.as_ref())?
            .unwrap_or_else(|| self.clock.today());
        let group_by = match pb::AgingGroupBy::try_from(req.group_by) {
            Ok(pb::AgingGroupBy::Unspecified | pb::AgingGroupBy::Payer) => GroupBy::Payer,
            Ok(pb::AgingGroupBy::Patient) => GroupBy::Patient,
            Ok(pb::AgingGroupBy::FinancialClass) => GroupBy::FinancialClass,
            Err(_) => return Err(ServiceError::invalid("group_by", "is not a grouping").into()),
        };
        let basis = match pb::AgingBasis::try_from(req.basis) {
            Ok(pb::AgingBasis::Unspecified | pb::AgingBasis::DateOfService) => Basis::DateOfService,
            Ok(pb::AgingBasis::FirstSubmission) => Basis::FirstSubmission,
            Err(_) => return Err(ServiceError::invalid("basis", "is not a basis").into()),
        };
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let claims = store::open_claims(&mut conn, as_of, group_by, basis).await?;
        let groups = age(&claims, as_of).map_err(money_error)?;
        let mut total = GroupAging::default();
        let mut rows = Vec::with_capacity(groups.len());
        for (key, aging) in &groups {
            total.insurance = total
                .insurance
                .plus(&aging.insurance)
                .map_err(money_error)?;
            total.patient = total.patient.plus(&aging.patient).map_err(money_error)?;
            rows.push(wire_row(key, aging).map_err(money_error)?);
        }
        Ok(Response::new(pb::GetArAgingResponse {
            rows,
            total: Some(wire_row("", &total).map_err(money_error)?),
        }))
    }

    async fn get_kpis(
        &self,
        request: Request<pb::GetKpisRequest>,
    ) -> Result<Response<pb::GetKpisResponse>, Status> {
        let req = request.into_inner();
        let today = self.clock.today();
        let (from, to) = match req.period.as_ref() {
            None => (
                today
                    .add_days(-(CHARGE_DAYS - 1))
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
                today,
            ),
            Some(_) => {
                let range = convert::date_range("period", req.period.as_ref())?;
                (range.start(), range.end().unwrap_or(today))
            }
        };
        if to < from {
            return Err(ServiceError::invalid(
                "period.end",
                "the end must not be before the start",
            )
            .into());
        }
        let period = DateRange::new(from, Some(to))
            .map_err(|e| ServiceError::invalid("period", e.to_string()))?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let sums = kpi_store::period_sums(&mut conn, from, to).await?;
        let window_start = to
            .add_days(-(CHARGE_DAYS - 1))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let last_90 = kpi_store::period_sums(&mut conn, window_start, to).await?;
        let (denied, adjudicated) = kpi_store::denials(&mut conn, from, to).await?;
        let claims =
            store::open_claims(&mut conn, to, GroupBy::Payer, Basis::DateOfService).await?;
        let (mut insurance, mut patient, mut over_90) = (Money::ZERO, Money::ZERO, Money::ZERO);
        for claim in &claims {
            insurance = insurance
                .checked_add(claim.insurance)
                .map_err(money_error)?;
            patient = patient.checked_add(claim.patient).map_err(money_error)?;
            if to.days_after(claim.aged_from) > 90 {
                over_90 = over_90
                    .checked_add(claim.insurance)
                    .and_then(|m| m.checked_add(claim.patient))
                    .map_err(money_error)?;
            }
        }
        let total_ar = insurance.checked_add(patient).map_err(money_error)?;
        Ok(Response::new(pb::GetKpisResponse {
            gross_charges: Some(wire_money(sums.charges)),
            payments: Some(wire_money(sums.payments)),
            adjustments: Some(wire_money(sums.contractual)),
            bad_debt: Some(wire_money(sums.bad_debt)),
            period: Some(wire_date_range(period)),
            days_in_ar: text(kpis::days_in_ar(total_ar, last_90.charges)),
            net_collection_rate: text(kpis::net_collection_rate(
                sums.payments,
                sums.charges,
                sums.contractual,
            )),
            gross_collection_rate: text(kpis::gross_collection_rate(sums.payments, sums.charges)),
            denial_rate_by_dollars: text(kpis::ratio(denied, adjudicated)),
            denied_charges: Some(wire_money(denied)),
            adjudicated_charges: Some(wire_money(adjudicated)),
            total_ar: Some(wire_money(total_ar)),
            insurance_ar: Some(wire_money(insurance)),
            patient_ar: Some(wire_money(patient)),
            ar_over_90_days: Some(wire_money(over_90)),
            ar_over_90_days_ratio: text(kpis::ratio(over_90, total_ar)),
            patient_ar_ratio: text(kpis::ratio(patient, total_ar)),
            charges_last_90_days: Some(wire_money(last_90.charges)),
            small_balance_write_offs: Some(wire_money(sums.small_balances)),
            bad_debt_recoveries: Some(wire_money(sums.recoveries)),
            agency_fees: Some(wire_money(sums.agency_fees)),
        }))
    }
}
