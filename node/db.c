/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* SQLite access and the migration runner; see db.h. */
#define LOG_MODULE "db"
#include "node/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "node/alloc.h"
#include "node/embedded.h"
#include "node/log.h"

#define DB_MIGRATIONS_MAX 9999 /* NNNN in the file names */

struct db {
  sqlite3 *conn;
  unsigned flags; /* DB_OPEN_* */
  uint64_t serial; /* unique per open connection in this process */
};

static _Atomic uint64_t db_serials; /* connections opened so far */

struct db_stmt {
  sqlite3_stmt *st;
  struct db *db;
};

static int
map_rc(int rc)
{
  switch (rc & 0xff) {
  case SQLITE_OK:
    return 0;
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT:
    return ERR_DB_CORRUPT;
  case SQLITE_CANTOPEN:
    return ERR_NOT_FOUND;
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return ERR_LOCKED;
  case SQLITE_TOOBIG:
    return ERR_TOO_BIG;
  default:
    return ERR_DB;
  }
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/* Before SQLite's first use: no memory statistics, which would take a
 * process-wide mutex on every allocation of every connection (the web
 * API reads on several at once). */
static void
sqlite_setup(void)
{
  if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
    log_warn("sqlite: cannot turn memory statistics off");
}

int
db_open(const char *path, unsigned flags, struct db **out, char *errbuf,
        size_t errlen)
{
  struct db *db = NULL;
  int oflags, rc, err;

  *out = NULL;
  pthread_once(&sqlite_once, sqlite_setup);
  oflags = (flags & DB_OPEN_READONLY) ? SQLITE_OPEN_READONLY
                                      : SQLITE_OPEN_READWRITE;
  if (!(flags & (DB_OPEN_READONLY | DB_OPEN_NOCREATE)))
    oflags |= SQLITE_OPEN_CREATE;
  db = xcalloc(1, sizeof(*db));
  db->flags = flags;
  db->serial = ++db_serials;
  rc = sqlite3_open_v2(path, &db->conn, oflags | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    snprintf(errbuf, errlen, "cannot open database %s: %s", path,
             db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
    err = map_rc(rc);
    goto fail;
  }
  sqlite3_extended_result_codes(db->conn, 1);
  sqlite3_busy_timeout(db->conn, DB_BUSY_TIMEOUT_MS);
  /* Reading the schema is the cheapest probe that the file is a database:
   * SQLite opens lazily and would otherwise report NOTADB much later. */
  rc = sqlite3_exec(db->conn, "SELECT count(*) FROM sqlite_master", NULL,
                    NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db->conn, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
  /* Statement journals (one per statement that may need to roll back
   * alone, e.g. an insert that fires a trigger) and sort scratch in
   * memory: as a temp file they cost a write syscall per page, 530,000
   * of them for a 1,000,000-word import (docs/PERFORMANCE.md). */
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db->conn, "PRAGMA temp_store=MEMORY", NULL, NULL,
                      NULL);
  if (rc != SQLITE_OK) {
    err = map_rc(rc);
    if (err == ERR_DB_CORRUPT)
      snprintf(errbuf, errlen, "database %s is corrupt or not a Glowtalk "
               "database (%s); it was left untouched", path,
               sqlite3_errmsg(db->conn));
    else
      snprintf(errbuf, errlen, "cannot read database %s: %s", path,
               sqlite3_errmsg(db->conn));
    goto fail;
  }
  *out = db;
  return 0;

fail:
  sqlite3_close(db->conn);
  xfree(db);
  return err;
}

void
db_close(struct db **db)
{
  if (db == NULL || *db == NULL)
    return;
  if (sqlite3_close((*db)->conn) != SQLITE_OK)
    log_warn("%s: statements still open: %s", __func__,
             sqlite3_errmsg((*db)->conn));
  xfree(*db);
  *db = NULL;
}

/* ---- built-in migrations ------------------------------------------------ */

static struct db_migration builtin[DB_MIGRATIONS_MAX];
static size_t builtin_count;
static int builtin_ready;

/* "migrations/0007_audio.sql" -> 7 and "0007_audio". */
static int
parse_migration_name(const char *path, int *version, char *name,
                     size_t namelen)
{
  const char *base = strrchr(path, '/');
  size_t len;
  int i, v = 0;

  base = base ? base + 1 : path;
  len = strlen(base);
  if (len < 10 || strcmp(base + len - 4, ".sql") != 0 || base[4] != '_')
    return ERR_INVAL;
  for (i = 0; i < 4; i++) {
    if (base[i] < '0' || base[i] > '9')
      return ERR_INVAL;
    v = v * 10 + (base[i] - '0');
  }
  if (len - 4 >= namelen)
    return ERR_TOO_BIG;
  memcpy(name, base, len - 4);
  name[len - 4] = '\0';
  *version = v;
  return 0;
}

const struct db_migration *
db_builtin_migrations(size_t *count)
{
  static char names[DB_MIGRATIONS_MAX][64];
  size_t i;

  if (!builtin_ready) {
    for (i = 0; i < embedded_migrations_count && i < DB_MIGRATIONS_MAX;
         i++) {
      const struct embedded_file *f = &embedded_migrations[i];
      /* The build names these files; a bad name is a build bug. Versions
       * increase; a gap is tolerated while parallel branches each hold
       * one numbered migration (they are contiguous once merged). */
      if (parse_migration_name(f->name, &builtin[i].version, names[i],
                               sizeof(names[i])) != 0 ||
          builtin[i].version <= (i ? builtin[i - 1].version : 0)) {
        fprintf(stderr, "glowtalk: bad built-in migration name %s\n",
                f->name);
        abort();
      }
      builtin[i].name = names[i];
      builtin[i].sql = (const char *)f->data;
    }
    builtin_count = i;
    builtin_ready = 1;
  }
  *count = builtin_count;
  return builtin;
}

int
db_schema_version(struct db *db, int *out)
{
  int64_t has, v = 0;
  int err;

  err = db_query_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                     "type='table' AND name='schema_migrations'", &has);
  if (!err && has)
    err = db_query_int(db, "SELECT coalesce(max(version),0) FROM "
                       "schema_migrations", &v);
  if (err)
    return err;
  *out = (int)v;
  return 0;
}

static int
apply_one(struct db *db, const struct db_migration *m, char *errbuf,
          size_t errlen)
{
  struct db_stmt *st = NULL;
  int err;

  err = db_begin(db);
  if (err)
    goto fail;
  err = db_exec(db, m->sql);
  if (err)
    goto fail;
  err = db_prepare(db, "INSERT INTO schema_migrations(version, name, "
                   "applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ',"
                   "'now'))", &st);
  if (!err)
    err = db_bind_int(st, 1, m->version);
  if (!err)
    err = db_bind_text(st, 2, m->name, -1);
  if (!err)
    err = db_step(st) == DB_DONE ? 0 : ERR_DB;
  db_finalize(&st);
  if (err)
    goto fail;
  err = db_commit(db);
  if (err)
    goto fail;
  log_info("applied migration %s", m->name);
  return 0;

fail:
  snprintf(errbuf, errlen, "migration %s failed: %s", m->name,
           db_errmsg(db));
  db_rollback(db);
  return err;
}

int
db_migrate(struct db *db, const struct db_migration *migs, size_t n,
           char *errbuf, size_t errlen)
{
  int current, known, err;
  size_t i;

  known = n ? migs[n - 1].version : 0;
  err = db_schema_version(db, &current);
  if (err) {
    snprintf(errbuf, errlen, "cannot read schema version: %s",
             db_errmsg(db));
    return err;
  }
  if (current > known) {
    snprintf(errbuf, errlen, "database schema version %d is newer than "
             "this glowtalk knows (%d); upgrade glowtalk. The database was "
             "left untouched", current, known);
    return ERR_SCHEMA_NEWER;
  }
  if (db->flags & DB_OPEN_READONLY)
    return current == known ? 0 : ERR_SCHEMA_NEWER;
  /* WAL lets the UI read while the renderer writes. */
  err = db_exec(db, "PRAGMA journal_mode=WAL");
  if (!err)
    err = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                  "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                  "applied_at TEXT NOT NULL)");
  if (err) {
    snprintf(errbuf, errlen, "cannot prepare database: %s", db_errmsg(db));
    return err;
  }
  for (i = 0; i < n; i++) {
    if (migs[i].version <= current)
      continue;
    err = apply_one(db, &migs[i], errbuf, errlen);
    if (err)
      return err;
  }
  return 0;
}

