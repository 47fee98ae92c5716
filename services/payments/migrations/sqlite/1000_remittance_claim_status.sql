-- Each claim payment's CLP02 status and CLP03 charge (SQLite), kept with its
-- match so denial rates by dollars read from what was posted. Rows from
-- before this migration have '' and 0 and count in no rate.
ALTER TABLE remittance_claims ADD COLUMN status_code TEXT NOT NULL DEFAULT '';
ALTER TABLE remittance_claims ADD COLUMN charge BIGINT NOT NULL DEFAULT 0;
