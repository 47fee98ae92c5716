//! Typed identifiers. Every id medbill mints is a UUID v7 (time ordered, so
//! new rows land at the end of an index), stored and sent as text. A typed id
//! cannot be confused with another kind of id at compile time, and can only be
//! built from text that is a UUID.

/// Why text was refused as an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id (expected a UUID)")]
pub struct IdError;

/// What every typed id can do, so request helpers can parse any of them.
pub trait TypedId: Sized {
    /// What the id identifies, in words ("claim", "encounter").
    const KIND: &'static str;
    /// Parses an id received from a client or read from storage.
    fn parse_id(text: &str) -> Result<Self, IdError>;
    /// The id as text.
    fn id_str(&self) -> &str;
}

/// Declares a UUID v7 identifier newtype.
#[macro_export]
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                $name($crate::ids::new_uuid_v7())
            }

            /// Parses an id received from a client or read from storage.
            pub fn parse(text: &str) -> Result<Self, $crate::ids::IdError> {
                $crate::ids::canonical_uuid(text).map($name)
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl $crate::ids::TypedId for $name {
            const KIND: &'static str = $kind;

            fn parse_id(text: &str) -> Result<Self, $crate::ids::IdError> {
                Self::parse(text)
            }

            fn id_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

/// A new UUID v7 as lower-case hyphenated text.
pub fn new_uuid_v7() -> String {
    uuid::Uuid::now_v7().hyphenated().to_string()
}

/// The canonical (lower-case hyphenated) form of a UUID, or an error.
pub fn canonical_uuid(text: &str) -> Result<String, IdError> {
    uuid::Uuid::try_parse(text)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| IdError)
}

typed_id!(
    /// An event in a service's outbox.
    EventId,
    "event"
);
typed_id!(
    /// An encounter (a visit or stay) in the coding service.
    EncounterId,
    "encounter"
);
typed_id!(
    /// A claim (one submission to one payer) in the billing service.
    ClaimId,
    "claim"
);
typed_id!(
    /// A patient registered in the billing service.
    PatientId,
    "patient"
);
typed_id!(
    /// A payer (insurance plan) in the billing registry.
    PayerId,
    "payer"
);
typed_id!(
    /// A denial of a claim or line.
    DenialId,
    "denial"
);
typed_id!(
    /// An 835 remittance in the payments service.
    RemittanceId,
    "remittance"
);
typed_id!(
    /// A guarantor account (who pays the patient's share).
    AccountId,
    "account"
);

#[cfg(test)]
#[allow(dead_code)]
mod tests {
    use super::*;

    typed_id!(
        /// A test id.
        SampleId,
        "sample"
    );

    #[test]
    fn new_ids_are_time_ordered() {
        let a = SampleId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = SampleId::new();
        assert!(a < b, "{a} should sort before {b}");
    }

    #[test]
    fn parse_accepts_uuids_in_any_case_and_rejects_other_text() {
        let id = SampleId::new();
        let upper = id.as_str().to_uppercase();
        assert_eq!(SampleId::parse(&upper).unwrap(), id);
        assert_eq!(SampleId::parse("claim-1"), Err(IdError));
    }
}
