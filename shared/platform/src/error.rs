//! The one conversion from service errors to gRPC status codes.
//!
//! | error                                  | gRPC code            | what the caller sees                     |
//! |----------------------------------------|----------------------|------------------------------------------|
//! | `Invalid { field, rule }`              | `INVALID_ARGUMENT`   | "field: rule", plus a `BadRequest` detail |
//! | `NotFound { what, id }`                | `NOT_FOUND`          | "what id not found"                      |
//! | `AlreadyExists`, unique violation      | `ALREADY_EXISTS`     | the message                              |
//! | `FailedPrecondition` (wrong state)     | `FAILED_PRECONDITION`| the message                              |
//! | `Aborted` (concurrent change)          | `ABORTED`            | the message                              |
//! | `Unauthenticated`                      | `UNAUTHENTICATED`    | the message                              |
//! | `PermissionDenied`                     | `PERMISSION_DENIED`  | the message                              |
//! | `Unavailable`, pool timeout            | `UNAVAILABLE`        | "service busy, retry"                    |
//! | `Internal`, any other database error   | `INTERNAL`           | "internal error" (detail only in logs)   |

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// An error a service returns from an RPC.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A request field breaks a rule.
    #[error("{field}: {rule}")]
    Invalid {
        /// The field path, e.g. `coding.lines[2].units`.
        field: String,
        /// The rule it breaks, in words.
        rule: String,
    },
    /// The record does not exist.
    #[error("{what} {id} not found")]
    NotFound {
        /// The kind of record.
        what: &'static str,
        /// Its id as given.
        id: String,
    },
    /// The record exists already.
    #[error("{0}")]
    AlreadyExists(String),
    /// The record is in the wrong state for the operation.
    #[error("{0}")]
    FailedPrecondition(String),
    /// A concurrent change won; re-read and retry.
    #[error("{0}")]
    Aborted(String),
    /// No valid credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller's role may not do this.
    #[error("{0}")]
    PermissionDenied(String),
    /// The service cannot take the request now.
    #[error("{0}")]
    Unavailable(String),
    /// A fault the caller cannot fix; the detail goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// A field that breaks a rule.
    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Self {
        ServiceError::Invalid {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// A record that does not exist.
    pub fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        ServiceError::NotFound {
            what,
            id: id.into(),
        }
    }

    /// The gRPC code this error maps to.
    pub fn code(&self) -> Code {
        match self {
            ServiceError::Invalid { .. } => Code::InvalidArgument,
            ServiceError::NotFound { .. } => Code::NotFound,
            ServiceError::AlreadyExists(_) => Code::AlreadyExists,
            ServiceError::FailedPrecondition(_) => Code::FailedPrecondition,
            ServiceError::Aborted(_) => Code::Aborted,
            ServiceError::Unauthenticated(_) => Code::Unauthenticated,
            ServiceError::PermissionDenied(_) => Code::PermissionDenied,
            ServiceError::Unavailable(_) => Code::Unavailable,
            ServiceError::Internal(_) => Code::Internal,
        }
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::PoolTimedOut => ServiceError::Unavailable("service busy, retry".into()),
            sqlx::Error::RowNotFound => ServiceError::Internal("row not found".into()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                ServiceError::AlreadyExists(format!(
                    "a record with the same key exists already{}",
                    db.constraint()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                ))
            }
            _ => ServiceError::Internal(err.to_string()),
        }
    }
}

impl From<ServiceError> for Status {
    fn from(err: ServiceError) -> Status {
        match err {
            ServiceError::Invalid { field, rule } => {
                let message = format!("{field}: {rule}");
                let details = ErrorDetails::with_bad_request_violation(field, rule);
                Status::with_error_details(Code::InvalidArgument, message, details)
            }
            ServiceError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                Status::internal("internal error")
            }
            ServiceError::Unavailable(message) => {
                tracing::warn!(%message, "unavailable");
                Status::unavailable(message)
            }
            other => Status::new(other.code(), other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_names_the_field_in_message_and_details() {
        let status: Status = ServiceError::invalid("encounter.units", "must be at least 1").into();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), "encounter.units: must be at least 1");
        let details = status
            .get_details_bad_request()
            .expect("bad request detail");
        assert_eq!(details.field_violations[0].field, "encounter.units");
        assert_eq!(
            details.field_violations[0].description,
            "must be at least 1"
        );
    }

    #[test]
    fn internal_errors_hide_their_detail() {
        let status: Status = ServiceError::Internal("disk on fire at /var/x".into()).into();
        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "internal error");
    }

    #[test]
    fn pool_timeout_is_unavailable() {
        let err: ServiceError = sqlx::Error::PoolTimedOut.into();
        assert_eq!(err.code(), Code::Unavailable);
    }
}
