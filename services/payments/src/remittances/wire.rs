//! Domain remittances to their wire messages: the `Remittance` answer, the
//! `ClaimPayment` billing reads in `RemittancePosted`, and exceptions.

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_kernel::Timestamp;
use medbill_platform::convert::{wire_date, wire_money, wire_timestamp};

use super::domain::{
    Cas, ClaimPayment, ExceptionReason, Ingested, Remittance, RemittanceException,
};
use super::store::RemittanceSummary;

fn adjustment(cas: &Cas) -> pb::Adjustment {
    pb::Adjustment {
        group_code: cas.group.code().to_string(),
        reason_code: cas.reason.clone(),
        amount: Some(wire_money(cas.amount)),
        quantity: cas.quantity,
    }
}

/// The wire claim payment, matched to `claim_id` (empty: unmatched) and, per
/// service line, to the claim lines `lines` (none: unmatched).
pub fn claim_payment(payment: &ClaimPayment, claim_id: &str, lines: &[u32]) -> pb::ClaimPayment {
    pb::ClaimPayment {
        patient_control_number: payment.patient_control_number.clone(),
        claim_id: claim_id.to_string(),
        status_code: payment.status_code.clone(),
        charge: Some(wire_money(payment.charge)),
        paid: Some(wire_money(payment.paid)),
        patient_responsibility: Some(wire_money(payment.patient_responsibility)),
        payer_claim_number: payment.payer_claim_number.clone(),
        adjustments: payment.adjustments.iter().map(adjustment).collect(),
        services: payment
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| pb::ServicePayment {
                line_control_number: s.line_control_number.clone().unwrap_or_default(),
                procedure_code: s.procedure_code.clone(),
                modifiers: s.modifiers.clone(),
                charge: Some(wire_money(s.charge)),
                paid: Some(wire_money(s.paid)),
                adjustments: s.adjustments.iter().map(adjustment).collect(),
                remark_codes: s.remark_codes.clone(),
                date_of_service: s.date_of_service.map(wire_date),
                units: s.units,
                matched_line_number: lines.get(i).copied().unwrap_or(0),
            })
            .collect(),
        remark_codes: payment.remark_codes.clone(),
    }
}

/// The event telling billing a claim payment was posted.
pub fn remittance_posted(
    remittance_id: &str,
    remittance: &Remittance,
    payment: &ClaimPayment,
    claim_id: &str,
    lines: &[u32],
) -> pb::RemittancePosted {
    pb::RemittancePosted {
        remittance_id: remittance_id.to_string(),
        claim_id: claim_id.to_string(),
        payment: Some(claim_payment(payment, claim_id, lines)),
        trace_number: remittance.trace_number.clone(),
        payment_date: Some(wire_date(remittance.payment_date)),
        payer_identifier: remittance.payer_identifier.clone(),
    }
}

/// The wire exception.
pub fn exception(e: &RemittanceException) -> pb::RemittanceException {
    pb::RemittanceException {
        exception_id: e.exception_id.clone(),
        remittance_id: e.remittance_id.clone(),
        patient_control_number: e.patient_control_number.clone(),
        claim_id: e.claim_id.clone().unwrap_or_default(),
        reason: match e.reason {
            ExceptionReason::UnknownPatientControlNumber => {
                pb::ExceptionReason::UnknownPatientControlNumber
            }
            ExceptionReason::LineNotFound => pb::ExceptionReason::LineNotFound,
            ExceptionReason::ClaimVoided => pb::ExceptionReason::ClaimVoided,
        } as i32,
        detail: e.detail.clone(),
        paid: Some(wire_money(e.paid)),
        created_at: Timestamp::parse(&e.created_at).map(wire_timestamp),
    }
}

/// The answer of `IngestRemittance`.
pub fn remittance(ingested: &Ingested) -> pb::Remittance {
    let r = &ingested.remittance;
    let status = if ingested.exceptions.is_empty() {
        pb::RemittanceStatus::Posted
    } else {
        pb::RemittanceStatus::PartiallyPosted
    };
    pb::Remittance {
        remittance_id: ingested.remittance_id.clone(),
        payer_name: r.payer_name.clone(),
        payer_identifier: r.payer_identifier.clone(),
        trace_number: r.trace_number.clone(),
        total_paid: Some(wire_money(r.total_paid)),
        payment_date: Some(wire_date(r.payment_date)),
        status: status as i32,
        claims: r
            .claims
            .iter()
            .enumerate()
            .map(|(i, payment)| {
                let (claim_id, lines) = ingested
                    .matches
                    .get(i)
                    .map(|(c, l)| (c.as_deref().unwrap_or(""), l.as_slice()))
                    .unwrap_or(("", &[]));
                claim_payment(payment, claim_id, lines)
            })
            .collect(),
        provider_adjustments: r
            .provider_adjustments
            .iter()
            .map(|p| pb::ProviderAdjustment {
                reason_code: p.reason.clone(),
                reference: p.reference.clone(),
                amount: Some(wire_money(p.amount)),
            })
            .collect(),
        findings: Vec::new(),
        received_at: Timestamp::parse(&ingested.received_at).map(wire_timestamp),
        newly_posted: ingested.newly_posted,
        exceptions: ingested.exceptions.iter().map(exception).collect(),
        content_hash: ingested.content_hash.clone(),
    }
}

/// A listed remittance: its summary, without claims (`GetRemittance` has
/// them).
pub fn remittance_summary(r: &RemittanceSummary) -> pb::Remittance {
    let status = if r.fully_posted {
        pb::RemittanceStatus::Posted
    } else {
        pb::RemittanceStatus::PartiallyPosted
    };
    pb::Remittance {
        remittance_id: r.remittance_id.clone(),
        payer_name: r.payer_name.clone(),
        payer_identifier: r.payer_identifier.clone(),
        trace_number: r.trace_number.clone(),
        total_paid: Some(wire_money(r.total_paid)),
        payment_date: r
            .payment_date
            .parse::<medbill_kernel::CalendarDate>()
            .ok()
            .map(wire_date),
        status: status as i32,
        received_at: Timestamp::parse(&r.received_at).map(wire_timestamp),
        content_hash: r.content_hash.clone(),
        ..Default::default()
    }
}
