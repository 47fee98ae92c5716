//! Building and scrubbing claims, in the caller's transaction: the charge
//! capture consumer bills each release it stores, `CreateClaim` bills by
//! hand, `ScrubClaim` and `CreateBatch` scrub again. A claim for codes its
//! payer wants authorized takes a registered prior authorization's number.

use medbill_kernel::{
    CalendarDate, ClaimId, EncounterId, Money, Npi, PatientId, PayerId, Timestamp,
};
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use sqlx::AnyConnection;

use super::cob::OtherPayer;
use super::domain::{
    Adjudication, Claim, ClaimLine, ClaimState, ClaimType, Dimension, Frequency, Lifecycle,
    Submission, line_control_number, patient_control_number,
};
use super::store::{self, Cause, StoredRelease};
use crate::charges::domain::{Charge, ChargeOutcome, EncounterType};
use crate::charges::store::{self as charge_store, ChargeFilter};
use crate::eligibility;
use crate::registry::coverage::{Coverage, CoverageId};
use crate::registry::domain::{Patient, Payer, Provider};
use crate::registry::facilities::Facility;
use crate::registry::profile::SubmitterProfile;
use crate::registry::{authorizations, patients, snapshot};
use crate::scrubber::{self, CATALOG, CodingFinding, Facts, PayerRules};

/// Who bills and when.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The user or service acting.
    pub actor: &'a str,
    /// Now.
    pub now: Timestamp,
    /// Today in the service's time zone.
    pub today: CalendarDate,
}

impl<'a> Context<'a> {
    /// `actor` acting now, by `clock`.
    pub fn at(actor: &'a str, clock: &Clock) -> Self {
        Context {
            actor,
            now: clock.now(),
            today: clock.today(),
        }
    }
}

/// What billing a release came to.
#[derive(Debug)]
pub enum Billed {
    /// A new claim.
    Built(Box<Claim>),
    /// The claim exists already.
    Exists(ClaimId),
    /// It cannot be billed yet, and why.
    NotBillable(String),
}

/// The most lines a release may have (a claim carries at most 50 on an
/// 837P and 999 on an 837I; longer encounters are split by coding).
const MAX_CHARGES: i64 = 999;

/// Which coverage a release is billed to, and with which authorization.
#[derive(Debug, Clone, Copy)]
pub struct Billing<'a> {
    /// The payer rank of the coverage (1 primary).
    pub rank: u8,
    /// The prior authorization number to send; empty: the one an earlier
    /// claim of the encounter carries, else one registered for the lines.
    pub prior_authorization: &'a str,
}

/// Bills `release` to the patient's coverage at `rank`.
pub async fn bill_release(
    conn: &mut AnyConnection,
    release: &StoredRelease,
    rank: u8,
    prior_authorization: &str,
    cx: Context<'_>,
) -> Result<Billed, ServiceError> {
    let Some(patient_id) = &release.patient_id else {
        return Ok(not_registered());
    };
    let charges = charge_store::charges(
        conn,
        &ChargeFilter {
            encounter_id: Some(release.encounter_id.clone()),
            ..Default::default()
        },
        None,
        MAX_CHARGES * 8,
    )
    .await?;
    let coverages = patients::coverages(conn, patient_id).await?;
    let billing = Billing {
        rank,
        prior_authorization,
    };
    let known = Known {
        coverages: &coverages,
        patient: None,
    };
    bill_release_with(conn, release, charges, known, billing, cx).await
}

fn not_registered() -> Billed {
    Billed::NotBillable("no registered patient has the encounter's MRN".into())
}

/// What billing a release reads that its caller may have read already in
/// the same transaction.
pub struct Known<'a> {
    /// The patient's coverages, by rank then registration.
    pub coverages: &'a [Coverage],
    /// The patient and where the registry stood when it was read; `None`
    /// reads them.
    pub patient: Option<(Patient, snapshot::Stamp)>,
}

