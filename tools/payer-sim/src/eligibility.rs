//! Answering a 270 with a 271: for each member asked about, the 270's
//! trace echoed (so billing finds its question), and either the member's
//! coverage on the date asked (active with the plan, deductible and
//! out-of-pocket amounts for the year and what is left of them, copay and
//! coinsurance; or inactive) or an AAA rejection when the payer does not
//! know the member (`75` subscriber not found) or is not served (`79`).
//! A dependent asked about under a subscriber (270 loop 2000D) is answered
//! the same way in a 2000D loop under the subscriber's 2000C loop.

use medbill_kernel::CalendarDate;
use medbill_x12::claim::PersonName;
use medbill_x12::common::{DateRef, Entity, EntityType, Reference};
use medbill_x12::eligibility::{
    Benefit, BenefitKind, CoverageReport, EligibilityInquiry, EligibilityResponse,
    EligibilityTrace, Rejection, SubscriberInquiry,
};
use medbill_x12::{Amount, Date, Phi, Quantity};

use crate::adjudication::Accumulator;
use crate::config::{Member, Plan};
use crate::desk::{Desk, Output};
use crate::envelope::{file_name, params};
use crate::error::SimError;
use crate::record::{Record, ReturnAddress};

/// The 271 file answering `inquiries`.
pub(crate) fn answer(
    desk: &mut Desk<'_>,
    inquiries: &[EligibilityInquiry],
    to: &ReturnAddress,
) -> Result<Output, SimError> {
    let control = desk.record.next_interchange();
    let responses: Vec<EligibilityResponse> = inquiries
        .iter()
        .enumerate()
        .map(|(n, q)| response(desk, control, n, q))
        .collect();
    let config = desk.config;
    let p = params(
        &config.clearinghouse.id,
        to,
        control,
        desk.today,
        &config.time,
    );
    let content =
        medbill_x12::eligibility::write_271(&p, &responses).map_err(SimError::write("271"))?;
    Ok(Output {
        name: file_name(control, "271", "x12"),
        content,
    })
}

fn org(role: &str, name: &str, qualifier: &str, id: &str) -> Entity {
    Entity {
        role: role.into(),
        entity_type: EntityType::Organization,
        last_name: Phi::from(name),
        first_name: None,
        middle_name: None,
        suffix: None,
        id_qualifier: Some(qualifier.into()),
        id: Some(Phi::from(id)),
    }
}

fn reject(reason: &str) -> Rejection {
    Rejection {
        valid_request: true,
        reason: reason.into(),
        follow_up: Some("C".into()),
    }
}

fn response(
    desk: &Desk<'_>,
    control: u32,
    n: usize,
    q: &EligibilityInquiry,
) -> EligibilityResponse {
    let payer = desk.config.payer(&q.payer.id);
    let payer_name = payer.map_or(q.payer.name.as_str(), |p| p.name.as_str());
    let mut hl = 2;
    let mut members = Vec::with_capacity(q.subscribers.len());
    for (m, s) in q.subscribers.iter().enumerate() {
        hl += 1;
        let mut report = member_report(hl.to_string(), s);
        if s.dependent.is_some() {
            // The subscriber's level names them; what was asked is answered
            // in the dependent's level below.
            report.traces.clear();
            members.push(report);
            hl += 1;
            report = dependent_report(hl.to_string(), s);
        }
        if let Some(payer) = payer {
            report.traces.push(EligibilityTrace {
                kind: "1".into(),
                number: format!("{control:09}-{}-{}", n + 1, m + 1),
                originator: format!("9{}", payer.tax_id),
            });
            match desk.config.member(&payer.id, s.member_id.expose()) {
                None => report.rejections.push(reject("75")),
                Some((member, plan)) => {
                    let day = s
                        .service_date
                        .and_then(|d| CalendarDate::try_from(d).ok())
                        .unwrap_or(desk.today);
                    let key = Record::accumulator_key(&payer.id, &member.member_id, day.year());
                    let used = desk
                        .record
                        .accumulators
                        .get(&key)
                        .copied()
                        .unwrap_or_default();
                    coverage(&mut report, member, plan, day, used, &s.service_types);
                }
            }
        }
        members.push(report);
    }
    EligibilityResponse {
        control_number: format!("{:04}", n + 1),
        reference_id: q.reference_id.chars().take(50).collect(),
        created: Date::from(desk.today),
        payer: Some(org("PR", payer_name, "PI", &q.payer.id)),
        payer_rejections: if payer.is_none() {
            vec![reject("79")]
        } else {
            Vec::new()
        },
        receiver: Some(org("1P", &q.provider.name, "XX", &q.provider.npi)),
        receiver_rejections: Vec::new(),
        members,
    }
}

