//! The revenue-cycle summary, read back from the services — billing's
//! claim metrics, payments' ledger audit, AR aging and KPIs — beside the
//! payer simulator's record of what it was sent and what it paid. Every
//! figure is cents; the text form prints dollars. The identity the ledger
//! must keep: billed = paid + adjusted + written off + open insurance AR +
//! open patient AR, to the cent.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// A figure the services report beside the simulator's.
#[derive(Debug, Clone)]
pub struct Agreement {
    /// What is compared.
    pub what: String,
    /// The services' figure.
    pub services: i64,
    /// The simulator's.
    pub simulator: i64,
}

impl Agreement {
    /// Whether the two agree.
    pub fn agrees(&self) -> bool {
        self.services == self.simulator
    }
}

/// Everything the demo reports.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Seed and size of the run.
    pub seed: u64,
    /// Encounters submitted.
    pub encounters: u32,
    /// Where every file lives.
    pub workdir: String,
    /// Seconds the run took.
    pub seconds: f64,
    /// Counts by what happened (encounters released, corrected, …).
    pub counts: BTreeMap<String, i64>,
    /// Billing's claim metrics.
    pub claims_submitted: u32,
    /// Clean claims.
    pub clean_claims: u32,
    /// Clean-claim rate as billing computes it.
    pub clean_claim_rate: String,
    /// First-pass denial rate (claims).
    pub first_pass_denial_rate: String,
    /// Denials by root cause: (count, cents).
    pub denials_by_category: BTreeMap<String, (u32, i64)>,
    /// Denials by origin.
    pub denials_by_origin: BTreeMap<String, (u32, i64)>,
    /// Claims by billing status.
    pub claims_by_status: BTreeMap<String, u32>,
    /// Money (cents): billed, insurance_paid, patient_paid, adjusted,
    /// written_off, insurance_ar, patient_ar.
    pub money: BTreeMap<String, i64>,
    /// billed − (paid + adjusted + written off + AR); must be 0.
    pub difference: i64,
    /// Claims the ledger audit found out of balance.
    pub claims_out_of_balance: u32,
    /// AR aging (total row): bucket → (insurance, patient).
    pub aging: Vec<(String, i64, i64)>,
    /// Payments' KPIs, as it words them.
    pub kpis: BTreeMap<String, String>,
    /// The simulator's totals.
    pub simulator: BTreeMap<String, i64>,
    /// Figures compared with the simulator.
    pub agreements: Vec<Agreement>,
    /// What did not go through, with why.
    pub exceptions: Vec<String>,
}

/// Cents as dollars: `-1234` → `-12.34`.
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let whole = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", c % 100)
}

impl Summary {
    /// Whether the books balance and the services agree with the payer.
    pub fn balanced(&self) -> bool {
        self.difference == 0 && self.claims_out_of_balance == 0
    }

