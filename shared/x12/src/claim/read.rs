//! Reading what 837P and 837I share: the header parties (1000A/B), the HL
//! hierarchy (2000A/B/C), other payers (2320/2330A/B) and line
//! adjudications (2430). What follows CLM is read by a [`ClaimKind`].

use crate::claim::read_lines::{
    ClaimArea, check_other_payer, demographics, empty_name, read_adjudication_segment,
    read_other_payer_segment, read_person, start_other_payer,
};
use crate::claim::{
    BillingProvider, ClaimBatch, Demographics, OtherPayer, Patient, Payer, PayerResponsibility,
    Receiver, Sex, Submitter, Subscriber,
};
use crate::common::Address;
use crate::driver::TransactionParser;
use crate::error::{ErrorKind, X12Error};
use crate::segment::Segment;
use crate::values::{Date, Phi};

/// The parties above one claim, as the hierarchy had them when its CLM came.
#[derive(Debug, Clone)]
pub struct ClaimParties {
    /// 2000A/2010AA.
    pub billing_provider: BillingProvider,
    /// 2000B/2010BA.
    pub subscriber: Subscriber,
    /// 2010BB.
    pub payer: Payer,
    /// 2000C/2010CA.
    pub patient: Option<Patient>,
}

/// What an 837 variant reads after CLM: its claim, claim-level segments
/// and service lines.
pub trait ClaimKind: Sized {
    /// The finished claim.
    type Claim;
    /// Starts a claim from its CLM.
    fn from_clm(seg: &Segment<'_>, parties: ClaimParties) -> Result<Self, X12Error>;
    /// Takes a claim-level segment (DTP, REF, HI, CL1, NM1, PRV, ...).
    fn claim_segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error>;
    /// Takes a service line segment; `first` is true right after LX.
    fn line_segment(&mut self, seg: &Segment<'_>, first: bool) -> Result<(), X12Error>;
    /// The claim's other-payer loops.
    fn other_payers(&mut self) -> &mut Vec<OtherPayer>;
    /// The last line's 2430 loops, when a line is open.
    fn adjudications(&mut self) -> Option<&mut Vec<crate::claim::LineAdjudication>>;
    /// Checks what only the end of the claim can show; `at` is the
    /// segment after it.
    fn finish(self, at: &Segment<'_>) -> Result<Self::Claim, X12Error>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Header,
    Provider,
    Subscriber,
    SubscriberPayer,
    Patient,
    Claim(ClaimArea),
}

/// Parser for the body of one 837 transaction set of kind `K`.
#[derive(Debug)]
pub struct Claim837Parser<K: ClaimKind> {
    control_number: String,
    header: Option<(String, Date, String)>,
    submitter: Option<Submitter>,
    receiver: Option<Receiver>,
    level: Level,
    provider: Option<BillingProvider>,
    subscriber: Option<(Subscriber, Payer)>,
    patient: Option<Patient>,
    claim: Option<K>,
    claims: Vec<K::Claim>,
    /// The open 2430 loop has had its DTP*573.
    adjudication_dated: bool,
    /// Inside a 2010AB/AC (pay-to) loop, whose N3/N4/REF are not the
    /// billing provider's.
    in_pay_to: bool,
}

impl<K: ClaimKind> Claim837Parser<K> {
    /// A parser for the 837 with control number ST02.
    pub fn new(control_number: &str) -> Self {
        Self {
            control_number: control_number.to_owned(),
            header: None,
            submitter: None,
            receiver: None,
            level: Level::Header,
            provider: None,
            subscriber: None,
            patient: None,
            claim: None,
            claims: Vec::new(),
            adjudication_dated: true,
            in_pay_to: false,
        }
    }

    fn close_claim(&mut self, at: &Segment<'_>) -> Result<(), X12Error> {
        if let Some(mut claim) = self.claim.take() {
            if self.level == Level::Claim(ClaimArea::OtherPayer) {
                check_other_payer(claim.other_payers(), at)?;
            }
            self.check_adjudication_dated(at)?;
            self.claims.push(claim.finish(at)?);
        }
        Ok(())
    }

    fn header_segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match (seg.id(), seg.element(1)) {
            ("BHT", _) if self.header.is_none() => {
                self.header = Some((seg.req(3)?.to_owned(), seg.date(4)?, seg.req(5)?.to_owned()));
            }
            ("NM1", "41") => {
                self.submitter = Some(Submitter {
                    name: seg.req(3)?.to_owned(),
                    id: seg.req(9)?.to_owned(),
                    contact_name: String::new(),
                    phone: String::new(),
                });
            }
            ("PER", _) => {
                let submitter = self.submitter.as_mut().ok_or_else(|| unexpected(seg))?;
                submitter.contact_name = seg.element(2).to_owned();
                submitter.phone = seg.element(4).to_owned();
            }
            ("NM1", "40") => {
                self.receiver = Some(Receiver {
                    name: seg.req(3)?.to_owned(),
                    id: seg.req(9)?.to_owned(),
                });
            }
            _ => return Err(unexpected(seg)),
        }
        Ok(())
    }

    fn hl(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        self.close_claim(seg)?;
        self.in_pay_to = false;
        match seg.req(3)? {
            "20" => {
                self.provider = Some(BillingProvider {
                    name: String::new(),
                    npi: String::new(),
                    ein: String::new(),
                    taxonomy: None,
                    address: Address::default(),
                });
                self.level = Level::Provider;
            }
            "22" => {
                self.subscriber = None;
                self.patient = None;
                self.level = Level::Subscriber;
            }
            "23" => {
                self.patient = Some(Patient {
                    relationship: String::new(),
                    name: empty_name(),
                    address: Address::default(),
                    demographics: Demographics {
                        birth_date: Phi::new(Date::MIN),
                        sex: Sex::Unknown,
                    },
                });
                self.level = Level::Patient;
            }
            other => return Err(seg.invalid(3, other, "20, 22 or 23")),
        }
        Ok(())
    }

    fn provider_segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let p = self.provider.as_mut().ok_or_else(|| unexpected(seg))?;
        match (seg.id(), seg.element(1), self.in_pay_to) {
            ("PRV", "BI", false) => p.taxonomy = Some(seg.req(3)?.to_owned()),
            ("NM1", "85", _) => {
                p.name = seg.req(3)?.to_owned();
                p.npi = seg.req(9)?.to_owned();
                self.in_pay_to = false;
            }
            // Pay-to address (87) and pay-to plan (PE) loops.
            ("NM1", _, _) => self.in_pay_to = true,
            ("N3", _, false) => p.address.read_n3(seg)?,
            ("N4", _, false) => p.address.read_n4(seg)?,
            ("REF", "EI", false) => p.ein = seg.req(2)?.to_owned(),
            ("N3" | "N4" | "REF" | "PER" | "CUR" | "PRV", _, _) => {}
            _ => return Err(unexpected(seg)),
        }
        Ok(())
    }

    fn subscriber_segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        if seg.id() == "SBR" && self.subscriber.is_none() {
            let code = seg.req(1)?;
            let subscriber = Subscriber {
                responsibility: PayerResponsibility::from_code(code)
                    .ok_or_else(|| seg.invalid(1, code, "P, S or T"))?,
                group_number: seg.opt(3).map(str::to_owned),
                filing_indicator: seg.req(9)?.to_owned(),
                name: empty_name(),
                member_id: Phi::from(""),
                address: None,
                demographics: None,
            };
            let payer = Payer {
                name: String::new(),
                id: String::new(),
            };
            self.subscriber = Some((subscriber, payer));
            return Ok(());
        }
        let (sub, payer) = self.subscriber.as_mut().ok_or_else(|| unexpected(seg))?;
        match (seg.id(), seg.element(1), self.level) {
            ("NM1", "IL", Level::Subscriber) => {
                let (name, id) = read_person(seg)?;
                sub.name = name;
                sub.member_id =
                    Phi::new(id.ok_or_else(|| seg.error(9, ErrorKind::MissingElement))?);
            }
            ("N3", _, Level::Subscriber) => sub
                .address
                .get_or_insert_with(Address::default)
                .read_n3(seg)?,
            ("N4", _, Level::Subscriber) => sub
                .address
                .get_or_insert_with(Address::default)
                .read_n4(seg)?,
            ("DMG", _, Level::Subscriber) => sub.demographics = Some(demographics(seg)?),
            ("NM1", "PR", Level::Subscriber) => {
                payer.name = seg.req(3)?.to_owned();
                payer.id = seg.req(9)?.to_owned();
                self.level = Level::SubscriberPayer;
            }
            // The payer's address and secondary ids, the subscriber's
            // secondary ids, contact and death/pregnancy details are not
            // part of the model.
            ("N3" | "N4" | "REF", _, Level::SubscriberPayer) => {}
            ("REF" | "PER" | "PAT", _, Level::Subscriber) => {}
            _ => return Err(unexpected(seg)),
        }
        Ok(())
    }

