-- The hospital stay of an inpatient encounter (UB-04 form locators 12-17),
-- passed to billing on release for the 837I: admission hour, type and
-- point of origin, discharge hour and status. NULL for every other
-- encounter; all five are written together.
ALTER TABLE encounters ADD COLUMN admission_hour BIGINT CHECK (admission_hour BETWEEN 0 AND 23);
ALTER TABLE encounters ADD COLUMN admission_type TEXT;
ALTER TABLE encounters ADD COLUMN admission_source TEXT;
ALTER TABLE encounters ADD COLUMN discharge_hour BIGINT CHECK (discharge_hour BETWEEN 0 AND 23);
ALTER TABLE encounters ADD COLUMN discharge_status TEXT;
