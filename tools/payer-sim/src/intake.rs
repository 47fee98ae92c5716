//! Taking in an 837 file: the 999 for each interchange (from `medbill_x12`
//! validation of the file, each set also read on its own), then, for every
//! set the 999 accepted, the 277CA: each claim checked at the front end
//! (payer served, member enrolled, totals adding up, a replacement or void
//! naming a claim on file) and either accepted for adjudication, with its
//! payer claim control number, or rejected.

use medbill_kernel::CalendarDate;
use medbill_x12::claim::ClaimBatch;
use medbill_x12::cli::validate;
use medbill_x12::institutional::{self, InstitutionalClaim};
use medbill_x12::professional::{self, ProfessionalClaim};
use medbill_x12::{Date, Phi, Severity};

use crate::ack999::{Problem, acknowledge};
use crate::claim::{Frequency, Name, Provider, SubmittedClaim, Unreadable};
use crate::claim_ack::{Acknowledged, Parties, Verdict, acknowledgment};
use crate::desk::{Desk, Output};
use crate::envelope::{file_name, params};
use crate::error::SimError;
use crate::record::{ClaimRecord, ClaimState, RejectedClaim, ReturnAddress};
use crate::scan::{Group, Interchange, TransactionSet};

/// What taking in one 837 file did.
#[derive(Debug, Default)]
pub(crate) struct Intake {
    pub(crate) outputs: Vec<Output>,
    pub(crate) accepted: u32,
    pub(crate) rejected: u32,
    pub(crate) sets_rejected: u32,
}

/// The claims of one set, whichever kind.
enum Claims {
    Professional(Vec<ClaimBatch<ProfessionalClaim>>),
    Institutional(Vec<ClaimBatch<InstitutionalClaim>>),
}

/// A set the simulator does not take: its problems and IK502 codes.
type Refusal = (Vec<Problem>, Vec<String>);

/// Answers an 837 file whose interchanges are `interchanges`.
pub(crate) fn take_claims(
    desk: &mut Desk<'_>,
    bytes: &[u8],
    interchanges: &[Interchange],
) -> Result<Intake, SimError> {
    let problems: Vec<Problem> = validate(bytes)
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(Problem::from)
        .collect();
    let mut intake = Intake::default();
    for interchange in interchanges.iter().filter(|i| !i.groups.is_empty()) {
        let to = ReturnAddress {
            qualifier: interchange.header.sender_qualifier.clone(),
            id: interchange.header.sender_id.clone(),
            test: interchange.is_test(),
        };
        let mut refused = Vec::new();
        let mut read = Vec::new();
        for (g, group) in interchange.groups.iter().enumerate() {
            for (s, set) in group.sets.iter().enumerate() {
                let found = problems
                    .iter()
                    .any(|p| (set.first..=set.last).contains(&p.location.segment_index));
                if found {
                    continue;
                }
                match read_set(interchange, group, set) {
                    Ok(claims) => read.push((g, s, claims)),
                    Err((list, codes)) => refused.push((g, s, list, codes)),
                }
            }
        }
        let verdicts = acknowledge(interchange, &problems, &refused);
        let control = desk.record.next_interchange();
        let acks: Vec<_> = verdicts.iter().map(|v| v.ack.clone()).collect();
        let config = desk.config;
        let ack_params = params(
            &config.clearinghouse.id,
            &to,
            control,
            desk.today,
            &config.time,
        );
        let content =
            medbill_x12::ack::write_999(&ack_params, &acks).map_err(SimError::write("999"))?;
        intake.outputs.push(Output {
            name: file_name(control, "999", "x12"),
            content,
        });
        intake.sets_rejected += verdicts
            .iter()
            .flat_map(|v| &v.accepted)
            .filter(|a| !**a)
            .count() as u32;
        let accepted: Vec<&Claims> = read
            .iter()
            .filter(|(g, s, _)| verdicts[*g].accepted.get(*s).copied().unwrap_or(false))
            .map(|(_, _, claims)| claims)
            .collect();
        if accepted.is_empty() {
            continue;
        }
        let control = desk.record.next_interchange();
        let mut claim_acks = Vec::new();
        for claims in accepted {
            for (reference, submitter, arrived) in batches(claims) {
                let mut reports = Vec::with_capacity(arrived.len());
                for a in arrived {
                    let verdict = front_end(desk, &a.claim);
                    match &verdict {
                        Verdict::Accepted(number) => {
                            intake.accepted += 1;
                            if let Ok(claim) = &a.claim {
                                accept(desk, claim, number, &to);
                            }
                        }
                        Verdict::Rejected { message, .. } => {
                            intake.rejected += 1;
                            desk.record.rejected_claims.push(RejectedClaim {
                                patient_control_number: a.patient_control_number.clone(),
                                payer_id: a.payer_id.clone(),
                                status: verdict.code(),
                                message: message.clone(),
                                rejected_on: desk.today,
                            });
                        }
                    }
                    reports.push(Acknowledged {
                        patient_control_number: a.patient_control_number,
                        patient: a.patient,
                        member_id: a.member_id,
                        provider: a.provider,
                        charge: a.charge,
                        service: a.service,
                        bill_type: a.bill_type,
                        verdict,
                    });
                }
                let n = claim_acks.len() + 1;
                let parties = Parties {
                    source: (&config.clearinghouse.name, &config.clearinghouse.id),
                    submitter: (&submitter.0, &submitter.1),
                    batch_reference: &reference,
                };
                claim_acks.push(acknowledgment(
                    &format!("{n:04}"),
                    &format!("277CA-{control:09}-{n}"),
                    &parties,
                    Date::from(desk.today),
                    &reports,
                ));
            }
        }
        let ack_params = params(
            &config.clearinghouse.id,
            &to,
            control,
            desk.today,
            &config.time,
        );
        let content = medbill_x12::claim_ack::write_277ca(&ack_params, &claim_acks)
            .map_err(SimError::write("277CA"))?;
        intake.outputs.push(Output {
            name: file_name(control, "277CA", "x12"),
            content,
        });
    }
    Ok(intake)
}