int
db_open_store(const char *path, struct db **out, char *errbuf, size_t errlen)
{
  const struct db_migration *migs;
  size_t n;
  int err;

  err = db_open(path, 0, out, errbuf, errlen);
  if (err)
    return err;
  migs = db_builtin_migrations(&n);
  err = db_migrate(*out, migs, n, errbuf, errlen);
  if (err)
    db_close(out);
  return err;
}

/* ---- statements --------------------------------------------------------- */

int
db_exec(struct db *db, const char *sql)
{
  int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);
  return map_rc(rc);
}

const char *
db_errmsg(struct db *db)
{
  return db && db->conn ? sqlite3_errmsg(db->conn) : "no database";
}

int
db_begin(struct db *db)
{
  return db_exec(db, "BEGIN IMMEDIATE");
}
int
db_commit(struct db *db)
{
  return db_exec(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
  if (!sqlite3_get_autocommit(db->conn))
    sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}

int64_t
db_last_insert_id(struct db *db)
{
  return sqlite3_last_insert_rowid(db->conn);
}
int
db_changes(struct db *db)
{
  return sqlite3_changes(db->conn);
}

int
db_generation(struct db *db, struct db_gen *out)
{
  int err = db_query_int(db, "PRAGMA data_version", &out->version);
  out->serial = db->serial;
  out->changes = sqlite3_total_changes(db->conn);
  return err;
}

int
db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
  sqlite3_stmt *st = NULL;
  int rc;

  *out = NULL;
  rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) {
    log_error("%s: %s in: %.200s", __func__, sqlite3_errmsg(db->conn), sql);
    return map_rc(rc);
  }
  *out = xmalloc(sizeof(**out));
  (*out)->st = st;
  (*out)->db = db;
  return 0;
}

