/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Works as content in the log: publishing an import's document blob with
 * its ImportWork, and materialising works from doc blobs that arrived.
 * See works.h and node/LOG.md. */
#define LOG_MODULE "works"
#include "node/works.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/alloc.h"
#include "node/buf.h"
#include "node/datadir.h"
#include "node/hex.h"
#include "node/json.h"
#include "node/log.h"
#include "node/work_store.h"

/* ---- publishing --------------------------------------------------------- */

struct doc_out {
  struct buf buf;
  int too_big; /* an append failed: the document is over the cap */
};

static void
buf_sink(const char *data, size_t len, void *arg)
{
  struct doc_out *o = arg;
  if (!o->too_big && buf_append(&o->buf, data, len) != 0)
    o->too_big = 1;
}

/* Copy s (may be NULL) cut to at most max bytes on a UTF-8 boundary. */
static char *
cut_utf8(const char *s, size_t max)
{
  size_t n;
  char *out;

  if (s == NULL)
    return NULL;
  n = strlen(s);
  if (n > max) {
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
      n--;
  }
  out = xmalloc(n + 1);
  memcpy(out, s, n);
  out[n] = '\0';
  return out;
}

/* What the log says the work came from: a URL as it is, a file by its
 * name only (a local path says nothing to other nodes and may tell them
 * more than its owner meant to). */
static const char *
public_source(const char *source)
{
  const char *slash;

  if (source == NULL || strstr(source, "://") != NULL)
    return source;
  slash = strrchr(source, '/');
  return slash ? slash + 1 : source;
}

/* 1 when the log's current ImportWork of work_id names hash, else 0, or
 * a negative database error. */
static int
current_doc(struct db *db, const char *work_id,
            const uint8_t hash[WIRE_HASH_BYTES])
{
  struct db_stmt *s = NULL;
  int rc, err;

  err = db_prepare(db, "SELECT 1 FROM st_works WHERE work_id = ?1 AND "
                   "doc_hash = ?2", &s);
  if (!err)
    err = db_bind_text(s, 1, work_id, -1);
  if (!err)
    err = db_bind_blob(s, 2, hash, WIRE_HASH_BYTES);
  if (err) {
    db_finalize(&s);
    return err;
  }
  rc = db_step(s);
  db_finalize(&s);
  return rc < 0 ? rc : rc == DB_ROW;
}

/* ---- the stored work after a partial import ---------------------------- */

/* A post's key and its object in a work's JSON tree. */
struct keyed {
  char *key;
  const struct json *obj;
};

static int
cmp_keyed(const void *a, const void *b)
{
  return strcmp(((const struct keyed *)a)->key,
                ((const struct keyed *)b)->key);
}

/* Every post of w (as json tree j = work_to_json(w)) by key, sorted. */
static struct keyed *
keyed_posts(const struct work *w, const struct json *j, size_t *n)
{
  const struct json *threads = json_get(j, "threads");
  struct keyed *k = xcalloc(work_count_posts(w) + 1, sizeof(*k));
  size_t i, p;

  *n = 0;
  for (i = 0; i < w->n_threads; i++) {
    const struct json *posts = json_get(json_at(threads, i), "posts");
    for (p = 0; p < w->threads[i].n_posts; p++) {
      k[*n].key = work_post_key(&w->threads[i], &w->threads[i].posts[p], p);
      k[*n].obj = json_at(posts, p);
      (*n)++;
    }
  }
  qsort(k, *n, sizeof(*k), cmp_keyed);
  return k;
}

static void
keyed_free(struct keyed *k, size_t n)
{
  size_t i;
  for (i = 0; k && i < n; i++)
    xfree(k[i].key);
  xfree(k);
}

static const struct json *
keyed_find(const struct keyed *k, size_t n, const char *key)
{
  struct keyed probe = {(char *)key, NULL};
  const struct keyed *hit = bsearch(&probe, k, n, sizeof(*k), cmp_keyed);
  return hit ? hit->obj : NULL;
}