/// Reads one set in an interchange of its own.
fn read_set(
    interchange: &Interchange,
    group: &Group,
    set: &TransactionSet,
) -> Result<Claims, Refusal> {
    let bytes = interchange.single_set(group, set);
    // In the single-set file the ST is segment 3.
    let offset = isize::try_from(set.first).unwrap_or(isize::MAX) - 3;
    let refuse = |e: medbill_x12::X12Error| (vec![Problem::of_error(&e, offset)], Vec::new());
    match (set.id.as_str(), set.version.as_str()) {
        ("837", professional::VERSION) => professional::read_837p(&bytes)
            .map(Claims::Professional)
            .map_err(refuse),
        ("837", institutional::VERSION) => institutional::read_837i(&bytes)
            .map(Claims::Institutional)
            .map_err(refuse),
        // An 837 of another guide (dental, ...): convention not supported.
        ("837", _) => Err((Vec::new(), vec!["I6".into()])),
        _ => Err((Vec::new(), vec!["1".into()])),
    }
}

/// A claim as it arrived, with what its 277CA repeats even when it could
/// not be taken in.
struct Arrived {
    patient_control_number: String,
    payer_id: String,
    patient: Name,
    member_id: Phi<String>,
    provider: Provider,
    charge: i64,
    service: Option<(Date, Date)>,
    bill_type: Option<String>,
    claim: Result<SubmittedClaim, Unreadable>,
}

type Batch = (String, (String, String), Vec<Arrived>);

fn batches(claims: &Claims) -> Vec<Batch> {
    fn header<C>(b: &ClaimBatch<C>) -> (String, (String, String)) {
        (
            b.reference_id.clone(),
            (b.submitter.name.clone(), b.submitter.id.clone()),
        )
    }
    let name = |n: &medbill_x12::claim::PersonName| Name {
        last: n.last.clone(),
        first: n.first.clone(),
    };
    match claims {
        Claims::Professional(list) => list
            .iter()
            .map(|b| {
                let (reference, submitter) = header(b);
                let arrived = b
                    .claims
                    .iter()
                    .map(|c| {
                        let dates = c.lines.iter().map(|l| l.service_date);
                        Arrived {
                            patient_control_number: c.patient_control_number.clone(),
                            payer_id: c.payer.id.clone(),
                            patient: name(
                                c.patient.as_ref().map_or(&c.subscriber.name, |p| &p.name),
                            ),
                            member_id: c.subscriber.member_id.clone(),
                            provider: Provider {
                                name: c.billing_provider.name.clone(),
                                npi: c.billing_provider.npi.clone(),
                            },
                            charge: c.total_charge.cents(),
                            service: dates.clone().min().zip(dates.max()),
                            bill_type: None,
                            claim: SubmittedClaim::from_professional(c),
                        }
                    })
                    .collect();
                (reference, submitter, arrived)
            })
            .collect(),
        Claims::Institutional(list) => list
            .iter()
            .map(|b| {
                let (reference, submitter) = header(b);
                let arrived = b
                    .claims
                    .iter()
                    .map(|c| Arrived {
                        patient_control_number: c.patient_control_number.clone(),
                        payer_id: c.payer.id.clone(),
                        patient: name(c.patient.as_ref().map_or(&c.subscriber.name, |p| &p.name)),
                        member_id: c.subscriber.member_id.clone(),
                        provider: Provider {
                            name: c.billing_provider.name.clone(),
                            npi: c.billing_provider.npi.clone(),
                        },
                        charge: c.total_charge.cents(),
                        service: Some((c.statement_from, c.statement_to)),
                        bill_type: Some(format!("{}{}", c.facility_type, c.frequency.code())),
                        claim: SubmittedClaim::from_institutional(c),
                    })
                    .collect();
                (reference, submitter, arrived)
            })
            .collect(),
    }
}