int
db_bind_int(struct db_stmt *s, int i, int64_t v)
{
  return map_rc(sqlite3_bind_int64(s->st, i, v));
}
int
db_bind_double(struct db_stmt *s, int i, double v)
{
  return map_rc(sqlite3_bind_double(s->st, i, v));
}
int
db_bind_null(struct db_stmt *s, int i)
{
  return map_rc(sqlite3_bind_null(s->st, i));
}

int
db_bind_text(struct db_stmt *s, int i, const char *v, long len)
{
  if (v == NULL)
    return db_bind_null(s, i);
  return map_rc(sqlite3_bind_text(s->st, i, v, len < 0 ? -1 : (int)len,
                                  SQLITE_TRANSIENT));
}

int
db_bind_blob(struct db_stmt *s, int i, const void *p, size_t len)
{
  return map_rc(sqlite3_bind_blob64(s->st, i, p, len, SQLITE_TRANSIENT));
}

int
db_bind_text_ref(struct db_stmt *s, int i, const char *v, long len)
{
  if (v == NULL)
    return db_bind_null(s, i);
  return map_rc(sqlite3_bind_text(s->st, i, v, len < 0 ? -1 : (int)len,
                                  SQLITE_STATIC));
}

int
db_bind_blob_ref(struct db_stmt *s, int i, const void *p, size_t len)
{
  return map_rc(sqlite3_bind_blob64(s->st, i, p, len, SQLITE_STATIC));
}

int
db_step(struct db_stmt *s)
{
  int rc = sqlite3_step(s->st);
  if (rc == SQLITE_ROW)
    return DB_ROW;
  if (rc == SQLITE_DONE)
    return DB_DONE;
  return map_rc(rc);
}

void
db_reset(struct db_stmt *s)
{
  sqlite3_reset(s->st);
}
void
db_clear_bindings(struct db_stmt *s)
{
  sqlite3_clear_bindings(s->st);
}
int64_t
db_col_int(struct db_stmt *s, int c)
{
  return sqlite3_column_int64(s->st, c);
}
double
db_col_double(struct db_stmt *s, int c)
{
  return sqlite3_column_double(s->st, c);
}
int
db_col_is_null(struct db_stmt *s, int c)
{
  return sqlite3_column_type(s->st, c) == SQLITE_NULL;
}

