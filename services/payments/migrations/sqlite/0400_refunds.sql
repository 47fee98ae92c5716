-- Refunds of guarantors' credit balances (SQLite). The money is in the
-- journal (the entry whose source_id is the refund id: unapplied credit
-- moved to refunds payable); this row makes a retry harmless.

CREATE TABLE refunds (
    refund_id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES guarantor_accounts (account_id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    reason TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX refunds_account ON refunds (account_id);
