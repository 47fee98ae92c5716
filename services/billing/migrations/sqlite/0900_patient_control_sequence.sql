-- SQLite keeps numbering patient control numbers with the counter row in
-- control_numbers (it runs one writer at a time, so the row never makes
-- claims wait on each other); PostgreSQL moves to a sequence in this
-- version. Nothing changes here.
UPDATE control_numbers SET last_value = last_value WHERE name = 'patient_control';
