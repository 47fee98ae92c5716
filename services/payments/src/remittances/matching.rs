//! Which claim line each service line of a claim payment pays: first by the
//! REF*6R line control number we sent, else by procedure (the submitted code
//! when the payer changed or bundled it; an institutional line may come back
//! as its revenue code), modifiers and date of service. A
//! payer that dropped a modifier still matches the line that carries the
//! rest; a line the payer split into several SVCs matches the same claim
//! line each time. Lines not yet paid are preferred, so two identical lines
//! pay two claim lines.

use super::domain::ServicePayment;
use crate::claims::domain::ClaimLine;

/// A service line that matches no claim line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineNotFound {
    /// What was looked for, in words.
    pub detail: String,
}

/// The claim line number each of `services` pays, in order.
pub fn match_lines(
    lines: &[ClaimLine],
    services: &[ServicePayment],
) -> Result<Vec<u32>, LineNotFound> {
    let mut used = vec![false; lines.len()];
    let mut matched = Vec::with_capacity(services.len());
    for service in services {
        let index = by_control_number(lines, service)
            .or_else(|| by_procedure(lines, service, &used))
            .ok_or_else(|| LineNotFound {
                detail: describe(service),
            })?;
        if let Some(slot) = used.get_mut(index) {
            *slot = true;
        }
        if let Some(line) = lines.get(index) {
            matched.push(line.line_number);
        }
    }
    Ok(matched)
}

fn by_control_number(lines: &[ClaimLine], service: &ServicePayment) -> Option<usize> {
    let wanted = service.line_control_number.as_deref()?;
    lines.iter().position(|l| l.line_control_number == wanted)
}

/// How well a claim line fits a service line by procedure: exact modifiers
/// beat a line from which the payer dropped modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    DroppedModifier,
    Exact,
}

fn by_procedure(lines: &[ClaimLine], service: &ServicePayment, used: &[bool]) -> Option<usize> {
    let code = service
        .submitted_code
        .as_deref()
        .unwrap_or(&service.procedure_code);
    let candidates = lines.iter().enumerate().filter_map(|(i, line)| {
        if line.procedure_code != code && line.revenue_code != code {
            return None;
        }
        if service
            .date_of_service
            .is_some_and(|d| d != line.date_of_service)
        {
            return None;
        }
        let fit = if line.modifiers == service.modifiers {
            Fit::Exact
        } else if service.modifiers.iter().all(|m| line.modifiers.contains(m)) {
            Fit::DroppedModifier
        } else {
            return None;
        };
        let unused = !used.get(i).copied().unwrap_or(false);
        // Best: exact, then unpaid, then the earliest line.
        Some(((fit, unused), std::cmp::Reverse(i), i))
    });
    candidates.max().map(|(_, _, i)| i)
}

fn describe(service: &ServicePayment) -> String {
    let mut text = format!(
        "SVC at segment {}: {}",
        service.segment, service.procedure_code
    );
    if !service.modifiers.is_empty() {
        text.push_str(&format!(" modifiers {}", service.modifiers.join(",")));
    }
    if let Some(date) = service.date_of_service {
        text.push_str(&format!(" on {date}"));
    }
    if let Some(control) = &service.line_control_number {
        text.push_str(&format!(" (REF*6R {control})"));
    }
    text
}

#[cfg(test)]
mod tests {
    use medbill_kernel::{CalendarDate, Money};

    use super::*;

    fn day(d: u32) -> CalendarDate {
        CalendarDate::from_ymd(2026, 10, d).unwrap()
    }

    fn line(n: u32, code: &str, modifiers: &[&str], d: u32) -> ClaimLine {
        ClaimLine {
            line_number: n,
            line_control_number: format!("L{n}"),
            procedure_code: code.into(),
            revenue_code: String::new(),
            modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
            units: 1,
            charge: Money::from_cents(100),
            date_of_service: day(d),
        }
    }

    fn svc(
        control: Option<&str>,
        code: &str,
        modifiers: &[&str],
        d: Option<u32>,
    ) -> ServicePayment {
        ServicePayment {
            line_control_number: control.map(str::to_string),
            procedure_code: code.into(),
            submitted_code: None,
            modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
            charge: Money::ZERO,
            paid: Money::ZERO,
            units: 0,
            date_of_service: d.map(day),
            adjustments: vec![],
            remark_codes: vec![],
            segment: 30,
        }
    }

    #[test]
    fn the_line_control_number_wins_over_the_procedure() {
        let lines = [line(1, "99213", &[], 1), line(2, "99213", &[], 1)];
        let matched = match_lines(&lines, &[svc(Some("L2"), "99213", &[], Some(1))]).unwrap();
        assert_eq!(matched, vec![2]);
    }

    #[test]
    fn a_payer_that_dropped_a_modifier_still_matches_the_line() {
        let lines = [line(1, "99213", &["25"], 1), line(2, "20610", &["RT"], 1)];
        let matched = match_lines(&lines, &[svc(None, "99213", &[], Some(1))]).unwrap();
        assert_eq!(matched, vec![1]);
    }

    #[test]
    fn identical_lines_pay_different_claim_lines_and_a_split_line_pays_one_line_twice() {
        let lines = [line(1, "97110", &["GP"], 3), line(2, "97110", &["GP"], 3)];
        let two = [
            svc(None, "97110", &["GP"], Some(3)),
            svc(None, "97110", &["GP"], Some(3)),
        ];
        assert_eq!(match_lines(&lines, &two).unwrap(), vec![1, 2]);
        let single = [line(1, "97110", &["GP"], 3)];
        assert_eq!(match_lines(&single, &two).unwrap(), vec![1, 1]);
    }

    #[test]
    fn a_bundled_line_matches_by_its_submitted_code() {
        let lines = [line(1, "80053", &[], 1)];
        let mut bundled = svc(None, "80050", &[], Some(1));
        bundled.submitted_code = Some("80053".into());
        assert_eq!(match_lines(&lines, &[bundled]).unwrap(), vec![1]);
    }

    #[test]
    fn an_institutional_line_returned_by_its_revenue_code_matches() {
        let mut room = line(1, "", &[], 1);
        room.revenue_code = "0450".into();
        let lines = [line(2, "99284", &[], 1), room];
        assert_eq!(
            match_lines(&lines, &[svc(None, "0450", &[], Some(1))]).unwrap(),
            vec![1]
        );
    }

    #[test]
    fn a_line_on_another_day_or_with_an_unknown_modifier_is_not_found() {
        let lines = [line(1, "99213", &["25"], 1)];
        let err = match_lines(&lines, &[svc(None, "99213", &["25"], Some(2))]).unwrap_err();
        assert_eq!(
            err.detail,
            "SVC at segment 30: 99213 modifiers 25 on 2026-10-02"
        );
        assert!(match_lines(&lines, &[svc(None, "99213", &["59"], Some(1))]).is_err());
    }
}
