//! Prices through the real server on SQLite and PostgreSQL: charge master
//! and fee schedule versions by effective date, the three pricing methods,
//! and requests refused by the field at fault.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::{
    ChargeMasterEntry, FeeScheduleEntry, GetChargeMasterRequest, GetFeeScheduleRequest,
    PricingMethod, UpsertChargeMasterRequest, UpsertFeeScheduleRequest,
};
use medbill_contracts::medbill::common::v1::Money;
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::backend_tests;
use medbill_platform::testing::TestDatabase;
use support::*;
use tonic::Code;

fn cdm(code: &str, modifier: &str, cents: i64, revenue_code: &str) -> ChargeMasterEntry {
    ChargeMasterEntry {
        code: code.into(),
        modifier: modifier.into(),
        price: Some(Money { cents }),
        revenue_code: revenue_code.into(),
        description: String::new(),
    }
}

fn fixed(code: &str, cents: i64) -> FeeScheduleEntry {
    FeeScheduleEntry {
        code: code.into(),
        charge: Some(Money { cents }),
        method: PricingMethod::Fixed as i32,
        ..Default::default()
    }
}

backend_tests!(
    the_charge_master_in_force_is_the_latest_version_starting_on_or_before_the_date,
    |test_db: TestDatabase| async move {
        let service = start_billing(&test_db).await;
        let mut api = registry(&service).await;
        api.upsert_charge_master(as_biller(UpsertChargeMasterRequest {
            effective_from: date(2026, 1, 1),
            entries: vec![
                cdm("99213", "", 15_000, "0510"),
                cdm("71046", "26", 5_000, "0324"),
            ],
        }))
        .await
        .unwrap();
        api.upsert_charge_master(as_biller(UpsertChargeMasterRequest {
            effective_from: date(2026, 7, 1),
            entries: vec![cdm("99213", "", 16_000, "0510")],
        }))
        .await
        .unwrap();
        let on = |day| as_biller(GetChargeMasterRequest { as_of: day });
        let march = api
            .get_charge_master(on(date(2026, 3, 1)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(march.effective_from, date(2026, 1, 1));
        assert_eq!(march.entries.len(), 2);
        assert_eq!(march.entries[1].price, Some(Money { cents: 15_000 }));
        let july = api
            .get_charge_master(on(date(2026, 7, 1)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(july.entries, [cdm("99213", "", 16_000, "0510")]);
        // Today is 2026-11-30 on the test clock.
        let today = api.get_charge_master(on(None)).await.unwrap().into_inner();
        assert_eq!(today.effective_from, date(2026, 7, 1));
        assert_fails(
            api.get_charge_master(on(date(2025, 12, 31))).await,
            Code::NotFound,
            "",
        );
        service.stop().await;
    }
);

backend_tests!(
    a_charge_master_line_with_a_bad_code_price_or_revenue_code_is_refused_by_field,
    |test_db: TestDatabase| async move {
        let service = start_billing(&test_db).await;
        let mut api = registry(&service).await;
        let upsert = |entries: Vec<ChargeMasterEntry>| {
            as_biller(UpsertChargeMasterRequest {
                effective_from: date(2026, 1, 1),
                entries,
            })
        };
        let cases = [
            (vec![cdm("9921", "", 100, "0510")], "entries[0].code:"),
            (vec![cdm("99213", "2", 100, "0510")], "entries[0].modifier:"),
            (vec![cdm("99213", "", -1, "0510")], "entries[0].price:"),
            (
                vec![cdm("99213", "", 100, "510")],
                "entries[0].revenue_code:",
            ),
            (
                vec![cdm("99213", "", 100, "0510"), cdm("99213", "", 200, "0510")],
                "entries[1]:",
            ),
        ];
        for (entries, field) in cases {
            assert_fails(
                api.upsert_charge_master(upsert(entries)).await,
                Code::InvalidArgument,
                field,
            );
        }
        let mut no_price = cdm("99213", "", 100, "0510");
        no_price.price = None;
        assert_fails(
            api.upsert_charge_master(upsert(vec![no_price])).await,
            Code::InvalidArgument,
            "entries[0].price: is required",
        );
        service.stop().await;
    }
);

backend_tests!(
    a_fee_schedule_keeps_fixed_percentage_and_rvu_prices_by_version_and_payers_may_name_it,
    |test_db: TestDatabase| async move {
        let service = start_billing(&test_db).await;
        let mut api = registry(&service).await;
        let entries = vec![
            fixed("99213", 9_000),
            FeeScheduleEntry {
                code: "71046".into(),
                method: PricingMethod::PercentOfCharge as i32,
                percent_of_charge_basis_points: 8_000,
                ..Default::default()
            },
            FeeScheduleEntry {
                code: "99214".into(),
                method: PricingMethod::Rvu as i32,
                rvu: "1.92".into(),
                ..Default::default()
            },
        ];
        let mut request = UpsertFeeScheduleRequest {
            fee_schedule_id: String::new(),
            name: "Acme 2026".into(),
            effective_from: date(2026, 1, 1),
            entries,
            conversion_factor: String::new(),
        };
        assert_fails(
            api.upsert_fee_schedule(as_biller(request.clone())).await,
            Code::InvalidArgument,
            "conversion_factor:",
        );
        request.conversion_factor = "32.3465".into();
        let created = api
            .upsert_fee_schedule(as_biller(request))
            .await
            .unwrap()
            .into_inner();
        let id = created.fee_schedule_id.clone();
        api.upsert_fee_schedule(as_biller(UpsertFeeScheduleRequest {
            fee_schedule_id: id.clone(),
            name: "Acme 2026".into(),
            effective_from: date(2026, 9, 1),
            entries: vec![fixed("99213", 9_500)],
            conversion_factor: String::new(),
        }))
        .await
        .unwrap();

        let on = |day| {
            as_biller(GetFeeScheduleRequest {
                fee_schedule_id: id.clone(),
                as_of: day,
            })
        };
        let june = api
            .get_fee_schedule(on(date(2026, 6, 1)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(june, created);
        assert_eq!(june.entries[2].rvu, "1.92");
        assert_eq!(june.conversion_factor, "32.3465");
        let today = api.get_fee_schedule(on(None)).await.unwrap().into_inner();
        assert_eq!(today.entries, [fixed("99213", 9_500)]);
        assert_fails(
            api.get_fee_schedule(on(date(2025, 1, 1))).await,
            Code::NotFound,
            "",
        );

        let mut payer = commercial_payer("Acme");
        payer.fee_schedule_id = new_uuid_v7();
        assert_fails(
            api.create_payer(as_biller(payer.clone())).await,
            Code::NotFound,
            "fee schedule",
        );
        payer.fee_schedule_id = id.clone();
        let payer = api
            .create_payer(as_biller(payer))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(payer.fee_schedule_id, id);
        assert_fails(
            api.upsert_fee_schedule(as_biller(UpsertFeeScheduleRequest {
                fee_schedule_id: new_uuid_v7(),
                name: "Nobody".into(),
                effective_from: date(2026, 1, 1),
                entries: vec![],
                conversion_factor: String::new(),
            }))
            .await,
            Code::NotFound,
            "fee schedule",
        );
        service.stop().await;
    }
);
