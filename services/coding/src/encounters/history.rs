//! The change history of encounters: who did what, when, with the coding
//! before and after. Rows are only ever inserted.

use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::ServiceError;
use medbill_platform::writes::Writes;
use sqlx::{AnyConnection, Row};

use super::domain::Coding;

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Id.
    pub change_id: String,
    /// The principal's subject.
    pub actor: String,
    /// `submitted`, `claimed`, `coding_saved`, `held`, `resumed`,
    /// `released`, `reopened`.
    pub action: String,
    /// Coding before, when the change touched coding.
    pub before: Option<Coding>,
    /// Coding after.
    pub after: Option<Coding>,
    /// When (RFC 3339).
    pub at: String,
    /// Free text (a query, a denial's codes).
    pub detail: String,
}

/// Adds to `w` the INSERT recording a change of `encounter_id`.
pub fn push(
    w: &mut Writes,
    encounter_id: &str,
    actor: &str,
    action: &str,
    coding: Option<(&Coding, &Coding)>,
    at: &str,
    detail: &str,
) -> Result<(), ServiceError> {
    let json = |c: &Coding| {
        serde_json::to_string(c)
            .map_err(|e| ServiceError::Internal(format!("coding does not encode: {e}")))
    };
    let (before, after) = match coding {
        Some((b, a)) => (Some(json(b)?), Some(json(a)?)),
        None => (None, None),
    };
    w.push(
        "INSERT INTO encounter_changes (change_id, encounter_id, actor, action, before_coding, \
         after_coding, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            new_uuid_v7().into(),
            encounter_id.into(),
            actor.into(),
            action.into(),
            before.into(),
            after.into(),
            at.into(),
            detail.into(),
        ],
    );
    Ok(())
}

/// Every change of an encounter, oldest first.
pub async fn of_encounter(
    conn: &mut AnyConnection,
    encounter_id: &str,
) -> Result<Vec<Change>, sqlx::Error> {
    let parse = |text: Option<String>| -> Result<Option<Coding>, sqlx::Error> {
        text.map(|t| serde_json::from_str(&t).map_err(|e| sqlx::Error::Decode(Box::new(e))))
            .transpose()
    };
    sqlx::query(
        "SELECT change_id, actor, action, before_coding, after_coding, at, detail \
         FROM encounter_changes WHERE encounter_id = $1 ORDER BY at, change_id",
    )
    .bind(encounter_id)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| {
        Ok(Change {
            change_id: r.try_get(0)?,
            actor: r.try_get(1)?,
            action: r.try_get(2)?,
            before: parse(r.try_get(3)?)?,
            after: parse(r.try_get(4)?)?,
            at: r.try_get(5)?,
            detail: r.try_get(6)?,
        })
    })
    .collect()
}
