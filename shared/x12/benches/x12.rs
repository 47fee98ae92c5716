//! X12 benchmarks (written by the x12 work in progress).
fn main() {}
