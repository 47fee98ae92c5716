//! The 835 writer: a [`Remittance`] back to X12, refusing one that does
//! not balance (per line, per claim, and BPR02 against the claims and PLB)
//! so no unbalanced remittance ever leaves the crate.

mod check;

use crate::common::{Address, AmountRef, Contact, DateRef, Reference};
use crate::error::WriteError;
use crate::remit::{
    Adjustment, BankAccounts, ClaimRef, MedicareAdjudication, Party, ProviderAdjustment,
    ProviderSummary, QuantityRef, Remittance, ServiceRef,
};
use crate::write::{
    El, InterchangeParams, Num, SegmentWriter, procedure_parts, write_entity, write_interchange,
};
use check::check;

/// GS08 of the 835s this writer produces (the 835 leaves ST03 out).
pub const VERSION: &str = "005010X221A1";

/// Writes one interchange (GS01 `HP`) holding one 835 per remittance.
/// `read_835` of the result gives back the same remittances (same
/// [`Remittance::entries`] and header fields). A remittance that does not
/// balance, or that the reader could not give back, is refused.
pub fn write_835(
    params: &InterchangeParams,
    remittances: &[Remittance],
) -> Result<Vec<u8>, WriteError> {
    write_interchange(params, "HP", VERSION, |w| {
        for (i, r) in remittances.iter().enumerate() {
            let path = format!("remittances[{i}]");
            check(&path, r)?;
            write_remittance(w, r)?;
        }
        Ok(remittances.len())
    })
}

fn write_remittance(w: &mut SegmentWriter, r: &Remittance) -> Result<(), WriteError> {
    w.start_transaction("835", &r.control_number, "")?;
    let p = &r.payment;
    let date = p.date.to_x12();
    let mut bpr = [El::S(""); 16];
    bpr[0] = El::S(&p.handling_code);
    let amount = Num::amount(p.amount);
    bpr[1] = El::S(amount.as_str());
    bpr[2] = El::S(&p.credit_debit);
    bpr[3] = El::S(&p.method);
    bpr[4] = El::S(p.format.as_deref().unwrap_or(""));
    let accounts = p.accounts.as_deref().map(BankAccounts::elements);
    for (slot, value) in bpr[5..15].iter_mut().zip(accounts.iter().flatten()) {
        *slot = El::S(value);
    }
    bpr[15] = El::S(&date);
    w.seg("BPR", &bpr)?;
    if let Some(t) = &r.trace {
        w.seg(
            "TRN",
            &[
                El::S("1"),
                El::S(&t.number),
                El::S(&t.originator),
                El::S(t.supplemental.as_deref().unwrap_or("")),
            ],
        )?;
    }
    write_references(w, &r.references)?;
    if let Some(d) = r.production_date {
        w.seg("DTM", &[El::S("405"), El::S(&d.to_x12())])?;
    }
    write_party(w, "PR", &r.payer)?;
    write_party(w, "PE", &r.payee)?;
    let mut header = None;
    let mut summaries = r.provider_summaries.as_slice();
    for claim in r.claims() {
        if let Some(n) = claim.header_number.filter(|n| Some(*n) != header) {
            header = Some(n);
            w.seg("LX", &[El::S(Num::count(u64::from(n)).as_str())])?;
            while let Some((summary, rest)) = summaries.split_first() {
                if summary.header_number != n {
                    break;
                }
                write_ts3(w, summary)?;
                summaries = rest;
            }
        }
        write_claim(w, claim)?;
    }
    write_plb(w, &r.provider_adjustments)?;
    w.end_transaction(&r.control_number)
}

fn write_ts3(w: &mut SegmentWriter, s: &ProviderSummary) -> Result<(), WriteError> {
    let date = s.fiscal_period_end.to_x12();
    let count = s.claim_count.to_x12();
    let pip = s.pip_claim_count.map(|q| q.to_x12()).unwrap_or_default();
    let total = Num::amount(s.total_charge);
    let mut texts = [Num::count(0); 8];
    for (slot, (_, amount)) in texts.iter_mut().zip(&s.amounts) {
        *slot = Num::amount(*amount);
    }
    let mut elements = [El::S(""); 24];
    elements[0] = El::S(&s.provider_id);
    elements[1] = El::S(&s.facility_type);
    elements[2] = El::S(&date);
    elements[3] = El::S(&count);
    elements[4] = El::S(total.as_str());
    for ((n, _), text) in s.amounts.iter().zip(&texts) {
        // Positions were checked to be TS313-TS324.
        if let Some(slot) = elements.get_mut(usize::from(*n).wrapping_sub(1)) {
            *slot = El::S(text.as_str());
        }
    }
    elements[22] = El::S(&pip);
    w.seg("TS3", &elements)
}

