/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Entry and SignedEntry encoding with protobuf-c; see wire.h. Wraps
 * protobuf-c: no other node/ file includes its headers. */
#include "node/wire.h"

#include <stdio.h>
#include <string.h>

#include "node/alloc.h"
#include "proto/glowtalk.pb-c.h"

/* protobuf-c allocates through node/alloc.c (STYLE.md E9). Input is capped
 * before unpacking, so allocations stay proportional to that cap. */
static void *
pb_alloc(void *data, size_t size)
{
  (void)data;
  return try_malloc(size ? size : 1);
}

static void
pb_free(void *data, void *ptr)
{
  (void)data;
  xfree(ptr);
}

static ProtobufCAllocator pb_allocator = {pb_alloc, pb_free, NULL};

#define FAIL(...)                                                         \
  do {                                                                    \
    snprintf(errbuf, errlen, __VA_ARGS__);                                \
    err = ERR_PARSE;                                                      \
    goto fail;                                                            \
  } while (0)

/* ---- sentence sets --------------------------------------------------- */

void
wire_iter_init(struct wire_iter *it, const struct wire_sentences *s)
{
  memset(it, 0, sizeof(*it));
  it->s = s;
}

int
wire_iter_next(struct wire_iter *it, uint32_t *out)
{
  while (it->left == 0) {
    if (2 * it->run >= it->s->nruns)
      return 0;
    it->pos += it->s->runs[2 * it->run];
    it->left = it->s->runs[2 * it->run + 1];
    it->run++;
  }
  *out = (uint32_t)it->pos;
  it->pos++;
  it->left--;
  return 1;
}

int
wire_iter_next_run(struct wire_iter *it, uint32_t *first, uint32_t *len)
{
  if (2 * it->run >= it->s->nruns)
    return 0;
  it->pos += it->s->runs[2 * it->run];
  *first = (uint32_t)it->pos;
  *len = it->s->runs[2 * it->run + 1];
  it->pos += *len;
  it->run++;
  return 1;
}

int
wire_sentences_from(struct wire_sentences *s, const uint32_t *idx, size_t n)
{
  size_t i, nr = 0;
  uint64_t end = 0;

  xfree(s->runs);
  memset(s, 0, sizeof(*s));
  if (n == 0)
    return 0;
  s->runs = xmalloc(2 * n * sizeof(*s->runs));
  for (i = 0; i < n; i++) {
    if (i > 0 && idx[i] <= idx[i - 1])
      goto fail;
    if (idx[i] >= WIRE_SENTENCE_MAX)
      goto fail;
    if (nr > 0 && idx[i] == end) {
      s->runs[nr - 1]++;
    } else {
      s->runs[nr++] = (uint32_t)(idx[i] - end);
      s->runs[nr++] = 1;
    }
    end = (uint64_t)idx[i] + 1;
  }
  s->nruns = nr;
  s->count = n;
  return 0;

fail:
  xfree(s->runs);
  memset(s, 0, sizeof(*s));
  return ERR_INVAL;
}

void
wire_sentences_range(struct wire_sentences *s, uint32_t first, uint32_t len)
{
  xfree(s->runs);
  s->runs = xmalloc(2 * sizeof(*s->runs));
  s->runs[0] = first;
  s->runs[1] = len;
  s->nruns = 2;
  s->count = len;
}

/* Runs must be pairs, lens non-zero, and every index < WIRE_SENTENCE_MAX. */
static int
check_runs(const uint32_t *runs, size_t n, uint64_t *count)
{
  uint64_t pos = 0, total = 0;
  size_t i;

  if (n % 2 != 0 || n > WIRE_RUNS_MAX)
    return ERR_PARSE;
  for (i = 0; i < n; i += 2) {
    if (runs[i + 1] == 0)
      return ERR_PARSE;
    pos += (uint64_t)runs[i] + runs[i + 1];
    total += runs[i + 1];
    if (pos > WIRE_SENTENCE_MAX)
      return ERR_PARSE;
  }
  *count = total;
  return 0;
}

/* ---- static checks shared by encode and decode ----------------------- */

static int
str_ok(const char *s)
{
  return s == NULL || strlen(s) <= WIRE_STR_MAX;
}

