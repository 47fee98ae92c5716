//! Prior authorizations: a payer's approval of procedure codes for a
//! patient over a range of dates of service, for a number of visits. When
//! a claim is built for codes its payer wants authorized, [`take_for_claim`]
//! finds an authorization that covers them and uses one of its visits, in
//! the claim's transaction.

use medbill_kernel::{CalendarDate, DateRange, PatientId, PayerId, Timestamp};
use medbill_platform::ServiceError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

medbill_kernel::typed_id!(
    /// A prior authorization in the registry.
    AuthorizationId,
    "authorization"
);

/// The longest authorization number REF*G1 carries (REF02 is 1 to 50).
pub const MAX_NUMBER_LEN: usize = 50;

/// A payer's prior authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// Its id.
    pub authorization_id: AuthorizationId,
    /// The payer's number (REF*G1).
    pub number: String,
    /// The patient authorized.
    pub patient_id: PatientId,
    /// The payer authorizing.
    pub payer_id: PayerId,
    /// CPT/HCPCS codes covered, sorted, at least one.
    pub procedure_codes: Vec<String>,
    /// Dates of service covered (with an end).
    pub valid: DateRange,
    /// Visits allowed, at least one.
    pub visits_allowed: u32,
    /// Visits claims used so far.
    pub visits_used: u32,
    /// Who recorded it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
}

impl Authorization {
    /// Whether it covers every code of `lines` (code, date of service) and
    /// has a visit left.
    pub fn covers(&self, lines: &[(&str, CalendarDate)]) -> bool {
        self.visits_used < self.visits_allowed
            && lines.iter().all(|(code, day)| {
                self.valid.contains(*day) && self.procedure_codes.iter().any(|c| c == code)
            })
    }
}

/// Checks an authorization number: 1 to 50 characters without the X12
/// separators.
pub fn parse_number(field: &str, text: &str) -> Result<String, ServiceError> {
    let number = text.trim();
    if number.is_empty() {
        return Err(ServiceError::invalid(field, "is required"));
    }
    if number.len() > MAX_NUMBER_LEN || !number.is_ascii() {
        return Err(ServiceError::invalid(
            field,
            format!("at most {MAX_NUMBER_LEN} ASCII characters"),
        ));
    }
    if number.contains(['*', '~', ':', '^']) {
        return Err(ServiceError::invalid(
            field,
            "must not contain the X12 separators * ~ : ^",
        ));
    }
    Ok(number.to_string())
}

const COLUMNS: &str = "authorization_id, auth_number, patient_id, payer_id, procedure_codes, \
    valid_start, valid_end, visits_allowed, visits_used, created_by, created_at";

