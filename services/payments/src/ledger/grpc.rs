//! `medbill.payments.v1.AccountService`: the ledger audit. The account
//! reads, patient payments, refunds and adjustments are not built yet and
//! answer `UNIMPLEMENTED` (the generated default).

use medbill_contracts::medbill::payments::v1 as pb;
use medbill_contracts::medbill::payments::v1::account_service_server::AccountService;
use medbill_kernel::ClaimId;
use medbill_platform::ServiceError;
use medbill_platform::convert::{self, wire_money};
use medbill_platform::db::Database;
use tonic::{Request, Response, Status};

use super::domain::ClaimAudit;
use super::store;

/// The account API over the payments database.
#[derive(Clone)]
pub struct AccountRpc {
    db: Database,
}

impl AccountRpc {
    /// The API over `db`.
    pub fn new(db: Database) -> Self {
        AccountRpc { db }
    }
}

fn claim_audit_to_pb(claim_id: &str, audit: &ClaimAudit) -> pb::ClaimLedgerAudit {
    pb::ClaimLedgerAudit {
        claim_id: claim_id.to_string(),
        charges: Some(wire_money(audit.charges)),
        payments: Some(wire_money(audit.payments)),
        adjustments: Some(wire_money(audit.adjustments)),
        write_offs: Some(wire_money(audit.write_offs)),
        insurance_balance: Some(wire_money(audit.insurance_balance)),
        patient_balance: Some(wire_money(audit.patient_balance)),
        balanced: audit.balanced(),
        unexplained: Some(wire_money(audit.unexplained)),
    }
}

#[tonic::async_trait]
impl AccountService for AccountRpc {
    async fn audit_ledger(
        &self,
        request: Request<pb::AuditLedgerRequest>,
    ) -> Result<Response<pb::AuditLedgerResponse>, Status> {
        let req = request.into_inner();
        let mut asked = Vec::with_capacity(req.claim_ids.len());
        for (i, id) in req.claim_ids.iter().enumerate() {
            asked.push(convert::id::<ClaimId>(&format!("claim_ids[{i}]"), id)?);
        }
        let mut conn = self.db.pool().acquire().await.map_err(ServiceError::from)?;
        let rows = store::audit(&mut conn).await?;
        let out_of_balance = rows.claims.values().filter(|a| !a.balanced()).count();
        let claims = if asked.is_empty() {
            rows.claims
                .iter()
                .filter(|(_, audit)| !audit.balanced())
                .map(|(id, audit)| claim_audit_to_pb(id, audit))
                .collect()
        } else {
            asked
                .iter()
                .map(|id| {
                    let audit = rows.claims.get(id.as_str()).cloned().unwrap_or_default();
                    claim_audit_to_pb(id.as_str(), &audit)
                })
                .collect()
        };
        Ok(Response::new(pb::AuditLedgerResponse {
            claims,
            claims_checked: rows.claims.len() as u32,
            claims_out_of_balance: out_of_balance as u32,
            unbalanced_entry_ids: rows.unbalanced_entries,
            entries_checked: rows.entries as u32,
        }))
    }
}