static int
check_entry(const struct wire_entry *e, char *errbuf, size_t errlen)
{
  uint64_t count = 0;
  size_t i;
  int err = 0;

  if (e->seq == 0)
    FAIL("seq must start at 1");
  if (e->lamport == 0)
    FAIL("lamport must be at least 1");
  if (e->lamport > WIRE_LAMPORT_MAX)
    FAIL("lamport exceeds 2^53");
  if (!str_ok(e->work_id) || !str_ok(e->name) || !str_ok(e->url) ||
      !str_ok(e->voice) || !str_ok(e->text) || !str_ok(e->pron))
    FAIL("a string field exceeds %d bytes", WIRE_STR_MAX);
  if (check_runs(e->sent.runs, e->sent.nruns, &count) ||
      count != e->sent.count)
    FAIL("malformed sentence set");
  switch (e->op) {
  case WIRE_OP_IMPORT_WORK:
    if (e->work_id == NULL || e->work_id[0] == '\0')
      FAIL("import without a work id");
    if (e->count >= WIRE_SENTENCE_MAX)
      FAIL("work has too many sentences");
    break;
  case WIRE_OP_BOOK_CREATE:
    if (e->work_id == NULL || e->work_id[0] == '\0')
      FAIL("book without a work id");
    break;
  case WIRE_OP_CAST_CHARACTER:
    if (e->text == NULL || e->text[0] == '\0')
      FAIL("cast without a character");
    break;
  case WIRE_OP_CAST_SNIPPET:
    if (e->last < e->first || e->last >= WIRE_SENTENCE_MAX)
      FAIL("bad snippet range");
    break;
  case WIRE_OP_LEXICON:
    if (e->text == NULL || e->text[0] == '\0')
      FAIL("lexicon entry without a word");
    break;
  case WIRE_OP_START_RENDER:
  case WIRE_OP_RERENDER:
  case WIRE_OP_CLAIM:
    if (count == 0)
      FAIL("%s without sentences", wire_op_name(e->op));
    break;
  case WIRE_OP_FAIL:
    if (count == 0 || count > WIRE_FAIL_MAX)
      FAIL("fail needs 1..%d sentences", WIRE_FAIL_MAX);
    break;
  case WIRE_OP_RENEW:
  case WIRE_OP_RELEASE:
    if (e->nclaims == 0 || e->nclaims > WIRE_CLAIM_REFS_MAX)
      FAIL("%s needs 1..%d claims", wire_op_name(e->op),
           WIRE_CLAIM_REFS_MAX);
    for (i = 0; i < e->nclaims; i++)
      if (e->claims[i] == 0 || e->claims[i] >= e->seq)
        FAIL("%s names a claim that is not an earlier own entry",
             wire_op_name(e->op));
    break;
  case WIRE_OP_COMPLETE:
    if (count == 0 || count > WIRE_BATCH_MAX)
      FAIL("complete needs 1..%d sentences", WIRE_BATCH_MAX);
    if (e->audio == NULL || e->sizes == NULL || e->durations_ms == NULL)
      FAIL("complete without audio");
    if (e->ncontexts == 0 || e->ncontexts > WIRE_CONTEXTS_MAX)
      FAIL("complete needs 1..%d render contexts", WIRE_CONTEXTS_MAX);
    if (e->context_index)
      for (i = 0; i < count; i++)
        if (e->context_index[i] >= e->ncontexts)
          FAIL("render context index out of range");
    if (e->claim >= e->seq)
      FAIL("complete names a later claim");
    break;
  case WIRE_OP_ADDR_ANNOUNCE:
    if (e->naddrs > WIRE_ADDRS_MAX)
      FAIL("too many addresses");
    for (i = 0; i < e->naddrs; i++)
      if (!str_ok(e->addrs[i]))
        FAIL("address too long");
    break;
  default:
    break;
  }
  return 0;

fail:
  return err;
}

/* ---- decode ---------------------------------------------------------- */

static int
take_bytes(uint8_t *dst, size_t n, const ProtobufCBinaryData *b)
{
  if (b->len != n)
    return ERR_PARSE;
  memcpy(dst, b->data, n);
  return 0;
}

static char *
take_str(const char *s)
{
  return xstrdup(s ? s : "");
}

static int
take_sentences(struct wire_sentences *dst, const Glowtalk__Sentences *src)
{
  if (src == NULL || src->n_runs == 0)
    return 0;
  if (src->n_runs > WIRE_RUNS_MAX)
    return ERR_PARSE;
  dst->runs = xmalloc(src->n_runs * sizeof(*dst->runs));
  memcpy(dst->runs, src->runs, src->n_runs * sizeof(*dst->runs));
  dst->nruns = src->n_runs;
  return check_runs(dst->runs, dst->nruns, &dst->count);
}

