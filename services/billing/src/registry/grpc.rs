//! `medbill.billing.v1.RegistryService`: payers, providers, patients and
//! coverages. Every read or change of a patient (or of a coverage, which
//! carries the member id) is written to the audit log in the same
//! transaction. Fee schedules and eligibility answer `UNIMPLEMENTED` (the
//! generated default) until they are built.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::billing::v1::registry_service_server::RegistryService;
use medbill_kernel::{AccountId, PatientId, PayerId};
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::{Principal, principal};
use medbill_platform::convert;
use medbill_platform::db::Database;
use medbill_platform::paging::Page;
use sqlx::AnyConnection;
use tonic::{Request, Response, Status};

use super::domain::{
    Coverage, CoverageId, Patient, Payer, Provider, ProviderId, Relationship, Subscriber,
};
use super::store::KEY_SEPARATOR;
use super::{patients, store, wire};

/// The registry API over the billing database.
#[derive(Clone)]
pub struct RegistryRpc {
    db: Database,
}

impl RegistryRpc {
    /// The API over `db`.
    pub fn new(db: Database) -> Self {
        RegistryRpc { db }
    }
}

/// Writes who touched patient `patient_id` through `rpc`.
async fn audit_patient(
    conn: &mut AnyConnection,
    who: &Principal,
    action: &str,
    patient_id: &PatientId,
    rpc: &str,
) -> Result<(), ServiceError> {
    audit::record(conn, who, action, "patient", patient_id.as_str(), rpc).await?;
    Ok(())
}

/// Fails with `NOT_FOUND` unless payer `payer_id` is registered.
async fn require_payer(
    conn: &mut AnyConnection,
    payer_id: &PayerId,
) -> Result<Payer, ServiceError> {
    store::payer(conn, payer_id)
        .await?
        .ok_or_else(|| ServiceError::not_found("payer", payer_id.as_str()))
}