/// Bills `release` as [`bill_release`] does, given the encounter's charges
/// (of every release) and what else the caller read (`known`).
pub async fn bill_release_with(
    conn: &mut AnyConnection,
    release: &StoredRelease,
    charges: Vec<Charge>,
    known: Known<'_>,
    billing: Billing<'_>,
    cx: Context<'_>,
) -> Result<Billed, ServiceError> {
    let coverages = known.coverages;
    let Billing {
        rank,
        prior_authorization,
    } = billing;
    let Some(patient_id) = &release.patient_id else {
        return Ok(not_registered());
    };
    let mut charges: Vec<_> = charges
        .into_iter()
        .filter(|c| c.release_number == release.release_number)
        .collect();
    charges.sort_by_key(|c| c.line_number);
    if charges.is_empty() {
        return Ok(Billed::NotBillable("the release has no charges".into()));
    }
    let mut lines = Vec::with_capacity(charges.len());
    for c in &charges {
        match (&c.outcome, c.date_of_service) {
            (
                ChargeOutcome::Priced {
                    amount,
                    revenue_code,
                },
                Some(day),
            ) => lines.push((c, *amount, revenue_code.clone(), day)),
            (ChargeOutcome::Held(reason), _) => {
                return Ok(Billed::NotBillable(format!(
                    "line {} ({}) is held: {}",
                    c.line_number,
                    c.code,
                    reason.as_str()
                )));
            }
            (_, None) => {
                return Ok(Billed::NotBillable(format!(
                    "line {} ({}) has no date of service",
                    c.line_number, c.code
                )));
            }
        }
    }
    let first_day = lines.iter().map(|l| l.3).min().unwrap_or(cx.today);
    let last_day = lines.iter().map(|l| l.3).max().unwrap_or(first_day);
    let dates = release.dates.unwrap_or(
        medbill_kernel::DateRange::new(first_day, Some(last_day))
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
    );
    let at_rank: Vec<_> = coverages.iter().filter(|c| c.rank == rank).collect();
    let Some(coverage) = at_rank
        .iter()
        .find(|c| c.in_force_on(first_day))
        .or(at_rank.first())
        .copied()
    else {
        return Ok(Billed::NotBillable(format!(
            "the patient has no coverage at rank {rank}"
        )));
    };
    let standing = store::standing_claims(conn, &release.encounter_id, rank).await?;
    if let Some(same) = standing
        .iter()
        .find(|c| c.release_number == release.release_number && c.frequency != Frequency::Void)
    {
        return Ok(Billed::Exists(same.claim_id.clone()));
    }
    // An earlier claim of the encounter: one the payer never received is
    // superseded here; one it did is replaced by a frequency-7 claim.
    let named = ClaimId::parse(&release.replaces_claim_id).ok();
    let mut replaces = None;
    for earlier in standing.iter().filter(|c| c.frequency != Frequency::Void) {
        let reached_payer = matches!(
            earlier.state.submission,
            Submission::Submitted | Submission::Accepted
        ) || earlier.state.adjudication != Adjudication::Pending;
        if reached_payer {
            if replaces.is_none() || named.as_ref() == Some(&earlier.claim_id) {
                replaces = Some(earlier);
            }
        } else {
            store::transition(
                conn,
                &earlier.claim_id,
                Dimension::Lifecycle,
                Lifecycle::Active.as_str(),
                Lifecycle::Replaced.as_str(),
                Cause {
                    actor: cx.actor,
                    reason: &format!(
                        "superseded by release {} before reaching the payer",
                        release.release_number
                    ),
                    at: cx.now,
                },
            )
            .await?;
        }
    }
    let basis = match known.patient {
        Some((patient, stamp)) if &patient.patient_id == patient_id => {
            ScrubBasis::assemble(
                conn,
                patient,
                &stamp,
                coverage.clone(),
                &release.rendering_provider_npi,
                &release.facility_npi,
            )
            .await?
        }
        _ => {
            ScrubBasis::load(
                conn,
                patient_id,
                coverage.clone(),
                &release.rendering_provider_npi,
                &release.facility_npi,
            )
            .await?
        }
    };
    let claim_type = match release.encounter_type {
        EncounterType::Outpatient | EncounterType::Inpatient => ClaimType::Institutional,
        EncounterType::Professional | EncounterType::Unspecified => ClaimType::Professional,
    };
    let frequency = if replaces.is_some() {
        Frequency::Replacement
    } else {
        Frequency::Original
    };
    let pcn = patient_control_number(store::next_patient_control(conn).await?);
    let billing_provider_npi = basis
        .billing_provider
        .as_ref()
        .map(|p| p.npi.as_str().to_string())
        .unwrap_or_default();
    let type_of_bill = match release.encounter_type {
        EncounterType::Inpatient => format!("11{}", frequency.as_str()),
        EncounterType::Outpatient => format!("13{}", frequency.as_str()),
        _ => String::new(),
    };
    let claim_lines: Vec<ClaimLine> = lines
        .iter()
        .enumerate()
        .map(|(i, (c, amount, revenue_code, day))| ClaimLine {
            line_number: i as u32 + 1,
            line_control_number: line_control_number(&pcn, i as u32 + 1),
            charge_id: c.charge_id.clone(),
            code: c.code.clone(),
            modifiers: c.modifiers.clone(),
            units: c.units,
            charge: *amount,
            diagnosis_pointers: c.diagnosis_pointers.clone(),
            date_of_service: *day,
            revenue_code: revenue_code.clone(),
            paid: Money::ZERO,
        })
        .collect();
    // A later release of the encounter bills the same visit: it keeps the
    // authorization an earlier claim of it carries, using no other visit.
    let earlier_authorization = standing
        .iter()
        .filter(|c| c.frequency != Frequency::Void)
        .map(|c| c.prior_authorization.as_str())
        .find(|a| !a.is_empty());
    let prior_authorization = match (prior_authorization, earlier_authorization) {
        ("", Some(earlier)) => earlier.to_string(),
        ("", None) => authorization_for(
            conn,
            patient_id,
            &coverage.payer_id,
            &basis.payer_rules,
            &claim_lines,
        )
        .await?
        .unwrap_or_default(),
        (given, _) => given.to_string(),
    };
    let total_charge = claim_lines
        .iter()
        .map(|l| l.charge)
        .sum::<Result<Money, _>>()
        .map_err(|e| ServiceError::invalid("lines", e.to_string()))?;
    let mut claim = Claim {
        claim_id: ClaimId::new(),
        encounter_id: release.encounter_id.clone(),
        release_number: release.release_number,
        patient_id: patient_id.clone(),
        coverage_id: coverage.coverage_id.clone(),
        payer_id: coverage.payer_id.clone(),
        payer_rank: rank,
        claim_type,
        patient_control_number: pcn,
        frequency,
        replaces_claim_id: replaces.map(|c| c.claim_id.clone()),
        payer_claim_number: replaces
            .map(|c| c.payer_claim_number.clone())
            .unwrap_or_default(),
        billing_provider_npi,
        rendering_provider_npi: release.rendering_provider_npi.clone(),
        service_facility_npi: release.facility_npi.clone(),
        inpatient: release.inpatient.clone(),
        procedures: release.procedures.clone(),
        place_of_service: release.place_of_service.clone(),
        type_of_bill,
        diagnoses: release.diagnoses.clone(),
        prior_authorization,
        total_charge,
        dates,
        state: ClaimState::new(true),
        batch_id: String::new(),
        created_at: cx.now,
        submitted_at: None,
        paid: Money::ZERO,
        patient_responsibility: Money::ZERO,
        lines: claim_lines,
        findings: Vec::new(),
    };
    claim.findings = basis
        .scrub(conn, &claim, release.encounter_type, &[], cx.today)
        .await?;
    claim.state = ClaimState::new(!claim.has_errors());
    let reason = built_from(release);
    store::insert_claim(
        conn,
        &claim,
        cx.actor,
        &reason,
        Some((&release.encounter_id, release.release_number)),
    )
    .await?;
    Ok(Billed::Built(Box::new(claim)))
}

