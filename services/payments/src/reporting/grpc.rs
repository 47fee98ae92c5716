//! `medbill.payments.v1.ReportingService`: `GetArAging` read from the
//! ledger; `GetKpis` answers `UNIMPLEMENTED` (the generated default).

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::reporting_service_server::ReportingService;
use medbill_kernel::MoneyError;
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_money};
use medbill_platform::db::Database;
use tonic::{Request, Response, Status};

use super::domain::{Buckets, GroupAging, age};
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
}
