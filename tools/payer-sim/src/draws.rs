//! Seeded randomness. Every random decision (a denial drawn at a rate,
//! interest, a payer-initiated correction) comes from a generator seeded
//! with the simulator's seed and what the decision is about (its purpose
//! and the claim or remittance it concerns), not from one generator shared
//! by the run. So the same inputs and seed decide the same way whatever
//! order files arrive in and however often the simulator restarts.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Parts per million: rates are compared as whole numbers, no floats.
const MILLION: u32 = 1_000_000;

/// FNV-1a, 64 bits: a stable hash (unlike `std`'s, which may change
/// between Rust releases) for seeds and file digests.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The generator for one decision.
pub(crate) fn rng(seed: u64, purpose: &str, key: &str) -> StdRng {
    let mut text = Vec::with_capacity(purpose.len() + key.len() + 1);
    text.extend_from_slice(purpose.as_bytes());
    text.push(0);
    text.extend_from_slice(key.as_bytes());
    StdRng::seed_from_u64(seed ^ fnv1a(&text))
}

/// A uniform draw in parts per million, `0..1_000_000`.
pub(crate) fn draw(rng: &mut StdRng) -> u32 {
    rng.random_range(0..MILLION)
}

/// A rate (0 to 1) in parts per million, rounded half away from zero.
pub(crate) fn ppm(rate: Decimal) -> u32 {
    (rate * Decimal::from(MILLION))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_u32()
        .unwrap_or(0)
        .min(MILLION)
}

/// Whether a draw falls under a rate.
pub(crate) fn hits(draw: u32, rate: Decimal) -> bool {
    draw < ppm(rate)
}

/// An index below `len` (0 when `len` is 0).
pub(crate) fn pick(rng: &mut StdRng, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        rng.random_range(0..len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_key_draw_the_same_and_another_key_differs() {
        let a: Vec<u32> = (0..4)
            .map(|_| draw(&mut rng(7, "denial", "PCN1")))
            .collect();
        let b: Vec<u32> = (0..4)
            .map(|_| draw(&mut rng(7, "denial", "PCN1")))
            .collect();
        assert_eq!(a, b);
        let mut one = rng(7, "denial", "PCN1");
        let mut other = rng(7, "denial", "PCN2");
        let first: Vec<u32> = (0..4).map(|_| draw(&mut one)).collect();
        let second: Vec<u32> = (0..4).map(|_| draw(&mut other)).collect();
        assert_ne!(first, second);
    }

    #[test]
    fn a_rate_of_zero_never_hits_and_one_always_does() {
        assert!(!hits(0, Decimal::ZERO));
        assert!(hits(999_999, Decimal::ONE));
        assert!(hits(49_999, Decimal::new(5, 2)));
        assert!(!hits(50_000, Decimal::new(5, 2)));
    }

    #[test]
    fn fnv1a_matches_its_published_test_vector() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
