-- Collections (SQLite): agencies and their fee rates, accounts placed with
-- them (collection cases), and agency payments. The ledger gains the
-- account 'collection_expense' (agency fees), so journal_lines is rebuilt
-- with the wider CHECK (SQLite cannot alter a CHECK): every row is copied
-- as it is, and the append-only triggers are made again.

CREATE TABLE journal_lines_new (
    entry_id TEXT NOT NULL REFERENCES journal_entries (entry_id),
    position BIGINT NOT NULL,
    ledger_account TEXT NOT NULL CHECK (ledger_account IN (
        'ar_insurance', 'ar_patient', 'revenue', 'contractual_allowance',
        'other_adjustment', 'cash', 'unapplied_cash', 'refunds_payable',
        'bad_debt_expense', 'bad_debt_recovery', 'interest', 'plb_recoveries',
        'collection_expense')),
    amount BIGINT NOT NULL,
    claim_id TEXT,
    line_number BIGINT,
    account_id TEXT,
    payer_id TEXT,
    PRIMARY KEY (entry_id, position)
);
INSERT INTO journal_lines_new (entry_id, position, ledger_account, amount, claim_id,
    line_number, account_id, payer_id)
SELECT entry_id, position, ledger_account, amount, claim_id, line_number, account_id, payer_id
FROM journal_lines;
DROP TABLE journal_lines;
ALTER TABLE journal_lines_new RENAME TO journal_lines;
CREATE INDEX journal_lines_claim ON journal_lines (claim_id, ledger_account);
CREATE INDEX journal_lines_account ON journal_lines (account_id, ledger_account);
CREATE INDEX journal_lines_payer ON journal_lines (payer_id, ledger_account);
CREATE TRIGGER journal_lines_no_update BEFORE UPDATE ON journal_lines
BEGIN SELECT RAISE(ABORT, 'journal_lines is append-only'); END;
CREATE TRIGGER journal_lines_no_delete BEFORE DELETE ON journal_lines
BEGIN SELECT RAISE(ABORT, 'journal_lines is append-only'); END;

-- Collection agencies. The fee rate is a decimal fraction kept as text
-- (e.g. '0.25' for 25%): never a float.
CREATE TABLE collection_agencies (
    agency_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    fee_rate TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- An account placed with an agency.
CREATE TABLE collection_cases (
    case_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES guarantor_accounts (account_id),
    agency_id TEXT NOT NULL REFERENCES collection_agencies (agency_id),
    status TEXT NOT NULL CHECK (status IN ('placed', 'recalled', 'written_off', 'paid')),
    placed_balance BIGINT NOT NULL CHECK (placed_balance > 0),
    oldest_date_of_service TEXT NOT NULL,
    placed_on TEXT NOT NULL,
    placed_at TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    note TEXT NOT NULL,
    closed_at TEXT,
    close_reason TEXT NOT NULL DEFAULT '',
    written_off BIGINT NOT NULL DEFAULT 0,
    approved_by TEXT NOT NULL DEFAULT ''
);
-- At most one placement at a time per account.
CREATE UNIQUE INDEX collection_cases_one_placed ON collection_cases (account_id) WHERE status = 'placed';
CREATE INDEX collection_cases_agency ON collection_cases (agency_id, case_id);

-- Payments an agency collected; the money is in the journal (the entries
-- whose source_id is the payment id: the gross against patient AR, the fee
-- as collection expense).
CREATE TABLE agency_payments (
    payment_id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES collection_cases (case_id),
    gross BIGINT NOT NULL CHECK (gross > 0),
    fee BIGINT NOT NULL CHECK (fee >= 0),
    received_on TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX agency_payments_case ON agency_payments (case_id);
