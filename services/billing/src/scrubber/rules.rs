//! What a rule of the catalog is and what it is run over.

use std::collections::HashMap;

use medbill_kernel::{CalendarDate, ClaimId};

use super::finding::Severity;
use crate::charges::domain::EncounterType;
use crate::claims::domain::Claim;
use crate::registry::coverage::Coverage;
use crate::registry::domain::{Patient, Payer, Provider};
use crate::registry::facilities::Facility;
use crate::registry::profile::SubmitterProfile;
use crate::submission::x12map::OtherPayerFacts;

/// A payer's setting of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    /// Run it with this severity.
    Run(Severity),
    /// Do not run it.
    Off,
}

impl RuleSetting {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSetting::Run(s) => s.as_str(),
            RuleSetting::Off => "off",
        }
    }

    /// The setting of a stored name.
    pub fn parse(text: &str) -> Option<RuleSetting> {
        match text {
            "off" => Some(RuleSetting::Off),
            other => Severity::parse(other).map(RuleSetting::Run),
        }
    }
}

/// A payer's scrubber rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayerRules {
    /// Rules set differently from the catalog, by rule id.
    pub overrides: HashMap<String, RuleSetting>,
    /// Codes the payer pays only with a prior authorization.
    pub authorization_required_codes: Vec<String>,
}

/// A finding of the coding service's edits, re-run at scrubbing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodingFinding {
    /// Coding's edit id.
    pub edit: String,
    /// The field coding named.
    pub field: String,
    /// Coding's message.
    pub message: String,
}

/// What a claim is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The claim.
    pub claim: &'a Claim,
    /// Its payer.
    pub payer: &'a Payer,
    /// The coverage billed.
    pub coverage: &'a Coverage,
    /// The patient.
    pub patient: &'a Patient,
    /// The submitter profile, if set.
    pub profile: Option<&'a SubmitterProfile>,
    /// The billing provider the submitter profile names, if set and
    /// registered.
    pub billing_provider: Option<&'a Provider>,
    /// The rendering provider, if registered.
    pub rendering_provider: Option<&'a Provider>,
    /// The service facility the claim names, if registered.
    pub service_facility: Option<&'a Facility>,
    /// For a secondary claim: the primary payer and its adjudication.
    pub other_payer: Option<OtherPayerFacts<'a>>,
    /// What kind of encounter was coded.
    pub encounter_type: EncounterType,
    /// The payer's rules.
    pub payer_rules: &'a PayerRules,
    /// Other standing claims for the same patient, provider, dates and codes.
    pub duplicates: &'a [ClaimId],
    /// Dates of service of the claim on which the latest recorded 271 for
    /// its coverage says the coverage is inactive.
    pub inactive_on: &'a [CalendarDate],
    /// Blocking findings of coding's edits, when they were re-run.
    pub coding_findings: &'a [CodingFinding],
    /// Today in the service's time zone.
    pub today: CalendarDate,
}

/// What one rule found wrong, before the catalog gives it a severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field at fault, e.g. `lines[2].modifiers`.
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

impl Problem {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// One rule of the catalog.
#[derive(Clone, Copy)]
pub struct Rule {
    /// Stable id, e.g. `RENDERING_PROVIDER_NPI`.
    pub id: &'static str,
    /// Its severity unless the payer sets another.
    pub severity: Severity,
    /// The claim field it checks, as findings name it.
    pub field: &'static str,
    /// What it checks, in words (docs/SCRUBBER.md).
    pub summary: &'static str,
    /// The fix to suggest.
    pub fix: &'static str,
    /// The check.
    pub check: fn(&Facts<'_>) -> Vec<Problem>,
}