/// Why a claim built from `release` exists, as its history says.
pub fn built_from(release: &StoredRelease) -> String {
    format!(
        "built from release {} of encounter {}",
        release.release_number, release.encounter_id
    )
}

/// The number of a registered prior authorization covering the lines whose
/// codes the payer wants authorized (one of its visits used), if the payer
/// wants any and one covers them.
async fn authorization_for(
    conn: &mut AnyConnection,
    patient_id: &PatientId,
    payer_id: &PayerId,
    rules: &PayerRules,
    lines: &[ClaimLine],
) -> Result<Option<String>, ServiceError> {
    let needing: Vec<(&str, CalendarDate)> = lines
        .iter()
        .filter(|l| rules.authorization_required_codes.contains(&l.code))
        .map(|l| (l.code.as_str(), l.date_of_service))
        .collect();
    let taken = authorizations::take_for_claim(conn, patient_id, payer_id, &needing).await?;
    Ok(taken.map(|a| a.number))
}

/// Runs the catalog over `claim` with the facts in the database.
pub async fn scrub(
    conn: &mut AnyConnection,
    claim: &Claim,
    encounter_type: EncounterType,
    coding_findings: &[CodingFinding],
    today: CalendarDate,
) -> Result<Vec<scrubber::Finding>, ServiceError> {
    ScrubBasis::for_claim(conn, claim)
        .await?
        .scrub(conn, claim, encounter_type, coding_findings, today)
        .await
}

