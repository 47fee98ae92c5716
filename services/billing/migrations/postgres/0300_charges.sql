-- Charges (PostgreSQL): each release of an encounter coding sent, as billing
-- received it, and the charges priced (or held) from its lines. A release
-- is stored once: the same event delivered twice finds it and adds nothing.

CREATE TABLE released_encounters (
    encounter_id TEXT NOT NULL,
    release_number BIGINT NOT NULL,
    -- Patient data: never logged.
    patient_mrn TEXT NOT NULL,
    -- The registered patient with that MRN; empty when none is registered.
    patient_id TEXT NOT NULL,
    -- The payer whose fee schedule priced the lines; empty for the charge
    -- master alone.
    payer_id TEXT NOT NULL,
    rendering_provider_npi TEXT NOT NULL,
    -- Empty when coding sent none.
    first_date_of_service TEXT NOT NULL,
    last_date_of_service TEXT NOT NULL,
    place_of_service TEXT NOT NULL,
    encounter_type TEXT NOT NULL
        CHECK (encounter_type IN ('professional', 'outpatient', 'inpatient', 'unspecified')),
    -- ICD-10-CM codes without dots, in order, comma separated (the line
    -- diagnosis pointers index this list).
    diagnoses TEXT NOT NULL,
    replaces_claim_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (encounter_id, release_number)
);

CREATE TABLE charges (
    charge_id TEXT PRIMARY KEY,
    encounter_id TEXT NOT NULL,
    release_number BIGINT NOT NULL,
    -- 1-based position of the line in the release.
    line_number BIGINT NOT NULL,
    patient_id TEXT NOT NULL,
    code TEXT NOT NULL,
    -- Up to four, comma separated, in order.
    modifiers TEXT NOT NULL,
    units BIGINT NOT NULL,
    diagnosis_pointers TEXT NOT NULL,
    -- Empty when neither the line nor the encounter had one.
    date_of_service TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('priced', 'held')),
    -- Cents for all units; NULL exactly when held (a held charge is never $0).
    amount BIGINT CHECK ((status = 'priced') = (amount IS NOT NULL)),
    hold_reason TEXT NOT NULL,
    revenue_code TEXT NOT NULL,
    -- The claim that bills it; NULL while unbilled.
    claim_id TEXT,
    UNIQUE (encounter_id, release_number, line_number),
    FOREIGN KEY (encounter_id, release_number)
        REFERENCES released_encounters (encounter_id, release_number)
);
CREATE INDEX charges_by_patient ON charges (patient_id, charge_id);
