//! Persistence of adjudications, the CARC table, denials and appeals.

use std::collections::{BTreeMap, HashMap};

use medbill_kernel::{CalendarDate, ClaimId, Money, Timestamp};
use medbill_platform::ServiceError;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use medbill_platform::writes::{Value, Writes};

/// One CARC's root cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarcClass {
    /// Category name (`coding`, `billing`, ..., `contractual`).
    pub category: String,
    /// Who fixes it.
    pub origin: String,
}

/// The newest version of the CARC table, by code.
pub async fn carc_table(
    conn: &mut AnyConnection,
) -> Result<HashMap<String, CarcClass>, ServiceError> {
    let rows = sqlx::query(
        "SELECT carc, category, origin FROM carc_categories \
         WHERE version = (SELECT MAX(version) FROM carc_categories)",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("carc")?,
                CarcClass {
                    category: r.try_get("category")?,
                    origin: r.try_get("origin")?,
                },
            ))
        })
        .collect()
}

/// Records that a remittance adjudicated a claim; `false` when it was
/// recorded before.
#[allow(clippy::too_many_arguments)]
pub async fn record_adjudication(
    conn: &mut AnyConnection,
    remittance_id: &str,
    claim_id: &ClaimId,
    status_code: &str,
    paid: Money,
    patient_responsibility: Money,
    payer_claim_number: &str,
    payment_date: Option<CalendarDate>,
    adjustments: &[CasEntry],
    at: Timestamp,
) -> Result<bool, ServiceError> {
    let inserted = sqlx::query(
        "INSERT INTO adjudications (remittance_id, claim_id, status_code, paid, \
         patient_responsibility, payer_claim_number, payment_date, adjustments, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (remittance_id, claim_id) DO NOTHING",
    )
    .bind(remittance_id)
    .bind(claim_id.as_str())
    .bind(status_code)
    .bind(paid.cents())
    .bind(patient_responsibility.cents())
    .bind(payer_claim_number)
    .bind(payment_date.map(|d| d.to_string()).unwrap_or_default())
    .bind(encode_cas(adjustments))
    .bind(at.to_string())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Adds a remittance's amounts to a claim and to its lines, records the
/// payer's claim number when the claim has none, and records what the
/// payer did with each line: one statement on PostgreSQL.
pub async fn add_payment(
    conn: &mut AnyConnection,
    remittance_id: &str,
    claim_id: &ClaimId,
    amounts: ClaimAmounts<'_>,
    lines: &[LineAdjudication],
) -> Result<(), ServiceError> {
    let mut writes = Writes::new();
    writes.push(
        "UPDATE claims SET paid = paid + ?, patient_responsibility = patient_responsibility + ?, \
         payer_claim_number = CASE WHEN ? <> '' THEN ? ELSE payer_claim_number END \
         WHERE claim_id = ?",
        vec![
            amounts.paid.cents().into(),
            amounts.patient_responsibility.cents().into(),
            amounts.payer_claim_number.into(),
            amounts.payer_claim_number.into(),
            claim_id.as_str().into(),
        ],
    );
    // A line the remittance names twice gets both amounts.
    let mut per_line: BTreeMap<u32, i64> = BTreeMap::new();
    for line in lines {
        *per_line.entry(line.line_number).or_default() += line.paid.cents();
    }
    if !per_line.is_empty() {
        let mut values: Vec<Value> = Vec::with_capacity(per_line.len() * 3 + 1);
        for (number, cents) in &per_line {
            values.push(i64::from(*number).into());
            values.push((*cents).into());
        }
        values.push(claim_id.as_str().into());
        values.extend(per_line.keys().map(|n| Value::from(i64::from(*n))));
        writes.push(
            format!(
                "UPDATE claim_lines SET paid = paid + CASE line_number {} END \
                 WHERE claim_id = ? AND line_number IN ({})",
                vec!["WHEN ? THEN ?"; per_line.len()].join(" "),
                vec!["?"; per_line.len()].join(", ")
            ),
            values,
        );
    }
    writes.insert_rows(
        "adjudication_lines",
        "remittance_id, claim_id, line_number, paid, paid_units, adjustments",
        lines
            .iter()
            .map(|line| {
                vec![
                    remittance_id.into(),
                    claim_id.as_str().into(),
                    i64::from(line.line_number).into(),
                    line.paid.cents().into(),
                    i64::from(line.paid_units).into(),
                    encode_cas(&line.adjustments).into(),
                ]
            })
            .collect(),
    );
    writes.run(conn).await.map(drop)
}

/// What a remittance says of a claim as a whole.
#[derive(Debug, Clone, Copy)]
pub struct ClaimAmounts<'a> {
    /// CLP04.
    pub paid: Money,
    /// CLP05.
    pub patient_responsibility: Money,
    /// CLP07, empty when not sent.
    pub payer_claim_number: &'a str,
}