    fn patient_segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        let p = self.patient.as_mut().ok_or_else(|| unexpected(seg))?;
        match (seg.id(), seg.element(1)) {
            ("PAT", _) => p.relationship = seg.req(1)?.to_owned(),
            ("NM1", "QC") => p.name = read_person(seg)?.0,
            ("N3", _) => p.address.read_n3(seg)?,
            ("N4", _) => p.address.read_n4(seg)?,
            ("DMG", _) => p.demographics = demographics(seg)?,
            ("REF" | "PER", _) => {}
            _ => return Err(unexpected(seg)),
        }
        Ok(())
    }

    fn start_claim(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        self.close_claim(seg)?;
        let missing = |what| seg.segment_error(ErrorKind::MissingSegment(what));
        let billing_provider = self.provider.clone().ok_or_else(|| missing("HL*20"))?;
        if billing_provider.npi.is_empty() {
            return Err(missing("NM1*85 billing provider"));
        }
        let (subscriber, payer) = self.subscriber.clone().ok_or_else(|| missing("SBR"))?;
        if payer.id.is_empty() {
            return Err(missing("NM1*PR payer"));
        }
        if subscriber.member_id.expose().is_empty() {
            return Err(missing("NM1*IL subscriber"));
        }
        let parties = ClaimParties {
            billing_provider,
            subscriber,
            payer,
            patient: self.patient.clone(),
        };
        self.claim = Some(K::from_clm(seg, parties)?);
        self.level = Level::Claim(ClaimArea::Claim);
        Ok(())
    }

    fn check_adjudication_dated(&self, at: &Segment<'_>) -> Result<(), X12Error> {
        if self.level == Level::Claim(ClaimArea::Adjudication) && !self.adjudication_dated {
            return Err(at.segment_error(ErrorKind::MissingSegment("DTP*573 in loop 2430")));
        }
        Ok(())
    }

    fn claim_segment(&mut self, seg: &Segment<'_>, area: ClaimArea) -> Result<(), X12Error> {
        if matches!(seg.id(), "SVD" | "LX") {
            self.check_adjudication_dated(seg)?;
            self.adjudication_dated = seg.id() == "LX";
        }
        if area == ClaimArea::Adjudication && seg.id() == "DTP" && seg.element(1) == "573" {
            self.adjudication_dated = true;
        }
        let Some(claim) = self.claim.as_mut() else {
            return Err(unexpected(seg));
        };
        let next = match (seg.id(), area) {
            ("SBR", ClaimArea::Claim | ClaimArea::OtherPayer) => {
                if area == ClaimArea::OtherPayer {
                    check_other_payer(claim.other_payers(), seg)?;
                }
                claim.other_payers().push(start_other_payer(seg)?);
                ClaimArea::OtherPayer
            }
            ("LX", _) => {
                if area == ClaimArea::OtherPayer {
                    check_other_payer(claim.other_payers(), seg)?;
                }
                seg.req(1)?;
                ClaimArea::LineStart
            }
            (_, ClaimArea::Claim) => {
                claim.claim_segment(seg)?;
                ClaimArea::Claim
            }
            (_, ClaimArea::OtherPayer) => {
                let other = claim
                    .other_payers()
                    .last_mut()
                    .ok_or_else(|| unexpected(seg))?;
                read_other_payer_segment(other, seg)?;
                ClaimArea::OtherPayer
            }
            ("SVD", ClaimArea::Line | ClaimArea::Adjudication) => {
                let list = claim.adjudications().ok_or_else(|| unexpected(seg))?;
                read_adjudication_segment(list, seg, true)?;
                ClaimArea::Adjudication
            }
            (_, ClaimArea::Adjudication) => {
                let list = claim.adjudications().ok_or_else(|| unexpected(seg))?;
                read_adjudication_segment(list, seg, false)?;
                ClaimArea::Adjudication
            }
            (_, ClaimArea::LineStart | ClaimArea::Line) => {
                claim.line_segment(seg, area == ClaimArea::LineStart)?;
                ClaimArea::Line
            }
        };
        self.level = Level::Claim(next);
        Ok(())
    }
}

