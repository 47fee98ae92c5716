//! Revenue-cycle reports from the ledger. Built so far: AR aging
//! (`GetArAging`): each claim's open insurance and patient balances as of a
//! day, in 0–30, 31–60, 61–90, 91–120 and 121+ day buckets from the date of
//! service or from submission, grouped by payer, guarantor account or
//! financial class; and revenue-cycle KPIs (`GetKpis`): days in AR, net and
//! gross collection rates, denial rate by dollars, AR over 90 days, the
//! patient/insurance split and cost-to-collect inputs.
//!
//! The domain buckets ([`domain`]) and computes KPIs ([`kpis`]), the stores
//! read balances per claim ([`store`]) and period sums ([`kpi_store`]), the
//! handler translates ([`grpc`]).

pub mod domain;
pub mod grpc;
pub mod kpi_store;
pub mod kpis;
pub mod store;
