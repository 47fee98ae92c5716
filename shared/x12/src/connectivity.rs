//! The CAQH CORE Connectivity Rule (vC2.2.0) HTTP MIME multipart envelope
//! of a real-time X12 exchange: one HTTP POST of `multipart/form-data`
//! whose fields say what the payload is (`PayloadType`,
//! `ProcessingMode`), name the message (`PayloadID`, `TimeStamp`), its
//! parties (`SenderID`, `ReceiverID`) and the rule (`CORERuleVersion`),
//! and carry the X12 (`Payload`); the answer is the same envelope with
//! `ErrorCode` and `ErrorMessage` besides (`Success` when it carries the
//! answering transaction). The X12 inside is the caller's; this module only
//! puts it in and takes it out of the envelope.

pub mod multipart;

use std::fmt;

use multipart::Part;

/// `CORERuleVersion` of the envelopes written here.
pub const RULE_VERSION: &str = "2.2.0";
/// `ProcessingMode` of a real-time exchange.
pub const REAL_TIME: &str = "RealTime";
/// `PayloadType` of a 270 eligibility inquiry.
pub const ELIGIBILITY_REQUEST: &str = "X12_270_Request_005010X279A1";
/// `PayloadType` of the 271 that answers it.
pub const ELIGIBILITY_RESPONSE: &str = "X12_271_Response_005010X279A1";
/// `PayloadType` of an answer that reports an envelope error instead.
pub const ENVELOPE_ERROR: &str = "CoreEnvelopeError";
/// `ErrorCode` of an answer that carries its transaction.
pub const SUCCESS: &str = "Success";

/// Why an envelope cannot be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The body is not `multipart/form-data`.
    #[error("not a CORE envelope: {0}")]
    NotMultipart(String),
    /// The multipart body is broken.
    #[error("malformed CORE envelope: {0}")]
    Malformed(String),
    /// A field is missing, repeated or not text.
    #[error("CORE envelope field {field}: {reason}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// One real-time message: a request, or the answer to one.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `PayloadType`: what the payload is, e.g. [`ELIGIBILITY_REQUEST`].
    pub payload_type: String,
    /// `ProcessingMode`: [`REAL_TIME`].
    pub processing_mode: String,
    /// `PayloadID`: a UUID naming the message (an answer echoes it).
    pub payload_id: String,
    /// `TimeStamp`: when it was sent, ISO 8601 (`2026-10-01T14:05:09Z`).
    pub timestamp: String,
    /// `SenderID`: who sends it.
    pub sender_id: String,
    /// `ReceiverID`: who it is for.
    pub receiver_id: String,
    /// `CORERuleVersion`: [`RULE_VERSION`].
    pub rule_version: String,
    /// `ErrorCode` of an answer: [`SUCCESS`] or what went wrong.
    pub error_code: Option<String>,
    /// `ErrorMessage` of an answer.
    pub error_message: Option<String>,
    /// `Payload`: the X12 (patient data; never in `Debug`). Empty when
    /// the message carries none.
    pub payload: Vec<u8>,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("payload_type", &self.payload_type)
            .field("processing_mode", &self.processing_mode)
            .field("payload_id", &self.payload_id)
            .field("timestamp", &self.timestamp)
            .field("sender_id", &self.sender_id)
            .field("receiver_id", &self.receiver_id)
            .field("rule_version", &self.rule_version)
            .field("error_code", &self.error_code)
            .field("error_message", &self.error_message)
            .field("payload_bytes", &self.payload.len())
            .finish()
    }
}

/// The header fields every message carries, by name.
const REQUIRED: [&str; 7] = [
    "PayloadType",
    "ProcessingMode",
    "PayloadID",
    "TimeStamp",
    "SenderID",
    "ReceiverID",
    "CORERuleVersion",
];

impl Envelope {
    /// A real-time request under the current rule version.
    pub fn real_time_request(
        payload_type: &str,
        payload_id: &str,
        timestamp: &str,
        sender_id: &str,
        receiver_id: &str,
        payload: Vec<u8>,
    ) -> Envelope {
        Envelope {
            payload_type: payload_type.into(),
            processing_mode: REAL_TIME.into(),
            payload_id: payload_id.into(),
            timestamp: timestamp.into(),
            sender_id: sender_id.into(),
            receiver_id: receiver_id.into(),
            rule_version: RULE_VERSION.into(),
            error_code: None,
            error_message: None,
            payload,
        }
    }

