//! The 837I reader: loop 2300 (CLM, DTP*434/435, CL1, REF, HI with each
//! diagnosis's present-on-admission indicator, 2310A) and 2400 (LX, SV2,
//! DTP*472, REF*6R) into [`InstitutionalClaim`]; the parties and other
//! payers come from [`crate::claim::Claim837Parser`].

use crate::claim::{
    Claim837Parser, ClaimBatch, ClaimKind, ClaimParties, LineAdjudication, OtherPayer, units,
};
use crate::common::DateRef;
use crate::driver::{Context, expect_kind, read_all};
use crate::error::{ErrorKind, X12Error};
use crate::institutional::{
    CodeOnDate, Diagnosis, InstitutionalClaim, InstitutionalLine, PresentOnAdmission, VERSION,
    ValueCode,
};
use crate::professional::{frequency, one_char, practitioner};
use crate::segment::Segment;
use crate::values::{Amount, Date};

/// The 837I parser.
pub type Institutional837Parser = Claim837Parser<InstitutionalDraft>;

/// Reads every 837I transaction set of an in-memory file.
pub fn read_837i(bytes: &[u8]) -> Result<Vec<ClaimBatch<InstitutionalClaim>>, X12Error> {
    read_all(bytes, |context: Context<'_>, st: &Segment<'_>| {
        expect_kind(context, st, "837", &[VERSION])?;
        Ok(Institutional837Parser::new(
            &context.transaction.control_number,
        ))
    })
}

/// An institutional claim while its segments arrive.
#[derive(Debug)]
pub struct InstitutionalDraft {
    claim: InstitutionalClaim,
    /// DTP*434 (statement period) has been read.
    has_statement: bool,
    /// CL1 has been read.
    has_cl1: bool,
    /// The last NM1 of loop 2310 named the attending provider.
    in_attending: bool,
    /// The last NM1 of loop 2310 named the service facility.
    in_facility: bool,
}

fn read_hi(c: &mut InstitutionalClaim, seg: &Segment<'_>) -> Result<(), X12Error> {
    for n in 1..=12 {
        let (qualifier, code) = (seg.component(n, 1), seg.component(n, 2));
        if qualifier.is_empty() {
            continue;
        }
        if code.is_empty() {
            return Err(seg.component_error(n, 2, ErrorKind::MissingElement));
        }
        let dated = || -> Result<CodeOnDate, X12Error> {
            let raw = seg.component(n, 4);
            let date = Date::parse(raw).ok_or_else(|| {
                seg.component_error(
                    n,
                    4,
                    ErrorKind::InvalidValue {
                        value: raw.to_owned(),
                        expected: "a CCYYMMDD date",
                    },
                )
            })?;
            Ok(CodeOnDate {
                code: code.to_owned(),
                date,
            })
        };
        // HI0n-9 of a principal or other diagnosis: present on admission.
        let diagnosis = || -> Result<Diagnosis, X12Error> {
            let raw = seg.component(n, 9);
            let present_on_admission = match raw {
                "" => None,
                _ => Some(PresentOnAdmission::from_code(raw).ok_or_else(|| {
                    seg.component_error(
                        n,
                        9,
                        ErrorKind::InvalidValue {
                            value: raw.to_owned(),
                            expected: "a present-on-admission indicator: Y, N, U or W",
                        },
                    )
                })?),
            };
            Ok(Diagnosis {
                code: code.to_owned(),
                present_on_admission,
            })
        };
        match qualifier {
            "ABK" | "BK" => c.principal_diagnosis = diagnosis()?,
            "ABJ" | "BJ" => c.admitting_diagnosis = Some(code.to_owned()),
            "ABF" | "BF" => c.other_diagnoses.push(diagnosis()?),
            "BBR" | "BR" => c.principal_procedure = Some(dated()?),
            "BBQ" | "BQ" => c.other_procedures.push(dated()?),
            "BH" => c.occurrence_codes.push(dated()?),
            "BE" => {
                let raw = seg.component(n, 5);
                let amount = Amount::parse(raw).ok_or_else(|| {
                    seg.component_error(
                        n,
                        5,
                        ErrorKind::InvalidValue {
                            value: raw.to_owned(),
                            expected: "a decimal amount with at most 2 places",
                        },
                    )
                })?;
                c.value_codes.push(ValueCode {
                    code: code.to_owned(),
                    amount,
                });
            }
            "BG" => c.condition_codes.push(code.to_owned()),
            // Reason for visit, external cause, occurrence spans, DRG and
            // treatment codes are not part of the model.
            _ => {}
        }
    }
    Ok(())
}

impl ClaimKind for InstitutionalDraft {
    type Claim = InstitutionalClaim;

    fn from_clm(seg: &Segment<'_>, parties: ClaimParties) -> Result<Self, X12Error> {
        let facility = seg.component(5, 1);
        if facility.is_empty() {
            return Err(seg.component_error(5, 1, ErrorKind::MissingElement));
        }
        let claim = InstitutionalClaim {
            billing_provider: parties.billing_provider,
            subscriber: parties.subscriber,
            payer: parties.payer,
            patient: parties.patient,
            patient_control_number: seg.req(1)?.to_owned(),
            total_charge: seg.amount(2)?,
            facility_type: facility.to_owned(),
            frequency: frequency(seg)?,
            assignment: one_char(seg, 7)?,
            benefits_assigned: one_char(seg, 8)?,
            release_of_information: one_char(seg, 9)?,
            // Both replaced by the DTP*434 the guide requires; `finish`
            // refuses a claim without one.
            statement_from: Date::MIN,
            statement_to: Date::MIN,
            admission_date: None,
            admission_hour: None,
            discharge_hour: None,
            admission_type: None,
            admission_source: None,
            patient_status: String::new(),
            prior_authorization: None,
            payer_claim_control_number: None,
            principal_diagnosis: Diagnosis::new(""),
            admitting_diagnosis: None,
            other_diagnoses: Vec::new(),
            principal_procedure: None,
            other_procedures: Vec::new(),
            occurrence_codes: Vec::new(),
            value_codes: Vec::new(),
            condition_codes: Vec::new(),
            attending_provider: None,
            service_facility: None,
            other_payers: Vec::new(),
            lines: Vec::new(),
        };
        Ok(Self {
            claim,
            has_statement: false,
            has_cl1: false,
            in_attending: false,
            in_facility: false,
        })
    }

