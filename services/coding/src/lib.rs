//! Coding service: code sets, coding edits, encounters and the coding queue
