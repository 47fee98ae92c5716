//! Real-time eligibility: the 270 posted to a clearinghouse's CAQH CORE
//! (vC2.2.0) HTTP MIME multipart endpoint (`--eligibility-url`) and the
//! 271 taken from the answer within the same `CheckEligibility` call.
//!
//! The pending inquiry is committed before the POST (no transaction is held
//! across the network); the 271 is then applied with
//! [`super::answer::apply_271`] in a transaction of its own, and the 271
//! is kept with the acknowledgments as one from the folder is. When no usable 271
//! comes back the pending inquiry is deleted, so nothing is left that says
//! an answer is on its way — a real-time 271 never arrives later in
//! `inbound/`. Inquiries a crash left pending mid-call are deleted at the
//! next start ([`forget_abandoned`]).
//!
//! | what went wrong | code |
//! |---|---|
//! | no connection, none within [`CONNECT_TIMEOUT`], no whole answer within [`ANSWER_TIMEOUT`], the exchange broke, an HTTP 5xx answer | `UNAVAILABLE` |
//! | an envelope with an `ErrorCode` other than `Success`, an answer that is no CORE envelope, does not echo the `PayloadID`, is over [`MAX_ANSWER_BYTES`], or whose 271 does not read or does not answer this inquiry | `FAILED_PRECONDITION` |
//! | the database | `INTERNAL` / `UNAVAILABLE` as everywhere |
//!
//! Each message names the cause; the payload (patient data) is never
//! logged.

use std::time::Duration;

use bytes::Bytes;
use medbill_kernel::Timestamp;
use medbill_platform::ServiceError;
use medbill_platform::db::Database;
use medbill_platform::http::{self, HttpError, HttpUrl, Timeouts};
use medbill_x12::connectivity::{ELIGIBILITY_REQUEST, Envelope, SUCCESS};

use super::store::{self, Inquiry};
use crate::claims::service::Context;
use crate::submission::acks;
use crate::submission::kind::FileKind;

/// How long the clearinghouse has to take the connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long it has to answer in full: the CORE rule's real-time response
/// time.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);

/// The largest answer taken: a 271 about one patient is a few kilobytes.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// How a real-time inquiry's `file_name` starts: it names the exchange
/// (`realtime-<PayloadID>`), not a file.
pub const NAME_PREFIX: &str = "realtime-";

/// The clearinghouse's real-time endpoint.
#[derive(Debug, Clone)]
pub struct RealTime {
    url: HttpUrl,
}

/// What one inquiry sends: the 270 and the parties of its envelope.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// `PayloadID`: a new UUID.
    pub payload_id: String,
    /// `SenderID`: the submitter profile's ISA sender id.
    pub sender_id: String,
    /// `ReceiverID`: the submitter profile's ISA receiver id.
    pub receiver_id: String,
    /// The 270 interchange.
    pub x12: Vec<u8>,
}

impl RealTime {
    /// The endpoint at `url`.
    pub fn new(url: HttpUrl) -> Self {
        RealTime { url }
    }

    /// Where it posts.
    pub fn url(&self) -> &HttpUrl {
        &self.url
    }

    /// Answers the committed pending `inquiry` in the call: posts its 270,
    /// records the 271 on it and returns it answered. On failure the
    /// pending inquiry is deleted and the error names the cause.
    pub async fn answer(
        &self,
        db: &Database,
        inquiry: &Inquiry,
        exchange: Exchange,
        now: Timestamp,
    ) -> Result<Inquiry, ServiceError> {
        let answered = match self.post(exchange, now).await {
            Ok(x271) => record(db, inquiry, &x271, now).await,
            Err(e) => Err(e),
        };
        if let Err(e) = &answered {
            tracing::warn!(
                inquiry_id = inquiry.inquiry_id,
                url = %self.url,
                code = ?e.code(),
                "real-time eligibility not answered; the pending inquiry is deleted"
            );
            forget(db, &inquiry.inquiry_id).await;
        }
        answered
    }

    /// Posts the 270 in its envelope and returns the 271 of a `Success`
    /// answer.
    async fn post(&self, exchange: Exchange, now: Timestamp) -> Result<Vec<u8>, ServiceError> {
        let request = Envelope::real_time_request(
            ELIGIBILITY_REQUEST,
            &exchange.payload_id,
            &timestamp(now),
            &exchange.sender_id,
            &exchange.receiver_id,
            exchange.x12,
        );
        let boundary = format!("core-{}", exchange.payload_id);
        let (content_type, body) = request.encode(&boundary).map_err(|e| {
            ServiceError::Internal(format!("the CORE envelope cannot be written: {e}"))
        })?;
        let timeouts = Timeouts {
            connect: CONNECT_TIMEOUT,
            answer: ANSWER_TIMEOUT,
        };
        let got = http::post(
            &self.url,
            &content_type,
            Bytes::from(body),
            timeouts,
            MAX_ANSWER_BYTES,
        )
        .await
        .map_err(|e| transport(&self.url, e))?;
        let status = got.status;
        let envelope = got
            .content_type
            .as_deref()
            .ok_or_else(|| "no Content-Type".to_string())
            .and_then(|ct| Envelope::decode(ct, &got.body).map_err(|e| e.to_string()));
        let at = &self.url;
        let envelope = match envelope {
            Ok(envelope) => envelope,
            Err(_) if status.is_server_error() => {
                return Err(ServiceError::Unavailable(format!(
                    "real-time eligibility at {at} answered HTTP {status}"
                )));
            }
            Err(why) => {
                return Err(ServiceError::FailedPrecondition(format!(
                    "real-time eligibility at {at} answered HTTP {status} without a CORE \
                     envelope ({why}); check --eligibility-url"
                )));
            }
        };
        let code = envelope.error_code.as_deref().unwrap_or_default();
        if code != SUCCESS || !status.is_success() {
            let said = format!(
                "real-time eligibility at {at} answered HTTP {status}, ErrorCode {code:?}: {}",
                envelope.error_message.as_deref().unwrap_or_default()
            );
            return Err(if status.is_server_error() {
                ServiceError::Unavailable(said)
            } else {
                ServiceError::FailedPrecondition(said)
            });
        }
        if envelope.payload_id != request.payload_id {
            return Err(ServiceError::FailedPrecondition(format!(
                "real-time eligibility at {at} answered PayloadID {:?} to {:?}",
                envelope.payload_id, request.payload_id
            )));
        }
        Ok(envelope.payload)
    }
}

