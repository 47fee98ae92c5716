//! The appeal letter: the claim, the denial and the biller's argument, as
//! the payer's appeals unit reads it.

use medbill_kernel::CalendarDate;

use super::store::Denial;
use crate::claims::domain::Claim;
use crate::registry::domain::{Patient, Payer};

/// What a letter names besides the claim and the denial.
#[derive(Debug, Clone, Copy)]
pub struct LetterParties<'a> {
    /// The payer appealed to.
    pub payer: &'a Payer,
    /// The patient.
    pub patient: &'a Patient,
    /// The member id of the coverage billed.
    pub member_id: &'a str,
    /// Who appeals: the billing organization's name (empty when unset).
    pub provider_name: &'a str,
}

/// The letter of appeal `level` of `denial` on `claim`, filed `today`.
pub fn appeal_letter(
    claim: &Claim,
    denial: &Denial,
    parties: LetterParties<'_>,
    level: u32,
    today: CalendarDate,
    argument: &str,
) -> String {
    let name = parties.patient.name.expose();
    let dates = match claim.dates.end() {
        Some(end) if end != claim.dates.start() => format!("{} to {end}", claim.dates.start()),
        _ => claim.dates.start().to_string(),
    };
    let line = if denial.line_control_number.is_empty() {
        "the whole claim".to_string()
    } else {
        let found = claim
            .lines
            .iter()
            .find(|l| l.line_control_number == denial.line_control_number);
        match found {
            Some(l) => format!(
                "line {} ({}{}, {})",
                l.line_number,
                l.code,
                if l.modifiers.is_empty() {
                    String::new()
                } else {
                    format!("-{}", l.modifiers.join("-"))
                },
                l.charge
            ),
            None => format!("line {}", denial.line_control_number),
        }
    };
    let reasons = denial
        .carc_codes
        .iter()
        .map(|c| format!("{}-{c}", denial.group_code))
        .collect::<Vec<_>>()
        .join(", ");
    let remarks = if denial.rarc_codes.is_empty() {
        String::new()
    } else {
        format!(" (remarks {})", denial.rarc_codes.join(", "))
    };
    let payer_claim = if claim.payer_claim_number.is_empty() {
        "not given".to_string()
    } else {
        claim.payer_claim_number.clone()
    };
    let signer = if parties.provider_name.is_empty() {
        "The billing office".to_string()
    } else {
        parties.provider_name.to_string()
    };
    format!(
        "{today}\n\n\
         {payer}\nAppeals\n\n\
         Re: level {level} appeal of the denial of {line}\n\
         Patient: {last}, {first}    Member id: {member}\n\
         Payer claim number: {payer_claim}    Patient control number: {pcn}\n\
         Date(s) of service: {dates}    Billed: {billed}\n\
         Denied: {denied} on {determined}, reason {reasons}{remarks}\n\
         Filed within the appeal window, which closes on {deadline}.\n\n\
         We ask you to reconsider this determination.\n\n\
         {argument}\n\n\
         Sincerely,\n{signer}\n",
        payer = parties.payer.name,
        last = name.last,
        first = name.first,
        member = parties.member_id,
        pcn = claim.patient_control_number,
        billed = claim.total_charge,
        denied = denial.denied_amount,
        determined = denial.determined_on,
        deadline = denial.appeal_deadline,
    )
}
