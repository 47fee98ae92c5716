//! Parsers of the official CMS layouts (docs/CODESETS.md) of what no package
//! registry holds: the ICD-10-CM order file, the NCCI PTP table, MUE values,
//! and a customer's licensed CPT file. Each file becomes one release with
//! the name and effective date the operator gives; header lines of the CMS
//! files (titles, copyright, column names) are skipped, any other line that
//! does not fit the layout fails the import with its line number.

use medbill_kernel::CalendarDate;

use super::domain::{CodeRow, normalize_code};
pub use super::domain::{MueRow, PtpRow};
use super::error::CodeSetError;

/// The text of a CMS file: CMS files are ASCII or Latin-1, so bytes that
/// are not UTF-8 are read as Latin-1 and every byte stays readable.
pub fn decode_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => e.into_bytes().iter().map(|b| char::from(*b)).collect(),
    }
}

/// Reads an `icd10cm_order_YYYY.txt` (fixed width: order 1–5, code 7–13,
/// 15 = `1` billable / `0` header, short description 17–76, long 78–end).
pub fn parse_order_file(file: &str, text: &str) -> Result<Vec<CodeRow>, CodeSetError> {
    let mut codes: Vec<CodeRow> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let bad = |what: &str| CodeSetError::format(file, format!("line {}: {what}", i + 1));
        if line.len() < 17
            || !line.is_char_boundary(17)
            || !line[..5].bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad(
                "not in the order-file layout (order number in columns 1-5)",
            ));
        }
        let code =
            normalize_code(line[6..13].trim()).map_err(|_| bad("columns 7-13 are not a code"))?;
        let is_header = match &line[14..15] {
            "1" => false,
            "0" => true,
            _ => return Err(bad("column 15 must be 1 (billable) or 0 (header)")),
        };
        let short = line.get(16..76.min(line.len())).unwrap_or_default().trim();
        let long = line.get(77..).unwrap_or_default().trim();
        let parent = (3..code.len())
            .rev()
            .filter_map(|n| code.get(..n))
            .find(|p| codes.iter().rev().take(64).any(|c| c.code == *p))
            .unwrap_or_default()
            .to_string();
        codes.push(CodeRow {
            code,
            is_header,
            description: if long.is_empty() { short } else { long }.to_string(),
            parent,
            notes: Vec::new(),
        });
    }
    Ok(codes)
}

fn cms_date(text: &str) -> Option<CalendarDate> {
    text.trim().parse().ok()
}

/// Reads a tab-delimited NCCI PTP file: column 1, column 2, `*` if before
/// 1996, effective date, deletion date or `*`, modifier indicator, rationale.
pub fn parse_ncci_ptp(file: &str, text: &str) -> Result<Vec<PtpRow>, CodeSetError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').map(str::trim).collect();
        let is_data = f.len() >= 6 && normalize_code(f[0]).is_ok() && cms_date(f[3]).is_some();
        if !is_data {
            if rows.is_empty() {
                continue; // title and column-name lines before the data
            }
            if line.trim().is_empty() {
                continue;
            }
            return Err(CodeSetError::format(
                file,
                format!("line {}: not an NCCI PTP row", i + 1),
            ));
        }
        let bad = |what: &str| CodeSetError::format(file, format!("line {}: {what}", i + 1));
        let effective_to = match f[4] {
            "*" | "" => None,
            d => Some(cms_date(d).ok_or_else(|| bad("deletion date is not YYYYMMDD or *"))?),
        };
        let modifier_indicator = match f[5] {
            "0" => 0,
            "1" => 1,
            "9" => 9,
            _ => return Err(bad("modifier indicator must be 0, 1 or 9")),
        };
        rows.push(PtpRow {
            column1: normalize_code(f[0]).map_err(|_| bad("column 1 is not a code"))?,
            column2: normalize_code(f[1]).map_err(|_| bad("column 2 is not a code"))?,
            effective_from: cms_date(f[3]).ok_or_else(|| bad("effective date is not YYYYMMDD"))?,
            effective_to,
            modifier_indicator,
            rationale: f.get(6).copied().unwrap_or_default().to_string(),
        });
    }
    Ok(rows)
}