static uint32_t *
dup_u32(const uint32_t *p, size_t n)
{
  uint32_t *q = xmalloc(n ? n * sizeof(*q) : 1);
  if (n)
    memcpy(q, p, n * sizeof(*q));
  return q;
}

static int
take_complete(struct wire_entry *e, const Glowtalk__Complete *c)
{
  size_t n, i;

  if (take_bytes(e->book, WIRE_BOOK_ID_BYTES, &c->book) ||
      take_sentences(&e->sent, c->sentences))
    return ERR_PARSE;
  n = (size_t)e->sent.count;
  if (n == 0 || n > WIRE_BATCH_MAX || c->audio.len != n * WIRE_HASH_BYTES ||
      c->n_sizes != n || c->n_durations_ms != n ||
      (c->n_context_index != 0 && c->n_context_index != n) ||
      c->n_contexts == 0 || c->n_contexts > WIRE_CONTEXTS_MAX)
    return ERR_PARSE;
  e->take = c->take;
  e->claim = c->claim;
  e->audio = xmalloc(c->audio.len);
  memcpy(e->audio, c->audio.data, c->audio.len);
  e->sizes = dup_u32(c->sizes, n);
  e->durations_ms = dup_u32(c->durations_ms, n);
  if (c->n_context_index)
    e->context_index = dup_u32(c->context_index, n);
  e->contexts = xmalloc(c->n_contexts * WIRE_HASH_BYTES);
  e->ncontexts = c->n_contexts;
  for (i = 0; i < c->n_contexts; i++)
    if (take_bytes(e->contexts + i * WIRE_HASH_BYTES, WIRE_HASH_BYTES,
                   &c->contexts[i]))
      return ERR_PARSE;
  return 0;
}

static int
take_claims(struct wire_entry *e, const uint64_t *claims, size_t n)
{
  if (n == 0 || n > WIRE_CLAIM_REFS_MAX)
    return ERR_PARSE;
  e->claims = xmalloc(n * sizeof(*e->claims));
  memcpy(e->claims, claims, n * sizeof(*e->claims));
  e->nclaims = n;
  return 0;
}

