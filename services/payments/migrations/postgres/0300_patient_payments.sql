-- Payments from guarantors (PostgreSQL). The money itself is in the
-- journal (entries whose source_id is the payment id); this row makes a
-- retry with the same client key harmless.

CREATE TABLE patient_payments (
    payment_id TEXT PRIMARY KEY,
    -- Chosen by the client: a retry with the same key posts nothing.
    idempotency_key TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES guarantor_accounts (account_id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    method TEXT NOT NULL CHECK (method IN ('card', 'check', 'cash', 'ach')),
    -- Check number or card authorization; never a card number.
    reference TEXT NOT NULL,
    -- The claim the guarantor asked to pay, if any.
    claim_id TEXT,
    received_on TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX patient_payments_account ON patient_payments (account_id);
