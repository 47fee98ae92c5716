//! Writing the loops 837P and 837I share: header parties (1000A/B), the
//! HL hierarchy (2000A/B/C with their names), other payers (2320/2330)
//! and line adjudications (2430).

use crate::claim::{
    BillingProvider, ClaimBatch, LineAdjudication, OtherPayer, Patient, Payer, PersonName,
    Subscriber,
};
use crate::common::Address;
use crate::error::WriteError;
use crate::remit::Adjustment;
use crate::write::{El, SegmentWriter};

/// BHT and loops 1000A/1000B.
pub(crate) fn write_header<C>(
    w: &mut SegmentWriter,
    batch: &ClaimBatch<C>,
) -> Result<(), WriteError> {
    w.simple(
        "BHT",
        &[
            "0019",
            "00",
            &batch.reference_id,
            &batch.created.to_x12(),
            &batch.created_time,
            "CH",
        ],
    )?;
    let s = &batch.submitter;
    w.simple("NM1", &["41", "2", &s.name, "", "", "", "", "46", &s.id])?;
    w.simple("PER", &["IC", &s.contact_name, "TE", &s.phone])?;
    let r = &batch.receiver;
    w.simple("NM1", &["40", "2", &r.name, "", "", "", "", "46", &r.id])
}

/// The parties of one claim that the HL hierarchy carries.
pub(crate) struct Parties<'a> {
    pub(crate) provider: &'a BillingProvider,
    pub(crate) subscriber: &'a Subscriber,
    pub(crate) payer: &'a Payer,
    pub(crate) patient: Option<&'a Patient>,
}

/// Writes the 2000A (when the billing provider changes), 2000B and 2000C
/// loops ahead of one claim; `hl` is the last HL number used and
/// `provider_hl` the open 2000A, both updated.
pub(crate) fn write_hierarchy<'a>(
    w: &mut SegmentWriter,
    hl: &mut u32,
    provider_hl: &mut Option<(&'a BillingProvider, u32)>,
    parties: Parties<'a>,
) -> Result<(), WriteError> {
    let parent = match *provider_hl {
        Some((open, n)) if open == parties.provider => n,
        _ => {
            *hl += 1;
            write_billing_provider(w, *hl, parties.provider)?;
            *provider_hl = Some((parties.provider, *hl));
            *hl
        }
    };
    *hl += 1;
    let subscriber_hl = *hl;
    let sub = parties.subscriber;
    let has_patient = if parties.patient.is_some() { "1" } else { "0" };
    w.simple(
        "HL",
        &[
            &subscriber_hl.to_string(),
            &parent.to_string(),
            "22",
            has_patient,
        ],
    )?;
    let self_code = if parties.patient.is_none() { "18" } else { "" };
    w.simple(
        "SBR",
        &[
            sub.responsibility.code(),
            self_code,
            sub.group_number.as_deref().unwrap_or(""),
            "",
            "",
            "",
            "",
            "",
            &sub.filing_indicator,
        ],
    )?;
    write_person(w, "IL", &sub.name, Some(("MI", sub.member_id.expose())))?;
    if let Some(address) = &sub.address {
        write_address(w, address)?;
    }
    if let Some(d) = &sub.demographics {
        w.simple(
            "DMG",
            &["D8", &d.birth_date.expose().to_x12(), d.sex.code()],
        )?;
    }
    w.simple(
        "NM1",
        &[
            "PR",
            "2",
            &parties.payer.name,
            "",
            "",
            "",
            "",
            "PI",
            &parties.payer.id,
        ],
    )?;
    if let Some(p) = parties.patient {
        *hl += 1;
        w.simple(
            "HL",
            &[&hl.to_string(), &subscriber_hl.to_string(), "23", "0"],
        )?;
        w.simple("PAT", &[&p.relationship])?;
        write_person(w, "QC", &p.name, None)?;
        write_address(w, &p.address)?;
        let d = &p.demographics;
        w.simple(
            "DMG",
            &["D8", &d.birth_date.expose().to_x12(), d.sex.code()],
        )?;
    }
    Ok(())
}

fn write_billing_provider(
    w: &mut SegmentWriter,
    hl: u32,
    p: &BillingProvider,
) -> Result<(), WriteError> {
    w.simple("HL", &[&hl.to_string(), "", "20", "1"])?;
    if let Some(taxonomy) = &p.taxonomy {
        w.simple("PRV", &["BI", "PXC", taxonomy])?;
    }
    w.simple("NM1", &["85", "2", &p.name, "", "", "", "", "XX", &p.npi])?;
    write_address(w, &p.address)?;
    w.simple("REF", &["EI", &p.ein])
}

/// NM1 and PRV for a practitioner.
pub(crate) fn write_practitioner(
    w: &mut SegmentWriter,
    role: &str,
    taxonomy_code: &str,
    p: &crate::claim::Practitioner,
) -> Result<(), WriteError> {
    write_person(w, role, &p.name, Some(("XX", &p.npi)))?;
    if let Some(taxonomy) = &p.taxonomy {
        w.simple("PRV", &[taxonomy_code, "PXC", taxonomy])?;
    }
    Ok(())
}

/// Loop 2310C (837P) / 2310E (837I): NM1*77, N3, N4.
pub(crate) fn write_service_facility(
    w: &mut SegmentWriter,
    f: &crate::claim::ServiceFacility,
) -> Result<(), WriteError> {
    w.simple("NM1", &["77", "2", &f.name, "", "", "", "", "XX", &f.npi])?;
    write_address(w, &f.address)
}

