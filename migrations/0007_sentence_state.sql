-- 0007_sentence_state: what the log says of each requested sentence of a
-- book, kept by the reducer (node/state.c) as entries are applied, so the
-- reader's pages, progress and the queue counts read one row per sentence
-- instead of searching results, failures and claims for each.
-- Derived state: a pure function of st_tasks, st_results, st_failures,
-- st_claims and st_books (node/LOG.md, "Derived tables"). It is left out of
-- state_hash (the tables it is computed from are in it) and is dropped
-- and recomputed by `glowtalk rebuild-state`.
-- Migrations run inside a transaction: no BEGIN/COMMIT here.

-- Longest claim run (last - first) of each book, grow-only: the claims
-- covering sentence s start in [s - span, s], one index range.
CREATE TABLE st_claim_span (
  book BLOB PRIMARY KEY,
  span INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per st_tasks row (same key), with the request copied and:
-- res_*: the chosen result (for the task's take, newer than the request,
--        lowest (lamport, author));
-- fail_*: the newest failure newer than the request (highest
--        (lamport, author));
-- cl_*:  the unreleased claim covering it newer than the request with the
--        lowest (first, author, seq), the claim's st_claims key;
-- live:  the request is newer than the book's latest cancel.
CREATE TABLE st_sentence_state (
  book BLOB NOT NULL, sentence INTEGER NOT NULL,
  take INTEGER NOT NULL,
  req_lamport INTEGER NOT NULL, req_author BLOB NOT NULL,
  live INTEGER NOT NULL,
  res_lamport INTEGER, res_author BLOB, blob BLOB, size INTEGER,
  duration_ms INTEGER,
  fail_lamport INTEGER, fail_author BLOB, error TEXT,
  cl_first INTEGER, cl_author BLOB, cl_seq INTEGER,
  -- enum book_state (node/book.h): idle 0, pending 1, rendering 2,
  -- ready 3, failed 4.
  state INTEGER NOT NULL GENERATED ALWAYS AS (
    CASE WHEN blob IS NOT NULL THEN 3
         WHEN live AND fail_lamport IS NOT NULL THEN 4
         WHEN live AND cl_author IS NOT NULL THEN 2
         WHEN live THEN 1 ELSE 0 END) STORED,
  PRIMARY KEY (book, sentence)
) WITHOUT ROWID;


-- Existing stores: fill both from the tables they derive from (the same
-- computation as state.c's).
INSERT INTO st_claim_span(book, span)
  SELECT book, max(last - first) FROM st_claims GROUP BY book;

INSERT INTO st_sentence_state(book, sentence, take, req_lamport, req_author,
  live, res_lamport, res_author, blob, size, duration_ms, fail_lamport,
  fail_author, error, cl_first, cl_author, cl_seq)
SELECT t.book, t.sentence, t.take, t.req_lamport, t.req_author,
  (t.req_lamport, t.req_author) >
    (coalesce(b.cancel_lamport, 0), coalesce(b.cancel_author, x'')),
  r.lamport, r.author, r.blob, r.size, r.duration_ms,
  f.lamport, f.author, f.error,
  c.first, c.author, c.seq
FROM st_tasks t
LEFT JOIN st_books b ON b.book = t.book
LEFT JOIN st_results r ON r.book = t.book AND r.sentence = t.sentence
  AND r.take = t.take AND (r.author, r.seq) = (
    SELECT r2.author, r2.seq FROM st_results r2
    WHERE r2.book = t.book AND r2.sentence = t.sentence
      AND r2.take = t.take
      AND (r2.lamport, r2.author) > (t.req_lamport, t.req_author)
    ORDER BY r2.lamport, r2.author LIMIT 1)
LEFT JOIN st_failures f ON f.book = t.book AND f.sentence = t.sentence
  AND (f.author, f.seq) = (
    SELECT f2.author, f2.seq FROM st_failures f2
    WHERE f2.book = t.book AND f2.sentence = t.sentence
      AND (f2.lamport, f2.author) > (t.req_lamport, t.req_author)
    ORDER BY f2.lamport DESC, f2.author DESC LIMIT 1)
LEFT JOIN st_claims c ON (c.author, c.seq, c.first) = (
    SELECT c2.author, c2.seq, c2.first FROM st_claims c2
    WHERE c2.book = t.book AND c2.released = 0
      AND c2.first BETWEEN t.sentence - coalesce(
        (SELECT s.span FROM st_claim_span s WHERE s.book = t.book), 0)
        AND t.sentence
      AND c2.last >= t.sentence
      AND (c2.lamport, c2.author) > (t.req_lamport, t.req_author)
    ORDER BY c2.first, c2.author, c2.seq LIMIT 1);

-- ---- story order with what a page shows ---------------------------------
-- The reader's pages read the sentence's text and its post's speaker from
-- the materialised story order (node/storyorder.h) instead of seeking
-- work_sentences and work_posts per sentence: work_order gets each
-- sentence's text and paragraph, work_post_order each post's. Both are
-- rebuilt on first use (the done marks are dropped here).
DROP TABLE work_order;
CREATE TABLE work_order (
  work_id     TEXT NOT NULL,
  idx         INTEGER NOT NULL,        -- sentence's place in story order
  pidx        INTEGER NOT NULL,        -- its post's place among posts
                                       -- with sentences
  sentence_id TEXT NOT NULL,
  post_key    TEXT NOT NULL,
  para        INTEGER NOT NULL,        -- as work_sentences
  text        TEXT NOT NULL,
  PRIMARY KEY (work_id, idx)
) WITHOUT ROWID;
CREATE INDEX work_order_sid ON work_order(work_id, sentence_id);
CREATE INDEX work_order_post ON work_order(work_id, pidx);
CREATE INDEX work_order_pkey ON work_order(work_id, post_key);

-- One row per post with sentences, by its place in story order.
CREATE TABLE work_post_order (
  work_id      TEXT NOT NULL,
  pidx         INTEGER NOT NULL,
  post_key     TEXT NOT NULL,
  thread_pos   INTEGER NOT NULL,
  char_key     TEXT NOT NULL,          -- or 'narrator:' || author
  speaker      TEXT NOT NULL,          -- character, screen name, author
  author       TEXT,
  icon_url     TEXT,
  icon_keyword TEXT,
  PRIMARY KEY (work_id, pidx)
) WITHOUT ROWID;
CREATE INDEX work_post_order_thread ON work_post_order(work_id, thread_pos,
                                                       pidx);

DELETE FROM work_order_done;

-- What work_post_order copies also invalidates it.
CREATE TRIGGER work_order_p_upd2 AFTER UPDATE OF author, char_key,
  character, screenname, icon_url, icon_keyword ON work_posts BEGIN
  DELETE FROM work_order_done WHERE work_id IN (OLD.work_id, NEW.work_id);
END;

-- ---- exact sizes of exported files --------------------------------------
-- A local cache (not derived from the log): the byte size of the Ogg Opus
-- file an export produces, by book_export_key (node/book.h), which hashes
-- everything the bytes depend on. The podcast feed's enclosures give it.
CREATE TABLE export_sizes (
  key   BLOB PRIMARY KEY,   -- 32 B
  bytes INTEGER NOT NULL
) WITHOUT ROWID;
