//! The simulator's real-time endpoint: `POST /core/realtime` takes a CAQH
//! CORE (vC2.2.0) HTTP MIME multipart envelope holding a 270 and answers
//! with one holding the 271 the folder mode would write for it
//! ([`Simulator::answer_real_time`]). An envelope it cannot take is
//! answered `400` with `PayloadType` `CoreEnvelopeError` and an
//! `ErrorCode` of its own naming what is wrong; a 270 it cannot answer
//! likewise (`PayloadRejected`), with the reason in `ErrorMessage`.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Response, StatusCode};
use medbill_kernel::{CalendarDate, Timestamp};
use medbill_platform::http::{respond, serve as serve_http};
use medbill_x12::connectivity::{
    ELIGIBILITY_REQUEST, ELIGIBILITY_RESPONSE, ENVELOPE_ERROR, Envelope, REAL_TIME, RULE_VERSION,
    SUCCESS,
};
use tokio::net::TcpListener;

use crate::{RealTimeError, Simulator};

/// Where the endpoint takes requests.
pub const PATH: &str = "/core/realtime";

/// The largest request taken: a real-time 270 asks about one patient.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// What the simulator takes as today when it answers.
pub type Today = Arc<dyn Fn() -> CalendarDate + Send + Sync>;

/// Serves the endpoint on `listener` until `shutdown` completes, answering
/// with `sim` (shared with whatever else drives it, e.g. the folder loop).
pub async fn serve(
    sim: Arc<Mutex<Simulator>>,
    listener: TcpListener,
    today: Today,
    shutdown: impl Future<Output = ()>,
) {
    let handler = move |req: Request<Bytes>| {
        let (sim, today) = (sim.clone(), today.clone());
        async move { answer(sim, today, req).await }
    };
    serve_http(listener, "payer-sim", MAX_REQUEST_BYTES, handler, shutdown).await;
}

async fn answer(
    sim: Arc<Mutex<Simulator>>,
    today: Today,
    req: Request<Bytes>,
) -> Response<Full<Bytes>> {
    if req.uri().path() != PATH {
        return respond(
            StatusCode::NOT_FOUND,
            "text/plain",
            format!("POST {PATH}\n"),
        );
    }
    if req.method() != Method::POST {
        return respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            format!("POST {PATH}\n"),
        );
    }
    let content_type = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let request = match Envelope::decode(content_type, req.body()) {
        Ok(request) => request,
        Err(e) => {
            let blank = Envelope::real_time_request("", "", "", "", "", Vec::new());
            return refuse(&blank, "EnvelopeMalformed", &e.to_string());
        }
    };
    if let Some(problem) = envelope_problem(&request) {
        return refuse(&request, problem.0, &problem.1);
    }
    let name = format!("realtime-{}", request.payload_id);
    let payload = request.payload.clone();
    let answered = tokio::task::spawn_blocking(move || {
        let mut sim = sim.lock().unwrap_or_else(PoisonError::into_inner);
        sim.answer_real_time(&name, &payload, today())
    })
    .await;
    match answered {
        Ok(Ok(x271)) => reply(
            StatusCode::OK,
            &request.answer(ELIGIBILITY_RESPONSE, &now(), SUCCESS, "", x271),
        ),
        Ok(Err(RealTimeError::Refused(reason))) => refuse(&request, "PayloadRejected", &reason),
        Ok(Err(RealTimeError::Sim(e))) => server_error(&request, &e.to_string()),
        Err(e) => server_error(&request, &e.to_string()),
    }
}

/// What keeps the simulator from answering `request`, as an `ErrorCode`
/// and an `ErrorMessage`.
fn envelope_problem(request: &Envelope) -> Option<(&'static str, String)> {
    let missing = request.missing_fields();
    if !missing.is_empty() {
        return Some(("FieldMissing", format!("missing: {}", missing.join(", "))));
    }
    if request.rule_version != RULE_VERSION {
        return Some((
            "VersionMismatch",
            format!("CORERuleVersion {RULE_VERSION} is served"),
        ));
    }
    if request.processing_mode != REAL_TIME {
        return Some((
            "ProcessingModeNotSupported",
            format!("ProcessingMode {REAL_TIME} is served"),
        ));
    }
    if request.payload_type != ELIGIBILITY_REQUEST {
        return Some((
            "PayloadTypeNotSupported",
            format!("PayloadType {ELIGIBILITY_REQUEST} is served"),
        ));
    }
    if request.payload.is_empty() {
        return Some(("FieldMissing", "missing: Payload".into()));
    }
    None
}

fn now() -> String {
    Timestamp::now().to_string()
}

fn refuse(request: &Envelope, code: &str, message: &str) -> Response<Full<Bytes>> {
    reply(
        StatusCode::BAD_REQUEST,
        &request.answer(ENVELOPE_ERROR, &now(), code, message, Vec::new()),
    )
}

fn server_error(request: &Envelope, message: &str) -> Response<Full<Bytes>> {
    reply(
        StatusCode::INTERNAL_SERVER_ERROR,
        &request.answer(ENVELOPE_ERROR, &now(), "ServerError", message, Vec::new()),
    )
}

fn reply(status: StatusCode, envelope: &Envelope) -> Response<Full<Bytes>> {
    let boundary = format!("core-{}", medbill_kernel::ids::new_uuid_v7());
    match envelope.encode(&boundary) {
        Ok((content_type, body)) => respond(status, &content_type, body),
        Err(e) => respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            format!("{e}\n"),
        ),
    }
}
