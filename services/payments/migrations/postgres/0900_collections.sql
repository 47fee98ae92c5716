-- Collections (PostgreSQL): agencies and their fee rates, accounts placed
-- with them (collection cases), and agency payments. The ledger gains the
-- account 'collection_expense' (agency fees): journal_lines' CHECK widens.

ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_ledger_account_check;
ALTER TABLE journal_lines ADD CONSTRAINT journal_lines_ledger_account_check CHECK (ledger_account IN (
    'ar_insurance', 'ar_patient', 'revenue', 'contractual_allowance',
    'other_adjustment', 'cash', 'unapplied_cash', 'refunds_payable',
    'bad_debt_expense', 'bad_debt_recovery', 'interest', 'plb_recoveries',
    'collection_expense'));

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
