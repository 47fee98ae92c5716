//! The consumer of coding's feed: each `EncounterReleased` becomes a stored
//! release and its charges, in the transaction that records the event as
//! applied. A release already stored (the same event delivered again, or
//! republished) adds nothing. Nothing in an event's content fails the
//! consumer, since a failing event would stop the feed behind it: what
//! cannot be priced is held with its reason.
//!
//! A release whose charges are all priced is billed at once, in the same
//! transaction, to the patient's primary coverage: the claim is built and
//! scrubbed (HELD with its findings, or READY for the next batch). One that
//! cannot be billed yet (a held charge, no registered patient or coverage)
//! waits for `CreateClaim`.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use medbill_contracts::medbill::coding::v1 as coding;
use medbill_contracts::medbill::common::v1::Event;
use medbill_kernel::{
    CalendarDate, EncounterId, IcdPcs, Modifier, PayerId, ProcedureCode, Timestamp,
};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::consumer::{Consumer, EventHandler};
use medbill_platform::convert;
use medbill_platform::db::{Database, Tx};
use medbill_platform::events;
use medbill_platform::peers::Peer;
use sqlx::AnyConnection;
use tokio::sync::watch;

use super::domain::{
    Charge, ChargeId, ChargeOutcome, Diagnosis, EncounterType, InpatientStay, PresentOnAdmission,
    Release, ReleasedLine,
};
use super::store::{self, ReleaseContext};
use crate::claims;
use crate::pricing::domain::{self as pricing, HoldReason};
use crate::pricing::store as prices;
use crate::registry::coverage::Coverage;
use crate::registry::domain::Patient;
use crate::registry::patients::{self, PatientKey};
use crate::registry::snapshot::{self, Stamp};

/// The consumer's name in the billing database.
pub const CONSUMER: &str = "billing.coding-feed";

/// Follows coding's feed until `stop`.
pub async fn follow_coding(db: Database, coding: Peer, clock: Clock, stop: watch::Receiver<bool>) {
    Consumer::new(CONSUMER, db, ReleaseHandler { clock })
        .follow_peer(coding, stop)
        .await;
}

/// Applies coding's released encounters.
pub struct ReleaseHandler {
    /// Dates the claims it builds.
    pub clock: Clock,
}

#[tonic::async_trait]
impl EventHandler for ReleaseHandler {
    fn event_types(&self) -> Vec<String> {
        vec![events::type_of::<coding::EncounterReleased>()]
    }

    /// By patient: one patient's releases are billed in feed order (a
    /// re-release supersedes or replaces its encounter's claim; the
    /// duplicate check and a prior authorization's visits look at the
    /// patient's other claims), different patients' side by side.
    fn lane(&self, event: &Event) -> Option<String> {
        let released = events::decode::<coding::EncounterReleased>(event).ok()??;
        Some(released.payload.patient_mrn.trim().to_string())
    }

    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<(), ServiceError> {
        let Some(released) = events::decode::<coding::EncounterReleased>(event)? else {
            return Ok(());
        };
        let Some(release) = release_of(released.payload) else {
            tracing::warn!(event_id = %released.event_id, "EncounterReleased without a valid encounter id; skipped");
            return Ok(());
        };
        let Some(captured) = capture(tx, &release, &released.event_id, self.clock.now()).await?
        else {
            return Ok(());
        };
        let cx = claims::service::Context::at(CONSUMER, &self.clock);
        let billed = claims::service::bill_release_with(
            tx,
            &captured.release,
            captured.charges,
            claims::service::Known {
                coverages: &captured.coverages,
                patient: captured.patient.map(|p| (p, captured.stamp)),
            },
            claims::service::Billing {
                rank: 1,
                prior_authorization: "",
            },
            cx,
        )
        .await?;
        match billed {
            claims::service::Billed::Built(claim) => {
                tracing::info!(claim_id = %claim.claim_id, encounter_id = %release.encounter_id, submission = claim.state.submission.as_str(), "claim built");
            }
            claims::service::Billed::Exists(claim_id) => {
                tracing::info!(%claim_id, encounter_id = %release.encounter_id, "claim exists already");
            }
            claims::service::Billed::NotBillable(why) => {
                tracing::info!(encounter_id = %release.encounter_id, why, "release not billed yet");
            }
        }
        Ok(())
    }
}

