//! The 999 for an 837 interchange: one acknowledgment per functional
//! group, one AK2 per transaction set. A set with a problem that
//! `medbill_x12` validation of the file found is rejected (IK5 `R`) with
//! an IK3 per problem (the segment, its position in the set, and `CTX`
//! naming the claim's CLM01) and an IK4 when the problem is in an element;
//! trailer problems are IK502 codes. Problems in the group or interchange
//! envelope reject the whole group (AK9 `R`).

use medbill_x12::ack::{
    AckStatus, ElementError, ErrorContext, ImplementationAck, SegmentError, TransactionAck,
};
use medbill_x12::{Delimiters, Finding, Location, X12Error};

use crate::scan::{Group, Interchange, TransactionSet};

/// A problem in a received file: where, and what (the reader's text).
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub(crate) location: Location,
    pub(crate) message: String,
}

impl From<&Finding> for Problem {
    fn from(f: &Finding) -> Self {
        Problem {
            location: f.location.clone(),
            message: f.message.clone(),
        }
    }
}

impl Problem {
    /// A reader error found while reading a set on its own: `offset` maps
    /// the set's ordinals back to the file's.
    pub(crate) fn of_error(e: &X12Error, offset: isize) -> Self {
        let mut location = e.location.clone();
        location.segment_index = location.segment_index.saturating_add_signed(offset);
        Problem {
            location,
            message: e.kind.to_string(),
        }
    }

    fn index(&self) -> usize {
        self.location.segment_index
    }
}

/// The texts of the reader's error kinds the 999 distinguishes (pinned
/// against `medbill_x12::ErrorKind` by a test).
mod text {
    pub(super) const MISSING_ELEMENT: &str = "required element is missing";
    pub(super) const INVALID_VALUE: &str = "invalid value";
    pub(super) const UNEXPECTED_SEGMENT: &str = "unexpected segment";
    pub(super) const MISSING_SEGMENT: &str = "missing required segment: ";
    pub(super) const INVALID_SEGMENT_ID: &str = "invalid segment identifier";
    pub(super) const COUNT: &str = "declared count";
    pub(super) const CONTROL: &str = "control number";
    pub(super) const UNCLOSED: &str = "file ended before ";
}

/// What one group's 999 says, and which of its sets go on to the payer.
#[derive(Debug, Clone)]
pub(crate) struct GroupVerdict {
    pub(crate) ack: ImplementationAck,
    pub(crate) accepted: Vec<bool>,
}

/// Acknowledges every group of `interchange`. `problems` are the
/// validation findings of the file; `extra` those found per set (index of
/// group, index of set, problems), e.g. a set of a kind the simulator does
/// not take.
pub(crate) fn acknowledge(
    interchange: &Interchange,
    problems: &[Problem],
    extra: &[(usize, usize, Vec<Problem>, Vec<String>)],
) -> Vec<GroupVerdict> {
    let in_a_group = |p: &Problem| {
        interchange
            .groups
            .iter()
            .any(|g| (g.first..=g.last).contains(&p.index()))
    };
    // Envelope problems of the interchange itself reject every group.
    let interchange_problem = problems
        .iter()
        .any(|p| (interchange.first..=interchange.last).contains(&p.index()) && !in_a_group(p));
    interchange
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let mut sets: Vec<(Vec<Problem>, Vec<String>)> =
                vec![(Vec::new(), Vec::new()); group.sets.len()];
            let mut group_problems = Vec::new();
            for p in problems
                .iter()
                .filter(|p| (group.first..=group.last).contains(&p.index()))
            {
                match group.set_at(p.index()) {
                    Some(s) => sets[s].0.push(p.clone()),
                    None => group_problems.push(p.clone()),
                }
            }
            for (eg, es, list, codes) in extra {
                if *eg == g
                    && let Some(set) = sets.get_mut(*es)
                {
                    set.0.extend(list.iter().cloned());
                    set.1.extend(codes.iter().cloned());
                }
            }
            let rejected_group = interchange_problem || !group_problems.is_empty();
            let verdict = Verdict {
                delimiters: interchange.delimiters,
                rejected_group,
            };
            group_verdict(g + 1, group, &sets, &group_problems, verdict)
        })
        .collect()
}