/* Copy the operation of m into e. ERR_PARSE on a wrong-sized id. */
static int
take_op(struct wire_entry *e, const Glowtalk__Entry *m)
{
  size_t i;
  int err = 0;

  switch (m->op_case) {
  case GLOWTALK__ENTRY__OP_IMPORT_WORK: {
    const Glowtalk__ImportWork *o = m->import_work;
    e->work_id = take_str(o->work_id);
    e->url = take_str(o->source_url);
    e->name = take_str(o->title);
    e->size = o->doc_size;
    e->count = o->sentences;
    e->posts = o->posts;
    err = take_bytes(e->hash, WIRE_HASH_BYTES, &o->doc_hash);
    break;
  }
  case GLOWTALK__ENTRY__OP_BOOK_CREATE: {
    const Glowtalk__BookCreate *o = m->book_create;
    e->work_id = take_str(o->work_id);
    e->name = take_str(o->name);
    e->voice = take_str(o->default_voice);
    if (o->fork_of.len) {
      e->has_fork_of = 1;
      err = take_bytes(e->fork_of, WIRE_BOOK_ID_BYTES, &o->fork_of);
    }
    break;
  }
  case GLOWTALK__ENTRY__OP_BOOK_RENAME:
    e->name = take_str(m->book_rename->name);
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->book_rename->book);
    break;
  case GLOWTALK__ENTRY__OP_BOOK_DELETE:
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->book_delete->book);
    break;
  case GLOWTALK__ENTRY__OP_CAST_CHARACTER:
    e->text = take_str(m->cast_character->character);
    e->voice = take_str(m->cast_character->voice);
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES,
                     &m->cast_character->book);
    break;
  case GLOWTALK__ENTRY__OP_CAST_DEFAULT:
    e->voice = take_str(m->cast_default->voice);
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->cast_default->book);
    break;
  case GLOWTALK__ENTRY__OP_CAST_POST:
    e->voice = take_str(m->cast_post->voice);
    e->post = m->cast_post->post;
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->cast_post->book);
    break;
  case GLOWTALK__ENTRY__OP_CAST_SNIPPET:
    e->voice = take_str(m->cast_snippet->voice);
    e->first = m->cast_snippet->first;
    e->last = m->cast_snippet->last;
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->cast_snippet->book);
    break;
  case GLOWTALK__ENTRY__OP_LEXICON:
    e->text = take_str(m->lexicon->word);
    e->pron = take_str(m->lexicon->pronunciation);
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->lexicon->book);
    break;
  case GLOWTALK__ENTRY__OP_START_RENDER:
    e->priority = (uint32_t)m->start_render->priority;
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->start_render->book);
    if (!err)
      err = take_sentences(&e->sent, m->start_render->sentences);
    break;
  case GLOWTALK__ENTRY__OP_CANCEL_PENDING:
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES,
                     &m->cancel_pending->book);
    break;
  case GLOWTALK__ENTRY__OP_RERENDER:
    e->take = m->rerender->take;
    e->priority = WIRE_PRIORITY_INTERACTIVE;
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->rerender->book);
    if (!err)
      err = take_sentences(&e->sent, m->rerender->sentences);
    break;
  case GLOWTALK__ENTRY__OP_CLAIM:
    e->lease_ms = m->claim->lease_ms;
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->claim->book);
    if (!err)
      err = take_sentences(&e->sent, m->claim->sentences);
    if (!err && m->claim->supersedes.len) {
      e->has_ref = 1;
      err = take_bytes(e->ref, WIRE_HASH_BYTES, &m->claim->supersedes);
    }
    break;
  case GLOWTALK__ENTRY__OP_RENEW:
    err = take_claims(e, m->renew->claims, m->renew->n_claims);
    break;
  case GLOWTALK__ENTRY__OP_RELEASE:
    err = take_claims(e, m->release->claims, m->release->n_claims);
    break;
  case GLOWTALK__ENTRY__OP_COMPLETE:
    err = take_complete(e, m->complete);
    break;
  case GLOWTALK__ENTRY__OP_FAIL:
    e->text = take_str(m->fail->error);
    e->claim = m->fail->claim;
    err = take_bytes(e->book, WIRE_BOOK_ID_BYTES, &m->fail->book);
    if (!err)
      err = take_sentences(&e->sent, m->fail->sentences);
    break;
  case GLOWTALK__ENTRY__OP_FOUND:
    e->name = take_str(m->found->name);
    break;
  case GLOWTALK__ENTRY__OP_INVITE_CREATE:
    e->expires_ms = m->invite_create->expires_ms;
    e->max_uses = m->invite_create->max_uses;
    err = take_bytes(e->invite_id, WIRE_INVITE_ID_BYTES,
                     &m->invite_create->invite_id);
    if (!err)
      err = take_bytes(e->key, WIRE_KEY_BYTES,
                       &m->invite_create->invite_key);
    break;
  case GLOWTALK__ENTRY__OP_INVITE_REVOKE:
    err = take_bytes(e->invite_id, WIRE_INVITE_ID_BYTES,
                     &m->invite_revoke->invite_id);
    break;
  case GLOWTALK__ENTRY__OP_ADMIT:
    e->name = take_str(m->admit->name);
    err = take_bytes(e->invite_id, WIRE_INVITE_ID_BYTES,
                     &m->admit->invite_id);
    if (!err)
      err = take_bytes(e->key, WIRE_KEY_BYTES, &m->admit->node);
    break;
  case GLOWTALK__ENTRY__OP_REMOVE:
    e->text = take_str(m->remove->reason);
    err = take_bytes(e->key, WIRE_KEY_BYTES, &m->remove->node);
    break;
  case GLOWTALK__ENTRY__OP_RETIRE:
    break;
  case GLOWTALK__ENTRY__OP_ADDR_ANNOUNCE:
    if (m->addr_announce->n_addrs > WIRE_ADDRS_MAX)
      return ERR_PARSE;
    e->addrs = xcalloc(m->addr_announce->n_addrs + 1, sizeof(char *));
    e->naddrs = m->addr_announce->n_addrs;
    for (i = 0; i < e->naddrs; i++)
      e->addrs[i] = take_str(m->addr_announce->addrs[i]);
    break;
  default:
    break;
  }
  return err;
}