    /// The answer to `self` from its receiver: the same `PayloadID`, the
    /// parties swapped, with `error_code` and `error_message`.
    pub fn answer(
        &self,
        payload_type: &str,
        timestamp: &str,
        error_code: &str,
        error_message: &str,
        payload: Vec<u8>,
    ) -> Envelope {
        Envelope {
            payload_type: payload_type.into(),
            processing_mode: REAL_TIME.into(),
            payload_id: self.payload_id.clone(),
            timestamp: timestamp.into(),
            sender_id: self.receiver_id.clone(),
            receiver_id: self.sender_id.clone(),
            rule_version: RULE_VERSION.into(),
            error_code: Some(error_code.into()),
            error_message: Some(error_message.into()),
            payload,
        }
    }

    /// The header fields this message lacks (empty ones count as absent),
    /// in the rule's order.
    pub fn missing_fields(&self) -> Vec<&'static str> {
        let values = [
            &self.payload_type,
            &self.processing_mode,
            &self.payload_id,
            &self.timestamp,
            &self.sender_id,
            &self.receiver_id,
            &self.rule_version,
        ];
        REQUIRED
            .iter()
            .zip(values)
            .filter(|(_, value)| value.trim().is_empty())
            .map(|(name, _)| *name)
            .collect()
    }

    /// The body with `boundary` and its `Content-Type`. The boundary must
    /// not occur in the payload; a UUID-based one never does in X12.
    pub fn encode(&self, boundary: &str) -> Result<(String, Vec<u8>), EnvelopeError> {
        let text = |name: &str, value: &str| Part::new(name, value);
        let mut parts = vec![
            text("PayloadType", &self.payload_type),
            text("ProcessingMode", &self.processing_mode),
            text("PayloadID", &self.payload_id),
            text("TimeStamp", &self.timestamp),
            text("SenderID", &self.sender_id),
            text("ReceiverID", &self.receiver_id),
            text("CORERuleVersion", &self.rule_version),
        ];
        if let Some(code) = &self.error_code {
            parts.push(text("ErrorCode", code));
        }
        if let Some(message) = &self.error_message {
            parts.push(text("ErrorMessage", message));
        }
        parts.push(Part::new("Payload", self.payload.clone()));
        let body = multipart::encode(boundary, &parts)?;
        Ok((multipart::content_type(boundary), body))
    }

    /// Reads a body sent as `content_type`. Fields the rule has and this
    /// envelope does not use (`UserName`, `Password`, `PayloadLength`,
    /// `Checksum`) are passed over; a field given twice is refused.
    /// Whether the header fields are all there is [`Envelope::missing_fields`].
    pub fn decode(content_type: &str, body: &[u8]) -> Result<Envelope, EnvelopeError> {
        let boundary = multipart::boundary_of(content_type)?;
        let parts = multipart::decode(&boundary, body)?;
        let field = |name: &'static str| -> Result<Option<&Part>, EnvelopeError> {
            let mut found = parts.iter().filter(|p| p.name == name);
            let first = found.next();
            if found.next().is_some() {
                return Err(EnvelopeError::Field {
                    field: name,
                    reason: "given twice".into(),
                });
            }
            Ok(first)
        };
        let text = |name: &'static str| -> Result<Option<String>, EnvelopeError> {
            field(name)?
                .map(|p| {
                    String::from_utf8(p.content.clone())
                        .map(|s| s.trim().to_string())
                        .map_err(|_| EnvelopeError::Field {
                            field: name,
                            reason: "not UTF-8 text".into(),
                        })
                })
                .transpose()
        };
        Ok(Envelope {
            payload_type: text("PayloadType")?.unwrap_or_default(),
            processing_mode: text("ProcessingMode")?.unwrap_or_default(),
            payload_id: text("PayloadID")?.unwrap_or_default(),
            timestamp: text("TimeStamp")?.unwrap_or_default(),
            sender_id: text("SenderID")?.unwrap_or_default(),
            receiver_id: text("ReceiverID")?.unwrap_or_default(),
            rule_version: text("CORERuleVersion")?.unwrap_or_default(),
            error_code: text("ErrorCode")?,
            error_message: text("ErrorMessage")?,
            payload: field("Payload")?
                .map(|p| p.content.clone())
                .unwrap_or_default(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request() -> Envelope {
        Envelope::real_time_request(
            ELIGIBILITY_REQUEST,
            "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
            "2026-10-01T14:05:09Z",
            "RIVERSIDE",
            "ACMECH",
            b"ISA*00*~GS*HS~ST*270*0001~".to_vec(),
        )
    }

    #[test]
    fn a_real_time_request_carries_every_field_of_the_rule() {
        let (content_type, body) = request().encode("core-1").unwrap();
        assert_eq!(content_type, "multipart/form-data; boundary=core-1");
        let text = String::from_utf8(body.clone()).unwrap();
        for (name, value) in [
            ("ProcessingMode", "RealTime"),
            ("PayloadType", "X12_270_Request_005010X279A1"),
            ("PayloadID", "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
            ("TimeStamp", "2026-10-01T14:05:09Z"),
            ("SenderID", "RIVERSIDE"),
            ("ReceiverID", "ACMECH"),
            ("CORERuleVersion", "2.2.0"),
            ("Payload", "ISA*00*~GS*HS~ST*270*0001~"),
        ] {
            let field = format!("name=\"{name}\"\r\n\r\n{value}\r\n");
            assert!(text.contains(&field), "{name} missing from {text}");
        }
        assert!(!text.contains("ErrorCode"), "{text}");
        let read = Envelope::decode(&content_type, &body).unwrap();
        assert_eq!(read, request());
        assert!(read.missing_fields().is_empty());
    }

    #[test]
    fn an_answer_echoes_the_payload_id_and_swaps_the_parties() {
        let answer = request().answer(
            ELIGIBILITY_RESPONSE,
            "2026-10-01T14:05:10Z",
            SUCCESS,
            "",
            b"ISA*00*~ST*271*0001~".to_vec(),
        );
        assert_eq!(answer.payload_id, request().payload_id);
        assert_eq!(
            (answer.sender_id.as_str(), answer.receiver_id.as_str()),
            ("ACMECH", "RIVERSIDE")
        );
        let (content_type, body) = answer.encode("b").unwrap();
        let read = Envelope::decode(&content_type, &body).unwrap();
        assert_eq!(read.error_code.as_deref(), Some(SUCCESS));
        assert_eq!(read.error_message.as_deref(), Some(""));
        assert_eq!(read, answer);
    }

    #[test]
    fn missing_header_fields_are_named_and_unused_ones_are_passed_over() {
        let parts = [
            Part::new("PayloadType", ELIGIBILITY_REQUEST),
            Part::new("UserName", "clinic"),
            Part::new("Password", "secret"),
            Part::new("Payload", "ISA~"),
        ];
        let body = multipart::encode("b", &parts).unwrap();
        let read = Envelope::decode("multipart/form-data; boundary=b", &body).unwrap();
        assert_eq!(
            read.missing_fields(),
            [
                "ProcessingMode",
                "PayloadID",
                "TimeStamp",
                "SenderID",
                "ReceiverID",
                "CORERuleVersion"
            ]
        );
        assert_eq!(read.payload, b"ISA~");
    }

    #[test]
    fn a_field_given_twice_or_not_text_is_refused() {
        let twice = multipart::encode(
            "b",
            &[Part::new("PayloadID", "1"), Part::new("PayloadID", "2")],
        )
        .unwrap();
        assert!(matches!(
            Envelope::decode("multipart/form-data; boundary=b", &twice),
            Err(EnvelopeError::Field {
                field: "PayloadID",
                ..
            })
        ));
        let binary = multipart::encode("b", &[Part::new("SenderID", vec![0xff, 0xfe])]).unwrap();
        assert!(matches!(
            Envelope::decode("multipart/form-data; boundary=b", &binary),
            Err(EnvelopeError::Field {
                field: "SenderID",
                ..
            })
        ));
        assert!(matches!(
            Envelope::decode("text/plain", b"ISA~"),
            Err(EnvelopeError::NotMultipart(_))
        ));
    }

    #[test]
    fn the_payload_stays_out_of_debug() {
        let shown = format!("{:?}", request());
        assert!(!shown.contains("ISA"), "{shown}");
        assert!(shown.contains("payload_bytes: 26"), "{shown}");
    }
}
