-- Encounters and the coding workbench (PostgreSQL). Coding lives in child rows (one per
-- diagnosis and per procedure line) so edits and reports can query it; the
-- history keeps before/after snapshots as JSON.

CREATE TABLE encounters (
    encounter_id TEXT PRIMARY KEY,
    source_system TEXT NOT NULL,
    source_encounter_id TEXT NOT NULL,
    patient_mrn TEXT NOT NULL,
    patient_age_years BIGINT NOT NULL CHECK (patient_age_years BETWEEN 0 AND 124),
    patient_sex TEXT NOT NULL CHECK (patient_sex IN ('female', 'male', 'unknown')),
    rendering_provider_npi TEXT NOT NULL,
    dos_start TEXT NOT NULL,
    dos_end TEXT NOT NULL,
    place_of_service TEXT NOT NULL,
    encounter_type TEXT NOT NULL CHECK (encounter_type IN ('professional', 'outpatient', 'inpatient')),
    documentation TEXT NOT NULL,
    payer_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ready', 'in_progress', 'on_hold', 'released')),
    priority BIGINT NOT NULL CHECK (priority BETWEEN 1 AND 3),
    assigned_coder TEXT,
    received_at TEXT NOT NULL,
    claimed_at TEXT,
    released_at TEXT,
    -- Every change bumps it; SaveCoding compares it (optimistic concurrency).
    version BIGINT NOT NULL,
    release_count BIGINT NOT NULL DEFAULT 0,
    -- Latest edit findings (JSON array), and whether the first check of this
    -- round had an error (for the edit-rate report).
    findings TEXT NOT NULL DEFAULT '[]',
    first_check_had_error BIGINT,
    -- Set while the encounter is re-opened by a coding-caused denial.
    rework_claim_id TEXT,
    rework_carc TEXT,
    rework_rarc TEXT,
    rework_note TEXT,
    rework_requested_at TEXT,
    UNIQUE (source_system, source_encounter_id)
);
-- The queue order: priority first, then age.
CREATE INDEX encounters_queue ON encounters (status, priority DESC, received_at, encounter_id);
CREATE INDEX encounters_coder ON encounters (assigned_coder, status);

-- kind: 'proposed' (from the source system) or 'coded' (saved by a coder).
CREATE TABLE encounter_diagnoses (
    encounter_id TEXT NOT NULL REFERENCES encounters (encounter_id),
    kind TEXT NOT NULL CHECK (kind IN ('proposed', 'coded')),
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    present_on_admission TEXT NOT NULL,
    PRIMARY KEY (encounter_id, kind, position)
);

CREATE TABLE encounter_lines (
    encounter_id TEXT NOT NULL REFERENCES encounters (encounter_id),
    kind TEXT NOT NULL CHECK (kind IN ('proposed', 'coded')),
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    -- Up to four two-character modifiers, comma-separated, in order.
    modifiers TEXT NOT NULL,
    units BIGINT NOT NULL CHECK (units >= 1),
    -- 1-based diagnosis positions, comma-separated, in order.
    diagnosis_pointers TEXT NOT NULL,
    date_of_service TEXT NOT NULL,
    revenue_code TEXT NOT NULL,
    PRIMARY KEY (encounter_id, kind, position)
);

-- Questions to physicians while an encounter is on hold.
CREATE TABLE encounter_queries (
    query_id TEXT PRIMARY KEY,
    encounter_id TEXT NOT NULL REFERENCES encounters (encounter_id),
    question TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    answer TEXT,
    answered_at TEXT
);
CREATE INDEX encounter_queries_encounter ON encounter_queries (encounter_id);

-- Every change to an encounter: who, when, what, coding before and after.
CREATE TABLE encounter_changes (
    change_id TEXT PRIMARY KEY,
    encounter_id TEXT NOT NULL REFERENCES encounters (encounter_id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    before_coding TEXT,
    after_coding TEXT,
    at TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX encounter_changes_encounter ON encounter_changes (encounter_id, at);
CREATE INDEX encounter_changes_actor ON encounter_changes (actor, action, at);