/* The work as stored after w was saved over the document prev (the log's
 * previous one): w's posts and the stored posts w lacks (from prev), in
 * the store's reading order, so every node that stores the result holds
 * the same posts in the same order. ERR_NOT_FOUND when that cannot be
 * built exactly (a stored post in neither, posts without ids, threads
 * the import does not hold): the caller publishes w as it is. */
static int
merged_work(struct db *db, const char *work_id, const struct work *w,
            const struct work *prev, struct work **out)
{
  static const char sql[] =
      "SELECT thread_pos, post_key FROM work_posts WHERE work_id = ?1"
      " ORDER BY thread_pos, position";
  struct json *jw = work_to_json(w), *jp = work_to_json(prev);
  /* Built in a copy: the keyed posts point into jw and jp. */
  struct json *jout = json_dup(jw);
  struct json *threads = json_get(jout, "threads"), *posts = NULL;
  struct keyed *kw, *kp;
  struct db_stmt *s = NULL;
  size_t nw, np;
  int64_t tcur = -1;
  char errbuf[160];
  int rc = DB_DONE, err;

  *out = NULL;
  kw = keyed_posts(w, jw, &nw);
  kp = keyed_posts(prev, jp, &np);
  err = db_prepare(db, sql, &s);
  if (!err)
    err = db_bind_text(s, 1, work_id, -1);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    int64_t t = db_col_int(s, 0);
    const char *key = db_col_text(s, 1);
    const struct json *obj;
    if (t < 0 || (size_t)t >= w->n_threads || t < tcur || key == NULL ||
        key[0] == 't') {
      err = ERR_NOT_FOUND;
      break;
    }
    obj = keyed_find(kw, nw, key);
    if (obj == NULL)
      obj = keyed_find(kp, np, key);
    if (obj == NULL) {
      err = ERR_NOT_FOUND;
      break;
    }
    while (tcur < t) {
      /* The next thread: its posts are replaced by the stored ones. */
      if (posts)
        json_set((struct json *)json_at(threads, (size_t)tcur), "posts",
                 posts);
      tcur++;
      posts = json_new_array();
      json_del((struct json *)json_at(threads, (size_t)tcur), "posts");
    }
    json_push(posts, json_dup(obj));
  }
  if (!err && rc < 0)
    err = rc;
  db_finalize(&s);
  if (posts && !err) {
    json_set((struct json *)json_at(threads, (size_t)tcur), "posts", posts);
    posts = NULL;
  }
  json_free(posts);
  if (!err && (size_t)(tcur + 1) != w->n_threads)
    err = ERR_NOT_FOUND;
  if (!err) {
    *out = work_from_json(jout, errbuf, sizeof(errbuf));
    if (*out == NULL)
      err = ERR_NOT_FOUND;
  }
  keyed_free(kw, nw);
  keyed_free(kp, np);
  json_free(jout);
  json_free(jw);
  json_free(jp);
  return err;
}

/* The log's current document of work_id, read from b into *out, when this
 * node holds it; else *out = NULL. */
static int
previous_doc(struct db *db, struct blobs *b, const char *work_id,
             struct work **out)
{
  struct db_stmt *s = NULL;
  struct buf doc;
  uint8_t h[WIRE_HASH_BYTES];
  struct json *j;
  char errbuf[160];
  int rc, err, found = 0;

  *out = NULL;
  err = db_prepare(db, "SELECT doc_hash FROM st_works WHERE work_id = ?1",
                   &s);
  if (!err)
    err = db_bind_text(s, 1, work_id, -1);
  if (!err && (rc = db_step(s)) == DB_ROW) {
    size_t len;
    const void *p = db_col_blob(s, 0, &len);
    if (p && len == WIRE_HASH_BYTES) {
      memcpy(h, p, WIRE_HASH_BYTES);
      found = 1;
    }
  } else if (!err && rc < 0) {
    err = rc;
  }
  db_finalize(&s);
  if (err || !found)
    return err;
  buf_init(&doc, WORKS_DOC_MAX_BYTES);
  if (blobs_get(b, h, &doc) == 0) {
    j = json_parse(doc.data, doc.len, errbuf, sizeof(errbuf));
    if (j)
      *out = work_from_json(j, errbuf, sizeof(errbuf));
    json_free(j);
  }
  buf_free(&doc);
  return 0;
}

