-- The hospital stay coding released an inpatient encounter with (UB-04
-- form locators 12-17) and its ICD-10-PCS procedures ("CODE@YYYY-MM-DD",
-- comma-separated, principal first), kept on the release and on each claim
-- built from it for the 837I. The hours and codes are NULL for every other
-- encounter; the five are written together.
ALTER TABLE released_encounters ADD COLUMN admission_hour BIGINT;
ALTER TABLE released_encounters ADD COLUMN admission_type TEXT;
ALTER TABLE released_encounters ADD COLUMN admission_source TEXT;
ALTER TABLE released_encounters ADD COLUMN discharge_hour BIGINT;
ALTER TABLE released_encounters ADD COLUMN discharge_status TEXT;
ALTER TABLE released_encounters ADD COLUMN procedures TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN admission_hour BIGINT;
ALTER TABLE claims ADD COLUMN admission_type TEXT;
ALTER TABLE claims ADD COLUMN admission_source TEXT;
ALTER TABLE claims ADD COLUMN discharge_hour BIGINT;
ALTER TABLE claims ADD COLUMN discharge_status TEXT;
ALTER TABLE claims ADD COLUMN procedures TEXT NOT NULL DEFAULT '';