/// The release an event describes; `None` without a usable encounter id.
pub fn release_of(e: coding::EncounterReleased) -> Option<Release> {
    let encounter_id = EncounterId::parse(&e.encounter_id).ok()?;
    // A malformed range is treated as absent: the lines are then held for
    // want of a date rather than stopping the feed.
    let dates_of_service =
        convert::date_range("dates_of_service", e.dates_of_service.as_ref()).ok();
    let encounter_type = match coding::EncounterType::try_from(e.encounter_type) {
        Ok(coding::EncounterType::Professional) => EncounterType::Professional,
        Ok(coding::EncounterType::Outpatient) => EncounterType::Outpatient,
        Ok(coding::EncounterType::Inpatient) => EncounterType::Inpatient,
        Ok(coding::EncounterType::Unspecified) | Err(_) => EncounterType::Unspecified,
    };
    let first_day = dates_of_service.map(|d| d.start());
    let lines: Vec<ReleasedLine> = e
        .lines
        .into_iter()
        .map(|l| ReleasedLine {
            date_of_service: convert::optional_date("date_of_service", l.date_of_service.as_ref())
                .ok()
                .flatten()
                .or(first_day),
            code: l.code.trim().to_ascii_uppercase(),
            // As the store reads them back: no empty items.
            modifiers: l
                .modifiers
                .iter()
                .map(|m| m.trim().to_ascii_uppercase())
                .filter(|m| !m.is_empty())
                .collect(),
            units: l.units,
            diagnosis_pointers: l.diagnosis_pointers,
            revenue_code: l.revenue_code.trim().to_string(),
        })
        .collect();
    // An inpatient stay's ICD-10-PCS procedures are coded as lines; they go
    // on the claim as procedures (HI BBR/BBQ), not into charges.
    let (procedures, lines): (Vec<ReleasedLine>, Vec<ReleasedLine>) = lines
        .into_iter()
        .partition(|l| encounter_type == EncounterType::Inpatient && is_icd10_pcs(l));
    let procedures = procedures
        .into_iter()
        .filter_map(|p| Some((p.code, p.date_of_service?)))
        .collect();
    let inpatient = match (encounter_type, e.inpatient_stay) {
        (EncounterType::Inpatient, Some(stay)) => Some(InpatientStay {
            admission_hour: u8::try_from(stay.admission_hour).unwrap_or(u8::MAX),
            admission_type: stay.admission_type.trim().to_string(),
            admission_source: stay.admission_source.trim().to_string(),
            discharge_hour: u8::try_from(stay.discharge_hour).unwrap_or(u8::MAX),
            discharge_status: stay.discharge_status.trim().to_string(),
        }),
        _ => None,
    };
    Some(Release {
        encounter_id,
        release_number: e.release_number.max(1),
        patient_mrn: e.patient_mrn.trim().to_string().into(),
        rendering_provider_npi: e.rendering_provider_npi.trim().to_string(),
        dates_of_service,
        place_of_service: e.place_of_service.trim().to_string(),
        encounter_type,
        diagnoses: e
            .diagnoses
            .into_iter()
            .map(|d| Diagnosis {
                code: d.code.replace('.', "").to_ascii_uppercase(),
                // Coding refuses any other value; one that slipped through
                // counts as none, which the scrubber holds an inpatient
                // claim for, rather than stopping the feed.
                present_on_admission: PresentOnAdmission::parse(
                    &d.present_on_admission.trim().to_ascii_uppercase(),
                ),
            })
            // As the store reads them back: no empty codes.
            .filter(|d| !d.code.is_empty())
            .collect(),
        lines,
        replaces_claim_id: e.replaces_claim_id.trim().to_string(),
        payer_id: e.payer_id.trim().to_string(),
        facility_npi: e.facility_npi.trim().to_string(),
        inpatient,
        procedures,
    })
}

/// Whether a line carries an ICD-10-PCS code rather than a CPT/HCPCS one.
fn is_icd10_pcs(line: &ReleasedLine) -> bool {
    ProcedureCode::parse(&line.code).is_err() && IcdPcs::parse(&line.code).is_ok()
}

