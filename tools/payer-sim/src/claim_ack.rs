//! The 277CA for one accepted 837 transaction set: the clearinghouse as
//! information source, the submitter (with the batch's BHT03 as trace and
//! the counts and totals accepted and rejected), one level per billing
//! provider, and one claim level per claim: `A2:20` accepted into
//! adjudication with the payer claim control number (REF*1K), or `A3`/`A7`
//! rejected with the reason.

use medbill_x12::Date;
use medbill_x12::claim_ack::{
    ClaimAcknowledgment, ClaimStatusReport, Disposition, StatusInfo, StatusLevel,
};
use medbill_x12::common::{DateRef, Entity, EntityType};
use medbill_x12::{Amount, Phi, Quantity};

use crate::claim::{Name, Provider};

/// The front end's verdict on one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Accepted for adjudication under this payer claim control number.
    Accepted(String),
    /// Rejected.
    Rejected {
        /// `A3` returned as unprocessable, `A7` rejected for invalid information.
        category: &'static str,
        /// The claim status code.
        status: &'static str,
        /// The entity the status is about.
        entity: Option<&'static str>,
        /// STC12.
        message: String,
    },
}

impl Verdict {
    /// `A7:164:IL`.
    pub(crate) fn code(&self) -> String {
        match self {
            Verdict::Accepted(_) => "A2:20:PR".into(),
            Verdict::Rejected {
                category,
                status,
                entity,
                ..
            } => match entity {
                Some(e) => format!("{category}:{status}:{e}"),
                None => format!("{category}:{status}"),
            },
        }
    }
}

/// One claim as the 277CA reports it.
#[derive(Debug, Clone)]
pub(crate) struct Acknowledged {
    pub(crate) patient_control_number: String,
    pub(crate) patient: Name,
    pub(crate) member_id: Phi<String>,
    pub(crate) provider: Provider,
    pub(crate) charge: i64,
    pub(crate) service: Option<(Date, Date)>,
    pub(crate) bill_type: Option<String>,
    pub(crate) verdict: Verdict,
}

/// Who answers and who is answered.
#[derive(Debug, Clone)]
pub(crate) struct Parties<'a> {
    /// The clearinghouse (name, id).
    pub(crate) source: (&'a str, &'a str),
    /// The 837 submitter (1000A name, id).
    pub(crate) submitter: (&'a str, &'a str),
    /// The 837's BHT03.
    pub(crate) batch_reference: &'a str,
}

fn org(role: &str, name: &str, qualifier: &str, id: &str) -> Entity {
    Entity {
        role: role.into(),
        entity_type: EntityType::Organization,
        last_name: Phi::from(name),
        first_name: None,
        middle_name: None,
        suffix: None,
        id_qualifier: Some(qualifier.into()),
        id: Some(Phi::from(id)),
    }
}

fn status(
    category: &str,
    code: &str,
    entity: Option<&str>,
    day: Date,
    action: &str,
    charge: i64,
) -> StatusInfo {
    StatusInfo {
        category: category.into(),
        status: code.into(),
        entity: entity.map(Into::into),
        date: Some(day),
        action: Some(action.into()),
        charge: Some(Amount::from_cents(charge)),
        message: None,
    }
}

fn level(hl: String, entity: Entity, trace: &str) -> StatusLevel {
    StatusLevel {
        hl_id: hl,
        entity: Some(entity),
        trace_number: Some(trace.into()),
        statuses: Vec::new(),
        references: Vec::new(),
        dates: Vec::new(),
        quantities: Vec::new(),
        amounts: Vec::new(),
    }
}

/// Accepted and rejected counts and totals of some claims.
fn tally<'a>(claims: impl Iterator<Item = &'a Acknowledged>) -> (i64, i64, i64, i64) {
    claims.fold((0, 0, 0, 0), |(n_ok, ok, n_bad, bad), c| match c.verdict {
        Verdict::Accepted(_) => (n_ok + 1, ok + c.charge, n_bad, bad),
        Verdict::Rejected { .. } => (n_ok, ok, n_bad + 1, bad + c.charge),
    })
}

