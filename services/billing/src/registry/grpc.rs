//! `medbill.billing.v1.RegistryService`: payers and providers here;
//! patients and coverages (audited) in [`super::patient_rpc`]; prices
//! (charge master, fee schedules) in [`crate::pricing::grpc`]; prior
//! authorizations in [`super::authorization_rpc`]; eligibility in
//! [`crate::eligibility::rpc`].

use std::sync::Arc;

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::billing::v1::registry_service_server::RegistryService;
use medbill_kernel::PayerId;
use medbill_platform::ServiceError;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert;
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use sqlx::AnyConnection;
use tonic::{Request, Response, Status};

use super::domain::{Payer, Provider, ProviderId};
use super::store::KEY_SEPARATOR;
use super::{authorization_rpc, facilities, patient_rpc, profile_rpc, store, wire};
use crate::eligibility;
use crate::eligibility::real_time::RealTime;
use crate::pricing;
use crate::pricing::domain::FeeScheduleId;
use crate::submission::adapter::Clearinghouse;

/// The registry API over the billing database.
#[derive(Clone)]
pub struct RegistryRpc {
    db: Database,
    clock: Clock,
    clearinghouse: Option<Arc<dyn Clearinghouse>>,
    real_time: Option<Arc<RealTime>>,
}

impl RegistryRpc {
    /// The API over `db`; "today" (prices in force) comes from `clock`;
    /// eligibility inquiries go through `clearinghouse` (none without it).
    pub fn new(db: Database, clock: Clock, clearinghouse: Option<Arc<dyn Clearinghouse>>) -> Self {
        RegistryRpc {
            db,
            clock,
            clearinghouse,
            real_time: None,
        }
    }

    /// Eligibility inquiries answered in the call through `real_time`
    /// instead of the folder, when it is given.
    pub fn with_real_time(mut self, real_time: Option<Arc<RealTime>>) -> Self {
        self.real_time = real_time;
        self
    }
}

/// The fee schedule a payer names: none (the charge master prices its
/// claims) or one that exists.
async fn fee_schedule_id(
    conn: &mut AnyConnection,
    text: &str,
) -> Result<Option<String>, ServiceError> {
    let Some(id) = convert::optional_id::<FeeScheduleId>("fee_schedule_id", text)? else {
        return Ok(None);
    };
    if !pricing::store::fee_schedule_exists(conn, id.as_str()).await? {
        return Err(ServiceError::not_found("fee schedule", id.as_str()));
    }
    Ok(Some(id.into_string()))
}

