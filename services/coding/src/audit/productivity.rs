//! Per-coder productivity over a period, computed from the encounter
//! history: encounters released, turnaround from claim to release (median
//! and 90th percentile), the share of released encounters whose first edit
//! check had an error, holds, and releases later re-opened by a denial.

use std::collections::BTreeMap;

use medbill_kernel::Timestamp;
use sqlx::{AnyConnection, Row};

use super::{Period, per_mille};

/// One coder's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoderFigures {
    /// The coder.
    pub coder: String,
    /// Releases in the period.
    pub released: u64,
    /// Median claim-to-release seconds.
    pub turnaround_p50_seconds: u64,
    /// 90th percentile claim-to-release seconds.
    pub turnaround_p90_seconds: u64,
    /// Released encounters whose first check had an error, per mille.
    pub edit_error_rate_permille: u32,
    /// Holds placed in the period.
    pub held: u64,
    /// The coder's releases re-opened by a denial in the period.
    pub denial_reworks: u64,
}

#[derive(Default)]
struct Tally {
    released: u64,
    first_check_errors: u64,
    turnarounds: Vec<u64>,
    held: u64,
    reworks: u64,
}

/// Figures for every coder active in `period` (or only `coder`).
pub async fn figures(
    conn: &mut AnyConnection,
    period: &Period,
    coder: &str,
) -> Result<Vec<CoderFigures>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.encounter_id, c.actor, c.action, c.at, COALESCE(e.first_check_had_error, 0) \
         FROM encounter_changes c JOIN encounters e ON e.encounter_id = c.encounter_id \
         WHERE c.action IN ('claimed', 'released', 'held', 'reopened') \
         AND c.encounter_id IN (SELECT encounter_id FROM encounter_changes \
             WHERE action IN ('released', 'held', 'reopened') AND at >= $1 AND at < $2) \
         ORDER BY c.encounter_id, c.at, c.change_id",
    )
    .bind(&period.from)
    .bind(&period.to_exclusive)
    .fetch_all(conn)
    .await?;

    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut current = String::new();
    let mut claimed_at: Option<Timestamp> = None;
    let mut last_releaser: Option<String> = None;
    for row in rows {
        let encounter: String = row.try_get(0)?;
        let actor: String = row.try_get(1)?;
        let action: String = row.try_get(2)?;
        let at: String = row.try_get(3)?;
        let first_check_error = row.try_get::<i64, _>(4)? == 1;
        if encounter != current {
            current = encounter;
            claimed_at = None;
            last_releaser = None;
        }
        let in_period =
            at.as_str() >= period.from.as_str() && at.as_str() < period.to_exclusive.as_str();
        match action.as_str() {
            "claimed" => claimed_at = Timestamp::parse(&at),
            "released" => {
                if in_period {
                    let tally = tallies.entry(actor.clone()).or_default();
                    tally.released += 1;
                    tally.first_check_errors += u64::from(first_check_error);
                    if let (Some(start), Some(end)) = (claimed_at, Timestamp::parse(&at)) {
                        tally.turnarounds.push(end.since(start).as_secs());
                    }
                }
                last_releaser = Some(actor);
            }
            "held" if in_period => tallies.entry(actor).or_default().held += 1,
            "reopened" if in_period => {
                if let Some(releaser) = &last_releaser {
                    tallies.entry(releaser.clone()).or_default().reworks += 1;
                }
            }
            _ => {}
        }
    }
    Ok(tallies
        .into_iter()
        .filter(|(name, _)| coder.is_empty() || name == coder)
        .map(|(name, mut t)| {
            t.turnarounds.sort_unstable();
            CoderFigures {
                coder: name,
                released: t.released,
                turnaround_p50_seconds: nearest_rank(&t.turnarounds, 50),
                turnaround_p90_seconds: nearest_rank(&t.turnarounds, 90),
                edit_error_rate_permille: per_mille(t.first_check_errors, t.released),
                held: t.held,
                denial_reworks: t.reworks,
            }
        })
        .collect())
}

/// The nearest-rank percentile of sorted values; 0 when empty.
fn nearest_rank(sorted: &[u64], percentile: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (percentile * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::nearest_rank;

    #[test]
    fn nearest_rank_percentiles() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(nearest_rank(&v, 50), 5);
        assert_eq!(nearest_rank(&v, 90), 9);
        assert_eq!(nearest_rank(&[7], 90), 7);
        assert_eq!(nearest_rank(&[], 50), 0);
    }
}
