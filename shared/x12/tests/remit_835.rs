//! The 835 reader and balancing on hand-made remittances: payment, denial,
//! reversal, multiple CAS triples, PLB WO/FB/L6/72 and interest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_x12::remit::balance::{BalanceRule, balance};
use medbill_x12::remit::{AdjustmentGroup, ClaimStatus, Remittance, read_835, read_835_stream};
use medbill_x12::{Amount, ErrorKind};

const MULTI: &[u8] = include_bytes!("fixtures/remit_multi_claim.835");
const UNBALANCED: &[u8] = include_bytes!("fixtures/remit_unbalanced.835");

fn cents(c: i64) -> Amount {
    Amount::from_cents(c)
}

fn remittance() -> Remittance {
    let mut all = read_835(MULTI).expect("fixture parses");
    assert_eq!(all.len(), 1);
    all.remove(0)
}

#[test]
fn payment_trace_and_parties_are_read() {
    let r = remittance();
    assert_eq!(r.payment.amount, cents(21250));
    assert_eq!(r.payment.method, "ACH");
    assert_eq!(r.payment.date.to_string(), "2024-03-18");
    assert_eq!(r.trace.as_ref().unwrap().number, "EFT0001");
    assert_eq!(r.payer.name, "ACME HEALTH PLAN");
    assert_eq!(
        r.payer.contacts[0].numbers,
        [("TE".to_owned(), "8005551212".to_owned())]
    );
    assert_eq!(r.payee.id.as_deref(), Some("1234567893"));
    assert_eq!(r.payee.references[0].qualifier, "TJ");
}

#[test]
fn every_claim_is_read_with_its_status_and_amounts() {
    let r = remittance();
    let summary: Vec<_> = r
        .claims()
        .map(|c| {
            (
                c.claim().patient_control_number.as_str(),
                c.status,
                c.total_charge,
                c.paid,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "PCN-1001",
                ClaimStatus::ProcessedAsPrimary,
                cents(50000),
                cents(32000)
            ),
            ("PCN-1002", ClaimStatus::Denied, cents(15000), cents(0)),
            (
                "PCN-0990",
                ClaimStatus::Reversal,
                cents(-20000),
                cents(-15000)
            ),
            (
                "PCN-1003",
                ClaimStatus::ProcessedAsSecondary,
                cents(10000),
                cents(7000)
            ),
        ]
    );
}

#[test]
fn a_cas_segment_with_three_triples_gives_three_adjustments() {
    let r = remittance();
    let line = r.claim(0).unwrap().service(0).unwrap();
    let triples: Vec<_> = line
        .adjustments()
        .iter()
        .map(|a| {
            (
                a.group,
                a.reason.as_str(),
                a.amount,
                a.quantity.map(|q| q.to_string()),
            )
        })
        .collect();
    assert_eq!(
        triples,
        [
            (AdjustmentGroup::Contractual, "45", cents(4000), None),
            (
                AdjustmentGroup::PatientResponsibility,
                "1",
                cents(3000),
                Some("1".to_owned())
            ),
            (
                AdjustmentGroup::PatientResponsibility,
                "2",
                cents(2000),
                Some("1".to_owned())
            ),
            (
                AdjustmentGroup::PatientResponsibility,
                "3",
                cents(1000),
                None
            ),
        ]
    );
}

#[test]
fn service_lines_keep_procedure_modifiers_and_line_control_numbers() {
    let r = remittance();
    let lines: Vec<_> = r.claim(0).unwrap().services().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].procedure.code, "99214");
    assert_eq!(lines[0].procedure.modifiers, ["25"]);
    assert_eq!(
        lines[0].line_item_control_number.as_deref(),
        Some("LINE-1001-1")
    );
    assert_eq!(lines[0].amounts()[0].amount, cents(26000));
    assert_eq!(lines[1].units_paid.unwrap().to_string(), "2");
    assert_eq!(lines[1].remarks()[0].code, "M15");
    assert_eq!(lines[1].dates()[0].date.to_string(), "2024-03-01");
}

