-- 0009_interactive_tasks: find requested interactive renders (a snippet
-- someone is waiting to hear) without scanning every task, so the render
-- loop can look for them whenever the log changes.
-- Migrations run inside a transaction: no BEGIN/COMMIT here.
CREATE INDEX st_tasks_interactive ON st_tasks(book, sentence)
  WHERE priority = 1;