fn write_party(w: &mut SegmentWriter, role: &str, p: &Party) -> Result<(), WriteError> {
    w.seg(
        "N1",
        &[
            El::S(role),
            El::S(&p.name),
            El::S(p.id_qualifier.as_deref().unwrap_or("")),
            El::S(p.id.as_deref().unwrap_or("")),
        ],
    )?;
    if let Some(a) = &p.address {
        write_address(w, a)?;
    }
    write_references(w, &p.references)?;
    for c in &p.contacts {
        write_contact(w, c)?;
    }
    Ok(())
}

/// N3 and N4, each only when the reader would have filled it.
fn write_address(w: &mut SegmentWriter, a: &Address) -> Result<(), WriteError> {
    fn phi(v: &Option<crate::values::Phi<String>>) -> &str {
        v.as_ref().map_or("", |x| x.expose().as_str())
    }
    if !a.line1.expose().is_empty() {
        w.seg("N3", &[El::S(a.line1.expose()), El::S(phi(&a.line2))])?;
    }
    if !a.city.expose().is_empty() {
        w.seg(
            "N4",
            &[
                El::S(a.city.expose()),
                El::S(a.state.as_deref().unwrap_or("")),
                El::S(phi(&a.postal_code)),
                El::S(a.country.as_deref().unwrap_or("")),
            ],
        )?;
    }
    Ok(())
}

fn write_contact(w: &mut SegmentWriter, c: &Contact) -> Result<(), WriteError> {
    let mut per = [El::S(""); 8];
    per[0] = El::S(&c.function);
    per[1] = El::S(c.name.as_deref().unwrap_or(""));
    for (k, (qualifier, number)) in c.numbers.iter().take(3).enumerate() {
        per[2 + 2 * k] = El::S(qualifier);
        per[3 + 2 * k] = El::S(number);
    }
    w.seg("PER", &per)
}

fn write_references(w: &mut SegmentWriter, refs: &[Reference]) -> Result<(), WriteError> {
    for r in refs {
        w.seg("REF", &[El::S(&r.qualifier), El::S(&r.value)])?;
    }
    Ok(())
}

fn write_claim(w: &mut SegmentWriter, c: ClaimRef<'_>) -> Result<(), WriteError> {
    let (charge, paid) = (Num::amount(c.total_charge), Num::amount(c.paid));
    let patient = c.patient_responsibility.map(Num::amount);
    w.seg(
        "CLP",
        &[
            El::S(&c.patient_control_number),
            El::S(c.status.code()),
            El::S(charge.as_str()),
            El::S(paid.as_str()),
            El::S(patient.as_ref().map_or("", Num::as_str)),
            El::S(&c.filing_indicator),
            El::S(&c.payer_claim_control_number),
            El::S(c.facility_type.as_deref().unwrap_or("")),
            El::S(c.frequency.as_deref().unwrap_or("")),
            El::S(""),
            El::S(c.drg_code.as_deref().unwrap_or("")),
        ],
    )?;
    write_cas(w, c.adjustments())?;
    for name in c.names() {
        write_entity(w, name)?;
    }
    if let Some(mia) = &c.inpatient {
        write_medicare(w, "MIA", mia, 4, &[5, 20, 21, 22, 23])?;
    }
    if let Some(moa) = &c.outpatient {
        write_medicare(w, "MOA", moa, 2, &[3, 4, 5, 6, 7])?;
    }
    write_references(w, c.references())?;
    write_dtms(w, c.dates())?;
    write_amounts(w, c.amounts())?;
    write_quantities(w, c.quantities())?;
    for line in c.services() {
        write_service(w, line)?;
    }
    Ok(())
}

/// MIA or MOA: the quantity in element 1, the amount in `amount_at`, the
/// remark codes packed into `remarks_at` in order.
fn write_medicare(
    w: &mut SegmentWriter,
    id: &str,
    m: &MedicareAdjudication,
    amount_at: usize,
    remarks_at: &[usize],
) -> Result<(), WriteError> {
    let quantity = m.quantity.map(|q| q.to_x12()).unwrap_or_default();
    let amount = m.amount.map(Num::amount);
    let mut elements = [El::S(""); 23];
    elements[0] = El::S(&quantity);
    elements[amount_at - 1] = El::S(amount.as_ref().map_or("", Num::as_str));
    for (n, code) in remarks_at.iter().zip(&m.remark_codes) {
        elements[n - 1] = El::S(code);
    }
    w.seg(id, &elements)
}

