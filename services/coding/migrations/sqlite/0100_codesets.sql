-- Code sets by date of service (issue 4). Every load is a release; a new
-- release never deletes or rewrites an older one, so history stays
-- answerable. Dates are TEXT 'YYYY-MM-DD' (they compare as text); a NULL end
-- date means "still in effect". Readers use the newest release of a kind
-- (by effective_from, then loaded_at) unless a row carries its own dates.

-- One load of one code set.
CREATE TABLE code_set_releases (
    release_id TEXT PRIMARY KEY,
    system TEXT NOT NULL CHECK (system IN ('ICD10CM', 'ICD10PCS', 'CPT', 'HCPCS', 'MODIFIER')),
    -- codes: a code list (tabular, order file, CPT file, HCPCS, modifiers);
    -- validity: per-code validity periods (MCE, I/OCE);
    -- ncci_ptp / mue: edit tables.
    kind TEXT NOT NULL CHECK (kind IN ('codes', 'validity', 'ncci_ptp', 'mue')),
    -- The care setting of an edit table ('hospital_outpatient',
    -- 'practitioner', 'dme'); '' for code lists and validity. The newest
    -- release is chosen per (system, kind, scope).
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    -- First date of service the release governs.
    effective_from TEXT NOT NULL,
    -- The package member or file it came from, and that file's sha256.
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    code_count BIGINT NOT NULL,
    loaded_at TEXT NOT NULL,
    -- Loading the same bytes again is a no-op, not a second release.
    UNIQUE (system, kind, scope, name, sha256)
);

-- The codes of a 'codes' release. CPT and CDT descriptors from public
-- sources are never stored (description '').
CREATE TABLE codes (
    release_id TEXT NOT NULL REFERENCES code_set_releases (release_id),
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    is_header BIGINT NOT NULL CHECK (is_header IN (0, 1)),
    description TEXT NOT NULL,
    -- The parent heading, '' at the top.
    parent TEXT NOT NULL,
    PRIMARY KEY (release_id, code)
);
CREATE INDEX codes_by_code ON codes (system, code);

-- ICD-10-CM tabular instructional notes, in tabular order per code.
CREATE TABLE code_notes (
    release_id TEXT NOT NULL REFERENCES code_set_releases (release_id),
    code TEXT NOT NULL,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (release_id, code, position)
);

-- Validity periods per code (MCE for ICD-10-CM/PCS, I/OCE for HCPCS and
-- modifiers), with the MCE edits that apply during the period
-- (space-separated: 'newborn', 'maternity', 'manifestation', ...).
CREATE TABLE code_validity (
    release_id TEXT NOT NULL REFERENCES code_set_releases (release_id),
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    mce_edits TEXT NOT NULL,
    PRIMARY KEY (release_id, code, valid_from)
);
CREATE INDEX code_validity_by_code ON code_validity (system, code);

-- Ages the MCE age edits allow, per period.
CREATE TABLE mce_age_ranges (
    release_id TEXT NOT NULL REFERENCES code_set_releases (release_id),
    edit TEXT NOT NULL,
    low_age BIGINT NOT NULL,
    high_age BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    PRIMARY KEY (release_id, edit, valid_from)
);

-- I/OCE attributes of HCPCS codes per period.
CREATE TABLE hcpcs_attributes (
    release_id TEXT NOT NULL REFERENCES code_set_releases (release_id),
    code TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    -- OPPS status indicator and APC ('' when none).
    status_indicator TEXT NOT NULL,
    apc TEXT NOT NULL,
    low_age BIGINT NOT NULL,
    high_age BIGINT NOT NULL,
    PRIMARY KEY (release_id, code, valid_from)
);

-- I/OCE attributes of modifiers per period.
CREATE TABLE modifier_attributes (
    release_id TEXT NOT NULL REFERENCES code_set_releases (release_id),
    modifier TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    -- May bypass an NCCI PTP edit whose modifier indicator is 1.
    ncci_bypass BIGINT NOT NULL CHECK (ncci_bypass IN (0, 1)),
    telehealth BIGINT NOT NULL CHECK (telehealth IN (0, 1)),
    PRIMARY KEY (release_id, modifier, valid_from)
);

-- NCCI procedure-to-procedure pairs: column 2 is not paid with column 1 on
-- the same date unless the modifier indicator (0 never, 1 with an NCCI
-- modifier, 9 not applicable) allows it.
CREATE TABLE ncci_ptp_pairs (
    release_id TEXT NOT NULL REFERENCES code_set_releases (release_id),
    -- 'hospital_outpatient' or 'practitioner'.
    setting TEXT NOT NULL CHECK (setting IN ('hospital_outpatient', 'practitioner')),
    column1 TEXT NOT NULL,
    column2 TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    -- Last day in effect; NULL while in effect.
    effective_to TEXT,
    modifier_indicator BIGINT NOT NULL CHECK (modifier_indicator IN (0, 1, 9)),
    rationale TEXT NOT NULL
);
CREATE INDEX ncci_ptp_by_pair ON ncci_ptp_pairs (column1, column2);

-- Medically unlikely edits: most units of a code per line or per day.
CREATE TABLE mue_values (
    release_id TEXT NOT NULL REFERENCES code_set_releases (release_id),
    -- 'practitioner', 'hospital_outpatient' or 'dme'.
    setting TEXT NOT NULL,
    code TEXT NOT NULL,
    mue_value BIGINT NOT NULL,
    -- 1 line edit, 2 date of service (policy), 3 date of service (clinical).
    adjudication_indicator BIGINT NOT NULL CHECK (adjudication_indicator IN (1, 2, 3)),
    rationale TEXT NOT NULL,
    PRIMARY KEY (release_id, setting, code)
);