/// NM1 for a person, with an optional (qualifier, id).
pub(crate) fn write_person(
    w: &mut SegmentWriter,
    role: &str,
    name: &PersonName,
    id: Option<(&str, &str)>,
) -> Result<(), WriteError> {
    fn opt(v: &Option<crate::values::Phi<String>>) -> &str {
        v.as_ref().map_or("", |x| x.expose().as_str())
    }
    let (qualifier, value) = id.unwrap_or(("", ""));
    w.simple(
        "NM1",
        &[
            role,
            "1",
            name.last.expose(),
            opt(&name.first),
            opt(&name.middle),
            "",
            opt(&name.suffix),
            qualifier,
            value,
        ],
    )
}

/// N3 and N4.
pub(crate) fn write_address(w: &mut SegmentWriter, a: &Address) -> Result<(), WriteError> {
    let line2 = a.line2.as_ref().map_or("", |l| l.expose().as_str());
    w.simple("N3", &[a.line1.expose(), line2])?;
    let postal = a.postal_code.as_ref().map_or("", |p| p.expose().as_str());
    w.simple(
        "N4",
        &[
            a.city.expose(),
            a.state.as_deref().unwrap_or(""),
            postal,
            a.country.as_deref().unwrap_or(""),
        ],
    )
}

/// CAS segments: consecutive adjustments of one group share a segment of
/// up to six triples.
pub(crate) fn write_cas(
    w: &mut SegmentWriter,
    adjustments: &[Adjustment],
) -> Result<(), WriteError> {
    let mut rest = adjustments;
    while let Some(first) = rest.first() {
        let run = rest
            .iter()
            .take(6)
            .take_while(|a| a.group == first.group)
            .count();
        let texts: Vec<[String; 3]> = rest[..run]
            .iter()
            .map(|a| {
                [
                    a.reason.to_string(),
                    a.amount.to_x12(),
                    a.quantity.map(|q| q.to_x12()).unwrap_or_default(),
                ]
            })
            .collect();
        let mut elements = vec![El::S(first.group.code())];
        for t in &texts {
            elements.extend(t.iter().map(|v| El::S(v)));
        }
        w.seg("CAS", &elements)?;
        rest = &rest[run..];
    }
    Ok(())
}

/// Loops 2320, 2330A and 2330B for each other payer. OI03 and OI06 repeat
/// the claim's own benefits-assignment and release codes.
pub(crate) fn write_other_payers(
    w: &mut SegmentWriter,
    others: &[OtherPayer],
    benefits_assigned: char,
    release: char,
) -> Result<(), WriteError> {
    let (benefits, release) = (benefits_assigned.to_string(), release.to_string());
    for o in others {
        w.simple(
            "SBR",
            &[
                o.responsibility.code(),
                &o.relationship,
                o.group_number.as_deref().unwrap_or(""),
                "",
                "",
                "",
                "",
                "",
                &o.filing_indicator,
            ],
        )?;
        write_cas(w, &o.adjustments)?;
        if let Some(paid) = o.paid_amount {
            w.simple("AMT", &["D", &paid.to_x12()])?;
        }
        w.simple("OI", &["", "", &benefits, "", "", &release])?;
        write_person(
            w,
            "IL",
            &o.subscriber_name,
            Some(("MI", o.subscriber_id.expose())),
        )?;
        w.simple(
            "NM1",
            &["PR", "2", &o.payer_name, "", "", "", "", "PI", &o.payer_id],
        )?;
        if let Some(date) = o.adjudication_date {
            w.simple("DTP", &["573", "D8", &date.to_x12()])?;
        }
    }
    Ok(())
}

/// Loop 2430 for each line adjudication; `procedure` is the line's SVD03
/// composite (qualifier, code, modifiers) and `revenue_code` its SVD04
/// (837I only).
pub(crate) fn write_line_adjudications(
    w: &mut SegmentWriter,
    adjudications: &[LineAdjudication],
    procedure: &[&str],
    revenue_code: &str,
) -> Result<(), WriteError> {
    for a in adjudications {
        let paid = a.paid_amount.to_x12();
        let units = a.paid_units.to_x12();
        w.seg(
            "SVD",
            &[
                El::S(&a.payer_id),
                El::S(&paid),
                El::C(procedure),
                El::S(revenue_code),
                El::S(&units),
            ],
        )?;
        write_cas(w, &a.adjustments)?;
        w.simple("DTP", &["573", "D8", &a.adjudication_date.to_x12()])?;
    }
    Ok(())
}

/// An NPI is ten digits whose Luhn check over `80840` + the first nine
/// digits matches the tenth.
pub(crate) fn check_npi(field: &str, npi: &str) -> Result<(), WriteError> {
    let digits: Vec<u32> = npi.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 10 || npi.len() != 10 {
        return Err(WriteError::new(field, "an NPI is ten digits"));
    }
    let mut sum = 24; // the Luhn contribution of the 80840 prefix
    for (i, d) in digits[..9].iter().rev().enumerate() {
        let v = if i % 2 == 0 { d * 2 } else { *d };
        sum += if v > 9 { v - 9 } else { v };
    }
    if (10 - sum % 10) % 10 != digits[9] {
        return Err(WriteError::new(
            field,
            format!("{npi} fails the NPI check digit"),
        ));
    }
    Ok(())
}
