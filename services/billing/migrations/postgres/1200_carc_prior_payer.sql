-- CARC table version 2026-12: version 2026-01 plus CARC 23, the impact of
-- the prior payer's adjudication on a secondary or tertiary claim (its
-- payment and adjustments, reported OA-23): not a denial, so it is classed
-- with the contractual codes that open no work item.
INSERT INTO carc_categories (version, carc, category, origin, description)
SELECT '2026-12', carc, category, origin, description
FROM carc_categories WHERE version = '2026-01';
INSERT INTO carc_categories (version, carc, category, origin, description) VALUES
    ('2026-12', '23', 'contractual', '', 'impact of prior payer(s) adjudication including payments and/or adjustments');
