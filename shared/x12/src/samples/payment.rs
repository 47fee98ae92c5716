//! A sample typed remittance (the 835 writer's input): a paid claim with
//! two lines, a denial, a reversal and a secondary payment with interest,
//! and PLB recoveries, balanced to the cent.

use crate::common::{Address, AmountRef, Contact, DateRef, Entity, EntityType, Reference};
use crate::remit::{
    Adjustment, AdjustmentGroup, ClaimEntry, ClaimStatus, MedicareAdjudication, Modifiers, Party,
    Payment, Procedure, ProviderAdjustment, ProviderSummary, Remark, Remittance, ServiceEntry,
    Trace,
};
use crate::samples::day;
use crate::values::{Amount, Phi, Quantity};

fn cas(group: AdjustmentGroup, reason: &str, cents: i64) -> Adjustment {
    Adjustment {
        group,
        reason: reason.into(),
        amount: Amount::from_cents(cents),
        quantity: None,
    }
}

fn patient(last: &str, first: &str, member: &str) -> Entity {
    Entity {
        role: "QC".into(),
        entity_type: EntityType::Person,
        last_name: Phi::from(last),
        first_name: Some(Phi::from(first)),
        middle_name: None,
        suffix: None,
        id_qualifier: Some("MI".into()),
        id: Some(Phi::from(member)),
    }
}

fn line(
    code: &str,
    modifier: Option<&str>,
    charge: i64,
    cas_list: Vec<Adjustment>,
) -> ServiceEntry {
    let mut modifiers = Modifiers::default();
    if let Some(m) = modifier {
        modifiers.push(m);
    }
    let paid = Amount::from_cents(charge) - cas_list.iter().map(|a| a.amount).sum();
    ServiceEntry {
        procedure: Procedure {
            qualifier: "HC".into(),
            code: code.into(),
            modifiers,
        },
        charge: Amount::from_cents(charge),
        paid,
        revenue_code: None,
        units_paid: Some(Quantity::from_units(1)),
        submitted_procedure: None,
        submitted_units: None,
        line_item_control_number: None,
        dates: vec![DateRef {
            qualifier: "472".into(),
            date: day(1),
            end: None,
        }],
        adjustments: cas_list,
        references: Vec::new(),
        amounts: Vec::new(),
        quantities: Vec::new(),
        remarks: Vec::new(),
    }
}

fn claim(pcn: &str, status: ClaimStatus, charge: i64, paid: i64, icn: &str) -> ClaimEntry {
    ClaimEntry {
        header_number: Some(1),
        patient_control_number: pcn.into(),
        status,
        total_charge: Amount::from_cents(charge),
        paid: Amount::from_cents(paid),
        patient_responsibility: None,
        filing_indicator: "12".into(),
        payer_claim_control_number: icn.into(),
        facility_type: Some("11".into()),
        frequency: Some("1".into()),
        drg_code: None,
        inpatient: None,
        outpatient: None,
        adjustments: Vec::new(),
        names: Vec::new(),
        references: Vec::new(),
        dates: Vec::new(),
        amounts: Vec::new(),
        quantities: Vec::new(),
        services: Vec::new(),
    }
}

