//! The payments gRPC services not built yet: every RPC of these answers
//! `UNIMPLEMENTED` (the generated default); the role check in front of them
//! is already enforced.

use medbill_contracts::medbill::payments::v1::collections_service_server::CollectionsService;
use medbill_contracts::medbill::payments::v1::payment_plan_service_server::PaymentPlanService;
use medbill_contracts::medbill::payments::v1::statement_service_server::StatementService;

/// Patient statements.
pub struct Statements;

/// Payment plans.
pub struct PaymentPlans;

/// Collection agencies and bad debt.
pub struct Collections;

impl StatementService for Statements {}
impl PaymentPlanService for PaymentPlans {}
impl CollectionsService for Collections {}
