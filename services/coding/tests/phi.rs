//! Patient data never reaches a log: the `Debug` form of an encounter, and a
//! tracing event that records one, hold neither the MRN nor the clinical
//! documentation (which names the patient).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use medbill_coding::encounters::domain::{
    Coding, Diagnosis, Encounter, EncounterStatus, EncounterType, NewEncounter, Priority,
    ProcedureLine, Sex,
};
use medbill_kernel::{Npi, Redacted};

const MRN: &str = "MRN-7731-0042";
const NAME: &str = "Jane Roe";
const NOTE: &str = "Jane Roe, 54, presents with crushing chest pain radiating to the left arm.";

fn encounter() -> Encounter {
    let dos = "2026-06-01".parse().unwrap();
    let coding = Coding {
        diagnoses: vec![Diagnosis {
            code: "R079".into(),
            present_on_admission: String::new(),
        }],
        lines: vec![ProcedureLine {
            code: "99284".into(),
            modifiers: vec![],
            units: 1,
            diagnosis_pointers: vec![1],
            date_of_service: dos,
            revenue_code: String::new(),
        }],
    };
    Encounter {
        encounter_id: "0190d9a0-0000-7000-8000-000000000001".into(),
        intake: NewEncounter {
            source_system: "ehr".into(),
            source_encounter_id: "E-1".into(),
            patient_mrn: Redacted::new(MRN.into()),
            patient_age_years: 54,
            patient_sex: Sex::Female,
            rendering_provider_npi: Npi::parse("1234567893").unwrap(),
            dos_start: dos,
            dos_end: dos,
            place_of_service: "23".into(),
            encounter_type: EncounterType::Professional,
            documentation: Redacted::new(NOTE.into()),
            proposed: coding.clone(),
            priority: Priority::Routine,
            payer_id: String::new(),
            facility_npi: String::new(),
            inpatient_stay: None,
        },
        coding,
        status: EncounterStatus::InProgress,
        priority: Priority::Routine,
        assigned_coder: Some("ann".into()),
        findings: vec![],
        queries: vec![],
        rework: None,
        received_at: "2026-06-01T10:00:00.000000Z".into(),
        released_at: None,
        version: 1,
        release_count: 0,
    }
}

fn assert_no_phi(text: &str) {
    for secret in [MRN, NAME, "chest pain"] {
        assert!(!text.contains(secret), "{secret:?} leaked into: {text}");
    }
}

#[test]
fn the_debug_form_of_an_encounter_shows_no_mrn_name_or_documentation() {
    let shown = format!("{:?}", encounter());
    assert_no_phi(&shown);
    // The non-PHI parts are still there to debug with.
    assert!(shown.contains("R079"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    // And the values are intact for the code that must use them.
    assert_eq!(encounter().intake.patient_mrn.expose(), MRN);
}

/// Collects what a tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_tracing_event_recording_an_encounter_shows_no_mrn_name_or_documentation() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .json()
        .finish();
    let encounter = encounter();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(?encounter, mrn = ?encounter.intake.patient_mrn, "encounter saved");
        tracing::warn!(documentation = %encounter.intake.documentation, "suggestion failed");
    });
    let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("encounter saved"), "{logged}");
    assert!(logged.contains("suggestion failed"), "{logged}");
    assert_no_phi(&logged);
}
