//! Claims reach payments through billing's feed (a fake feed here) and open
//! and close their receivable on the append-only ledger, on SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::{ClaimVoided, DenialWriteOffRequested};
use medbill_contracts::medbill::common::v1::Money;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, eventually};
use support::{Line, audit, claim, claim_audit, figures, id, start_with_billing, wait_for_charges};

backend_tests!(
    a_submitted_claim_opens_its_receivable_once_and_a_void_closes_it_with_a_new_entry,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let (payer, account) = (id(), id());
        let submitted = claim(
            "PCN-OPEN-1",
            &payer,
            &account,
            &[
                Line("99213", &["25"], 12_500, 1),
                Line("36415", &[], 2_075, 1),
            ],
        );
        let claim_id = submitted.claim_id.clone();
        h.billing.publish(&claim_id, &submitted).await;
        // The same claim sent again (a redelivery under a new event id)
        // opens nothing twice.
        h.billing.publish(&claim_id, &submitted).await;
        wait_for_charges(&h.service, &claim_id, 14_575).await;

        let row = claim_audit(&h.service, &claim_id).await;
        // $125.00 + $20.75 charged, all owed by the payer.
        assert_eq!(figures(&row), [14_575, 0, 0, 0, 14_575, 0]);
        assert!(row.balanced);

        h.billing
            .publish(
                &claim_id,
                &ClaimVoided {
                    claim_id: claim_id.clone(),
                    reason: "replaced".into(),
                    replaced_by_claim_id: String::new(),
                },
            )
            .await;
        wait_for_charges(&h.service, &claim_id, 0).await;
        let row = claim_audit(&h.service, &claim_id).await;
        assert_eq!(figures(&row), [0, 0, 0, 0, 0, 0]);
        let whole = audit(&h.service, &[]).await;
        // Opened once, closed once: two entries, nothing out of balance.
        assert_eq!(whole.entries_checked, 2);
        assert_eq!(whole.claims_out_of_balance, 0);
        assert!(whole.unbalanced_entry_ids.is_empty());
        h.service.stop().await;
    }
);

backend_tests!(
    a_denial_billing_gives_up_is_written_off_once_and_never_beyond_what_the_payer_owes,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let submitted = claim(
            "PCN-WO-1",
            &id(),
            &id(),
            &[Line("99213", &[], 12_500, 1), Line("36415", &[], 2_075, 1)],
        );
        let claim_id = submitted.claim_id.clone();
        h.billing.publish(&claim_id, &submitted).await;
        wait_for_charges(&h.service, &claim_id, 14_575).await;
        let request = |denial: &str, line: &str, cents: i64| DenialWriteOffRequested {
            denial_id: denial.into(),
            claim_id: claim_id.clone(),
            line_control_number: line.into(),
            amount: Some(Money { cents }),
            group_code: "CO".into(),
            carc_codes: vec!["16".into()],
            category: "billing".into(),
            appeal_id: id(),
            reason: "written off: appeal level 1 upheld by the payer".into(),
        };
        // The denied line's $20.75, asked twice (a redelivery under a new
        // event id): written off once.
        let line_denial = id();
        for _ in 0..2 {
            h.billing
                .publish(&claim_id, &request(&line_denial, "PCN-WO-1-2", 2_075))
                .await;
        }
        let row = eventually("the line written off", || async {
            let row = claim_audit(&h.service, &claim_id).await;
            (row.adjustments.map(|m| m.cents) == Some(2_075)).then_some(row)
        })
        .await;
        assert_eq!(figures(&row), [14_575, 0, 2_075, 0, 12_500, 0]);
        assert!(row.balanced);
        // A whole-claim denial of $200.00: only the $125.00 still owed.
        h.billing
            .publish(&claim_id, &request(&id(), "", 20_000))
            .await;
        let row = eventually("the claim written off", || async {
            let row = claim_audit(&h.service, &claim_id).await;
            (row.insurance_balance.map(|m| m.cents).unwrap_or(0) == 0).then_some(row)
        })
        .await;
        assert_eq!(figures(&row), [14_575, 0, 14_575, 0, 0, 0]);
        assert!(row.balanced);
        let whole = audit(&h.service, &[]).await;
        // Opened, and two write-offs: nothing else, nothing out of balance.
        assert_eq!(whole.entries_checked, 3);
        assert_eq!(whole.claims_out_of_balance, 0);
        h.service.stop().await;
    }
);

backend_tests!(
    journal_rows_refuse_update_and_delete,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let mut submitted = claim("PCN-LOCK-1", &id(), &id(), &[Line("99213", &[], 10_000, 2)]);
        // An event without its encounter still opens the receivable.
        submitted.encounter_id = String::new();
        let claim_id = submitted.claim_id.clone();
        h.billing.publish(&claim_id, &submitted).await;
        wait_for_charges(&h.service, &claim_id, 10_000).await;
        let pool = h.service.db().pool();
        for statement in [
            "UPDATE journal_lines SET amount = 0",
            "DELETE FROM journal_lines",
            "UPDATE journal_entries SET memo = 'x'",
            "DELETE FROM journal_entries",
        ] {
            let refused = sqlx::query(statement).execute(pool).await;
            assert!(refused.is_err(), "{statement} was allowed");
        }
        let row = eventually("the claim still open", || async {
            Some(claim_audit(&h.service, &claim_id).await)
        })
        .await;
        assert_eq!(figures(&row), [10_000, 0, 0, 0, 10_000, 0]);
        h.service.stop().await;
    }
);

backend_tests!(
    the_ledger_audit_names_a_claim_and_an_entry_that_break_the_rules,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let submitted = claim(
            "PCN-AUDIT-1",
            &id(),
            &id(),
            &[Line("99213", &[], 10_000, 2)],
        );
        let claim_id = submitted.claim_id.clone();
        h.billing.publish(&claim_id, &submitted).await;
        wait_for_charges(&h.service, &claim_id, 10_000).await;
        assert_eq!(audit(&h.service, &[]).await.claims_out_of_balance, 0);

        // Written around the service, as a faulty posting would: a $5.00
        // debit to the claim's insurance AR that nothing credits.
        let pool = h.service.db().pool();
        sqlx::query(
            "INSERT INTO journal_entries (entry_id, kind, posted_at, effective_on, source_id, memo) \
             VALUES ('bad-entry', 'test', '2026-11-30T17:00:00Z', '2026-11-30', 'test', '')",
        )
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO journal_lines (entry_id, position, ledger_account, amount, claim_id) \
             VALUES ('bad-entry', 1, 'ar_insurance', 500, $1)",
        )
        .bind(&claim_id)
        .execute(pool)
        .await
        .unwrap();

        let whole = audit(&h.service, &[]).await;
        assert_eq!(whole.unbalanced_entry_ids, vec!["bad-entry".to_string()]);
        assert_eq!(whole.claims_out_of_balance, 1);
        let row = &whole.claims[0];
        assert_eq!(row.claim_id, claim_id);
        assert!(!row.balanced);
        assert_eq!(figures(row), [10_000, 0, 0, 0, 10_500, 0]);
        h.service.stop().await;
    }
);
