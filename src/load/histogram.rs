//! Latencies in a log-linear histogram (the HDR layout): microseconds, every
//! power of two split into 128 equal buckets, so any recorded value is
//! reported within 1/128 (< 0.8%) of itself, from 1 µs to hours, in a fixed
//! few kilobytes. Histograms of concurrent workers are merged at the end.

/// Buckets per power of two.
const SUB_BUCKETS: u64 = 128;
const SUB_BITS: u32 = 7;
/// Powers of two above the first 128 µs: up to 2^(7+33) µs.
const MAGNITUDES: usize = 33;

/// A latency histogram in microseconds.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; (MAGNITUDES + 1) * SUB_BUCKETS as usize],
            total: 0,
            max: 0,
        }
    }
}

/// The bucket of `value`: values below 128 have one each; above, the
/// magnitude (position of the highest bit beyond the seventh) picks a block
/// of 128 and the next seven bits the bucket in it.
fn index(value: u64) -> usize {
    if value < SUB_BUCKETS {
        return value as usize;
    }
    let magnitude = 63 - value.leading_zeros() - SUB_BITS + 1;
    let sub = (value >> (magnitude - 1)) - SUB_BUCKETS;
    ((magnitude as u64) * SUB_BUCKETS + sub).min(((MAGNITUDES + 1) as u64) * SUB_BUCKETS - 1)
        as usize
}

/// The highest value bucket `i` holds.
fn upper(i: usize) -> u64 {
    let (magnitude, sub) = ((i as u64) / SUB_BUCKETS, (i as u64) % SUB_BUCKETS);
    if magnitude == 0 {
        return sub;
    }
    ((SUB_BUCKETS + sub + 1) << (magnitude - 1)) - 1
}

impl Histogram {
    /// Counts one value.
    pub fn record(&mut self, micros: u64) {
        self.counts[index(micros)] += 1;
        self.total += 1;
        self.max = self.max.max(micros);
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// How many values were recorded.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The largest value recorded.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at `percentile` (0-100): the upper edge of the bucket the
    /// percentile falls in, never above the largest value recorded.
    pub fn percentile(&self, percentile: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((percentile / 100.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return upper(i).min(self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_are_exact_and_large_ones_within_one_percent() {
        for v in [
            0, 1, 127, 128, 129, 255, 256, 1_000, 33_333, 250_000, 9_999_999,
        ] {
            let i = index(v);
            let hi = upper(i);
            assert!(hi >= v, "{v} above its bucket's edge {hi}");
            if v < 128 {
                assert_eq!(hi, v);
            } else {
                assert!((hi - v) as f64 <= v as f64 / 128.0, "{v}: edge {hi}");
            }
            if i > 0 {
                assert!(upper(i - 1) < v, "{v} also fits the bucket below");
            }
        }
    }

    #[test]
    fn percentiles_of_a_known_spread() {
        let mut h = Histogram::default();
        for v in 1..=1_000 {
            h.record(v);
        }
        assert_eq!(h.len(), 1_000);
        // 500 shares its bucket with 501 (width 2 between 256 and 511).
        assert_eq!(h.percentile(50.0), 501);
        let p99 = h.percentile(99.0);
        assert!((990..=998).contains(&p99), "{p99}");
        assert_eq!(h.percentile(100.0), 1_000);
        let mut other = Histogram::default();
        other.record(5_000_000);
        h.merge(&other);
        assert_eq!(h.max(), 5_000_000);
        assert_eq!(h.percentile(100.0), 5_000_000);
        assert_eq!(h.len(), 1_001);
    }
}