/* What to publish for w just stored in db: w itself, or, when the store
 * kept posts w lacks (a partial page), the stored work built from w and
 * the previous document. *own (caller frees) is set in the second case. */
static int
to_publish(struct db *db, struct blobs *b, const struct work *w,
           struct work **own)
{
  char id[WORK_ID_HEX], hex[65];
  struct work_store_counts c;
  struct work *prev = NULL;
  struct db_stmt *s = NULL;
  int err;

  *own = NULL;
  work_id(w, id);
  err = work_store_count(db, id, &c);
  if (err == ERR_NOT_FOUND || (!err && c.posts <= (int64_t)
                                          work_count_posts(w)))
    return 0;
  if (!err)
    err = previous_doc(db, b, id, &prev);
  if (!err && prev) {
    if (merged_work(db, id, w, prev, own) != 0)
      *own = NULL;
  }
  work_free(prev);
  if (err || *own == NULL)
    return err;
  /* The works row names the document this node now holds. */
  work_store_doc_hash(*own, hex);
  err = db_prepare(db, "UPDATE works SET doc_hash = ?2 WHERE work_id = ?1",
                   &s);
  if (!err)
    err = db_bind_text(s, 1, id, -1);
  if (!err)
    err = db_bind_text(s, 2, hex, -1);
  if (!err) {
    int rc = db_step(s);
    err = rc == DB_DONE ? 0 : rc < 0 ? rc : ERR_DB;
  }
  db_finalize(&s);
  if (err) {
    work_free(*own);
    *own = NULL;
  }
  return err;
}

/* Store w's document in b and append its ImportWork (works_publish). */
static int
publish_doc(struct feed *f, struct blobs *b, const struct work *w,
            uint8_t hash[WIRE_HASH_BYTES], char *errbuf, size_t errlen)
{
  struct doc_out out;
  struct buf doc;
  struct wire_entry e;
  uint8_t h[WIRE_HASH_BYTES];
  char id[WORK_ID_HEX];
  size_t sents = work_count_sentences(w), posts = work_count_posts(w);
  int err;

  memset(&out, 0, sizeof(out));
  buf_init(&out.buf, WORKS_DOC_MAX_BYTES);
  work_json_stream(w, buf_sink, &out);
  doc = out.buf;
  if (out.too_big) {
    buf_free(&doc);
    snprintf(errbuf, errlen, "stored on this node only: the work document "
             "is over the log's cap of %u MiB", WORKS_DOC_MAX_BYTES >> 20);
    return ERR_TOO_BIG;
  }
  err = blobs_put(b, doc.data ? doc.data : "", doc.len, h);
  if (err) {
    snprintf(errbuf, errlen, "cannot store the work document: %s",
             err_str(err));
    buf_free(&doc);
    return err;
  }
  work_id(w, id);
  err = current_doc(state_db(feed_state(f)), id, h);
  if (err < 0) {
    snprintf(errbuf, errlen, "cannot read the works of the log: %s",
             err_str(err));
    buf_free(&doc);
    return err;
  }
  if (err == 1) {
    /* The log names this document already: nothing to say. */
    buf_free(&doc);
    if (hash)
      memcpy(hash, h, WIRE_HASH_BYTES);
    return 0;
  }
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_IMPORT_WORK;
  e.work_id = xstrdup(id);
  memcpy(e.hash, h, WIRE_HASH_BYTES);
  e.size = doc.len;
  e.url = cut_utf8(public_source(w->source), WIRE_STR_MAX);
  e.name = cut_utf8(w->title ? w->title : w->key, WIRE_STR_MAX);
  e.count = sents > UINT32_MAX ? UINT32_MAX : (uint32_t)sents;
  e.posts = posts > UINT32_MAX ? UINT32_MAX : (uint32_t)posts;
  buf_free(&doc);
  err = feed_append(f, &e, NULL);
  wire_entry_clear(&e);
  if (err == ERR_FORBIDDEN) {
    snprintf(errbuf, errlen, "stored on this node only: it may not write "
             "to the swarm's log (not a member, or frozen by a fork)");
    return err;
  }
  if (err) {
    snprintf(errbuf, errlen, "stored on this node only: cannot append the "
             "import to the log: %s", err_str(err));
    return err;
  }
  if (hash)
    memcpy(hash, h, WIRE_HASH_BYTES);
  return 0;
}