/// One CAS adjustment as billing keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasEntry {
    /// CO, PR, OA, PI or CR.
    pub group: String,
    /// The CARC.
    pub reason: String,
    /// The amount (negative increases payment).
    pub amount: Money,
}

fn encode_cas(entries: &[CasEntry]) -> String {
    entries
        .iter()
        .map(|e| format!("{}:{}:{}", e.group, e.reason, e.amount.cents()))
        .collect::<Vec<_>>()
        .join(",")
}

fn decode_cas(text: &str) -> Result<Vec<CasEntry>, ServiceError> {
    split(text, ',')
        .iter()
        .map(|item| {
            let mut parts = item.splitn(3, ':');
            match (
                parts.next(),
                parts.next(),
                parts.next().and_then(|c| c.parse().ok()),
            ) {
                (Some(group), Some(reason), Some(cents)) => Ok(CasEntry {
                    group: group.to_string(),
                    reason: reason.to_string(),
                    amount: Money::from_cents(cents),
                }),
                _ => Err(ServiceError::Internal(format!(
                    "stored adjustment {item:?} does not parse"
                ))),
            }
        })
        .collect()
}

/// What a payer did with one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAdjudication {
    /// Our LX01.
    pub line_number: u32,
    /// Paid.
    pub paid: Money,
    /// Units paid.
    pub paid_units: u32,
    /// Line CAS.
    pub adjustments: Vec<CasEntry>,
}

/// A payer's adjudication of a claim, as a secondary claim reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayerAdjudication {
    /// The remittance.
    pub remittance_id: String,
    /// CLP02.
    pub status_code: String,
    /// CLP04.
    pub paid: Money,
    /// The payment's date (BPR16), if sent.
    pub payment_date: Option<CalendarDate>,
    /// Claim-level CAS.
    pub adjustments: Vec<CasEntry>,
    /// Per line.
    pub lines: Vec<LineAdjudication>,
}

/// The latest adjudication of `claim_id` that is not a reversal.
pub async fn latest_adjudication(
    conn: &mut AnyConnection,
    claim_id: &ClaimId,
) -> Result<Option<PayerAdjudication>, ServiceError> {
    Ok(latest_adjudications(conn, std::slice::from_ref(claim_id))
        .await?
        .remove(claim_id.as_str()))
}

/// Claims read per query by [`latest_adjudications`].
const CLAIMS_PER_QUERY: usize = 400;

