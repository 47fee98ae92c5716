//! Ingesting one 835, in one transaction: read and balance it, decide for
//! each claim payment whether it posts (and to which lines) or goes to
//! exceptions, record the file (once: its content hash and its payer +
//! trace are unique), append the journal entries, and publish
//! `RemittancePosted` for each posted claim payment. A file recorded before
//! posts nothing and answers with the first result.

use std::collections::HashMap;

use medbill_kernel::ids::new_uuid_v7;
use medbill_platform::ServiceError;
use medbill_platform::clock::Clock;
use medbill_platform::db::Database;
use medbill_platform::outbox::{self, NewEvent};
use sha2::{Digest, Sha256};

use super::domain::{ClaimPaymentStatus, ExceptionReason, Ingested, RemittanceException};
use super::store::{self, ClaimMatch, NewRemittance};
use super::{matching, posting, read, wire};
use crate::claims::domain::{ClaimStatus, StoredClaim, void_entry};
use crate::claims::store as claims;
use crate::deposits::service as deposits;
use crate::ledger::domain::EntryError;
use crate::ledger::domain::LedgerAccount;
use crate::ledger::store::{self as ledger, EntrySource};

/// Where one claim payment goes.
enum Decision<'c> {
    Post(&'c StoredClaim, Vec<u32>),
    Except(ExceptionReason, Option<String>, String),
}

/// Ingests 835 files into the payments database.
#[derive(Clone)]
pub struct Ingestion {
    db: Database,
    clock: Clock,
}

impl Ingestion {
    /// Ingestion over `db`, dating postings on `clock`.
    pub fn new(db: Database, clock: Clock) -> Self {
        Ingestion { db, clock }
    }

    /// Ingests `content` (an 835 sent as `file_name` by `actor`).
    pub async fn ingest(
        &self,
        content: &[u8],
        file_name: &str,
        actor: &str,
    ) -> Result<Ingested, ServiceError> {
        let remittance = read::read(content)?;
        let content_hash = hex(&Sha256::digest(content));
        let mut tx = self.db.begin().await?;
        let found = store::existing(
            &mut tx,
            &content_hash,
            &remittance.payer_key,
            &remittance.trace_number,
        )
        .await?;
        if let Some(first) = found {
            return earlier(&mut tx, first).await;
        }
        let pcns: Vec<&str> = remittance
            .claims
            .iter()
            .map(|c| c.patient_control_number.as_str())
            .collect();
        claims::lock_matching(&mut tx).await?;
        claims::lock_by_patient_control_numbers(&mut tx, &pcns).await?;
        let known = claims::by_patient_control_numbers(&mut tx, &pcns).await?;
        let decisions: Vec<Decision> = remittance
            .claims
            .iter()
            .map(|payment| decide(&known, payment))
            .collect();
        let remittance_id = new_uuid_v7();
        let received_at = self.clock.now();
        let recorded = store::insert(
            &mut tx,
            &NewRemittance {
                remittance_id: &remittance_id,
                content_hash: &content_hash,
                remittance: &remittance,
                file_name,
                content,
                fully_posted: decisions.iter().all(|d| matches!(d, Decision::Post(..))),
                received_by: actor,
                received_at,
            },
        )
        .await?;
        if !recorded {
            // A concurrent ingestion of the same file (or trace) committed
            // first: answer with its result.
            let first = store::existing(
                &mut tx,
                &content_hash,
                &remittance.payer_key,
                &remittance.trace_number,
            )
            .await?
            .ok_or_else(|| {
                ServiceError::Aborted("remittance recorded concurrently; retry".into())
            })?;
            return earlier(&mut tx, first).await;
        }
        let source = EntrySource {
            source_id: &remittance_id,
            effective_on: remittance.payment_date,
            posted_at: received_at,
        };
        let mut entries =
            Vec::with_capacity(decisions.len() + remittance.provider_adjustments.len());
        let mut matches = Vec::with_capacity(decisions.len());
        let mut exceptions = Vec::new();
        let mut events = Vec::new();
        for (payment, decision) in remittance.claims.iter().zip(decisions) {
            match decision {
                Decision::Post(claim, lines) => {
                    let entry = posting::claim_entry(claim, payment, &lines).map_err(internal)?;
                    let reopened = if claim.status == ClaimStatus::Voided {
                        entry
                            .balances_of(LedgerAccount::InsuranceAr)
                            .map_err(internal)?
                    } else {
                        Vec::new()
                    };
                    entries.push(entry);
                    if !reopened.is_empty() {
                        entries.push(void_entry(claim, &reopened).map_err(internal)?);
                    }
                    let claim_id = claim.claim_id.as_str();
                    let event = wire::remittance_posted(
                        &remittance_id,
                        &remittance,
                        payment,
                        claim_id,
                        &lines,
                    );
                    events.push(NewEvent::of(claim_id, &event));
                    matches.push((Some(claim_id.to_string()), lines));
                }
                Decision::Except(reason, claim_id, detail) => {
                    entries.push(posting::unapplied_entry(payment).map_err(internal)?);
                    exceptions.push((
                        matches.len(),
                        RemittanceException {
                            exception_id: new_uuid_v7(),
                            remittance_id: remittance_id.clone(),
                            patient_control_number: payment.patient_control_number.clone(),
                            claim_id,
                            reason,
                            detail,
                            paid: payment.paid,
                            created_at: received_at.to_string(),
                        },
                    ));
                    matches.push((None, Vec::new()));
                }
            }
        }
        for adjustment in &remittance.provider_adjustments {
            entries.push(posting::provider_entry(adjustment).map_err(internal)?);
        }
        ledger::append_many(&mut tx, &entries, &source).await?;
        let rows: Vec<ClaimMatch<'_>> = remittance
            .claims
            .iter()
            .zip(&matches)
            .enumerate()
            .map(|(index, (payment, (claim_id, lines)))| ClaimMatch {
                index,
                patient_control_number: &payment.patient_control_number,
                claim_id: claim_id.as_deref(),
                lines,
                status_code: &payment.status_code,
                charge: payment.charge,
            })
            .collect();
        store::insert_claim_matches(&mut tx, &remittance_id, &rows).await?;
        for (index, exception) in &exceptions {
            store::insert_exception(&mut tx, exception, *index).await?;
        }
        let exceptions: Vec<RemittanceException> = exceptions.into_iter().map(|(_, e)| e).collect();
        deposits::match_remittance(
            &mut tx,
            self.db.backend(),
            &remittance_id,
            &remittance.trace_number,
            remittance.total_paid,
            &received_at.to_string(),
        )
        .await?;
        // Last before the commit: publishing holds the outbox's sequence row
        // until the commit, and every publishing transaction waits for it.
        outbox::publish(&mut tx, &events).await?;
        tx.commit().await?;
        tracing::info!(
            %remittance_id,
            claims = remittance.claims.len(),
            exceptions = exceptions.len(),
            "remittance posted"
        );
        Ok(Ingested {
            remittance_id,
            remittance,
            matches,
            exceptions,
            received_at: received_at.to_string(),
            content_hash,
            newly_posted: true,
        })
    }

