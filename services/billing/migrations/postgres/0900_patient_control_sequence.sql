-- Patient control numbers on PostgreSQL come from a sequence: nextval never
-- waits for another transaction, so claims are built side by side (a
-- number a rolled-back claim took is simply not used). It continues from
-- the counter row that numbered them before.
CREATE SEQUENCE patient_control_numbers;
SELECT setval(
    'patient_control_numbers',
    (SELECT last_value FROM control_numbers WHERE name = 'patient_control') + 1,
    false
);
