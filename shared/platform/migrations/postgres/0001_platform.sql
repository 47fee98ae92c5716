-- Tables every medbill service has, whatever its domain: the transactional
-- outbox it publishes from, the cursors and applied-event ids of the feeds it
-- consumes, and the append-only audit log of patient-data access.
-- Platform migrations are numbered below 100; a service's own start at 100.

-- One row: the last sequence handed out. Taking the next numbers is an UPDATE
-- of this row, which holds its row lock until the transaction ends, so
-- sequence order is commit order and a reader never sees sequence N+1 before N
-- (a SEQUENCE or IDENTITY column would not give that: numbers are handed out
-- at insert time and transactions commit in any order).
CREATE TABLE outbox_sequence (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    last_value BIGINT NOT NULL
);
INSERT INTO outbox_sequence (id, last_value) VALUES (1, 0);

CREATE TABLE outbox_events (
    sequence BIGINT PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    payload BYTEA NOT NULL
);

-- Where each consumer of another service's feed has got to.
CREATE TABLE consumer_cursors (
    consumer TEXT PRIMARY KEY,
    last_sequence BIGINT NOT NULL
);

-- Ids of events a consumer has applied; a redelivered event is skipped.
CREATE TABLE consumed_events (
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);

-- Who read or changed which patient record, when. Rows are only inserted.
CREATE TABLE audit_log (
    audit_id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    rpc TEXT NOT NULL
);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id);
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