/// The registry facts a claim is scrubbed against, loaded once per claim
/// (building a claim reads them for the claim itself too).
pub struct ScrubBasis {
    /// The claim's payer.
    pub payer: Payer,
    /// The coverage billed.
    pub coverage: Coverage,
    /// The patient.
    pub patient: Patient,
    profile: Option<SubmitterProfile>,
    /// The billing organization the submitter profile names.
    pub billing_provider: Option<Provider>,
    /// The rendering provider, when registered.
    pub rendering_provider: Option<Provider>,
    /// The service facility, when the claim names one.
    pub service_facility: Option<Facility>,
    payer_rules: PayerRules,
    /// The payer before this one, for a secondary claim.
    pub other: Option<OtherPayer>,
}

impl ScrubBasis {
    /// The facts a stored claim is scrubbed against (a batch sends the
    /// claim with the same ones).
    pub async fn for_claim(
        conn: &mut AnyConnection,
        claim: &Claim,
    ) -> Result<ScrubBasis, ServiceError> {
        ScrubBasis::for_claims(conn, std::slice::from_ref(claim))
            .await?
            .pop()
            .ok_or_else(|| ServiceError::Internal("no scrub basis for the claim".into()))
    }

    /// [`ScrubBasis::for_claim`] of each of `claims`, in their order, with
    /// their patients and coverages read in one query each.
    pub async fn for_claims(
        conn: &mut AnyConnection,
        claims: &[Claim],
    ) -> Result<Vec<ScrubBasis>, ServiceError> {
        // A secondary claim's primary payer, coverage and adjudication are
        // read for all the claims at once, with their own.
        let primaries = super::cob::primaries_of(conn, claims).await?;
        let patient_ids: Vec<&PatientId> = claims.iter().map(|c| &c.patient_id).collect();
        let mut coverage_ids: Vec<&CoverageId> = claims.iter().map(|c| &c.coverage_id).collect();
        coverage_ids.extend(primaries.iter().flatten().map(|p| &p.coverage_id));
        let registered =
            patients::patients_and_coverages(conn, &patient_ids, &coverage_ids).await?;
        let primary_ids: Vec<ClaimId> = primaries
            .iter()
            .flatten()
            .map(|p| p.claim_id.clone())
            .collect();
        let adjudications = if primary_ids.is_empty() {
            Default::default()
        } else {
            crate::denials::store::latest_adjudications(conn, &primary_ids).await?
        };
        let mut bases = Vec::with_capacity(claims.len());
        for (claim, primary) in claims.iter().zip(primaries) {
            let coverage = registered
                .coverages
                .get(claim.coverage_id.as_str())
                .cloned()
                .ok_or_else(|| ServiceError::not_found("coverage", claim.coverage_id.as_str()))?;
            let patient = registered
                .patients
                .get(claim.patient_id.as_str())
                .cloned()
                .ok_or_else(|| ServiceError::not_found("patient", claim.patient_id.as_str()))?;
            let mut basis = ScrubBasis::assemble(
                conn,
                patient,
                &registered.stamp,
                coverage,
                &claim.rendering_provider_npi,
                &claim.service_facility_npi,
            )
            .await?;
            basis.other = match primary {
                Some(primary) => match adjudications.get(primary.claim_id.as_str()) {
                    Some(adjudication) => Some(OtherPayer {
                        payer: snapshot::payer(conn, &registered.stamp, &primary.payer_id).await?,
                        coverage: registered
                            .coverages
                            .get(primary.coverage_id.as_str())
                            .cloned()
                            .ok_or_else(|| {
                                ServiceError::not_found("coverage", primary.coverage_id.as_str())
                            })?,
                        adjudication: adjudication.clone(),
                        primary_claim_id: primary.claim_id,
                    }),
                    None => None,
                },
                None => None,
            };
            bases.push(basis);
        }
        Ok(bases)
    }

