-- Prices (SQLite): the charge master and payer fee schedules, each a set of
-- versions by the date they take effect. A version is replaced whole, so a
-- code left out of a newer version has no price from that date on.

CREATE TABLE charge_master_versions (
    effective_from TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL
);

CREATE TABLE charge_master_entries (
    effective_from TEXT NOT NULL REFERENCES charge_master_versions (effective_from),
    code TEXT NOT NULL,
    -- Empty for the unmodified price.
    modifier TEXT NOT NULL,
    -- Cents per unit.
    price BIGINT NOT NULL CHECK (price >= 0),
    revenue_code TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (effective_from, code, modifier)
);

CREATE TABLE fee_schedules (
    fee_schedule_id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE fee_schedule_versions (
    fee_schedule_id TEXT NOT NULL REFERENCES fee_schedules (fee_schedule_id),
    effective_from TEXT NOT NULL,
    -- Dollars per RVU as decimal text (exact; never a float); empty if none.
    conversion_factor TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (fee_schedule_id, effective_from)
);

CREATE TABLE fee_schedule_entries (
    fee_schedule_id TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    code TEXT NOT NULL,
    modifier TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('fixed', 'percent_of_charge', 'rvu')),
    -- Cents per unit (fixed only).
    amount BIGINT,
    -- Basis points of the charge master price (percent_of_charge only).
    basis_points BIGINT,
    -- Relative value units as decimal text (rvu only).
    rvu TEXT,
    PRIMARY KEY (fee_schedule_id, effective_from, code, modifier),
    FOREIGN KEY (fee_schedule_id, effective_from)
        REFERENCES fee_schedule_versions (fee_schedule_id, effective_from)
);
