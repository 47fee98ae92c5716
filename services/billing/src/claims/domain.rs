//! A claim as billing keeps it: one submission of one release of an
//! encounter to one payer, with its lines, its latest scrub findings and its
//! status as separate dimensions (where it is on the way to the payer, what
//! the payer decided, who owes the balance, whether it still stands).

use medbill_kernel::{
    CalendarDate, ClaimId, DateRange, EncounterId, Money, PatientId, PayerId, Timestamp,
};

use crate::charges::domain::{ChargeId, Diagnosis, InpatientStay, Procedure};
use crate::registry::coverage::CoverageId;
use crate::scrubber::finding::Finding;

/// A closed set of states stored by name.
macro_rules! named_states {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The state with stored name `text`.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

named_states!(
    /// The claim form.
    ClaimType {
        /// 837P.
        Professional => "professional",
        /// 837I.
        Institutional => "institutional",
    }
);

named_states!(
    /// CLM05-3.
    Frequency {
        /// `1`: an original claim.
        Original => "1",
        /// `7`: replaces the claim named by the payer claim number (REF*F8).
        Replacement => "7",
        /// `8`: voids the claim named by the payer claim number.
        Void => "8",
    }
);

named_states!(
    /// Where the claim is on its way to the payer.
    Submission {
        /// The scrubber found an error.
        Held => "held",
        /// Clean; waits for the next batch.
        Ready => "ready",
        /// In a batch sent to the clearinghouse.
        Submitted => "submitted",
        /// Accepted by the 999 and the 277CA.
        Accepted => "accepted",
        /// Rejected by a 999 or a 277CA.
        Rejected => "rejected",
    }
);

named_states!(
    /// What the payer decided.
    Adjudication {
        /// No remittance yet.
        Pending => "none",
        /// Paid in full (the payer's share).
        Paid => "paid",
        /// Some lines paid, some denied.
        PartlyPaid => "partly_paid",
        /// Denied.
        Denied => "denied",
        /// The payment was taken back.
        Reversed => "reversed",
        /// Paid and forwarded to the next payer.
        Forwarded => "forwarded",
    }
);

named_states!(
    /// Who owes the open balance.
    BalanceOwner {
        /// The payer (until it adjudicates).
        Insurance => "insurance",
        /// The patient (insurance has finished).
        Patient => "patient",
        /// Nothing is owed.
        Settled => "settled",
    }
);

named_states!(
    /// Whether the claim still stands.
    Lifecycle {
        /// It does.
        Active => "active",
        /// A later claim replaced it.
        Replaced => "replaced",
        /// It was voided.
        Voided => "voided",
    }
);

named_states!(
    /// The status dimension a transition changes.
    Dimension {
        /// [`Submission`].
        Submission => "submission",
        /// [`Adjudication`].
        Adjudication => "adjudication",
        /// [`BalanceOwner`].
        BalanceOwner => "balance_owner",
        /// [`Lifecycle`].
        Lifecycle => "lifecycle",
    }
);

/// A claim's status, one value per dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimState {
    /// On the way to the payer.
    pub submission: Submission,
    /// The payer's decision.
    pub adjudication: Adjudication,
    /// Who owes.
    pub balance_owner: BalanceOwner,
    /// Still standing or not.
    pub lifecycle: Lifecycle,
}

impl ClaimState {
    /// A new claim's state after its first scrub.
    pub fn new(clean: bool) -> Self {
        ClaimState {
            submission: if clean {
                Submission::Ready
            } else {
                Submission::Held
            },
            adjudication: Adjudication::Pending,
            balance_owner: BalanceOwner::Insurance,
            lifecycle: Lifecycle::Active,
        }
    }
}

/// One recorded change of one dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The dimension.
    pub dimension: Dimension,
    /// Its state before (empty when the claim was created).
    pub from: String,
    /// Its state after.
    pub to: String,
    /// Who caused it.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: Timestamp,
}

/// One service line of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimLine {
    /// LX01, from 1.
    pub line_number: u32,
    /// REF*6R.
    pub line_control_number: String,
    /// The charge it bills.
    pub charge_id: ChargeId,
    /// CPT/HCPCS code.
    pub code: String,
    /// Modifiers in order.
    pub modifiers: Vec<String>,
    /// Units.
    pub units: u32,
    /// The line's charge for all units.
    pub charge: Money,
    /// 1-based positions in the claim's diagnoses.
    pub diagnosis_pointers: Vec<u32>,
    /// Date of service.
    pub date_of_service: CalendarDate,
    /// Revenue code (837I); empty when none.
    pub revenue_code: String,
    /// What the payer paid on it, once known.
    pub paid: Money,
}

