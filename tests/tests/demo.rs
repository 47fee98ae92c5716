//! `medbill demo` end to end, in process on SQLite: forty encounters with
//! a fixed seed go through coding, billing, the payer simulator and
//! payments; the books balance to the cent, every released encounter is
//! billed once, denials are worked, and what billing and payments report
//! agrees with the simulator's record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill::demo::{DemoArgs, run_cycle};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_cycle_of_forty_encounters_balances_and_agrees_with_the_payer() {
    let work = tempfile::tempdir().unwrap();
    let summary = run_cycle(DemoArgs {
        encounters: 40,
        seed: 7,
        workdir: Some(work.path().join("demo")),
        json: false,
    })
    .await
    .unwrap();
    let text = summary.to_text();
    println!("{text}");
    let count = |k: &str| summary.counts.get(k).copied().unwrap_or(0);

    assert!(summary.balanced(), "{text}");
    assert_eq!(summary.difference, 0, "{text}");

    let released = count("encounters released");
    assert!(released >= 35, "{text}");
    assert_eq!(
        count("released encounters billed exactly once"),
        released,
        "{text}"
    );
    assert_eq!(count("released encounters not billed"), 0, "{text}");
    assert_eq!(count("encounters with two standing claims"), 0, "{text}");

    assert!(count("denials worked") > 0, "{text}");
    assert!(count("codings corrected by the coder") > 0, "{text}");
    assert!(count("eligibility answers (271) taken in") > 0, "{text}");

    for agreement in &summary.agreements {
        assert!(
            agreement.agrees(),
            "{} differs: services {} simulator {}\n{text}",
            agreement.what,
            agreement.services,
            agreement.simulator
        );
    }
    // Every file exchanged stays under the work folder.
    assert!(count("X12 and deposit files exchanged") > 0, "{text}");
}
