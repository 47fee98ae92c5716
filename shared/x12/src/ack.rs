//! 999 implementation acknowledgment (005010X231A1): what the receiver of
//! one of our functional groups thought of it, down to the segment and
//! element it rejected.

mod read;
mod write;

use serde::Serialize;

pub use read::{Ack999Parser, VERSIONS, read_999};
pub use write::{VERSION, write_999};

/// AK901 and IK501: the verdict on a group or a transaction set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// `A`: accepted.
    Accepted,
    /// `E`: accepted, but errors were noted.
    AcceptedWithErrors,
    /// `P`: some transaction sets of the group were accepted (AK901 only).
    PartiallyAccepted,
    /// `R`: rejected.
    Rejected,
    /// `M`: rejected, message authentication code failed.
    RejectedAuthentication,
    /// `W`: rejected, assurance failed validity tests.
    RejectedAssurance,
    /// `X`: rejected, content could not be analyzed after decryption.
    RejectedDecryption,
}

impl AckStatus {
    /// Reads an AK901 or IK501 code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "A" => Self::Accepted,
            "E" => Self::AcceptedWithErrors,
            "P" => Self::PartiallyAccepted,
            "R" => Self::Rejected,
            "M" => Self::RejectedAuthentication,
            "W" => Self::RejectedAssurance,
            "X" => Self::RejectedDecryption,
            _ => return None,
        })
    }

    /// Whether the receiver will process what was acknowledged (`A`, `E`
    /// and, for a group, `P`).
    pub fn is_accepted(self) -> bool {
        match self {
            Self::Accepted | Self::AcceptedWithErrors | Self::PartiallyAccepted => true,
            Self::Rejected
            | Self::RejectedAuthentication
            | Self::RejectedAssurance
            | Self::RejectedDecryption => false,
        }
    }
}

/// One 999 transaction set: the acknowledgment of one functional group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImplementationAck {
    /// ST02 of the 999 itself.
    pub control_number: String,
    /// AK101: functional identifier of the acknowledged group (`HC` for 837).
    pub functional_id: String,
    /// AK102: GS06 of the acknowledged group.
    pub group_control_number: String,
    /// AK103: GS08 of the acknowledged group.
    pub version: Option<String>,
    /// AK2 loops, one per acknowledged transaction set.
    pub transactions: Vec<TransactionAck>,
    /// AK901.
    pub status: AckStatus,
    /// AK902: transaction sets the group declared.
    pub included: u32,
    /// AK903: transaction sets received.
    pub received: u32,
    /// AK904: transaction sets accepted.
    pub accepted: u32,
    /// AK905-AK909: functional group syntax error codes.
    pub group_errors: Vec<String>,
}

/// Loop 2000 (AK2 ... IK5): the verdict on one transaction set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionAck {
    /// AK201: the set's identifier (`837`).
    pub id: String,
    /// AK202: its ST02, which names the claim batch.
    pub control_number: String,
    /// AK203: its implementation guide.
    pub version: Option<String>,
    /// IK3 loops: the segments in error.
    pub segment_errors: Vec<SegmentError>,
    /// IK501.
    pub status: AckStatus,
    /// IK502-IK506: transaction set syntax error codes.
    pub error_codes: Vec<String>,
}

/// Loop 2100 (IK3): a segment the receiver found in error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentError {
    /// IK301: the segment id, e.g. `NM1`.
    pub segment_id: String,
    /// IK302: the segment's position in the transaction set (ST is 1).
    pub position: u32,
    /// IK303: the loop it sits in, e.g. `2010BA`.
    pub loop_id: Option<String>,
    /// IK304: implementation segment syntax error code (`8` segment has
    /// data element errors, `I4` not used, `3` required missing, ...).
    pub code: Option<String>,
    /// CTX segments after the IK3: the business unit concerned (`CLM01`
    /// and the claim's patient control number) or the segment that
    /// triggered a situational rule.
    pub contexts: Vec<ErrorContext>,
    /// IK4 segments: the elements in error.
    pub element_errors: Vec<ElementError>,
}

impl SegmentError {
    /// The patient control number of the claim the error is in, when the
    /// receiver named it (`CTX*CLM01:<CLM01>`).
    pub fn patient_control_number(&self) -> Option<&str> {
        self.contexts
            .iter()
            .find(|c| c.name == "CLM01")
            .and_then(|c| c.reference.as_deref())
    }
}

/// CTX: the context of a segment or element error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorContext {
    /// CTX01-1: `SITUATIONAL TRIGGER`, or the business unit, e.g. `CLM01`.
    pub name: String,
    /// CTX01-2: the business unit's value, e.g. the patient control number.
    pub reference: Option<String>,
    /// CTX02: the id of the segment that triggered the rule.
    pub segment_id: Option<String>,
    /// CTX03: that segment's position in the transaction set.
    pub segment_position: Option<u32>,
    /// CTX04: its loop.
    pub loop_id: Option<String>,
    /// CTX05-1: the position of the triggering element in it.
    pub element_position: Option<u32>,
    /// CTX05-2: the component position inside that element.
    pub component_position: Option<u32>,
}

/// IK4: an element the receiver found in error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElementError {
    /// IK401-1: the element's position in the segment.
    pub position: u32,
    /// IK401-2: the component's position in a composite.
    pub component: Option<u32>,
    /// IK401-3: the repetition, for repeating elements.
    pub repetition: Option<u32>,
    /// IK402: the data element reference number.
    pub data_element: Option<String>,
    /// IK403: implementation data element syntax error code (`1` required
    /// missing, `7` invalid code value, `8` invalid date, `I12` pattern
    /// match failure, ...).
    pub code: String,
    /// IK404: a copy of the bad value.
    pub bad_value: Option<String>,
    /// CTX segments after the IK4 (the element's situational trigger).
    pub contexts: Vec<ErrorContext>,
}
