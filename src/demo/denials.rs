//! A biller working the denial queue, by root cause: coding denials go to
//! the coders (RequestCodingReview; the re-coded encounter becomes a
//! replacement claim), billing denials are corrected by billing itself
//! (CorrectClaim: a frequency-7 claim in the next batch), authorization and
//! medical-necessity denials are appealed with a letter (CreateAppeal), and
//! what the plan does not cover is resolved as the patient's to pay.

use std::collections::{BTreeMap, BTreeSet};

use medbill_contracts::medbill::billing::v1 as pb;
use medbill_contracts::medbill::common::v1::PageRequest;

use super::api::{Actor, Api};

/// What one pass over the queue did.
#[derive(Debug, Default, Clone)]
pub struct DenialWork {
    /// Denials found open.
    pub open: u32,
    /// Sent to coding for review.
    pub coding_reviews: u32,
    /// Corrected claims (frequency 7) billing built.
    pub corrections: u32,
    /// Appeals filed.
    pub appeals: u32,
    /// Resolved without a new claim.
    pub resolved: u32,
    /// Of those, OA-23 adjustments on secondary claims (the prior payer's
    /// adjudication, which billing lists as denials of category "other").
    pub prior_payer_impact: u32,
    /// Calls refused, with why (reported, not hidden).
    pub refused: Vec<String>,
}

async fn open_denials(api: &Api) -> anyhow::Result<Vec<pb::Denial>> {
    let mut client = api.denials();
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_denials(api.req(
                Actor::Biller,
                pb::ListDenialsRequest {
                    statuses: vec![
                        pb::DenialStatus::Open as i32,
                        pb::DenialStatus::InCodingReview as i32,
                    ],
                    page: Some(PageRequest {
                        page_size: 500,
                        page_token: token.clone(),
                    }),
                    ..Default::default()
                },
            ))
            .await
            .map_err(crate::operator::status_error)?
            .into_inner();
        out.extend(page.denials);
        match page.page {
            Some(p) if !p.next_page_token.is_empty() => token = p.next_page_token,
            _ => return Ok(out),
        }
    }
}

/// Works every open denial once (`seen` holds the denials worked in
/// earlier passes). `rework_lines` gets, per encounter sent back to coding
/// (by billing itself for coding-caused denials, or by this biller), the
/// procedure codes of the denied lines.
pub async fn work(
    api: &Api,
    claims: &[pb::Claim],
    rework_lines: &mut BTreeMap<String, Vec<String>>,
    seen: &mut BTreeSet<String>,
) -> anyhow::Result<DenialWork> {
    let denials: Vec<pb::Denial> = open_denials(api)
        .await?
        .into_iter()
        .filter(|d| seen.insert(d.denial_id.clone()))
        .collect();
    let mut work = DenialWork {
        open: denials.len() as u32,
        ..Default::default()
    };
    let by_id: BTreeMap<&str, &pb::Claim> =
        claims.iter().map(|c| (c.claim_id.as_str(), c)).collect();
    let mut by_claim: BTreeMap<&str, Vec<&pb::Denial>> = BTreeMap::new();
    for d in &denials {
        by_claim.entry(d.claim_id.as_str()).or_default().push(d);
    }
    let mut client = api.denials();
    let mut claims_api = api.claims();
    for (claim_id, denials) in by_claim {
        let Some(claim) = by_id.get(claim_id) else {
            work.refused
                .push(format!("denial of claim {claim_id}: claim not listed"));
            continue;
        };
        let category =
            |c: pb::DenialCategory| denials.iter().filter(move |d| d.category == c as i32);
        let line_code = |lcn: &str| {
            claim
                .lines
                .iter()
                .find(|l| l.line_control_number == lcn)
                .map(|l| l.code.clone())
        };
        if let Some(first) = category(pb::DenialCategory::Coding).next() {
            let codes: Vec<String> = category(pb::DenialCategory::Coding)
                .filter_map(|d| line_code(&d.line_control_number))
                .collect();
            // Billing sends coding-caused denials to coding by itself.
            if category(pb::DenialCategory::Coding)
                .any(|d| d.status == pb::DenialStatus::InCodingReview as i32)
            {
                work.coding_reviews += 1;
                rework_lines
                    .entry(claim.encounter_id.clone())
                    .or_default()
                    .extend(codes);
                continue;
            }
            let note = format!(
                "{} on line(s) {}: separately identifiable service? add the NCCI modifier if documented",
                first.carc_codes.join(","),
                codes.join(",")
            );
            match client
                .request_coding_review(api.req(
                    Actor::Biller,
                    pb::RequestCodingReviewRequest {
                        denial_id: first.denial_id.clone(),
                        note,
                    },
                ))
                .await
            {
                Ok(_) => {
                    work.coding_reviews += 1;
                    rework_lines
                        .entry(claim.encounter_id.clone())
                        .or_default()
                        .extend(codes);
                }
                Err(s) => work.refused.push(format!(
                    "RequestCodingReview {}: {}",
                    first.denial_id,
                    s.message()
                )),
            }
            continue;
        }
        if category(pb::DenialCategory::Billing).next().is_some() {
            match claims_api
                .correct_claim(api.req(
                    Actor::Biller,
                    pb::CorrectClaimRequest {
                        claim_id: claim_id.into(),
                        reason: "missing information supplied from the registration record".into(),
                    },
                ))
                .await
            {
                Ok(_) => work.corrections += 1,
                Err(s) => work
                    .refused
                    .push(format!("CorrectClaim {claim_id}: {}", s.message())),
            }
            continue;
        }
        for d in &denials {
            let appealable = [
                pb::DenialCategory::Authorization as i32,
                pb::DenialCategory::MedicalNecessity as i32,
            ]
            .contains(&d.category);
            let prior_payer = d.carc_codes.iter().all(|c| c == "23") && d.group_code == "OA";
            let result = if prior_payer {
                client
                    .resolve_denial(api.req(
                        Actor::Biller,
                        pb::ResolveDenialRequest {
                            denial_id: d.denial_id.clone(),
                            resolution: "OA-23 is the prior payer's adjudication carried on the secondary claim, not a denial".into(),
                        },
                    ))
                    .await
                    .map(|_| {
                        work.resolved += 1;
                        work.prior_payer_impact += 1;
                    })
            } else if appealable {
                client
                    .create_appeal(api.req(
                        Actor::Biller,
                        pb::CreateAppealRequest {
                            denial_id: d.denial_id.clone(),
                            letter: "The service was medically necessary as documented in the enclosed visit note; the ordering physician's rationale and the results are attached. We ask that the claim be reprocessed for payment.".into(),
                            submit: true,
                        },
                    ))
                    .await
                    .map(|_| work.appeals += 1)
            } else {
                client
                    .resolve_denial(api.req(
                        Actor::Biller,
                        pb::ResolveDenialRequest {
                            denial_id: d.denial_id.clone(),
                            resolution: "not covered by the plan: patient responsibility, billed to the patient".into(),
                        },
                    ))
                    .await
                    .map(|_| work.resolved += 1)
            };
            if let Err(s) = result {
                work.refused
                    .push(format!("denial {}: {}", d.denial_id, s.message()));
            }
        }
    }
    Ok(work)
}