/// A balanced check payment of 212.50 (`CHK`, so no bank accounts are needed) of
/// four claims: `PCN-1001` paid 320.00 of 500.00 over two lines,
/// `PCN-1002` denied, `PCN-0990` reversed, `PCN-1003` paid as secondary
/// with 2.50 interest; PLB takes 25.00 (WO) and 10.00 (FB) and gives
/// back 2.50 (L6) and 5.00 (72).
pub fn remittance() -> Remittance {
    use AdjustmentGroup::{Contractual as CO, Other as OA, PatientResponsibility as PR};
    let payer = Party {
        name: "ACME HEALTH PLAN".into(),
        id_qualifier: None,
        id: None,
        address: Some(Address {
            line1: Phi::from("100 PAYER WAY"),
            line2: None,
            city: Phi::from("HARTFORD"),
            state: Some("CT".into()),
            postal_code: Some(Phi::from("06101")),
            country: None,
        }),
        references: Vec::new(),
        contacts: vec![Contact {
            function: "BL".into(),
            name: Some("EDI SUPPORT".into()),
            numbers: vec![("TE".into(), "8005551212".into())],
        }],
    };
    let payee = Party {
        name: "RIVERSIDE CLINIC".into(),
        id_qualifier: Some("XX".into()),
        id: Some("1234567893".into()),
        address: None,
        references: vec![Reference {
            qualifier: "TJ".into(),
            value: "123456789".into(),
        }],
        contacts: Vec::new(),
    };
    let payment = Payment {
        handling_code: "I".into(),
        amount: Amount::from_cents(21_250),
        credit_debit: "C".into(),
        method: "CHK".into(),
        format: None,
        accounts: None,
        date: day(18),
    };
    let trace = Trace {
        number: "CHK0001".into(),
        originator: "1512345678".into(),
        supplemental: None,
    };
    let mut r = Remittance::new("0001", payment, trace, payer, payee);
    r.production_date = Some(day(15));
    r.provider_summaries.push(ProviderSummary {
        header_number: 1,
        provider_id: "1234567893".into(),
        facility_type: "11".into(),
        fiscal_period_end: crate::values::Date::new(2024, 12, 31).unwrap_or(day(31)),
        claim_count: Quantity::from_units(4),
        total_charge: Amount::from_cents(55_000),
        amounts: Vec::new(),
        pip_claim_count: None,
    });

    let mut paid = claim(
        "PCN-1001",
        ClaimStatus::ProcessedAsPrimary,
        50_000,
        32_000,
        "ICN0001",
    );
    paid.patient_responsibility = Some(Amount::from_cents(6_000));
    paid.names.push(patient("DOE", "JANE", "MEM123"));
    paid.dates.push(DateRef {
        qualifier: "050".into(),
        date: day(1),
        end: None,
    });
    let mut office = line(
        "99214",
        Some("25"),
        30_000,
        vec![
            cas(CO, "45", 4_000),
            cas(PR, "1", 3_000),
            cas(PR, "2", 2_000),
            cas(PR, "3", 1_000),
        ],
    );
    office.line_item_control_number = Some("LINE-1001-1".into());
    office.amounts.push(AmountRef {
        qualifier: "B6".into(),
        amount: Amount::from_cents(26_000),
    });
    let mut draw = line("36415", None, 20_000, vec![cas(CO, "45", 8_000)]);
    draw.line_item_control_number = Some("LINE-1001-2".into());
    draw.remarks.push(Remark {
        qualifier: "HE".into(),
        code: "M15".into(),
    });
    paid.services = vec![office, draw];
    r.push_claim(paid);

    let mut denied = claim("PCN-1002", ClaimStatus::Denied, 15_000, 0, "ICN0002");
    denied.patient_responsibility = Some(Amount::ZERO);
    denied.adjustments.push(cas(CO, "50", 15_000));
    denied.names.push(patient("ROE", "RICHARD", "MEM456"));
    denied.outpatient = Some(MedicareAdjudication {
        quantity: None,
        amount: None,
        remark_codes: vec!["MA130".into()],
    });
    r.push_claim(denied);

    let mut reversal = claim(
        "PCN-0990",
        ClaimStatus::Reversal,
        -20_000,
        -15_000,
        "ICN0990",
    );
    reversal.frequency = Some("8".into());
    reversal.adjustments.push(cas(CO, "45", -5_000));
    reversal.names.push(patient("DOE", "JANE", "MEM123"));
    r.push_claim(reversal);

    let mut secondary = claim(
        "PCN-1003",
        ClaimStatus::ProcessedAsSecondary,
        10_000,
        7_000,
        "ICN0003",
    );
    secondary.patient_responsibility = Some(Amount::from_cents(1_000));
    secondary.names.push(patient("POE", "ED", "MEM789"));
    secondary.amounts.push(AmountRef {
        qualifier: "I".into(),
        amount: Amount::from_cents(250),
    });
    let mut visit = line(
        "99213",
        None,
        10_000,
        vec![cas(OA, "23", 2_000), cas(PR, "2", 1_000)],
    );
    visit.line_item_control_number = Some("LINE-1003-1".into());
    secondary.services.push(visit);
    r.push_claim(secondary);

    let plb = |reason: &str, reference: &str, cents| ProviderAdjustment {
        provider_id: "1234567893".into(),
        fiscal_period_end: crate::values::Date::new(2024, 12, 31).unwrap_or(day(31)),
        reason: reason.into(),
        reference: Some(reference.into()),
        amount: Amount::from_cents(cents),
    };
    r.provider_adjustments = vec![
        plb("WO", "ICN0800", 2_500),
        plb("FB", "FWDBAL01", 1_000),
        plb("L6", "ICN0003", -250),
        plb("72", "ADV01", -500),
    ];
    r
}