/// What a group's sets are judged with.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    /// The received interchange's delimiters (to copy bad values).
    delimiters: Delimiters,
    /// The group envelope itself is in error.
    rejected_group: bool,
}

fn group_verdict(
    n: usize,
    group: &Group,
    sets: &[(Vec<Problem>, Vec<String>)],
    group_problems: &[Problem],
    verdict: Verdict,
) -> GroupVerdict {
    let rejected_group = verdict.rejected_group;
    let mut transactions = Vec::with_capacity(sets.len());
    let mut accepted = Vec::with_capacity(sets.len());
    for (set, (problems, codes)) in group.sets.iter().zip(sets) {
        let tx = transaction_ack(set, problems, codes, verdict);
        accepted.push(tx.status.is_accepted());
        transactions.push(tx);
    }
    let count = accepted.iter().filter(|a| **a).count();
    let status = match (rejected_group, count) {
        (true, _) | (false, 0) => AckStatus::Rejected,
        (false, c) if c == accepted.len() => AckStatus::Accepted,
        (false, _) => AckStatus::PartiallyAccepted,
    };
    let mut group_errors: Vec<String> = group_problems.iter().filter_map(group_code).collect();
    group_errors.dedup();
    group_errors.truncate(5);
    let received = u32::try_from(group.sets.len()).unwrap_or(u32::MAX);
    GroupVerdict {
        ack: ImplementationAck {
            control_number: format!("{n:04}"),
            functional_id: group.header.functional_id.clone(),
            group_control_number: group.header.control_number.clone(),
            version: Some(group.header.version.clone()),
            transactions,
            status,
            included: group.declared.unwrap_or(received),
            received,
            accepted: u32::try_from(count).unwrap_or(u32::MAX),
            group_errors,
        },
        accepted,
    }
}

/// AK905 for a problem of the group envelope.
fn group_code(p: &Problem) -> Option<String> {
    let m = p.message.as_str();
    let ge = p.location.segment_id == "GE";
    let code = if ge && m.starts_with(text::COUNT) {
        "5"
    } else if ge && m.contains(text::CONTROL) {
        "4"
    } else if m == format!("{}GE", text::UNCLOSED) {
        "3"
    } else {
        return None;
    };
    Some(code.into())
}

fn transaction_ack(
    set: &TransactionSet,
    problems: &[Problem],
    codes: &[String],
    verdict: Verdict,
) -> TransactionAck {
    let mut error_codes: Vec<String> = codes.to_vec();
    let mut segment_errors = Vec::new();
    for p in problems {
        let m = p.message.as_str();
        let at_se = p.location.segment_id == "SE";
        if at_se && m.starts_with(text::COUNT) {
            error_codes.push("4".into());
        } else if at_se && m.contains(text::CONTROL) {
            error_codes.push("3".into());
        } else if m == format!("{}SE", text::UNCLOSED) {
            error_codes.push("2".into());
        } else {
            segment_errors.push(segment_error(set, p, verdict.delimiters));
        }
    }
    if !segment_errors.is_empty() {
        error_codes.push("5".into());
    }
    error_codes.dedup();
    error_codes.truncate(5);
    let status = if verdict.rejected_group || !error_codes.is_empty() {
        AckStatus::Rejected
    } else {
        AckStatus::Accepted
    };
    TransactionAck {
        id: set.id.clone(),
        control_number: set.control_number.clone(),
        version: set.implementation.clone(),
        segment_errors,
        status,
        error_codes,
    }
}

