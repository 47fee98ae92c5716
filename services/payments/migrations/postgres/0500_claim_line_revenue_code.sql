-- The NUBC revenue code of an institutional (837I) claim line: an 835 may
-- return such a line as SVC*NU:<revenue code> without its HCPCS code.
ALTER TABLE claim_lines ADD COLUMN revenue_code TEXT NOT NULL DEFAULT '';