const char *
db_col_text(struct db_stmt *s, int c)
{
  return (const char *)sqlite3_column_text(s->st, c);
}

const void *
db_col_blob(struct db_stmt *s, int c, size_t *len)
{
  const void *p = sqlite3_column_blob(s->st, c);
  *len = (size_t)sqlite3_column_bytes(s->st, c);
  return p;
}

void
db_finalize(struct db_stmt **s)
{
  if (s == NULL || *s == NULL)
    return;
  sqlite3_finalize((*s)->st);
  xfree(*s);
  *s = NULL;
}

int
db_query_int(struct db *db, const char *sql, int64_t *out)
{
  struct db_stmt *st = NULL;
  int err, rc;

  *out = 0;
  err = db_prepare(db, sql, &st);
  if (err)
    return err;
  rc = db_step(st);
  if (rc == DB_ROW)
    *out = db_col_int(st, 0);
  else if (rc < 0)
    err = rc;
  db_finalize(&st);
  return err;
}

/* ---- a pool of read-only connections ------------------------------------ */

struct db_pool {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct db *conns[DB_POOL_MAX];
  int free_[DB_POOL_MAX]; /* 1 while conns[i] is in the pool */
  int n;
};

int
db_pool_open(const char *path, int n, struct db_pool **out, char *errbuf,
             size_t errlen)
{
  struct db_pool *p;
  const struct db_migration *migs;
  size_t nmigs;
  char pragmas[128];
  int i, err = 0;

  *out = NULL;
  if (n < 1 || n > DB_POOL_MAX) {
    snprintf(errbuf, errlen, "a pool has 1 to %d connections",
             DB_POOL_MAX);
    return ERR_INVAL;
  }
  p = xcalloc(1, sizeof(*p));
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->cond, NULL);
  migs = db_builtin_migrations(&nmigs);
  snprintf(pragmas, sizeof(pragmas), "PRAGMA mmap_size=%lld;"
           " PRAGMA cache_size=-%d", DB_POOL_MMAP_BYTES, DB_POOL_CACHE_KIB);
  for (i = 0; i < n && !err; i++) {
    err = db_open(path, DB_OPEN_READONLY, &p->conns[i], errbuf, errlen);
    if (!err)
      err = db_migrate(p->conns[i], migs, nmigs, errbuf, errlen);
    if (!err) {
      err = db_exec(p->conns[i], pragmas);
      if (err)
        snprintf(errbuf, errlen, "cannot set up a reader of %s: %s", path,
                 db_errmsg(p->conns[i]));
    }
    p->free_[i] = 1;
    p->n = i + 1;
  }
  if (err) {
    db_pool_close(&p);
    return err;
  }
  *out = p;
  return 0;
}

void
db_pool_close(struct db_pool **pp)
{
  struct db_pool *p = pp ? *pp : NULL;
  int i;

  if (p == NULL)
    return;
  for (i = 0; i < p->n; i++)
    db_close(&p->conns[i]);
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->lock);
  xfree(p);
  *pp = NULL;
}

struct db *
db_pool_get(struct db_pool *p)
{
  struct db *db = NULL;
  int i;

  pthread_mutex_lock(&p->lock);
  while (db == NULL) {
    for (i = 0; i < p->n && db == NULL; i++)
      if (p->free_[i]) {
        p->free_[i] = 0;
        db = p->conns[i];
      }
    if (db == NULL)
      pthread_cond_wait(&p->cond, &p->lock);
  }
  pthread_mutex_unlock(&p->lock);
  return db;
}

void
db_pool_put(struct db_pool *p, struct db *db)
{
  int i;

  pthread_mutex_lock(&p->lock);
  for (i = 0; i < p->n; i++)
    if (p->conns[i] == db)
      p->free_[i] = 1;
  pthread_cond_signal(&p->cond);
  pthread_mutex_unlock(&p->lock);
}
