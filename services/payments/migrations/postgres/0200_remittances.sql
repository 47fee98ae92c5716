-- Ingested 835 remittances, kept as received, what each claim payment was
-- matched to, and the claim payments that could not be posted (PostgreSQL).

CREATE TABLE remittances (
    remittance_id TEXT PRIMARY KEY,
    -- SHA-256 of the file (hex): the same file is posted once.
    content_hash TEXT NOT NULL UNIQUE,
    -- TRN03 (the payer's originating company id) and TRN02 (check or EFT
    -- trace): one payment of one payer is posted once, whatever the file.
    payer_key TEXT NOT NULL,
    trace_number TEXT NOT NULL,
    payer_identifier TEXT NOT NULL,
    payer_name TEXT NOT NULL,
    file_name TEXT NOT NULL,
    total_paid BIGINT NOT NULL,
    payment_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('posted', 'partially_posted')),
    received_at TEXT NOT NULL,
    received_by TEXT NOT NULL,
    content BYTEA NOT NULL,
    UNIQUE (payer_key, trace_number)
);
CREATE INDEX remittances_received ON remittances (received_at, remittance_id);

-- One row per CLP of a remittance, in file order.
CREATE TABLE remittance_claims (
    remittance_id TEXT NOT NULL REFERENCES remittances (remittance_id),
    claim_index BIGINT NOT NULL,
    patient_control_number TEXT NOT NULL,
    -- The claim it posted to; NULL when it went to exceptions.
    claim_id TEXT,
    -- The claim line each SVC matched, comma-separated in SVC order (0: none).
    line_numbers TEXT NOT NULL,
    PRIMARY KEY (remittance_id, claim_index)
);
CREATE INDEX remittance_claims_claim ON remittance_claims (claim_id);

-- Claim payments waiting to be posted by hand; their cash is in unapplied
-- cash meanwhile.
CREATE TABLE remittance_exceptions (
    exception_id TEXT PRIMARY KEY,
    remittance_id TEXT NOT NULL REFERENCES remittances (remittance_id),
    claim_index BIGINT NOT NULL,
    patient_control_number TEXT NOT NULL,
    claim_id TEXT,
    reason TEXT NOT NULL CHECK (reason IN (
        'unknown_patient_control_number', 'line_not_found', 'claim_voided')),
    detail TEXT NOT NULL,
    paid BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX remittance_exceptions_remittance ON remittance_exceptions (remittance_id, exception_id);
