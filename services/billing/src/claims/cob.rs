//! Coordination of benefits: which adjudicated claim a secondary claim
//! follows, and the primary payer's decision it reports.

use std::collections::HashMap;

use medbill_kernel::{ClaimId, PayerId};
use medbill_platform::ServiceError;
use sqlx::{AnyConnection, Row};

use super::domain::Claim;
use crate::denials::store::PayerAdjudication;
use crate::registry::coverage::{Coverage, CoverageId};
use crate::registry::domain::Payer;
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
pub struct Primary {
    /// The primary claim.
    pub claim_id: ClaimId,
    /// Its payer.
    pub payer_id: PayerId,
    /// Its coverage.
    pub coverage_id: CoverageId,
}

/// The primary claim each of `claims` follows (`None` for a claim that is
/// no secondary claim): its own link, or for a corrected (or voiding)
/// secondary claim, that of the claim it stands for; one query per 400
/// claims.
pub async fn primaries_of(
    conn: &mut AnyConnection,
    claims: &[Claim],
) -> Result<Vec<Option<Primary>>, ServiceError> {
    let mut ids: Vec<&str> = Vec::new();
    for claim in claims.iter().filter(|c| c.payer_rank >= 2) {
        ids.push(claim.claim_id.as_str());
        if let Some(replaced) = &claim.replaces_claim_id {
            ids.push(replaced.as_str());
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let mut links: HashMap<String, Primary> = HashMap::new();
    for chunk in ids.chunks(400) {
        let sql = format!(
            "SELECT s.claim_id, s.primary_claim_id, c.payer_id, c.coverage_id \
             FROM secondary_claims s JOIN claims c ON c.claim_id = s.primary_claim_id \
             WHERE s.claim_id IN ({})",
            medbill_platform::db::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for r in query.fetch_all(&mut *conn).await? {
            links.insert(r.try_get("claim_id")?, primary_of_row(&r)?);
        }
    }
    Ok(claims
        .iter()
        .map(|claim| {
            if claim.payer_rank < 2 {
                return None;
            }
            let own = links.remove(claim.claim_id.as_str());
            own.or_else(|| {
                let replaced = claim.replaces_claim_id.as_ref()?;
                let link = links.get(replaced.as_str())?;
                Some(Primary {
                    claim_id: link.claim_id.clone(),
                    payer_id: link.payer_id.clone(),
                    coverage_id: link.coverage_id.clone(),
                })
            })
        })
        .collect())
}

fn primary_of_row(r: &sqlx::any::AnyRow) -> Result<Primary, ServiceError> {
    let id: String = r.try_get("primary_claim_id")?;
    let bad = || ServiceError::Internal(format!("stored claim {id} does not parse"));
    Ok(Primary {
        claim_id: ClaimId::parse(&id).map_err(|_| bad())?,
        payer_id: PayerId::parse(&r.try_get::<String, _>("payer_id")?).map_err(|_| bad())?,
        coverage_id: CoverageId::parse(&r.try_get::<String, _>("coverage_id")?)
            .map_err(|_| bad())?,
    })
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
    /// As the scrubber and the 837 writer take it.
    pub fn facts(&self) -> OtherPayerFacts<'_> {
        OtherPayerFacts {
            payer: &self.payer,
            coverage: &self.coverage,
            adjudication: &self.adjudication,
        }
    }
}
