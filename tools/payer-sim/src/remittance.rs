//! Rendering an 835 (005010X221A1) from the record: one claim payment
//! (CLP) per payment record, its lines (SVC with REF*6R, DTM*472, CAS,
//! AMT*B6, LQ*HE), and the payment (BPR, EFT with bank accounts or a check)
//! with the provider-level adjustments. Amounts come from the record as
//! they are, so every line, claim and the payment balance by construction;
//! the X12 writer checks it again and refuses anything that does not.

use medbill_kernel::CalendarDate;
use medbill_x12::common::{AmountRef, DateRef, Entity, EntityType, Reference};
use medbill_x12::remit::{
    BankAccounts, ClaimEntry, ClaimStatus, Modifiers, Party, Payment, Procedure,
    ProviderAdjustment, Remark, Remittance, ServiceEntry, Trace,
};
use medbill_x12::{Amount, Date, Phi, Quantity, Text};

use crate::claim::{ClaimType, SubmittedClaim, SubmittedLine};
use crate::config::PayerConfig;
use crate::record::{ClaimRecord, PaymentKind, PaymentRecord, ProviderAdjustmentRecord};

/// What one 835 is made of.
pub(crate) struct Draft<'a> {
    pub(crate) payer: &'a PayerConfig,
    pub(crate) payee_name: &'a str,
    pub(crate) payee_npi: &'a str,
    pub(crate) trace: &'a str,
    pub(crate) today: CalendarDate,
    pub(crate) paid_on: CalendarDate,
    pub(crate) claims: Vec<(&'a ClaimRecord, &'a PaymentRecord)>,
    pub(crate) provider_adjustments: &'a [ProviderAdjustmentRecord],
    /// BPR02.
    pub(crate) payment: i64,
}

/// BPR04 of a payment of `amount` by `payer`.
pub(crate) fn method(payer: &PayerConfig, amount: i64) -> &'static str {
    match (amount > 0, payer.eft.is_some()) {
        (false, _) => "NON",
        (true, true) => "ACH",
        (true, false) => "CHK",
    }
}

/// The 835 of a draft.
pub(crate) fn remittance(d: &Draft<'_>) -> Remittance {
    let payer = d.payer;
    let originator = format!("1{}", payer.tax_id);
    let method = method(payer, d.payment);
    let accounts = (method == "ACH")
        .then_some(payer.eft.as_ref())
        .flatten()
        .map(|eft| {
            Box::new(BankAccounts {
                payer_bank_qualifier: Some("01".into()),
                payer_bank_id: Some(Text::new(&eft.payer_routing)),
                payer_account_qualifier: Some("DA".into()),
                payer_account: Some(Phi::from(eft.payer_account.as_str())),
                originator_id: Some(Text::new(&originator)),
                originator_supplemental: None,
                payee_bank_qualifier: Some("01".into()),
                payee_bank_id: Some(Text::new(&eft.payee_routing)),
                payee_account_qualifier: Some("DA".into()),
                payee_account: Some(Phi::from(eft.payee_account.as_str())),
            })
        });
    let payment = Payment {
        handling_code: if d.payment > 0 { "I" } else { "H" }.into(),
        amount: Amount::from_cents(d.payment),
        credit_debit: "C".into(),
        method: method.into(),
        format: (method == "ACH").then(|| "CCP".into()),
        accounts,
        date: Date::from(d.paid_on),
    };
    let trace = Trace {
        number: Text::new(d.trace),
        originator: Text::new(&originator),
        supplemental: None,
    };
    let payer_party = Party {
        name: Text::new(&payer.name),
        references: vec![Reference {
            qualifier: "2U".into(),
            value: Text::new(&payer.id),
        }],
        ..Party::default()
    };
    let payee_party = Party {
        name: Text::new(d.payee_name),
        id_qualifier: Some("XX".into()),
        id: Some(Text::new(d.payee_npi)),
        ..Party::default()
    };
    let mut r = Remittance::new("0001", payment, trace, payer_party, payee_party);
    r.production_date = Some(Date::from(d.today));
    for (claim, paid) in &d.claims {
        r.push_claim(claim_entry(claim, paid));
    }
    let fiscal_year_end =
        Date::new(u16::try_from(d.today.year()).unwrap_or(1900), 12, 31).unwrap_or(Date::MIN);
    r.provider_adjustments = d
        .provider_adjustments
        .iter()
        .map(|p| ProviderAdjustment {
            provider_id: Text::new(d.payee_npi),
            fiscal_period_end: fiscal_year_end,
            reason: Text::new(&p.reason),
            reference: Some(Text::new(&p.reference)),
            amount: Amount::from_cents(p.amount),
        })
        .collect();
    r
}

