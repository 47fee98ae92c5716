//! From the bytes of an 835 to a balanced domain [`Remittance`]: parsed with
//! `medbill-x12`, checked against the guide's three balancing rules, and
//! converted to kernel types through `medbill_x12::kernel`. Any problem
//! refuses the whole file with `INVALID_ARGUMENT` on `content`, naming the
//! segment and where it sits, so nothing of it is posted.

use medbill_kernel::{CalendarDate, Money};
use medbill_platform::ServiceError;
use medbill_x12::remit::{self, AdjustmentGroup, ClaimRef, ClaimStatus, ServiceRef};
use medbill_x12::{Date, Quantity};

use super::domain::{
    Cas, CasGroup, ClaimPayment, ClaimPaymentStatus, ProviderAdjustment, Remittance, ServicePayment,
};

/// The request field the file arrives in.
const FIELD: &str = "content";

/// Reads and balances the one 835 transaction set of `content`.
pub fn read(content: &[u8]) -> Result<Remittance, ServiceError> {
    let mut sets =
        remit::read_835(content).map_err(|e| ServiceError::invalid(FIELD, e.to_string()))?;
    let set = match (sets.pop(), sets.is_empty()) {
        (Some(set), true) => set,
        (None, _) => {
            return Err(ServiceError::invalid(FIELD, "holds no 835 transaction set"));
        }
        (Some(_), false) => {
            return Err(ServiceError::invalid(
                FIELD,
                format!(
                    "holds {} 835 transaction sets; send one per call",
                    sets.len() + 1
                ),
            ));
        }
    };
    let findings = remit::balance::balance(&set);
    if !findings.is_empty() {
        let text: Vec<String> = findings
            .iter()
            .map(|f| format!("unbalanced at byte {}: {f}", f.byte_offset))
            .collect();
        return Err(ServiceError::invalid(FIELD, text.join("; ")));
    }
    convert(&set)
}

fn convert(set: &remit::Remittance) -> Result<Remittance, ServiceError> {
    let trace = set
        .trace
        .as_ref()
        .ok_or_else(|| ServiceError::invalid(FIELD, "TRN (the reassociation trace) is required"))?;
    let payer_identifier = set
        .payer
        .id
        .as_deref()
        .filter(|id| !id.is_empty())
        .unwrap_or(&trace.originator)
        .to_string();
    Ok(Remittance {
        trace_number: trace.number.to_string(),
        payer_key: trace.originator.to_string(),
        payer_identifier,
        payer_name: set.payer.name.to_string(),
        payment_date: date(set.payment.date, "BPR16")?,
        total_paid: set.payment.amount.into(),
        claims: set.claims().map(claim).collect::<Result<_, _>>()?,
        provider_adjustments: set
            .provider_adjustments
            .iter()
            .map(|p| ProviderAdjustment {
                reason: p.reason.to_string(),
                reference: p.reference.as_deref().unwrap_or("").to_string(),
                amount: p.amount.into(),
            })
            .collect(),
    })
}

fn claim(claim: ClaimRef<'_>) -> Result<ClaimPayment, ServiceError> {
    let mut remark_codes = Vec::new();
    for adjudication in [&claim.inpatient, &claim.outpatient].into_iter().flatten() {
        remark_codes.extend(adjudication.remark_codes.iter().map(|c| c.to_string()));
    }
    Ok(ClaimPayment {
        patient_control_number: claim.patient_control_number.to_string(),
        status: status(claim.status),
        status_code: claim.status.code().to_string(),
        charge: claim.total_charge.into(),
        paid: claim.paid.into(),
        patient_responsibility: claim
            .patient_responsibility
            .map(Money::from)
            .unwrap_or(Money::ZERO),
        payer_claim_number: claim.payer_claim_control_number.to_string(),
        adjustments: claim.adjustments().iter().map(cas).collect(),
        remark_codes,
        services: claim.services().map(service).collect::<Result<_, _>>()?,
        segment: claim.position.index,
    })
}

fn service(line: ServiceRef<'_>) -> Result<ServicePayment, ServiceError> {
    let date_of_service = line
        .dates()
        .iter()
        .find(|d| &*d.qualifier == "472" || &*d.qualifier == "150")
        .map(|d| date(d.date, "DTM*472"))
        .transpose()?;
    Ok(ServicePayment {
        line_control_number: line
            .line_item_control_number
            .as_deref()
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        procedure_code: line.procedure.code.to_string(),
        submitted_code: line
            .submitted_procedure
            .as_ref()
            .map(|p| p.code.to_string()),
        modifiers: line
            .procedure
            .modifiers
            .iter()
            .map(str::to_string)
            .collect(),
        charge: line.charge.into(),
        paid: line.paid.into(),
        units: line
            .units_paid
            .map(|q| u32::try_from(whole(q)).unwrap_or(0))
            .unwrap_or(0),
        date_of_service,
        adjustments: line.adjustments().iter().map(cas).collect(),
        remark_codes: line
            .remarks()
            .iter()
            .filter(|r| &*r.qualifier == "HE")
            .map(|r| r.code.to_string())
            .collect(),
        segment: line.position.index,
    })
}

fn cas(adjustment: &remit::Adjustment) -> Cas {
    Cas {
        group: match adjustment.group {
            AdjustmentGroup::Contractual => CasGroup::Contractual,
            AdjustmentGroup::PatientResponsibility => CasGroup::PatientResponsibility,
            AdjustmentGroup::Other => CasGroup::Other,
            AdjustmentGroup::PayerInitiated => CasGroup::PayerInitiated,
            AdjustmentGroup::CorrectionReversal => CasGroup::CorrectionReversal,
        },
        reason: adjustment.reason.to_string(),
        amount: adjustment.amount.into(),
        quantity: adjustment.quantity.map(whole).unwrap_or(0),
    }
}

fn status(status: ClaimStatus) -> ClaimPaymentStatus {
    match status {
        ClaimStatus::ProcessedAsPrimary
        | ClaimStatus::ProcessedAsSecondary
        | ClaimStatus::ProcessedAsTertiary => ClaimPaymentStatus::Processed,
        ClaimStatus::PrimaryForwarded
        | ClaimStatus::SecondaryForwarded
        | ClaimStatus::TertiaryForwarded => ClaimPaymentStatus::Forwarded,
        ClaimStatus::Denied => ClaimPaymentStatus::Denied,
        ClaimStatus::Reversal => ClaimPaymentStatus::Reversal,
        ClaimStatus::NotOurClaimForwarded => ClaimPaymentStatus::NotOurClaim,
        ClaimStatus::PredeterminationOnly => ClaimPaymentStatus::Predetermination,
    }
}

/// A quantity as whole units (fractions dropped: units are counted whole).
fn whole(quantity: Quantity) -> i64 {
    i64::try_from(quantity.value().trunc()).unwrap_or(0)
}

fn date(date: Date, element: &str) -> Result<CalendarDate, ServiceError> {
    CalendarDate::try_from(date)
        .map_err(|e| ServiceError::invalid(FIELD, format!("{element} {date}: {e}")))
}