fn segment_error(set: &TransactionSet, p: &Problem, delimiters: Delimiters) -> SegmentError {
    let m = p.message.as_str();
    let (segment_id, code) = if let Some(what) = m.strip_prefix(text::MISSING_SEGMENT) {
        let id: String = what
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            .take(3)
            .collect();
        let id = if id.len() >= 2 {
            id
        } else {
            p.location.segment_id.clone()
        };
        (id, "3")
    } else if m.starts_with(text::UNEXPECTED_SEGMENT) {
        (p.location.segment_id.clone(), "2")
    } else if m == text::INVALID_SEGMENT_ID {
        (p.location.segment_id.clone(), "1")
    } else {
        (p.location.segment_id.clone(), "8")
    };
    let index = p.index();
    let position = u32::try_from(index.saturating_sub(set.first) + 1).unwrap_or(u32::MAX);
    let contexts = set
        .claim_at(index)
        .map(|pcn| ErrorContext {
            name: "CLM01".into(),
            reference: Some(pcn.to_owned()),
            segment_id: None,
            segment_position: None,
            loop_id: None,
            element_position: None,
            component_position: None,
        })
        .into_iter()
        .collect();
    let element_errors = p
        .location
        .element
        .map(|element| ElementError {
            position: u32::try_from(element.element).unwrap_or(u32::MAX),
            component: element.component.and_then(|c| u32::try_from(c).ok()),
            repetition: None,
            data_element: None,
            code: element_code(m).into(),
            bad_value: bad_value(
                set.segment(index),
                delimiters,
                element.element,
                element.component,
            ),
            contexts: Vec::new(),
        })
        .into_iter()
        .collect();
    SegmentError {
        segment_id: if segment_id.is_empty() {
            "ST".into()
        } else {
            segment_id
        },
        position,
        loop_id: None,
        code: Some(code.into()),
        contexts,
        element_errors,
    }
}

/// IK403: `1` required missing, `8` invalid date, `7` invalid code value,
/// `6` anything else about the element.
fn element_code(message: &str) -> &'static str {
    if message == text::MISSING_ELEMENT {
        "1"
    } else if message.starts_with(text::INVALID_VALUE) && message.contains("CCYYMMDD") {
        "8"
    } else if message.starts_with(text::INVALID_VALUE) {
        "7"
    } else {
        "6"
    }
}

/// IK404: a copy of the bad value, when there is one and the 999 (written
/// with the default delimiters) can carry it.
fn bad_value(
    segment: Option<&str>,
    d: Delimiters,
    element: usize,
    component: Option<usize>,
) -> Option<String> {
    let value = segment?.split(char::from(d.element)).nth(element)?;
    let value = match component {
        Some(k) => value
            .split(char::from(d.component))
            .nth(k.checked_sub(1)?)?,
        None => value,
    };
    let sendable = !value.is_empty()
        && value.len() <= 99
        && !value.contains(['*', ':', '^', '~'])
        && !value.chars().any(char::is_control);
    sendable.then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use medbill_x12::ErrorKind;

    use super::text;

    #[test]
    fn the_texts_the_999_reads_match_the_readers_error_kinds() {
        assert_eq!(ErrorKind::MissingElement.to_string(), text::MISSING_ELEMENT);
        let invalid = ErrorKind::InvalidValue {
            value: "X".into(),
            expected: "CCYYMMDD",
        };
        assert!(invalid.to_string().starts_with(text::INVALID_VALUE));
        assert!(
            ErrorKind::UnexpectedSegment("here")
                .to_string()
                .starts_with(text::UNEXPECTED_SEGMENT)
        );
        assert_eq!(
            ErrorKind::MissingSegment("NM1*85 billing provider").to_string(),
            format!("{}NM1*85 billing provider", text::MISSING_SEGMENT)
        );
        assert_eq!(
            ErrorKind::InvalidSegmentId.to_string(),
            text::INVALID_SEGMENT_ID
        );
        let count = ErrorKind::CountMismatch {
            declared: "5".into(),
            actual: 4,
        };
        assert!(count.to_string().starts_with(text::COUNT));
        let control = ErrorKind::ControlNumberMismatch {
            header: "1".into(),
            trailer: "2".into(),
        };
        assert!(control.to_string().contains(text::CONTROL));
        assert_eq!(
            ErrorKind::UnclosedEnvelope("SE").to_string(),
            format!("{}SE", text::UNCLOSED)
        );
    }
}
