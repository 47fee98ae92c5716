//! Medical code newtypes: ICD-10-CM diagnoses, ICD-10-PCS procedures,
//! CPT/HCPCS procedures and their modifiers. Each parses what a person types
//! (any case, ICD-10-CM with or without its dot, surrounding spaces) into
//! one stored form, and refuses what cannot be a code of its system. Whether
//! a well-formed code exists on a date of service is the code sets' question,
//! not this module's.
//!
//! ICD-10-CM is stored and sent in X12 without the dot (`R079`, as the 837
//! guides require) and shown to people with it (`R07.9`): [`IcdCm::as_str`]
//! gives the stored form, `Display` the dotted one.

use std::fmt;

/// Why text was refused as a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Not the shape of an ICD-10-CM code.
    #[error(
        "not an ICD-10-CM code (a letter, a digit, then 1 to 5 letters or digits; a dot after the third is allowed)"
    )]
    IcdCm,
    /// Not the shape of an ICD-10-PCS code.
    #[error("not an ICD-10-PCS code (7 letters or digits, no I or O)")]
    IcdPcs,
    /// Not the shape of a CPT or HCPCS Level II code.
    #[error("not a CPT or HCPCS code (5 digits, 4 digits and F/T/U, or a letter and 4 digits)")]
    Procedure,
    /// Not the shape of a procedure modifier.
    #[error("not a modifier (2 letters or digits)")]
    Modifier,
}

/// Upper case without spaces (and without dots when `drop_dots`).
fn clean(text: &str, drop_dots: bool) -> String {
    text.trim()
        .chars()
        .filter(|c| !(drop_dots && *c == '.'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// An ICD-10-CM diagnosis code, stored without its dot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IcdCm(String);

impl IcdCm {
    /// Parses `r07.9`, `R079`, ` R07.9 `. A dot is accepted only after the
    /// third character.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let upper = clean(text, false);
        if let Some(dot) = upper.find('.')
            && (dot != 3 || upper[dot + 1..].contains('.'))
        {
            return Err(CodeError::IcdCm);
        }
        let code: String = upper.chars().filter(|c| *c != '.').collect();
        let b = code.as_bytes();
        let ok = (3..=7).contains(&b.len())
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_digit()
            && b[2..].iter().all(u8::is_ascii_alphanumeric);
        if ok {
            Ok(IcdCm(code))
        } else {
            Err(CodeError::IcdCm)
        }
    }

    /// The stored and X12 form, without the dot (`R079`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The three-character category (`R07`).
    pub fn category(&self) -> &str {
        &self.0[..3]
    }
}

impl fmt::Display for IcdCm {
    /// The form people read, with the dot after the category (`R07.9`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&display_icd(&self.0))
    }
}

/// An ICD-10-CM code in the form people read: the stored text with a dot
/// after the third character when it has more than three (`R079` →
/// `R07.9`, `E11` → `E11`). For code text that is not known to be a valid
/// `IcdCm` (a code a payer sent back), it inserts the dot the same way.
pub fn display_icd(code: &str) -> String {
    if code.len() > 3 && code.is_char_boundary(3) && !code.contains('.') {
        format!("{}.{}", &code[..3], &code[3..])
    } else {
        code.to_string()
    }
}

/// An ICD-10-PCS inpatient procedure code (7 characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IcdPcs(String);

impl IcdPcs {
    /// Parses `0dtj4zz` → `0DTJ4ZZ`. The letters I and O never occur.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let code = clean(text, false);
        let ok = code.len() == 7
            && code
                .bytes()
                .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && b != b'I' && b != b'O'));
        if ok {
            Ok(IcdPcs(code))
        } else {
            Err(CodeError::IcdPcs)
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IcdPcs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A CPT (Level I HCPCS) or HCPCS Level II procedure code: `99213`, the
/// category II/III and PLA forms `3074F`, `0042T`, `0001U`, or `J1885`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProcedureCode(String);

impl ProcedureCode {
    /// Parses a CPT or HCPCS code in any case.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let code = clean(text, false);
        let b = code.as_bytes();
        let ok = b.len() == 5
            && (b.iter().all(u8::is_ascii_digit)
                || (b[..4].iter().all(u8::is_ascii_digit) && matches!(b[4], b'F' | b'T' | b'U'))
                || (b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)));
        if ok {
            Ok(ProcedureCode(code))
        } else {
            Err(CodeError::Procedure)
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is a HCPCS Level II code (a letter then four digits).
    pub fn is_level_two(&self) -> bool {
        self.0.as_bytes()[0].is_ascii_uppercase()
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A CPT/HCPCS modifier (`25`, `59`, `XU`, `LT`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Modifier(String);

impl Modifier {
    /// Parses a two-character modifier in any case.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let code = clean(text, false);
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Modifier(code))
        } else {
            Err(CodeError::Modifier)
        }
    }

    /// The modifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_icd_code_is_accepted_with_or_without_its_dot_and_shown_with_it() {
        let with = IcdCm::parse("r07.9").unwrap();
        let without = IcdCm::parse(" R079 ").unwrap();
        assert_eq!(with, without);
        assert_eq!(with.as_str(), "R079");
        assert_eq!(with.to_string(), "R07.9");
        assert_eq!(IcdCm::parse("S52.521A").unwrap().to_string(), "S52.521A");
        assert_eq!(IcdCm::parse("E11").unwrap().to_string(), "E11");
        assert_eq!(IcdCm::parse("E11").unwrap().category(), "E11");
    }

    #[test]
    fn malformed_icd_codes_are_refused() {
        for bad in [
            "",
            "R0",
            "7R07",
            "RR07",
            "R0.79",
            "R07.9.1",
            "R07912345",
            "R07-9",
        ] {
            assert_eq!(IcdCm::parse(bad), Err(CodeError::IcdCm), "{bad:?}");
        }
    }

    #[test]
    fn pcs_codes_are_seven_characters_without_i_or_o() {
        assert_eq!(IcdPcs::parse("0dtj4zz").unwrap().as_str(), "0DTJ4ZZ");
        assert!(IcdPcs::parse("0DTJ4Z").is_err());
        assert!(IcdPcs::parse("0DTJ4ZO").is_err());
        assert!(IcdPcs::parse("0DTI4ZZ").is_err());
    }

    #[test]
    fn procedure_codes_take_the_cpt_and_hcpcs_shapes() {
        for good in ["99213", "3074f", "0042T", "0001U", "J1885", "g0439"] {
            assert!(ProcedureCode::parse(good).is_ok(), "{good}");
        }
        for bad in ["9921", "992134", "3074X", "JJ885", "99.21"] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad}");
        }
        assert!(ProcedureCode::parse("J1885").unwrap().is_level_two());
        assert!(!ProcedureCode::parse("99213").unwrap().is_level_two());
    }

    #[test]
    fn modifiers_are_two_letters_or_digits() {
        assert_eq!(Modifier::parse("xu").unwrap().as_str(), "XU");
        assert!(Modifier::parse("X").is_err());
        assert!(Modifier::parse("XU1").is_err());
    }

    #[test]
    fn display_icd_dots_any_code_text_once() {
        assert_eq!(display_icd("R079"), "R07.9");
        assert_eq!(display_icd("R07.9"), "R07.9");
        assert_eq!(display_icd("E11"), "E11");
    }
}
