-- Eligibility (270/271), and acknowledgments widened to the 271 and the
-- 277 claim status response that arrive through the same inbound folder.

ALTER TABLE acknowledgments DROP CONSTRAINT acknowledgments_transaction_type_check;
ALTER TABLE acknowledgments ADD CONSTRAINT acknowledgments_transaction_type_check
    CHECK (transaction_type IN ('999', '277CA', '271', '277'));

-- Eligibility inquiries: one 270 per CheckEligibility, answered by a 271
-- matched on its trace number (TRN02). Benefits are the 271 EB lines.
CREATE TABLE eligibility_inquiries (
    inquiry_id TEXT PRIMARY KEY,
    coverage_id TEXT NOT NULL REFERENCES coverages (coverage_id),
    date_of_service TEXT NOT NULL,
    -- Comma-separated EQ01 service type codes.
    service_types TEXT NOT NULL,
    trace_number TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'answered')),
    -- 1 when the 271 says the coverage is active (0 while pending).
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    -- EB05 of the active coverage; empty when none.
    plan TEXT NOT NULL,
    -- AAA reasons, newline separated.
    rejections TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- Empty while pending.
    answered_at TEXT NOT NULL
);
CREATE INDEX eligibility_by_coverage ON eligibility_inquiries (coverage_id, date_of_service, answered_at);

CREATE TABLE eligibility_benefits (
    inquiry_id TEXT NOT NULL REFERENCES eligibility_inquiries (inquiry_id),
    position BIGINT NOT NULL,
    -- EB01.
    info_code TEXT NOT NULL,
    -- EB03 (comma-separated when several).
    service_type TEXT NOT NULL,
    -- EB06.
    period TEXT NOT NULL,
    -- EB07 in cents; NULL when not sent.
    amount_cents BIGINT,
    -- EB08 in basis points (0.2 = 2000); 0 when not sent.
    percent_basis_points BIGINT NOT NULL,
    in_network BIGINT NOT NULL CHECK (in_network IN (0, 1)),
    PRIMARY KEY (inquiry_id, position)
);

