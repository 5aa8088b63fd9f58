-- 0011_order_mark_cleared_by_writer: the story-order mark of a work
-- (work_order_done, migration 0006) is cleared once per save by its only
-- writer, node/work_store.c, instead of by a trigger on every post and
-- sentence row: the triggers cost about 7 us per inserted row and made
-- every insert a statement with its own statement journal (a
-- 1,000,000-word import: 0.7 s of its 3 s budget; docs/PERFORMANCE.md).
-- Migrations run inside a transaction: no BEGIN/COMMIT here.
DROP TRIGGER IF EXISTS work_order_s_ins;
DROP TRIGGER IF EXISTS work_order_s_del;
DROP TRIGGER IF EXISTS work_order_s_upd;
DROP TRIGGER IF EXISTS work_order_p_ins;
DROP TRIGGER IF EXISTS work_order_p_del;
DROP TRIGGER IF EXISTS work_order_p_upd;