/// `TimeStamp`: ISO 8601 in UTC to the second (`2026-10-01T14:05:09Z`).
pub fn timestamp(now: Timestamp) -> String {
    let text = now.to_string();
    let seconds = text.split('.').next().unwrap_or(&text);
    format!("{}Z", seconds.trim_end_matches('Z'))
}

/// The transport's failure: always `UNAVAILABLE`, except an answer over
/// the size limit (the partner's fault, not a passing one).
fn transport(url: &HttpUrl, e: HttpError) -> ServiceError {
    match e {
        HttpError::TooLarge { .. } => {
            ServiceError::FailedPrecondition(format!("real-time eligibility: {e}"))
        }
        HttpError::Connect { .. }
        | HttpError::ConnectTimeout { .. }
        | HttpError::AnswerTimeout { .. }
        | HttpError::Exchange { .. } => {
            ServiceError::Unavailable(format!("real-time eligibility at {url}: {e}"))
        }
    }
}

/// Records the 271 on `inquiry` in a transaction of its own, kept with the
/// acknowledgments like a 271 from the folder (`ListAcknowledgments`,
/// named after the inquiry's exchange); it must answer this inquiry, else
/// nothing of it is kept.
async fn record(
    db: &Database,
    inquiry: &Inquiry,
    x271: &[u8],
    now: Timestamp,
) -> Result<Inquiry, ServiceError> {
    let mut tx = db.begin().await?;
    let refused = |why: String| {
        ServiceError::FailedPrecondition(format!(
            "the real-time 271 for inquiry {} cannot be used: {why}",
            inquiry.inquiry_id
        ))
    };
    let cx = Context {
        actor: &inquiry.created_by,
        now,
        today: now.date(),
    };
    let unreadable = |e: ServiceError| match e {
        ServiceError::Invalid { rule, .. } => refused(format!("it does not read: {rule}")),
        other => other,
    };
    // Only a 271 answers an inquiry: another acknowledgment in its place
    // is not applied.
    if FileKind::of(x271, "Payload").map_err(unreadable)? != FileKind::Eligibility271 {
        return Err(refused("the payload is not a 271".into()));
    }
    let file_name = format!("{}.271", inquiry.file_name);
    acks::ingest(&mut tx, x271, &file_name, cx)
        .await
        .map_err(unreadable)?;
    let answered = store::inquiry(&mut tx, &inquiry.inquiry_id)
        .await?
        .filter(|q| q.answer.is_some())
        .ok_or_else(|| refused(format!("it does not answer trace {}", inquiry.trace_number)))?;
    tx.commit().await?;
    tracing::info!(
        inquiry_id = answered.inquiry_id,
        "271 answered in real time"
    );
    Ok(answered)
}

/// Deletes the pending inquiry; a failure is logged (the start sweep takes
/// it later).
async fn forget(db: &Database, inquiry_id: &str) {
    let forgotten = async {
        let mut tx = db.begin().await?;
        store::forget_pending(&mut tx, inquiry_id).await?;
        tx.commit().await?;
        Ok::<_, ServiceError>(())
    };
    if let Err(e) = forgotten.await {
        tracing::warn!(inquiry_id, error = %e, "pending real-time inquiry not deleted");
    }
}

/// Deletes real-time inquiries still pending from before `now` less the
/// longest a call can take: a crash between the commit and the answer left
/// them, and no 271 will come for them.
pub async fn forget_abandoned(db: &Database, now: Timestamp) -> Result<u64, ServiceError> {
    let longest = CONNECT_TIMEOUT + ANSWER_TIMEOUT + Duration::from_secs(30);
    let micros = i64::try_from(longest.as_micros()).unwrap_or(i64::MAX);
    let before = Timestamp::from_unix_micros(now.unix_micros().saturating_sub(micros));
    let mut tx = db.begin().await?;
    let forgotten = store::forget_pending_named(&mut tx, NAME_PREFIX, before).await?;
    tx.commit().await?;
    Ok(forgotten)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_time_stamp_is_iso_8601_utc_to_the_second() {
        let now = Timestamp::from_unix_micros(1_795_427_940_000_123);
        assert_eq!(timestamp(now), "2026-11-23T09:59:00Z");
    }

    #[test]
    fn transport_failures_are_unavailable_and_an_oversized_answer_is_not() {
        let url = HttpUrl::parse("http://clearinghouse:8080/core").unwrap();
        let timeout = HttpError::AnswerTimeout {
            url: url.to_string(),
            after: ANSWER_TIMEOUT,
        };
        let e = transport(&url, timeout);
        assert!(matches!(e, ServiceError::Unavailable(_)), "{e}");
        assert!(e.to_string().contains("within 20s"), "{e}");
        let big = HttpError::TooLarge {
            url: url.to_string(),
            limit: MAX_ANSWER_BYTES,
        };
        assert!(matches!(
            transport(&url, big),
            ServiceError::FailedPrecondition(_)
        ));
    }
}
