//! What `write_835` refuses before writing a byte: an unbalanced
//! remittance, and anything the reader could not give back as it was
//! (a claim without LX01 after an LX loop, DTM ranges, REF*6R among a
//! line's other references, TS3 out of its LX order, ...).

use crate::common::DateRef;
use crate::error::WriteError;
use crate::remit::balance::balance;
use crate::remit::read::TS3_AMOUNTS;
use crate::remit::{Party, Remittance};

pub(super) fn check(path: &str, r: &Remittance) -> Result<(), WriteError> {
    let err = |field: &str, why: &str| Err(WriteError::new(format!("{path}.{field}"), why));
    if !(4..=9).contains(&r.control_number.len()) {
        return err("control_number", "4 to 9 characters");
    }
    if r.trace.is_none() {
        return err("trace", "an 835 needs its TRN");
    }
    if let Some(finding) = balance(r).first() {
        let text = finding.to_string();
        let why = text.split_once("): ").map_or(text.as_str(), |(_, m)| m);
        return err("claims", &format!("unbalanced: {why}"));
    }
    for (name, party) in [("payer", &r.payer), ("payee", &r.payee)] {
        check_party(path, name, party)?;
    }
    let mut numbered = false;
    for (c, claim) in r.claims().enumerate() {
        let at = |f: &str| format!("claims[{c}].{f}");
        match claim.header_number {
            Some(_) => numbered = true,
            None if numbered => {
                return err(
                    &at("header_number"),
                    "a claim after an LX loop needs its LX01",
                );
            }
            None => {}
        }
        if claim.patient_control_number.is_empty()
            || claim.filing_indicator.is_empty()
            || claim.payer_claim_control_number.is_empty()
        {
            return err(
                &at("patient_control_number"),
                "CLP01, CLP06 and CLP07 are required",
            );
        }
        for (name, moa) in [
            ("inpatient", &claim.inpatient),
            ("outpatient", &claim.outpatient),
        ] {
            if moa.as_ref().is_some_and(|m| m.remark_codes.len() > 5) {
                return err(&at(name), "at most five remark codes");
            }
        }
        check_dates(&at("dates"), claim.dates())?;
        for (s, line) in claim.services().enumerate() {
            let at = |f: &str| format!("claims[{c}].services[{s}].{f}");
            check_dates(&at("dates"), line.dates())?;
            if line.references().iter().any(|r| r.qualifier == "6R") {
                return err(&at("references"), "REF*6R is the line_item_control_number");
            }
        }
    }
    check_summaries(path, r)?;
    if r.provider_adjustments
        .iter()
        .any(|p| p.reason.is_empty() || p.provider_id.is_empty())
    {
        return err("provider_adjustments", "PLB01 and each reason are required");
    }
    Ok(())
}

/// Each TS3 is written after the LX of its header number; the summaries
/// must come in the order of those LX loops (as the reader lists them).
fn check_summaries(path: &str, r: &Remittance) -> Result<(), WriteError> {
    let mut rest = r.provider_summaries.as_slice();
    for lx in lx_numbers(r) {
        while rest.first().is_some_and(|s| s.header_number == lx) {
            rest = &rest[1..];
        }
    }
    if let Some(s) = rest.first() {
        return Err(WriteError::new(
            format!("{path}.provider_summaries"),
            format!(
                "the TS3 of LX {} names no LX loop of the claims, or is out of their order",
                s.header_number
            ),
        ));
    }
    let bad = r.provider_summaries.iter().any(|s| {
        s.provider_id.is_empty()
            || s.facility_type.is_empty()
            || s.amounts.iter().any(|(n, _)| !TS3_AMOUNTS.contains(n))
            || s.amounts.windows(2).any(|w| w[0].0 >= w[1].0)
    });
    if bad {
        return Err(WriteError::new(
            format!("{path}.provider_summaries"),
            "TS301 and TS302 are required; amounts sit at TS313, 15, 17, 18, 20, 21, 22 or 24, in order",
        ));
    }
    Ok(())
}

/// The LX01 of each header-number loop, in the order they are written.
fn lx_numbers(r: &Remittance) -> impl Iterator<Item = u32> + '_ {
    let mut last = None;
    r.claims().filter_map(move |c| {
        let n = c.header_number?;
        if last == Some(n) {
            return None;
        }
        last = Some(n);
        Some(n)
    })
}

fn check_party(path: &str, name: &str, p: &Party) -> Result<(), WriteError> {
    let err = |field: &str, why: &str| Err(WriteError::new(format!("{path}.{name}.{field}"), why));
    if p.name.is_empty() {
        return err("name", "required (N102)");
    }
    if let Some(a) = &p.address {
        if a.line1.expose().is_empty() && a.line2.is_some() {
            return err("address.line1", "required with line2");
        }
        let rest = a.state.is_some() || a.postal_code.is_some() || a.country.is_some();
        if a.city.expose().is_empty() && rest {
            return err(
                "address.city",
                "required with state, postal code or country",
            );
        }
    }
    for c in &p.contacts {
        if c.numbers.len() > 3 || c.numbers.iter().any(|(q, n)| q.is_empty() || n.is_empty()) {
            return err("contacts", "at most three qualified numbers");
        }
    }
    Ok(())
}

fn check_dates(field: &str, dates: &[DateRef]) -> Result<(), WriteError> {
    if dates.iter().any(|d| d.end.is_some()) {
        return Err(WriteError::new(field, "DTM holds single dates, not ranges"));
    }
    Ok(())
}
