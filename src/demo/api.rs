//! The demo's callers: one channel per service and one development token
//! per person it plays (the EHR link, a coder, a biller, a payment poster,
//! a manager), issued from the stack's development secret.

use medbill_contracts::medbill::billing::v1 as billing;
use medbill_contracts::medbill::coding::v1 as coding;
use medbill_contracts::medbill::payments::v1 as payments;
use medbill_platform::auth::Role;
use tonic::transport::Channel;

use super::stack::Stack;
use crate::operator::connect;
use crate::token::{TokenArgs, issue};

/// Who makes a call.
#[derive(Debug, Clone, Copy)]
pub enum Actor {
    /// The EHR interface submitting encounters.
    Ehr,
    /// A coder at coding's workbench.
    Coder,
    /// A biller.
    Biller,
    /// A payment poster.
    Poster,
    /// A revenue-cycle manager (reports, statements, plans).
    Manager,
}

/// Clients of the three services with a token per actor.
pub struct Api {
    coding: Channel,
    billing: Channel,
    payments: Channel,
    tokens: [String; 5],
}

impl Api {
    /// Connects to `stack` and issues the tokens.
    pub async fn connect(stack: &Stack) -> anyhow::Result<Api> {
        let token = |subject: &str, role: Role| {
            issue(&TokenArgs {
                roles: vec![role],
                subject: subject.into(),
                data_dir: stack.data_dir.clone(),
                ttl_hours: 12,
            })
            .map(|t| format!("Bearer {t}"))
        };
        Ok(Api {
            coding: connect(&stack.coding_url, "coding").await?,
            billing: connect(&stack.billing_url, "billing").await?,
            payments: connect(&stack.payments_url, "payments").await?,
            tokens: [
                token("ehr-link", Role::Service)?,
                token("coder.ann", Role::Coder)?,
                token("biller.bob", Role::Biller)?,
                token("poster.pat", Role::PaymentPoster)?,
                token("manager.meg", Role::Manager)?,
            ],
        })
    }

    /// `message` as a request from `actor`.
    pub fn req<T>(&self, actor: Actor, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        let token = &self.tokens[actor as usize];
        if let Ok(value) = token.parse() {
            request.metadata_mut().insert("authorization", value);
        }
        request
    }

    /// Coding's encounters.
    pub fn encounters(&self) -> coding::encounter_service_client::EncounterServiceClient<Channel> {
        coding::encounter_service_client::EncounterServiceClient::new(self.coding.clone())
    }

    /// Billing's registry.
    pub fn registry(&self) -> billing::registry_service_client::RegistryServiceClient<Channel> {
        billing::registry_service_client::RegistryServiceClient::new(self.billing.clone())
    }

    /// Billing's claims.
    pub fn claims(&self) -> billing::claim_service_client::ClaimServiceClient<Channel> {
        billing::claim_service_client::ClaimServiceClient::new(self.billing.clone())
    }

    /// Billing's batches and acknowledgments.
    pub fn submission(
        &self,
    ) -> billing::submission_service_client::SubmissionServiceClient<Channel> {
        billing::submission_service_client::SubmissionServiceClient::new(self.billing.clone())
    }

    /// Billing's denial work.
    pub fn denials(&self) -> billing::denial_service_client::DenialServiceClient<Channel> {
        billing::denial_service_client::DenialServiceClient::new(self.billing.clone())
    }

    /// Billing's metrics.
    pub fn analytics(&self) -> billing::analytics_service_client::AnalyticsServiceClient<Channel> {
        billing::analytics_service_client::AnalyticsServiceClient::new(self.billing.clone())
    }

    /// Payments' accounts and ledger.
    pub fn accounts(&self) -> payments::account_service_client::AccountServiceClient<Channel> {
        payments::account_service_client::AccountServiceClient::new(self.payments.clone())
    }

    /// Payments' statements.
    pub fn statements(
        &self,
    ) -> payments::statement_service_client::StatementServiceClient<Channel> {
        payments::statement_service_client::StatementServiceClient::new(self.payments.clone())
    }

    /// Payments' payment plans.
    pub fn plans(
        &self,
    ) -> payments::payment_plan_service_client::PaymentPlanServiceClient<Channel> {
        payments::payment_plan_service_client::PaymentPlanServiceClient::new(self.payments.clone())
    }

    /// Payments' reports.
    pub fn reporting(&self) -> payments::reporting_service_client::ReportingServiceClient<Channel> {
        payments::reporting_service_client::ReportingServiceClient::new(self.payments.clone())
    }
}