int
works_publish(struct feed *f, struct blobs *b, const struct work *w,
              uint8_t hash[WIRE_HASH_BYTES], char *errbuf, size_t errlen)
{
  struct work *own = NULL;
  int err = to_publish(state_db(feed_state(f)), b, w, &own);

  if (err) {
    snprintf(errbuf, errlen, "cannot read the stored work: %s",
             err_str(err));
    return err;
  }
  err = publish_doc(f, b, own ? own : w, hash, errbuf, errlen);
  work_free(own);
  return err;
}

int
works_publish_dir(struct feed *f, const char *dir, const struct work *w,
                  char *hash_hex, char *errbuf, size_t errlen)
{
  uint8_t h[WIRE_HASH_BYTES];
  char *path = datadir_file(dir, "blobs");
  struct blobs *b = NULL;
  int err = blobs_open(path, &b);

  if (err) {
    snprintf(errbuf, errlen, "cannot open the blob store %s: %s", path,
             err_str(err));
    xfree(path);
    return err;
  }
  xfree(path);
  err = works_publish(f, b, w, h, errbuf, errlen);
  blobs_close(&b);
  if (!err && hash_hex)
    hex_encode(hash_hex, h, WIRE_HASH_BYTES);
  return err;
}

/* ---- materialising ------------------------------------------------------ */

static void
hash_sink(const char *data, size_t len, void *arg)
{
  secure_hash_update(arg, data, len);
}

static int
lower_hex(const char *s)
{
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return 0;
  return 1;
}

/* The structural checks the store relies on (indices in range, texts not
 * empty), beyond what work_from_json checks. */
static int
check_work(const struct work *w, char *errbuf, size_t errlen)
{
  size_t i, j, k;

  if (w->n_threads == 0) {
    snprintf(errbuf, errlen, "work document: no threads");
    return ERR_PARSE;
  }
  for (i = 0; i < w->n_threads; i++) {
    const struct work_thread *t = &w->threads[i];
    for (j = 0; j < t->n_posts; j++) {
      const struct work_post *p = &t->posts[j];
      for (k = 0; k < p->n_paras; k++) {
        const struct work_para *pa = &p->paras[k];
        size_t n = strlen(pa->text), e;
        for (e = 0; e < pa->n_emph; e++)
          if (pa->emph[e].start > n || pa->emph[e].len > n - pa->emph[e].start)
            goto bad_post;
      }
      for (k = 0; k < p->n_sents; k++) {
        const struct work_sentence *s = &p->sents[k];
        if (s->para >= p->n_paras || s->text[0] == '\0' ||
            s->offset > strlen(p->paras[s->para].text) ||
            !lower_hex(s->id))
          goto bad_post;
      }
    }
  }
  return 0;
bad_post:
  snprintf(errbuf, errlen, "work document: a post's paragraphs and "
           "sentences do not agree");
  return ERR_PARSE;
}