#[tonic::async_trait]
impl RegistryService for RegistryRpc {
    async fn create_payer(
        &self,
        request: Request<pb::CreatePayerRequest>,
    ) -> Result<Response<pb::Payer>, Status> {
        let req = request.into_inner();
        let payer = Payer {
            payer_id: PayerId::new(),
            name: convert::required_text("name", &req.name)?,
            electronic_payer_id: convert::required_text(
                "electronic_payer_id",
                &req.electronic_payer_id,
            )?,
            filing_indicator: wire::filing_indicator("filing_indicator", req.filing_indicator)?,
            timely_filing_days: wire::days("timely_filing_days", req.timely_filing_days)?,
            appeal_window_days: wire::days("appeal_window_days", req.appeal_window_days)?,
            claim_forms: wire::claim_forms("claim_forms", &req.claim_forms)?,
            address: wire::address("address", req.address.as_ref())?,
            fee_schedule_id: None,
            active: true,
            follow_up_days: wire::follow_up_days("follow_up_days", req.follow_up_days)?,
        };
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let payer = Payer {
            fee_schedule_id: fee_schedule_id(&mut tx, &req.fee_schedule_id).await?,
            ..payer
        };
        store::insert_payer(&mut tx, &payer).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire::wire_payer(&payer)))
    }

    async fn get_payer(
        &self,
        request: Request<pb::GetPayerRequest>,
    ) -> Result<Response<pb::Payer>, Status> {
        let payer_id = convert::id::<PayerId>("payer_id", &request.get_ref().payer_id)?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let payer = store::require_payer(&mut conn, &payer_id).await?;
        Ok(Response::new(wire::wire_payer(&payer)))
    }

    async fn list_payers(
        &self,
        request: Request<pb::ListPayersRequest>,
    ) -> Result<Response<pb::ListPayersResponse>, Status> {
        let req = request.into_inner();
        let page = Page::from_request("page", req.page.as_ref())?;
        let after = match &page.after {
            None => None,
            Some(key) => Some(key.split_once(KEY_SEPARATOR).ok_or_else(|| {
                ServiceError::invalid("page.page_token", "is not a token this RPC issued")
            })?),
        };
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let rows =
            store::payers(&mut conn, req.include_inactive, after, page.fetch_limit()).await?;
        let (rows, next) = page.finish(rows, |p| {
            format!("{}{KEY_SEPARATOR}{}", p.name, p.payer_id.as_str())
        });
        Ok(Response::new(pb::ListPayersResponse {
            payers: rows.iter().map(wire::wire_payer).collect(),
            page: Some(next),
        }))
    }

    async fn update_payer(
        &self,
        request: Request<pb::UpdatePayerRequest>,
    ) -> Result<Response<pb::Payer>, Status> {
        let req = request.into_inner();
        let payer_id = convert::id::<PayerId>("payer_id", &req.payer_id)?;
        let name = convert::required_text("name", &req.name)?;
        let timely_filing_days = wire::days("timely_filing_days", req.timely_filing_days)?;
        let appeal_window_days = wire::days("appeal_window_days", req.appeal_window_days)?;
        let claim_forms = wire::claim_forms("claim_forms", &req.claim_forms)?;
        let address = wire::address("address", req.address.as_ref())?;
        let follow_up_days = wire::follow_up_days("follow_up_days", req.follow_up_days)?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let stored = store::require_payer(&mut tx, &payer_id).await?;
        // The clearinghouse id and the filing indicator are not in the
        // request: they stay as registered.
        let payer = Payer {
            name,
            timely_filing_days,
            appeal_window_days,
            claim_forms,
            address,
            fee_schedule_id: fee_schedule_id(&mut tx, &req.fee_schedule_id).await?,
            active: req.active,
            follow_up_days,
            ..stored
        };
        store::update_payer(&mut tx, &payer).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire::wire_payer(&payer)))
    }

    async fn create_provider(
        &self,
        request: Request<pb::CreateProviderRequest>,
    ) -> Result<Response<pb::Provider>, Status> {
        let req = request.into_inner();
        let provider = Provider {
            provider_id: ProviderId::new(),
            npi: wire::npi("npi", &req.npi)?,
            name: convert::required_text("name", &req.name)?,
            first_name: req.first_name.trim().to_string(),
            organization: req.organization,
            tax_id: wire::tax_id("tax_id", &req.tax_id)?,
            taxonomy: wire::taxonomy("taxonomy", &req.taxonomy)?,
            address: wire::address("address", req.address.as_ref())?,
        };
        if !provider.organization && provider.first_name.is_empty() {
            return Err(ServiceError::invalid("first_name", "is required for a person").into());
        }
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        store::insert_provider(&mut tx, &provider).await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire::wire_provider(&provider)))
    }

    async fn get_provider(
        &self,
        request: Request<pb::GetProviderRequest>,
    ) -> Result<Response<pb::Provider>, Status> {
        let req = request.into_inner();
        let provider_id = convert::optional_id::<ProviderId>("provider_id", &req.provider_id)?;
        let npi = if req.npi.trim().is_empty() {
            None
        } else {
            Some(wire::npi("npi", &req.npi)?)
        };
        if provider_id.is_none() && npi.is_none() {
            return Err(ServiceError::invalid("provider_id", "or npi is required").into());
        }
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let provider = store::provider(&mut conn, provider_id.as_ref(), npi.as_ref())
            .await?
            .ok_or_else(|| {
                ServiceError::not_found("provider", req.provider_id.clone() + &req.npi)
            })?;
        Ok(Response::new(wire::wire_provider(&provider)))
    }

    async fn list_providers(
        &self,
        request: Request<pb::ListProvidersRequest>,
    ) -> Result<Response<pb::ListProvidersResponse>, Status> {
        let page = Page::from_request("page", request.get_ref().page.as_ref())?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let rows = store::providers(&mut conn, page.after.as_deref(), page.fetch_limit()).await?;
        let (rows, next) = page.finish(rows, |p| p.provider_id.as_str().to_string());
        Ok(Response::new(pb::ListProvidersResponse {
            providers: rows.iter().map(wire::wire_provider).collect(),
            page: Some(next),
        }))
    }

    async fn create_facility(
        &self,
        request: Request<pb::CreateFacilityRequest>,
    ) -> Result<Response<pb::Facility>, Status> {
        let answer =
            facilities::create_facility(&self.db, request.into_inner(), self.clock.now()).await?;
        Ok(Response::new(answer))
    }

    async fn get_facility(
        &self,
        request: Request<pb::GetFacilityRequest>,
    ) -> Result<Response<pb::Facility>, Status> {
        Ok(Response::new(
            facilities::get_facility(&self.db, request.into_inner()).await?,
        ))
    }

    async fn list_facilities(
        &self,
        request: Request<pb::ListFacilitiesRequest>,
    ) -> Result<Response<pb::ListFacilitiesResponse>, Status> {
        Ok(Response::new(
            facilities::list_facilities(&self.db, request.into_inner()).await?,
        ))
    }

    async fn create_patient(
        &self,
        request: Request<pb::CreatePatientRequest>,
    ) -> Result<Response<pb::Patient>, Status> {
        let who = principal(&request)?.clone();
        let answer = patient_rpc::create_patient(&self.db, &who, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn get_patient(
        &self,
        request: Request<pb::GetPatientRequest>,
    ) -> Result<Response<pb::Patient>, Status> {
        let who = principal(&request)?.clone();
        let answer = patient_rpc::get_patient(&self.db, &who, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn update_patient(
        &self,
        request: Request<pb::UpdatePatientRequest>,
    ) -> Result<Response<pb::Patient>, Status> {
        let who = principal(&request)?.clone();
        let answer = patient_rpc::update_patient(&self.db, &who, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn add_coverage(
        &self,
        request: Request<pb::AddCoverageRequest>,
    ) -> Result<Response<pb::Coverage>, Status> {
        let who = principal(&request)?.clone();
        let answer = patient_rpc::add_coverage(&self.db, &who, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn list_coverages(
        &self,
        request: Request<pb::ListCoveragesRequest>,
    ) -> Result<Response<pb::ListCoveragesResponse>, Status> {
        let who = principal(&request)?.clone();
        let answer = patient_rpc::list_coverages(&self.db, &who, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn terminate_coverage(
        &self,
        request: Request<pb::TerminateCoverageRequest>,
    ) -> Result<Response<pb::Coverage>, Status> {
        let who = principal(&request)?.clone();
        let answer = patient_rpc::terminate_coverage(&self.db, &who, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn update_coverage(
        &self,
        request: Request<pb::UpdateCoverageRequest>,
    ) -> Result<Response<pb::Coverage>, Status> {
        let who = principal(&request)?.clone();
        let answer = patient_rpc::update_coverage(&self.db, &who, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn upsert_fee_schedule(
        &self,
        request: Request<pb::UpsertFeeScheduleRequest>,
    ) -> Result<Response<pb::FeeSchedule>, Status> {
        let answer = pricing::grpc::upsert_fee_schedule(&self.db, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn get_fee_schedule(
        &self,
        request: Request<pb::GetFeeScheduleRequest>,
    ) -> Result<Response<pb::FeeSchedule>, Status> {
        let answer =
            pricing::grpc::get_fee_schedule(&self.db, &self.clock, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn upsert_charge_master(
        &self,
        request: Request<pb::UpsertChargeMasterRequest>,
    ) -> Result<Response<pb::ChargeMaster>, Status> {
        let answer = pricing::grpc::upsert_charge_master(&self.db, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn set_submitter_profile(
        &self,
        request: Request<pb::SubmitterProfile>,
    ) -> Result<Response<pb::SubmitterProfile>, Status> {
        profile_rpc::set_submitter_profile(&self.db, request).await
    }

    async fn get_submitter_profile(
        &self,
        _request: Request<pb::GetSubmitterProfileRequest>,
    ) -> Result<Response<pb::SubmitterProfile>, Status> {
        profile_rpc::get_submitter_profile(&self.db).await
    }

    async fn set_payer_rules(
        &self,
        request: Request<pb::PayerRules>,
    ) -> Result<Response<pb::PayerRules>, Status> {
        profile_rpc::set_payer_rules(&self.db, request).await
    }

    async fn get_payer_rules(
        &self,
        request: Request<pb::GetPayerRulesRequest>,
    ) -> Result<Response<pb::PayerRules>, Status> {
        profile_rpc::get_payer_rules(&self.db, request).await
    }

    async fn add_authorization(
        &self,
        request: Request<pb::AddAuthorizationRequest>,
    ) -> Result<Response<pb::Authorization>, Status> {
        let who = principal(&request)?.clone();
        let answer =
            authorization_rpc::add_authorization(&self.db, &self.clock, &who, request.into_inner())
                .await?;
        Ok(Response::new(answer))
    }

    async fn list_authorizations(
        &self,
        request: Request<pb::ListAuthorizationsRequest>,
    ) -> Result<Response<pb::ListAuthorizationsResponse>, Status> {
        let who = principal(&request)?.clone();
        let answer =
            authorization_rpc::list_authorizations(&self.db, &who, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn check_eligibility(
        &self,
        request: Request<pb::CheckEligibilityRequest>,
    ) -> Result<Response<pb::EligibilityResponse>, Status> {
        let who = principal(&request)?.clone();
        let routes = eligibility::rpc::Routes {
            real_time: self.real_time.as_deref(),
            folder: self.clearinghouse.as_deref(),
        };
        let answer = eligibility::rpc::check_eligibility(
            &self.db,
            &self.clock,
            routes,
            &who,
            request.into_inner(),
        )
        .await?;
        Ok(Response::new(answer))
    }

    async fn get_eligibility(
        &self,
        request: Request<pb::GetEligibilityRequest>,
    ) -> Result<Response<pb::EligibilityResponse>, Status> {
        let who = principal(&request)?.clone();
        let answer =
            eligibility::rpc::get_eligibility(&self.db, &who, request.into_inner()).await?;
        Ok(Response::new(answer))
    }

    async fn get_charge_master(
        &self,
        request: Request<pb::GetChargeMasterRequest>,
    ) -> Result<Response<pb::ChargeMaster>, Status> {
        let answer =
            pricing::grpc::get_charge_master(&self.db, &self.clock, request.into_inner()).await?;
        Ok(Response::new(answer))
    }
}
