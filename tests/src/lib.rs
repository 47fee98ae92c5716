//! End-to-end tests across the three medbill services; the tests live in
//! `tests/tests/` and run the stack the way `medbill up` does.
