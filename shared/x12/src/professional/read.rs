//! The 837P reader: loop 2300 (CLM, DTP, REF, HI, 2310B) and 2400 (LX,
//! SV1, DTP*472, REF*6R) into [`ProfessionalClaim`]; the parties and other
//! payers come from [`crate::claim::Claim837Parser`].

use crate::claim::{
    Claim837Parser, ClaimBatch, ClaimKind, ClaimParties, Frequency, LineAdjudication, OtherPayer,
    Practitioner, Signatures, units,
};
use crate::common::DateRef;
use crate::driver::{Context, expect_kind, read_all};
use crate::error::{ErrorKind, X12Error};
use crate::professional::{ProfessionalClaim, ProfessionalLine, VERSION};
use crate::segment::Segment;
use crate::values::Date;

/// The 837P parser.
pub type Professional837Parser = Claim837Parser<ProfessionalDraft>;

/// Reads every 837P transaction set of an in-memory file.
pub fn read_837p(bytes: &[u8]) -> Result<Vec<ClaimBatch<ProfessionalClaim>>, X12Error> {
    read_all(bytes, |context: Context<'_>, st: &Segment<'_>| {
        expect_kind(context, st, "837", &[VERSION])?;
        Ok(Professional837Parser::new(
            &context.transaction.control_number,
        ))
    })
}

/// A professional claim while its segments arrive.
#[derive(Debug)]
pub struct ProfessionalDraft {
    claim: ProfessionalClaim,
    /// The last line has had its DTP*472.
    line_dated: bool,
    /// The last NM1 of loop 2310 named the rendering provider.
    in_rendering: bool,
    /// The last NM1 of loop 2310 named the service facility.
    in_facility: bool,
}

/// CLM05-3 and the Y/N/code characters of CLM06-09, read the same way by
/// both claim kinds.
pub(crate) fn frequency(seg: &Segment<'_>) -> Result<Frequency, X12Error> {
    let code = seg.component(5, 3);
    Frequency::from_code(code).ok_or_else(|| {
        seg.component_error(
            5,
            3,
            ErrorKind::InvalidValue {
                value: code.to_owned(),
                expected: "1, 7 or 8",
            },
        )
    })
}

/// A one-character code element.
pub(crate) fn one_char(seg: &Segment<'_>, n: usize) -> Result<char, X12Error> {
    let raw = seg.req(n)?;
    let mut chars = raw.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(seg.invalid(n, raw, "a one-character code")),
    }
}

/// An NM1 practitioner (person with an NPI in NM109).
pub(crate) fn practitioner(seg: &Segment<'_>) -> Result<Practitioner, X12Error> {
    let (name, npi) = crate::claim::read_person(seg)?;
    Ok(Practitioner {
        name,
        npi: npi.ok_or_else(|| seg.error(9, ErrorKind::MissingElement))?,
        taxonomy: None,
    })
}

impl ProfessionalDraft {
    fn check_line_dated(&self, at: &Segment<'_>) -> Result<(), X12Error> {
        if !self.line_dated {
            return Err(at.segment_error(ErrorKind::MissingSegment("DTP*472 in loop 2400")));
        }
        Ok(())
    }
}

impl ClaimKind for ProfessionalDraft {
    type Claim = ProfessionalClaim;

    fn from_clm(seg: &Segment<'_>, parties: ClaimParties) -> Result<Self, X12Error> {
        let place = seg.component(5, 1);
        if place.is_empty() {
            return Err(seg.component_error(5, 1, ErrorKind::MissingElement));
        }
        let signature = seg.req(6)?;
        let claim = ProfessionalClaim {
            billing_provider: parties.billing_provider,
            subscriber: parties.subscriber,
            payer: parties.payer,
            patient: parties.patient,
            patient_control_number: seg.req(1)?.to_owned(),
            total_charge: seg.amount(2)?,
            place_of_service: place.to_owned(),
            frequency: frequency(seg)?,
            signatures: Signatures {
                provider_signature: match signature {
                    "Y" => true,
                    "N" => false,
                    other => return Err(seg.invalid(6, other, "Y or N")),
                },
                assignment: one_char(seg, 7)?,
                benefits_assigned: one_char(seg, 8)?,
                release_of_information: one_char(seg, 9)?,
            },
            onset_date: None,
            prior_authorization: None,
            payer_claim_control_number: None,
            diagnoses: Vec::new(),
            rendering_provider: None,
            service_facility: None,
            other_payers: Vec::new(),
            lines: Vec::new(),
        };
        Ok(Self {
            claim,
            line_dated: true,
            in_rendering: false,
            in_facility: false,
        })
    }