/// Saves a new authorization; the same number twice for a payer is
/// `ALREADY_EXISTS` (the unique key).
pub async fn insert(conn: &mut AnyConnection, a: &Authorization) -> Result<(), ServiceError> {
    let end = a
        .valid
        .end()
        .ok_or_else(|| ServiceError::invalid("valid.end", "is required"))?;
    sqlx::query(&format!(
        "INSERT INTO prior_authorizations ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(a.authorization_id.as_str())
    .bind(&a.number)
    .bind(a.patient_id.as_str())
    .bind(a.payer_id.as_str())
    .bind(a.procedure_codes.join(","))
    .bind(a.valid.start().to_string())
    .bind(end.to_string())
    .bind(i64::from(a.visits_allowed))
    .bind(i64::from(a.visits_used))
    .bind(&a.created_by)
    .bind(a.created_at.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

fn authorization_of(row: &AnyRow) -> Result<Authorization, ServiceError> {
    let id: String = row.try_get("authorization_id")?;
    let bad = || ServiceError::Internal(format!("stored authorization {id} does not parse"));
    let day = |column: &str| -> Result<CalendarDate, ServiceError> {
        row.try_get::<String, _>(column)?.parse().map_err(|_| bad())
    };
    let count = |column: &str| -> Result<u32, ServiceError> {
        u32::try_from(row.try_get::<i64, _>(column)?).map_err(|_| bad())
    };
    let codes: String = row.try_get("procedure_codes")?;
    Ok(Authorization {
        authorization_id: AuthorizationId::parse(&id).map_err(|_| bad())?,
        number: row.try_get("auth_number")?,
        patient_id: PatientId::parse(&row.try_get::<String, _>("patient_id")?)
            .map_err(|_| bad())?,
        payer_id: PayerId::parse(&row.try_get::<String, _>("payer_id")?).map_err(|_| bad())?,
        procedure_codes: codes.split(',').map(str::to_string).collect(),
        valid: DateRange::new(day("valid_start")?, Some(day("valid_end")?)).map_err(|_| bad())?,
        visits_allowed: count("visits_allowed")?,
        visits_used: count("visits_used")?,
        created_by: row.try_get("created_by")?,
        created_at: Timestamp::parse(&row.try_get::<String, _>("created_at")?).ok_or_else(bad)?,
    })
}

/// A patient's authorizations (only `payer_id`'s when given), newest
/// first.
pub async fn of_patient(
    conn: &mut AnyConnection,
    patient_id: &PatientId,
    payer_id: Option<&PayerId>,
) -> Result<Vec<Authorization>, ServiceError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM prior_authorizations \
         WHERE patient_id = $1 AND ($2 = '' OR payer_id = $2) \
         ORDER BY authorization_id DESC"
    ))
    .bind(patient_id.as_str())
    .bind(payer_id.map(|p| p.as_str().to_string()).unwrap_or_default())
    .fetch_all(conn)
    .await?;
    rows.iter().map(authorization_of).collect()
}

/// For a claim of `patient_id` to `payer_id` whose `lines` (code, date of
/// service) need an authorization: the first authorization, by earliest
/// end, that covers them all with a visit left, its visit used. `None`
/// when none does (the scrubber then holds the claim).
pub async fn take_for_claim(
    conn: &mut AnyConnection,
    patient_id: &PatientId,
    payer_id: &PayerId,
    lines: &[(&str, CalendarDate)],
) -> Result<Option<Authorization>, ServiceError> {
    if lines.is_empty() {
        return Ok(None);
    }
    let mut found = of_patient(conn, patient_id, Some(payer_id)).await?;
    found.sort_by_key(|a| (a.valid.end(), a.authorization_id.as_str().to_string()));
    for mut a in found.into_iter().filter(|a| a.covers(lines)) {
        // Guarded: a concurrent claim that took the last visit leaves
        // nothing to update, and the next candidate is tried.
        let used = sqlx::query(
            "UPDATE prior_authorizations SET visits_used = visits_used + 1 \
             WHERE authorization_id = $1 AND visits_used < visits_allowed",
        )
        .bind(a.authorization_id.as_str())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if used == 1 {
            a.visits_used += 1;
            return Ok(Some(a));
        }
    }
    Ok(None)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> CalendarDate {
        CalendarDate::from_ymd(2026, m, d).unwrap()
    }

    fn auth(used: u32) -> Authorization {
        Authorization {
            authorization_id: AuthorizationId::new(),
            number: "AUTH-1".into(),
            patient_id: PatientId::new(),
            payer_id: PayerId::new(),
            procedure_codes: vec!["71046".into(), "99213".into()],
            valid: DateRange::new(day(9, 1), Some(day(10, 31))).unwrap(),
            visits_allowed: 2,
            visits_used: used,
            created_by: "pat".into(),
            created_at: Timestamp::now(),
        }
    }

    #[test]
    fn an_authorization_covers_listed_codes_in_its_dates_while_visits_are_left() {
        assert!(auth(0).covers(&[("99213", day(10, 1)), ("71046", day(10, 31))]));
        assert!(!auth(0).covers(&[("36415", day(10, 1))]), "code not listed");
        assert!(!auth(0).covers(&[("99213", day(11, 1))]), "after its end");
        assert!(
            !auth(0).covers(&[("99213", day(8, 31))]),
            "before its start"
        );
        assert!(!auth(2).covers(&[("99213", day(10, 1))]), "no visit left");
    }

    #[test]
    fn an_authorization_number_is_short_ascii_without_separators() {
        assert_eq!(parse_number("number", " A1 ").unwrap(), "A1");
        assert!(parse_number("number", "").is_err());
        assert!(parse_number("number", "A*1").is_err());
        assert!(parse_number("number", &"9".repeat(51)).is_err());
    }
}
