//! Round trip of the 835: for arbitrary balanced remittances,
//! `read_835(write_835(r))` gives back the same claims and header, the
//! written file validates with zero findings, the fixture survives
//! read → write → read, and an unbalanced remittance is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/ack_strategies.rs"]
mod ack_strategies;

use ack_strategies::*;
use medbill_x12::cli::validate;
use medbill_x12::common::{Address, AmountRef, Contact, DateRef, Reference};
use medbill_x12::remit::{
    Adjustment, AdjustmentGroup, BankAccounts, ClaimEntry, ClaimStatus, MedicareAdjudication,
    Party, Payment, ProviderAdjustment, ProviderSummary, QuantityRef, Remark, Remittance,
    ServiceEntry, Trace, read_835, write_835,
};
use medbill_x12::{Amount, Phi, samples};
use proptest::option::of;
use proptest::prelude::*;

const MULTI: &[u8] = include_bytes!("fixtures/remit_multi_claim.835");
const UNBALANCED: &[u8] = include_bytes!("fixtures/remit_unbalanced.835");

/// Everything a remittance holds except where its segments sat.
fn content(r: &Remittance) -> impl PartialEq + std::fmt::Debug + use<> {
    (
        r.control_number.clone(),
        r.payment.clone(),
        r.trace.clone(),
        r.references.clone(),
        r.production_date,
        r.payer.clone(),
        r.payee.clone(),
        r.provider_summaries.clone(),
        r.provider_adjustments.clone(),
        r.entries(),
    )
}

fn adjustment() -> impl Strategy<Value = Adjustment> {
    (
        prop_oneof![
            Just(AdjustmentGroup::Contractual),
            Just(AdjustmentGroup::PatientResponsibility),
            Just(AdjustmentGroup::Other),
            Just(AdjustmentGroup::PayerInitiated),
        ],
        code("[0-9]{1,3}|[A-Z][0-9]"),
        money(-100_000, 1_000_000),
        of(quantity()),
    )
        .prop_map(|(group, reason, amount, quantity)| Adjustment {
            group,
            reason: reason.as_str().into(),
            amount,
            quantity,
        })
}

fn single_date(qualifier: &'static str) -> impl Strategy<Value = DateRef> {
    date().prop_map(move |date| DateRef {
        qualifier: qualifier.into(),
        date,
        end: None,
    })
}

fn reference(qualifiers: &'static str) -> impl Strategy<Value = Reference> {
    (code(qualifiers), code("[A-Z0-9]{1,30}")).prop_map(|(q, v)| Reference {
        qualifier: q.as_str().into(),
        value: v.as_str().into(),
    })
}

fn amount_ref(qualifiers: &'static str) -> impl Strategy<Value = AmountRef> {
    (code(qualifiers), money(-1_000_000, 10_000_000)).prop_map(|(q, amount)| AmountRef {
        qualifier: q.as_str().into(),
        amount,
    })
}

fn quantity_ref() -> impl Strategy<Value = QuantityRef> {
    (code("CA|CD|LA|ZK"), quantity()).prop_map(|(q, quantity)| QuantityRef {
        qualifier: q.as_str().into(),
        quantity,
    })
}

fn medicare() -> impl Strategy<Value = MedicareAdjudication> {
    (
        of(quantity()),
        of(money(0, 1_000_000)),
        prop::collection::vec(code("M[A-Z]?[0-9]{1,3}|N[0-9]{1,3}"), 0..=5),
    )
        .prop_map(|(quantity, amount, codes)| MedicareAdjudication {
            quantity,
            amount,
            remark_codes: codes.iter().map(|c| c.as_str().into()).collect(),
        })
}

