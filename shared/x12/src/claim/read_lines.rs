//! Reading the 837 pieces several loops share: person names (NM1) and
//! demographics (DMG), and the loops that record other payers' decisions:
//! 2320/2330 (claim level) and 2430 (line level).

use crate::claim::{
    Demographics, LineAdjudication, OtherPayer, PayerResponsibility, PersonName, Sex,
};
use crate::error::{ErrorKind, X12Error};
use crate::remit::Adjustment;
use crate::segment::Segment;
use crate::values::{Phi, Quantity};

/// Where inside a claim (loop 2300 and below) the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimArea {
    /// Loop 2300 segments.
    Claim,
    /// Loops 2320/2330A/2330B.
    OtherPayer,
    /// Right after LX: the SV1/SV2 must come.
    LineStart,
    /// Loop 2400 after its SV1/SV2.
    Line,
    /// Loop 2430.
    Adjudication,
}

/// A segment of a 2320/2330 loop (after its SBR).
pub(crate) fn read_other_payer_segment(
    other: &mut OtherPayer,
    seg: &Segment<'_>,
) -> Result<(), X12Error> {
    match (seg.id(), seg.element(1)) {
        ("CAS", _) => Adjustment::read_cas(seg, &mut other.adjustments)?,
        ("AMT", "D") => other.paid_amount = Some(seg.amount(2)?),
        ("NM1", "IL") => {
            let (name, id) = read_person(seg)?;
            other.subscriber_name = name;
            other.subscriber_id =
                Phi::new(id.ok_or_else(|| seg.error(9, ErrorKind::MissingElement))?);
        }
        ("NM1", "PR") => {
            other.payer_name = seg.req(3)?.to_owned();
            other.payer_id = seg.req(9)?.to_owned();
        }
        ("DTP", "573") => other.adjudication_date = Some(seg.date(3)?),
        // 2330C-I: the other payer's providers and facility. OI repeats
        // the claim's CLM08/CLM09; the model keeps them there.
        ("NM1" | "OI" | "AMT" | "DMG" | "N3" | "N4" | "REF" | "MOA" | "MIA" | "PER" | "DTP", _) => {
        }
        _ => {
            return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                "out of place in an other-payer (2320/2330) loop",
            )));
        }
    }
    Ok(())
}

/// A segment of a 2430 loop; `start` is true for its SVD.
pub(crate) fn read_adjudication_segment(
    list: &mut Vec<LineAdjudication>,
    seg: &Segment<'_>,
    start: bool,
) -> Result<(), X12Error> {
    if start {
        let units = seg.opt_quantity(5)?;
        list.push(LineAdjudication {
            payer_id: seg.req(1)?.to_owned(),
            paid_amount: seg.amount(2)?,
            paid_units: units.ok_or_else(|| seg.error(5, ErrorKind::MissingElement))?,
            adjustments: Vec::new(),
            // DTP*573 is required; the claim reader refuses a loop that
            // closes without one, so this placeholder never escapes.
            adjudication_date: crate::values::Date::MIN,
        });
        return Ok(());
    }
    let Some(last) = list.last_mut() else {
        return Err(seg.segment_error(ErrorKind::UnexpectedSegment("before SVD")));
    };
    match (seg.id(), seg.element(1)) {
        ("CAS", _) => Adjustment::read_cas(seg, &mut last.adjustments)?,
        ("DTP", "573") => last.adjudication_date = seg.date(3)?,
        ("AMT", _) => {}
        _ => {
            return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                "out of place in a line adjudication (2430) loop",
            )));
        }
    }
    Ok(())
}

/// SV1/SV2 units: SV103/SV204 must be `UN`, the quantity follows.
pub(crate) fn units(seg: &Segment<'_>, unit: usize) -> Result<Quantity, X12Error> {
    let code = seg.req(unit)?;
    if code != "UN" && code != "MJ" {
        return Err(seg.invalid(unit, code, "UN (unit) or MJ (minutes)"));
    }
    seg.opt_quantity(unit + 1)?
        .ok_or_else(|| seg.error(unit + 1, ErrorKind::MissingElement))
}

/// NM103-107 of a person.
pub(crate) fn person(seg: &Segment<'_>) -> PersonName {
    let phi = |n| seg.opt(n).map(Phi::from);
    PersonName {
        last: Phi::from(seg.element(3)),
        first: phi(4),
        middle: phi(5),
        suffix: phi(7),
    }
}

/// NM1*77 of a service facility (its N3/N4 follow).
pub(crate) fn service_facility(
    seg: &Segment<'_>,
) -> Result<crate::claim::ServiceFacility, X12Error> {
    Ok(crate::claim::ServiceFacility {
        name: seg.req(3)?.to_owned(),
        npi: seg.opt(9).map(str::to_owned).unwrap_or_default(),
        address: crate::common::Address::default(),
    })
}

/// An NM1 person name and, when present, its NM109 id.
pub(crate) fn read_person(seg: &Segment<'_>) -> Result<(PersonName, Option<String>), X12Error> {
    if seg.req(2)? != "1" {
        return Err(seg.invalid(2, seg.element(2), "1 (person)"));
    }
    seg.req(3)?;
    Ok((person(seg), seg.opt(9).map(str::to_owned)))
}

/// DMG*D8: birth date and sex.
pub(crate) fn demographics(seg: &Segment<'_>) -> Result<Demographics, X12Error> {
    if seg.req(1)? != "D8" {
        return Err(seg.invalid(1, seg.element(1), "D8"));
    }
    let code = seg.req(3)?;
    Ok(Demographics {
        birth_date: Phi::new(seg.date(2)?),
        sex: Sex::from_code(code).ok_or_else(|| seg.invalid(3, code, "F, M or U"))?,
    })
}

/// A name to fill in when its NM1 arrives.
pub(crate) fn empty_name() -> PersonName {
    PersonName {
        last: Phi::from(""),
        first: None,
        middle: None,
        suffix: None,
    }
}

/// Starts a 2320 loop from its SBR.
pub(crate) fn start_other_payer(seg: &Segment<'_>) -> Result<OtherPayer, X12Error> {
    let code = seg.req(1)?;
    Ok(OtherPayer {
        responsibility: PayerResponsibility::from_code(code)
            .ok_or_else(|| seg.invalid(1, code, "P, S or T"))?,
        relationship: seg.req(2)?.to_owned(),
        group_number: seg.opt(3).map(str::to_owned),
        filing_indicator: seg.req(9)?.to_owned(),
        adjustments: Vec::new(),
        paid_amount: None,
        subscriber_name: empty_name(),
        subscriber_id: Phi::from(""),
        payer_name: String::new(),
        payer_id: String::new(),
        adjudication_date: None,
    })
}

/// 2330A and 2330B are required in every 2320 loop.
pub(crate) fn check_other_payer(
    others: &mut [OtherPayer],
    at: &Segment<'_>,
) -> Result<(), X12Error> {
    match others.last() {
        Some(o) if o.subscriber_id.expose().is_empty() => {
            Err(at.segment_error(ErrorKind::MissingSegment("2330A NM1*IL")))
        }
        Some(o) if o.payer_id.is_empty() => {
            Err(at.segment_error(ErrorKind::MissingSegment("2330B NM1*PR")))
        }
        _ => Ok(()),
    }
}
