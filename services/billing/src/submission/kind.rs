//! Which transaction an inbound X12 file holds, from its ST segments and
//! implementation guide: what the inbound folder and `IngestAcknowledgment`
//! dispatch on.

use medbill_platform::ServiceError;

/// The inbound files billing applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// 999 implementation acknowledgment.
    Ack999,
    /// 277CA claim acknowledgment (005010X214).
    ClaimAck277,
    /// 271 eligibility response (005010X279A1).
    Eligibility271,
    /// 277 claim status response (005010X212).
    ClaimStatus277,
}

impl FileKind {
    /// The stored transaction type.
    pub fn code(self) -> &'static str {
        match self {
            FileKind::Ack999 => "999",
            FileKind::ClaimAck277 => "277CA",
            FileKind::Eligibility271 => "271",
            FileKind::ClaimStatus277 => "277",
        }
    }

    /// The kind of `content`; `INVALID_ARGUMENT` on `field` when it is no
    /// X12 interchange or none billing applies.
    pub fn of(content: &[u8], field: &str) -> Result<FileKind, ServiceError> {
        if content.len() < 106 || !content.starts_with(b"ISA") {
            return Err(ServiceError::invalid(
                field,
                "segment 1 (ISA): not an X12 interchange (it must start with a 106-character ISA)",
            ));
        }
        let element = content[3];
        let find = |parts: &[&[u8]]| {
            let mut needle = Vec::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    needle.push(element);
                }
                needle.extend_from_slice(p);
            }
            content
                .windows(needle.len())
                .any(|w| w == needle.as_slice())
        };
        if find(&[b"ST", b"999", b""]) {
            Ok(FileKind::Ack999)
        } else if find(&[b"ST", b"271", b""]) {
            Ok(FileKind::Eligibility271)
        } else if find(&[b"ST", b"277", b""]) {
            // The claim status response and the claim acknowledgment share
            // ST01; their guides (ST03/GS08) differ.
            if find(&[medbill_x12::status::VERSION.as_bytes()]) {
                Ok(FileKind::ClaimStatus277)
            } else {
                Ok(FileKind::ClaimAck277)
            }
        } else {
            Err(ServiceError::invalid(
                field,
                "holds no 999, 277CA, 271 or 277 transaction set",
            ))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The X12 engine's fixtures, from the workspace root.
    fn fixture(name: &str) -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .unwrap();
        std::fs::read(root.join("shared/x12/tests/fixtures").join(name)).unwrap()
    }

    #[test]
    fn inbound_files_are_told_apart_by_their_transaction_set_and_guide() {
        let kind = |name: &str| FileKind::of(&fixture(name), "content").unwrap();
        assert_eq!(kind("ack_partial.999"), FileKind::Ack999);
        assert_eq!(kind("claim_ack.277"), FileKind::ClaimAck277);
        assert_eq!(kind("claim_status.277"), FileKind::ClaimStatus277);
        assert_eq!(kind("eligibility.271"), FileKind::Eligibility271);
    }

    #[test]
    fn a_file_billing_does_not_apply_is_refused_naming_the_field() {
        let remit = fixture("remit_multi_claim.835");
        let err = FileKind::of(&remit, "content").unwrap_err();
        assert!(
            matches!(&err, ServiceError::Invalid { field, .. } if field == "content"),
            "{err:?}"
        );
        assert!(FileKind::of(b"not x12", "content").is_err());
    }
}
