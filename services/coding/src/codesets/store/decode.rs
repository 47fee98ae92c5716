//! Reading stored values back: a value that does not decode is an error
//! naming its column, never a default (a silent default would let a
//! corrupted row pass the coding edits).

use medbill_kernel::CalendarDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::codesets::domain::{CodeSystem, NoteKind};

/// A decode error naming `column` (`table.column`).
pub fn corrupt(column: &str, detail: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored {column}: {detail}").into())
}

/// A stored `YYYY-MM-DD` date.
pub fn parse_date(column: &str, text: &str) -> Result<CalendarDate, sqlx::Error> {
    text.parse()
        .map_err(|e| corrupt(column, format!("{text:?} is not a date: {e}")))
}

/// A stored date or NULL.
pub fn parse_opt_date(
    column: &str,
    text: Option<&str>,
) -> Result<Option<CalendarDate>, sqlx::Error> {
    text.map(|t| parse_date(column, t)).transpose()
}

/// The date in column `name` of `row` (`column` names it in errors).
pub fn date_column(row: &AnyRow, column: &str, name: &str) -> Result<CalendarDate, sqlx::Error> {
    parse_date(column, &row.try_get::<String, _>(name)?)
}

/// The nullable date in column `name` of `row`.
pub fn opt_date_column(
    row: &AnyRow,
    column: &str,
    name: &str,
) -> Result<Option<CalendarDate>, sqlx::Error> {
    parse_opt_date(column, row.try_get::<Option<String>, _>(name)?.as_deref())
}

/// The code system in column `name` of `row`.
pub fn system_column(row: &AnyRow, column: &str, name: &str) -> Result<CodeSystem, sqlx::Error> {
    let text: String = row.try_get(name)?;
    CodeSystem::parse(&text)
        .ok_or_else(|| corrupt(column, format!("{text:?} is not a code system")))
}

/// A stored note kind.
pub fn note_kind(column: &str, text: &str) -> Result<NoteKind, sqlx::Error> {
    NoteKind::parse(text).ok_or_else(|| corrupt(column, format!("{text:?} is not a note kind")))
}

#[cfg(test)]
mod tests {
    use medbill_platform::ServiceError;

    use super::*;

    #[test]
    fn a_stored_value_that_does_not_decode_is_an_internal_error_naming_its_column() {
        let errors = [
            (
                parse_date("code_validity.valid_from", "2026-02-30").unwrap_err(),
                "code_validity.valid_from",
            ),
            (
                parse_opt_date("ncci_ptp_pairs.effective_to", Some("*")).unwrap_err(),
                "ncci_ptp_pairs.effective_to",
            ),
            (
                note_kind("code_notes.kind", "excludes3").unwrap_err(),
                "code_notes.kind",
            ),
        ];
        for (err, column) in errors {
            match ServiceError::from(err) {
                ServiceError::Internal(detail) => {
                    assert!(detail.contains(column), "{column}: {detail}")
                }
                other => panic!("{column}: {other:?}"),
            }
        }
        assert_eq!(
            parse_opt_date("code_validity.valid_to", None).unwrap(),
            None
        );
    }
}