int
works_materialise(struct db *db, const uint8_t *doc, size_t len,
                  const uint8_t hash[WIRE_HASH_BYTES], const char *work_id_,
                  uint32_t sentences, uint32_t posts, int64_t now,
                  char *errbuf, size_t errlen)
{
  struct secure_hash_state *hs;
  struct json *j = NULL;
  struct work *w = NULL;
  struct work_store_counts counts;
  uint8_t h[WIRE_HASH_BYTES];
  char id[WORK_ID_HEX];
  int err = ERR_PARSE;

  if (len > WORKS_DOC_MAX_BYTES) {
    snprintf(errbuf, errlen, "work document over %u MiB",
             WORKS_DOC_MAX_BYTES >> 20);
    return ERR_PARSE;
  }
  secure_hash(h, doc, len, NULL, 0);
  if (memcmp(h, hash, WIRE_HASH_BYTES) != 0) {
    snprintf(errbuf, errlen, "work document does not match its hash");
    return ERR_PARSE;
  }
  j = json_parse((const char *)doc, len, errbuf, errlen);
  if (j == NULL)
    return ERR_PARSE;
  w = work_from_json(j, errbuf, errlen);
  json_free(j);
  if (w == NULL)
    return ERR_PARSE;
  /* Canonical: the bytes must be exactly what this work serialises to,
   * so every node stores the same thing and the works row's doc_hash
   * names this blob. */
  hs = secure_hash_new();
  work_json_stream(w, hash_sink, hs);
  secure_hash_final(&hs, h);
  if (memcmp(h, hash, WIRE_HASH_BYTES) != 0) {
    snprintf(errbuf, errlen, "work document is not in canonical form");
    goto done;
  }
  work_id(w, id);
  if (work_id_ && strcmp(id, work_id_) != 0) {
    snprintf(errbuf, errlen, "work document is of work %s, not %s", id,
             work_id_);
    goto done;
  }
  if ((sentences && work_count_sentences(w) != sentences) ||
      (posts && work_count_posts(w) != posts)) {
    snprintf(errbuf, errlen, "work document counts differ from its import "
             "entry");
    goto done;
  }
  err = check_work(w, errbuf, errlen);
  if (err)
    goto done;
  err = work_store_save(db, w, now, &counts, errbuf, errlen);
done:
  work_free(w);
  return err;
}

int
works_doc_referenced(struct db *db, const uint8_t hash[WIRE_HASH_BYTES])
{
  struct db_stmt *s = NULL;
  int rc, err;

  err = db_prepare(db, "SELECT 1 FROM st_works WHERE doc_hash = ?1 LIMIT 1",
                   &s);
  if (!err)
    err = db_bind_blob(s, 1, hash, WIRE_HASH_BYTES);
  if (err) {
    db_finalize(&s);
    return err;
  }
  rc = db_step(s);
  db_finalize(&s);
  if (rc < 0)
    return rc;
  return rc == DB_ROW;
}

/* One st_works row naming a document not stored here. */
struct pending {
  char work_id[WORK_ID_HEX];
  uint8_t hash[WIRE_HASH_BYTES];
  int64_t size;
  uint32_t sentences, posts;
};

static int
refuse(struct db *db, const uint8_t hash[WIRE_HASH_BYTES],
       const char *reason)
{
  struct db_stmt *s = NULL;
  char *r = cut_utf8(reason, WORKS_REASON_MAX);
  int err = db_prepare(db, "INSERT OR REPLACE INTO work_doc_refused "
                       "VALUES (?1, ?2)", &s);

  if (!err)
    err = db_bind_blob(s, 1, hash, WIRE_HASH_BYTES);
  if (!err)
    err = db_bind_text(s, 2, r, -1);
  if (!err) {
    err = db_step(s);
    err = err == DB_DONE ? 0 : err < 0 ? err : ERR_DB;
  }
  db_finalize(&s);
  xfree(r);
  return err;
}

/* Fetch up to max pending rows into p; *n gets how many. */
static int
list_pending(struct db *db, struct pending *p, size_t max, size_t *n)
{
  static const char sql[] =
      "SELECT s.work_id, s.doc_hash, s.doc_size, s.sentences, s.posts"
      " FROM st_works s LEFT JOIN works w ON w.work_id = s.work_id"
      " WHERE (w.doc_hash IS NULL OR w.doc_hash <> lower(hex(s.doc_hash)))"
      " AND NOT EXISTS (SELECT 1 FROM work_doc_refused r"
      "                 WHERE r.doc_hash = s.doc_hash)"
      " ORDER BY s.lamport, s.work_id LIMIT ?1";
  struct db_stmt *s = NULL;
  int rc, err;

  *n = 0;
  err = db_prepare(db, sql, &s);
  if (!err)
    err = db_bind_int(s, 1, (int64_t)max);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    const char *id = db_col_text(s, 0);
    size_t hl;
    const void *h = db_col_blob(s, 1, &hl);
    if (id == NULL || strlen(id) != WORK_ID_HEX - 1 || h == NULL ||
        hl != WIRE_HASH_BYTES)
      continue; /* wire checks make this impossible; skip, do not trust */
    memcpy(p[*n].work_id, id, WORK_ID_HEX);
    memcpy(p[*n].hash, h, WIRE_HASH_BYTES);
    p[*n].size = db_col_int(s, 2);
    p[*n].sentences = (uint32_t)db_col_int(s, 3);
    p[*n].posts = (uint32_t)db_col_int(s, 4);
    (*n)++;
  }
  if (!err && rc < 0)
    err = rc;
  db_finalize(&s);
  return err;
}

