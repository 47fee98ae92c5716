//! Reads of what was posted: an account's balances and ledger lines, and
//! ingested remittances, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::common::v1::PageRequest;
use medbill_contracts::medbill::payments::v1::account_service_client::AccountServiceClient;
use medbill_contracts::medbill::payments::v1::remittance_service_client::RemittanceServiceClient;
use medbill_contracts::medbill::payments::v1::{
    GetAccountRequest, GetLedgerRequest, GetRemittanceRequest, ListRemittancesRequest,
};
use medbill_platform::auth::Role;
use medbill_platform::backend_tests;
use medbill_platform::testing::{TestDatabase, authorized};
use support::x835::{Clp, Remit, Svc};
use support::{Line, claim, count, id, ingest, start_with_billing, wait_for_charges};
use tonic::Code;

/// Pays `pcn`'s one line: `paid` cents, the rest CO-45 except `pr` cents
/// of PR-1.
fn paying(pcn: &'static str, trace: &'static str, charge: i64, paid: i64, pr: i64) -> Remit {
    let mut cas = vec![("CO", "45", charge - paid - pr)];
    if pr != 0 {
        cas.push(("PR", "1", pr));
    }
    Remit {
        trace,
        total: None,
        claims: vec![Clp {
            pcn,
            status: "1",
            charge,
            paid,
            patient_responsibility: pr,
            icn: "ICN-R",
            cas: vec![],
            services: vec![Svc {
                procedure: "99213",
                charge,
                paid,
                day: Some(1),
                control: Some(format!("{pcn}-1")),
                cas,
            }],
        }],
        plb: vec![],
    }
}

