//! Coordination of benefits: which adjudicated claim a secondary claim
//! follows, and the primary payer's decision it reports.

use medbill_kernel::{ClaimId, PayerId};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::domain::Claim;
use crate::denials::store::{self as adjudications, PayerAdjudication};
use crate::registry::coverage::{Coverage, CoverageId};
use crate::registry::domain::Payer;
use crate::registry::{patients, store as registry};
use crate::submission::x12map::OtherPayerFacts;

/// The primary claim a secondary claim follows, if it is one.
pub async fn primary_of(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Option<(ClaimId, String)>, ServiceError> {
    let row = sqlx::query(
        "SELECT primary_claim_id, remittance_id FROM secondary_claims WHERE claim_id = $1",
    )
    .bind(claim_id.as_str())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let id: String = r.try_get("primary_claim_id")?;
        Ok((
            ClaimId::parse(&id)
                .map_err(|_| ServiceError::Internal(format!("stored claim {id} does not parse")))?,
            r.try_get("remittance_id")?,
        ))
    })
    .transpose()
}

/// The claim a secondary claim follows: its id, payer and coverage.
struct Primary {
    claim_id: ClaimId,
    payer_id: PayerId,
    coverage_id: CoverageId,
}

/// The primary claim `claim_id` follows, read with the primary's payer and
/// coverage in one statement.
async fn primary_link(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Option<Primary>, ServiceError> {
    let row = sqlx::query(
        "SELECT s.primary_claim_id, c.payer_id, c.coverage_id FROM secondary_claims s \
         JOIN claims c ON c.claim_id = s.primary_claim_id WHERE s.claim_id = $1",
    )
    .bind(claim_id.as_str())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let id: String = r.try_get("primary_claim_id")?;
        let bad = || ServiceError::Internal(format!("stored claim {id} does not parse"));
        Ok(Primary {
            claim_id: ClaimId::parse(&id).map_err(|_| bad())?,
            payer_id: PayerId::parse(&r.try_get::<String, _>("payer_id")?).map_err(|_| bad())?,
            coverage_id: CoverageId::parse(&r.try_get::<String, _>("coverage_id")?)
                .map_err(|_| bad())?,
        })
    })
    .transpose()
}

/// The adjudication a secondary claim reports (its primary's latest), with
/// the primary.
async fn other_payer_adjudication(
    conn: &mut AnyConnection,
    claim: &Claim,
) -> Result<Option<(Primary, PayerAdjudication)>, ServiceError> {
    // A corrected (or voiding) secondary claim follows the same primary as
    // the claim it stands for.
    let mut link = primary_link(conn, &claim.claim_id).await?;
    if link.is_none()
        && claim.payer_rank >= 2
        && let Some(replaced) = &claim.replaces_claim_id
    {
        link = primary_link(conn, replaced).await?;
    }
    let Some(primary) = link else {
        return Ok(None);
    };
    Ok(adjudications::latest_adjudication(conn, &primary.claim_id)
        .await?
        .map(|a| (primary, a)))
}

/// The primary payer of a secondary claim, its coverage and adjudication.
#[derive(Debug, Clone)]
pub struct OtherPayer {
    /// The claim of the payer before this one.
    pub primary_claim_id: ClaimId,
    /// The primary payer.
    pub payer: Payer,
    /// The primary coverage.
    pub coverage: Coverage,
    /// What it decided.
    pub adjudication: PayerAdjudication,
}

impl OtherPayer {
    /// Loaded for `claim` when it is a secondary claim.
    pub async fn load(
        conn: &mut AnyConnection,
        claim: &Claim,
    ) -> Result<Option<OtherPayer>, ServiceError> {
        if claim.payer_rank < 2 {
            return Ok(None);
        }
        let Some((primary, adjudication)) = other_payer_adjudication(conn, claim).await? else {
            return Ok(None);
        };
        let payer = registry::require_payer(conn, &primary.payer_id).await?;
        let coverage = patients::coverage(conn, &primary.coverage_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("coverage", primary.coverage_id.as_str()))?;
        Ok(Some(OtherPayer {
            primary_claim_id: primary.claim_id.clone(),
            payer,
            coverage,
            adjudication,
        }))
    }

    /// As the scrubber and the 837 writer take it.
    pub fn facts(&self) -> OtherPayerFacts<'_> {
        OtherPayerFacts {
            payer: &self.payer,
            coverage: &self.coverage,
            adjudication: &self.adjudication,
        }
    }
}