fn rejected(
    category: &'static str,
    status: &'static str,
    entity: Option<&'static str>,
    message: &str,
) -> Verdict {
    Verdict::Rejected {
        category,
        status,
        entity,
        message: message.into(),
    }
}

/// The front end's checks, in order; an accepted claim gets its payer
/// claim control number (not yet recorded: see [`accept`]).
fn front_end(desk: &mut Desk<'_>, claim: &Result<SubmittedClaim, Unreadable>) -> Verdict {
    let claim = match claim {
        Ok(claim) => claim,
        Err(u) => return rejected("A7", u.status, None, &u.message),
    };
    let config = desk.config;
    if config.payer(&claim.payer_id).is_none() {
        return rejected(
            "A3",
            "116",
            Some("PR"),
            "PAYER NOT SERVED BY THIS CLEARINGHOUSE",
        );
    }
    if config
        .member(&claim.payer_id, claim.member_id.expose())
        .is_none()
    {
        return rejected("A7", "164", Some("IL"), "SUBSCRIBER MEMBER ID NOT FOUND");
    }
    if claim.total_charge != claim.line_charges() {
        return rejected(
            "A7",
            "178",
            None,
            "CLAIM TOTAL DIFFERS FROM THE SUM OF THE LINE CHARGES",
        );
    }
    if claim.frequency != Frequency::Original {
        let Some(number) = &claim.replaces else {
            return rejected(
                "A6",
                "21",
                None,
                "PAYER CLAIM CONTROL NUMBER (REF F8) MISSING",
            );
        };
        let Some(original) = desk.record.claim_by_number(&claim.payer_id, number) else {
            return rejected("A7", "21", None, "REF F8 NAMES NO CLAIM ON FILE");
        };
        if desk.record.claims[original].superseded_by.is_some() {
            return rejected(
                "A7",
                "21",
                None,
                "REF F8 NAMES A CLAIM ALREADY REPLACED OR VOIDED",
            );
        }
    }
    let today = desk.today;
    let sequence = desk.record.next_claim();
    Verdict::Accepted(format!(
        "{}{:02}{:02}{:02}{sequence:07}",
        claim.payer_id,
        today.year() % 100,
        today.month(),
        today.day()
    ))
}

/// Records an accepted claim as pending; a replacement or void supersedes
/// the claim it names at once (a pending one is then never paid; an
/// adjudicated one is reversed when this claim is adjudicated).
fn accept(desk: &mut Desk<'_>, claim: &SubmittedClaim, number: &str, to: &ReturnAddress) {
    let today = desk.today;
    let due_on = add_days(today, desk.config.adjudication_days);
    let replaced = claim
        .replaces
        .as_ref()
        .filter(|_| claim.frequency != Frequency::Original);
    if let Some(replaced) = replaced
        && let Some(i) = desk.record.claim_by_number(&claim.payer_id, replaced)
    {
        let original = &mut desk.record.claims[i];
        original.superseded_by = Some(number.to_owned());
        if original.state == ClaimState::Pending {
            original.state = ClaimState::Superseded;
        }
    }
    desk.record.claims.push(ClaimRecord {
        payer_claim_number: number.to_owned(),
        claim: claim.clone(),
        return_address: to.clone(),
        received_on: today,
        due_on,
        state: ClaimState::Pending,
        superseded_by: None,
        payments: Vec::new(),
    });
}

/// `day` plus `n` days (unchanged at the end of the calendar's range).
pub(crate) fn add_days(day: CalendarDate, n: u32) -> CalendarDate {
    day.add_days(i64::from(n)).unwrap_or(day)
}
