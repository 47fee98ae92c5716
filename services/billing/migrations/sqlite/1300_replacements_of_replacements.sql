-- One original claim per release and payer rank, as before; but a claim
-- may be corrected more than once (a corrected claim the payer denies
-- again is corrected again, each frequency 7 naming the payer's claim
-- number), so replacements and voids are no longer limited to one each.
DROP INDEX claims_one_per_release;
CREATE UNIQUE INDEX claims_one_original_per_release
    ON claims (encounter_id, release_number, payer_rank) WHERE frequency_code = '1';