    fn claim_segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let c = &mut self.claim;
        match (seg.id(), seg.element(1)) {
            ("DTP", "434") => {
                let period = DateRef::from_dtp(seg)?;
                c.statement_from = period.date;
                c.statement_to = period.end.unwrap_or(period.date);
                self.has_statement = true;
            }
            ("DTP", "435") => {
                // D8 (CCYYMMDD) or DT (CCYYMMDDHHMM): the model keeps the
                // day and the hour.
                let raw = seg.req(3)?;
                let day = raw.get(..8).and_then(Date::parse);
                c.admission_date = Some(day.ok_or_else(|| seg.invalid(3, raw, "a date"))?);
                c.admission_hour = match seg.req(2)? {
                    "DT" => Some(
                        hour_of(raw.get(8..))
                            .ok_or_else(|| seg.invalid(3, raw, "a date and time, CCYYMMDDHHMM"))?,
                    ),
                    _ => None,
                };
            }
            ("DTP", "096") => {
                let raw = seg.req(3)?;
                c.discharge_hour =
                    Some(hour_of(Some(raw)).ok_or_else(|| seg.invalid(3, raw, "a time, HHMM"))?);
            }
            ("CL1", _) => {
                c.admission_type = seg.opt(1).map(str::to_owned);
                c.admission_source = seg.opt(2).map(str::to_owned);
                c.patient_status = seg.req(3)?.to_owned();
                self.has_cl1 = true;
            }
            ("REF", "G1") => c.prior_authorization = Some(seg.req(2)?.to_owned()),
            ("REF", "F8") => c.payer_claim_control_number = Some(seg.req(2)?.to_owned()),
            ("HI", _) => read_hi(c, seg)?,
            ("NM1", "77") => {
                self.in_attending = false;
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
                self.in_attending = role == "71";
                if self.in_attending {
                    c.attending_provider = Some(practitioner(seg)?);
                }
            }
            ("PRV", _) if self.in_attending => {
                if let Some(a) = c.attending_provider.as_mut() {
                    a.taxonomy = Some(seg.req(3)?.to_owned());
                }
            }
            (
                "DTP" | "REF" | "PWK" | "CN1" | "AMT" | "NTE" | "CRC" | "HCP" | "PRV" | "N3" | "N4"
                | "K3" | "PER",
                _,
            ) => {}
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "out of place in an 837I claim (2300)",
                )));
            }
        }
        Ok(())
    }

    fn line_segment(&mut self, seg: &Segment<'_>, first: bool) -> Result<(), X12Error> {
        if first {
            if seg.id() != "SV2" {
                return Err(seg.segment_error(ErrorKind::MissingSegment("SV2 after LX")));
            }
            let (procedure_code, modifiers) = match seg.opt(2) {
                Some(_) => {
                    let p = crate::remit::Procedure::read(seg, 2)?;
                    (
                        Some(p.code.to_string()),
                        p.modifiers.iter().map(String::from).collect(),
                    )
                }
                None => (None, Vec::new()),
            };
            self.claim.lines.push(InstitutionalLine {
                revenue_code: seg.req(1)?.to_owned(),
                procedure_code,
                modifiers,
                charge: seg.amount(3)?,
                units: units(seg, 4)?,
                service_date: None,
                line_item_control_number: String::new(),
                adjudications: Vec::new(),
            });
            return Ok(());
        }
        let Some(line) = self.claim.lines.last_mut() else {
            return Err(seg.segment_error(ErrorKind::UnexpectedSegment("before SV2")));
        };
        match (seg.id(), seg.element(1)) {
            ("DTP", "472") => line.service_date = Some(DateRef::from_dtp(seg)?.date),
            ("REF", "6R") => line.line_item_control_number = seg.req(2)?.to_owned(),
            // Other line references and amounts; line-level providers
            // (2420A-D) and drug (2410) loops are not part of the model.
            (
                "DTP" | "REF" | "AMT" | "NTE" | "PWK" | "HCP" | "LIN" | "CTP" | "NM1" | "N3" | "N4"
                | "PRV",
                _,
            ) => {}
            _ => {
                return Err(seg.segment_error(ErrorKind::UnexpectedSegment(
                    "out of place in an 837I service line (2400)",
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

    fn finish(self, at: &Segment<'_>) -> Result<InstitutionalClaim, X12Error> {
        let missing = |what| Err(at.segment_error(ErrorKind::MissingSegment(what)));
        if !self.has_statement {
            return missing("DTP*434 statement dates");
        }
        if !self.has_cl1 {
            return missing("CL1");
        }
        if self.claim.principal_diagnosis.code.is_empty() {
            return missing("HI*ABK principal diagnosis");
        }
        if self.claim.lines.is_empty() {
            return missing("LX/SV2 service line");
        }
        Ok(self.claim)
    }
}

/// The hour of an `HHMM` time, 0-23.
fn hour_of(time: Option<&str>) -> Option<u8> {
    let time = time?;
    if time.len() != 4 || !time.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hour: u8 = time[..2].parse().ok()?;
    let minute: u8 = time[2..].parse().ok()?;
    (hour < 24 && minute < 60).then_some(hour)
}
