//! A statement laid out as text (what is stored and returned) and as a PDF
//! of that text: US Letter pages, the standard Type 1 font Helvetica (no
//! font embedded) with WinAnsi encoding (`medbill_platform::pdf`).

use medbill_kernel::{CalendarDate, Money};
use medbill_platform::pdf::{Align, Line, render};

use super::domain::Figures;
use crate::reporting::domain::Buckets;

/// One claim as a statement prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedLine {
    /// The claim.
    pub claim_id: String,
    /// Its first date of service.
    pub date_of_service: CalendarDate,
    /// Its procedure codes.
    pub description: String,
    /// Gross charges.
    pub charges: Money,
    /// Paid by insurance.
    pub insurance_paid: Money,
    /// Adjusted.
    pub adjustments: Money,
    /// Paid by the guarantor.
    pub patient_paid: Money,
    /// Owed by the guarantor.
    pub patient_due: Money,
}

/// Everything a statement prints (patient data: never logged).
#[derive(Clone)]
pub struct Printed<'a> {
    /// The statement's id.
    pub statement_id: &'a str,
    /// The guarantor account.
    pub account_id: &'a str,
    /// Guarantor's name as printed.
    pub guarantor: &'a str,
    /// Address lines as printed.
    pub address: &'a [String],
    /// Statement date.
    pub statement_date: CalendarDate,
    /// Due date.
    pub due_date: CalendarDate,
    /// Dunning cycle.
    pub cycle: u32,
    /// Whether it is the final notice.
    pub final_notice: bool,
    /// The dunning message.
    pub message: &'a str,
    /// Summary figures.
    pub figures: Figures,
    /// The amount due by age of service.
    pub aging: Buckets,
    /// One line per claim.
    pub lines: &'a [PrintedLine],
}

/// The statement as text, one line per `\n`.
pub fn text(s: &Printed<'_>) -> String {
    let mut out: Vec<String> = Vec::new();
    let title = if s.final_notice {
        "PATIENT STATEMENT - FINAL NOTICE".to_string()
    } else {
        format!("PATIENT STATEMENT - NOTICE {}", s.cycle)
    };
    out.push(title);
    out.push(format!("Statement date: {}", s.statement_date));
    out.push(format!("Statement: {}", s.statement_id));
    out.push(format!("Account: {}", s.account_id));
    out.push(String::new());
    out.push(s.guarantor.to_string());
    out.extend(s.address.iter().filter(|l| !l.is_empty()).cloned());
    out.push(String::new());
    out.push(format!(
        "{:<10}  {:<14}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}",
        "Service", "Codes", "Charges", "Ins. paid", "Adjusted", "You paid", "You owe"
    ));
    for l in s.lines {
        out.push(format!(
            "{:<10}  {:<14}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}",
            l.date_of_service.to_string(),
            truncate(&l.description, 14),
            l.charges.to_string(),
            l.insurance_paid.to_string(),
            l.adjustments.to_string(),
            l.patient_paid.to_string(),
            l.patient_due.to_string()
        ));
    }
    out.push(String::new());
    let f = &s.figures;
    out.push(format!("Previous balance: {}", f.previous_balance));
    out.push(format!("New charges: {}", f.new_charges));
    out.push(format!("Payments: {}", f.payments));
    out.push(format!("Adjustments: {}", f.adjustments));
    out.push(format!("Balance due: {}", f.amount_due));
    out.push(format!("Please pay by: {}", s.due_date));
    out.push(String::new());
    out.push("Balance by days since service:".to_string());
    let labels = [
        "0-30 days",
        "31-60 days",
        "61-90 days",
        "91-120 days",
        "121+ days",
    ];
    for (label, amount) in labels.iter().zip(s.aging.0) {
        out.push(format!("  {label}: {amount}"));
    }
    out.push(String::new());
    out.push(s.message.to_string());
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn truncate(text: &str, width: usize) -> String {
    text.chars().take(width).collect()
}

/// Cells of a claim table row in the text (columns are separated by two or
/// more spaces): the date and codes start at their column, the five
/// amounts end at theirs, so the proportional font keeps them aligned.
const TABLE_COLUMNS: usize = 7;
/// Left edges of the first two columns, right edges of the five amounts.
const COLUMN_X: [f32; TABLE_COLUMNS] = [54.0, 118.0, 290.0, 360.0, 430.0, 494.0, 558.0];

/// `text` laid out as a PDF: each line of text a line of the page, the
/// claim table's rows in aligned columns.
pub fn pdf(text: &str) -> Vec<u8> {
    let lines: Vec<Line> = text
        .lines()
        .map(|l| match table_cells(l) {
            Some(cells) => Line::Cells(
                cells
                    .iter()
                    .enumerate()
                    .map(|(column, cell)| {
                        let align = if column < 2 {
                            Align::Left
                        } else {
                            Align::Right
                        };
                        (COLUMN_X[column], align, cell.to_string())
                    })
                    .collect(),
            ),
            None => Line::Text(l.to_string()),
        })
        .collect();
    render(&lines)
}

/// The cells of a claim table row (or its header): seven cells separated
/// by two or more spaces, the third to seventh money or a header word.
fn table_cells(line: &str) -> Option<Vec<&str>> {
    let cells: Vec<&str> = line
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    (cells.len() == TABLE_COLUMNS && !line.starts_with(' ')).then_some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_row_splits_into_seven_cells_and_amounts_end_on_their_column() {
        let row = "2026-10-01  99213                $100.00        $50.00        $20.00         $0.00        $30.00";
        let cells = table_cells(row).unwrap();
        assert_eq!(cells[1], "99213");
        assert_eq!(cells[6], "$30.00");
        assert!(table_cells("Balance due: $30.00").is_none());
        let bytes = pdf(&format!("{row}\nBalance due: $30.00\n"));
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.contains("($30.00) Tj"));
        assert!(raw.contains("(Balance due: $30.00) Tj"));
    }
}
