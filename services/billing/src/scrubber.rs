//! The claim scrubber: a typed catalog of rules, each naming the claim field
//! it checks, its severity and the fix to suggest, run over the facts a
//! claim is checked against (its payer, coverage, patient and providers, the
//! payer's own rules, possible duplicates, the date). A payer may set a
//! rule's severity differently or turn it off, and names the codes it wants
//! a prior authorization for. An error holds the claim; a warning does not.
//!
//! `docs/SCRUBBER.md` is generated from [`CATALOG`] by [`catalog_markdown`]
//! (a test fails when it is stale).

pub mod catalog;
pub mod finding;
pub mod rules;
pub mod store;

pub use catalog::CATALOG;
pub use finding::{Finding, Severity};
pub use rules::{CodingFinding, Facts, PayerRules, Problem, Rule, RuleSetting};

/// Runs every rule of `catalog` the payer has not turned off.
pub fn scrub(catalog: &[Rule], facts: &Facts<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in catalog {
        let severity = match facts.payer_rules.overrides.get(rule.id) {
            Some(RuleSetting::Off) => continue,
            Some(RuleSetting::Run(severity)) => *severity,
            None => rule.severity,
        };
        for problem in (rule.check)(facts) {
            findings.push(Finding {
                rule_id: rule.id.to_string(),
                severity,
                field: problem.field,
                message: problem.message,
                suggested_fix: rule.fix.to_string(),
            });
        }
    }
    findings
}

/// Whether `rule_id` names a rule of the catalog.
pub fn is_rule(rule_id: &str) -> bool {
    CATALOG.iter().any(|r| r.id == rule_id)
}

/// `docs/SCRUBBER.md`: the catalog as a table.
pub fn catalog_markdown() -> String {
    let mut out = String::from(
        "# Claim scrubber rules\n\n\
         Generated from the rule catalog in `services/billing/src/scrubber/catalog.rs`\n\
         (`UPDATE_DOCS=1 cargo test -p medbill-billing --test scrubber_doc` writes it;\n\
         the same test fails when this file is stale).\n\n\
         Every claim is scrubbed when it is built, when `ScrubClaim` is called and\n\
         again by `CreateBatch` just before it is written into an 837. A finding\n\
         of severity **error** holds the claim (submission status HELD) with the\n\
         rule id, the claim field and a suggested fix; a **warning** is shown\n\
         and the claim goes. A payer can set a rule's severity differently or\n\
         turn it off, and names the procedure codes it pays only with a prior\n\
         authorization (`SetPayerRules`). `CODING_EDITS` runs only in\n\
         `ScrubClaim`, when billing is connected to the coding service.\n\n\
         | rule | severity | field | checks | suggested fix |\n\
         |---|---|---|---|---|\n",
    );
    for rule in CATALOG {
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} |\n",
            rule.id,
            rule.severity.as_str(),
            rule.field,
            rule.summary,
            rule.fix
        ));
    }
    out
}