#[test]
fn a_denied_claim_carries_its_claim_level_adjustment_and_remarks() {
    let r = remittance();
    let denied = r.claim(1).unwrap();
    assert_eq!(denied.adjustments()[0].reason, "50");
    assert_eq!(denied.adjustments()[0].amount, cents(15000));
    assert_eq!(denied.outpatient.as_ref().unwrap().remark_codes, ["MA130"]);
    assert_eq!(denied.services().len(), 0);
}

#[test]
fn a_reversal_keeps_negative_amounts() {
    let r = remittance();
    let reversal = r.claim(2).unwrap();
    assert_eq!(reversal.adjustments()[0].amount, cents(-5000));
    assert_eq!(reversal.frequency.as_deref(), Some("8"));
}

#[test]
fn corrected_names_and_interest_are_kept() {
    let r = remittance();
    let claim = r.claim(3).unwrap();
    let roles: Vec<_> = claim.names().iter().map(|n| n.role.as_str()).collect();
    assert_eq!(roles, ["QC", "74"]);
    assert_eq!(
        claim.names()[1].first_name.as_ref().unwrap().expose(),
        "EDGAR"
    );
    assert_eq!(
        (
            claim.amounts()[0].qualifier.as_str(),
            claim.amounts()[0].amount
        ),
        ("I", cents(250))
    );
}

#[test]
fn every_plb_pair_is_read() {
    let r = remittance();
    let pairs: Vec<_> = r
        .provider_adjustments
        .iter()
        .map(|p| (p.reason.as_str(), p.reference.as_deref(), p.amount))
        .collect();
    assert_eq!(
        pairs,
        [
            ("WO", Some("ICN0800"), cents(2500)),
            ("FB", Some("FWDBAL01"), cents(1000)),
            ("L6", Some("ICN0003"), cents(-250)),
            ("72", Some("ADV01"), cents(-500)),
        ]
    );
}

#[test]
fn a_balanced_remittance_has_no_findings() {
    assert_eq!(balance(&remittance()), vec![]);
}

#[test]
fn an_unbalanced_remittance_is_reported_at_bpr_svc_and_clp() {
    let r = read_835(UNBALANCED).expect("parses").remove(0);
    let findings: Vec<_> = balance(&r)
        .into_iter()
        .map(|f| (f.rule, f.segment_id, f.segment_index))
        .collect();
    assert_eq!(
        findings,
        [
            (BalanceRule::Payment, "BPR", 4),
            (BalanceRule::ServiceLine, "SVC", 26),
            (BalanceRule::Claim, "CLP", 15),
        ]
    );
    let text = balance(&r)[1].to_string();
    assert_eq!(
        text,
        "segment 26 (SVC): claim PCN-1001: SVC02 − SVC03 is 80.00 but line CAS total 75.00"
    );
}

#[test]
fn a_wrong_se_count_is_an_error_naming_se01() {
    let text = String::from_utf8(MULTI.to_vec())
        .unwrap()
        .replace("SE*45*0001", "SE*44*0001");
    let err = read_835(text.as_bytes()).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::CountMismatch {
            declared: "44".into(),
            actual: 45
        }
    );
    assert_eq!(err.location.segment_id, "SE");
    assert_eq!(err.location.segment_index, 47);
}

#[test]
fn an_unknown_claim_status_is_an_error_at_clp02() {
    let text = String::from_utf8(MULTI.to_vec())
        .unwrap()
        .replace("CLP*PCN-1002*4*", "CLP*PCN-1002*9*");
    let err = read_835(text.as_bytes()).unwrap_err();
    let offset = text.find("CLP*PCN-1002").unwrap();
    let expected = format!("segment 31 (CLP) at byte {offset}, CLP02");
    assert_eq!(err.to_string().split(':').next().unwrap(), expected);
}

#[test]
fn streaming_gives_the_same_remittances_as_reading_from_memory() {
    let mut streamed = Vec::new();
    read_835_stream(MULTI, |r| streamed.push(r)).expect("streams");
    assert_eq!(streamed, read_835(MULTI).unwrap());
}
