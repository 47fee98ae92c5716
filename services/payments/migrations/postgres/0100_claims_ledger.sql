-- Claims payments knows of (from billing's ClaimSubmitted / ClaimVoided), the
-- guarantor accounts and payers they name, and the double-entry journal
-- (PostgreSQL). Balances are never stored: they are sums of journal lines.

CREATE TABLE payers (
    payer_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- SBR09 of the last claim to this payer (MB, MC, CI, BL, ...).
    claim_filing_indicator TEXT NOT NULL
);

-- The person responsible for the patient's share. Names and addresses are
-- patient data: never logged.
CREATE TABLE guarantor_accounts (
    account_id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    patient_mrn TEXT NOT NULL,
    guarantor_last TEXT NOT NULL,
    guarantor_first TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    opened_at TEXT NOT NULL
);
CREATE INDEX guarantor_accounts_mrn ON guarantor_accounts (patient_mrn);

CREATE TABLE claims (
    claim_id TEXT PRIMARY KEY,
    -- CLM01 as sent; an 835's CLP01 finds the claim by it.
    patient_control_number TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES guarantor_accounts (account_id),
    payer_id TEXT NOT NULL REFERENCES payers (payer_id),
    payer_rank BIGINT NOT NULL CHECK (payer_rank BETWEEN 1 AND 3),
    encounter_id TEXT NOT NULL,
    frequency_code TEXT NOT NULL,
    replaces_claim_id TEXT,
    total_charge BIGINT NOT NULL,
    first_date_of_service TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'voided')),
    voided_at TEXT,
    replaced_by_claim_id TEXT
);
CREATE INDEX claims_account ON claims (account_id);

CREATE TABLE claim_lines (
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    line_number BIGINT NOT NULL CHECK (line_number >= 1),
    -- REF*6R as sent; the 835 echoes it per service line.
    line_control_number TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    -- Up to four two-character modifiers, comma-separated, in order.
    modifiers TEXT NOT NULL,
    units BIGINT NOT NULL,
    charge BIGINT NOT NULL,
    date_of_service TEXT NOT NULL,
    PRIMARY KEY (claim_id, line_number)
);

-- A balanced journal entry: its lines' amounts (debit positive, credit
-- negative) sum to zero, checked before insert. Rows are only ever added: a
-- correction is a new entry.
CREATE TABLE journal_entries (
    entry_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    -- The day the money moved (payment date, claim submission date).
    effective_on TEXT NOT NULL,
    -- What caused it: a remittance id, a billing event id.
    source_id TEXT NOT NULL,
    memo TEXT NOT NULL
);
CREATE INDEX journal_entries_source ON journal_entries (source_id);

CREATE TABLE journal_lines (
    entry_id TEXT NOT NULL REFERENCES journal_entries (entry_id),
    position BIGINT NOT NULL,
    ledger_account TEXT NOT NULL CHECK (ledger_account IN (
        'ar_insurance', 'ar_patient', 'revenue', 'contractual_allowance',
        'other_adjustment', 'cash', 'unapplied_cash', 'refunds_payable',
        'bad_debt_expense', 'bad_debt_recovery', 'interest', 'plb_recoveries')),
    amount BIGINT NOT NULL,
    claim_id TEXT,
    line_number BIGINT,
    account_id TEXT,
    payer_id TEXT,
    PRIMARY KEY (entry_id, position)
);
CREATE INDEX journal_lines_claim ON journal_lines (claim_id, ledger_account);
CREATE INDEX journal_lines_account ON journal_lines (account_id, ledger_account);
CREATE INDEX journal_lines_payer ON journal_lines (payer_id, ledger_account);

CREATE FUNCTION journal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER journal_entries_no_change BEFORE UPDATE OR DELETE ON journal_entries
FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_lines_no_change BEFORE UPDATE OR DELETE ON journal_lines
FOR EACH ROW EXECUTE FUNCTION journal_append_only();
