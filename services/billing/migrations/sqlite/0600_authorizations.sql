-- Prior authorizations: a payer's approval of procedure codes for a
-- patient over a range of dates of service, for a number of visits. A
-- claim built for an authorized code takes the number (REF*G1) and one
-- visit, in the transaction that stores the claim.

CREATE TABLE prior_authorizations (
    authorization_id TEXT PRIMARY KEY,
    -- The payer's authorization number (REF*G1).
    auth_number TEXT NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (patient_id),
    payer_id TEXT NOT NULL REFERENCES payers (payer_id),
    -- Comma-separated CPT/HCPCS codes, sorted.
    procedure_codes TEXT NOT NULL,
    valid_start TEXT NOT NULL,
    valid_end TEXT NOT NULL,
    visits_allowed BIGINT NOT NULL CHECK (visits_allowed > 0),
    -- Never more than allowed: the claim that would exceed it finds none.
    visits_used BIGINT NOT NULL CHECK (visits_used >= 0 AND visits_used <= visits_allowed),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (payer_id, auth_number)
);
CREATE INDEX prior_authorizations_by_patient ON prior_authorizations (patient_id, payer_id);
