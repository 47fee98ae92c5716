//! End-to-end tests across the three medbill services
