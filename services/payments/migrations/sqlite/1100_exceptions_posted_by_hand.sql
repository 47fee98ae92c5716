-- An exception posted by hand: the claim it went to, who posted it, when.
ALTER TABLE remittance_exceptions ADD COLUMN posted_claim_id TEXT;
ALTER TABLE remittance_exceptions ADD COLUMN posted_by TEXT;
ALTER TABLE remittance_exceptions ADD COLUMN posted_at TEXT;