/// A line whose paid amount is its charge less its CAS.
fn service() -> impl Strategy<Value = ServiceEntry> {
    (
        (
            procedure(),
            money(-1_000_000, 10_000_000),
            of(code("0[0-9]{3}")),
        ),
        (of(quantity()), of(procedure()), of(quantity())),
        of(code("[A-Z0-9-]{1,30}")),
        prop::collection::vec(single_date("472|150|151"), 0..2),
        prop::collection::vec(adjustment(), 0..8),
        prop::collection::vec(reference("1S|APC|BB|G1|LU"), 0..2),
        (
            prop::collection::vec(amount_ref("B6|KH|T|T2|ZK"), 0..2),
            prop::collection::vec(quantity_ref(), 0..2),
            prop::collection::vec(
                (code("HE|RX"), code("[A-Z]{1,2}[0-9]{1,3}")).prop_map(|(q, c)| Remark {
                    qualifier: q.as_str().into(),
                    code: c.as_str().into(),
                }),
                0..3,
            ),
        ),
    )
        .prop_map(
            |(svc, units, control, dates, adjustments, references, rest)| {
                let cas: Amount = adjustments.iter().map(|a| a.amount).sum();
                ServiceEntry {
                    procedure: svc.0,
                    charge: svc.1,
                    paid: svc.1 - cas,
                    revenue_code: svc.2.map(|c| c.as_str().into()),
                    units_paid: units.0,
                    submitted_procedure: units.1,
                    submitted_units: units.2,
                    line_item_control_number: control.map(|c| c.as_str().into()),
                    dates,
                    adjustments,
                    references,
                    amounts: rest.0,
                    quantities: rest.1,
                    remarks: rest.2,
                }
            },
        )
}

fn status() -> impl Strategy<Value = ClaimStatus> {
    prop::sample::select(vec![
        ClaimStatus::ProcessedAsPrimary,
        ClaimStatus::ProcessedAsSecondary,
        ClaimStatus::ProcessedAsTertiary,
        ClaimStatus::Denied,
        ClaimStatus::PrimaryForwarded,
        ClaimStatus::SecondaryForwarded,
        ClaimStatus::TertiaryForwarded,
        ClaimStatus::Reversal,
        ClaimStatus::NotOurClaimForwarded,
        ClaimStatus::PredeterminationOnly,
    ])
}

/// A claim whose paid amount is its charge less claim and line CAS.
fn claim() -> impl Strategy<Value = ClaimEntry> {
    (
        (
            code("[A-Z0-9-]{1,20}"),
            status(),
            money(-1_000_000, 10_000_000),
            of(money(0, 1_000_000)),
        ),
        (
            code("12|13|MB|MC|CI|HM"),
            code("[A-Z0-9]{1,30}"),
            of(code("[0-9]{2}")),
            of(code("[178]")),
            of(code("[0-9]{3}")),
        ),
        (of(medicare()), of(medicare())),
        prop::collection::vec(adjustment(), 0..4),
        prop::collection::vec(
            prop_oneof![
                entity("QC"),
                entity("IL"),
                entity("74"),
                entity("82"),
                entity("TT")
            ],
            0..3,
        ),
        prop::collection::vec(reference("1L|1W|28|6P|EA|F8|IG"), 0..2),
        prop::collection::vec(single_date("050|232|233|036"), 0..3),
        (
            prop::collection::vec(amount_ref("AU|D8|DY|F5|I|NL|T|T2|ZK"), 0..2),
            prop::collection::vec(quantity_ref(), 0..2),
            prop::collection::vec(service(), 0..4),
        ),
    )
        .prop_map(
            |(clp, more, medicare, adjustments, names, references, dates, rest)| {
                let cas: Amount = adjustments.iter().map(|a| a.amount).sum::<Amount>()
                    + rest
                        .2
                        .iter()
                        .flat_map(|s| &s.adjustments)
                        .map(|a| a.amount)
                        .sum();
                ClaimEntry {
                    header_number: None,
                    patient_control_number: clp.0.as_str().into(),
                    status: clp.1,
                    total_charge: clp.2,
                    paid: clp.2 - cas,
                    patient_responsibility: clp.3,
                    filing_indicator: more.0.as_str().into(),
                    payer_claim_control_number: more.1.as_str().into(),
                    facility_type: more.2.map(|c| c.as_str().into()),
                    frequency: more.3.map(|c| c.as_str().into()),
                    drg_code: more.4.map(|c| c.as_str().into()),
                    inpatient: medicare.0,
                    outpatient: medicare.1,
                    adjustments,
                    names,
                    references,
                    dates,
                    amounts: rest.0,
                    quantities: rest.1,
                    services: rest.2,
                }
            },
        )
}

