-- An encounter's claims at a payer rank (the standing claims a new claim
-- or a replacement is checked against, ListClaims by encounter). The only
-- index on encounter_id was the partial one for originals
-- (claims_one_original_per_release), which a lookup of every frequency
-- cannot use: each claim built scanned the whole table.
CREATE INDEX claims_by_encounter ON claims (encounter_id, payer_rank);
