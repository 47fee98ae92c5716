//! Bank deposit files as the bank's portal exports them: CSV with the
//! header `trace,amount,date` (and an optional `payer` column), the amount
//! in dollars with exactly two decimals (read to integer cents, never
//! through a float), the date `YYYY-MM-DD`. The operator's `medbill deposits
//! import` and the clearinghouse-folder poller both read them here, so a
//! row means the same deposit (and the same idempotency key) either way.

use std::fmt;

use medbill_kernel::{CalendarDate, Money};

use super::service::NewDeposit;

/// One deposit row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositRow {
    /// The 1-based line of the file it came from.
    pub line: usize,
    /// The ACH trace number.
    pub trace_number: String,
    /// Positive.
    pub amount: Money,
    /// When the bank credited it.
    pub deposit_date: CalendarDate,
    /// The payer column, when the file has one (empty otherwise).
    pub payer: String,
}

impl DepositRow {
    /// The idempotency key of this row: the same row imported twice (by the
    /// command or the poller) records one deposit.
    pub fn idempotency_key(&self) -> String {
        format!(
            "csv|{}|{}|{}|{}",
            self.trace_number,
            self.amount.cents(),
            self.deposit_date,
            self.payer
        )
    }

    /// The deposit to record.
    pub fn to_deposit(&self) -> NewDeposit {
        NewDeposit {
            trace_number: self.trace_number.clone(),
            amount: self.amount,
            deposit_date: self.deposit_date,
            idempotency_key: Some(self.idempotency_key()),
        }
    }
}

/// A row (or the header) that cannot be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line.
    pub line: usize,
    /// The column's name (`header` for the header line).
    pub column: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for CsvError {}

/// Reads a whole deposit file: every row, or every row that is wrong (the
/// caller records nothing from a file with a bad row).
pub fn read_deposits(text: &str) -> Result<Vec<DepositRow>, Vec<CsvError>> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Err(vec![error(1, "header", "the file is empty")]);
    };
    let names: Vec<String> = header
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let with_payer = match names.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["trace", "amount", "date"] => false,
        ["trace", "amount", "date", "payer"] => true,
        _ => {
            return Err(vec![error(
                header_line,
                "header",
                format!("must be trace,amount,date[,payer], found {header:?}"),
            )]);
        }
    };
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for (line, text) in lines {
        match read_row(line, text, with_payer) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn error(line: usize, column: &'static str, message: impl Into<String>) -> CsvError {
    CsvError {
        line,
        column,
        message: message.into(),
    }
}

fn read_row(line: usize, text: &str, with_payer: bool) -> Result<DepositRow, CsvError> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    let wanted = if with_payer { 4 } else { 3 };
    if fields.len() != wanted {
        return Err(error(
            line,
            "row",
            format!("has {} fields, the header {wanted}", fields.len()),
        ));
    }
    if let Some(quoted) = fields.iter().position(|f| f.contains('"')) {
        let column = ["trace", "amount", "date", "payer"][quoted];
        return Err(error(line, column, "quoted fields are not accepted"));
    }
    let trace_number = fields[0];
    if trace_number.is_empty() {
        return Err(error(line, "trace", "is required"));
    }
    let amount = dollars_to_cents(fields[1]).map_err(|m| error(line, "amount", m))?;
    let deposit_date = read_date(fields[2]).map_err(|m| error(line, "date", m))?;
    Ok(DepositRow {
        line,
        trace_number: trace_number.to_string(),
        amount: Money::from_cents(amount),
        deposit_date,
        payer: fields.get(3).map(|p| p.to_string()).unwrap_or_default(),
    })
}

/// `1234.56` → 123456 cents: digits, a point, exactly two digits; positive.
pub fn dollars_to_cents(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?} is not dollars with two decimals (e.g. 1234.56)");
    let (whole, fraction) = text.split_once('.').ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.len() != 2 || !digits(fraction) {
        return Err(bad());
    }
    let cents = whole
        .parse::<i64>()
        .ok()
        .and_then(|w| w.checked_mul(100))
        .and_then(|w| w.checked_add(fraction.parse::<i64>().ok()?))
        .ok_or_else(|| format!("{text:?} is too large"))?;
    if cents == 0 {
        return Err("must be positive".into());
    }
    Ok(cents)
}

fn read_date(text: &str) -> Result<CalendarDate, String> {
    let bad = || format!("{text:?} is not a date YYYY-MM-DD");
    if text.len() != 10 {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_to_exact_cents() {
        assert_eq!(dollars_to_cents("1234.56"), Ok(123_456));
        assert_eq!(dollars_to_cents("0.10"), Ok(10));
        assert_eq!(dollars_to_cents("19999999.99"), Ok(1_999_999_999));
        for bad in [
            "12.5", "12", "-1.00", "1,000.00", "1.005", ".50", "1e3.00", "0.00",
        ] {
            assert!(dollars_to_cents(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_file_with_a_payer_column_reads_every_row() {
        let rows = read_deposits(
            "trace,amount,date,payer\r\nEFT1,1500.00,2026-11-02,ACME\r\n\r\nEFT2,0.99,2026-11-03,\r\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].amount.cents(), 150_000);
        assert_eq!(rows[0].payer, "ACME");
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].deposit_date.to_string(), "2026-11-03");
        assert_ne!(rows[0].idempotency_key(), rows[1].idempotency_key());
    }

    #[test]
    fn every_bad_row_is_named_by_line_and_column() {
        let errors = read_deposits(
            "trace,amount,date\nEFT1,12.5,2026-11-02\nEFT2,1.00,11/02/2026\n,1.00,2026-11-02\nEFT4,1.00,2026-11-02\n",
        )
        .unwrap_err();
        let named: Vec<_> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(named, [(2, "amount"), (3, "date"), (4, "trace")]);
        assert!(errors[0].to_string().starts_with("line 2, column amount:"));
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let errors = read_deposits("amount,trace,date\n1.00,EFT,2026-11-02\n").unwrap_err();
        assert_eq!((errors[0].line, errors[0].column), (1, "header"));
        assert!(read_deposits("").is_err());
    }
}