fn party() -> impl Strategy<Value = Party> {
    (
        text(30),
        of((code("XX|FI|XV|PI"), code("[A-Z0-9]{1,15}"))),
        of((
            text(20),
            of(text(10)),
            text(12),
            of(code("[A-Z]{2}")),
            of(code("[0-9]{5}")),
        )),
        prop::collection::vec(reference("EV|F2|2U|EO|TJ|PQ"), 0..2),
        prop::collection::vec(
            (
                code("BL|CX|IC"),
                of(text(12)),
                prop::collection::vec((code("TE|EM|FX|UR"), code("[A-Z0-9]{1,20}")), 0..=3),
            )
                .prop_map(|(function, name, numbers)| Contact {
                    function,
                    name,
                    numbers,
                }),
            0..2,
        ),
    )
        .prop_map(|(name, id, address, references, contacts)| Party {
            name: name.as_str().into(),
            id_qualifier: id.as_ref().map(|(q, _)| q.as_str().into()),
            id: id.as_ref().map(|(_, v)| v.as_str().into()),
            address: address.map(|(line1, line2, city, state, postal)| Address {
                line1: Phi::new(line1),
                line2: line2.map(Phi::new),
                city: Phi::new(city),
                state,
                postal_code: postal.map(Phi::new),
                country: None,
            }),
            references,
            contacts,
        })
}

fn provider_adjustment() -> impl Strategy<Value = ProviderAdjustment> {
    (
        code("1234567893|1245319599"),
        prop::sample::select(vec![date_2024(12, 31), date_2025(12, 31)]),
        code("WO|FB|L6|72|CS|J1|IR"),
        of(code("[A-Z0-9]{1,30}")),
        money(-1_000_000, 1_000_000),
    )
        .prop_map(
            |(provider, end, reason, reference, amount)| ProviderAdjustment {
                provider_id: provider.as_str().into(),
                fiscal_period_end: end,
                reason: reason.as_str().into(),
                reference: reference.map(|r| r.as_str().into()),
                amount,
            },
        )
}

/// A TS3 for whichever LX loop it is given to.
fn summary() -> impl Strategy<Value = ProviderSummary> {
    (
        (code("1234567893|1245319599"), code("[0-9]{2}"), date()),
        (quantity(), money(-1_000_000, 100_000_000)),
        prop::sample::subsequence(vec![13u8, 15, 17, 18, 20, 21, 22, 24], 0..4),
        prop::collection::vec(money(-1_000_000, 10_000_000), 8),
        of(quantity()),
    )
        .prop_map(|(who, totals, positions, amounts, pip)| ProviderSummary {
            header_number: 0,
            provider_id: who.0.as_str().into(),
            facility_type: who.1.as_str().into(),
            fiscal_period_end: who.2,
            claim_count: totals.0,
            total_charge: totals.1,
            amounts: positions.into_iter().zip(amounts).collect(),
            pip_claim_count: pip,
        })
}

fn accounts() -> impl Strategy<Value = BankAccounts> {
    let t = |p: &'static str| of(code(p).prop_map(|v| v.as_str().into()));
    let account = || of(code("[0-9]{4,17}").prop_map(|v| Phi::new(v.as_str().into())));
    (
        (
            t("01|04"),
            t("[0-9]{9}"),
            t("DA|SG"),
            account(),
            t("1[0-9]{9}"),
        ),
        (
            t("[0-9]{9}"),
            t("01|04"),
            t("[0-9]{9}"),
            t("DA|SG"),
            account(),
        ),
    )
        .prop_map(|(payer, payee)| BankAccounts {
            payer_bank_qualifier: payer.0,
            payer_bank_id: payer.1,
            payer_account_qualifier: payer.2,
            payer_account: payer.3,
            originator_id: payer.4,
            originator_supplemental: payee.0,
            payee_bank_qualifier: payee.1,
            payee_bank_id: payee.2,
            payee_account_qualifier: payee.3,
            payee_account: payee.4,
        })
        // All ten absent reads back as no accounts at all.
        .prop_filter("at least one account element", |a| {
            *a != BankAccounts::default()
        })
}

