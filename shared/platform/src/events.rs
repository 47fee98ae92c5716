//! Typed events: what a consumer does first with every event it receives —
//! check the type, decode the payload, read the instant it happened — in one
//! place, so each service's handler starts from its own message type.

use medbill_contracts::medbill::common::v1::Event;
use medbill_kernel::Timestamp;
use prost::{Message, Name};

use crate::convert;
use crate::error::ServiceError;

/// An event of payload type `M`, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedEvent<M> {
    /// Position in the publishing service's feed.
    pub sequence: u64,
    /// The event's globally unique id.
    pub event_id: String,
    /// The record the event is about.
    pub aggregate_id: String,
    /// When the publishing transaction ran.
    pub occurred_at: Timestamp,
    /// The decoded payload.
    pub payload: M,
}

/// `event` decoded as `M` when its type is `M`'s full name; `None` for an
/// event of another type (consumers skip those). A payload that does not
/// decode, or an event without its instant, is an error: the consumer stops
/// at it rather than skipping it.
pub fn decode<M: Message + Name + Default>(
    event: &Event,
) -> Result<Option<TypedEvent<M>>, ServiceError> {
    if event.event_type != M::full_name() {
        return Ok(None);
    }
    let payload = M::decode(event.payload.as_slice()).map_err(|e| {
        ServiceError::Internal(format!(
            "event {} ({}) does not decode: {e}",
            event.event_id, event.event_type
        ))
    })?;
    let occurred_at = convert::timestamp("occurred_at", event.occurred_at.as_ref())
        .map_err(|e| ServiceError::Internal(format!("event {}: {e}", event.event_id)))?;
    Ok(Some(TypedEvent {
        sequence: event.sequence,
        event_id: event.event_id.clone(),
        aggregate_id: event.aggregate_id.clone(),
        occurred_at,
        payload,
    }))
}

/// The event type of payload `M` (its full message name), as a handler
/// names the types it applies.
pub fn type_of<M: Name>() -> String {
    M::full_name()
}

/// The wire event for `payload`, as a feed would carry it (tests and the
/// fake feed build events with it).
pub fn encode<M: Message + Name>(
    sequence: u64,
    aggregate_id: &str,
    occurred_at: Timestamp,
    payload: &M,
) -> Event {
    Event {
        sequence,
        event_id: medbill_kernel::ids::new_uuid_v7(),
        event_type: M::full_name(),
        aggregate_id: aggregate_id.to_string(),
        occurred_at: Some(convert::wire_timestamp(occurred_at)),
        payload: payload.encode_to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use medbill_contracts::medbill::common::v1::SubscribeRequest;

    use super::*;

    #[test]
    fn an_event_of_the_asked_type_decodes_with_its_instant() {
        let at = Timestamp::from_unix_micros(1_764_000_000_123_456);
        let message = SubscribeRequest {
            after_sequence: 7,
            event_types: vec![],
        };
        let event = encode(3, "agg", at, &message);
        let typed = decode::<SubscribeRequest>(&event).unwrap().unwrap();
        assert_eq!(typed.payload, message);
        assert_eq!(typed.occurred_at, at);
        assert_eq!(typed.sequence, 3);
    }

    #[test]
    fn an_event_of_another_type_is_none_and_a_bad_payload_an_error() {
        let mut event = encode(1, "agg", Timestamp::now(), &SubscribeRequest::default());
        assert!(decode::<Event>(&event).unwrap().is_none());
        event.payload = vec![0xff, 0xff, 0xff];
        assert!(decode::<SubscribeRequest>(&event).is_err());
    }
}
