-- The billing registry (PostgreSQL): payers, providers, patients and their
-- coverages. Patient columns are patient data: never logged, every read
-- audited (audit_log).

CREATE TABLE payers (
    payer_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- 2010BB NM109: the payer's id at the clearinghouse.
    electronic_payer_id TEXT NOT NULL,
    -- SBR09 code (MB, MA, MC, CI, BL, HM, CH, 09).
    filing_indicator TEXT NOT NULL
        CHECK (filing_indicator IN ('MB', 'MA', 'MC', 'CI', 'BL', 'HM', 'CH', '09')),
    timely_filing_days BIGINT NOT NULL CHECK (timely_filing_days > 0),
    appeal_window_days BIGINT NOT NULL CHECK (appeal_window_days > 0),
    -- Comma-separated claim forms the payer takes: '837P', '837I' or both.
    claim_forms TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    -- Empty: the default charge master prices this payer's claims.
    fee_schedule_id TEXT NOT NULL,
    -- 1 while claims may be sent to it (BIGINT: both backends read it alike).
    active BIGINT NOT NULL CHECK (active IN (0, 1))
);
CREATE INDEX payers_by_name ON payers (name, payer_id);

CREATE TABLE providers (
    provider_id TEXT PRIMARY KEY,
    npi TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    organization BIGINT NOT NULL CHECK (organization IN (0, 1)),
    -- Nine digits, or empty for a provider that does not bill.
    tax_id TEXT NOT NULL,
    taxonomy TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    postal_code TEXT NOT NULL
);

CREATE TABLE patients (
    patient_id TEXT PRIMARY KEY,
    mrn TEXT NOT NULL UNIQUE,
    name_last TEXT NOT NULL,
    name_first TEXT NOT NULL,
    name_middle TEXT NOT NULL,
    name_suffix TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('female', 'male', 'unknown')),
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    -- The guarantor account payments keeps for this patient (the patient is
    -- their own guarantor until a guarantor is registered).
    guarantor_account_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE coverages (
    coverage_id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients (patient_id),
    payer_id TEXT NOT NULL REFERENCES payers (payer_id),
    -- COB order: 1 primary, 2 secondary, 3 tertiary.
    payer_rank BIGINT NOT NULL CHECK (payer_rank BETWEEN 1 AND 3),
    member_id TEXT NOT NULL,
    group_number TEXT NOT NULL,
    relationship TEXT NOT NULL CHECK (relationship IN ('self', 'spouse', 'child', 'other')),
    -- The subscriber when not the patient (all empty for 'self').
    subscriber_last TEXT NOT NULL,
    subscriber_first TEXT NOT NULL,
    subscriber_birth_date TEXT NOT NULL,
    subscriber_sex TEXT NOT NULL,
    effective_start TEXT NOT NULL,
    -- Empty while open-ended.
    effective_end TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX coverages_by_patient ON coverages (patient_id, payer_rank);
