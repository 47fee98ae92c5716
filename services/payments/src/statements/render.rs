//! A statement laid out as text (what is stored and returned) and as a PDF
//! of that text: US Letter pages, the standard Type 1 font Helvetica (no
//! font embedded) with WinAnsi encoding, written with `pdf-writer`.

use medbill_kernel::{CalendarDate, Money};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

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

/// Points: US Letter, 3/4-inch margins, 9 pt text on 13 pt lines (52 a
/// page).
const PAGE_WIDTH: f32 = 612.0;
const PAGE_HEIGHT: f32 = 792.0;
const MARGIN: f32 = 54.0;
const FONT_SIZE: f32 = 9.0;
const LEADING: f32 = 13.0;
/// Characters per printed line; longer text lines wrap at a space.
const WRAP: usize = 110;

/// `text` laid out as a PDF: each line of text a line of Helvetica, long
/// lines wrapped, as many pages as it takes.
pub fn pdf(text: &str) -> Vec<u8> {
    let lines: Vec<String> = text.lines().flat_map(|l| wrap(l, WRAP)).collect();
    let per_page = ((PAGE_HEIGHT - 2.0 * MARGIN) / LEADING).floor().max(1.0) as usize;
    let pages: Vec<&[String]> = if lines.is_empty() {
        vec![&[][..]]
    } else {
        lines.chunks(per_page).collect()
    };
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let font_id = Ref::new(3);
    let font_name = Name(b"F1");
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(4 + 2 * i as i32))
        .collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(font_id)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    for (page_lines, page_id) in pages.iter().zip(&page_ids) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree_id);
        page.contents(content_id);
        page.resources().fonts().pair(font_name, font_id);
        page.finish();
        let mut content = Content::new();
        content.begin_text();
        content.set_font(font_name, FONT_SIZE);
        content.set_leading(LEADING);
        content.next_line(MARGIN, PAGE_HEIGHT - MARGIN);
        for line in page_lines.iter() {
            content.show(Str(&win_ansi(line)));
            content.next_line_using_leading();
        }
        content.end_text();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

/// `line` cut at spaces into pieces of at most `width` characters (a word
/// longer than that is cut where it must be).
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in line.split(' ') {
        let extra = if current.is_empty() { 0 } else { 1 };
        if !current.is_empty() && current.chars().count() + extra + word.chars().count() > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        while current.chars().count() > width {
            let head: String = current.chars().take(width).collect();
            current = current.chars().skip(width).collect();
            out.push(head);
        }
    }
    out.push(current);
    out
}

/// `text` in WinAnsi (Windows-1252) bytes: printable ASCII as is, Latin-1
/// letters by their code, anything else as `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c as u32 {
            0x20..=0x7E | 0xA0..=0xFF => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_and_nothing_is_lost() {
        let line = "aaa bbb ccc ddd";
        assert_eq!(wrap(line, 7), vec!["aaa bbb", "ccc ddd"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
    }

    #[test]
    fn text_outside_win_ansi_prints_as_a_question_mark() {
        assert_eq!(win_ansi("Ren\u{e9} \u{2603}"), b"Ren\xe9 ?".to_vec());
    }

    #[test]
    fn a_pdf_names_helvetica_with_win_ansi_and_takes_as_many_pages_as_its_lines_need() {
        let text: String = (0..60).map(|i| format!("line {i}\n")).collect();
        let bytes = pdf(&text);
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.starts_with("%PDF-"));
        assert!(raw.contains("/BaseFont /Helvetica"));
        assert!(raw.contains("/WinAnsiEncoding"));
        assert!(raw.contains("/Count 2"));
        assert!(raw.contains("(line 59)"));
    }
}