/// Splits one CSV line (double quotes, `""` inside quotes).
pub fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_string()),
            _ => field.push(c),
        }
    }
    fields.push(field.trim().to_string());
    fields
}

/// Reads an MUE csv (code, MUE value, adjudication indicator — `1 Line
/// Edit`, `2 Date of Service Edit: Policy`, `3 Date of Service Edit:
/// Clinical` or the bare digit — rationale).
pub fn parse_mue(file: &str, text: &str) -> Result<Vec<MueRow>, CodeSetError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let f = csv_fields(line);
        let value = f.get(1).and_then(|v| v.parse::<i64>().ok());
        let code = f.first().and_then(|c| normalize_code(c).ok());
        let (Some(code), Some(value)) = (code, value) else {
            if rows.is_empty() || line.trim().is_empty() {
                continue;
            }
            return Err(CodeSetError::format(
                file,
                format!(
                    "line {}: not an MUE row (code, value, indicator, rationale)",
                    i + 1
                ),
            ));
        };
        let indicator = f
            .get(2)
            .and_then(|t| t.trim().chars().next())
            .and_then(|c| c.to_digit(10))
            .filter(|d| (1..=3).contains(d))
            .ok_or_else(|| {
                CodeSetError::format(
                    file,
                    format!(
                        "line {}: adjudication indicator must start with 1, 2 or 3",
                        i + 1
                    ),
                )
            })?;
        if value < 0 {
            return Err(CodeSetError::format(
                file,
                format!("line {}: MUE value must not be negative", i + 1),
            ));
        }
        rows.push((
            code,
            value,
            i64::from(indicator),
            f.get(3).cloned().unwrap_or_default(),
        ));
    }
    Ok(rows)
}

/// Reads a customer's licensed CPT csv: code, short description, long
/// description (the long one is kept; the short one when long is empty).
pub fn parse_cpt(file: &str, text: &str) -> Result<Vec<CodeRow>, CodeSetError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let f = csv_fields(line);
        let code = f
            .first()
            .filter(|c| c.len() == 5)
            .and_then(|c| normalize_code(c).ok());
        let Some(code) = code else {
            if rows.is_empty() || line.trim().is_empty() {
                continue;
            }
            return Err(CodeSetError::format(
                file,
                format!("line {}: not a CPT row (code, short, long)", i + 1),
            ));
        };
        let short = f.get(1).cloned().unwrap_or_default();
        let long = f.get(2).cloned().unwrap_or_default();
        rows.push(CodeRow {
            code,
            is_header: false,
            description: if long.is_empty() { short } else { long },
            parent: String::new(),
            notes: Vec::new(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_file_line_reads_by_column() {
        let line = format!(
            "{:05} {:<7} {} {:<60} {}",
            2,
            "A000",
            1,
            "Cholera due to V. cholerae",
            "Cholera due to Vibrio cholerae 01, biovar cholerae"
        );
        let header = format!(
            "{:05} {:<7} {} {:<60} {}",
            1, "A00", 0, "Cholera", "Cholera"
        );
        let rows = parse_order_file("f", &format!("{header}\n{line}\n")).unwrap();
        assert!(rows[0].is_header);
        assert!(!rows[1].is_header);
        assert_eq!(
            rows[1].description,
            "Cholera due to Vibrio cholerae 01, biovar cholerae"
        );
        assert_eq!(rows[1].parent, "A00");
        let err = parse_order_file("f", "00001 A00     7 x\n").unwrap_err();
        assert!(err.to_string().contains("column 15"), "{err}");
    }

    #[test]
    fn csv_fields_keep_commas_and_quotes_inside_quotes() {
        assert_eq!(
            csv_fields(r#"a,"b, c","say ""hi""""#),
            vec!["a", "b, c", r#"say "hi""#]
        );
    }

    #[test]
    fn a_bad_ncci_row_after_the_data_started_fails_with_its_line() {
        let text = "Column1\tColumn2\n10021\t10004\t\t20190101\t*\t1\tx\n10021\t10005\t\t20190101\t*\t7\tx\n";
        let err = parse_ncci_ptp("f", text).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }
}