    fn claim_segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let c = &mut self.claim;
        match (seg.id(), seg.element(1)) {
            ("DTP", "431") => c.onset_date = Some(seg.date(3)?),
            ("REF", "G1") => c.prior_authorization = Some(seg.req(2)?.to_owned()),
            ("REF", "F8") => c.payer_claim_control_number = Some(seg.req(2)?.to_owned()),
            ("HI", _) => {
                for n in 1..=12 {
                    let (qualifier, code) = (seg.component(n, 1), seg.component(n, 2));
                    match qualifier {
                        "" => {}
                        "ABK" | "ABF" | "BK" | "BF" if !code.is_empty() => {
                            c.diagnoses.push(code.to_owned());
                        }
                        "ABK" | "ABF" | "BK" | "BF" => {
                            return Err(seg.component_error(n, 2, ErrorKind::MissingElement));
                        }
                        other => return Err(seg.invalid(n, other, "ABK or ABF diagnosis codes")),
                    }
                }
            }
            ("NM1", "77") => {
                self.in_rendering = false;
                self.in_facility = true;
                c.service_facility = Some(crate::claim::service_facility(seg)?);
            }
            ("N3", _) if self.in_facility => {
                if let Some(f) = c.service_facility.as_mut() {
                    f.address.read_n3(seg)?;
                }
            }
            ("N4", _) if self.in_facility => {
                if let Some(f) = c.service_facility.as_mut() {
                    f.address.read_n4(seg)?;
                }
            }
            ("NM1", role) => {
                self.in_facility = false;
                self.in_rendering = role == "82";
                if self.in_rendering {
                    c.rendering_provider = Some(practitioner(seg)?);
                }
            }
            ("PRV", _) if self.in_rendering => {
                if let Some(r) = c.rendering_provider.as_mut() {
                    r.taxonomy = Some(seg.req(3)?.to_owned());
                }
            }
            // Segments the model does not carry (other dates and
            // references, notes, attachments, other 2310 parties).
            (
                "DTP" | "REF" | "PWK" | "CN1" | "AMT" | "NTE" | "CRC" | "HCP" | "PRV" | "N3" | "N4"
                | "K3" | "CR1" | "CR2" | "PER",
                _,
            ) => {}
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "out of place in an 837P claim (2300)",
                )));
            }
        }
        Ok(())
    }

    fn line_segment(&mut self, seg: &Segment<'_>, first: bool) -> Result<(), X12Error> {
        if first {
            self.check_line_dated(seg)?;
            if seg.id() != "SV1" {
                return Err(seg.segment_error(ErrorKind::MissingSegment("SV1 after LX")));
            }
            let procedure = crate::remit::Procedure::read(seg, 1)?;
            let pointers = seg
                .components(7)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.parse::<u8>()
                        .map_err(|_| seg.invalid(7, p, "a diagnosis pointer"))
                })
                .collect::<Result<Vec<u8>, X12Error>>()?;
            self.claim.lines.push(ProfessionalLine {
                procedure_code: procedure.code.to_string(),
                modifiers: procedure.modifiers.iter().map(String::from).collect(),
                charge: seg.amount(2)?,
                units: units(seg, 3)?,
                place_of_service: seg.opt(5).map(str::to_owned),
                diagnosis_pointers: pointers,
                // Replaced by the DTP*472 the guide requires; a line
                // without one is refused by `check_line_dated`.
                service_date: Date::MIN,
                service_date_end: None,
                line_item_control_number: String::new(),
                adjudications: Vec::new(),
            });
            self.line_dated = false;
            return Ok(());
        }
        let Some(line) = self.claim.lines.last_mut() else {
            return Err(seg.segment_error(ErrorKind::UnexpectedSegment("before SV1")));
        };
        match (seg.id(), seg.element(1)) {
            ("DTP", "472") => {
                let date = DateRef::from_dtp(seg)?;
                line.service_date = date.date;
                line.service_date_end = date.end;
                self.line_dated = true;
            }
            ("REF", "6R") => line.line_item_control_number = seg.req(2)?.to_owned(),
            // Other line dates, references and amounts; line-level
            // providers and facilities (2420A-H), drug (2410) and form
            // (2440) loops are not part of the model.
            (
                "DTP" | "REF" | "AMT" | "NTE" | "PWK" | "CN1" | "QTY" | "MEA" | "CR1" | "CR3"
                | "CRC" | "K3" | "PS1" | "HCP" | "LIN" | "CTP" | "NM1" | "N3" | "N4" | "PRV"
                | "PER" | "LQ" | "FRM",
                _,
            ) => {}
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "out of place in an 837P service line (2400)",
                )));
            }
        }
        Ok(())
    }

    fn other_payers(&mut self) -> &mut Vec<OtherPayer> {
        &mut self.claim.other_payers
    }

    fn adjudications(&mut self) -> Option<&mut Vec<LineAdjudication>> {
        self.claim.lines.last_mut().map(|l| &mut l.adjudications)
    }

    fn finish(self, at: &Segment<'_>) -> Result<ProfessionalClaim, X12Error> {
        self.check_line_dated(at)?;
        if self.claim.lines.is_empty() {
            return Err(at.segment_error(ErrorKind::MissingSegment("LX/SV1 service line")));
        }
        if self.claim.diagnoses.is_empty() {
            return Err(at.segment_error(ErrorKind::MissingSegment("HI")));
        }
        Ok(self.claim)
    }
}
