-- 0004_log: the signed log (source of truth) and the replicated project
-- state derived from it (node/LOG.md). log_* tables hold entries as
-- received; st_* tables are a pure function of the valid entries and are
-- dropped and refilled by `glowtalk rebuild-state`.
-- Migrations run inside a transaction: no BEGIN/COMMIT here.

-- Every accepted entry, exactly as signed.
CREATE TABLE log_entries (
  author   BLOB NOT NULL,      -- 32 B Ed25519 key
  seq      INTEGER NOT NULL,   -- 1-based per author
  id       BLOB NOT NULL,      -- 32 B entry id
  lamport  INTEGER NOT NULL,
  op       INTEGER NOT NULL,   -- Entry.op field number, 0 = unknown
  entry    BLOB NOT NULL,      -- Entry bytes as signed
  sig      BLOB NOT NULL,      -- 64 B
  received_ms INTEGER NOT NULL,-- local wall clock, display only
  PRIMARY KEY (author, seq)
) WITHOUT ROWID;
-- Duplicates are found by (author, seq) then id, so no index on id: one
-- b-tree per insert keeps verify + apply cheap (docs/PERFORMANCE.md).

-- Fork proofs: a second valid entry at an (author, seq) already held.
CREATE TABLE log_forks (
  author   BLOB NOT NULL,
  seq      INTEGER NOT NULL,
  id       BLOB NOT NULL,      -- the second entry's id
  entry    BLOB NOT NULL,
  sig      BLOB NOT NULL,
  found_ms INTEGER NOT NULL,
  PRIMARY KEY (author, seq, id)
);
-- Authors frozen by a fork: their entries at seq >= frozen_seq are
-- ignored by the reducer and new ones are refused.
CREATE TABLE log_frozen (
  author     BLOB PRIMARY KEY,
  frozen_seq INTEGER NOT NULL
);

-- ---- derived state (st_*) -------------------------------------------

CREATE TABLE st_works (
  work_id  TEXT PRIMARY KEY,
  doc_hash BLOB NOT NULL, doc_size INTEGER NOT NULL,
  sentences INTEGER NOT NULL, posts INTEGER NOT NULL,
  source_url TEXT NOT NULL, title TEXT NOT NULL,
  lamport INTEGER NOT NULL, author BLOB NOT NULL   -- LWW key
);

-- A row exists once any op names the book; created = 1 once its
-- BookCreate is applied. Each LWW field carries its (lamport, author).
CREATE TABLE st_books (
  book     BLOB PRIMARY KEY,   -- 16 B
  created  INTEGER NOT NULL DEFAULT 0,
  work_id  TEXT, fork_of BLOB,
  creator  BLOB, create_lamport INTEGER,
  name     TEXT, name_lamport INTEGER NOT NULL DEFAULT 0,
  name_author BLOB NOT NULL DEFAULT x'',
  deleted  INTEGER NOT NULL DEFAULT 0,                -- deletes win
  cancel_lamport INTEGER NOT NULL DEFAULT 0,          -- latest cancel
  cancel_author BLOB NOT NULL DEFAULT x''
);

-- Every voice assignment ever made (kind 0 default, 1 character, 2 post,
-- 3 snippet); the current one is the highest (lamport, author) per
-- target, and a fork also sees its parent's rows older than the fork.
CREATE TABLE st_casting (
  author BLOB NOT NULL, seq INTEGER NOT NULL,
  book BLOB NOT NULL, kind INTEGER NOT NULL,
  target TEXT NOT NULL,       -- character, or ''
  first INTEGER NOT NULL, last INTEGER NOT NULL, -- post or sentences
  voice TEXT NOT NULL, lamport INTEGER NOT NULL,
  -- One b-tree, ordered for lookups by target; (author, seq) makes each
  -- entry's row unique.
  PRIMARY KEY (book, kind, target, first, author, seq)
) WITHOUT ROWID;