fn write_service(w: &mut SegmentWriter, s: ServiceRef<'_>) -> Result<(), WriteError> {
    let (charge, paid) = (Num::amount(s.charge), Num::amount(s.paid));
    let units = s.units_paid.map(|q| q.to_x12()).unwrap_or_default();
    let submitted_units = s.submitted_units.map(|q| q.to_x12()).unwrap_or_default();
    let submitted = s.submitted_procedure.as_deref().map(procedure_parts);
    w.seg(
        "SVC",
        &[
            El::C(&procedure_parts(&s.procedure)),
            El::S(charge.as_str()),
            El::S(paid.as_str()),
            El::S(s.revenue_code.as_deref().unwrap_or("")),
            El::S(&units),
            El::C(submitted.as_ref().map_or(&[][..], |p| &p[..])),
            El::S(&submitted_units),
        ],
    )?;
    write_dtms(w, s.dates())?;
    write_cas(w, s.adjustments())?;
    write_references(w, s.references())?;
    if let Some(control) = &s.line_item_control_number {
        w.seg("REF", &[El::S("6R"), El::S(control)])?;
    }
    write_amounts(w, s.amounts())?;
    write_quantities(w, s.quantities())?;
    for remark in s.remarks() {
        w.seg("LQ", &[El::S(&remark.qualifier), El::S(&remark.code)])?;
    }
    Ok(())
}

fn write_dtms(w: &mut SegmentWriter, dates: &[DateRef]) -> Result<(), WriteError> {
    for d in dates {
        w.seg("DTM", &[El::S(&d.qualifier), El::S(&d.date.to_x12())])?;
    }
    Ok(())
}

fn write_amounts(w: &mut SegmentWriter, amounts: &[AmountRef]) -> Result<(), WriteError> {
    for a in amounts {
        w.seg(
            "AMT",
            &[El::S(&a.qualifier), El::S(Num::amount(a.amount).as_str())],
        )?;
    }
    Ok(())
}

fn write_quantities(w: &mut SegmentWriter, quantities: &[QuantityRef]) -> Result<(), WriteError> {
    for q in quantities {
        w.seg("QTY", &[El::S(&q.qualifier), El::S(&q.quantity.to_x12())])?;
    }
    Ok(())
}

/// CAS segments: consecutive triples of one group share a segment of up
/// to six, which the reader splits back into the same list.
fn write_cas(w: &mut SegmentWriter, adjustments: &[Adjustment]) -> Result<(), WriteError> {
    let mut rest = adjustments;
    while let Some(first) = rest.first() {
        let run = rest
            .iter()
            .take(6)
            .take_while(|a| a.group == first.group)
            .count();
        let mut amounts = [Num::count(0); 6];
        let mut quantities: [String; 6] = Default::default();
        for (k, a) in rest[..run].iter().enumerate() {
            amounts[k] = Num::amount(a.amount);
            quantities[k] = a.quantity.map(|q| q.to_x12()).unwrap_or_default();
        }
        let mut elements = [El::S(""); 19];
        elements[0] = El::S(first.group.code());
        for (k, a) in rest[..run].iter().enumerate() {
            elements[1 + 3 * k] = El::S(&a.reason);
            elements[2 + 3 * k] = El::S(amounts[k].as_str());
            elements[3 + 3 * k] = El::S(&quantities[k]);
        }
        w.seg("CAS", &elements)?;
        rest = &rest[run..];
    }
    Ok(())
}

/// PLB segments: consecutive adjustments of one provider and fiscal
/// period share a segment of up to six reason/amount pairs.
fn write_plb(w: &mut SegmentWriter, adjustments: &[ProviderAdjustment]) -> Result<(), WriteError> {
    let mut rest = adjustments;
    while let Some(first) = rest.first() {
        let run = rest
            .iter()
            .take(6)
            .take_while(|p| {
                p.provider_id == first.provider_id && p.fiscal_period_end == first.fiscal_period_end
            })
            .count();
        let date = first.fiscal_period_end.to_x12();
        let mut amounts = [Num::count(0); 6];
        let mut reasons = [["", ""]; 6];
        for (k, p) in rest[..run].iter().enumerate() {
            amounts[k] = Num::amount(p.amount);
            reasons[k] = [&p.reason, p.reference.as_deref().unwrap_or("")];
        }
        let mut elements = [El::S(""); 14];
        elements[0] = El::S(&first.provider_id);
        elements[1] = El::S(&date);
        for k in 0..run {
            elements[2 + 2 * k] = El::C(&reasons[k]);
            elements[3 + 2 * k] = El::S(amounts[k].as_str());
        }
        w.seg("PLB", &elements)?;
        rest = &rest[run..];
    }
    Ok(())
}
