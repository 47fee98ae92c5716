//! The 999 writer: one 999 per acknowledged functional group (AK1), an
//! AK2 ... IK5 loop per transaction set with its IK3/IK4 errors, then AK9.

use crate::ack::{
    AckStatus, ElementError, ErrorContext, ImplementationAck, SegmentError, TransactionAck,
};
use crate::error::WriteError;
use crate::write::{El, InterchangeParams, SegmentWriter, write_interchange};

/// GS08/ST03 of the 999s this writer produces.
pub const VERSION: &str = "005010X231A1";

impl AckStatus {
    /// The AK901 / IK501 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Accepted => "A",
            Self::AcceptedWithErrors => "E",
            Self::PartiallyAccepted => "P",
            Self::Rejected => "R",
            Self::RejectedAuthentication => "M",
            Self::RejectedAssurance => "W",
            Self::RejectedDecryption => "X",
        }
    }
}

/// Writes one interchange (GS01 `FA`) holding one 999 per acknowledgment.
/// `read_999` of the result gives back `acks`.
pub fn write_999(
    params: &InterchangeParams,
    acks: &[ImplementationAck],
) -> Result<Vec<u8>, WriteError> {
    write_interchange(params, "FA", VERSION, |w| {
        for (i, ack) in acks.iter().enumerate() {
            let path = format!("acks[{i}]");
            check(&path, ack)?;
            write_ack(w, ack)?;
        }
        Ok(acks.len())
    })
}

fn check(path: &str, a: &ImplementationAck) -> Result<(), WriteError> {
    let err = |field: &str, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    if !(4..=9).contains(&a.control_number.len()) {
        return err("control_number", "4 to 9 characters");
    }
    if a.functional_id.is_empty() || a.group_control_number.is_empty() {
        return err("functional_id", "AK101 and AK102 are required");
    }
    if a.group_errors.len() > 5 || a.group_errors.iter().any(String::is_empty) {
        return err("group_errors", "at most five non-empty codes (AK905-AK909)");
    }
    for (t, tx) in a.transactions.iter().enumerate() {
        let at = |f: &str| format!("transactions[{t}].{f}");
        if tx.id.is_empty() || tx.control_number.is_empty() {
            return err(&at("id"), "AK201 and AK202 are required");
        }
        if tx.status == AckStatus::PartiallyAccepted {
            return err(&at("status"), "IK501 cannot be P (partially accepted)");
        }
        if tx.error_codes.len() > 5 || tx.error_codes.iter().any(String::is_empty) {
            return err(
                &at("error_codes"),
                "at most five non-empty codes (IK502-IK506)",
            );
        }
        for (s, segment) in tx.segment_errors.iter().enumerate() {
            if segment.segment_id.is_empty() {
                return err(&at(&format!("segment_errors[{s}].segment_id")), "required");
            }
            let contexts = segment
                .contexts
                .iter()
                .chain(segment.element_errors.iter().flat_map(|e| &e.contexts));
            for context in contexts {
                if context.name.is_empty() {
                    return err(
                        &at(&format!("segment_errors[{s}].contexts")),
                        "each CTX needs its CTX01-1 name",
                    );
                }
            }
            for (e, element) in segment.element_errors.iter().enumerate() {
                if element.code.is_empty() {
                    return err(
                        &at(&format!("segment_errors[{s}].element_errors[{e}].code")),
                        "required",
                    );
                }
            }
        }
    }
    Ok(())
}

fn write_ack(w: &mut SegmentWriter, a: &ImplementationAck) -> Result<(), WriteError> {
    w.start_transaction("999", &a.control_number, VERSION)?;
    w.seg(
        "AK1",
        &[
            El::S(&a.functional_id),
            El::S(&a.group_control_number),
            El::S(a.version.as_deref().unwrap_or("")),
        ],
    )?;
    for tx in &a.transactions {
        write_transaction(w, tx)?;
    }
    let counts = [
        a.included.to_string(),
        a.received.to_string(),
        a.accepted.to_string(),
    ];
    let mut ak9 = [El::S(""); 9];
    ak9[0] = El::S(a.status.code());
    for (slot, count) in ak9[1..4].iter_mut().zip(&counts) {
        *slot = El::S(count);
    }
    for (slot, code) in ak9[4..].iter_mut().zip(&a.group_errors) {
        *slot = El::S(code);
    }
    w.seg("AK9", &ak9)?;
    w.end_transaction(&a.control_number)
}

fn write_transaction(w: &mut SegmentWriter, tx: &TransactionAck) -> Result<(), WriteError> {
    w.seg(
        "AK2",
        &[
            El::S(&tx.id),
            El::S(&tx.control_number),
            El::S(tx.version.as_deref().unwrap_or("")),
        ],
    )?;
    for segment in &tx.segment_errors {
        write_segment_error(w, segment)?;
    }
    let mut ik5 = [El::S(""); 6];
    ik5[0] = El::S(tx.status.code());
    for (slot, code) in ik5[1..].iter_mut().zip(&tx.error_codes) {
        *slot = El::S(code);
    }
    w.seg("IK5", &ik5)
}

fn write_segment_error(w: &mut SegmentWriter, s: &SegmentError) -> Result<(), WriteError> {
    let position = s.position.to_string();
    w.seg(
        "IK3",
        &[
            El::S(&s.segment_id),
            El::S(&position),
            El::S(s.loop_id.as_deref().unwrap_or("")),
            El::S(s.code.as_deref().unwrap_or("")),
        ],
    )?;
    for c in &s.contexts {
        write_context(w, c)?;
    }
    for e in &s.element_errors {
        write_element_error(w, e)?;
    }
    Ok(())
}

fn write_context(w: &mut SegmentWriter, c: &ErrorContext) -> Result<(), WriteError> {
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let (position, element, component) = (
        number(c.segment_position),
        number(c.element_position),
        number(c.component_position),
    );
    w.seg(
        "CTX",
        &[
            El::C(&[&c.name, c.reference.as_deref().unwrap_or("")]),
            El::S(c.segment_id.as_deref().unwrap_or("")),
            El::S(&position),
            El::S(c.loop_id.as_deref().unwrap_or("")),
            El::C(&[&element, &component]),
        ],
    )
}

fn write_element_error(w: &mut SegmentWriter, e: &ElementError) -> Result<(), WriteError> {
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let parts = [
        e.position.to_string(),
        number(e.component),
        number(e.repetition),
    ];
    w.seg(
        "IK4",
        &[
            El::C(&[&parts[0], &parts[1], &parts[2]]),
            El::S(e.data_element.as_deref().unwrap_or("")),
            El::S(&e.code),
            El::S(e.bad_value.as_deref().unwrap_or("")),
        ],
    )?;
    for c in &e.contexts {
        write_context(w, c)?;
    }
    Ok(())
}