/// A release as [`capture`] stored it, with what billing it needs: its
/// charges and the patient's coverages, as the store would read them back.
pub struct Captured {
    /// The release as stored.
    pub release: claims::store::StoredRelease,
    /// Its charges, in line order.
    pub charges: Vec<Charge>,
    /// The registered patient's coverages, by rank then registration.
    pub coverages: Vec<Coverage>,
    /// The registered patient.
    pub patient: Option<Patient>,
    /// Where the registry stood when the patient was read.
    pub stamp: Stamp,
}

/// Stores `release` and its charges unless it is stored already (`None`
/// when it was).
pub async fn capture(
    tx: &mut Tx,
    release: &Release,
    event_id: &str,
    received_at: Timestamp,
) -> Result<Option<Captured>, ServiceError> {
    let (patient, stamp) =
        patients::patient_and_registry(tx, PatientKey::Mrn(release.patient_mrn.expose())).await?;
    let coverages = match &patient {
        Some(p) => patients::coverages(tx, &p.patient_id).await?,
        None => Vec::new(),
    };
    let coding_payer = PayerId::parse(&release.payer_id).ok();
    let payers: Vec<Option<PayerId>> = release
        .lines
        .iter()
        .map(|line| match line.date_of_service {
            Some(day) => payer_on(&coverages, day).or(coding_payer.clone()),
            None => coding_payer.clone(),
        })
        .collect();
    let first_payer = payers.first().cloned().flatten();
    let lists = PriceLists::read(tx, &stamp, &release.lines, &payers).await?;
    let mut charges = Vec::with_capacity(release.lines.len());
    for (i, (line, payer)) in release.lines.iter().zip(&payers).enumerate() {
        let outcome = lists.price(line, payer.as_ref());
        charges.push(Charge {
            charge_id: ChargeId::new(),
            encounter_id: release.encounter_id.clone(),
            release_number: release.release_number,
            line_number: i as u32 + 1,
            patient_id: patient.as_ref().map(|p| p.patient_id.clone()),
            code: line.code.clone(),
            modifiers: line.modifiers.clone(),
            units: line.units,
            diagnosis_pointers: line.diagnosis_pointers.clone(),
            date_of_service: line.date_of_service,
            outcome,
            claim_id: None,
        });
    }
    let context = ReleaseContext {
        patient_id: patient.as_ref().map(|p| &p.patient_id),
        payer_id: first_payer.as_ref().map(PayerId::as_str),
        event_id,
        received_at,
    };
    if !store::insert_release(tx, release, &context).await? {
        tracing::info!(encounter_id = %release.encounter_id, release = release.release_number, "release stored already");
        return Ok(None);
    }
    store::insert_charges(tx, &charges).await?;
    let held = charges
        .iter()
        .filter(|c| matches!(c.outcome, ChargeOutcome::Held(_)))
        .count();
    tracing::info!(encounter_id = %release.encounter_id, release = release.release_number, charges = charges.len(), held, "release captured");
    let stored = claims::store::StoredRelease {
        encounter_id: release.encounter_id.clone(),
        release_number: release.release_number,
        patient_id: patient.as_ref().map(|p| p.patient_id.clone()),
        rendering_provider_npi: release.rendering_provider_npi.clone(),
        dates: release.dates_of_service,
        place_of_service: release.place_of_service.clone(),
        encounter_type: release.encounter_type,
        diagnoses: release.diagnoses.clone(),
        replaces_claim_id: release.replaces_claim_id.clone(),
        facility_npi: release.facility_npi.clone(),
        inpatient: release.inpatient.clone(),
        procedures: release.procedures.clone(),
    };
    Ok(Some(Captured {
        release: stored,
        charges,
        coverages,
        patient,
        stamp,
    }))
}

/// The payer of the primary coverage in force on `day`.
fn payer_on(coverages: &[Coverage], day: CalendarDate) -> Option<PayerId> {
    coverages
        .iter()
        .find(|c| c.rank == 1 && c.in_force_on(day))
        .map(|c| c.payer_id.clone())
}

/// A line's code, modifiers and date when it can be priced at all, else
/// why it is held.
fn priceable(
    line: &ReleasedLine,
) -> Result<(ProcedureCode, Vec<Modifier>, CalendarDate), HoldReason> {
    let Ok(code) = ProcedureCode::parse(&line.code) else {
        return Err(HoldReason::NotAProcedureCode);
    };
    let Some(day) = line.date_of_service else {
        return Err(HoldReason::NoDateOfService);
    };
    if line.units == 0 {
        return Err(HoldReason::NoUnits);
    }
    let modifiers: Vec<Modifier> = line
        .modifiers
        .iter()
        .filter_map(|m| Modifier::parse(m).ok())
        .collect();
    Ok((code, modifiers, day))
}

