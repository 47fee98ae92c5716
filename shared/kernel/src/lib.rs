//! Domain primitives with no I/O: money, typed ids, dates, redaction