int
works_materialise_pending(struct db *db, struct blobs *b, size_t *done,
                          size_t *waiting)
{
  struct pending p[WORKS_MATERIALISE_MAX];
  struct buf doc;
  char errbuf[256];
  size_t n, i, nd = 0, nw = 0;
  int err;

  err = list_pending(db, p, WORKS_MATERIALISE_MAX, &n);
  for (i = 0; !err && i < n; i++) {
    int64_t have;
    if (p[i].size < 0 || p[i].size > (int64_t)WORKS_DOC_MAX_BYTES) {
      err = refuse(db, p[i].hash, "work document over the size cap");
      continue;
    }
    have = blobs_size(b, p[i].hash);
    if (have < 0) {
      nw++;
      continue;
    }
    if (have != p[i].size) {
      /* Torn or still arriving (the fetcher replaces it); a longer blob
       * under the hash cannot be the logged document either way. */
      nw++;
      continue;
    }
    buf_init(&doc, WORKS_DOC_MAX_BYTES);
    err = blobs_get(b, p[i].hash, &doc);
    if (err == ERR_NOT_FOUND || err == ERR_DB_CORRUPT) {
      /* Gone or torn since the size check: wait for a good copy. */
      buf_free(&doc);
      err = 0;
      nw++;
      continue;
    }
    if (!err) {
      err = works_materialise(db, (const uint8_t *)doc.data, doc.len,
                              p[i].hash, p[i].work_id, p[i].sentences,
                              p[i].posts, (int64_t)time(NULL), errbuf,
                              sizeof(errbuf));
      if (err == ERR_PARSE) {
        log_warn("work %s: refusing its document: %s", p[i].work_id,
                 errbuf);
        err = refuse(db, p[i].hash, errbuf);
      } else if (!err) {
        log_info("work %s materialised from its document", p[i].work_id);
        nd++;
      }
    }
    buf_free(&doc);
  }
  if (done)
    *done = nd;
  if (waiting)
    *waiting = nw;
  return err;
}

/* ---- re-imports that move indices ------------------------------------- */

int
works_story_ids(struct db *db, const char *work_id, char **ids, size_t *n)
{
  static const char sql[] =
      "SELECT s.sentence_id FROM work_sentences s JOIN work_posts p"
      " ON p.work_id = s.work_id AND p.post_key = s.post_key"
      " WHERE s.work_id = ?1 ORDER BY p.thread_pos, p.position, s.position";
  struct db_stmt *s = NULL;
  size_t cap = 0;
  int rc = DB_DONE, err;

  *ids = NULL;
  *n = 0;
  err = db_prepare(db, sql, &s);
  if (!err)
    err = db_bind_text(s, 1, work_id, -1);
  while (!err && (rc = db_step(s)) == DB_ROW) {
    const char *id = db_col_text(s, 0);
    if (*n == cap) {
      cap = cap ? 2 * cap : 1024;
      *ids = xrealloc(*ids, cap * WORK_SENTENCE_ID_HEX);
    }
    snprintf(*ids + *n * WORK_SENTENCE_ID_HEX, WORK_SENTENCE_ID_HEX, "%s",
             id ? id : "");
    (*n)++;
  }
  if (!err && rc < 0)
    err = rc;
  db_finalize(&s);
  if (err) {
    xfree(*ids);
    *ids = NULL;
    *n = 0;
  }
  return err;
}

#define REBASE_RUNS_MAX 1024 /* runs in one StartRender/Rerender */

/* Append requests for idx[0..n) of book at take, split so each entry's
 * runs stay under REBASE_RUNS_MAX. */