    /// The remittance `remittance_id` as ingested (`newly_posted` false).
    pub async fn get(&self, remittance_id: &str) -> Result<Ingested, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        let stored = store::by_id(&mut conn, remittance_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("remittance", remittance_id))?;
        earlier(&mut conn, stored).await
    }

    /// Remittance summaries, newest first (see [`store::list`]).
    pub async fn list(
        &self,
        statuses: &[&str],
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<store::RemittanceSummary>, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        store::list(&mut conn, statuses, before, limit).await
    }

    /// A remittance's exceptions, after `after`, up to `limit`.
    pub async fn exceptions(
        &self,
        remittance_id: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<RemittanceException>, ServiceError> {
        let mut conn = self.db.pool().acquire().await?;
        store::list_exceptions(&mut conn, remittance_id, after, limit).await
    }
}

/// Where a claim payment goes: to its claim's matched lines, or to
/// exceptions with the reason.
fn decide<'c>(
    known: &'c HashMap<String, StoredClaim>,
    payment: &super::domain::ClaimPayment,
) -> Decision<'c> {
    let pcn = &payment.patient_control_number;
    let Some(claim) = known.get(pcn) else {
        return Decision::Except(
            ExceptionReason::UnknownPatientControlNumber,
            None,
            format!(
                "CLP at segment {}: CLP01 {pcn} names no submitted claim",
                payment.segment
            ),
        );
    };
    match claim.status {
        // The payer taking back what it paid on a claim billing has since
        // voided or replaced: posted, and what it puts back on the payer's
        // balance is closed again (the replacement claim carries it).
        ClaimStatus::Voided if payment.status == ClaimPaymentStatus::Reversal => {
            match matching::match_lines(&claim.lines, &payment.services) {
                Ok(lines) => Decision::Post(claim, lines),
                Err(missing) => Decision::Except(
                    ExceptionReason::LineNotFound,
                    Some(claim.claim_id.to_string()),
                    missing.detail,
                ),
            }
        }
        ClaimStatus::Voided => Decision::Except(
            ExceptionReason::ClaimVoided,
            Some(claim.claim_id.to_string()),
            format!(
                "CLP at segment {}: claim {} was voided",
                payment.segment, claim.claim_id
            ),
        ),
        ClaimStatus::Open => match matching::match_lines(&claim.lines, &payment.services) {
            Ok(lines) => Decision::Post(claim, lines),
            Err(missing) => Decision::Except(
                ExceptionReason::LineNotFound,
                Some(claim.claim_id.to_string()),
                missing.detail,
            ),
        },
    }
}

/// The first result of a remittance recorded before.
async fn earlier(
    tx: &mut sqlx::AnyConnection,
    first: store::StoredRemittance,
) -> Result<Ingested, ServiceError> {
    let remittance = read::read(&first.content)?;
    let matches = store::claim_matches(tx, &first.remittance_id).await?;
    let exceptions = store::list_exceptions(tx, Some(&first.remittance_id), None, i64::MAX).await?;
    Ok(Ingested {
        remittance_id: first.remittance_id,
        remittance,
        matches,
        exceptions,
        received_at: first.received_at,
        content_hash: first.content_hash,
        newly_posted: false,
    })
}

fn internal(e: EntryError) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