int
wire_entry_decode(const uint8_t *buf, size_t len, struct wire_entry *e,
                  char *errbuf, size_t errlen)
{
  Glowtalk__Entry *m = NULL;
  int err = 0;

  memset(e, 0, sizeof(*e));
  if (len > WIRE_ENTRY_MAX) {
    snprintf(errbuf, errlen, "entry of %zu bytes exceeds %d", len,
             WIRE_ENTRY_MAX);
    return ERR_TOO_BIG;
  }
  m = glowtalk__entry__unpack(&pb_allocator, len, buf);
  if (m == NULL)
    FAIL("not a protobuf Entry");
  e->format = m->format;
  e->seq = m->seq;
  e->lamport = m->lamport;
  e->wall_ms = m->wall_ms;
  if (take_bytes(e->network_id, WIRE_NETWORK_ID_BYTES, &m->network_id))
    FAIL("network id is not %d bytes", WIRE_NETWORK_ID_BYTES);
  if (take_bytes(e->author, WIRE_KEY_BYTES, &m->author))
    FAIL("author is not a %d-byte key", WIRE_KEY_BYTES);
  if (m->seq == 1 ? m->prev.len != 0
                  : take_bytes(e->prev, WIRE_HASH_BYTES, &m->prev) != 0)
    FAIL("previous id does not fit seq %llu", (unsigned long long)m->seq);
  if (m->op_case == GLOWTALK__ENTRY__OP__NOT_SET) {
    /* A newer build's operation lands in the unknown fields. */
    if (m->base.n_unknown_fields == 0)
      FAIL("entry has no operation");
    e->op = WIRE_OP_UNKNOWN;
  } else {
    e->op = (int)m->op_case;
    if (take_op(e, m))
      FAIL("malformed %s operation", wire_op_name(e->op));
  }
  err = check_entry(e, errbuf, errlen);
  if (err)
    goto fail;
  glowtalk__entry__free_unpacked(m, &pb_allocator);
  return 0;

fail:
  if (m)
    glowtalk__entry__free_unpacked(m, &pb_allocator);
  wire_entry_clear(e);
  return err;
}

void
wire_entry_clear(struct wire_entry *e)
{
  size_t i;

  xfree(e->work_id);
  xfree(e->name);
  xfree(e->url);
  xfree(e->voice);
  xfree(e->text);
  xfree(e->pron);
  xfree(e->sent.runs);
  xfree(e->claims);
  xfree(e->audio);
  xfree(e->sizes);
  xfree(e->durations_ms);
  xfree(e->contexts);
  xfree(e->context_index);
  for (i = 0; i < e->naddrs; i++)
    xfree(e->addrs[i]);
  xfree(e->addrs);
  memset(e, 0, sizeof(*e));
}

/* ---- encode ---------------------------------------------------------- */

static ProtobufCBinaryData
bin(const uint8_t *p, size_t n)
{
  ProtobufCBinaryData b;
  b.data = (uint8_t *)p;
  b.len = n;
  return b;
}

static char *
str(const char *s)
{
  return (char *)(s ? s : "");
}