fn counted(level: &mut StatusLevel, claims: &[&Acknowledged], qualifiers: [&str; 2], day: Date) {
    let (n_ok, ok, n_bad, bad) = tally(claims.iter().copied());
    level.statuses = vec![status("A1", "19", Some("PR"), day, "WQ", ok + bad)];
    level.quantities = vec![
        (qualifiers[0].to_owned(), Quantity::from_units(n_ok)),
        (qualifiers[1].to_owned(), Quantity::from_units(n_bad)),
    ];
    level.amounts = vec![
        ("YU".to_owned(), Amount::from_cents(ok)),
        ("YY".to_owned(), Amount::from_cents(bad)),
    ];
}

/// The 277CA (ST02 `control`, BHT03 `reference`) for the claims of one 837
/// transaction set.
pub(crate) fn acknowledgment(
    control: &str,
    reference: &str,
    parties: &Parties<'_>,
    day: Date,
    claims: &[Acknowledged],
) -> ClaimAcknowledgment {
    let mut source = level(
        "1".into(),
        org("AY", parties.source.0, "46", parties.source.1),
        reference,
    );
    source.dates = ["050", "009"]
        .iter()
        .map(|q| DateRef {
            qualifier: (*q).into(),
            date: day,
            end: None,
        })
        .collect();
    let mut receiver = level(
        "2".into(),
        org("41", parties.submitter.0, "46", parties.submitter.1),
        parties.batch_reference,
    );
    let all: Vec<&Acknowledged> = claims.iter().collect();
    counted(&mut receiver, &all, ["90", "AA"], day);
    // Billing providers in order of first appearance; claims grouped under them.
    let mut npis: Vec<&Provider> = Vec::new();
    for c in claims {
        if !npis.iter().any(|p| p.npi == c.provider.npi) {
            npis.push(&c.provider);
        }
    }
    let mut providers = Vec::with_capacity(npis.len());
    let mut reports = Vec::with_capacity(claims.len());
    for (n, provider) in npis.iter().enumerate() {
        let hl = (n + 3).to_string();
        let mine: Vec<&Acknowledged> = claims
            .iter()
            .filter(|c| c.provider.npi == provider.npi)
            .collect();
        let mut p = level(
            hl.clone(),
            org("85", &provider.name, "XX", &provider.npi),
            "0",
        );
        counted(&mut p, &mine, ["QA", "QC"], day);
        providers.push(p);
        reports.extend(mine.into_iter().map(|c| report(c, &hl, day)));
    }
    ClaimAcknowledgment {
        control_number: control.into(),
        reference_id: reference.into(),
        created: day,
        information_source: source,
        information_receiver: Some(receiver),
        providers,
        claims: reports,
    }
}

fn report(c: &Acknowledged, provider_hl: &str, day: Date) -> ClaimStatusReport {
    let (stc, number) = match &c.verdict {
        Verdict::Accepted(number) => (
            status("A2", "20", Some("PR"), day, "WQ", c.charge),
            Some(number.clone()),
        ),
        Verdict::Rejected {
            category,
            status: code,
            entity,
            message,
        } => {
            let mut s = status(category, code, *entity, day, "U", c.charge);
            s.message = Some(message.clone());
            (s, None)
        }
    };
    let patient = Entity {
        role: "QC".into(),
        entity_type: EntityType::Person,
        last_name: Phi::from(c.patient.last.expose().as_str()),
        first_name: c
            .patient
            .first
            .as_ref()
            .map(|f| Phi::from(f.expose().as_str())),
        middle_name: None,
        suffix: None,
        id_qualifier: Some("MI".into()),
        id: Some(Phi::from(c.member_id.expose().as_str())),
    };
    ClaimStatusReport {
        provider_hl_id: Some(provider_hl.into()),
        patient: Some(patient),
        patient_control_number: c.patient_control_number.clone(),
        disposition: Disposition::from_category(&stc.category),
        statuses: vec![stc],
        payer_claim_control_number: number,
        clearinghouse_trace_number: None,
        bill_type: c.bill_type.clone(),
        references: Vec::new(),
        service_dates: c.service.map(|(from, to)| DateRef {
            qualifier: "472".into(),
            date: from,
            end: (to != from).then_some(to),
        }),
        lines: Vec::new(),
    }
}
