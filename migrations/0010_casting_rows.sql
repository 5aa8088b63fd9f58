-- st_casting as an append-only table plus one lookup index (node/LOG.md,
-- "Receiving an entry"; docs/PERFORMANCE.md, "Signed log and reducer").
-- Keyed by target, every casting edit landed at a random place in one
-- wide b-tree and dirtied most of its pages per transaction, all of them
-- written to the WAL at commit. Rows now append in log order and only the
-- narrow index takes random inserts. Same columns in the same order, so
-- the canonical dump (ORDER BY author, seq) and state_hash are unchanged.
CREATE TABLE st_casting_rows (
  author BLOB NOT NULL, seq INTEGER NOT NULL,
  book BLOB NOT NULL, kind INTEGER NOT NULL,
  target TEXT NOT NULL,       -- character, or ''
  first INTEGER NOT NULL, last INTEGER NOT NULL, -- post or sentences
  voice TEXT NOT NULL, lamport INTEGER NOT NULL
);
INSERT INTO st_casting_rows SELECT * FROM st_casting ORDER BY author, seq;
DROP TABLE st_casting;
ALTER TABLE st_casting_rows RENAME TO st_casting;
CREATE INDEX st_casting_target ON st_casting(book, kind, target, first);
