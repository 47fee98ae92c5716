//! The payer simulator's 835s cut into files of a given number of claims,
//! as a payer that pays in smaller runs would send them. Each file keeps
//! its payer, payee and claim payments as the payer wrote them (every CAS,
//! line and remark); it gets a trace number of its own (an 835 is posted
//! once per payer and trace) and its payment (BPR02) is its claims' paid
//! amounts. The payer's provider-level adjustments (PLB interest) are left
//! out: they belong to no claim, and the files must balance without them.

use std::path::Path;

use anyhow::Context;
use medbill_x12::envelope::Usage;
use medbill_x12::remit::{
    AdjustmentGroup, ClaimEntry, Payment, Remittance, Trace, read_835, write_835,
};
use medbill_x12::write::InterchangeParams;
use medbill_x12::{Amount, Delimiters, Text};

/// One claim payment of a file: what payments' ledger shows for the
/// claim once the file is posted, and only once.
#[derive(Debug, Clone)]
pub struct Paid {
    /// CLP01, billing's patient control number.
    pub patient_control_number: String,
    /// CLP04, in cents.
    pub paid: i64,
    /// Every PR adjustment of the claim and its lines, in cents.
    pub patient_share: i64,
}

/// An 835 file and the claims it pays.
#[derive(Debug)]
pub struct Era {
    /// Its file name.
    pub name: String,
    /// The X12 bytes.
    pub content: Vec<u8>,
    /// Its claim payments.
    pub claims: Vec<Paid>,
}

/// The 835 files (`*835*.x12`) in `dir`, in name order, cut into files
/// of at most `per_file` claims.
pub fn cut(dir: &Path, per_file: usize) -> anyhow::Result<Vec<Era>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("835") && n.ends_with(".x12"))
        })
        .collect();
    paths.sort();
    let mut eras = Vec::new();
    for path in paths {
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let remittances =
            read_835(&bytes).with_context(|| format!("reading {}", path.display()))?;
        for remittance in remittances {
            let entries = remittance.entries();
            for chunk in entries.chunks(per_file.max(1)) {
                let control = eras.len() as u32 + 1;
                let era = part(&remittance, chunk, control)?;
                let content = write_835(&params(&remittance, control), &[era])
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .context("writing an 835")?;
                eras.push(Era {
                    name: format!("{control:09}-835.x12"),
                    content,
                    claims: chunk.iter().map(paid).collect(),
                });
            }
        }
    }
    Ok(eras)
}

/// The remittance of `claims` of `whole`, numbered `control`.
fn part(whole: &Remittance, claims: &[ClaimEntry], control: u32) -> anyhow::Result<Remittance> {
    let paid: i64 = claims.iter().map(|c| c.paid.cents()).sum();
    let method = match (paid > 0, whole.payment.method.as_str()) {
        (false, _) => "NON",
        (true, "NON") => "CHK",
        (true, method) => method,
    };
    let electronic = method == "ACH";
    let payment = Payment {
        handling_code: if paid > 0 { "I" } else { "H" }.into(),
        amount: Amount::from_cents(paid),
        credit_debit: whole.payment.credit_debit.clone(),
        method: method.into(),
        format: whole.payment.format.clone().filter(|_| electronic),
        accounts: whole.payment.accounts.clone().filter(|_| electronic),
        date: whole.payment.date,
    };
    let whole_trace = whole.trace.as_ref().context("an 835 without its TRN")?;
    let trace = Trace {
        number: Text::new(&format!("{}-{control:06}", whole_trace.number)),
        originator: whole_trace.originator.clone(),
        supplemental: whole_trace.supplemental.clone(),
    };
    let mut part = Remittance::new(
        &format!("{control:04}"),
        payment,
        trace,
        whole.payer.clone(),
        whole.payee.clone(),
    );
    part.references = whole.references.clone();
    part.production_date = whole.production_date;
    for claim in claims {
        part.push_claim(claim.clone());
    }
    Ok(part)
}

/// The envelope of part `control`: from the payer (its REF*2U id) to the
/// payee (its NPI), dated the payment's date.
fn params(whole: &Remittance, control: u32) -> InterchangeParams {
    let payer = whole
        .payer
        .references
        .iter()
        .find(|r| r.qualifier == "2U")
        .map_or("PAYER", |r| r.value.as_str());
    let payee = whole.payee.id.as_ref().map_or("PAYEE", |id| id.as_str());
    InterchangeParams {
        sender_qualifier: "ZZ".into(),
        sender_id: payer.into(),
        receiver_qualifier: "ZZ".into(),
        receiver_id: payee.into(),
        control_number: control,
        group_control_number: control,
        date: whole.payment.date,
        time: "0900".into(),
        usage: Usage::Test,
        acknowledgment_requested: false,
        delimiters: Delimiters::default(),
        line_breaks: true,
    }
}

/// What posting `claim` puts on its ledger.
fn paid(claim: &ClaimEntry) -> Paid {
    let patient = |adjustments: &[medbill_x12::remit::Adjustment]| -> i64 {
        adjustments
            .iter()
            .filter(|a| a.group == AdjustmentGroup::PatientResponsibility)
            .map(|a| a.amount.cents())
            .sum()
    };
    Paid {
        patient_control_number: claim.patient_control_number.to_string(),
        paid: claim.paid.cents(),
        patient_share: patient(&claim.adjustments)
            + claim
                .services
                .iter()
                .map(|s| patient(&s.adjustments))
                .sum::<i64>(),
    }
}
