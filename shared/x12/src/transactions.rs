//! Choosing a parser for each transaction set by its ST01 (and, for 837,
//! 276 and 277, its guide), for the CLI:
//! typed readers where the crate has them, otherwise the raw segments with
//! a check that the segments the guide requires are present.

use serde_json::Value;

use crate::ack::{Ack999Parser, ImplementationAck};
use crate::claim_ack::{ClaimAck277Parser, ClaimAcknowledgment};
use crate::driver::TransactionParser;
use crate::eligibility::{Eligibility271Parser, EligibilityResponse};
use crate::error::{ErrorKind, X12Error};
use crate::institutional::{Institutional837Parser, InstitutionalBatch};
use crate::professional::{Professional837Parser, ProfessionalBatch};
use crate::remit::balance::{BalanceFinding, balance};
use crate::remit::{Remittance, Remittance835Parser};
use crate::segment::Segment;
use crate::status::{
    ClaimStatusInquiry, ClaimStatusResponse, StatusInquiry276Parser, StatusResponse277Parser,
};
use crate::validate::Finding;

/// A parser for whichever transaction set comes next.
#[derive(Debug)]
pub enum AnyParser {
    /// 835.
    Remittance(Box<Remittance835Parser>),
    /// 837P.
    Professional(Box<Professional837Parser>),
    /// 837I.
    Institutional(Box<Institutional837Parser>),
    /// 999.
    Ack(Box<Ack999Parser>),
    /// 277CA.
    ClaimAck(Box<ClaimAck277Parser>),
    /// 271.
    Eligibility(Box<Eligibility271Parser>),
    /// 276 (005010X212).
    StatusInquiry(Box<StatusInquiry276Parser>),
    /// 277 claim status response (005010X212).
    StatusResponse(Box<StatusResponse277Parser>),
    /// Any other set: its segments, and the ids it must contain.
    Segments {
        /// ST01.
        kind: String,
        /// Every body segment as strings (id first).
        segments: Vec<Vec<String>>,
        /// Segment ids the guide requires in this set.
        required: &'static [&'static str],
    },
}

/// A parsed transaction set.
#[derive(Debug)]
pub enum Parsed {
    /// An 835 and its balancing findings.
    Remittance(Box<Remittance>, Vec<BalanceFinding>),
    /// An 837P.
    Professional(Box<ProfessionalBatch>),
    /// An 837I.
    Institutional(Box<InstitutionalBatch>),
    /// A 999.
    Ack(Box<ImplementationAck>),
    /// A 277CA.
    ClaimAck(Box<ClaimAcknowledgment>),
    /// A 271.
    Eligibility(Box<EligibilityResponse>),
    /// A 276.
    StatusInquiry(Box<ClaimStatusInquiry>),
    /// A 277 claim status response.
    StatusResponse(Box<ClaimStatusResponse>),
    /// Another set, as segments.
    Segments {
        /// ST01.
        kind: String,
        /// Body segments.
        segments: Vec<Vec<String>>,
    },
}

/// Segment ids each untyped set must contain (from the pyx12 maps' required
/// segments of the header and first loops).
fn required(kind: &str) -> &'static [&'static str] {
    match kind {
        "837" => &["BHT", "NM1", "HL", "SBR", "CLM", "HI", "LX"],
        "277" => &["BHT", "HL", "NM1", "TRN"],
        "270" => &["BHT", "HL", "NM1", "TRN", "EQ"],
        "276" => &["BHT", "HL", "NM1", "TRN"],
        _ => &[],
    }
}

impl AnyParser {
    /// The parser for the set that `st` opens; `version` is ST03 or GS08.
    pub fn start(st: &Segment<'_>, kind: &str, version: &str) -> Result<Self, X12Error> {
        Ok(match kind {
            "835" => {
                if !crate::remit::VERSIONS.contains(&version) {
                    return Err(st.invalid(3, version, "005010X221A1"));
                }
                Self::Remittance(Box::new(Remittance835Parser::new(st.element(2))))
            }
            "837" if version == crate::professional::VERSION => {
                Self::Professional(Box::new(Professional837Parser::new(st.element(2))))
            }
            "837" if version == crate::institutional::VERSION => {
                Self::Institutional(Box::new(Institutional837Parser::new(st.element(2))))
            }
            "999" => {
                if !crate::ack::VERSIONS.contains(&version) {
                    return Err(st.invalid(3, version, "005010X231A1"));
                }
                Self::Ack(Box::new(Ack999Parser::new(st.element(2))))
            }
            "277" if crate::claim_ack::VERSIONS.contains(&version) => {
                Self::ClaimAck(Box::new(ClaimAck277Parser::new(st.element(2))))
            }
            "277" if version == crate::status::VERSION => {
                Self::StatusResponse(Box::new(StatusResponse277Parser::new(st.element(2))))
            }
            "276" if version == crate::status::VERSION => {
                Self::StatusInquiry(Box::new(StatusInquiry276Parser::new(st.element(2))))
            }
            "271" => {
                if version != crate::eligibility::VERSION {
                    return Err(st.invalid(3, version, crate::eligibility::VERSION));
                }
                Self::Eligibility(Box::new(Eligibility271Parser::new(st.element(2))))
            }
            other => Self::Segments {
                kind: other.to_owned(),
                segments: Vec::new(),
                required: required(other),
            },
        })
    }

