-- Claim adjudication results from payments' feed, and denials as work
-- items classified by the CARC table.

-- CARC -> root-cause category and origin (who fixes it). Data, versioned:
-- a new version is a new set of rows; the newest version in force is used.
CREATE TABLE carc_categories (
    version TEXT NOT NULL,
    carc TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('coding', 'billing', 'eligibility',
        'authorization', 'medical_necessity', 'timely_filing', 'duplicate', 'non_covered',
        'contractual', 'other')),
    origin TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (version, carc)
);
INSERT INTO carc_categories (version, carc, category, origin, description) VALUES
    ('2026-01', '4', 'coding', 'coding team', 'procedure code inconsistent with the modifier or a required modifier is missing'),
    ('2026-01', '11', 'coding', 'coding team', 'diagnosis inconsistent with the procedure'),
    ('2026-01', '97', 'coding', 'coding team', 'payment included in the allowance for another service (bundled)'),
    ('2026-01', '236', 'coding', 'coding team', 'procedure or modifier combination not compatible with another procedure on the same day (NCCI)'),
    ('2026-01', '182', 'coding', 'coding team', 'procedure modifier missing or invalid'),
    ('2026-01', '189', 'coding', 'coding team', 'not otherwise classified or unlisted code when a specific code exists'),
    ('2026-01', '16', 'billing', 'billing team', 'claim lacks information or has submission/billing errors'),
    ('2026-01', '125', 'billing', 'billing team', 'submission/billing errors'),
    ('2026-01', '252', 'billing', 'billing team', 'an attachment or other documentation is required'),
    ('2026-01', '5', 'billing', 'billing team', 'procedure code or type of bill inconsistent with the place of service'),
    ('2026-01', '22', 'eligibility', 'front desk / registration', 'care may be covered by another payer (coordination of benefits)'),
    ('2026-01', '26', 'eligibility', 'front desk / registration', 'expenses incurred before coverage'),
    ('2026-01', '27', 'eligibility', 'front desk / registration', 'expenses incurred after coverage terminated'),
    ('2026-01', '31', 'eligibility', 'front desk / registration', 'patient cannot be identified as our insured'),
    ('2026-01', '109', 'eligibility', 'front desk / registration', 'claim not covered by this payer; send to the correct payer'),
    ('2026-01', '15', 'authorization', 'front desk / clinical', 'authorization number missing, invalid or does not apply'),
    ('2026-01', '197', 'authorization', 'front desk / clinical', 'precertification/authorization/notification absent'),
    ('2026-01', '198', 'authorization', 'front desk / clinical', 'precertification/authorization exceeded'),
    ('2026-01', '39', 'authorization', 'front desk / clinical', 'services denied at the time authorization was requested'),
    ('2026-01', '50', 'medical_necessity', 'clinical documentation', 'not deemed a medical necessity by the payer'),
    ('2026-01', '55', 'medical_necessity', 'clinical documentation', 'procedure deemed experimental or investigational'),
    ('2026-01', '56', 'medical_necessity', 'clinical documentation', 'procedure not deemed proven to be effective'),
    ('2026-01', '167', 'medical_necessity', 'clinical documentation', 'diagnosis not covered'),
    ('2026-01', '29', 'timely_filing', 'billing team', 'the time limit for filing has expired'),
    ('2026-01', '18', 'duplicate', 'billing team', 'exact duplicate claim/service'),
    ('2026-01', '96', 'non_covered', 'patient / plan', 'non-covered charge'),
    ('2026-01', '204', 'non_covered', 'patient / plan', 'service not covered under the current benefit plan'),
    ('2026-01', '119', 'non_covered', 'patient / plan', 'benefit maximum reached'),
    ('2026-01', '45', 'contractual', '', 'charge exceeds fee schedule/maximum allowable'),
    ('2026-01', '253', 'contractual', '', 'sequestration'),
    ('2026-01', '59', 'contractual', '', 'multiple or concurrent procedure rules');

CREATE TABLE adjudications (
    remittance_id TEXT NOT NULL,
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    status_code TEXT NOT NULL,
    paid BIGINT NOT NULL,
    patient_responsibility BIGINT NOT NULL,
    payer_claim_number TEXT NOT NULL,
    payment_date TEXT NOT NULL,
    -- Claim-level CAS as group:reason:cents, comma separated.
    adjustments TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (remittance_id, claim_id)
);

-- What the payer did with each line (SVC loops matched to our lines): what
-- a secondary claim reports in its 2430 loops.
CREATE TABLE adjudication_lines (
    remittance_id TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    line_number BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    paid_units BIGINT NOT NULL,
    -- Line CAS as group:reason:cents, comma separated.
    adjustments TEXT NOT NULL,
    PRIMARY KEY (remittance_id, claim_id, line_number)
);

-- A secondary (or tertiary) claim and the adjudicated claim it follows.
CREATE TABLE secondary_claims (
    claim_id TEXT PRIMARY KEY REFERENCES claims (claim_id),
    primary_claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    remittance_id TEXT NOT NULL
);

CREATE TABLE denials (
    denial_id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims (claim_id),
    remittance_id TEXT NOT NULL,
    -- Empty for a whole-claim denial.
    line_control_number TEXT NOT NULL,
    category TEXT NOT NULL,
    origin TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_coding_review', 'appealed', 'resolved')),
    carc_codes TEXT NOT NULL,
    rarc_codes TEXT NOT NULL,
    group_code TEXT NOT NULL,
    denied_amount BIGINT NOT NULL,
    payer_id TEXT NOT NULL,
    assigned_to TEXT NOT NULL,
    -- Notes, newline separated, oldest first.
    notes TEXT NOT NULL,
    denied_at TEXT NOT NULL,
    -- The payer's determination date (BPR16) and the last day to appeal.
    determined_on TEXT NOT NULL,
    appeal_deadline TEXT NOT NULL,
    resolution TEXT NOT NULL,
    UNIQUE (remittance_id, claim_id, line_control_number)
);
CREATE INDEX denials_by_status ON denials (status, category, denial_id);

CREATE TABLE appeals (
    appeal_id TEXT PRIMARY KEY,
    denial_id TEXT NOT NULL REFERENCES denials (denial_id),
    level BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'won', 'partially_won', 'lost')),
    letter TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    recovered BIGINT NOT NULL,
    outcome_note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (denial_id, level)
);