/// The id of a fee schedule a payer names (free text until fee schedules
/// are built; empty is the charge master).
fn fee_schedule_id(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
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
            fee_schedule_id: fee_schedule_id(&req.fee_schedule_id),
            active: true,
        };
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
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
        let payer = require_payer(&mut conn, &payer_id).await?;
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
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let stored = require_payer(&mut tx, &payer_id).await?;
        // The clearinghouse id and the filing indicator are not in the
        // request: they stay as registered.
        let payer = Payer {
            name,
            timely_filing_days,
            appeal_window_days,
            claim_forms,
            address,
            fee_schedule_id: fee_schedule_id(&req.fee_schedule_id),
            active: req.active,
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

    async fn create_patient(
        &self,
        request: Request<pb::CreatePatientRequest>,
    ) -> Result<Response<pb::Patient>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let patient = Patient {
            patient_id: PatientId::new(),
            mrn: convert::required_text("mrn", &req.mrn)?.into(),
            name: wire::person_name("name", req.name.as_ref())?.into(),
            birth_date: convert::date("birth_date", req.birth_date.as_ref())?.into(),
            sex: wire::sex("sex", req.sex)?,
            address: wire::address("address", req.address.as_ref())?.into(),
            guarantor_account_id: AccountId::new(),
        };
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let existing = patients::patient(&mut tx, None, Some(patient.mrn.expose())).await?;
        let answer = match existing {
            // A repeated registration of the same person is harmless.
            Some(existing) if existing.same_person(&patient) => existing,
            Some(existing) => {
                return Err(ServiceError::AlreadyExists(format!(
                    "the MRN belongs to patient {} with other demographics",
                    existing.patient_id
                ))
                .into());
            }
            None => {
                patients::insert_patient(&mut tx, &patient).await?;
                patient
            }
        };
        audit_patient(&mut tx, &who, "create", &answer.patient_id, "CreatePatient").await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire::wire_patient(&answer)))
    }

    async fn get_patient(
        &self,
        request: Request<pb::GetPatientRequest>,
    ) -> Result<Response<pb::Patient>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let patient_id = convert::optional_id::<PatientId>("patient_id", &req.patient_id)?;
        let mrn = Some(req.mrn.trim()).filter(|m| !m.is_empty());
        if patient_id.is_none() && mrn.is_none() {
            return Err(ServiceError::invalid("patient_id", "or mrn is required").into());
        }
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let patient = patients::patient(&mut conn, patient_id.as_ref(), mrn)
            .await?
            // Never echo an MRN back in an error.
            .ok_or_else(|| ServiceError::not_found("patient", req.patient_id.clone()))?;
        audit_patient(&mut conn, &who, "read", &patient.patient_id, "GetPatient").await?;
        Ok(Response::new(wire::wire_patient(&patient)))
    }

    async fn update_patient(
        &self,
        request: Request<pb::UpdatePatientRequest>,
    ) -> Result<Response<pb::Patient>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let patient_id = convert::id::<PatientId>("patient_id", &req.patient_id)?;
        let name = wire::person_name("name", req.name.as_ref())?;
        let address = wire::address("address", req.address.as_ref())?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let stored = patients::patient(&mut tx, Some(&patient_id), None)
            .await?
            .ok_or_else(|| ServiceError::not_found("patient", patient_id.as_str()))?;
        let patient = Patient {
            name: name.into(),
            address: address.into(),
            ..stored
        };
        patients::update_patient(&mut tx, &patient).await?;
        audit_patient(&mut tx, &who, "update", &patient_id, "UpdatePatient").await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire::wire_patient(&patient)))
    }

    async fn add_coverage(
        &self,
        request: Request<pb::AddCoverageRequest>,
    ) -> Result<Response<pb::Coverage>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let patient_id = convert::id::<PatientId>("patient_id", &req.patient_id)?;
        let payer_id = convert::id::<PayerId>("payer_id", &req.payer_id)?;
        let rank = match req.rank {
            1..=3 => req.rank as u8,
            _ => {
                return Err(ServiceError::invalid(
                    "rank",
                    "must be 1 (primary), 2 (secondary) or 3 (tertiary)",
                )
                .into());
            }
        };
        let relationship = wire::relationship("relationship", req.relationship)?;
        let subscriber = match relationship {
            Relationship::SelfInsured => None,
            Relationship::Spouse | Relationship::Child | Relationship::Other => Some(Subscriber {
                name: wire::person_name("subscriber_name", req.subscriber_name.as_ref())?.into(),
                birth_date: convert::date(
                    "subscriber_birth_date",
                    req.subscriber_birth_date.as_ref(),
                )?
                .into(),
                sex: wire::sex("subscriber_sex", req.subscriber_sex)?,
            }),
        };
        let coverage = Coverage {
            coverage_id: CoverageId::new(),
            patient_id,
            payer_id,
            rank,
            member_id: convert::required_text("member_id", &req.member_id)?.into(),
            group_number: req.group_number.trim().to_string(),
            relationship,
            subscriber,
            effective: convert::date_range("effective", req.effective.as_ref())?,
        };
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        patients::patient(&mut tx, Some(&coverage.patient_id), None)
            .await?
            .ok_or_else(|| ServiceError::not_found("patient", coverage.patient_id.as_str()))?;
        require_payer(&mut tx, &coverage.payer_id).await?;
        let taken = patients::coverages(&mut tx, &coverage.patient_id)
            .await?
            .into_iter()
            .find(|c| c.rank == coverage.rank && c.overlaps(coverage.effective));
        if let Some(taken) = taken {
            return Err(ServiceError::FailedPrecondition(format!(
                "coverage {} holds rank {} for part of these dates; terminate it first",
                taken.coverage_id, coverage.rank
            ))
            .into());
        }
        patients::insert_coverage(&mut tx, &coverage).await?;
        audit_patient(&mut tx, &who, "update", &coverage.patient_id, "AddCoverage").await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire::wire_coverage(&coverage)))
    }

    async fn list_coverages(
        &self,
        request: Request<pb::ListCoveragesRequest>,
    ) -> Result<Response<pb::ListCoveragesResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let patient_id = convert::id::<PatientId>("patient_id", &req.patient_id)?;
        let as_of = convert::optional_date("as_of", req.as_of.as_ref())?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        patients::patient(&mut conn, Some(&patient_id), None)
            .await?
            .ok_or_else(|| ServiceError::not_found("patient", patient_id.as_str()))?;
        let coverages = patients::coverages(&mut conn, &patient_id).await?;
        audit_patient(&mut conn, &who, "read", &patient_id, "ListCoverages").await?;
        Ok(Response::new(pb::ListCoveragesResponse {
            coverages: coverages
                .iter()
                .filter(|c| as_of.is_none_or(|day| c.in_force_on(day)))
                .map(wire::wire_coverage)
                .collect(),
        }))
    }

    async fn terminate_coverage(
        &self,
        request: Request<pb::TerminateCoverageRequest>,
    ) -> Result<Response<pb::Coverage>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let coverage_id = convert::id::<CoverageId>("coverage_id", &req.coverage_id)?;
        let end = convert::date("end", req.end.as_ref())?;
        let mut tx = self.db.begin().await.map_err(ServiceError::from)?;
        let stored = patients::coverage(&mut tx, &coverage_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("coverage", coverage_id.as_str()))?;
        let effective = medbill_kernel::DateRange::new(stored.effective.start(), Some(end))
            .map_err(|_| ServiceError::invalid("end", "must not be before the coverage starts"))?;
        if stored.effective.end().is_some_and(|old| old < end) {
            return Err(ServiceError::FailedPrecondition(format!(
                "coverage {coverage_id} already ended before that date"
            ))
            .into());
        }
        patients::set_coverage_end(&mut tx, &coverage_id, end).await?;
        audit_patient(
            &mut tx,
            &who,
            "update",
            &stored.patient_id,
            "TerminateCoverage",
        )
        .await?;
        tx.commit().await.map_err(ServiceError::from)?;
        Ok(Response::new(wire::wire_coverage(&Coverage {
            effective,
            ..stored
        })))
    }
}
