-- The priority an encounter was submitted with. `priority` is the queue
-- priority of now (a release resets it to routine, a coding-caused denial
-- raises it), so the submitted one was not stored and read back as routine.
-- It is written at intake from now on. For encounters submitted before:
-- while never released, the queue priority is still the submitted one; for
-- the others it is no longer known and stays routine (1), what was read
-- before. The default only fills those rows; every insert writes the column.
ALTER TABLE encounters ADD COLUMN intake_priority BIGINT NOT NULL DEFAULT 1
    CHECK (intake_priority IN (1, 2));
UPDATE encounters SET intake_priority = priority
    WHERE release_count = 0 AND priority IN (1, 2);