    /// The facts for a claim of `patient_id` to `coverage`, rendered by
    /// `rendering_npi` at the facility `facility_npi` (empty: none).
    pub async fn load(
        conn: &mut AnyConnection,
        patient_id: &PatientId,
        coverage: Coverage,
        rendering_npi: &str,
        facility_npi: &str,
    ) -> Result<ScrubBasis, ServiceError> {
        let (patient, stamp) =
            patients::patient_and_registry(conn, patients::PatientKey::Id(patient_id)).await?;
        let patient =
            patient.ok_or_else(|| ServiceError::not_found("patient", patient_id.as_str()))?;
        ScrubBasis::assemble(conn, patient, &stamp, coverage, rendering_npi, facility_npi).await
    }

    /// The facts around `patient` and `coverage` from the registry as it
    /// stood at `stamp` (kept in memory; read when the copy is older).
    pub async fn assemble(
        conn: &mut AnyConnection,
        patient: Patient,
        stamp: &snapshot::Stamp,
        coverage: Coverage,
        rendering_npi: &str,
        facility_npi: &str,
    ) -> Result<ScrubBasis, ServiceError> {
        let payer = snapshot::payer(conn, stamp, &coverage.payer_id).await?;
        let profile = snapshot::submitter_profile(conn, stamp).await?;
        let billing_provider = match &profile {
            Some(p) => snapshot::provider_by_id(conn, stamp, &p.billing_provider_id).await?,
            None => None,
        };
        let rendering_provider = match Npi::parse(rendering_npi) {
            Ok(npi) => snapshot::provider_by_npi(conn, stamp, &npi).await?,
            Err(_) => None,
        };
        let service_facility = match Npi::parse(facility_npi) {
            Ok(npi) => snapshot::facility_by_npi(conn, stamp, &npi).await?,
            Err(_) => None,
        };
        let payer_rules = snapshot::payer_rules(conn, stamp, &coverage.payer_id).await?;
        Ok(ScrubBasis {
            payer,
            coverage,
            patient,
            profile,
            billing_provider,
            rendering_provider,
            service_facility,
            payer_rules,
            other: None,
        })
    }

    /// Runs the catalog over `claim`.
    pub async fn scrub(
        &self,
        conn: &mut AnyConnection,
        claim: &Claim,
        encounter_type: EncounterType,
        coding_findings: &[CodingFinding],
        today: CalendarDate,
    ) -> Result<Vec<scrubber::Finding>, ServiceError> {
        let mut reads = ScrubReads::for_claims(conn, &[claim]).await?;
        Ok(self.scrub_with(
            claim,
            encounter_type,
            coding_findings,
            today,
            reads.pop().unwrap_or_default(),
        ))
    }

    /// Runs the catalog over `claim` with what [`ScrubReads`] read for it.
    pub fn scrub_with(
        &self,
        claim: &Claim,
        encounter_type: EncounterType,
        coding_findings: &[CodingFinding],
        today: CalendarDate,
        reads: ScrubReads,
    ) -> Vec<scrubber::Finding> {
        let facts = Facts {
            claim,
            payer: &self.payer,
            coverage: &self.coverage,
            patient: &self.patient,
            profile: self.profile.as_ref(),
            billing_provider: self.billing_provider.as_ref(),
            rendering_provider: self.rendering_provider.as_ref(),
            service_facility: self.service_facility.as_ref(),
            other_payer: self.other.as_ref().map(OtherPayer::facts),
            encounter_type,
            payer_rules: &self.payer_rules,
            duplicates: &reads.duplicates,
            inactive_on: &reads.inactive_on,
            coding_findings,
            today,
        };
        scrubber::scrub(CATALOG, &facts)
    }
}