backend_tests!(
    an_account_shows_balances_and_ledger_lines_derived_from_the_journal,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let (payer, account) = (id(), id());
        let a = claim("PCN-RA", &payer, &account, &[Line("99213", &[], 10_000, 1)]);
        let b = claim("PCN-RB", &payer, &account, &[Line("99213", &[], 20_000, 1)]);
        h.billing.publish(&a.claim_id, &a).await;
        h.billing.publish(&b.claim_id, &b).await;
        wait_for_charges(&h.service, &b.claim_id, 20_000).await;
        // A: $100.00 = $80.00 paid + $20.00 CO-45. B is still with the payer.
        ingest(
            &h.service,
            &paying("PCN-RA", "TRN-RA", 10_000, 8_000, 0).render(),
        )
        .await
        .unwrap();
        // Then B: $200.00 = $120.00 paid + $30.00 CO-45 + $50.00 PR-1.
        ingest(
            &h.service,
            &paying("PCN-RB", "TRN-RB", 20_000, 12_000, 5_000).render(),
        )
        .await
        .unwrap();

        let mut accounts = AccountServiceClient::new(h.service.channel().await);
        let got = accounts
            .get_account(authorized(
                GetAccountRequest {
                    account_id: String::new(),
                    patient_mrn: "MRN0001".into(),
                },
                "col",
                &[Role::Collector],
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(got.account_id, account);
        assert_eq!(got.patient_balance.unwrap().cents, 5_000);
        assert_eq!(got.insurance_balance.unwrap().cents, 0);
        assert_eq!(count(&h.service, "audit_log").await, 1);

        // Every line tagged with the account, two per page, oldest first:
        // 2 + 2 opening lines, 4 lines for A's payment, 6 for B's.
        let mut token = String::new();
        let mut lines = Vec::new();
        loop {
            let page = accounts
                .get_ledger(authorized(
                    GetLedgerRequest {
                        account_id: account.clone(),
                        page: Some(PageRequest {
                            page_size: 2,
                            page_token: token.clone(),
                        }),
                    },
                    "col",
                    &[Role::Collector],
                ))
                .await
                .unwrap()
                .into_inner();
            lines.extend(page.entries);
            token = page.page.unwrap().next_page_token;
            if token.is_empty() {
                break;
            }
        }
        assert_eq!(lines.len(), 14);
        assert_eq!(
            lines.iter().map(|l| l.amount.unwrap().cents).sum::<i64>(),
            0
        );
        let patient: i64 = lines
            .iter()
            .filter(|l| l.ledger_account == "ar_patient")
            .map(|l| l.amount.unwrap().cents)
            .sum();
        assert_eq!(patient, 5_000);
        assert!(lines.iter().all(|l| l.line_control_number.ends_with("-1")));

        let missing = accounts
            .get_account(authorized(
                GetAccountRequest {
                    account_id: id(),
                    patient_mrn: String::new(),
                },
                "col",
                &[Role::Collector],
            ))
            .await
            .unwrap_err();
        assert_eq!(missing.code(), Code::NotFound);
        h.service.stop().await;
    }
);

backend_tests!(
    remittances_read_back_as_posted_and_list_newest_first,
    |test_db: TestDatabase| async move {
        let h = start_with_billing(&test_db).await;
        let (payer, account) = (id(), id());
        let a = claim("PCN-LA", &payer, &account, &[Line("99213", &[], 10_000, 1)]);
        h.billing.publish(&a.claim_id, &a).await;
        wait_for_charges(&h.service, &a.claim_id, 10_000).await;
        let first = ingest(
            &h.service,
            &paying("PCN-LA", "TRN-L1", 10_000, 8_000, 0).render(),
        )
        .await
        .unwrap();
        let second = ingest(
            &h.service,
            &paying("PCN-NOPE", "TRN-L2", 5_000, 4_000, 0).render(),
        )
        .await
        .unwrap();

        let mut client = RemittanceServiceClient::new(h.service.channel().await);
        let got = client
            .get_remittance(authorized(
                GetRemittanceRequest {
                    remittance_id: first.remittance_id.clone(),
                },
                "aud",
                &[Role::Auditor],
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(!got.newly_posted);
        assert_eq!(got.claims, first.claims);
        assert_eq!(got.claims[0].claim_id, a.claim_id);

        let listed = client
            .list_remittances(authorized(
                ListRemittancesRequest {
                    statuses: vec![],
                    page: Some(PageRequest {
                        page_size: 1,
                        page_token: String::new(),
                    }),
                },
                "aud",
                &[Role::Auditor],
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.remittances[0].remittance_id, second.remittance_id);
        let token = listed.page.unwrap().next_page_token;
        let rest = client
            .list_remittances(authorized(
                ListRemittancesRequest {
                    statuses: vec![],
                    page: Some(PageRequest {
                        page_size: 1,
                        page_token: token,
                    }),
                },
                "aud",
                &[Role::Auditor],
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(rest.remittances[0].remittance_id, first.remittance_id);
        assert_eq!(rest.remittances[0].total_paid.unwrap().cents, 8_000);
        assert!(rest.page.unwrap().next_page_token.is_empty());

        let unknown = client
            .get_remittance(authorized(
                GetRemittanceRequest {
                    remittance_id: id(),
                },
                "aud",
                &[Role::Auditor],
            ))
            .await
            .unwrap_err();
        assert_eq!(unknown.code(), Code::NotFound);
        h.service.stop().await;
    }
);

backend_tests!(
    accounts_list_by_minimum_patient_balance_and_each_listed_account_is_audit_logged,
    |test_db: TestDatabase| async move {
        use medbill_contracts::medbill::payments::v1::ListAccountsRequest;
        let h = start_with_billing(&test_db).await;
        let payer = id();
        let (owing, clear) = (id(), id());
        let a = claim("PCN-OW", &payer, &owing, &[Line("99213", &[], 10_000, 1)]);
        let b = claim("PCN-CL", &payer, &clear, &[Line("99213", &[], 10_000, 1)]);
        h.billing.publish(&a.claim_id, &a).await;
        h.billing.publish(&b.claim_id, &b).await;
        wait_for_charges(&h.service, &b.claim_id, 10_000).await;
        // The owing account's guarantor owes $50.00 (PR-1); the other owes
        // nothing, its claim still with the payer.
        ingest(
            &h.service,
            &paying("PCN-OW", "TRN-OW", 10_000, 3_000, 5_000).render(),
        )
        .await
        .unwrap();

        let mut client = AccountServiceClient::new(h.service.channel().await);
        let list = |min: Option<i64>| ListAccountsRequest {
            min_patient_balance: min.and_then(support::money),
            page: None,
        };
        let owing_only = client
            .list_accounts(authorized(list(Some(1)), "col", &[Role::Collector]))
            .await
            .unwrap()
            .into_inner();
        let ids: Vec<&str> = owing_only
            .accounts
            .iter()
            .map(|a| a.account_id.as_str())
            .collect();
        assert_eq!(ids, vec![owing.as_str()]);
        assert_eq!(owing_only.accounts[0].patient_balance.unwrap().cents, 5_000);
        let all = client
            .list_accounts(authorized(list(None), "col", &[Role::Collector]))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(all.accounts.len(), 2);
        let clear_row = all.accounts.iter().find(|a| a.account_id == clear).unwrap();
        assert_eq!(clear_row.insurance_balance.unwrap().cents, 10_000);
        assert_eq!(count(&h.service, "audit_log").await, 3);
        h.service.stop().await;
    }
);
