-- Claims, batches and acknowledgments (PostgreSQL).
-- The submitter profile: who billing is at the clearinghouse (loop 1000A,
-- the interchange ids), whom it sends to (loop 1000B) and which registered
-- organization bills (loop 2010AA). One row; claims built before it is set
-- are held by the scrubber.
CREATE TABLE submitter_profile (
    profile_id BIGINT PRIMARY KEY CHECK (profile_id = 1),
    billing_provider_id TEXT NOT NULL,
    submitter_name TEXT NOT NULL,
    submitter_id TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    receiver_name TEXT NOT NULL,
    receiver_id TEXT NOT NULL,
    interchange_sender_id TEXT NOT NULL,
    interchange_receiver_id TEXT NOT NULL,
    usage_indicator TEXT NOT NULL CHECK (usage_indicator IN ('T', 'P')),
    updated_at TEXT NOT NULL
);

-- Counters for X12 control numbers and patient control numbers. Taken with
-- `UPDATE ... RETURNING` inside the transaction that uses them, so two
-- batches never share a number and a rolled-back batch gives its back.
CREATE TABLE control_numbers (
    name TEXT PRIMARY KEY,
    last_value BIGINT NOT NULL
);
INSERT INTO control_numbers (name, last_value) VALUES
    ('interchange', 0), ('group', 0), ('transaction', 0), ('patient_control', 0);

CREATE TABLE claims (
    claim_id TEXT PRIMARY KEY,
    encounter_id TEXT NOT NULL,
    release_number BIGINT NOT NULL,
    patient_id TEXT NOT NULL,
    coverage_id TEXT NOT NULL,
    payer_id TEXT NOT NULL,
    payer_rank BIGINT NOT NULL CHECK (payer_rank BETWEEN 1 AND 3),
    claim_type TEXT NOT NULL CHECK (claim_type IN ('professional', 'institutional')),
    -- CLM01, at most 20 characters, new for every claim (a replacement gets
    -- its own); the 835's CLP01 and the 277CA's TRN02 echo it.
    patient_control_number TEXT NOT NULL UNIQUE,
    frequency_code TEXT NOT NULL CHECK (frequency_code IN ('1', '7', '8')),
    replaces_claim_id TEXT NOT NULL,
    -- CLP07 of the payer's remittance once known; REF*F8 of a replacement.
    payer_claim_number TEXT NOT NULL,
    billing_provider_npi TEXT NOT NULL,
    rendering_provider_npi TEXT NOT NULL,
    place_of_service TEXT NOT NULL,
    -- 837I: facility type + frequency, e.g. '131'; empty for 837P.
    type_of_bill TEXT NOT NULL,
    -- ICD-10-CM codes without dots, in order, comma separated.
    diagnoses TEXT NOT NULL,
    prior_authorization TEXT NOT NULL,
    total_charge BIGINT NOT NULL CHECK (total_charge >= 0),
    first_date_of_service TEXT NOT NULL,
    last_date_of_service TEXT NOT NULL,
    -- The status dimensions, each changed only with a claim_history row.
    submission TEXT NOT NULL
        CHECK (submission IN ('held', 'ready', 'submitted', 'accepted', 'rejected')),
    adjudication TEXT NOT NULL
        CHECK (adjudication IN ('none', 'paid', 'partly_paid', 'denied', 'reversed', 'forwarded')),
    balance_owner TEXT NOT NULL CHECK (balance_owner IN ('insurance', 'patient', 'settled')),
    lifecycle TEXT NOT NULL CHECK (lifecycle IN ('active', 'replaced', 'voided')),
    -- The last batch that carried it; empty before the first.
    batch_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    paid BIGINT NOT NULL,
    patient_responsibility BIGINT NOT NULL
);
-- One claim per release, payer rank and frequency: a release delivered
-- twice cannot bill twice.
CREATE UNIQUE INDEX claims_one_per_release
    ON claims (encounter_id, release_number, payer_rank, frequency_code);
