//! Criterion benchmarks: 835 parse and write throughput on a generated
//! file of more than 10 MB, and the 837P write rate in claims per second. The numbers
//! and the pyx12 comparison are recorded in docs/BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_main};
use medbill_x12::professional::write_837p;
use medbill_x12::remit::{read_835, write_835};
use medbill_x12::{Segments, samples};

/// Claims in the benchmark 835: about 11.7 MB.
const REMIT_CLAIMS: usize = 36_000;
/// Claims per 837P write.
const WRITE_CLAIMS: usize = 10_000;

fn parse_835(c: &mut Criterion) {
    let Ok(file) = samples::remittance_file(REMIT_CLAIMS) else {
        panic!("the sample 835 cannot be written");
    };
    assert!(
        file.len() >= 10 * 1024 * 1024,
        "the benchmark file must be at least 10 MB"
    );
    let mut group = c.benchmark_group("835_parse");
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("typed_remittances", |b| {
        b.iter(|| read_835(black_box(&file)).map(|r| r.len()))
    });
    group.bench_function("segments_only", |b| {
        b.iter(|| {
            Segments::new(black_box(&file))
                .filter(Result::is_ok)
                .count()
        })
    });
    group.finish();
}

fn write_835_bytes(c: &mut Criterion) {
    let Ok(file) = samples::remittance_file(REMIT_CLAIMS) else {
        panic!("the sample 835 cannot be written");
    };
    let Ok(remittances) = read_835(&file) else {
        panic!("the sample 835 cannot be read");
    };
    let params = samples::interchange_params(9);
    let mut group = c.benchmark_group("835_write");
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("typed_remittances", |b| {
        b.iter(|| write_835(black_box(&params), black_box(&remittances)).map(|f| f.len()))
    });
    group.finish();
}

fn write_837p_claims(c: &mut Criterion) {
    let batch = samples::professional_batch("0001", WRITE_CLAIMS);
    let params = samples::interchange_params(1);
    let mut group = c.benchmark_group("837p_write");
    group.throughput(Throughput::Elements(WRITE_CLAIMS as u64));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("claims", |b| {
        b.iter(|| {
            write_837p(black_box(&params), std::slice::from_ref(black_box(&batch))).map(|f| f.len())
        })
    });
    group.finish();
}

/// criterion_group! generates a public function it cannot document; the
/// allowance is confined to this module.
#[allow(missing_docs)]
mod group {
    use super::{parse_835, write_835_bytes, write_837p_claims};
    criterion::criterion_group!(benches, parse_835, write_835_bytes, write_837p_claims);
}

criterion_main!(group::benches);