/// The charge master and fee schedule lines one release is priced from:
/// read once per date of service (and payer's schedule) for all the
/// release's codes, not per line.
struct PriceLists {
    /// The charge master in force on each date of service, its lines of
    /// the release's codes.
    masters: HashMap<CalendarDate, Option<pricing::ChargeMaster>>,
    /// Each payer's fee schedule, if it has one.
    schedule_of: HashMap<PayerId, Option<String>>,
    /// Each fee schedule in force on each date of service, its lines of
    /// the release's codes.
    schedules: HashMap<(String, CalendarDate), Option<pricing::FeeSchedule>>,
}

impl PriceLists {
    /// Reads what pricing `lines` needs; `payers` holds each line's payer.
    async fn read(
        conn: &mut AnyConnection,
        stamp: &Stamp,
        lines: &[ReleasedLine],
        payers: &[Option<PayerId>],
    ) -> Result<PriceLists, ServiceError> {
        let mut codes_on: BTreeMap<CalendarDate, Vec<ProcedureCode>> = BTreeMap::new();
        let mut payer_days: Vec<(&PayerId, CalendarDate)> = Vec::new();
        for (line, payer) in lines.iter().zip(payers) {
            let Ok((code, _, day)) = priceable(line) else {
                continue;
            };
            let codes = codes_on.entry(day).or_default();
            if !codes.contains(&code) {
                codes.push(code);
            }
            if let Some(payer_id) = payer
                && !payer_days.contains(&(payer_id, day))
            {
                payer_days.push((payer_id, day));
            }
        }
        let mut lists = PriceLists {
            masters: HashMap::new(),
            schedule_of: HashMap::new(),
            schedules: HashMap::new(),
        };
        for (day, codes) in &codes_on {
            let master = prices::charge_master(conn, *day, codes).await?;
            lists.masters.insert(*day, master);
        }
        for (payer_id, day) in payer_days {
            let schedule_id = match lists.schedule_of.get(payer_id) {
                Some(known) => known.clone(),
                None => {
                    let id = snapshot::find_payer(conn, stamp, payer_id)
                        .await?
                        .and_then(|p| p.fee_schedule_id);
                    lists.schedule_of.insert(payer_id.clone(), id.clone());
                    id
                }
            };
            let Some(schedule_id) = schedule_id else {
                continue;
            };
            if let Entry::Vacant(slot) = lists.schedules.entry((schedule_id, day)) {
                let codes = codes_on.get(&day).map(Vec::as_slice).unwrap_or_default();
                let schedule = prices::fee_schedule(conn, &slot.key().0, day, codes).await?;
                slot.insert(schedule);
            }
        }
        Ok(lists)
    }

    /// Prices one line on its date of service for `payer_id`.
    fn price(&self, line: &ReleasedLine, payer_id: Option<&PayerId>) -> ChargeOutcome {
        let (code, modifiers, day) = match priceable(line) {
            Ok(p) => p,
            Err(reason) => return ChargeOutcome::Held(reason),
        };
        let master_entry = self
            .masters
            .get(&day)
            .and_then(Option::as_ref)
            .and_then(|m| pricing::pick(&m.entries, |e| &e.key, &code, &modifiers));
        let schedule = payer_id
            .and_then(|p| self.schedule_of.get(p))
            .and_then(Option::as_ref)
            .and_then(|id| self.schedules.get(&(id.clone(), day)))
            .and_then(Option::as_ref);
        let fee = schedule.and_then(|s| {
            pricing::pick(&s.entries, |e| &e.key, &code, &modifiers)
                .map(|e| (e, s.conversion_factor))
        });
        match pricing::price(line.units, master_entry, fee) {
            Ok(priced) => ChargeOutcome::Priced {
                amount: priced.amount,
                // Coding's revenue code for an institutional line wins over
                // the charge master's default for the code.
                revenue_code: if line.revenue_code.is_empty() {
                    priced
                        .revenue_code
                        .map(|r| r.as_str().to_string())
                        .unwrap_or_default()
                } else {
                    line.revenue_code.clone()
                },
            },
            Err(reason) => ChargeOutcome::Held(reason),
        }
    }
}