CREATE INDEX claims_ready ON claims (submission, claim_type, payer_id, claim_id);
CREATE INDEX claims_by_patient ON claims (patient_id, first_date_of_service);

CREATE TABLE claim_lines (
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    line_number BIGINT NOT NULL,
    -- REF*6R: the remittance's line echoes it.
    line_control_number TEXT NOT NULL,
    charge_id TEXT NOT NULL,
    code TEXT NOT NULL,
    modifiers TEXT NOT NULL,
    units BIGINT NOT NULL,
    charge BIGINT NOT NULL,
    diagnosis_pointers TEXT NOT NULL,
    date_of_service TEXT NOT NULL,
    revenue_code TEXT NOT NULL,
    paid BIGINT NOT NULL,
    PRIMARY KEY (claim_id, line_number)
);

-- The findings of a claim's latest scrub (replaced at each scrub).
CREATE TABLE claim_findings (
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    position BIGINT NOT NULL,
    rule_id TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
    field TEXT NOT NULL,
    message TEXT NOT NULL,
    suggested_fix TEXT NOT NULL,
    PRIMARY KEY (claim_id, position)
);

-- Every change of a status dimension: who, when, why. Append-only.
CREATE TABLE claim_history (
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    dimension TEXT NOT NULL
        CHECK (dimension IN ('submission', 'adjudication', 'balance_owner', 'lifecycle')),
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (claim_id, seq)
);

CREATE TABLE batches (
    batch_id TEXT PRIMARY KEY,
    transaction_type TEXT NOT NULL CHECK (transaction_type IN ('837P', '837I')),
    -- Empty when the batch took every payer's claims.
    payer_id TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('created', 'sent', 'accepted', 'rejected', 'partially_accepted')),
    interchange_control_number TEXT NOT NULL UNIQUE,
    group_control_number TEXT NOT NULL,
    usage_indicator TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content BYTEA NOT NULL,
    claim_count BIGINT NOT NULL,
    total_charge BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Which claim went in which transaction set (ST02) of a batch; a 999 names
-- transaction sets, so a rejection finds its claims here.
CREATE TABLE batch_claims (
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    transaction_control_number TEXT NOT NULL,
    patient_control_number TEXT NOT NULL,
    PRIMARY KEY (batch_id, claim_id)
);
CREATE INDEX batch_claims_by_claim ON batch_claims (claim_id);

-- Acknowledgments as received. The same file (by content) is applied once.
CREATE TABLE acknowledgments (
    acknowledgment_id TEXT PRIMARY KEY,
    transaction_type TEXT NOT NULL CHECK (transaction_type IN ('999', '277CA')),
    content_hash TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    content BYTEA NOT NULL,
    -- The batch it acknowledges; empty when it names none we sent.
    batch_id TEXT NOT NULL,
    claims_accepted BIGINT NOT NULL,
    claims_rejected BIGINT NOT NULL,
    -- One line per error reported, newline separated.
    errors TEXT NOT NULL,
    -- References (control numbers, patient control numbers) it named that
    -- we never sent, newline separated: recorded, never dropped.
    unmatched TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX acknowledgments_by_batch ON acknowledgments (batch_id, received_at);

-- A payer's scrubber rules: catalog rules whose severity differs for it
-- ('off' skips the rule) and the codes it pays only with an authorization.
CREATE TABLE payer_scrub_rules (
    payer_id TEXT NOT NULL REFERENCES payers (payer_id),
    rule_id TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'off')),
    PRIMARY KEY (payer_id, rule_id)
);
CREATE TABLE payer_authorization_codes (
    payer_id TEXT NOT NULL REFERENCES payers (payer_id),
    code TEXT NOT NULL,
    PRIMARY KEY (payer_id, code)
);

CREATE FUNCTION claim_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER claim_history_no_change BEFORE UPDATE OR DELETE ON claim_history
FOR EACH ROW EXECUTE FUNCTION claim_history_append_only();