fn person(role: &str, last: &str, first: Option<&str>, member_id: Option<&str>) -> Entity {
    Entity {
        role: role.into(),
        entity_type: EntityType::Person,
        last_name: Phi::from(last),
        first_name: first.map(Phi::from),
        middle_name: None,
        suffix: None,
        id_qualifier: member_id.map(|_| "MI".into()),
        id: member_id.map(Phi::from),
    }
}

fn status(code: &str) -> ClaimStatus {
    ClaimStatus::from_code(code).unwrap_or(ClaimStatus::ProcessedAsPrimary)
}

/// A name's first name, as the 835 writes it.
fn first(name: &crate::claim::Name) -> Option<&str> {
    name.first.as_ref().map(|f| f.expose().as_str())
}

/// Loop 2100 of one payment record.
fn claim_entry(record: &ClaimRecord, p: &PaymentRecord) -> ClaimEntry {
    let c = &record.claim;
    let member = c.member_id.expose().as_str();
    let mut names = Vec::with_capacity(2);
    match &c.patient {
        // The patient is a dependent: named without an id, then the insured.
        Some(patient) => {
            names.push(person("QC", patient.last.expose(), first(patient), None));
            names.push(person(
                "IL",
                c.subscriber.last.expose(),
                first(&c.subscriber),
                Some(member),
            ));
        }
        None => names.push(person(
            "QC",
            c.subscriber.last.expose(),
            first(&c.subscriber),
            Some(member),
        )),
    }
    let sign = if p.kind == PaymentKind::Reversal {
        -1
    } else {
        1
    };
    ClaimEntry {
        header_number: Some(1),
        patient_control_number: Text::new(&c.patient_control_number),
        status: status(&p.status),
        total_charge: Amount::from_cents(p.billed),
        paid: Amount::from_cents(p.paid),
        patient_responsibility: Some(Amount::from_cents(p.patient_responsibility)),
        filing_indicator: Text::new(&c.filing_indicator),
        payer_claim_control_number: Text::new(&p.payer_claim_number),
        facility_type: Some(Text::new(&c.facility_code)),
        frequency: Some(c.frequency.code().into()),
        drg_code: None,
        inpatient: None,
        outpatient: None,
        adjustments: Vec::new(),
        names,
        references: Vec::new(),
        dates: vec![DateRef {
            qualifier: "050".into(),
            date: Date::from(record.received_on),
            end: None,
        }],
        amounts: Vec::new(),
        quantities: Vec::new(),
        services: c
            .lines
            .iter()
            .zip(&p.lines)
            .map(|(line, decision)| service_entry(c, line, decision, sign))
            .collect(),
    }
}

fn service_entry(
    c: &SubmittedClaim,
    line: &SubmittedLine,
    decision: &crate::adjudication::LineDecision,
    sign: i64,
) -> ServiceEntry {
    let mut modifiers = Modifiers::default();
    for m in &line.modifiers {
        modifiers.push(m);
    }
    let (procedure, revenue_code) = match (&line.procedure_code, c.claim_type) {
        (Some(code), ClaimType::Professional) => ((Text::from("HC"), code.clone()), None),
        (Some(code), ClaimType::Institutional) => (
            (Text::from("HC"), code.clone()),
            line.revenue_code.as_deref().map(Text::new),
        ),
        (None, _) => (
            (
                Text::from("NU"),
                line.revenue_code.clone().unwrap_or_default(),
            ),
            None,
        ),
    };
    let units = if sign < 0 { -line.units } else { line.units };
    let amounts = (decision.allowed != 0)
        .then(|| AmountRef {
            qualifier: "B6".into(),
            amount: Amount::from_cents(decision.allowed),
        })
        .into_iter()
        .collect();
    ServiceEntry {
        procedure: Procedure {
            qualifier: procedure.0,
            code: Text::new(&procedure.1),
            modifiers,
        },
        charge: Amount::from_cents(sign * line.charge),
        paid: Amount::from_cents(decision.paid),
        revenue_code,
        units_paid: Some(Quantity::from(units)),
        submitted_procedure: None,
        submitted_units: None,
        line_item_control_number: (!line.control_number.is_empty())
            .then(|| Text::new(&line.control_number)),
        dates: vec![DateRef {
            qualifier: "472".into(),
            date: Date::from(line.service_date),
            end: None,
        }],
        adjustments: decision.adjustments.iter().map(|a| a.to_x12()).collect(),
        references: Vec::new(),
        amounts,
        quantities: Vec::new(),
        remarks: decision
            .remarks
            .iter()
            .map(|r| Remark {
                qualifier: "HE".into(),
                code: Text::new(r),
            })
            .collect(),
    }
}
