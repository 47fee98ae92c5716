-- The present-on-admission indicator coding recorded with each diagnosis
-- of an inpatient stay (Y, N, U, W, or 1 for a code exempt from reporting;
-- UB-04 FL 67, 837I HI0n-9), kept on the release and on each claim built
-- from it. Positional with `diagnoses`: comma-separated, one entry per
-- code, an empty entry for a diagnosis without one ("Y,,N"). The empty
-- text means no diagnosis has one, which is what every row written before
-- this column reads as.
ALTER TABLE released_encounters ADD COLUMN present_on_admission TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN present_on_admission TEXT NOT NULL DEFAULT '';
