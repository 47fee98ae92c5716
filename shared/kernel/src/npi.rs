//! National Provider Identifier: ten digits whose last is a Luhn check digit
//! computed over the digits prefixed with the card-issuer prefix `80840`
//! (CMS, "Requirements for NPI check digit").

use std::fmt;

/// Why text is not an NPI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NpiError {
    /// Not exactly ten digits.
    #[error("an NPI is exactly 10 digits")]
    Format,
    /// The check digit does not match.
    #[error("NPI check digit does not match (Luhn with prefix 80840)")]
    CheckDigit,
}

/// A valid NPI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Npi(String);

impl Npi {
    /// Parses and checks an NPI.
    pub fn parse(text: &str) -> Result<Npi, NpiError> {
        let text = text.trim();
        if text.len() != 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NpiError::Format);
        }
        let digits: Vec<u32> = text.bytes().map(|b| u32::from(b - b'0')).collect();
        if luhn_check_digit(&digits[..9]) != digits[9] {
            return Err(NpiError::CheckDigit);
        }
        Ok(Npi(text.to_string()))
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Luhn check digit of `80840` followed by the nine NPI digits.
fn luhn_check_digit(first_nine: &[u32]) -> u32 {
    // The prefix 80840 adds a constant 24 to the doubled-digit sum.
    let mut sum = 24;
    for (i, d) in first_nine.iter().rev().enumerate() {
        if i % 2 == 0 {
            let doubled = d * 2;
            sum += doubled / 10 + doubled % 10;
        } else {
            sum += d;
        }
    }
    (10 - sum % 10) % 10
}

impl fmt::Display for Npi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cms_example_npi_is_valid() {
        // The worked example in the CMS check-digit document: 123456789 -> 3.
        assert_eq!(Npi::parse("1234567893").unwrap().as_str(), "1234567893");
    }

    #[test]
    fn a_wrong_check_digit_or_length_is_refused() {
        assert_eq!(Npi::parse("1234567890"), Err(NpiError::CheckDigit));
        assert_eq!(Npi::parse("123456789"), Err(NpiError::Format));
        assert_eq!(Npi::parse("12345678AB"), Err(NpiError::Format));
    }
}
