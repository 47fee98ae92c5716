//! Answering a 276 with a 277: each claim asked about is found by its
//! payer claim control number (REF*1K) or else its patient control number
//! (REF*EJ), and reported as the simulator knows it — `A4:35` not found,
//! `P1:20` pending, `F1:65` paid (with the amount, date and trace of the
//! payment), `F2:1` denied, `F3:1` replaced, voided or reversed.

use medbill_x12::status::{
    ClaimStatusInquiry, ClaimStatusRequest, ClaimStatusResponse, ClaimStatusResult, StatusCode,
    StatusDetail,
};
use medbill_x12::{Amount, Date, Phi};

use crate::desk::{Desk, Output};
use crate::envelope::{file_name, params};
use crate::error::SimError;
use crate::record::{ClaimRecord, ClaimState, Record, ReturnAddress};

/// The 277 file answering `inquiries`.
pub(crate) fn answer(
    desk: &mut Desk<'_>,
    inquiries: &[ClaimStatusInquiry],
    to: &ReturnAddress,
) -> Result<Output, SimError> {
    let control = desk.record.next_interchange();
    let today = Date::from(desk.today);
    let responses: Vec<ClaimStatusResponse> = inquiries
        .iter()
        .enumerate()
        .map(|(n, q)| ClaimStatusResponse {
            control_number: format!("{:04}", n + 1),
            reference_id: q.reference_id.clone(),
            created: today,
            created_time: desk.config.time.clone(),
            parties: q.parties.clone(),
            receiver_status: None,
            provider_status: None,
            claims: q
                .claims
                .iter()
                .map(|c| result(desk.record, &q.parties.payer.id, c, today))
                .collect(),
        })
        .collect();
    let config = desk.config;
    let p = params(
        &config.clearinghouse.id,
        to,
        control,
        desk.today,
        &config.time,
    );
    let content = medbill_x12::status::write_277(&p, &responses).map_err(SimError::write("277"))?;
    Ok(Output {
        name: file_name(control, "277", "x12"),
        content,
    })
}

/// The claim a request is about.
fn find<'r>(record: &'r Record, payer: &str, c: &ClaimStatusRequest) -> Option<&'r ClaimRecord> {
    let by_number = c
        .payer_claim_control_number
        .as_deref()
        .and_then(|n| record.claim_by_number(payer, n));
    let by_pcn = || {
        c.patient_control_number
            .as_deref()
            .and_then(|p| record.claim_by_control_number(payer, p))
    };
    by_number.or_else(by_pcn).map(|i| &record.claims[i])
}

fn detail(category: &str, status: &str, today: Date, charge: Option<i64>) -> StatusDetail {
    StatusDetail {
        codes: vec![StatusCode {
            category: category.into(),
            status: status.into(),
            entity: None,
        }],
        effective_date: Some(today),
        action: None,
        total_charge: charge.map(Amount::from_cents),
        paid: None,
        adjudicated: None,
        payment_method: None,
        check_date: None,
        check_number: None,
        message: None,
    }
}

/// Where a claim stands, as one STC.
fn status_of(found: Option<&ClaimRecord>, c: &ClaimStatusRequest, today: Date) -> StatusDetail {
    let Some(claim) = found else {
        return detail("A4", "35", today, c.total_charge.map(|a| a.cents()));
    };
    let charge = Some(claim.claim.total_charge);
    let standing = claim.standing_payment();
    match (claim.state, standing) {
        (ClaimState::Pending, _) => {
            let mut d = detail("P1", "20", today, charge);
            d.paid = Some(Amount::ZERO);
            d
        }
        (ClaimState::Adjudicated, Some(p)) => {
            let (category, status) = if p.status == "4" {
                ("F2", "1")
            } else {
                ("F1", "65")
            };
            let mut d = detail(category, status, today, charge);
            d.paid = Some(Amount::from_cents(claim.net_paid()));
            d.adjudicated = Some(Date::from(p.adjudicated_on));
            d.check_date = Some(Date::from(p.paid_on));
            d.check_number = Some(p.trace.clone());
            d
        }
        (ClaimState::Adjudicated | ClaimState::Superseded | ClaimState::Applied, _) => {
            let mut d = detail("F3", "1", today, charge);
            d.paid = Some(Amount::from_cents(claim.net_paid()));
            d
        }
    }
}

fn result(record: &Record, payer: &str, c: &ClaimStatusRequest, today: Date) -> ClaimStatusResult {
    let found = find(record, payer, c);
    ClaimStatusResult {
        subscriber: c.subscriber.name.clone(),
        member_id: Some(Phi::new(c.subscriber.member_id.expose().clone())),
        patient: c.patient.as_ref().map(|p| p.name.clone()),
        trace_number: c.trace_number.clone(),
        statuses: vec![status_of(found, c, today)],
        payer_claim_control_number: found
            .map(|f| {
                f.standing_payment().map_or_else(
                    || f.payer_claim_number.clone(),
                    |p| p.payer_claim_number.clone(),
                )
            })
            .or_else(|| c.payer_claim_control_number.clone()),
        bill_type: c.bill_type.clone(),
        patient_control_number: c.patient_control_number.clone(),
        clearinghouse_trace_number: None,
        service_period: c.service_period,
        lines: Vec::new(),
    }
}
