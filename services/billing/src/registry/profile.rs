//! The submitter profile: who billing is at the clearinghouse, whom it
//! sends to, and which registered organization bills.

use medbill_kernel::Timestamp;
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::domain::ProviderId;

/// The submitter profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitterProfile {
    /// The billing provider (a registered organization with a tax id).
    pub billing_provider_id: ProviderId,
    /// Loop 1000A NM103.
    pub submitter_name: String,
    /// Loop 1000A NM109 (ETIN).
    pub submitter_id: String,
    /// PER02.
    pub contact_name: String,
    /// PER04, ten digits.
    pub contact_phone: String,
    /// Loop 1000B NM103.
    pub receiver_name: String,
    /// Loop 1000B NM109.
    pub receiver_id: String,
    /// ISA06.
    pub interchange_sender_id: String,
    /// ISA08.
    pub interchange_receiver_id: String,
    /// ISA15: `T` or `P`.
    pub usage_indicator: String,
}

/// Checks a profile's fields; the first one at fault.
pub fn validate(p: &SubmitterProfile) -> Result<(), ServiceError> {
    let required = [
        ("submitter_name", &p.submitter_name, 60),
        ("submitter_id", &p.submitter_id, 80),
        ("contact_name", &p.contact_name, 60),
        ("receiver_name", &p.receiver_name, 60),
        ("receiver_id", &p.receiver_id, 80),
        ("interchange_sender_id", &p.interchange_sender_id, 15),
        ("interchange_receiver_id", &p.interchange_receiver_id, 15),
    ];
    for (field, value, max) in required {
        if value.trim().is_empty() {
            return Err(ServiceError::invalid(field, "required"));
        }
        if value.len() > max || !value.is_ascii() {
            return Err(ServiceError::invalid(
                field,
                format!("at most {max} ASCII characters"),
            ));
        }
        if value.contains(['*', '~', ':', '^']) {
            return Err(ServiceError::invalid(
                field,
                "must not contain the X12 separators * ~ : ^",
            ));
        }
    }
    if p.contact_phone.len() != 10 || !p.contact_phone.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ServiceError::invalid("contact_phone", "ten digits"));
    }
    if !matches!(p.usage_indicator.as_str(), "T" | "P") {
        return Err(ServiceError::invalid(
            "usage_indicator",
            "\"T\" (test) or \"P\" (production)",
        ));
    }
    Ok(())
}

/// Saves the profile, replacing the previous one.
pub async fn save(conn: &mut AnyConnection, p: &SubmitterProfile) -> Result<(), ServiceError> {
    sqlx::query("DELETE FROM submitter_profile")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO submitter_profile (profile_id, billing_provider_id, submitter_name, \
         submitter_id, contact_name, contact_phone, receiver_name, receiver_id, \
         interchange_sender_id, interchange_receiver_id, usage_indicator, updated_at) \
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(p.billing_provider_id.as_str())
    .bind(&p.submitter_name)
    .bind(&p.submitter_id)
    .bind(&p.contact_name)
    .bind(&p.contact_phone)
    .bind(&p.receiver_name)
    .bind(&p.receiver_id)
    .bind(&p.interchange_sender_id)
    .bind(&p.interchange_receiver_id)
    .bind(&p.usage_indicator)
    .bind(Timestamp::now().to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The profile, if set.
pub async fn load(conn: &mut AnyConnection) -> Result<Option<SubmitterProfile>, ServiceError> {
    let row = sqlx::query(
        "SELECT billing_provider_id, submitter_name, submitter_id, contact_name, contact_phone, \
         receiver_name, receiver_id, interchange_sender_id, interchange_receiver_id, \
         usage_indicator FROM submitter_profile WHERE profile_id = 1",
    )
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let provider: String = r.try_get("billing_provider_id")?;
    Ok(Some(SubmitterProfile {
        billing_provider_id: ProviderId::parse(&provider).map_err(|_| {
            ServiceError::Internal("stored submitter profile does not parse".into())
        })?,
        submitter_name: r.try_get("submitter_name")?,
        submitter_id: r.try_get("submitter_id")?,
        contact_name: r.try_get("contact_name")?,
        contact_phone: r.try_get("contact_phone")?,
        receiver_name: r.try_get("receiver_name")?,
        receiver_id: r.try_get("receiver_id")?,
        interchange_sender_id: r.try_get("interchange_sender_id")?,
        interchange_receiver_id: r.try_get("interchange_receiver_id")?,
        usage_indicator: r.try_get("usage_indicator")?,
    }))
}
