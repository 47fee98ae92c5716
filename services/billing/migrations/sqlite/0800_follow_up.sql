-- Follow-up of unpaid claims: a payer's days after submission before a
-- claim without adjudication is followed up, the 276 claim status
-- inquiries sent (one row per claim asked about, matched by its TRN trace)
-- and the 277 statuses recorded on claims.

ALTER TABLE payers ADD COLUMN follow_up_days BIGINT NOT NULL DEFAULT 30
    CHECK (follow_up_days > 0);

CREATE TABLE claim_status_inquiries (
    trace_number TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    -- The 276 file (and its ISA13) that carried it.
    file_name TEXT NOT NULL,
    interchange_control_number TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    -- Empty until a 277 answers it.
    answered_at TEXT NOT NULL
);
CREATE INDEX claim_status_inquiries_by_claim ON claim_status_inquiries (claim_id, sent_at);

-- One row per claim reported on in a 277: the claim's status history at
-- the payer.
CREATE TABLE claim_statuses (
    status_id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    -- The inquiry it answers; empty when matched by patient control number.
    trace_number TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('pending', 'paid', 'denied', 'finalized',
        'information_requested', 'not_found', 'acknowledged', 'error', 'other')),
    -- The STC composites and message, e.g. "F1:65 paid 120.00".
    statuses TEXT NOT NULL,
    -- STC05 in cents; 0 when not sent.
    paid_cents BIGINT NOT NULL,
    payer_claim_number TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX claim_statuses_by_claim ON claim_statuses (claim_id, received_at);