fn date_2024(m: u8, d: u8) -> medbill_x12::Date {
    medbill_x12::Date::new(2024, m, d).unwrap()
}

fn date_2025(m: u8, d: u8) -> medbill_x12::Date {
    medbill_x12::Date::new(2025, m, d).unwrap()
}

/// A remittance whose BPR02 is its claims' payments less PLB; claims are
/// spread over LX header numbers (or none at all).
fn remittance() -> impl Strategy<Value = Remittance> {
    (
        (
            code("[0-9]{4,9}"),
            code("[IHXP]"),
            code("[CD]"),
            code("CHK|NON|ACH"),
            of(code("CCP|CTX")),
            date(),
        ),
        (
            code("[A-Z0-9]{1,30}"),
            code("1[0-9]{9}"),
            of(code("[A-Z0-9]{1,20}")),
        ),
        prop::collection::vec(reference("EV|F2"), 0..2),
        of(date()),
        (party(), party()),
        prop::collection::vec((of(1u32..4), claim()), 0..5),
        prop::collection::vec(provider_adjustment(), 0..8),
        (prop::collection::vec(of(summary()), 5), of(accounts())),
    )
        .prop_map(
            |(bpr, trn, references, production, parties, claims, plb, extra)| {
                let (ts3, accounts) = extra;
                let paid: Amount = claims.iter().map(|(_, c)| c.paid).sum();
                let recovered: Amount = plb.iter().map(|p| p.amount).sum();
                let payment = Payment {
                    handling_code: bpr.1.as_str().into(),
                    amount: paid - recovered,
                    credit_debit: bpr.2.as_str().into(),
                    method: bpr.3.as_str().into(),
                    format: bpr.4.map(|f| f.as_str().into()),
                    accounts: accounts.map(Box::new),
                    date: bpr.5,
                };
                let trace = Trace {
                    number: trn.0.as_str().into(),
                    originator: trn.1.as_str().into(),
                    supplemental: trn.2.map(|s| s.as_str().into()),
                };
                let mut r = Remittance::new(&bpr.0, payment, trace, parties.0, parties.1);
                r.references = references;
                r.production_date = production;
                r.provider_adjustments = plb;
                // Once an LX has been written every later claim sits in one.
                let mut numbered = None;
                let mut summaries = ts3.into_iter();
                for (lx, mut claim) in claims {
                    let opens = lx.is_some() && lx != numbered;
                    numbered = lx.or(numbered);
                    claim.header_number = numbered;
                    r.push_claim(claim);
                    // A new LX loop may start with a TS3.
                    if let (true, Some(Some(mut s)), Some(n)) = (opens, summaries.next(), numbered)
                    {
                        s.header_number = n;
                        r.provider_summaries.push(s);
                    }
                }
                r
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_balanced_835_reads_back_equal_and_validates(
        remittances in prop::collection::vec(remittance(), 1..3),
    ) {
        let file = write_835(&samples::interchange_params(6), &remittances).unwrap();
        let read = read_835(&file).unwrap();
        prop_assert_eq!(read.len(), remittances.len());
        for (back, sent) in read.iter().zip(&remittances) {
            prop_assert_eq!(content(back), content(sent));
        }
        let report = validate(&file);
        prop_assert!(report.findings.is_empty(), "{}", report);
    }

    #[test]
    fn a_remittance_off_by_one_cent_is_refused(r in remittance(), cents in prop_oneof![Just(-1i64), Just(1)]) {
        let mut r = r;
        r.payment.amount = r.payment.amount + Amount::from_cents(cents);
        let err = write_835(&samples::interchange_params(6), &[r]).unwrap_err();
        prop_assert!(err.reason.starts_with("unbalanced: BPR02"), "{}", err);
    }
}

#[test]
fn the_fixture_reads_writes_and_reads_back_the_same() {
    let first = read_835(MULTI).unwrap();
    let file = write_835(&samples::interchange_params(6), &first).unwrap();
    let second = read_835(&file).unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(content(&second[0]), content(&first[0]));
    let report = validate(&file);
    assert!(report.findings.is_empty(), "{report}");
}

#[test]
fn the_unbalanced_fixture_is_refused_naming_the_rule() {
    let remittances = read_835(UNBALANCED).unwrap();
    let err = write_835(&samples::interchange_params(6), &remittances).unwrap_err();
    assert_eq!(err.field, "remittances[0].claims");
    assert!(err.reason.starts_with("unbalanced: "), "{err}");
}

#[test]
fn a_line_that_does_not_balance_is_refused_even_when_the_claim_does() {
    let mut r = samples::remittance();
    let mut entries = r.entries();
    // Move one cent of CAS from the line to the claim: the claim still
    // balances, the line no longer does.
    entries[0].services[0].adjustments[0].amount = Amount::from_cents(3_999);
    entries[0].adjustments.push(Adjustment {
        group: AdjustmentGroup::Contractual,
        reason: "45".into(),
        amount: Amount::from_cents(1),
        quantity: None,
    });
    let mut rebuilt = Remittance::new(
        &r.control_number,
        r.payment.clone(),
        r.trace.clone().unwrap(),
        r.payer.clone(),
        r.payee.clone(),
    );
    rebuilt.provider_adjustments = std::mem::take(&mut r.provider_adjustments);
    for e in entries {
        rebuilt.push_claim(e);
    }
    let err = write_835(&samples::interchange_params(6), &[rebuilt]).unwrap_err();
    assert!(err.reason.contains("SVC02 − SVC03"), "{err}");
}

#[test]
fn a_ts3_for_an_lx_loop_that_has_no_claims_is_refused() {
    let mut r = samples::remittance();
    r.provider_summaries[0].header_number = 2;
    let err = write_835(&samples::interchange_params(6), &[r]).unwrap_err();
    assert_eq!(err.field, "remittances[0].provider_summaries");
}

#[test]
fn the_sample_remittance_balances_and_round_trips() {
    let r = samples::remittance();
    let file = write_835(&samples::interchange_params(6), std::slice::from_ref(&r)).unwrap();
    let back = read_835(&file).unwrap();
    assert_eq!(content(&back[0]), content(&r));
    let text = String::from_utf8(file).unwrap();
    assert!(text.contains("BPR*I*212.5*C*CHK"), "{text}");
    assert!(
        text.contains(
            "PLB*1234567893*20241231*WO:ICN0800*25*FB:FWDBAL01*10*L6:ICN0003*-2.5*72:ADV01*-5~"
        ),
        "{text}"
    );
    assert!(text.contains("CAS*PR*1*30**2*20**3*10~"), "{text}");
    assert!(
        text.contains("LX*1~\nTS3*1234567893*11*20241231*4*550~\nCLP*PCN-1001"),
        "{text}"
    );
}

#[test]
fn a_ts3_inside_a_claim_is_an_error_at_the_ts3() {
    let file = write_835(&samples::interchange_params(6), &[samples::remittance()]).unwrap();
    let text = String::from_utf8(file).unwrap();
    let ts3 = "TS3*1234567893*11*20241231*4*550~\n";
    let moved = text.replacen(ts3, "", 1).replacen(
        "DTM*050*20240301~\n",
        &format!("DTM*050*20240301~\n{ts3}"),
        1,
    );
    let err = read_835(moved.as_bytes()).unwrap_err();
    assert_eq!(err.location.segment_id, "TS3", "{err}");
}

#[test]
fn an_eft_keeps_its_bank_accounts_and_hides_the_account_numbers_from_debug() {
    let r = read_835(MULTI).unwrap().remove(0);
    let accounts = r.payment.accounts.as_deref().unwrap();
    assert_eq!(accounts.payer_bank_id.as_deref(), Some("999999999"));
    assert_eq!(accounts.payee_account.as_ref().unwrap().expose(), "98765");
    assert!(!format!("{accounts:?}").contains("98765"));
    let file = write_835(&samples::interchange_params(6), &[r]).unwrap();
    let text = String::from_utf8(file).unwrap();
    assert!(
        text.contains("BPR*I*212.5*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240318~"),
        "{text}"
    );
}