    /// Takes one body segment.
    pub fn segment(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        match self {
            Self::Remittance(p) => p.segment(seg),
            Self::Professional(p) => p.segment(seg),
            Self::Institutional(p) => p.segment(seg),
            Self::Ack(p) => p.segment(seg),
            Self::ClaimAck(p) => p.segment(seg),
            Self::Eligibility(p) => p.segment(seg),
            Self::StatusInquiry(p) => p.segment(seg),
            Self::StatusResponse(p) => p.segment(seg),
            Self::Segments { segments, .. } => {
                segments.push(seg.to_strings());
                Ok(())
            }
        }
    }

    /// Takes the SE and finishes the set.
    pub fn finish(self, se: &Segment<'_>) -> Result<Parsed, X12Error> {
        match self {
            Self::Remittance(p) => {
                let remittance = p.finish(se)?;
                let findings = balance(&remittance);
                Ok(Parsed::Remittance(Box::new(remittance), findings))
            }
            Self::Professional(p) => Ok(Parsed::Professional(Box::new(p.finish(se)?))),
            Self::Institutional(p) => Ok(Parsed::Institutional(Box::new(p.finish(se)?))),
            Self::Ack(p) => Ok(Parsed::Ack(Box::new(p.finish(se)?))),
            Self::ClaimAck(p) => Ok(Parsed::ClaimAck(Box::new(p.finish(se)?))),
            Self::Eligibility(p) => Ok(Parsed::Eligibility(Box::new(p.finish(se)?))),
            Self::StatusInquiry(p) => Ok(Parsed::StatusInquiry(Box::new(p.finish(se)?))),
            Self::StatusResponse(p) => Ok(Parsed::StatusResponse(Box::new(p.finish(se)?))),
            Self::Segments {
                kind,
                segments,
                required,
            } => {
                if let Some(missing) = required
                    .iter()
                    .find(|id| !segments.iter().any(|s| s[0] == **id))
                {
                    return Err(se.segment_error(ErrorKind::MissingSegment(missing)));
                }
                Ok(Parsed::Segments { kind, segments })
            }
        }
    }
}

impl Parsed {
    /// The transaction set identifier.
    pub fn kind(&self) -> &str {
        match self {
            Self::Remittance(..) => "835",
            Self::Professional(..) | Self::Institutional(..) => "837",
            Self::Ack(..) => "999",
            Self::ClaimAck(..) => "277",
            Self::Eligibility(..) => "271",
            Self::StatusInquiry(..) => "276",
            Self::StatusResponse(..) => "277",
            Self::Segments { kind, .. } => kind,
        }
    }

    /// The canonical JSON of the set.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Remittance(r, findings) => {
                let mut value = serde_json::to_value(r).unwrap_or(Value::Null);
                if let Some(map) = value.as_object_mut() {
                    map.insert(
                        "balancing".into(),
                        serde_json::to_value(findings).unwrap_or(Value::Null),
                    );
                }
                value
            }
            Self::Professional(b) => serde_json::to_value(b).unwrap_or(Value::Null),
            Self::Institutional(b) => serde_json::to_value(b).unwrap_or(Value::Null),
            Self::Ack(a) => serde_json::to_value(a).unwrap_or(Value::Null),
            Self::ClaimAck(a) => serde_json::to_value(a).unwrap_or(Value::Null),
            Self::Eligibility(e) => serde_json::to_value(e).unwrap_or(Value::Null),
            Self::StatusInquiry(q) => serde_json::to_value(q).unwrap_or(Value::Null),
            Self::StatusResponse(r) => serde_json::to_value(r).unwrap_or(Value::Null),
            Self::Segments { segments, .. } => serde_json::json!({ "segments": segments }),
        }
    }

    /// Validation findings beyond structure (835 balancing).
    pub fn findings(&self) -> Vec<Finding> {
        match self {
            Self::Remittance(_, findings) => findings.iter().map(Finding::from_balance).collect(),
            Self::Professional(..)
            | Self::Institutional(..)
            | Self::Ack(..)
            | Self::ClaimAck(..)
            | Self::Eligibility(..)
            | Self::StatusInquiry(..)
            | Self::StatusResponse(..)
            | Self::Segments { .. } => Vec::new(),
        }
    }
}