/// What the scrubber reads about a claim beyond its registry facts: the
/// claims it duplicates and the days of service the latest 271 for its
/// coverage says the coverage was inactive.
#[derive(Debug, Default)]
pub struct ScrubReads {
    /// Claims of another encounter billing the same visit.
    pub duplicates: Vec<ClaimId>,
    /// Days of service (sorted) the coverage was answered inactive.
    pub inactive_on: Vec<CalendarDate>,
}

impl ScrubReads {
    /// The reads of each of `claims`, in their order, in two queries for
    /// all of them.
    pub async fn for_claims(
        conn: &mut AnyConnection,
        claims: &[&Claim],
    ) -> Result<Vec<ScrubReads>, ServiceError> {
        let duplicates = store::duplicates_of_each(conn, claims).await?;
        let mut keys = Vec::new();
        for claim in claims {
            for line in &claim.lines {
                keys.push((&claim.coverage_id, line.date_of_service));
            }
        }
        let inactive = eligibility::store::inactive_on(conn, &keys).await?;
        Ok(claims
            .iter()
            .zip(duplicates)
            .map(|(claim, duplicates)| {
                let mut days: Vec<CalendarDate> = claim
                    .lines
                    .iter()
                    .map(|l| l.date_of_service)
                    .filter(|day| {
                        inactive.contains(&(claim.coverage_id.as_str().to_string(), *day))
                    })
                    .collect();
                days.sort();
                days.dedup();
                ScrubReads {
                    duplicates,
                    inactive_on: days,
                }
            })
            .collect())
    }
}

/// Scrubs a stored claim again and moves it between HELD and READY (a
/// rejected claim goes back to READY once clean, to be sent again as an
/// original). Claims on their way to or at the payer are not scrubbed.
pub async fn rescrub(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
    coding_findings: &[CodingFinding],
    cx: Context<'_>,
) -> Result<Claim, ServiceError> {
    let mut claim = store::require_claim(conn, claim_id).await?;
    if claim.state.lifecycle != Lifecycle::Active {
        return Err(ServiceError::FailedPrecondition(format!(
            "claim {claim_id} is {}",
            claim.state.lifecycle.as_str()
        )));
    }
    let before = claim.state.submission;
    if !matches!(
        before,
        Submission::Held | Submission::Ready | Submission::Rejected
    ) {
        return Err(ServiceError::FailedPrecondition(format!(
            "claim {claim_id} is {}; only held, ready or rejected claims are scrubbed",
            before.as_str()
        )));
    }
    let encounter_type = encounter_type_of(conn, &claim.encounter_id, claim.release_number).await?;
    let findings = scrub(conn, &claim, encounter_type, coding_findings, cx.today).await?;
    store::replace_findings(conn, claim_id, &findings).await?;
    claim.findings = findings;
    let after = if claim.has_errors() {
        Submission::Held
    } else {
        Submission::Ready
    };
    let errors: Vec<&str> = claim
        .findings
        .iter()
        .filter(|f| f.is_error())
        .map(|f| f.rule_id.as_str())
        .collect();
    let reason = if errors.is_empty() {
        "scrubbed clean".to_string()
    } else {
        format!("scrubber errors: {}", errors.join(", "))
    };
    store::transition(
        conn,
        claim_id,
        Dimension::Submission,
        before.as_str(),
        after.as_str(),
        Cause {
            actor: cx.actor,
            reason: &reason,
            at: cx.now,
        },
    )
    .await?;
    claim.state.submission = after;
    Ok(claim)
}

/// The encounter type of a stored release.
pub async fn encounter_type_of(
    conn: &mut AnyConnection,
    encounter_id: &EncounterId,
    release_number: u32,
) -> Result<EncounterType, ServiceError> {
    Ok(store::release(conn, encounter_id, Some(release_number))
        .await?
        .map(|r| r.encounter_type)
        .unwrap_or(EncounterType::Unspecified))
}
