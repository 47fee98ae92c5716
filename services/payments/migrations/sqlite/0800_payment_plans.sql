-- Payment plans (SQLite): an installment schedule for a guarantor's
-- balance. What was paid is not stored here: patient payments on the
-- account received on or after the plan's creation day apply to the
-- installments in order. The status is stored once it leaves `active`
-- (completed, defaulted after the policy's missed installments, cancelled).

CREATE TABLE payment_plans (
    plan_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES guarantor_accounts (account_id),
    status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'defaulted', 'cancelled')),
    total BIGINT NOT NULL CHECK (total > 0),
    installment_amount BIGINT NOT NULL CHECK (installment_amount > 0),
    due_day BIGINT NOT NULL CHECK (due_day BETWEEN 1 AND 28),
    start_date TEXT NOT NULL,
    -- Payments received on or after this day count toward the plan.
    created_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    closed_on TEXT,
    close_reason TEXT NOT NULL DEFAULT ''
);
-- At most one active plan per account.
CREATE UNIQUE INDEX payment_plans_one_active ON payment_plans (account_id) WHERE status = 'active';
CREATE INDEX payment_plans_account ON payment_plans (account_id, plan_id);

CREATE TABLE payment_plan_installments (
    plan_id TEXT NOT NULL REFERENCES payment_plans (plan_id),
    number BIGINT NOT NULL CHECK (number >= 1),
    due_on TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    PRIMARY KEY (plan_id, number)
);
