//! Sample balanced 835 files of any size, for benchmarks and tests.

use crate::error::WriteError;
use crate::samples::{day, interchange_params};
use crate::values::Amount;
use crate::write::{El, SegmentWriter, write_interchange};

/// Claims per transaction set in [`remittance_file`].
const CLAIMS_PER_SET: usize = 2_000;

/// An 835 interchange paying `claims` claims of two lines each (with CO
/// and PR adjustments, REF*6R, remark codes), split into transaction sets
/// of 2 000 claims, each ending with a PLB; every set balances.
pub fn remittance_file(claims: usize) -> Result<Vec<u8>, WriteError> {
    let params = interchange_params(9);
    let sets = claims.div_ceil(CLAIMS_PER_SET).max(1);
    write_interchange(&params, "HP", "005010X221A1", |w| {
        for set in 0..sets {
            let first = set * CLAIMS_PER_SET;
            let count = CLAIMS_PER_SET.min(claims.saturating_sub(first));
            write_set(w, set, first, count)?;
        }
        Ok(sets)
    })
}

fn write_set(
    w: &mut SegmentWriter,
    set: usize,
    first: usize,
    count: usize,
) -> Result<(), WriteError> {
    let control = format!("{:04}", set + 1);
    w.start_transaction("835", &control, "")?;
    // Each claim: 200.00 + 50.00 charged, 150.00 + 40.00 paid.
    let plb = Amount::from_cents(1_000);
    let total = Amount::from_cents(19_000 * i64::try_from(count).unwrap_or(0)) - plb;
    let date = day(18).to_x12();
    w.simple(
        "BPR",
        &[
            "I",
            &total.to_x12(),
            "C",
            "ACH",
            "CCP",
            "01",
            "999999999",
            "DA",
            "123456",
            "1512345678",
            "",
            "01",
            "999988880",
            "DA",
            "98765",
            &date,
        ],
    )?;
    w.simple("TRN", &["1", &format!("EFT{set:06}"), "1512345678"])?;
    w.simple("DTM", &["405", &day(15).to_x12()])?;
    w.simple("N1", &["PR", "ACME HEALTH PLAN"])?;
    w.simple("N3", &["100 PAYER WAY"])?;
    w.simple("N4", &["HARTFORD", "CT", "06101"])?;
    w.simple("PER", &["BL", "EDI SUPPORT", "TE", "8005551212"])?;
    w.simple("N1", &["PE", "RIVERSIDE CLINIC", "XX", "1234567893"])?;
    w.simple("LX", &["1"])?;
    let service_date = day(1).to_x12();
    for i in first..first + count {
        let pcn = format!("PCN{i:07}");
        w.simple(
            "CLP",
            &[
                &pcn,
                "1",
                "250",
                "190",
                "30",
                "12",
                &format!("ICN{i:010}"),
                "11",
                "1",
            ],
        )?;
        w.simple(
            "NM1",
            &["QC", "1", "DOE", "JANE", "", "", "", "MI", "MEM123456"],
        )?;
        w.simple("DTM", &["050", &service_date])?;
        for (n, (code, charge, paid, co, pr)) in [
            ("99214", "200", "150", "30", "20"),
            ("36415", "50", "40", "0", "10"),
        ]
        .iter()
        .enumerate()
        {
            w.seg(
                "SVC",
                &[
                    El::C(&["HC", code, "25"]),
                    El::S(charge),
                    El::S(paid),
                    El::S(""),
                    El::S("1"),
                ],
            )?;
            w.simple("DTM", &["472", &service_date])?;
            if *co != "0" {
                w.simple("CAS", &["CO", "45", co])?;
            }
            w.simple("CAS", &["PR", "2", pr, "1"])?;
            w.simple("REF", &["6R", &format!("{pcn}-{}", n + 1)])?;
            w.simple("AMT", &["B6", paid])?;
            w.simple("LQ", &["HE", "M15"])?;
        }
    }
    let amount = plb.to_x12();
    w.seg(
        "PLB",
        &[
            El::S("1234567893"),
            El::S("20241231"),
            El::C(&["WO", "ICN0800"]),
            El::S(&amount),
        ],
    )?;
    w.end_transaction(&control)
}
