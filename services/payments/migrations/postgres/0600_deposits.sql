-- Bank deposits (EFT reassociation): each matches at most one 835 by ACH
-- trace (TRN02) and amount (BPR02); unmatched deposits and 835s are the
-- suspense lists.

CREATE TABLE deposits (
    deposit_id TEXT PRIMARY KEY,
    -- The client's key, else trace|cents|date: a retry records nothing.
    idempotency_key TEXT NOT NULL UNIQUE,
    trace_number TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    deposit_date TEXT NOT NULL,
    -- The 835 it matched; NULL while in suspense. One deposit per 835.
    remittance_id TEXT UNIQUE REFERENCES remittances (remittance_id),
    matched_at TEXT,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX deposits_trace ON deposits (trace_number, amount);
CREATE INDEX deposits_suspense ON deposits (deposit_date, deposit_id) WHERE remittance_id IS NULL;
CREATE INDEX remittances_trace ON remittances (trace_number, total_paid);