static int
request_again(struct feed *f, const uint8_t *book, uint32_t take,
              const uint32_t *idx, size_t n)
{
  struct wire_entry e;
  size_t start = 0, i, runs = 0;
  int err = 0;

  for (i = 0; i <= n && !err; i++) {
    if (i < n && (i == 0 || idx[i] != idx[i - 1] + 1))
      runs++;
    if (i < n && runs <= REBASE_RUNS_MAX)
      continue;
    if (i == start)
      break;
    memset(&e, 0, sizeof(e));
    e.op = take ? WIRE_OP_RERENDER : WIRE_OP_START_RENDER;
    memcpy(e.book, book, WIRE_BOOK_ID_BYTES);
    e.take = take;
    e.priority = WIRE_PRIORITY_BULK;
    err = wire_sentences_from(&e.sent, idx + start, i - start);
    if (!err)
      err = feed_append(f, &e, NULL);
    wire_entry_clear(&e);
    start = i;
    runs = 1;
  }
  return err;
}

int
works_rebase(struct feed *f, const char *work_id, const char *old_ids,
             size_t n_old, size_t *n)
{
  static const char q_tasks[] =
      "SELECT t.book, t.take, t.sentence FROM st_tasks t"
      " JOIN st_books b ON b.book = t.book"
      " WHERE b.work_id = ?1 AND b.created = 1 AND b.deleted = 0"
      " AND t.sentence < ?2 ORDER BY t.book, t.take, t.sentence";
  struct db *db = state_db(feed_state(f));
  struct db_stmt *s = NULL;
  uint8_t book[WIRE_BOOK_ID_BYTES];
  uint32_t take = 0, *idx = NULL;
  char *new_ids = NULL;
  size_t n_new, i, k = 0, total = 0, lim;
  int rc = DB_DONE, err, began = 0, moved = 0;

  if (n)
    *n = 0;
  err = works_story_ids(db, work_id, &new_ids, &n_new);
  if (err)
    return err;
  lim = n_old < n_new ? n_old : n_new;
  for (i = 0; i < lim && !moved; i++)
    moved = strcmp(old_ids + i * WORK_SENTENCE_ID_HEX,
                   new_ids + i * WORK_SENTENCE_ID_HEX) != 0;
  if (!moved)
    goto out;
  idx = xmalloc((lim + 1) * sizeof(*idx));
  err = feed_begin(f);
  began = !err;
  if (!err)
    err = db_prepare(db, q_tasks, &s);
  if (!err)
    err = db_bind_text(s, 1, work_id, -1);
  if (!err)
    err = db_bind_int(s, 2, (int64_t)lim);
  /* Collect one (book, take) group at a time; a group is requested when
   * the next row belongs to another group or the rows end. */
  while (!err) {
    size_t blen = 0;
    const void *b = NULL;
    uint32_t t = 0, sentence = 0;
    rc = db_step(s);
    if (rc == DB_ROW) {
      b = db_col_blob(s, 0, &blen);
      t = (uint32_t)db_col_int(s, 1);
      sentence = (uint32_t)db_col_int(s, 2);
      if (b == NULL || blen != WIRE_BOOK_ID_BYTES)
        continue;
    } else if (rc < 0) {
      err = rc;
      break;
    }
    if (k > 0 && (rc != DB_ROW || t != take ||
                  memcmp(b, book, WIRE_BOOK_ID_BYTES) != 0)) {
      err = request_again(f, book, take, idx, k);
      total += k;
      k = 0;
    }
    if (rc != DB_ROW || err)
      break;
    memcpy(book, b, WIRE_BOOK_ID_BYTES);
    take = t;
    if (strcmp(old_ids + (size_t)sentence * WORK_SENTENCE_ID_HEX,
               new_ids + (size_t)sentence * WORK_SENTENCE_ID_HEX) != 0)
      idx[k++] = sentence;
  }
  db_finalize(&s);
  if (began) {
    if (err)
      feed_rollback(f);
    else
      err = feed_commit(f);
  }
  if (!err && n)
    *n = total;
out:
  xfree(idx);
  xfree(new_ids);
  return err;
}