fn unexpected(seg: &Segment<'_>) -> X12Error {
    seg.segment_error(ErrorKind::UnexpectedSegment("out of place in an 837"))
}

impl<K: ClaimKind> TransactionParser for Claim837Parser<K> {
    type Output = ClaimBatch<K::Claim>;

    fn segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match (seg.id(), self.level) {
            ("HL", _) => self.hl(seg),
            (
                "CLM",
                Level::Subscriber | Level::SubscriberPayer | Level::Patient | Level::Claim(_),
            ) => self.start_claim(seg),
            (_, Level::Header) => self.header_segment(seg),
            (_, Level::Provider) => self.provider_segment(seg),
            (_, Level::Subscriber | Level::SubscriberPayer) => self.subscriber_segment(seg),
            (_, Level::Patient) => self.patient_segment(seg),
            (_, Level::Claim(area)) => self.claim_segment(seg, area),
        }
    }

    fn finish(mut self, se: &Segment<'_>) -> Result<Self::Output, X12Error> {
        self.close_claim(se)?;
        let missing = |what| se.segment_error(ErrorKind::MissingSegment(what));
        let (reference_id, created, created_time) = self.header.ok_or_else(|| missing("BHT"))?;
        if self.claims.is_empty() {
            return Err(missing("CLM"));
        }
        Ok(ClaimBatch {
            control_number: self.control_number,
            reference_id,
            created,
            created_time,
            submitter: self.submitter.ok_or_else(|| missing("NM1*41 submitter"))?,
            receiver: self.receiver.ok_or_else(|| missing("NM1*40 receiver"))?,
            claims: self.claims,
        })
    }
}
