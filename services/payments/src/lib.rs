//! Payments service: remittance posting, patient payments, ledger, statements, collections and AR
