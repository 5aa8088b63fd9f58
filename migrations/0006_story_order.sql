-- Story order of each work's sentences, materialised so the reader's and
-- player's pages and sentence lookups are index seeks instead of a window
-- over the whole work (node/storyorder.h builds it on first use).
-- A work's rows are valid while work_order_done holds the work: any
-- change to its posts or sentences drops that mark (triggers below), and
-- the next reader rebuilds the rows.
CREATE TABLE work_order (
  work_id     TEXT NOT NULL,
  idx         INTEGER NOT NULL,        -- sentence's place in story order
  pidx        INTEGER NOT NULL,        -- its post's place among posts
                                       -- with sentences
  sentence_id TEXT NOT NULL,
  post_key    TEXT NOT NULL,
  PRIMARY KEY (work_id, idx)
) WITHOUT ROWID;
CREATE INDEX work_order_sid ON work_order(work_id, sentence_id);
CREATE INDEX work_order_post ON work_order(work_id, pidx);
CREATE INDEX work_order_pkey ON work_order(work_id, post_key);

CREATE TABLE work_order_done (
  work_id   TEXT PRIMARY KEY,
  sentences INTEGER NOT NULL,
  posts     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER work_order_s_ins AFTER INSERT ON work_sentences BEGIN
  DELETE FROM work_order_done WHERE work_id = NEW.work_id;
END;
CREATE TRIGGER work_order_s_del AFTER DELETE ON work_sentences BEGIN
  DELETE FROM work_order_done WHERE work_id = OLD.work_id;
END;
CREATE TRIGGER work_order_s_upd AFTER UPDATE ON work_sentences BEGIN
  DELETE FROM work_order_done WHERE work_id IN (OLD.work_id, NEW.work_id);
END;
CREATE TRIGGER work_order_p_ins AFTER INSERT ON work_posts BEGIN
  DELETE FROM work_order_done WHERE work_id = NEW.work_id;
END;
CREATE TRIGGER work_order_p_del AFTER DELETE ON work_posts BEGIN
  DELETE FROM work_order_done WHERE work_id = OLD.work_id;
END;
CREATE TRIGGER work_order_p_upd AFTER UPDATE OF thread_pos, position,
  post_key, work_id ON work_posts BEGIN
  DELETE FROM work_order_done WHERE work_id IN (OLD.work_id, NEW.work_id);
END;
