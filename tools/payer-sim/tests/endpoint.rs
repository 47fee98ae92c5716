//! The real-time endpoint over HTTP on 127.0.0.1: a 270 in a CAQH CORE
//! envelope is answered with its 271 in an envelope that echoes the
//! PayloadID with ErrorCode `Success`, and is recorded like a file taken;
//! a broken envelope, one missing fields or carrying something other than
//! a 270 are refused with the problem named, and another path is not found.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/world.rs"]
mod world;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hyper::StatusCode;
use medbill_payer_sim::endpoint::{self, PATH, Today};
use medbill_platform::http::{Answer, HttpUrl, Timeouts, post};
use medbill_x12::connectivity::multipart::{self, Part};
use medbill_x12::connectivity::{
    ELIGIBILITY_REQUEST, ELIGIBILITY_RESPONSE, ENVELOPE_ERROR, Envelope, SUCCESS,
};
use medbill_x12::eligibility::{BenefitKind, read_271, write_270};
use medbill_x12::{Phi, samples};
use tokio::net::TcpListener;
use world::*;

const PAYLOAD_ID: &str = "0190d9a0-0000-7000-8000-0000000000aa";

const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(5),
    answer: Duration::from_secs(20),
};

/// The endpoint serving a simulator over `world` on a free port; it stops
/// when the sender is dropped.
async fn serve(world: &World) -> (HttpUrl, tokio::sync::oneshot::Sender<()>) {
    let sim = Arc::new(Mutex::new(world.simulator(config(), SEED)));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let today: Today = Arc::new(|| day(21));
    tokio::spawn(endpoint::serve(sim, listener, today, async move {
        let _ = stopped.await;
    }));
    (
        HttpUrl::parse(&format!("http://{addr}{PATH}")).unwrap(),
        stop,
    )
}

/// A 270 asking Acme about MEM123456.
fn x270() -> Vec<u8> {
    let mut inquiry = samples::eligibility_inquiry("0001", 1);
    inquiry.payer.id = "ACME01".into();
    inquiry.subscribers[0].member_id = Phi::new("MEM123456".into());
    write_270(&samples::interchange_params(11), &[inquiry]).unwrap()
}

fn request(payload: Vec<u8>) -> Envelope {
    Envelope::real_time_request(
        ELIGIBILITY_REQUEST,
        PAYLOAD_ID,
        "2024-03-21T10:30:00Z",
        "MEDBILL",
        "PAYERSIM",
        payload,
    )
}

/// POSTs `body` as `content_type` and takes the whole answer.
async fn post_body(url: &HttpUrl, content_type: &str, body: impl Into<Bytes>) -> Answer {
    post(url, content_type, body.into(), TIMEOUTS, 1 << 20)
        .await
        .unwrap()
}

async fn send(url: &HttpUrl, envelope: &Envelope) -> Answer {
    let (content_type, body) = envelope.encode("test-boundary").unwrap();
    post_body(url, &content_type, body).await
}

/// The answer read as an envelope.
fn read(answer: &Answer) -> Envelope {
    Envelope::decode(answer.content_type.as_deref().unwrap(), &answer.body).unwrap()
}

#[tokio::test]
async fn a_270_in_an_envelope_gets_its_271_in_an_envelope_echoing_the_payload_id() {
    let world = World::new();
    let (url, _stop) = serve(&world).await;
    let answer = send(&url, &request(x270())).await;
    assert_eq!(answer.status, StatusCode::OK);
    let envelope = read(&answer);
    assert_eq!(envelope.error_code.as_deref(), Some(SUCCESS));
    assert_eq!(envelope.payload_type, ELIGIBILITY_RESPONSE);
    assert_eq!(envelope.payload_id, PAYLOAD_ID);
    assert_eq!(
        (envelope.sender_id.as_str(), envelope.receiver_id.as_str()),
        ("PAYERSIM", "MEDBILL")
    );
    assert!(envelope.missing_fields().is_empty(), "{envelope:?}");
    let report = medbill_x12::cli::validate(&envelope.payload);
    assert!(!report.has_errors(), "{report}");
    let member = &read_271(&envelope.payload).unwrap()[0].members[0];
    assert_eq!(member.traces[0].number, "ELIG0001-0");
    assert_eq!(member.benefits[0].kind, BenefitKind::ActiveCoverage);
    assert_eq!(
        member.benefits[0].plan_description.as_deref(),
        Some("GOLD PPO")
    );
    // Recorded like a file taken, under the exchange's name; nothing was
    // written into billing's inbound folder.
    let record =
        std::fs::read_to_string(world.work.join(medbill_payer_sim::record::RECORD_FILE)).unwrap();
    assert!(
        record.contains(&format!("realtime-{PAYLOAD_ID}")),
        "{record}"
    );
    assert!(files(&world.folders.to_billing).is_empty());
}

#[tokio::test]
async fn a_broken_envelope_is_refused_with_400_naming_the_problem() {
    let world = World::new();
    let (url, _stop) = serve(&world).await;
    let answer = post_body(&url, "application/json", Bytes::from_static(b"{}")).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let envelope = read(&answer);
    assert_eq!(envelope.payload_type, ENVELOPE_ERROR);
    assert_eq!(envelope.error_code.as_deref(), Some("EnvelopeMalformed"));
    assert!(
        envelope
            .error_message
            .as_deref()
            .unwrap()
            .contains("application/json"),
        "{envelope:?}"
    );

    // Cut short: no closing boundary.
    let (content_type, body) = request(x270()).encode("b").unwrap();
    let cut = Bytes::from(body[..body.len() - 10].to_vec());
    let answer = post_body(&url, &content_type, cut).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let message = read(&answer).error_message.unwrap();
    assert!(message.contains("closing boundary"), "{message}");
}

#[tokio::test]
async fn missing_fields_another_payload_type_or_a_payload_that_is_no_270_are_named() {
    let world = World::new();
    let (url, _stop) = serve(&world).await;
    let parts = [
        Part::new("PayloadType", ELIGIBILITY_REQUEST),
        Part::new("PayloadID", PAYLOAD_ID),
        Part::new("Payload", x270()),
    ];
    let body = multipart::encode("b", &parts).unwrap();
    let answer = post_body(&url, &multipart::content_type("b"), body).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let envelope = read(&answer);
    assert_eq!(envelope.error_code.as_deref(), Some("FieldMissing"));
    assert_eq!(envelope.payload_id, PAYLOAD_ID, "echoed even when refused");
    let message = envelope.error_message.unwrap();
    assert!(
        message.contains("ProcessingMode") && message.contains("SenderID"),
        "{message}"
    );

    let mut other = request(x270());
    other.payload_type = "X12_276_Request_005010X212".into();
    let refused = read(&send(&url, &other).await);
    assert_eq!(
        refused.error_code.as_deref(),
        Some("PayloadTypeNotSupported")
    );

    let answer = send(&url, &request(b"not X12 at all".to_vec())).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let refused = read(&answer);
    assert_eq!(refused.error_code.as_deref(), Some("PayloadRejected"));
    assert!(
        refused.error_message.unwrap().contains("no readable ISA"),
        "refused with the reason"
    );
}

#[tokio::test]
async fn another_path_is_not_found() {
    let world = World::new();
    let (url, _stop) = serve(&world).await;
    let elsewhere = HttpUrl::parse(&format!("http://{}:{}/other", url.host(), url.port())).unwrap();
    let (content_type, body) = request(x270()).encode("b").unwrap();
    let answer = post(&elsewhere, &content_type, Bytes::from(body), TIMEOUTS, 1024)
        .await
        .unwrap();
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}
