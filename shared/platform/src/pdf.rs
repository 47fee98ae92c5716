//! Letters and statements as PDF: US Letter pages of the standard Type 1
//! font Helvetica (no font embedded) with WinAnsi encoding, written with
//! `pdf-writer`. A document is lines of text; a line is either text at the
//! left margin (wrapped at spaces when long) or cells placed at given
//! columns, so amounts can end on their column in a proportional font.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// Points: US Letter, 3/4-inch margins, 9 pt text on 13 pt lines (52 a
/// page).
pub const PAGE_WIDTH: f32 = 612.0;
const PAGE_HEIGHT: f32 = 792.0;
/// The left margin, where text lines start.
pub const MARGIN: f32 = 54.0;
const FONT_SIZE: f32 = 9.0;
const LEADING: f32 = 13.0;
/// Characters per printed line; longer text lines wrap at a space.
pub const WRAP: usize = 110;

/// Where a cell sits against its column's x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The cell starts at x.
    Left,
    /// The cell ends at x.
    Right,
}

/// One printed line.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// Text from the left margin (wrapped when longer than [`WRAP`]).
    Text(String),
    /// Cells at their columns: (x in points, alignment, text).
    Cells(Vec<(f32, Align, String)>),
}

/// `text` as lines of text, one per line of it.
pub fn text_lines(text: &str) -> Vec<Line> {
    text.lines().map(|l| Line::Text(l.to_string())).collect()
}

/// `lines` laid out as a PDF: as many pages as they take.
pub fn render(lines: &[Line]) -> Vec<u8> {
    let lines: Vec<Line> = lines
        .iter()
        .flat_map(|l| match l {
            Line::Text(t) => wrap(t, WRAP).into_iter().map(Line::Text).collect(),
            cells => vec![cells.clone()],
        })
        .collect();
    let per_page = ((PAGE_HEIGHT - 2.0 * MARGIN) / LEADING).floor().max(1.0) as usize;
    let pages: Vec<&[Line]> = if lines.is_empty() {
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
            match line {
                Line::Cells(cells) => {
                    for (x, align, cell) in cells {
                        let x = match align {
                            Align::Left => *x,
                            Align::Right => x - width(cell),
                        };
                        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
                        content.show(Str(&win_ansi(cell)));
                    }
                }
                Line::Text(text) => {
                    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, MARGIN, y]);
                    content.show(Str(&win_ansi(text)));
                }
            }
        }
        content.end_text();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

/// The width in points of `text` in Helvetica at the text size (the
/// standard font metrics; characters outside ASCII as a digit's width).
pub fn width(text: &str) -> f32 {
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
    fn text_outside_win_ansi_prints_as_a_question_mark() {
        assert_eq!(win_ansi("Ren\u{e9} \u{2603}"), b"Ren\xe9 ?".to_vec());
    }

    #[test]
    fn a_right_aligned_cell_ends_on_its_column() {
        // "$30.00": five glyphs of 556 ($, 3, 0, 0, 0) and "." of 278: 3058 units at 9 pt.
        assert!((width("$30.00") - 3058.0 * 9.0 / 1000.0).abs() < 0.001);
        let bytes = render(&[Line::Cells(vec![(100.0, Align::Right, "$30.00".into())])]);
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.contains("($30.00) Tj"));
    }

    #[test]
    fn a_pdf_names_helvetica_with_win_ansi_and_takes_as_many_pages_as_its_lines_need() {
        let text: String = (0..60).map(|i| format!("line {i}\n")).collect();
        let bytes = render(&text_lines(&text));
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.starts_with("%PDF-"));
        assert!(raw.contains("/BaseFont /Helvetica"));
        assert!(raw.contains("/WinAnsiEncoding"));
        assert!(raw.contains("/Count 2"));
        assert!(raw.contains("(line 59)"));
    }
}
