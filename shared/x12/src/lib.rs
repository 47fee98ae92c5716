//! X12 5010 reader and writer for the transactions medbill exchanges with
//! clearinghouses and payers.
