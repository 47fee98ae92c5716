//! Arbitrary and mutated bytes fed to every reader return values or
//! errors, never panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use medbill_x12::cli::{parse_to_json, validate};
use medbill_x12::remit::{read_835, read_835_stream};
use medbill_x12::{Segments, StreamReader};
use proptest::prelude::*;

const MULTI: &[u8] = include_bytes!("fixtures/remit_multi_claim.835");
/// The hand-made fixtures of the other typed readers, mutated below.
const OTHERS: [&[u8]; 5] = [
    include_bytes!("fixtures/ack_partial.999"),
    include_bytes!("fixtures/claim_ack.277"),
    include_bytes!("fixtures/eligibility.271"),
    include_bytes!("fixtures/claim_status.276"),
    include_bytes!("fixtures/claim_status.277"),
];

fn every_reader(bytes: &[u8]) {
    for seg in Segments::new(bytes).flatten() {
        {
            let _ = (
                seg.element(3),
                seg.component(1, 2),
                seg.repetitions(2),
                seg.opt_amount(2),
            );
        }
    }
    let mut stream = StreamReader::with_limits(bytes, 7, 256);
    while let Some(seg) = stream.next_segment() {
        let _ = seg.map(|s| s.element_count());
    }
    let _ = read_835(bytes);
    let _ = read_835_stream(bytes, |_| {});
    let _ = medbill_x12::ack::read_999(bytes);
    let _ = medbill_x12::claim_ack::read_277ca(bytes);
    let _ = medbill_x12::eligibility::read_271(bytes);
    let _ = medbill_x12::status::read_276(bytes);
    let _ = medbill_x12::status::read_277(bytes);
    let _ = medbill_x12::professional::read_837p(bytes);
    let _ = medbill_x12::institutional::read_837i(bytes);
    let _ = parse_to_json(bytes);
    let report = validate(bytes);
    let _ = (report.has_errors(), report.to_string());
}

/// A body segment built from the ids and values an 835 reader meets.
fn body_segment() -> impl Strategy<Value = String> {
    let ids = prop::sample::select(vec![
        "BPR", "TRN", "REF", "DTM", "N1", "N3", "N4", "PER", "LX", "CLP", "CAS", "NM1", "MIA",
        "MOA", "AMT", "QTY", "SVC", "LQ", "PLB", "SE", "ST", "GS", "GE", "IEA", "ISA", "XX", "AK1",
        "AK2", "IK3", "IK4", "IK5", "AK9", "CTX", "BHT", "HL", "STC", "EB", "AAA", "LS", "LE",
        "MSG", "DMG", "DTP", "TS3", "SVC",
    ]);
    let value = prop::sample::select(vec![
        "",
        "1",
        "4",
        "22",
        "-12.5",
        "100",
        "1.005",
        "CO",
        "PR",
        "CR",
        "ZZ",
        "HC:99213:25",
        "WO:ICN",
        "20240229",
        "20231301",
        "PE",
        "QC",
        "99999999999999999999",
        ".",
        "-",
        "A^B",
        "1e5",
        "T3",
        "1K",
        "EJ",
        "472",
        "RD8",
        "20240301-20240229",
        "F1:65:PR",
        "P1::",
    ]);
    (ids, prop::collection::vec(value, 0..20)).prop_map(|(id, values)| {
        let mut s = id.to_owned();
        for v in values {
            s.push('*');
            s.push_str(v);
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        every_reader(&bytes);
    }

    #[test]
    fn bytes_after_a_valid_isa_never_panic(tail in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = MULTI[..107].to_vec();
        bytes.extend(tail);
        every_reader(&bytes);
    }

    #[test]
    fn a_mutated_835_never_panics(
        edits in prop::collection::vec((0..MULTI.len(), any::<u8>()), 1..8),
        cut in 0..MULTI.len(),
    ) {
        let mut bytes = MULTI.to_vec();
        for (at, b) in edits {
            bytes[at] = b;
        }
        bytes.truncate(cut.max(1));
        every_reader(&bytes);
    }

    #[test]
    fn mutated_999_277ca_271_276_and_277_files_never_panic(
        which in 0..OTHERS.len(),
        edits in prop::collection::vec((0..4_000usize, any::<u8>()), 1..8),
        cut in 1..4_000usize,
    ) {
        let mut bytes = OTHERS[which].to_vec();
        for (at, b) in edits {
            let at = at % bytes.len();
            bytes[at] = b;
        }
        bytes.truncate(cut.min(bytes.len()));
        every_reader(&bytes);
    }

    #[test]
    fn random_bodies_under_each_typed_header_never_panic(
        which in 0..=OTHERS.len(),
        body in prop::collection::vec(body_segment(), 0..40),
    ) {
        let source = if which == OTHERS.len() { MULTI } else { OTHERS[which] };
        let text = String::from_utf8(source.to_vec()).unwrap();
        let head: String = text.split_inclusive('\n').take(3).collect();
        let mut file = head;
        for seg in &body {
            file.push_str(seg);
            file.push_str("~\n");
        }
        file.push_str(&format!("SE*{}*0001~\nGE*1*101~\nIEA*1*000000101~\n", body.len() + 2));
        every_reader(file.as_bytes());
    }
}