int
wire_entry_encode(const struct wire_entry *e, uint8_t **out, size_t *len,
                  char *errbuf, size_t errlen)
{
  Glowtalk__Entry m = GLOWTALK__ENTRY__INIT;
  Glowtalk__Sentences sent = GLOWTALK__SENTENCES__INIT;
  union {
    Glowtalk__ImportWork import_work;
    Glowtalk__BookCreate book_create;
    Glowtalk__BookRename book_rename;
    Glowtalk__BookDelete book_delete;
    Glowtalk__CastCharacter cast_character;
    Glowtalk__CastDefault cast_default;
    Glowtalk__CastPost cast_post;
    Glowtalk__CastSnippet cast_snippet;
    Glowtalk__LexiconEntry lexicon;
    Glowtalk__StartRender start_render;
    Glowtalk__CancelPending cancel_pending;
    Glowtalk__Rerender rerender;
    Glowtalk__Claim claim;
    Glowtalk__Renew renew;
    Glowtalk__Release release;
    Glowtalk__Complete complete;
    Glowtalk__Fail fail;
    Glowtalk__Found found;
    Glowtalk__InviteCreate invite_create;
    Glowtalk__InviteRevoke invite_revoke;
    Glowtalk__Admit admit;
    Glowtalk__Remove remove;
    Glowtalk__Retire retire;
    Glowtalk__AddrAnnounce addr_announce;
  } u;
  ProtobufCBinaryData ctx[WIRE_CONTEXTS_MAX];
  ProtobufCBinaryData book = bin(e->book, WIRE_BOOK_ID_BYTES);
  size_t n = (size_t)e->sent.count, i;
  int err;

  *out = NULL;
  *len = 0;
  if (e->op == WIRE_OP_UNKNOWN) {
    snprintf(errbuf, errlen, "cannot encode an unknown operation");
    return ERR_INVAL;
  }
  err = check_entry(e, errbuf, errlen);
  if (err)
    return ERR_INVAL;
  m.format = e->format;
  m.network_id = bin(e->network_id, WIRE_NETWORK_ID_BYTES);
  m.author = bin(e->author, WIRE_KEY_BYTES);
  m.seq = e->seq;
  m.prev = bin(e->prev, e->seq == 1 ? 0 : WIRE_HASH_BYTES);
  m.lamport = e->lamport;
  m.wall_ms = e->wall_ms;
  m.op_case = (Glowtalk__Entry__OpCase)e->op;
  sent.n_runs = e->sent.nruns;
  sent.runs = e->sent.runs;
  switch (e->op) {
  case WIRE_OP_IMPORT_WORK:
    glowtalk__import_work__init(&u.import_work);
    u.import_work.work_id = str(e->work_id);
    u.import_work.doc_hash = bin(e->hash, WIRE_HASH_BYTES);
    u.import_work.doc_size = e->size;
    u.import_work.source_url = str(e->url);
    u.import_work.sentences = e->count;
    u.import_work.posts = e->posts;
    u.import_work.title = str(e->name);
    m.import_work = &u.import_work;
    break;
  case WIRE_OP_BOOK_CREATE:
    glowtalk__book_create__init(&u.book_create);
    u.book_create.work_id = str(e->work_id);
    u.book_create.name = str(e->name);
    u.book_create.default_voice = str(e->voice);
    if (e->has_fork_of)
      u.book_create.fork_of = bin(e->fork_of, WIRE_BOOK_ID_BYTES);
    m.book_create = &u.book_create;
    break;
  case WIRE_OP_BOOK_RENAME:
    glowtalk__book_rename__init(&u.book_rename);
    u.book_rename.book = book;
    u.book_rename.name = str(e->name);
    m.book_rename = &u.book_rename;
    break;
  case WIRE_OP_BOOK_DELETE:
    glowtalk__book_delete__init(&u.book_delete);
    u.book_delete.book = book;
    m.book_delete = &u.book_delete;
    break;
  case WIRE_OP_CAST_CHARACTER:
    glowtalk__cast_character__init(&u.cast_character);
    u.cast_character.book = book;
    u.cast_character.character = str(e->text);
    u.cast_character.voice = str(e->voice);
    m.cast_character = &u.cast_character;
    break;
  case WIRE_OP_CAST_DEFAULT:
    glowtalk__cast_default__init(&u.cast_default);
    u.cast_default.book = book;
    u.cast_default.voice = str(e->voice);
    m.cast_default = &u.cast_default;
    break;
  case WIRE_OP_CAST_POST:
    glowtalk__cast_post__init(&u.cast_post);
    u.cast_post.book = book;
    u.cast_post.post = e->post;
    u.cast_post.voice = str(e->voice);
    m.cast_post = &u.cast_post;
    break;
  case WIRE_OP_CAST_SNIPPET:
    glowtalk__cast_snippet__init(&u.cast_snippet);
    u.cast_snippet.book = book;
    u.cast_snippet.first = e->first;
    u.cast_snippet.last = e->last;
    u.cast_snippet.voice = str(e->voice);
    m.cast_snippet = &u.cast_snippet;
    break;
  case WIRE_OP_LEXICON:
    glowtalk__lexicon_entry__init(&u.lexicon);
    u.lexicon.book = book;
    u.lexicon.word = str(e->text);
    u.lexicon.pronunciation = str(e->pron);
    m.lexicon = &u.lexicon;
    break;
  case WIRE_OP_START_RENDER:
    glowtalk__start_render__init(&u.start_render);
    u.start_render.book = book;
    u.start_render.sentences = &sent;
    u.start_render.priority = (Glowtalk__Priority)e->priority;
    m.start_render = &u.start_render;
    break;
  case WIRE_OP_CANCEL_PENDING:
    glowtalk__cancel_pending__init(&u.cancel_pending);
    u.cancel_pending.book = book;
    m.cancel_pending = &u.cancel_pending;
    break;
  case WIRE_OP_RERENDER:
    glowtalk__rerender__init(&u.rerender);
    u.rerender.book = book;
    u.rerender.sentences = &sent;
    u.rerender.take = e->take;
    m.rerender = &u.rerender;
    break;
  case WIRE_OP_CLAIM:
    glowtalk__claim__init(&u.claim);
    u.claim.book = book;
    u.claim.sentences = &sent;
    u.claim.lease_ms = e->lease_ms;
    if (e->has_ref)
      u.claim.supersedes = bin(e->ref, WIRE_HASH_BYTES);
    m.claim = &u.claim;
    break;
  case WIRE_OP_RENEW:
    glowtalk__renew__init(&u.renew);
    u.renew.n_claims = e->nclaims;
    u.renew.claims = e->claims;
    m.renew = &u.renew;
    break;
  case WIRE_OP_RELEASE:
    glowtalk__release__init(&u.release);
    u.release.n_claims = e->nclaims;
    u.release.claims = e->claims;
    m.release = &u.release;
    break;
  case WIRE_OP_COMPLETE:
    glowtalk__complete__init(&u.complete);
    u.complete.book = book;
    u.complete.sentences = &sent;
    u.complete.take = e->take;
    u.complete.audio = bin(e->audio, n * WIRE_HASH_BYTES);
    u.complete.n_sizes = n;
    u.complete.sizes = e->sizes;
    u.complete.n_durations_ms = n;
    u.complete.durations_ms = e->durations_ms;
    for (i = 0; i < e->ncontexts; i++)
      ctx[i] = bin(e->contexts + i * WIRE_HASH_BYTES, WIRE_HASH_BYTES);
    u.complete.n_contexts = e->ncontexts;
    u.complete.contexts = ctx;
    u.complete.n_context_index = e->context_index ? n : 0;
    u.complete.context_index = e->context_index;
    u.complete.claim = e->claim;
    m.complete = &u.complete;
    break;
  case WIRE_OP_FAIL:
    glowtalk__fail__init(&u.fail);
    u.fail.book = book;
    u.fail.sentences = &sent;
    u.fail.error = str(e->text);
    u.fail.claim = e->claim;
    m.fail = &u.fail;
    break;
  case WIRE_OP_FOUND:
    glowtalk__found__init(&u.found);
    u.found.name = str(e->name);
    m.found = &u.found;
    break;
  case WIRE_OP_INVITE_CREATE:
    glowtalk__invite_create__init(&u.invite_create);
    u.invite_create.invite_id = bin(e->invite_id, WIRE_INVITE_ID_BYTES);
    u.invite_create.invite_key = bin(e->key, WIRE_KEY_BYTES);
    u.invite_create.expires_ms = e->expires_ms;
    u.invite_create.max_uses = e->max_uses;
    m.invite_create = &u.invite_create;
    break;
  case WIRE_OP_INVITE_REVOKE:
    glowtalk__invite_revoke__init(&u.invite_revoke);
    u.invite_revoke.invite_id = bin(e->invite_id, WIRE_INVITE_ID_BYTES);
    m.invite_revoke = &u.invite_revoke;
    break;
  case WIRE_OP_ADMIT:
    glowtalk__admit__init(&u.admit);
    u.admit.invite_id = bin(e->invite_id, WIRE_INVITE_ID_BYTES);
    u.admit.node = bin(e->key, WIRE_KEY_BYTES);
    u.admit.name = str(e->name);
    m.admit = &u.admit;
    break;
  case WIRE_OP_REMOVE:
    glowtalk__remove__init(&u.remove);
    u.remove.node = bin(e->key, WIRE_KEY_BYTES);
    u.remove.reason = str(e->text);
    m.remove = &u.remove;
    break;
  case WIRE_OP_RETIRE:
    glowtalk__retire__init(&u.retire);
    m.retire = &u.retire;
    break;
  case WIRE_OP_ADDR_ANNOUNCE:
    glowtalk__addr_announce__init(&u.addr_announce);
    u.addr_announce.n_addrs = e->naddrs;
    u.addr_announce.addrs = e->addrs;
    m.addr_announce = &u.addr_announce;
    break;
  default:
    snprintf(errbuf, errlen, "no such operation %d", e->op);
    return ERR_INVAL;
  }
  *len = glowtalk__entry__get_packed_size(&m);
  if (*len > WIRE_ENTRY_MAX) {
    snprintf(errbuf, errlen, "entry of %zu bytes exceeds %d", *len,
             WIRE_ENTRY_MAX);
    *len = 0;
    return ERR_TOO_BIG;
  }
  *out = xmalloc(*len ? *len : 1);
  glowtalk__entry__pack(&m, *out);
  return 0;
}

