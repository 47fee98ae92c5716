-- One row per denied claim sent back for re-coding: a retried or repeated
-- CodingReviewRequested for a claim already reworked must not re-open the
-- encounter again (it would re-open a release that already replaced it).
CREATE TABLE encounter_reworks (
    encounter_id TEXT NOT NULL REFERENCES encounters (encounter_id),
    claim_id TEXT NOT NULL,
    denial_id TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    PRIMARY KEY (encounter_id, claim_id)
);
