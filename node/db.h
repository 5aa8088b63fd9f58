/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The SQLite store: the only module that includes sqlite3.h (STYLE.md A3).
 * It opens databases (WAL, foreign keys, busy timeout), runs the migrations
 * compiled into the binary, and offers a narrow prepared-statement API so
 * other modules never see sqlite3 types. Not thread-safe per connection:
 * each thread opens its own struct db. */
#ifndef GLOWTALK_DB_H
#define GLOWTALK_DB_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

struct db;
struct db_stmt;

#define DB_BUSY_TIMEOUT_MS 10000 /* ms a writer waits for another */
#define DB_ROW 1                 /* db_step: a row is ready */
#define DB_DONE 0                /* db_step: no more rows */

#define DB_OPEN_READONLY (1u << 0) /* never write, never create */
#define DB_OPEN_NOCREATE (1u << 1) /* the file must exist */

struct db_migration {
  int version;      /* NNNN from the file name, 1-based and contiguous */
  const char *name; /* "0001_base" */
  const char *sql;  /* one or more statements */
};

/* Open path without changing it: busy timeout, foreign keys on, and a probe
 * that the file is an SQLite database (ERR_DB_CORRUPT otherwise). On
 * failure *out is NULL and errbuf says why. Owes one db_close(). */
int db_open(const char *path, unsigned flags, struct db **out, char *errbuf,
            size_t errlen) WARN_UNUSED;
/* Close and clear *db. db_close(&null) does nothing. */
void db_close(struct db **db);

/* The migrations compiled into this binary, in order (a static array). */
const struct db_migration *db_builtin_migrations(size_t *count);
/* Bring the schema up to the last of migs[0..n): refuse a database newer
 * than migs knows (ERR_SCHEMA_NEWER, nothing written), then switch to WAL
 * and apply each missing migration in its own transaction, recording it in
 * schema_migrations. A failing migration is rolled back whole and its error
 * returned; earlier ones stay applied. */
int db_migrate(struct db *db, const struct db_migration *migs, size_t n,
               char *errbuf, size_t errlen) WARN_UNUSED;
/* db_open + db_migrate with the built-in migrations. */
int db_open_store(const char *path, struct db **out, char *errbuf,
                  size_t errlen) WARN_UNUSED;
/* Highest applied migration, 0 for a new database. */
int db_schema_version(struct db *db, int *out) WARN_UNUSED;

/* Run one or more statements with no results. */
int db_exec(struct db *db, const char *sql) WARN_UNUSED;
/* The last error text of this connection. Never NULL. */
const char *db_errmsg(struct db *db);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int db_begin(struct db *db) WARN_UNUSED;
int db_commit(struct db *db) WARN_UNUSED;
void db_rollback(struct db *db);
int64_t db_last_insert_id(struct db *db);
int db_changes(struct db *db);
/* Where the store stands as seen by one connection: equal generations of
 * the same connection mean nothing was written in between (by it:
 * changes; by any other connection: PRAGMA data_version). */
struct db_gen {
  uint64_t serial;  /* the connection (unique within the process) */
  int64_t version;  /* PRAGMA data_version */
  int64_t changes;  /* rows changed through this connection */
};
int db_generation(struct db *db, struct db_gen *out) WARN_UNUSED;

/* Prepared statements. Parameters are 1-based, columns 0-based. Text and
 * blobs are copied by SQLite at bind time. Owes one db_finalize(). */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
    WARN_UNUSED;
int db_bind_int(struct db_stmt *st, int idx, int64_t v) WARN_UNUSED;
int db_bind_double(struct db_stmt *st, int idx, double v) WARN_UNUSED;
/* len < 0 means NUL-terminated; a NULL s binds NULL. */
int db_bind_text(struct db_stmt *st, int idx, const char *s, long len)
    WARN_UNUSED;
int db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
    WARN_UNUSED;
int db_bind_null(struct db_stmt *st, int idx) WARN_UNUSED;
/* The same, bound by reference instead of copied (hot paths): s / p must
 * stay valid and unchanged until the statement's next db_reset, and the
 * parameter must be bound again before the statement next runs. */
int db_bind_text_ref(struct db_stmt *st, int idx, const char *s, long len)
    WARN_UNUSED;
int db_bind_blob_ref(struct db_stmt *st, int idx, const void *p, size_t len)
    WARN_UNUSED;
/* DB_ROW, DB_DONE or a negative error. */
int db_step(struct db_stmt *st) WARN_UNUSED;
/* Ready the statement to run again; bindings are kept. */
void db_reset(struct db_stmt *st);
void db_clear_bindings(struct db_stmt *st);
int64_t db_col_int(struct db_stmt *st, int col);
double db_col_double(struct db_stmt *st, int col);
/* Valid until the next step/reset/finalize. NULL for SQL NULL. */
const char *db_col_text(struct db_stmt *st, int col);
const void *db_col_blob(struct db_stmt *st, int col, size_t *len);
int db_col_is_null(struct db_stmt *st, int col);
void db_finalize(struct db_stmt **st);

/* Run sql (with no parameters) and return the first column of the first
 * row as an integer in *out (0 if there is no row). */
int db_query_int(struct db *db, const char *sql, int64_t *out) WARN_UNUSED;

#endif

/* ---- a pool of read-only connections ------------------------------------
 * Readers that may run at the same time (the web API's pages): each
 * connection is read-only, maps up to DB_POOL_MMAP_BYTES of the file and
 * caches DB_POOL_CACHE_KIB of pages, so pages are served from memory on
 * every core while the writers keep their own connections (WAL). */
#define DB_POOL_MAX 16                 /* connections in one pool */
#define DB_POOL_MMAP_BYTES (256ll << 20) /* memory-mapped I/O per reader */
#define DB_POOL_CACHE_KIB 16384        /* page cache per reader */

struct db_pool;

/* Open n (1..DB_POOL_MAX) read-only connections to the store at path,
 * whose schema must be current (ERR_SCHEMA_NEWER otherwise; errbuf says
 * why). Owes one db_pool_close(). */
int db_pool_open(const char *path, int n, struct db_pool **out, char *errbuf,
                 size_t errlen) WARN_UNUSED;
/* Close every connection (none may be borrowed) and clear *p. */
void db_pool_close(struct db_pool **p);
/* Borrow a connection, waiting while all are borrowed. Thread-safe. Owes
 * one db_pool_put() of it to the same pool; its statements must be
 * finalized by then. */
struct db *db_pool_get(struct db_pool *p);
void db_pool_put(struct db_pool *p, struct db *db);
