//! Coordination of benefits: which adjudicated claim a secondary claim
//! follows, and the primary payer's decision it reports.

use medbill_kernel::ClaimId;
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::domain::Claim;
use super::store;
use crate::denials::store::{self as adjudications, PayerAdjudication};
use crate::registry::coverage::Coverage;
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

/// The adjudication a secondary claim reports: its primary's latest.
pub async fn other_payer_adjudication(
    conn: &mut AnyConnection,
    claim: &Claim,
) -> Result<Option<(Claim, PayerAdjudication)>, ServiceError> {
    // A corrected (or voiding) secondary claim follows the same primary as
    // the claim it stands for.
    let mut link = primary_of(conn, &claim.claim_id).await?;
    if link.is_none()
        && claim.payer_rank >= 2
        && let Some(replaced) = &claim.replaces_claim_id
    {
        link = primary_of(conn, replaced).await?;
    }
    let Some((primary_id, _)) = link else {
        return Ok(None);
    };
    let primary = store::require_claim(conn, &primary_id).await?;
    Ok(adjudications::latest_adjudication(conn, &primary_id)
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
