//! Round trip of the 837P: for arbitrary valid professional claims,
//! `read_837p(write_837p(claims)) == claims`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/claim_strategies.rs"]
mod claim_strategies;

use claim_strategies::*;
use medbill_x12::claim::Signatures;
use medbill_x12::professional::{ProfessionalClaim, ProfessionalLine, read_837p, write_837p};
use medbill_x12::samples;
use proptest::option::of;
use proptest::prelude::*;

fn professional_claim() -> impl Strategy<Value = ProfessionalClaim> {
    (
        parties(),
        (code("[A-Z0-9-]{1,38}"), code("[0-9]{2}"), frequency()),
        (any::<bool>(), code("[ABC]"), code("[YNW]"), code("[YI]")),
        (of(date()), of(code("[A-Z0-9]{4,15}"))),
        prop::collection::vec(code("[A-Z][0-9]{2}[A-Z0-9]{0,4}"), 1..=12),
        (of(practitioner()), of(service_facility())),
        prop::collection::vec(other_payer(), 0..3),
    )
        .prop_flat_map(|(parties, ids, sig, extra, diagnoses, rendering, others)| {
            let payer_ids: Vec<String> = others.iter().map(|o| o.payer_id.clone()).collect();
            let pointers = prop::collection::vec(1..=diagnoses.len() as u8, 1..=4);
            let line = (
                (
                    code("[0-9]{5}|[A-Z][0-9]{4}"),
                    prop::collection::vec(code("[A-Z0-9]{2}"), 0..=4),
                ),
                (
                    money(1, 10_000_000),
                    units(),
                    of(code("[0-9]{2}")),
                    pointers,
                ),
                (
                    date(),
                    of(date()),
                    code("[A-Z0-9]{1,50}"),
                    adjudication(payer_ids.clone()),
                ),
            )
                .prop_map(|(proc, amounts, rest)| ProfessionalLine {
                    procedure_code: proc.0,
                    modifiers: proc.1,
                    charge: amounts.0,
                    units: amounts.1,
                    place_of_service: amounts.2,
                    diagnosis_pointers: amounts.3,
                    service_date: rest.0,
                    service_date_end: rest.1,
                    line_item_control_number: rest.2,
                    adjudications: rest.3,
                });
            let lines = prop::collection::vec(line, 1..4);
            (
                Just((parties, ids, sig, extra, diagnoses, rendering, others)),
                lines,
            )
        })
        .prop_map(
            |((parties, ids, sig, extra, diagnoses, rendering, others), lines)| {
                let ch = |s: &str| s.chars().next().unwrap();
                ProfessionalClaim {
                    billing_provider: parties.provider,
                    subscriber: parties.subscriber,
                    payer: parties.payer,
                    patient: parties.patient,
                    patient_control_number: ids.0,
                    total_charge: lines.iter().map(|l| l.charge).sum(),
                    place_of_service: ids.1,
                    frequency: ids.2.0,
                    signatures: Signatures {
                        provider_signature: sig.0,
                        assignment: ch(&sig.1),
                        benefits_assigned: ch(&sig.2),
                        release_of_information: ch(&sig.3),
                    },
                    onset_date: extra.0,
                    prior_authorization: extra.1,
                    payer_claim_control_number: ids.2.1,
                    diagnoses,
                    rendering_provider: rendering.0,
                    service_facility: rendering.1,
                    other_payers: others,
                    lines,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_valid_professional_batch_reads_back_equal(
        claims in prop::collection::vec(professional_claim(), 1..4),
    ) {
        let batches = [batch(claims)];
        let file = write_837p(&samples::interchange_params(9), &batches).unwrap();
        prop_assert_eq!(read_837p(&file).unwrap(), batches);
    }

}
