//! `medbill.payments.v1.PaymentPlanService`: payment plans on the wire.
//! A plan is a guarantor's financial data: each read goes to the audit log.

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::payment_plan_service_server::PaymentPlanService;
use medbill_kernel::{AccountId, Timestamp};
use medbill_platform::ServiceError;
use medbill_platform::audit;
use medbill_platform::auth::principal;
use medbill_platform::clock::Clock;
use medbill_platform::convert::{self, wire_date, wire_money, wire_timestamp};
use medbill_platform::db::Database;
use tonic::{Request, Response, Status};

use super::domain::PlanStatus;
use super::service::{NewPlan, PlanView, Plans};

/// The payment plan API.
#[derive(Clone)]
pub struct PaymentPlanRpc {
    plans: Plans,
    db: Database,
}

impl PaymentPlanRpc {
    /// The API over `db`, dated on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        PaymentPlanRpc {
            plans: Plans::new(db.clone(), clock),
            db,
        }
    }
}

fn wire_status(status: PlanStatus) -> pb::PaymentPlanStatus {
    match status {
        PlanStatus::Active => pb::PaymentPlanStatus::Active,
        PlanStatus::Completed => pb::PaymentPlanStatus::Completed,
        PlanStatus::Defaulted => pb::PaymentPlanStatus::Defaulted,
        PlanStatus::Cancelled => pb::PaymentPlanStatus::Cancelled,
    }
}

fn to_pb(view: PlanView) -> pb::PaymentPlan {
    let PlanView {
        plan,
        standing,
        paid,
        as_of,
    } = view;
    pb::PaymentPlan {
        status: wire_status(plan.status) as i32,
        total: Some(wire_money(plan.total)),
        installments: plan
            .installments
            .iter()
            .zip(
                standing
                    .paid
                    .iter()
                    .copied()
                    .chain(std::iter::repeat(medbill_kernel::Money::ZERO)),
            )
            .map(|(i, paid)| pb::Installment {
                number: i.number,
                due: Some(wire_date(i.due)),
                amount: Some(wire_money(i.amount)),
                paid: Some(wire_money(paid)),
                missed: standing.missed.contains(&i.number),
            })
            .collect(),
        created_at: Timestamp::parse(&plan.created_at).map(wire_timestamp),
        installment_amount: Some(wire_money(plan.installment_amount)),
        due_day: plan.due_day,
        start_date: Some(wire_date(plan.start_date)),
        paid: Some(wire_money(paid)),
        missed_installments: standing.missed.len() as u32,
        as_of: Some(wire_date(as_of)),
        close_reason: plan.close_reason,
        payment_plan_id: plan.plan_id,
        account_id: plan.account_id,
    }
}

fn plan_id(text: &str) -> Result<String, ServiceError> {
    convert::id::<super::domain::PaymentPlanId>("payment_plan_id", text)
        .map(|id| id.as_str().to_string())
}

#[tonic::async_trait]
impl PaymentPlanService for PaymentPlanRpc {
    async fn create_payment_plan(
        &self,
        request: Request<pb::CreatePaymentPlanRequest>,
    ) -> Result<Response<pb::PaymentPlan>, Status> {
        let actor = principal(&request)?.subject.clone();
        let req = request.into_inner();
        let first_due = convert::optional_date("first_due", req.first_due.as_ref())?;
        let start_date = convert::optional_date("start_date", req.start_date.as_ref())?;
        let total = match req.total.as_ref() {
            None => None,
            Some(_) => Some(convert::money("total", req.total.as_ref())?),
        };
        if let Some(total) = total
            && total.cents() <= 0
        {
            return Err(ServiceError::invalid("total", "must be positive").into());
        }
        let amount = match req.installment_amount.as_ref() {
            Some(m) if m.cents != 0 => Some(convert::money(
                "installment_amount",
                req.installment_amount.as_ref(),
            )?),
            _ => None,
        };
        if let Some(first) = first_due {
            if start_date.is_some() {
                return Err(ServiceError::invalid(
                    "first_due",
                    "give first_due or start_date, not both",
                )
                .into());
            }
            if req.due_day != 0 && req.due_day != first.day() {
                return Err(ServiceError::invalid("due_day", "must be first_due's day").into());
            }
        }
        let plan = NewPlan {
            account_id: convert::id::<AccountId>("account_id", &req.account_id)?,
            total,
            count: (req.installments != 0).then_some(req.installments),
            amount,
            due_day: match (req.due_day, first_due) {
                (0, Some(first)) => Some(first.day()),
                (0, None) => None,
                (day, _) => Some(day),
            },
            start_date: start_date.or(first_due),
        };
        let view = self.plans.create(plan, &actor).await?;
        Ok(Response::new(to_pb(view)))
    }

    async fn get_payment_plan(
        &self,
        request: Request<pb::GetPaymentPlanRequest>,
    ) -> Result<Response<pb::PaymentPlan>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let id = plan_id(&req.payment_plan_id)?;
        let view = self.plans.get(&id).await?;
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        audit::record(
            &mut conn,
            &who,
            "read",
            "payment_plan",
            &id,
            "GetPaymentPlan",
        )
        .await
        .map_err(ServiceError::from)?;
        Ok(Response::new(to_pb(view)))
    }

    async fn list_payment_plans(
        &self,
        request: Request<pb::ListPaymentPlansRequest>,
    ) -> Result<Response<pb::ListPaymentPlansResponse>, Status> {
        let who = principal(&request)?.clone();
        let req = request.into_inner();
        let account = convert::optional_id::<AccountId>("account_id", &req.account_id)?;
        let mut statuses = Vec::with_capacity(req.statuses.len());
        for (i, s) in req.statuses.iter().enumerate() {
            statuses.push(match pb::PaymentPlanStatus::try_from(*s) {
                Ok(pb::PaymentPlanStatus::Active) => PlanStatus::Active,
                Ok(pb::PaymentPlanStatus::Completed) => PlanStatus::Completed,
                Ok(pb::PaymentPlanStatus::Defaulted) => PlanStatus::Defaulted,
                Ok(pb::PaymentPlanStatus::Cancelled) => PlanStatus::Cancelled,
                Ok(pb::PaymentPlanStatus::Unspecified) | Err(_) => {
                    return Err(ServiceError::invalid(
                        format!("statuses[{i}]"),
                        "is not a plan status",
                    )
                    .into());
                }
            });
        }
        let views = self
            .plans
            .list(account.as_ref().map(AccountId::as_str), &statuses)
            .await?;
        let ids: Vec<&str> = views.iter().map(|v| v.plan.plan_id.as_str()).collect();
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        audit::record_many(
            &mut conn,
            &who,
            "read",
            "payment_plan",
            &ids,
            "ListPaymentPlans",
        )
        .await
        .map_err(ServiceError::from)?;
        Ok(Response::new(pb::ListPaymentPlansResponse {
            plans: views.into_iter().map(to_pb).collect(),
        }))
    }

    async fn cancel_payment_plan(
        &self,
        request: Request<pb::CancelPaymentPlanRequest>,
    ) -> Result<Response<pb::PaymentPlan>, Status> {
        let req = request.into_inner();
        let id = plan_id(&req.payment_plan_id)?;
        let reason = convert::required_text("reason", &req.reason)?;
        Ok(Response::new(to_pb(self.plans.cancel(&id, &reason).await?)))
    }
}