/// The member level with what the 270 said about the member.
fn member_report(hl: String, s: &SubscriberInquiry) -> CoverageReport {
    CoverageReport {
        hl_id: hl,
        dependent: false,
        traces: vec![EligibilityTrace {
            kind: "2".into(),
            number: s.trace_number.clone(),
            originator: s.trace_originator.clone(),
        }],
        member: Some(person(
            "IL",
            &s.name,
            Some(("MI", s.member_id.expose().as_str())),
        )),
        birth_date: s.birth_date.clone(),
        sex: s.sex.filter(|_| s.birth_date.is_some()),
        references: Vec::new(),
        dates: Vec::new(),
        rejections: Vec::new(),
        benefits: Vec::new(),
    }
}

/// An NM1 person (`IL` subscriber, `03` dependent) with the id, if any.
fn person(role: &str, name: &PersonName, id: Option<(&str, &str)>) -> Entity {
    Entity {
        role: role.into(),
        entity_type: EntityType::Person,
        last_name: Phi::from(name.last.expose().as_str()),
        first_name: name.first.as_ref().map(|f| Phi::from(f.expose().as_str())),
        middle_name: name.middle.as_ref().map(|f| Phi::from(f.expose().as_str())),
        suffix: name.suffix.as_ref().map(|f| Phi::from(f.expose().as_str())),
        id_qualifier: id.map(|(qualifier, _)| qualifier.into()),
        id: id.map(|(_, value)| Phi::from(value)),
    }
}

/// The dependent level (HL 23) with what the 270 said about the dependent
/// and the 270's trace.
fn dependent_report(hl: String, s: &SubscriberInquiry) -> CoverageReport {
    let mut report = member_report(hl, s);
    report.dependent = true;
    if let Some(d) = &s.dependent {
        report.member = Some(person("03", &d.name, None));
        report.birth_date = d.birth_date.clone();
        report.sex = d.sex.filter(|_| d.birth_date.is_some());
    }
    report
}

fn benefit(code: &str, types: &[String]) -> Benefit {
    Benefit {
        code: code.into(),
        kind: BenefitKind::from_code(code),
        coverage_level: Some("IND".into()),
        service_types: types.to_vec(),
        insurance_type: None,
        plan_description: None,
        time_period: None,
        amount: None,
        percent: None,
        quantity_qualifier: None,
        quantity: None,
        authorization_required: None,
        in_network: None,
        procedure: None,
        dates: Vec::new(),
        references: Vec::new(),
        messages: Vec::new(),
        rejections: Vec::new(),
        related_entities: Vec::new(),
    }
}

fn amount(code: &str, types: &[String], period: &str, cents: i64) -> Benefit {
    Benefit {
        time_period: Some(period.into()),
        amount: Some(Amount::from_cents(cents)),
        in_network: Some("Y".into()),
        ..benefit(code, types)
    }
}

/// The member's dates and benefits on `day`: EB 1 (active, with the plan)
/// and its amounts, or EB 6 (inactive).
fn coverage(
    report: &mut CoverageReport,
    member: &Member,
    plan: &Plan,
    day: CalendarDate,
    used: Accumulator,
    types: &[String],
) {
    if let Some(group) = &member.group_number {
        report.references.push(Reference {
            qualifier: "6P".into(),
            value: group.as_str().into(),
        });
    }
    let dtp = |qualifier: &str, d: CalendarDate| DateRef {
        qualifier: qualifier.into(),
        date: Date::from(d),
        end: None,
    };
    report.dates.push(dtp("346", member.coverage_start));
    if let Some(end) = member.coverage_end {
        report.dates.push(dtp("347", end));
    }
    let plan_benefit = |code: &str| Benefit {
        insurance_type: plan.insurance_type.clone(),
        plan_description: Some(plan.name.clone()),
        ..benefit(code, types)
    };
    if !member.covered_on(day) {
        report.benefits.push(plan_benefit("6"));
        return;
    }
    report.benefits.push(plan_benefit("1"));
    if plan.deductible_cents > 0 {
        let left = (plan.deductible_cents - used.deductible_met).max(0);
        report
            .benefits
            .push(amount("C", types, "23", plan.deductible_cents));
        report.benefits.push(amount("C", types, "29", left));
    }
    if plan.copay_cents > 0 {
        report
            .benefits
            .push(amount("B", types, "27", plan.copay_cents));
    }
    report.benefits.push(Benefit {
        percent: Some(Quantity::from(plan.coinsurance)),
        in_network: Some("Y".into()),
        ..benefit("A", types)
    });
    if let Some(max) = plan.out_of_pocket_max_cents {
        let left = (max - used.out_of_pocket_met).max(0);
        report.benefits.push(amount("G", types, "23", max));
        report.benefits.push(amount("G", types, "29", left));
    }
}
