//! Payments' clearinghouse folder, on SQLite and PostgreSQL: an 835 dropped
//! in `inbound/` is posted and moved to `processed/`, a deposit CSV is
//! recorded (and matched to its 835), a file that is neither goes to
//! `failed/` beside a `.error` file, the same 835 dropped again posts
//! nothing, and a database failure leaves the file for the next poll.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use medbill_payments::inbound::Inbound;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, eventually, test_settings};
use support::x835::{Clp, Remit, Svc};
use support::{Line, claim, claim_audit, count, figures, start_with_folder, wait_for_charges};

/// $100.00 charged, $70.00 paid, CO-45 $20.00, PR-2 $10.00, under `trace`.
fn era(pcn: &'static str, trace: &'static str) -> String {
    Remit {
        trace,
        total: None,
        claims: vec![Clp {
            pcn,
            status: "1",
            charge: 10_000,
            paid: 7_000,
            patient_responsibility: 1_000,
            icn: "ICN-IN",
            cas: vec![],
            services: vec![Svc {
                procedure: "99213",
                charge: 10_000,
                paid: 7_000,
                day: None,
                control: Some(format!("{pcn}-1")),
                cas: vec![("CO", "45", 2_000), ("PR", "2", 1_000)],
            }],
        }],
        plb: vec![],
    }
    .render()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Waits until `name` has left `inbound/` for `to/`.
async fn wait_moved(inbound: &Path, to: &str, name: &str) {
    eventually(&format!("{name} in {to}/"), || async {
        (names(&inbound.join(to)).contains(&name.to_string()) && !inbound.join(name).exists())
            .then_some(())
    })
    .await;
}

backend_tests!(
    files_dropped_in_inbound_are_posted_once_and_set_aside,
    |test_db: TestDatabase| async move {
        let folder = tempfile::tempdir().unwrap();
        let inbound = folder.path().join("inbound");
        std::fs::create_dir_all(&inbound).unwrap();
        let h = start_with_folder(&test_db, Some(folder.path().to_path_buf())).await;
        let c = claim(
            "PCN-IN1",
            &support::id(),
            &support::id(),
            &[Line("99213", &[], 10_000, 1)],
        );
        h.billing.publish(&c.claim_id, &c).await;
        wait_for_charges(&h.service, &c.claim_id, 10_000).await;

        std::fs::write(inbound.join("a-era.835"), era("PCN-IN1", "EFT-IN-1")).unwrap();
        std::fs::write(
            inbound.join("b-bank.csv"),
            "trace,amount,date\nEFT-IN-1,70.00,2026-11-05\n",
        )
        .unwrap();
        std::fs::write(inbound.join("c-junk.835"), "ISA*garbage~").unwrap();
        std::fs::write(
            inbound.join("d-bad.CSV"),
            "trace,amount,date\nEFT-IN-2,70,2026-11-05\n",
        )
        .unwrap();
        std::fs::write(inbound.join(".e-partial.835"), "ISA*").unwrap();

        wait_moved(&inbound, "processed", "a-era.835").await;
        wait_moved(&inbound, "processed", "b-bank.csv").await;
        wait_moved(&inbound, "failed", "c-junk.835").await;
        wait_moved(&inbound, "failed", "d-bad.CSV").await;
        // [charges, payments, adjustments, write-offs, insurance, patient]
        assert_eq!(
            figures(&claim_audit(&h.service, &c.claim_id).await),
            [10_000, 7_000, 2_000, 0, 0, 1_000]
        );
        let matched: i64 = count(&h.service, "deposits WHERE remittance_id IS NOT NULL").await;
        assert_eq!((count(&h.service, "deposits").await, matched), (1, 1));
        let why = std::fs::read_to_string(inbound.join("failed/d-bad.CSV.error")).unwrap();
        assert!(why.starts_with("line 2, column amount:"), "{why}");
        let why = std::fs::read_to_string(inbound.join("failed/c-junk.835.error")).unwrap();
        assert!(why.starts_with("content:"), "{why}");
        assert!(inbound.join(".e-partial.835").exists());

        // The same 835 and deposit file again, under other names.
        let journal = count(&h.service, "journal_entries").await;
        std::fs::write(inbound.join("f-era-again.835"), era("PCN-IN1", "EFT-IN-1")).unwrap();
        std::fs::write(
            inbound.join("g-bank-again.csv"),
            "trace,amount,date\nEFT-IN-1,70.00,2026-11-05\n",
        )
        .unwrap();
        wait_moved(&inbound, "processed", "f-era-again.835").await;
        wait_moved(&inbound, "processed", "g-bank-again.csv").await;
        assert_eq!(count(&h.service, "journal_entries").await, journal);
        assert_eq!(count(&h.service, "remittances").await, 1);
        assert_eq!(count(&h.service, "deposits").await, 1);
    }
);

backend_tests!(
    a_file_whose_posting_fails_on_the_database_stays_for_the_next_poll,
    |test_db: TestDatabase| async move {
        let folder = tempfile::tempdir().unwrap();
        let inbound = folder.path().join("inbound");
        std::fs::create_dir_all(&inbound).unwrap();
        std::fs::write(inbound.join("era.835"), era("PCN-IN2", "EFT-IN-3")).unwrap();
        std::fs::write(
            inbound.join("bank.csv"),
            "trace,amount,date\nEFT-IN-3,70.00,2026-11-05\n",
        )
        .unwrap();
        tokio::time::sleep(medbill_payments::inbound::QUIET).await;
        let db = test_db.connect(medbill_payments::MIGRATIONS).await;
        db.pool().close().await;
        let poller = Inbound::new(folder.path(), db, test_settings().clock);
        let outcome = poller.poll_once().await.unwrap();
        assert_eq!(outcome.retried, ["bank.csv", "era.835"]);
        assert!(outcome.processed.is_empty() && outcome.failed.is_empty());
        assert_eq!(names(&inbound), ["bank.csv", "era.835"]);

        // With the database back, the next poll posts them.
        let db = test_db.connect(medbill_payments::MIGRATIONS).await;
        let poller = Inbound::new(folder.path(), db, test_settings().clock);
        let outcome = poller.poll_once().await.unwrap();
        assert_eq!(outcome.processed, ["bank.csv", "era.835"]);
        assert_eq!(names(&inbound.join("processed")), ["bank.csv", "era.835"]);
    }
);
