//! What `medbill x12 parse` and `medbill x12 validate` do, so the binary
//! only reads the file and prints: the canonical JSON of every transaction
//! set, and the validation report with positions.

use serde_json::{Value, json};

use crate::envelope::{EnvelopeTracker, Role};
use crate::error::X12Error;
use crate::reader::Segments;
use crate::segment::Segment;
use crate::transactions::{AnyParser, Parsed};
use crate::validate::{Finding, ValidationReport};

/// Parses every interchange in the file and returns the canonical JSON
/// document (shape documented in the crate README). Stops at the first
/// problem of any kind and returns it.
pub fn parse_to_json(bytes: &[u8]) -> Result<Value, X12Error> {
    let mut tracker = EnvelopeTracker::new();
    let mut problems = Vec::new();
    let mut interchanges: Vec<Value> = Vec::new();
    let mut parser: Option<AnyParser> = None;
    let mut last = None;
    for seg in Segments::new(bytes) {
        let seg = seg?;
        last = Some(seg.mark());
        let role = tracker.observe(&seg, &mut problems);
        if let Some(problem) = problems.drain(..).next() {
            return Err(problem);
        }
        match role {
            Role::InterchangeStart => {
                interchanges.push(json!({ "header": tracker.interchange(), "groups": [] }));
            }
            Role::GroupStart => {
                if let Some(groups) = interchanges
                    .last_mut()
                    .and_then(|i| i["groups"].as_array_mut())
                {
                    groups.push(json!({ "header": tracker.group(), "transactions": [] }));
                }
            }
            Role::TransactionStart => {
                let version = implementation(&tracker);
                parser = Some(AnyParser::start(&seg, seg.element(1), &version)?);
            }
            Role::Body => {
                if let Some(p) = parser.as_mut() {
                    p.segment(&seg)?;
                }
            }
            Role::TransactionEnd => {
                if let Some(p) = parser.take() {
                    let parsed = p.finish(&seg)?;
                    push_transaction(&mut interchanges, &seg, parsed);
                }
            }
            Role::GroupEnd | Role::InterchangeEnd | Role::Stray => {}
        }
    }
    match last {
        Some(at) => tracker.finish(at.location(), &mut problems),
        None => return Err(empty_file()),
    }
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem);
    }
    Ok(json!({ "interchanges": interchanges }))
}

/// Validates the file: envelopes (counts, control numbers, nesting),
/// transaction structure and required segments, and 835 balancing. Keeps
/// going after each problem so one run lists them all.
pub fn validate(bytes: &[u8]) -> ValidationReport {
    let mut report = ValidationReport::default();
    let mut tracker = EnvelopeTracker::new();
    let mut problems = Vec::new();
    let mut parser: Option<AnyParser> = None;
    let mut last = None;
    for seg in Segments::new(bytes) {
        let seg = match seg {
            Ok(seg) => seg,
            Err(e) => {
                report.push(Finding::from_error(e));
                continue;
            }
        };
        last = Some(seg.mark());
        let role = tracker.observe(&seg, &mut problems);
        report.extend(problems.drain(..).map(Finding::from_error));
        match role {
            Role::TransactionStart => {
                report.transactions += 1;
                let version = implementation(&tracker);
                parser = match AnyParser::start(&seg, seg.element(1), &version) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        report.push(Finding::from_error(e));
                        None
                    }
                };
            }
            Role::Body => {
                // After the first structural error the rest of the set is
                // skipped: later errors would only echo the first.
                if let Some(Err(e)) = parser.as_mut().map(|p| p.segment(&seg)) {
                    report.push(Finding::from_error(e));
                    parser = None;
                }
            }
            Role::TransactionEnd => {
                if let Some(p) = parser.take() {
                    match p.finish(&seg) {
                        Ok(parsed) => report.extend(parsed.findings()),
                        Err(e) => report.push(Finding::from_error(e)),
                    }
                }
            }
            Role::InterchangeStart
            | Role::GroupStart
            | Role::GroupEnd
            | Role::InterchangeEnd
            | Role::Stray => {}
        }
    }
    match last {
        Some(at) => {
            tracker.finish(at.location(), &mut problems);
            report.extend(problems.drain(..).map(Finding::from_error));
        }
        None if report.findings.is_empty() => report.push(Finding::from_error(empty_file())),
        None => {}
    }
    report
}

fn implementation(tracker: &EnvelopeTracker) -> String {
    tracker
        .transaction()
        .and_then(|t| t.implementation_reference.clone())
        .or_else(|| tracker.group().map(|g| g.version.clone()))
        .unwrap_or_default()
}

fn push_transaction(interchanges: &mut [Value], se: &Segment<'_>, parsed: Parsed) {
    let entry = json!({
        "type": parsed.kind(),
        "control_number": se.element(2),
        "data": parsed.to_json(),
    });
    let transactions = interchanges
        .last_mut()
        .and_then(|i| i["groups"].as_array_mut())
        .and_then(|g| g.last_mut())
        .and_then(|g| g["transactions"].as_array_mut());
    if let Some(list) = transactions {
        list.push(entry);
    }
}

fn empty_file() -> X12Error {
    X12Error::new(
        crate::error::Location {
            segment_index: 1,
            byte_offset: 0,
            segment_id: String::new(),
            element: None,
        },
        crate::error::ErrorKind::InvalidIsa("the file is empty"),
    )
}