/// A claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Its id.
    pub claim_id: ClaimId,
    /// The encounter it bills.
    pub encounter_id: EncounterId,
    /// The release of that encounter.
    pub release_number: u32,
    /// The patient.
    pub patient_id: PatientId,
    /// The coverage billed.
    pub coverage_id: CoverageId,
    /// That coverage's payer.
    pub payer_id: PayerId,
    /// 1 primary, 2 secondary, 3 tertiary.
    pub payer_rank: u8,
    /// 837P or 837I.
    pub claim_type: ClaimType,
    /// CLM01, at most [`MAX_PATIENT_CONTROL_NUMBER`] characters.
    pub patient_control_number: String,
    /// CLM05-3.
    pub frequency: Frequency,
    /// The claim this one replaces or voids.
    pub replaces_claim_id: Option<ClaimId>,
    /// The payer's claim number (CLP07), once known; REF*F8 of a
    /// replacement or void.
    pub payer_claim_number: String,
    /// The billing provider's NPI (empty when no submitter profile names
    /// one).
    pub billing_provider_npi: String,
    /// The rendering (837P) or attending (837I) provider's NPI.
    pub rendering_provider_npi: String,
    /// NPI of the service facility (837P 2310C / 837I 2310E); empty when
    /// the services were rendered at the billing provider's address.
    pub service_facility_npi: String,
    /// CMS place of service.
    pub place_of_service: String,
    /// 837I type of bill; empty for 837P.
    pub type_of_bill: String,
    /// Admission and discharge of an inpatient claim; `None` otherwise.
    pub inpatient: Option<InpatientStay>,
    /// ICD-10-PCS procedures of an inpatient claim, principal first.
    pub procedures: Vec<Procedure>,
    /// Its diagnoses in order, the principal first, with coding's
    /// present-on-admission indicators.
    pub diagnoses: Vec<Diagnosis>,
    /// REF*G1, empty when none.
    pub prior_authorization: String,
    /// Σ line charges.
    pub total_charge: Money,
    /// First and last dates of service.
    pub dates: DateRange,
    /// Status dimensions.
    pub state: ClaimState,
    /// The last batch that carried it; empty before.
    pub batch_id: String,
    /// When it was built.
    pub created_at: Timestamp,
    /// When a batch last carried it.
    pub submitted_at: Option<Timestamp>,
    /// What the payer paid.
    pub paid: Money,
    /// What the payer put on the patient.
    pub patient_responsibility: Money,
    /// The lines.
    pub lines: Vec<ClaimLine>,
    /// The latest scrub's findings.
    pub findings: Vec<Finding>,
}

/// The longest patient control number receivers must keep.
pub const MAX_PATIENT_CONTROL_NUMBER: usize = 20;

/// The patient control number made from the `n`th value of its counter:
/// `MB` and ten digits, so it stays within the 20 characters receivers keep.
pub fn patient_control_number(n: i64) -> String {
    format!("MB{n:010}")
}

/// The line item control number (REF*6R) of line `line` of a claim.
pub fn line_control_number(patient_control_number: &str, line: u32) -> String {
    format!("{patient_control_number}-{line}")
}

impl Claim {
    /// The summary status of the wire's `ClaimStatus`: a replaced or voided
    /// claim says so; then what the payer decided; else where it is on the
    /// way.
    pub fn summary(&self) -> Summary {
        match (self.state.lifecycle, self.state.adjudication) {
            (Lifecycle::Replaced, _) => Summary::Replaced,
            (Lifecycle::Voided, _) => Summary::Voided,
            (_, Adjudication::Paid | Adjudication::PartlyPaid | Adjudication::Forwarded) => {
                Summary::Paid
            }
            (_, Adjudication::Denied) => Summary::Denied,
            _ => match self.state.submission {
                Submission::Held => Summary::Draft,
                Submission::Ready => Summary::Ready,
                Submission::Submitted => Summary::Submitted,
                Submission::Accepted => Summary::Accepted,
                Submission::Rejected => Summary::Rejected,
            },
        }
    }

    /// Whether it bills an inpatient stay: an 837I with type of bill 11x
    /// (hospital inpatient), the one claim whose diagnoses carry their
    /// present-on-admission indicators.
    pub fn is_inpatient(&self) -> bool {
        self.claim_type == ClaimType::Institutional && self.type_of_bill.starts_with("11")
    }

    /// Whether a finding of the latest scrub holds the claim.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }
}

/// The one-word status of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summary {
    /// Held with scrubber errors.
    Draft,
    /// Clean, waiting for a batch.
    Ready,
    /// Sent.
    Submitted,
    /// Accepted by the clearinghouse and payer front end.
    Accepted,
    /// Rejected by an acknowledgment.
    Rejected,
    /// Paid in full or in part.
    Paid,
    /// Denied.
    Denied,
    /// Replaced.
    Replaced,
    /// Voided.
    Voided,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patient_control_numbers_fit_the_twenty_characters_receivers_keep() {
        let longest = patient_control_number(i64::from(u32::MAX) * 2);
        assert!(longest.len() <= MAX_PATIENT_CONTROL_NUMBER, "{longest}");
        assert_eq!(patient_control_number(42), "MB0000000042");
        assert_eq!(line_control_number("MB0000000042", 3), "MB0000000042-3");
    }

    #[test]
    fn states_round_trip_through_their_stored_names() {
        for s in [
            Submission::Held,
            Submission::Ready,
            Submission::Submitted,
            Submission::Accepted,
            Submission::Rejected,
        ] {
            assert_eq!(Submission::parse(s.as_str()), Some(s));
        }
        assert_eq!(Frequency::parse("7"), Some(Frequency::Replacement));
        assert_eq!(Frequency::parse("2"), None);
        assert_eq!(Adjudication::parse("none"), Some(Adjudication::Pending));
    }
}
