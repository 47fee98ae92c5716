//! Settling one 835: the provider-level adjustments (interest, balances
//! owed and carried forward), the payment, the file and its record.

use medbill_kernel::CalendarDate;

use super::Run;
use crate::desk::{Desk, Output};
use crate::envelope::params;
use crate::error::SimError;
use crate::record::{ProviderAdjustmentRecord, Record, Recovery, RemittanceRecord};
use crate::remittance::{Draft, method, remittance};

/// The provider-level adjustments of a run and its payment (BPR02): L6
/// for each claim's interest; a balance owed recovered (WO) from a
/// positive payment; a negative one carried forward (FB) and owed.
fn settle(
    record: &mut Record,
    payer_id: &str,
    npi: &str,
    run: &Run,
) -> (Vec<ProviderAdjustmentRecord>, i64) {
    let mut plb = Vec::new();
    let mut claims_paid = 0;
    for &(i, k) in &run.entries {
        let p = &record.claims[i].payments[k];
        claims_paid += p.paid;
        if p.interest > 0 {
            plb.push(ProviderAdjustmentRecord {
                reason: "L6".into(),
                reference: p.payer_claim_number.clone(),
                amount: -p.interest,
            });
        }
    }
    let mut payment = claims_paid - plb.iter().map(|a| a.amount).sum::<i64>();
    for r in record
        .recoveries
        .iter_mut()
        .filter(|r| r.payer_id == payer_id && r.payee_npi == npi && r.outstanding > 0)
    {
        if payment <= 0 {
            break;
        }
        let take = r.outstanding.min(payment);
        r.outstanding -= take;
        payment -= take;
        plb.push(ProviderAdjustmentRecord {
            reason: "WO".into(),
            reference: r.reference.clone(),
            amount: take,
        });
    }
    if payment < 0 {
        plb.push(ProviderAdjustmentRecord {
            reason: "FB".into(),
            reference: run.trace.clone(),
            amount: payment,
        });
        record.recoveries.push(Recovery {
            payer_id: payer_id.into(),
            payee_npi: npi.into(),
            reference: run.trace.clone(),
            outstanding: -payment,
        });
        payment = 0;
    }
    (plb, payment)
}

/// Writes the run's 835 and records it.
pub(super) fn write_remittance(
    desk: &mut Desk<'_>,
    payer_id: &str,
    npi: &str,
    run: &Run,
    paid_on: CalendarDate,
    control: u32,
) -> Result<(Output, i64), SimError> {
    let config = desk.config;
    let (plb, payment) = settle(desk.record, payer_id, npi, run);
    let Some(payer) = config.payer(payer_id) else {
        return Err(SimError::Config(format!("no payer {payer_id}")));
    };
    let record = &*desk.record;
    let first = run.entries.first().map(|(i, _)| &record.claims[*i]);
    let (payee_name, to) = match first {
        Some(c) => (
            c.claim.billing_provider.name.as_str(),
            c.return_address.clone(),
        ),
        None => return Err(SimError::Config("an 835 without claims".into())),
    };
    let draft = Draft {
        payer,
        payee_name,
        payee_npi: npi,
        trace: &run.trace,
        today: desk.today,
        paid_on,
        claims: run
            .entries
            .iter()
            .map(|(i, k)| (&record.claims[*i], &record.claims[*i].payments[*k]))
            .collect(),
        provider_adjustments: &plb,
        payment,
    };
    let p = params(&payer.id, &to, control, desk.today, &config.time);
    let content =
        medbill_x12::remit::write_835(&p, &[remittance(&draft)]).map_err(SimError::write("835"))?;
    let claims_paid = draft.claims.iter().map(|(_, p)| p.paid).sum();
    desk.record.remittances.push(RemittanceRecord {
        file: run.file.clone(),
        payer_id: payer_id.into(),
        payee_npi: npi.into(),
        trace: run.trace.clone(),
        method: method(payer, payment).into(),
        payment_date: paid_on,
        claims_paid,
        provider_adjustments: plb,
        payment,
    });
    Ok((
        Output {
            name: run.file.clone(),
            content,
        },
        payment,
    ))
}
