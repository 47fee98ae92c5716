-- Coding audits: random samples of released encounters drawn for a coding
-- auditor, and the auditor's verdict on each (codes right, wrong, missing),
-- from which coder accuracy is reported.
CREATE TABLE audit_samples (
    sample_id TEXT PRIMARY KEY,
    auditor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    released_from TEXT NOT NULL,
    released_to TEXT NOT NULL,
    -- Empty when sampled across every coder.
    coder TEXT NOT NULL
);

CREATE TABLE audit_sample_items (
    sample_id TEXT NOT NULL REFERENCES audit_samples (sample_id),
    encounter_id TEXT NOT NULL REFERENCES encounters (encounter_id),
    -- The coder who released the encounter.
    coder TEXT NOT NULL,
    PRIMARY KEY (sample_id, encounter_id)
);

CREATE TABLE audit_outcomes (
    outcome_id TEXT PRIMARY KEY,
    sample_id TEXT NOT NULL,
    encounter_id TEXT NOT NULL,
    coder TEXT NOT NULL,
    auditor TEXT NOT NULL,
    codes_correct BIGINT NOT NULL CHECK (codes_correct >= 0),
    codes_wrong BIGINT NOT NULL CHECK (codes_wrong >= 0),
    codes_missing BIGINT NOT NULL CHECK (codes_missing >= 0),
    comment TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (sample_id, encounter_id),
    FOREIGN KEY (sample_id, encounter_id) REFERENCES audit_sample_items (sample_id, encounter_id)
);
CREATE INDEX audit_outcomes_coder ON audit_outcomes (coder, recorded_at);
