//! Small structures several transactions share (names, addresses,
//! references, qualified dates and amounts) and how they are read from
//! NM1, N3/N4, REF, DTM/DTP, AMT and PER segments.

use serde::Serialize;

use crate::error::X12Error;
use crate::segment::Segment;
use crate::text::Text;
use crate::values::{Amount, Date, Phi};

/// NM102: a person or an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    /// `1`.
    Person,
    /// `2`.
    Organization,
}

impl EntityType {
    /// The NM102 code.
    pub fn code(self) -> &'static str {
        match self {
            EntityType::Person => "1",
            EntityType::Organization => "2",
        }
    }
}

/// A named party from an NM1 segment. NM1 carries patients as well as
/// providers, so names and identifiers are all treated as PHI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    /// NM101, e.g. `QC` patient, `82` rendering provider.
    pub role: Text,
    /// NM102.
    pub entity_type: EntityType,
    /// NM103: last name or organization name (may be empty when the guide allows).
    pub last_name: Phi<Text>,
    /// NM104.
    pub first_name: Option<Phi<Text>>,
    /// NM105.
    pub middle_name: Option<Phi<Text>>,
    /// NM107.
    pub suffix: Option<Phi<Text>>,
    /// NM108, e.g. `XX` (NPI), `MI` (member id).
    pub id_qualifier: Option<Text>,
    /// NM109.
    pub id: Option<Phi<Text>>,
}

impl Entity {
    /// Reads an NM1 segment.
    pub fn from_nm1(seg: &Segment<'_>) -> Result<Self, X12Error> {
        let entity_type = match seg.req(2)? {
            "1" => EntityType::Person,
            "2" => EntityType::Organization,
            other => return Err(seg.invalid(2, other, "1 (person) or 2 (organization)")),
        };
        let phi = |n| seg.opt(n).map(Phi::from);
        Ok(Self {
            role: seg.req(1)?.into(),
            entity_type,
            last_name: Phi::from(seg.element(3)),
            first_name: phi(4),
            middle_name: phi(5),
            suffix: phi(7),
            id_qualifier: seg.opt(8).map(Into::into),
            id: phi(9),
        })
    }
}

/// A postal address from N3 and N4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Address {
    /// N301.
    pub line1: Phi<String>,
    /// N302.
    pub line2: Option<Phi<String>>,
    /// N401.
    pub city: Phi<String>,
    /// N402.
    pub state: Option<String>,
    /// N403.
    pub postal_code: Option<Phi<String>>,
    /// N404 (only outside the United States).
    pub country: Option<String>,
}

impl Address {
    /// Fills the street lines from an N3 segment.
    pub fn read_n3(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        self.line1 = Phi::from(seg.req(1)?);
        self.line2 = seg.opt(2).map(Phi::from);
        Ok(())
    }

    /// Fills city, state, postal code and country from an N4 segment.
    pub fn read_n4(&mut self, seg: &Segment<'_>) -> Result<(), X12Error> {
        self.city = Phi::from(seg.req(1)?);
        self.state = seg.opt(2).map(Into::into);
        self.postal_code = seg.opt(3).map(Phi::from);
        self.country = seg.opt(4).map(Into::into);
        Ok(())
    }
}

/// A qualified reference number (REF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// REF01, e.g. `6R`, `G1`, `F8`.
    pub qualifier: Text,
    /// REF02.
    pub value: Text,
}

impl Reference {
    /// Reads a REF segment.
    pub fn from_ref(seg: &Segment<'_>) -> Result<Self, X12Error> {
        Ok(Self {
            qualifier: seg.req(1)?.into(),
            value: seg.req(2)?.into(),
        })
    }
}

/// A qualified date (DTM in 835, DTP elsewhere); ranges keep both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateRef {
    /// DTM01 / DTP01, e.g. `472` service date.
    pub qualifier: Text,
    /// The date, or the first day of a range.
    pub date: Date,
    /// The last day of an `RD8` range.
    pub end: Option<Date>,
}

impl DateRef {
    /// Reads a DTM segment (qualifier, CCYYMMDD date).
    pub fn from_dtm(seg: &Segment<'_>) -> Result<Self, X12Error> {
        Ok(Self {
            qualifier: seg.req(1)?.into(),
            date: seg.date(2)?,
            end: None,
        })
    }

    /// Reads a DTP segment (qualifier, `D8` or `RD8`, value).
    pub fn from_dtp(seg: &Segment<'_>) -> Result<Self, X12Error> {
        let qualifier = seg.req(1)?.into();
        let value = seg.req(3)?;
        match seg.req(2)? {
            "D8" => Ok(Self {
                qualifier,
                date: seg.date(3)?,
                end: None,
            }),
            "RD8" => {
                let parsed = value
                    .split_once('-')
                    .and_then(|(a, b)| Some((Date::parse(a)?, Date::parse(b)?)));
                let (date, end) =
                    parsed.ok_or_else(|| seg.invalid(3, value, "CCYYMMDD-CCYYMMDD"))?;
                Ok(Self {
                    qualifier,
                    date,
                    end: Some(end),
                })
            }
            other => Err(seg.invalid(2, other, "D8 or RD8")),
        }
    }

    /// The DTP02 format and DTP03 value for writing.
    pub fn to_dtp(&self) -> (&'static str, String) {
        match self.end {
            Some(end) => ("RD8", format!("{}-{}", self.date.to_x12(), end.to_x12())),
            None => ("D8", self.date.to_x12()),
        }
    }
}

/// A qualified amount (AMT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmountRef {
    /// AMT01, e.g. `B6` allowed, `I` interest, `AU` coverage amount.
    pub qualifier: Text,
    /// AMT02.
    pub amount: Amount,
}

impl AmountRef {
    /// Reads an AMT segment.
    pub fn from_amt(seg: &Segment<'_>) -> Result<Self, X12Error> {
        Ok(Self {
            qualifier: seg.req(1)?.into(),
            amount: seg.amount(2)?,
        })
    }
}

/// A contact (PER): a function code, a name and communication numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// PER01, e.g. `IC` information contact, `BL` technical.
    pub function: String,
    /// PER02.
    pub name: Option<String>,
    /// (qualifier, number) pairs from PER03-08, e.g. (`TE`, phone).
    pub numbers: Vec<(String, String)>,
}

impl Contact {
    /// Reads a PER segment.
    pub fn from_per(seg: &Segment<'_>) -> Result<Self, X12Error> {
        let mut numbers = Vec::new();
        for n in [3, 5, 7] {
            if let Some(q) = seg.opt(n) {
                numbers.push((q.to_owned(), seg.req(n + 1)?.into()));
            }
        }
        Ok(Self {
            function: seg.req(1)?.into(),
            name: seg.opt(2).map(Into::into),
            numbers,
        })
    }
}
