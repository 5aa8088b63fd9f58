-- 0002_works: imported Glowfic works (the import capability). A work is a
-- thread or a continuity; its posts, sentences and characters come from the
-- normalised work document (node/work.h). Sentence ids are stable across
-- re-imports (hash of post, text and occurrence), so audio keyed by them
-- stays valid when a story grows or a post is edited.
-- Migrations run inside a transaction: no BEGIN/COMMIT here.
CREATE TABLE works (
  work_id     TEXT PRIMARY KEY,        -- hex BLAKE2b of key
  key         TEXT NOT NULL UNIQUE,    -- "glowfic:post:ID", "glowfic:board:ID"
  source      TEXT NOT NULL,           -- URL or file of the latest import
  title       TEXT,
  doc_hash    TEXT NOT NULL,           -- BLAKE2b of the latest canonical doc
  imported_at INTEGER NOT NULL,        -- unix seconds, latest import
  imports     INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;

CREATE TABLE work_threads (
  work_id     TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,        -- reading order in the work
  glowfic_id  INTEGER NOT NULL,        -- Glowfic post id, 0 unknown
  subject     TEXT,
  description TEXT,
  board       TEXT,                    -- continuity name
  section     TEXT,                    -- sub-continuity name
  PRIMARY KEY (work_id, position)
) WITHOUT ROWID;

CREATE TABLE work_posts (
  work_id      TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE,
  post_key     TEXT NOT NULL,          -- "p<id>" OP, "r<id>" reply
  thread_pos   INTEGER NOT NULL,
  position     INTEGER NOT NULL,       -- reading order in the thread
  glowfic_id   INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('op', 'reply')),
  user_id      INTEGER NOT NULL,       -- 0 unknown
  author       TEXT,
  char_key     TEXT,                   -- NULL: narration by the author
  character_id INTEGER NOT NULL,       -- 0 unknown
  character    TEXT,
  alias        TEXT,
  screenname   TEXT,
  icon_id      INTEGER NOT NULL,
  icon_url     TEXT,
  icon_keyword TEXT,
  created_at   TEXT,
  updated_at   TEXT,
  content      TEXT,                   -- source HTML or API text
  text_hash    TEXT NOT NULL,          -- hash of its sentences: edit check
  words        INTEGER NOT NULL,
  PRIMARY KEY (work_id, post_key)
); -- a rowid table: rows carry whole posts (SQLite advises against large
   -- rows WITHOUT ROWID)
CREATE INDEX work_posts_order ON work_posts(work_id, thread_pos, position);
CREATE INDEX work_posts_char ON work_posts(work_id, char_key, thread_pos,
                                           position);

CREATE TABLE work_sentences (
  work_id     TEXT NOT NULL,
  sentence_id TEXT NOT NULL,           -- stable, see node/work.h
  post_key    TEXT NOT NULL,
  position    INTEGER NOT NULL,        -- order in the post
  para        INTEGER NOT NULL,        -- paragraph index in the post
  pause       INTEGER NOT NULL,        -- blank paragraphs before it
  emph        INTEGER NOT NULL,        -- 1 if any of it is emphasised
  text        TEXT NOT NULL CHECK (text <> ''),
  PRIMARY KEY (work_id, sentence_id),
  FOREIGN KEY (work_id, post_key) REFERENCES work_posts(work_id, post_key)
    ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX work_sentences_post ON work_sentences(work_id, post_key,
                                                   position);

CREATE TABLE work_characters (
  work_id      TEXT NOT NULL REFERENCES works(work_id) ON DELETE CASCADE,
  char_key     TEXT NOT NULL,          -- "c:<id>" or name/screenname/author
  character_id INTEGER NOT NULL,
  name         TEXT NOT NULL,
  screenname   TEXT,
  author       TEXT,
  user_id      INTEGER NOT NULL,
  icon_url     TEXT,                   -- icon of its first post with one
  icon_keyword TEXT,
  posts        INTEGER NOT NULL,
  words        INTEGER NOT NULL,
  samples      TEXT NOT NULL,          -- JSON array of its first post keys
  PRIMARY KEY (work_id, char_key)
) WITHOUT ROWID;
