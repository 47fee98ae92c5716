//! Secondary claims: once the primary payer has adjudicated a claim, the
//! patient's secondary coverage is billed for what is left, with the
//! primary's adjudication on the claim (loops 2320/2330B: its paid amount
//! and claim-level CAS; 2430 per line: paid amount, CAS, adjudication date),
//! every group and reason code as the primary sent it.

use medbill_kernel::{ClaimId, Money};
use medbill_platform::ServiceError;
use sqlx::AnyConnection;

use super::domain::{
    Adjudication, Claim, ClaimState, Frequency, line_control_number, patient_control_number,
};
use super::service::{self, Billed, Context};
use super::store;
use crate::denials::store as adjudications;
use crate::registry::patients;

/// Builds the secondary claim of an adjudicated primary claim.
pub async fn build(
    conn: &mut AnyConnection,
    primary: &Claim,
    cx: Context<'_>,
) -> Result<Billed, ServiceError> {
    if primary.payer_rank != 1 {
        return Ok(Billed::NotBillable(format!(
            "claim {} is not a primary claim",
            primary.claim_id
        )));
    }
    // Most patients have no secondary coverage: asked first, it spares
    // them the adjudication's reads.
    let start = primary.dates.start();
    let coverage = patients::coverages(conn, &primary.patient_id)
        .await?
        .into_iter()
        .find(|c| c.rank == 2 && c.in_force_on(start));
    let Some(coverage) = coverage else {
        return Ok(Billed::NotBillable(
            "the patient has no secondary coverage in force on the date of service".into(),
        ));
    };
    let Some(adjudication) = adjudications::latest_adjudication(conn, &primary.claim_id).await?
    else {
        return Ok(Billed::NotBillable(format!(
            "claim {} has no adjudication yet",
            primary.claim_id
        )));
    };
    match adjudication.status_code.as_str() {
        "19" | "20" | "21" => {
            return Ok(Billed::NotBillable(format!(
                "the primary payer forwarded claim {} to the secondary (CLP02 {}); its 835 follows",
                primary.claim_id, adjudication.status_code
            )));
        }
        "1" | "2" | "3" | "4" => {}
        other => {
            return Ok(Billed::NotBillable(format!(
                "the primary's adjudication (CLP02 {other}) is not one a secondary claim follows"
            )));
        }
    }
    if primary.state.adjudication == Adjudication::Forwarded {
        return Ok(Billed::NotBillable(
            "the primary forwarded the claim".into(),
        ));
    }
    let standing = store::standing_claims(conn, &primary.encounter_id, 2).await?;
    if let Some(existing) = standing
        .iter()
        .find(|c| c.release_number == primary.release_number && c.frequency != Frequency::Void)
    {
        return Ok(Billed::Exists(existing.claim_id.clone()));
    }
    let pcn = patient_control_number(store::next_patient_control(conn).await?);
    let mut claim = primary.clone();
    claim.claim_id = ClaimId::new();
    claim.coverage_id = coverage.coverage_id.clone();
    claim.payer_id = coverage.payer_id.clone();
    claim.payer_rank = 2;
    claim.frequency = Frequency::Original;
    claim.replaces_claim_id = None;
    claim.payer_claim_number = String::new();
    claim.prior_authorization = String::new();
    if claim.type_of_bill.len() == 3 {
        claim.type_of_bill = format!("{}1", &claim.type_of_bill[..2]);
    }
    claim.batch_id = String::new();
    claim.created_at = cx.now;
    claim.submitted_at = None;
    claim.paid = Money::ZERO;
    claim.patient_responsibility = Money::ZERO;
    for line in &mut claim.lines {
        line.line_control_number = line_control_number(&pcn, line.line_number);
        line.paid = Money::ZERO;
    }
    claim.patient_control_number = pcn;
    let encounter_type =
        service::encounter_type_of(conn, &claim.encounter_id, claim.release_number).await?;
    claim.findings = service::scrub(conn, &claim, encounter_type, &[], cx.today).await?;
    claim.state = ClaimState::new(!claim.has_errors());
    store::insert_claim(
        conn,
        &claim,
        cx.actor,
        &format!(
            "secondary of claim {} after remittance {}",
            primary.claim_id, adjudication.remittance_id
        ),
        None,
    )
    .await?;
    sqlx::query(
        "INSERT INTO secondary_claims (claim_id, primary_claim_id, remittance_id) VALUES ($1, $2, $3)",
    )
    .bind(claim.claim_id.as_str())
    .bind(primary.claim_id.as_str())
    .bind(&adjudication.remittance_id)
    .execute(&mut *conn)
    .await?;
    Ok(Billed::Built(Box::new(claim)))
}
