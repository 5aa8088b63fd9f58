-- 0005_works_docs: work documents that travel in the log (node/works.h).
-- A doc blob named by an ImportWork that failed validation is remembered
-- here so the daemon does not parse it again on every pass; a new
-- ImportWork (a new doc hash) is tried afresh.
-- Migrations run inside a transaction: no BEGIN/COMMIT here.
CREATE TABLE work_doc_refused (
  doc_hash BLOB PRIMARY KEY,           -- 32 B BLAKE2b of the doc blob
  reason   TEXT NOT NULL
) WITHOUT ROWID;
