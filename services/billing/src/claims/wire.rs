//! Claims on the wire.

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_kernel::display_icd;
use medbill_platform::convert::{wire_date, wire_date_range, wire_money, wire_timestamp};

use super::domain::{
    Adjudication, BalanceOwner, Claim, ClaimLine, ClaimType, Submission, Summary, Transition,
};
use crate::followup::store::RecordedStatus;
use crate::scrubber::Finding;

fn wire_line(l: &ClaimLine) -> pb::ClaimLine {
    pb::ClaimLine {
        line_number: l.line_number,
        line_control_number: l.line_control_number.clone(),
        charge_id: l.charge_id.as_str().to_string(),
        code: l.code.clone(),
        modifiers: l.modifiers.clone(),
        units: l.units,
        charge: Some(wire_money(l.charge)),
        diagnosis_pointers: l.diagnosis_pointers.clone(),
        date_of_service: Some(wire_date(l.date_of_service)),
        revenue_code: l.revenue_code.clone(),
        paid: Some(wire_money(l.paid)),
    }
}

/// The wire form of a claim's lines.
pub fn wire_lines(lines: &[ClaimLine]) -> Vec<pb::ClaimLine> {
    lines.iter().map(wire_line).collect()
}

fn wire_finding(f: &Finding) -> pb::ScrubFinding {
    pb::ScrubFinding {
        rule_id: f.rule_id.clone(),
        blocking: f.is_error(),
        message: f.message.clone(),
        field: f.field.clone(),
        suggested_fix: f.suggested_fix.clone(),
    }
}

fn wire_transition(t: &Transition) -> pb::ClaimTransition {
    pb::ClaimTransition {
        dimension: t.dimension.as_str().to_string(),
        from_state: t.from.clone(),
        to_state: t.to.clone(),
        actor: t.actor.clone(),
        reason: t.reason.clone(),
        at: Some(wire_timestamp(t.at)),
    }
}

/// The wire form of a claim; `history` is sent by `GetClaim` only.
pub fn wire_claim(c: &Claim, history: &[Transition]) -> pb::Claim {
    let status = match c.summary() {
        Summary::Draft => pb::ClaimStatus::Draft,
        Summary::Ready => pb::ClaimStatus::Ready,
        Summary::Submitted => pb::ClaimStatus::Submitted,
        Summary::Accepted => pb::ClaimStatus::Accepted,
        Summary::Rejected => pb::ClaimStatus::Rejected,
        Summary::Paid => pb::ClaimStatus::Paid,
        Summary::Denied => pb::ClaimStatus::Denied,
        Summary::Replaced => pb::ClaimStatus::Replaced,
        Summary::Voided => pb::ClaimStatus::Voided,
    };
    let submission = match c.state.submission {
        Submission::Held => pb::SubmissionStatus::Held,
        Submission::Ready => pb::SubmissionStatus::Ready,
        Submission::Submitted => pb::SubmissionStatus::Submitted,
        Submission::Accepted => pb::SubmissionStatus::Accepted,
        Submission::Rejected => pb::SubmissionStatus::Rejected,
    };
    let adjudication = match c.state.adjudication {
        Adjudication::Pending => pb::AdjudicationStatus::None,
        Adjudication::Paid => pb::AdjudicationStatus::Paid,
        Adjudication::PartlyPaid => pb::AdjudicationStatus::PartlyPaid,
        Adjudication::Denied => pb::AdjudicationStatus::Denied,
        Adjudication::Reversed => pb::AdjudicationStatus::Reversed,
        Adjudication::Forwarded => pb::AdjudicationStatus::Forwarded,
    };
    let balance_owner = match c.state.balance_owner {
        BalanceOwner::Insurance => pb::BalanceOwner::Insurance,
        BalanceOwner::Patient => pb::BalanceOwner::Patient,
        BalanceOwner::Settled => pb::BalanceOwner::Settled,
    };
    pb::Claim {
        claim_id: c.claim_id.as_str().to_string(),
        claim_type: match c.claim_type {
            ClaimType::Professional => pb::ClaimType::Professional,
            ClaimType::Institutional => pb::ClaimType::Institutional,
        } as i32,
        status: status as i32,
        encounter_id: c.encounter_id.as_str().to_string(),
        patient_id: c.patient_id.as_str().to_string(),
        coverage_id: c.coverage_id.as_str().to_string(),
        payer_id: c.payer_id.as_str().to_string(),
        payer_rank: u32::from(c.payer_rank),
        billing_provider_npi: c.billing_provider_npi.clone(),
        rendering_provider_npi: c.rendering_provider_npi.clone(),
        service_facility_npi: c.service_facility_npi.clone(),
        patient_control_number: c.patient_control_number.clone(),
        frequency_code: c.frequency.as_str().to_string(),
        place_of_service: c.place_of_service.clone(),
        type_of_bill: c.type_of_bill.clone(),
        diagnosis_codes: c.diagnoses.iter().map(|d| display_icd(&d.code)).collect(),
        diagnosis_present_on_admission: c
            .diagnoses
            .iter()
            .map(|d| {
                d.present_on_admission
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default()
            })
            .collect(),
        lines: wire_lines(&c.lines),
        total_charge: Some(wire_money(c.total_charge)),
        scrub_findings: c.findings.iter().map(wire_finding).collect(),
        replaces_claim_id: c
            .replaces_claim_id
            .as_ref()
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
        payer_claim_number: c.payer_claim_number.clone(),
        prior_authorization: c.prior_authorization.clone(),
        batch_id: c.batch_id.clone(),
        created_at: Some(wire_timestamp(c.created_at)),
        submitted_at: c.submitted_at.map(wire_timestamp),
        paid: Some(wire_money(c.paid)),
        patient_responsibility: Some(wire_money(c.patient_responsibility)),
        submission: submission as i32,
        adjudication: adjudication as i32,
        balance_owner: balance_owner as i32,
        history: history.iter().map(wire_transition).collect(),
        release_number: c.release_number,
        dates_of_service: Some(wire_date_range(c.dates)),
        payer_statuses: Vec::new(),
    }
}

/// The wire form of a status a 277 reported on a claim.
pub fn wire_payer_status(s: &RecordedStatus) -> pb::PayerClaimStatus {
    pb::PayerClaimStatus {
        outcome: s.outcome.clone(),
        statuses: s.statuses.clone(),
        paid: Some(wire_money(s.paid)),
        payer_claim_number: s.payer_claim_number.clone(),
        trace_number: s.trace_number.clone(),
        received_at: Some(wire_timestamp(s.received_at)),
    }
}
