//! Billing service: charges, claims, X12 submission, acknowledgments, denials and appeals
