-- 0003_audio: the render cache (node-local). A row says: rendering this
-- key (hash of engine, engine version, canonical voice, prepared text,
-- lexicon and audio settings) gave this blob. The blob itself lives in
-- DATA/blobs/ under the BLAKE2b-256 of its bytes. Blobs no row (or other
-- table) references are garbage-collected.
-- Migrations run inside a transaction: no BEGIN/COMMIT here.
CREATE TABLE render_cache (
  key         BLOB PRIMARY KEY CHECK (length(key) = 32),
  blob        BLOB NOT NULL CHECK (length(blob) = 32),
  size        INTEGER NOT NULL CHECK (size >= 0),   -- bytes of the blob
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
  created     INTEGER NOT NULL                      -- unix seconds
) WITHOUT ROWID;
CREATE INDEX render_cache_blob ON render_cache(blob);
