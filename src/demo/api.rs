//! The demo's callers: one channel per service and one development token
//! per person it plays (the EHR link, a coder, a biller, a payment poster,
//! a manager), issued from the stack's development secret.

use medbill_contracts::medbill::billing::v1 as billing;
use medbill_contracts::medbill::coding::v1 as coding;
use medbill_contracts::medbill::payments::v1 as payments;
use std::sync::Mutex;

use anyhow::Context;
use medbill_platform::auth::Role;
use tonic::transport::{Channel, Endpoint};

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
    urls: [String; 3],
    channels: Mutex<Channels>,
    tokens: [String; 5],
}

#[derive(Clone)]
struct Channels {
    coding: Channel,
    billing: Channel,
    payments: Channel,
}

/// A channel to `urls`: one service, or the instances of one in a
/// comma-separated list (calls spread round-robin over those that are up).
pub(crate) async fn connect_all(urls: &str, what: &str) -> anyhow::Result<Channel> {
    let urls: Vec<&str> = urls
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    match urls.as_slice() {
        [one] => connect(one, what).await,
        many => {
            let endpoints = many
                .iter()
                .map(|u| {
                    Endpoint::from_shared(u.to_string())
                        .with_context(|| format!("{u} is not a valid service URL"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            Ok(Channel::balance_list(endpoints.into_iter()))
        }
    }
}

async fn channels(urls: &[String; 3]) -> anyhow::Result<Channels> {
    Ok(Channels {
        coding: connect_all(&urls[0], "coding").await?,
        billing: connect_all(&urls[1], "billing").await?,
        payments: connect_all(&urls[2], "payments").await?,
    })
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
        let urls = [
            stack.coding_url.clone(),
            stack.billing_url.clone(),
            stack.payments_url.clone(),
        ];
        Ok(Api {
            channels: Mutex::new(channels(&urls).await?),
            urls,
            tokens: [
                token("ehr-link", Role::Service)?,
                token("coder.ann", Role::Coder)?,
                token("biller.bob", Role::Biller)?,
                token("poster.pat", Role::PaymentPoster)?,
                token("manager.meg", Role::Manager)?,
            ],
        })
    }

    /// Connects afresh (after a service was restarted, so that no call
    /// goes out on a connection to the process that is gone).
    pub async fn reconnect(&self) -> anyhow::Result<()> {
        let fresh = channels(&self.urls).await?;
        *self.channels.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    fn channels(&self) -> Channels {
        self.channels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
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
        coding::encounter_service_client::EncounterServiceClient::new(self.channels().coding)
    }

    /// Billing's registry.
    pub fn registry(&self) -> billing::registry_service_client::RegistryServiceClient<Channel> {
        billing::registry_service_client::RegistryServiceClient::new(self.channels().billing)
    }

    /// Billing's claims.
    pub fn claims(&self) -> billing::claim_service_client::ClaimServiceClient<Channel> {
        billing::claim_service_client::ClaimServiceClient::new(self.channels().billing)
    }

    /// Billing's batches and acknowledgments.
    pub fn submission(
        &self,
    ) -> billing::submission_service_client::SubmissionServiceClient<Channel> {
        billing::submission_service_client::SubmissionServiceClient::new(self.channels().billing)
    }

    /// Billing's denial work.
    pub fn denials(&self) -> billing::denial_service_client::DenialServiceClient<Channel> {
        billing::denial_service_client::DenialServiceClient::new(self.channels().billing)
    }

    /// Billing's metrics.
    pub fn analytics(&self) -> billing::analytics_service_client::AnalyticsServiceClient<Channel> {
        billing::analytics_service_client::AnalyticsServiceClient::new(self.channels().billing)
    }

    /// Payments' accounts and ledger.
    pub fn accounts(&self) -> payments::account_service_client::AccountServiceClient<Channel> {
        payments::account_service_client::AccountServiceClient::new(self.channels().payments)
    }

    /// Payments' remittances (835 posting, exceptions).
    pub fn remittances(
        &self,
    ) -> payments::remittance_service_client::RemittanceServiceClient<Channel> {
        payments::remittance_service_client::RemittanceServiceClient::new(self.channels().payments)
    }

    /// Payments' statements.
    pub fn statements(
        &self,
    ) -> payments::statement_service_client::StatementServiceClient<Channel> {
        payments::statement_service_client::StatementServiceClient::new(self.channels().payments)
    }

    /// Payments' payment plans.
    pub fn plans(
        &self,
    ) -> payments::payment_plan_service_client::PaymentPlanServiceClient<Channel> {
        payments::payment_plan_service_client::PaymentPlanServiceClient::new(
            self.channels().payments,
        )
    }

    /// Payments' reports.
    pub fn reporting(&self) -> payments::reporting_service_client::ReportingServiceClient<Channel> {
        payments::reporting_service_client::ReportingServiceClient::new(self.channels().payments)
    }
}