CREATE TABLE st_lexicon (
  author BLOB NOT NULL, seq INTEGER NOT NULL,
  book BLOB NOT NULL, word TEXT NOT NULL, pron TEXT NOT NULL,
  lamport INTEGER NOT NULL,
  PRIMARY KEY (book, word, author, seq)
) WITHOUT ROWID;

-- One row per requested sentence; the latest request (by lamport,
-- author) sets take and priority. Pending = no satisfying result and the
-- request is newer than the book's latest cancel.
CREATE TABLE st_tasks (
  book BLOB NOT NULL, sentence INTEGER NOT NULL,
  take INTEGER NOT NULL, priority INTEGER NOT NULL,
  req_lamport INTEGER NOT NULL, req_author BLOB NOT NULL,
  PRIMARY KEY (book, sentence)
) WITHOUT ROWID;

-- Claims, one row per run of sentences.
CREATE TABLE st_claims (
  author BLOB NOT NULL, seq INTEGER NOT NULL,
  first INTEGER NOT NULL, last INTEGER NOT NULL,   -- inclusive
  book BLOB NOT NULL, claim_id BLOB NOT NULL,      -- entry id
  lease_ms INTEGER NOT NULL, lamport INTEGER NOT NULL,
  supersedes BLOB,                                 -- entry id or NULL
  renew_lamport INTEGER NOT NULL,                  -- max of renewals
  released INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (author, seq, first)
) WITHOUT ROWID;
CREATE INDEX st_claims_book ON st_claims(book, first);
CREATE INDEX st_claims_id ON st_claims(claim_id);   -- supersede chains

-- Results: grow-only; the chosen one per (book, sentence, take) is the
-- lowest (lamport, author) newer than the task's request.
CREATE TABLE st_results (
  book BLOB NOT NULL, sentence INTEGER NOT NULL, take INTEGER NOT NULL,
  author BLOB NOT NULL, seq INTEGER NOT NULL, lamport INTEGER NOT NULL,
  blob BLOB NOT NULL, size INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
  context BLOB NOT NULL, claim_seq INTEGER NOT NULL,
  PRIMARY KEY (book, sentence, take, author, seq)
) WITHOUT ROWID;

CREATE TABLE st_failures (
  book BLOB NOT NULL, sentence INTEGER NOT NULL,
  author BLOB NOT NULL, seq INTEGER NOT NULL, lamport INTEGER NOT NULL,
  error TEXT NOT NULL,
  PRIMARY KEY (book, sentence, author, seq)
) WITHOUT ROWID;

-- Membership operations as logged (raw), then the effective membership
-- computed from them in total order (lamport, author, seq).
CREATE TABLE st_member_ops (
  author BLOB NOT NULL, seq INTEGER NOT NULL, lamport INTEGER NOT NULL,
  op INTEGER NOT NULL,
  invite_id BLOB, node BLOB, invite_key BLOB,
  expires_ms INTEGER, max_uses INTEGER, text TEXT,
  PRIMARY KEY (author, seq)
);
CREATE TABLE st_members (
  node BLOB PRIMARY KEY,
  name TEXT NOT NULL,
  admit_lamport INTEGER NOT NULL, admit_author BLOB NOT NULL,
  invite_id BLOB,                 -- NULL for the founder
  removed_lamport INTEGER,        -- NULL while a member; entries with a
  removed_author BLOB,            -- key >= (removed_lamport, removed_author)
  removed_by BLOB                 -- are ignored
);
CREATE TABLE st_invites (
  invite_id BLOB PRIMARY KEY,
  creator BLOB NOT NULL, invite_key BLOB NOT NULL,
  expires_ms INTEGER NOT NULL, max_uses INTEGER NOT NULL,
  uses INTEGER NOT NULL, revoked INTEGER NOT NULL
);
CREATE TABLE st_addrs (
  node BLOB PRIMARY KEY, addrs TEXT NOT NULL, lamport INTEGER NOT NULL
);