/// The latest adjudication that is not a reversal of each of `claim_ids`
/// that has one, by claim id: two queries per [`CLAIMS_PER_QUERY`] claims,
/// whatever their number.
pub async fn latest_adjudications(
    conn: &mut AnyConnection,
    claim_ids: &[ClaimId],
) -> Result<HashMap<String, PayerAdjudication>, ServiceError> {
    let mut latest: HashMap<String, (String, PayerAdjudication)> = HashMap::new();
    let mut lines: HashMap<(String, String), Vec<LineAdjudication>> = HashMap::new();
    for chunk in claim_ids.chunks(CLAIMS_PER_QUERY) {
        let list = medbill_platform::db::placeholders(1, chunk.len());
        let sql = format!(
            "SELECT claim_id, remittance_id, status_code, paid, payment_date, adjustments, \
             received_at FROM adjudications WHERE claim_id IN ({list}) AND status_code <> '22'"
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for r in query.fetch_all(&mut *conn).await? {
            let claim_id: String = r.try_get("claim_id")?;
            let received_at: String = r.try_get("received_at")?;
            let remittance_id: String = r.try_get("remittance_id")?;
            // Latest by time of receipt, then remittance id.
            if let Some((at, known)) = latest.get(&claim_id)
                && (at.as_str(), known.remittance_id.as_str())
                    >= (received_at.as_str(), remittance_id.as_str())
            {
                continue;
            }
            let date: String = r.try_get("payment_date")?;
            let adjudication = PayerAdjudication {
                status_code: r.try_get("status_code")?,
                paid: Money::from_cents(r.try_get("paid")?),
                payment_date: if date.is_empty() {
                    None
                } else {
                    Some(date.parse().map_err(|_| {
                        ServiceError::Internal(format!(
                            "stored adjudication date {date:?} does not parse"
                        ))
                    })?)
                },
                adjustments: decode_cas(&r.try_get::<String, _>("adjustments")?)?,
                lines: Vec::new(),
                remittance_id,
            };
            latest.insert(claim_id, (received_at, adjudication));
        }
        let sql = format!(
            "SELECT claim_id, remittance_id, line_number, paid, paid_units, adjustments \
             FROM adjudication_lines WHERE claim_id IN ({list}) ORDER BY line_number"
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for l in query.fetch_all(&mut *conn).await? {
            let key = (l.try_get("claim_id")?, l.try_get("remittance_id")?);
            lines.entry(key).or_default().push(LineAdjudication {
                line_number: u32::try_from(l.try_get::<i64, _>("line_number")?).unwrap_or(0),
                paid: Money::from_cents(l.try_get("paid")?),
                paid_units: u32::try_from(l.try_get::<i64, _>("paid_units")?).unwrap_or(0),
                adjustments: decode_cas(&l.try_get::<String, _>("adjustments")?)?,
            });
        }
    }
    Ok(latest
        .into_iter()
        .map(|(claim_id, (_, mut adjudication))| {
            adjudication.lines = lines
                .remove(&(claim_id.clone(), adjudication.remittance_id.clone()))
                .unwrap_or_default();
            (claim_id, adjudication)
        })
        .collect())
}

/// A denial work item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// Its id.
    pub denial_id: String,
    /// The claim.
    pub claim_id: ClaimId,
    /// The remittance that denied it.
    pub remittance_id: String,
    /// The line (REF*6R); empty for the whole claim.
    pub line_control_number: String,
    /// Root-cause category.
    pub category: String,
    /// Who fixes it.
    pub origin: String,
    /// open, in_coding_review, appealed, resolved.
    pub status: String,
    /// CARCs.
    pub carc_codes: Vec<String>,
    /// RARCs.
    pub rarc_codes: Vec<String>,
    /// CAS group of the main reason.
    pub group_code: String,
    /// Denied amount.
    pub denied_amount: Money,
    /// The payer.
    pub payer_id: String,
    /// Who works it.
    pub assigned_to: String,
    /// Notes, oldest first.
    pub notes: Vec<String>,
    /// When it was recorded.
    pub denied_at: Timestamp,
    /// The payer's determination date.
    pub determined_on: CalendarDate,
    /// The last day to appeal.
    pub appeal_deadline: CalendarDate,
    /// How it was closed.
    pub resolution: String,
}

fn split(text: &str, on: char) -> Vec<String> {
    text.split(on)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Stores a new denial.
pub async fn insert_denial(conn: &mut AnyConnection, d: &Denial) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO denials (denial_id, claim_id, remittance_id, line_control_number, category, \
         origin, status, carc_codes, rarc_codes, group_code, denied_amount, payer_id, \
         assigned_to, notes, denied_at, determined_on, appeal_deadline, resolution) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(&d.denial_id)
    .bind(d.claim_id.as_str())
    .bind(&d.remittance_id)
    .bind(&d.line_control_number)
    .bind(&d.category)
    .bind(&d.origin)
    .bind(&d.status)
    .bind(d.carc_codes.join(","))
    .bind(d.rarc_codes.join(","))
    .bind(&d.group_code)
    .bind(d.denied_amount.cents())
    .bind(&d.payer_id)
    .bind(&d.assigned_to)
    .bind(d.notes.join("\n"))
    .bind(d.denied_at.to_string())
    .bind(d.determined_on.to_string())
    .bind(d.appeal_deadline.to_string())
    .bind(&d.resolution)
    .execute(conn)
    .await?;
    Ok(())
}

const DENIAL_COLUMNS: &str = "denial_id, claim_id, remittance_id, line_control_number, category, \
    origin, status, carc_codes, rarc_codes, group_code, denied_amount, payer_id, assigned_to, \
    notes, denied_at, determined_on, appeal_deadline, resolution";

fn denial_of(r: &AnyRow) -> Result<Denial, ServiceError> {
    let id: String = r.try_get("denial_id")?;
    let bad = || ServiceError::Internal(format!("stored denial {id} does not parse"));
    let date = |col: &str| -> Result<CalendarDate, ServiceError> {
        r.try_get::<String, _>(col)?.parse().map_err(|_| bad())
    };
    Ok(Denial {
        claim_id: ClaimId::parse(&r.try_get::<String, _>("claim_id")?).map_err(|_| bad())?,
        remittance_id: r.try_get("remittance_id")?,
        line_control_number: r.try_get("line_control_number")?,
        category: r.try_get("category")?,
        origin: r.try_get("origin")?,
        status: r.try_get("status")?,
        carc_codes: split(&r.try_get::<String, _>("carc_codes")?, ','),
        rarc_codes: split(&r.try_get::<String, _>("rarc_codes")?, ','),
        group_code: r.try_get("group_code")?,
        denied_amount: Money::from_cents(r.try_get("denied_amount")?),
        payer_id: r.try_get("payer_id")?,
        assigned_to: r.try_get("assigned_to")?,
        notes: split(&r.try_get::<String, _>("notes")?, '\n'),
        denied_at: Timestamp::parse(&r.try_get::<String, _>("denied_at")?).ok_or_else(bad)?,
        determined_on: date("determined_on")?,
        appeal_deadline: date("appeal_deadline")?,
        resolution: r.try_get("resolution")?,
        denial_id: id.clone(),
    })
}

/// The denial `denial_id`, or `NOT_FOUND`.
///
/// On PostgreSQL the row is held until the transaction ends, so two biller
/// actions on one denial (on one instance or two) take turns and neither
/// overwrites the other's notes.
pub async fn require_denial(
    conn: &mut AnyConnection,
    denial_id: &str,
) -> Result<Denial, ServiceError> {
    let lock = medbill_platform::db::Backend::of_connection(conn).row_lock();
    let row = sqlx::query(&format!(
        "SELECT {DENIAL_COLUMNS} FROM denials WHERE denial_id = $1{lock}"
    ))
    .bind(denial_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref()
        .map(denial_of)
        .transpose()?
        .ok_or_else(|| ServiceError::not_found("denial", denial_id))
}

/// Which denials a work queue shows.
#[derive(Debug, Default)]
pub struct DenialFilter {
    /// Any of these statuses (all when empty).
    pub statuses: Vec<String>,
    /// Any of these categories (all when empty).
    pub categories: Vec<String>,
    /// This origin only.
    pub origin: String,
    /// This payer only.
    pub payer_id: String,
    /// This assignee only.
    pub assigned_to: String,
    /// Recorded before this instant only (RFC 3339; empty for any).
    pub denied_before: String,
    /// At least this many cents.
    pub min_cents: i64,
}

/// Denials matching `filter`, oldest first, after the id `after`.
pub async fn denials(
    conn: &mut AnyConnection,
    f: &DenialFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Denial>, ServiceError> {
    let rows = sqlx::query(&format!(
        "SELECT {DENIAL_COLUMNS} FROM denials \
         WHERE ($1 = '' OR ',' || $1 || ',' LIKE '%,' || status || ',%') \
         AND ($2 = '' OR ',' || $2 || ',' LIKE '%,' || category || ',%') \
         AND ($3 = '' OR origin = $3) AND ($4 = '' OR payer_id = $4) \
         AND ($5 = '' OR assigned_to = $5) AND ($6 = '' OR denied_at < $6) \
         AND denied_amount >= $7 AND denial_id > $8 ORDER BY denial_id LIMIT $9"
    ))
    .bind(f.statuses.join(","))
    .bind(f.categories.join(","))
    .bind(&f.origin)
    .bind(&f.payer_id)
    .bind(&f.assigned_to)
    .bind(&f.denied_before)
    .bind(f.min_cents)
    .bind(after.unwrap_or_default())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(denial_of).collect()
}

/// Rewrites a denial's worked fields (status, assignee, notes, resolution).
pub async fn update_denial(conn: &mut AnyConnection, d: &Denial) -> Result<(), ServiceError> {
    sqlx::query(
        "UPDATE denials SET status = $1, assigned_to = $2, notes = $3, resolution = $4 \
         WHERE denial_id = $5",
    )
    .bind(&d.status)
    .bind(&d.assigned_to)
    .bind(d.notes.join("\n"))
    .bind(&d.resolution)
    .bind(&d.denial_id)
    .execute(conn)
    .await?;
    Ok(())
}
