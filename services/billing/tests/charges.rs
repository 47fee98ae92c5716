//! Charge capture through the real server on SQLite and PostgreSQL:
//! coding's `EncounterReleased` (from a fake coding feed) becomes charges
//! priced by the payer's fee schedule or the charge master on the date of
//! service, held when nothing prices them, and captured once however often
//! the release arrives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use medbill_contracts::medbill::billing::v1::claim_service_client::ClaimServiceClient;
use medbill_contracts::medbill::billing::v1::{
    Charge, ChargeMasterEntry, ChargeStatus, FeeScheduleEntry, ListChargesRequest, PricingMethod,
    UpsertChargeMasterRequest, UpsertFeeScheduleRequest,
};
use medbill_contracts::medbill::common::v1::Money;
use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::backend_tests;
use medbill_platform::testing::{RunningService, TestDatabase, eventually};
use support::*;
use tonic::Code;

async fn charges_of(service: &RunningService, encounter_id: &str, held_only: bool) -> Vec<Charge> {
    ClaimServiceClient::new(service.channel().await)
        .list_charges(as_biller(ListChargesRequest {
            encounter_id: encounter_id.into(),
            held_only,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
        .charges
}

/// Registers prices, a payer with a fee schedule and patient `mrn` covered
/// by it from 2026-01-01.
async fn register(service: &RunningService, mrn: &str) {
    let mut api = registry(service).await;
    let cdm = |code: &str, cents, revenue_code: &str| ChargeMasterEntry {
        code: code.into(),
        price: Some(Money { cents }),
        revenue_code: revenue_code.into(),
        ..Default::default()
    };
    api.upsert_charge_master(as_biller(UpsertChargeMasterRequest {
        effective_from: date(2026, 1, 1),
        entries: vec![cdm("99213", 15_000, "0510"), cdm("71046", 20_000, "0324")],
    }))
    .await
    .unwrap();
    let schedule = api
        .upsert_fee_schedule(as_biller(UpsertFeeScheduleRequest {
            fee_schedule_id: String::new(),
            name: "Acme 2026".into(),
            effective_from: date(2026, 1, 1),
            entries: vec![
                FeeScheduleEntry {
                    code: "99213".into(),
                    charge: Some(Money { cents: 9_000 }),
                    method: PricingMethod::Fixed as i32,
                    ..Default::default()
                },
                FeeScheduleEntry {
                    code: "99214".into(),
                    method: PricingMethod::Rvu as i32,
                    rvu: "1.92".into(),
                    ..Default::default()
                },
            ],
            conversion_factor: "32.3465".into(),
        }))
        .await
        .unwrap()
        .into_inner();
    let mut payer = commercial_payer("Acme");
    payer.fee_schedule_id = schedule.fee_schedule_id;
    let payer = api
        .create_payer(as_biller(payer))
        .await
        .unwrap()
        .into_inner();
    let patient = api
        .create_patient(as_biller(patient(mrn)))
        .await
        .unwrap()
        .into_inner();
    api.add_coverage(as_biller(coverage(&patient.patient_id, &payer.payer_id, 1)))
        .await
        .unwrap();
}

backend_tests!(
    a_release_delivered_twice_is_priced_once_by_fee_schedule_then_charge_master_and_unpriced_lines_are_held,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        register(&h.service, "MRN-1").await;
        let encounter = new_uuid_v7();
        let event = released(
            &encounter,
            "MRN-1",
            vec![line("99213", 1), line("99214", 2), line("71046", 1), line("99499", 1)],
        );
        h.coding.publish(&encounter, &event).await;
        h.coding.publish(&encounter, &event).await;
        // A later event: once it is captured, both copies above were applied.
        let marker = new_uuid_v7();
        h.coding.publish(&marker, &released(&marker, "MRN-1", vec![line("99213", 1)])).await;
        let service = &h.service;
        let marker_id = marker.as_str();
        eventually("the later release captured", || async move {
            (!charges_of(service, marker_id, false).await.is_empty()).then_some(())
        })
        .await;

        let charges = charges_of(service, &encounter, false).await;
        assert_eq!(charges.len(), 4, "one set of charges, not one per delivery");
        let by_code = |code: &str| charges.iter().find(|c| c.code == code).unwrap().clone();
        let fixed = by_code("99213");
        assert_eq!(fixed.status, ChargeStatus::Priced as i32);
        assert_eq!(fixed.amount, Some(Money { cents: 9_000 }));
        assert_eq!(fixed.revenue_code, "0510");
        // 1.92 RVU x $32.3465 x 2 units = $124.21056.
        assert_eq!(by_code("99214").amount, Some(Money { cents: 12_421 }));
        let master = by_code("71046");
        assert_eq!(master.amount, Some(Money { cents: 20_000 }));
        assert_eq!(master.revenue_code, "0324");
        let held = by_code("99499");
        assert_eq!(held.status, ChargeStatus::Held as i32);
        assert_eq!(held.amount, None, "a held charge has no amount, never $0");
        assert!(held.hold_reason.starts_with("no_price:"), "{}", held.hold_reason);
        assert!(charges.iter().all(|c| !c.patient_id.is_empty() && c.release_number == 1));
        let held_only = charges_of(service, &encounter, true).await;
        assert_eq!(held_only, [held]);
        let releases: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM released_encounters WHERE encounter_id = $1")
                .bind(&encounter)
                .fetch_one(service.db().pool())
                .await
                .unwrap();
        assert_eq!(releases, 1);
        let patient_id = &charges[0].patient_id;
        let reads = audit_rows(service, patient_id).await;
        assert!(
            reads.contains(&("read".to_string(), "ListCharges".to_string())),
            "{reads:?}"
        );
        h.service.stop().await;
    }
);

backend_tests!(
    a_line_is_priced_by_what_was_in_force_on_its_date_of_service_even_for_an_unregistered_patient,
    |test_db: TestDatabase| async move {
        let h = start_with_coding(&test_db).await;
        register(&h.service, "MRN-2").await;
        let encounter = new_uuid_v7();
        let mut before = line("99213", 1);
        before.date_of_service = date(2025, 12, 31);
        let mut event = released(&encounter, "MRN-UNKNOWN", vec![line("99213", 2), before]);
        event.release_number = 1;
        h.coding.publish(&encounter, &event).await;
        let service = &h.service;
        let id = encounter.as_str();
        let charges = eventually("the release captured", || async move {
            Some(charges_of(service, id, false).await).filter(|c| !c.is_empty())
        })
        .await;
        assert_eq!(charges.len(), 2);
        // No coverage is known for the MRN, so the charge master prices it.
        assert_eq!(charges[0].amount, Some(Money { cents: 30_000 }));
        assert_eq!(charges[0].patient_id, "");
        // Before the first charge master took effect nothing prices it.
        assert_eq!(charges[1].status, ChargeStatus::Held as i32);
        assert_eq!(charges[1].date_of_service, date(2025, 12, 31));

        let status = ClaimServiceClient::new(service.channel().await)
            .list_charges(as_biller(ListChargesRequest {
                encounter_id: "E-1".into(),
                ..Default::default()
            }))
            .await;
        assert_fails(status, Code::InvalidArgument, "encounter_id:");
        h.service.stop().await;
    }
);

backend_tests!(
    what_capture_hands_to_billing_is_what_the_store_reads_back,
    |test_db: TestDatabase| async move {
        use medbill_billing::charges::capture::{capture, release_of};
        use medbill_billing::charges::store::{self as charge_store, ChargeFilter};
        use medbill_billing::claims::store as claim_store;
        use medbill_billing::registry::patients;
        use medbill_contracts::medbill::coding::v1::Diagnosis;
        use medbill_kernel::Timestamp;
        // The consumer bills a release from what `capture` hands on instead
        // of reading it back: the two must not differ, odd input included
        // (modifiers with blanks, a diagnosis with no code).
        let service = start_billing(&test_db).await;
        register_for_claims(&service, "MRN-7", true).await;
        let encounter = new_uuid_v7();
        let mut lines = vec![line("99213", 1), line("36415", 2), line("99999", 1)];
        lines[0].modifiers = vec![" 25".into(), String::new(), "59".into()];
        let mut event = released(&encounter, "MRN-7", lines);
        event.diagnoses.push(Diagnosis {
            code: "I10".into(),
            present_on_admission: "Y".into(),
        });
        event.diagnoses.push(Diagnosis {
            code: ".".into(),
            present_on_admission: String::new(),
        });
        let release = release_of(event).unwrap();
        let mut tx = service.db().begin().await.unwrap();
        let captured = capture(&mut tx, &release, "event-1", Timestamp::now())
            .await
            .unwrap()
            .expect("a new release is stored");
        let stored = claim_store::release(&mut tx, &release.encounter_id, Some(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(format!("{:?}", captured.release), format!("{stored:?}"));
        assert_eq!(stored.diagnoses.len(), 2);
        let filter = ChargeFilter {
            encounter_id: Some(release.encounter_id.clone()),
            ..Default::default()
        };
        let charges = charge_store::charges(&mut tx, &filter, None, 100)
            .await
            .unwrap();
        assert_eq!(captured.charges, charges);
        assert_eq!(captured.charges[0].modifiers, ["25", "59"]);
        assert_eq!(captured.charges.len(), 3);
        let patient_id = stored.patient_id.clone().unwrap();
        let coverages = patients::coverages(&mut tx, &patient_id).await.unwrap();
        assert!(!coverages.is_empty());
        assert_eq!(captured.coverages, coverages);
        // The same release again stores nothing.
        let again = capture(&mut tx, &release, "event-2", Timestamp::now())
            .await
            .unwrap();
        assert!(again.is_none());
    }
);
