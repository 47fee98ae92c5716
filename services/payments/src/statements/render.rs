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

/// Cells of a claim table row in the text (columns are separated by two or
/// more spaces): the date and codes start at their column, the five
/// amounts end at theirs, so the proportional font keeps them aligned.
const TABLE_COLUMNS: usize = 7;
/// Left edges of the first two columns, right edges of the five amounts.
const COLUMN_X: [f32; TABLE_COLUMNS] = [54.0, 118.0, 290.0, 360.0, 430.0, 494.0, 558.0];

/// `text` laid out as a PDF: each line of text a line of Helvetica (the
/// claim table's rows in aligned columns), long lines wrapped, as many
/// pages as it takes.
pub fn pdf(text: &str) -> Vec<u8> {
    let lines: Vec<String> = text
        .lines()
        .flat_map(|l| {
            if table_cells(l).is_some() {
                vec![l.to_string()]
            } else {
                wrap(l, WRAP)
            }
        })
        .collect();
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
        for (i, line) in page_lines.iter().enumerate() {
            let y = PAGE_HEIGHT - MARGIN - LEADING * i as f32;
            match table_cells(line) {
                Some(cells) => {
                    for (column, cell) in cells.iter().enumerate() {
                        let x = if column < 2 {
                            COLUMN_X[column]
                        } else {
                            COLUMN_X[column] - width(cell)
                        };
                        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
                        content.show(Str(&win_ansi(cell)));
                    }
                }
                None => {
                    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, MARGIN, y]);
                    content.show(Str(&win_ansi(line)));
                }
            }
        }
        content.end_text();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
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

/// The width in points of `text` in Helvetica at [`FONT_SIZE`] (the
/// standard font metrics; characters outside ASCII as a digit's width).
fn width(text: &str) -> f32 {
    let units: u32 = text.chars().map(helvetica_width).sum();
    units as f32 * FONT_SIZE / 1000.0
}

/// Helvetica's advance width of `c` in thousandths of an em.
fn helvetica_width(c: char) -> u32 {
    const WIDTHS: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
        278, // ' '../
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
        278, 278, 584, 584, 584, 556, 1015, // :..@
        667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A-M
        722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N-Z
        278, 278, 278, 469, 556, 333, // [..`
        556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a-m
        556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n-z
        334, 260, 334, 584, // {..~
    ];
    match c as u32 {
        code @ 0x20..=0x7E => u32::from(WIDTHS[(code - 0x20) as usize]),
        _ => 556,
    }
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
    fn a_claim_row_splits_into_seven_cells_and_amounts_end_on_their_column() {
        let row = "2026-10-01  99213                $100.00        $50.00        $20.00         $0.00        $30.00";
        let cells = table_cells(row).unwrap();
        assert_eq!(cells[1], "99213");
        assert_eq!(cells[6], "$30.00");
        assert!(table_cells("Balance due: $30.00").is_none());
        // "$30.00": five glyphs of 556 ($, 3, 0, 0, 0) and "." of 278: 3058 units at 9 pt.
        assert!((width("$30.00") - 3058.0 * 9.0 / 1000.0).abs() < 0.001);
        let bytes = pdf(&format!("{row}\n"));
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.contains("($30.00) Tj"));
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
