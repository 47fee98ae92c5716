//! From the X12 engine's 837P and 837I claims to a [`SubmittedClaim`]:
//! dates into calendar dates (a date the services cannot hold is the
//! claim's 277CA rejection), and for a secondary claim the decision of the
//! payer before it (2320 and its 2430 loops).

use medbill_kernel::CalendarDate;
use medbill_x12::claim::{LineAdjudication, OtherPayer};
use medbill_x12::institutional::InstitutionalClaim;
use medbill_x12::professional::ProfessionalClaim;
use medbill_x12::{Date, Quantity};
use rust_decimal::Decimal;

use crate::cas::Cas;
use crate::claim::{
    ClaimType, Frequency, Name, PriorLine, PriorPayer, Provider, Rank, SubmittedClaim,
    SubmittedLine, Unreadable,
};

fn day(d: Date) -> Result<CalendarDate, Unreadable> {
    CalendarDate::try_from(d).map_err(|_| Unreadable {
        status: "187",
        message: format!("DATE OF SERVICE {d} OUT OF RANGE"),
    })
}

fn units(q: Quantity) -> Decimal {
    q.value()
}

/// The other payer a claim of `rank` follows.
fn prior(rank: Rank, others: &[OtherPayer]) -> Option<PriorPayer> {
    let before = rank.before()?;
    let other = others
        .iter()
        .find(|o| o.responsibility == before)
        .or_else(|| others.first())?;
    Some(PriorPayer {
        payer_id: other.payer_id.clone(),
        paid: other.paid_amount.map(|a| a.cents()),
        adjustments: other.adjustments.iter().filter_map(Cas::from_x12).collect(),
    })
}

/// The prior payer's 2430 decisions on one line, added together.
fn prior_line(prior: Option<&PriorPayer>, adjudications: &[LineAdjudication]) -> Option<PriorLine> {
    let payer_id = &prior?.payer_id;
    let mine: Vec<&LineAdjudication> = adjudications
        .iter()
        .filter(|a| &a.payer_id == payer_id)
        .collect();
    (!mine.is_empty()).then(|| PriorLine {
        paid: mine.iter().map(|a| a.paid_amount.cents()).sum(),
        adjustments: mine
            .iter()
            .flat_map(|a| a.adjustments.iter().filter_map(Cas::from_x12))
            .collect(),
    })
}

impl SubmittedClaim {
    /// An 837P claim.
    pub fn from_professional(c: &ProfessionalClaim) -> Result<Self, Unreadable> {
        let rank = Rank::of(c.subscriber.responsibility);
        let prior = prior(rank, &c.other_payers);
        let mut lines = Vec::with_capacity(c.lines.len());
        for l in &c.lines {
            lines.push(SubmittedLine {
                control_number: l.line_item_control_number.clone(),
                procedure_code: Some(l.procedure_code.clone()),
                revenue_code: None,
                modifiers: l.modifiers.clone(),
                charge: l.charge.cents(),
                units: units(l.units),
                service_date: day(l.service_date)?,
                diagnosis_pointers: l.diagnosis_pointers.clone(),
                prior: prior_line(prior.as_ref(), &l.adjudications),
            });
        }
        Ok(SubmittedClaim {
            patient_control_number: c.patient_control_number.clone(),
            claim_type: ClaimType::Professional,
            frequency: Frequency::of(c.frequency),
            replaces: c.payer_claim_control_number.clone(),
            payer_id: c.payer.id.clone(),
            rank,
            filing_indicator: c.subscriber.filing_indicator.clone(),
            member_id: c.subscriber.member_id.clone(),
            subscriber: Name::of(&c.subscriber.name),
            patient: c.patient.as_ref().map(|p| Name::of(&p.name)),
            billing_provider: Provider {
                name: c.billing_provider.name.clone(),
                npi: c.billing_provider.npi.clone(),
            },
            facility_code: c.place_of_service.clone(),
            diagnoses: c.diagnoses.clone(),
            prior_authorization: c.prior_authorization.clone(),
            total_charge: c.total_charge.cents(),
            lines,
            prior_payer: prior,
        })
    }

    /// An 837I claim.
    pub fn from_institutional(c: &InstitutionalClaim) -> Result<Self, Unreadable> {
        let rank = Rank::of(c.subscriber.responsibility);
        let prior = prior(rank, &c.other_payers);
        let statement_from = day(c.statement_from)?;
        let mut lines = Vec::with_capacity(c.lines.len());
        for l in &c.lines {
            lines.push(SubmittedLine {
                control_number: l.line_item_control_number.clone(),
                procedure_code: l.procedure_code.clone(),
                revenue_code: Some(l.revenue_code.clone()),
                modifiers: l.modifiers.clone(),
                charge: l.charge.cents(),
                units: units(l.units),
                service_date: l.service_date.map_or(Ok(statement_from), day)?,
                diagnosis_pointers: Vec::new(),
                prior: prior_line(prior.as_ref(), &l.adjudications),
            });
        }
        let mut diagnoses = vec![c.principal_diagnosis.code.clone()];
        diagnoses.extend(c.other_diagnoses.iter().map(|d| d.code.clone()));
        Ok(SubmittedClaim {
            patient_control_number: c.patient_control_number.clone(),
            claim_type: ClaimType::Institutional,
            frequency: Frequency::of(c.frequency),
            replaces: c.payer_claim_control_number.clone(),
            payer_id: c.payer.id.clone(),
            rank,
            filing_indicator: c.subscriber.filing_indicator.clone(),
            member_id: c.subscriber.member_id.clone(),
            subscriber: Name::of(&c.subscriber.name),
            patient: c.patient.as_ref().map(|p| Name::of(&p.name)),
            billing_provider: Provider {
                name: c.billing_provider.name.clone(),
                npi: c.billing_provider.npi.clone(),
            },
            facility_code: c.facility_type.clone(),
            diagnoses,
            prior_authorization: c.prior_authorization.clone(),
            total_charge: c.total_charge.cents(),
            lines,
            prior_payer: prior,
        })
    }
}
