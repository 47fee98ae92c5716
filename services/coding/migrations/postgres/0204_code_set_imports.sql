-- Each import of the fetched public code sets (`medbill up` on first start,
-- `medbill codes import`): a row when it starts, finished_at once its last
-- release is committed. Each release commits on its own, so while the
-- newest import is unfinished the loaded code sets are partial (ICD-10-CM
-- without the NCCI pairs, say) and releasing coding is blocked. Code sets
-- loaded file by file (`--file`) are single releases and record no import.
CREATE TABLE code_set_imports (
    import_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
