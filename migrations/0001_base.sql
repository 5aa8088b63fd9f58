-- 0001_base: node-local facts that are not part of the replicated state.
-- Migrations run inside a transaction: no BEGIN/COMMIT here.
CREATE TABLE node_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