    /// The summary as JSON, money in cents.
    pub fn to_json(&self) -> Value {
        let pairs = |m: &BTreeMap<String, (u32, i64)>| -> Value {
            m.iter()
                .map(|(k, (n, c))| (k.clone(), json!({ "denials": n, "cents": c })))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        json!({
            "seed": self.seed,
            "encounters": self.encounters,
            "workdir": self.workdir,
            "seconds": (self.seconds * 10.0).round() / 10.0,
            "counts": self.counts,
            "claims": {
                "submitted": self.claims_submitted,
                "clean": self.clean_claims,
                "clean_claim_rate": self.clean_claim_rate,
                "first_pass_denial_rate": self.first_pass_denial_rate,
                "by_status": self.claims_by_status,
            },
            "denials_by_category": pairs(&self.denials_by_category),
            "denials_by_origin": pairs(&self.denials_by_origin),
            "money_cents": self.money,
            "balance": {
                "difference_cents": self.difference,
                "claims_out_of_balance": self.claims_out_of_balance,
                "balanced": self.balanced(),
            },
            "ar_aging_cents": self.aging.iter().map(|(b, i, p)| json!({ "bucket": b, "insurance": i, "patient": p })).collect::<Vec<_>>(),
            "kpis": self.kpis,
            "simulator_cents": self.simulator,
            "agreements": self.agreements.iter().map(|a| json!({
                "what": a.what, "services": a.services, "simulator": a.simulator, "agree": a.agrees()
            })).collect::<Vec<_>>(),
            "exceptions": self.exceptions,
        })
    }

    /// The summary as text, money in dollars.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let mut line = |t: String| {
            s.push_str(&t);
            s.push('\n');
        };
        line(format!(
            "medbill demo: {} encounters, seed {}, {:.1} s; files under {}",
            self.encounters, self.seed, self.seconds, self.workdir
        ));
        line(String::new());
        line("Work done".into());
        for (k, v) in &self.counts {
            line(format!("  {k:<44} {v:>10}"));
        }
        line(String::new());
        line(format!(
            "Claims: {} submitted, {} clean (clean-claim rate {}), first-pass denial rate {}",
            self.claims_submitted,
            self.clean_claims,
            self.clean_claim_rate,
            self.first_pass_denial_rate
        ));
        let statuses: Vec<String> = self
            .claims_by_status
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        line(format!("  by status: {}", statuses.join(", ")));
        line("Denials by root cause".into());
        for (k, (n, c)) in &self.denials_by_category {
            line(format!("  {k:<30} {n:>5}  ${:>14}", dollars(*c)));
        }
        line("Denials by origin".into());
        for (k, (n, c)) in &self.denials_by_origin {
            line(format!("  {k:<30} {n:>5}  ${:>14}", dollars(*c)));
        }
        line(String::new());
        line("Dollars (payments' ledger, every claim)".into());
        for key in [
            "billed",
            "insurance_paid",
            "patient_paid",
            "adjusted",
            "written_off",
            "insurance_ar",
            "patient_ar",
        ] {
            let v = self.money.get(key).copied().unwrap_or(0);
            line(format!("  {key:<20} ${:>14}", dollars(v)));
        }
        if self.balanced() {
            line("  billed = paid + adjusted + written off + insurance AR + patient AR: balanced to the cent".into());
        } else {
            line(format!(
                "  *** OUT OF BALANCE: billed − (paid + adjusted + written off + AR) = ${}; {} claim(s) out of balance in the ledger audit ***",
                dollars(self.difference),
                self.claims_out_of_balance
            ));
        }
        line(String::new());
        line("The payer simulator's record".into());
        for (k, v) in &self.simulator {
            let counted = k.starts_with("claims") || k == "835s";
            if counted {
                line(format!("  {k:<34} {v:>15}"));
            } else {
                line(format!("  {k:<34} ${:>14}", dollars(*v)));
            }
        }
        line(String::new());
        line("AR aging (from date of service)   insurance          patient".into());
        for (bucket, i, p) in &self.aging {
            line(format!(
                "  {bucket:<30} ${:>14}  ${:>14}",
                dollars(*i),
                dollars(*p)
            ));
        }
        line("KPIs (payments)".into());
        for (k, v) in &self.kpis {
            line(format!("  {k:<30} {v}"));
        }
        line(String::new());
        line("Cross-checks, in cents (the services' figure, then what it must equal: the ledger audit's or the payer simulator's record)".into());
        for a in &self.agreements {
            line(format!(
                "  {:<46} {:>14}  vs {:>14}  {}",
                a.what,
                a.services,
                a.simulator,
                if a.agrees() { "agree" } else { "DIFFER" }
            ));
        }
        if !self.exceptions.is_empty() {
            line(String::new());
            line(format!("Exceptions ({})", self.exceptions.len()));
            for e in &self.exceptions {
                line(format!("  - {e}"));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::dollars;

    #[test]
    fn cents_print_as_dollars_with_thousands_separators() {
        assert_eq!(dollars(0), "0.00");
        assert_eq!(dollars(-1234), "-12.34");
        assert_eq!(dollars(123_456_789), "1,234,567.89");
    }
}
