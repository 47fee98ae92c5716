-- A claim's adjudications, newest last (the primary's adjudication a
-- secondary claim carries, read when it is built and again when it is
-- batched; the first adjudication of each claim in the analytics). The
-- primary key leads with remittance_id, so each of those reads scanned
-- the whole table.
CREATE INDEX adjudications_by_claim ON adjudications (claim_id, received_at);