/* ---- SignedEntry ----------------------------------------------------- */

int
wire_signed_decode(const uint8_t *buf, size_t len, uint8_t **entry,
                   size_t *entry_len, uint8_t sig[WIRE_SIG_BYTES])
{
  Glowtalk__SignedEntry *m;
  int err = ERR_PARSE;

  *entry = NULL;
  *entry_len = 0;
  if (len > WIRE_SIGNED_MAX)
    return ERR_TOO_BIG;
  m = glowtalk__signed_entry__unpack(&pb_allocator, len, buf);
  if (m == NULL)
    return ERR_PARSE;
  if (m->entry.len > WIRE_ENTRY_MAX) {
    err = ERR_TOO_BIG;
  } else if (m->sig.len == WIRE_SIG_BYTES && m->entry.len > 0) {
    memcpy(sig, m->sig.data, WIRE_SIG_BYTES);
    *entry = xmalloc(m->entry.len);
    memcpy(*entry, m->entry.data, m->entry.len);
    *entry_len = m->entry.len;
    err = 0;
  }
  glowtalk__signed_entry__free_unpacked(m, &pb_allocator);
  return err;
}

int
wire_signed_view(const uint8_t *buf, size_t len, const uint8_t **entry,
                 size_t *entry_len, uint8_t sig[WIRE_SIG_BYTES],
                 uint8_t **owned)
{
  size_t off = 1, elen = 0;
  int shift = 0, err;

  *entry = NULL;
  *entry_len = 0;
  *owned = NULL;
  if (len > WIRE_SIGNED_MAX)
    return ERR_TOO_BIG;
  /* Canonical: field 1 (tag 0x0a), a varint length, the entry bytes,
   * then field 2 (tag 0x12) of length 64 and nothing after it. */
  if (len > 0 && buf[0] == 0x0a) {
    while (off < len && off <= 3) {
      elen |= (size_t)(buf[off] & 0x7f) << shift;
      shift += 7;
      if (!(buf[off++] & 0x80))
        break;
    }
    if (off <= len && (buf[off - 1] & 0x80) == 0 && elen > 0 &&
        elen <= WIRE_ENTRY_MAX && len - off >= elen &&
        len - off - elen == 2 + WIRE_SIG_BYTES &&
        buf[off + elen] == 0x12 && buf[off + elen + 1] == WIRE_SIG_BYTES) {
      *entry = buf + off;
      *entry_len = elen;
      memcpy(sig, buf + off + elen + 2, WIRE_SIG_BYTES);
      return 0;
    }
  }
  err = wire_signed_decode(buf, len, owned, entry_len, sig);
  *entry = *owned;
  return err;
}

