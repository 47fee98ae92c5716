//! Payment plans: an installment schedule for a guarantor's patient
//! balance. Every installment is the plan's installment amount except the
//! last, which takes the remainder (total − amount × (count − 1)), so the
//! installments add up exactly to the total. Installments fall due monthly
//! on the plan's due day from its start date. Patient payments on the
//! account received on or after the plan's creation day apply to the
//! installments in order; an installment not fully paid by the end of its
//! due day is missed, and after the collection policy's number of misses
//! (2 by default) the plan defaults. A plan's standing is worked out, and a
//! completion or default stored, whenever it is read or a statement run
//! looks at it; a statement run for a day after today only projects it
//! (those misses have not happened yet). While a plan is active (not defaulted,
//! completed or cancelled) it is in good standing and statements hold the
//! guarantor's dunning cycle where it was.
//!
//! The schedule and standing are pure ([`domain`]), the store persists
//! ([`store`]), [`service`] runs the transactions, [`grpc`] translates.

pub mod domain;
pub mod grpc;
pub mod service;
pub mod store;
