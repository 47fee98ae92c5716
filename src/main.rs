//! The `medbill` binary.
fn main() {}
