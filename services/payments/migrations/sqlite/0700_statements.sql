-- Patient statements (SQLite): the dunning policy as data, the collection
-- policy's figures, statement runs and the statements they produced. A
-- statement is a snapshot of what was sent: its figures, lines and text are
-- stored and never recomputed.

-- One row per dunning cycle: a guarantor's first statement is cycle 1; the
-- next cycle is sent once `days_after_previous` days have passed since the
-- previous statement; the last cycle is the final notice, after which the
-- account may be placed with an agency.
CREATE TABLE dunning_cycles (
    cycle BIGINT PRIMARY KEY CHECK (cycle >= 1),
    days_after_previous BIGINT NOT NULL CHECK (days_after_previous >= 0),
    final_notice BIGINT NOT NULL CHECK (final_notice IN (0, 1)),
    message TEXT NOT NULL
);
INSERT INTO dunning_cycles (cycle, days_after_previous, final_notice, message) VALUES
    (1, 0, 0, 'This statement shows what you owe after your insurance has paid. Please pay the amount due by the due date.'),
    (2, 30, 0, 'Reminder: your balance is past due. Please pay the amount due or call us to set up a payment plan.'),
    (3, 30, 0, 'Second reminder: your balance is seriously past due. Please pay now or call us about a payment plan.'),
    (4, 30, 1, 'FINAL NOTICE: unless the amount due is paid or a payment plan is agreed by the due date, your account may be placed with a collection agency.');

-- The collection policy's figures (one row).
CREATE TABLE collection_policy (
    policy_id BIGINT PRIMARY KEY CHECK (policy_id = 1),
    -- Days from the statement date to its due date.
    statement_due_days BIGINT NOT NULL CHECK (statement_due_days >= 0),
    -- Patient balances below this (cents) are written off by the statement
    -- run (small-balance adjustment) instead of stated.
    small_balance_write_off BIGINT NOT NULL CHECK (small_balance_write_off >= 0),
    -- Missed installments after which a payment plan defaults.
    plan_misses_to_default BIGINT NOT NULL CHECK (plan_misses_to_default >= 1)
);
INSERT INTO collection_policy (policy_id, statement_due_days, small_balance_write_off,
    plan_misses_to_default) VALUES (1, 25, 500, 2);

-- One row per run date: the first write of a run, so two runs of one day
-- take turns (and on PostgreSQL wait on this row).
CREATE TABLE statement_runs (
    run_date TEXT PRIMARY KEY,
    first_run_at TEXT NOT NULL,
    last_run_at TEXT NOT NULL,
    runs BIGINT NOT NULL
);

CREATE TABLE statements (
    statement_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES guarantor_accounts (account_id),
    statement_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    cycle BIGINT NOT NULL,
    final_notice BIGINT NOT NULL CHECK (final_notice IN (0, 1)),
    -- Whether the cycle was held back by a payment plan in good standing.
    dunning_suspended BIGINT NOT NULL CHECK (dunning_suspended IN (0, 1)),
    message TEXT NOT NULL,
    previous_balance BIGINT NOT NULL,
    new_charges BIGINT NOT NULL,
    payments BIGINT NOT NULL,
    adjustments BIGINT NOT NULL,
    amount_due BIGINT NOT NULL,
    days_0_30 BIGINT NOT NULL,
    days_31_60 BIGINT NOT NULL,
    days_61_90 BIGINT NOT NULL,
    days_91_120 BIGINT NOT NULL,
    days_over_120 BIGINT NOT NULL,
    -- The statement as printed (patient data: never logged).
    rendered_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- One statement per guarantor and run date: a rerun creates none.
    UNIQUE (account_id, statement_date)
);
CREATE INDEX statements_date ON statements (statement_date, statement_id);

-- One line per claim on a statement.
CREATE TABLE statement_lines (
    statement_id TEXT NOT NULL REFERENCES statements (statement_id),
    position BIGINT NOT NULL,
    claim_id TEXT NOT NULL,
    date_of_service TEXT NOT NULL,
    description TEXT NOT NULL,
    charges BIGINT NOT NULL,
    insurance_paid BIGINT NOT NULL,
    adjustments BIGINT NOT NULL,
    patient_paid BIGINT NOT NULL,
    patient_due BIGINT NOT NULL,
    PRIMARY KEY (statement_id, position)
);