int
wire_signed_encode(const uint8_t *entry, size_t entry_len,
                   const uint8_t sig[WIRE_SIG_BYTES], uint8_t **out,
                   size_t *len)
{
  Glowtalk__SignedEntry m = GLOWTALK__SIGNED_ENTRY__INIT;

  *out = NULL;
  *len = 0;
  if (entry_len > WIRE_ENTRY_MAX)
    return ERR_TOO_BIG;
  m.entry = bin(entry, entry_len);
  m.sig = bin(sig, WIRE_SIG_BYTES);
  *len = glowtalk__signed_entry__get_packed_size(&m);
  *out = xmalloc(*len);
  glowtalk__signed_entry__pack(&m, *out);
  return 0;
}

const char *
wire_op_name(int op)
{
  switch (op) {
  case WIRE_OP_IMPORT_WORK: return "import_work";
  case WIRE_OP_BOOK_CREATE: return "book_create";
  case WIRE_OP_BOOK_RENAME: return "book_rename";
  case WIRE_OP_BOOK_DELETE: return "book_delete";
  case WIRE_OP_CAST_CHARACTER: return "cast_character";
  case WIRE_OP_CAST_DEFAULT: return "cast_default";
  case WIRE_OP_CAST_POST: return "cast_post";
  case WIRE_OP_CAST_SNIPPET: return "cast_snippet";
  case WIRE_OP_LEXICON: return "lexicon";
  case WIRE_OP_START_RENDER: return "start_render";
  case WIRE_OP_CANCEL_PENDING: return "cancel_pending";
  case WIRE_OP_RERENDER: return "rerender";
  case WIRE_OP_CLAIM: return "claim";
  case WIRE_OP_RENEW: return "renew";
  case WIRE_OP_RELEASE: return "release";
  case WIRE_OP_COMPLETE: return "complete";
  case WIRE_OP_FAIL: return "fail";
  case WIRE_OP_FOUND: return "found";
  case WIRE_OP_INVITE_CREATE: return "invite_create";
  case WIRE_OP_INVITE_REVOKE: return "invite_revoke";
  case WIRE_OP_ADMIT: return "admit";
  case WIRE_OP_REMOVE: return "remove";
  case WIRE_OP_RETIRE: return "retire";
  case WIRE_OP_ADDR_ANNOUNCE: return "addr_announce";
  default: return "unknown";
  }
}
