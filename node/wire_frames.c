/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Frame envelope encode/decode over protobuf-c; see wire_frames.h. */
#include "node/wire_frames.h"

#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "crypto/frames.h"
#include "node/alloc.h"
#include "proto/glowtalk.pb-c.h"

/* protobuf-c allocates through node/alloc.c like the rest (STYLE.md E9). */
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

static ProtobufCAllocator allocator = {pb_alloc, pb_free, NULL};

/* A control string we agree to send: NULL (empty) or <= WIRE_STRING_MAX. */
static int
str_ok(const char *s)
{
  return s == NULL || strlen(s) <= WIRE_STRING_MAX;
}

/* n bytes at p (NULL: empty) as a protobuf bytes field. */
static ProtobufCBinaryData
bin(const uint8_t *p, size_t n)
{
  ProtobufCBinaryData b;
  b.data = (uint8_t *)p;
  b.len = p ? n : 0;
  return b;
}

static int
list_ok(char **items, size_t n)
{
  size_t i;
  if (n > WIRE_HELLO_LIST_MAX)
    return 0;
  for (i = 0; i < n; i++) {
    if (items[i] == NULL || strlen(items[i]) > WIRE_STRING_MAX)
      return 0;
  }
  return 1;
}

int
wire_frame_encode(const struct wire_frame *f, uint8_t **out, size_t *len)
{
  Glowtalk__Frame fr = GLOWTALK__FRAME__INIT;
  Glowtalk__Hello hello = GLOWTALK__HELLO__INIT;
  Glowtalk__Ping ping = GLOWTALK__PING__INIT;
  Glowtalk__Pong pong = GLOWTALK__PONG__INIT;
  Glowtalk__Goodbye bye = GLOWTALK__GOODBYE__INIT;
  Glowtalk__ReplHeads rh = GLOWTALK__REPL_HEADS__INIT;
  Glowtalk__ReplEntries re = GLOWTALK__REPL_ENTRIES__INIT;
  const struct wire_hello *h = &f->u.hello;
  Glowtalk__ReplHead *hv = NULL, **hp = NULL;
  ProtobufCBinaryData *ev = NULL;
  size_t n, i;
  int err = 0;
  Glowtalk__BlobHave have = GLOWTALK__BLOB_HAVE__INIT;
  Glowtalk__BlobWant want = GLOWTALK__BLOB_WANT__INIT;
  Glowtalk__BlobGet get = GLOWTALK__BLOB_GET__INIT;
  Glowtalk__BlobChunk chunk = GLOWTALK__BLOB_CHUNK__INIT;
  Glowtalk__BlobMissing missing = GLOWTALK__BLOB_MISSING__INIT;
  ProtobufCBinaryData *list = NULL;
  Glowtalk__JoinRequest jreq = GLOWTALK__JOIN_REQUEST__INIT;
  Glowtalk__JoinAccept jacc = GLOWTALK__JOIN_ACCEPT__INIT;
  Glowtalk__JoinRefuse jref = GLOWTALK__JOIN_REFUSE__INIT;

  *out = NULL;
  *len = 0;
  switch (f->kind) {
  case WIRE_HELLO:
    if (!list_ok(h->features, h->n_features) ||
        !list_ok(h->engines, h->n_engines) ||
        !list_ok(h->voices, h->n_voices))
      return ERR_INVAL;
    hello.protocol_version = h->protocol_version;
    hello.features = h->features;
    hello.n_features = h->n_features;
    hello.engines = h->engines;
    hello.n_engines = h->n_engines;
    hello.voices = h->voices;
    hello.n_voices = h->n_voices;
    if (h->software_version)
      hello.software_version = (char *)h->software_version;
    fr.body_case = GLOWTALK__FRAME__BODY_HELLO;
    fr.hello = &hello;
    break;
  case WIRE_PING:
    ping.nonce = f->u.ping.nonce;
    ping.padding.data = (uint8_t *)f->u.ping.padding;
    ping.padding.len = f->u.ping.padding ? f->u.ping.padding_len : 0;
    fr.body_case = GLOWTALK__FRAME__BODY_PING;
    fr.ping = &ping;
    break;
  case WIRE_PONG:
    pong.nonce = f->u.pong.nonce;
    fr.body_case = GLOWTALK__FRAME__BODY_PONG;
    fr.pong = &pong;
    break;
  case WIRE_GOODBYE:
    bye.code = f->u.goodbye.code;
    if (f->u.goodbye.reason)
      bye.reason = (char *)f->u.goodbye.reason;
    fr.body_case = GLOWTALK__FRAME__BODY_GOODBYE;
    fr.goodbye = &bye;
    break;
  case WIRE_REPL_HEADS:
    if (f->u.heads.n > WIRE_REPL_HEADS_MAX)
      return ERR_INVAL;
    hv = xcalloc(f->u.heads.n + 1, sizeof(*hv));
    hp = xcalloc(f->u.heads.n + 1, sizeof(*hp));
    for (i = 0; i < f->u.heads.n; i++) {
      glowtalk__repl_head__init(&hv[i]);
      hv[i].author.data = (uint8_t *)f->u.heads.heads[i].author;
      hv[i].author.len = WIRE_REPL_KEY_BYTES;
      hv[i].seq = f->u.heads.heads[i].seq;
      if (f->u.heads.heads[i].id) {
        hv[i].id.data = (uint8_t *)f->u.heads.heads[i].id;
        hv[i].id.len = WIRE_REPL_KEY_BYTES;
      }
      hp[i] = &hv[i];
    }
    rh.heads = hp;
    rh.n_heads = f->u.heads.n;
    rh.want = f->u.heads.want != 0;
    fr.body_case = GLOWTALK__FRAME__BODY_REPL_HEADS;
    fr.repl_heads = &rh;
    break;
  case WIRE_REPL_ENTRIES:
    if (f->u.entries.n > WIRE_REPL_ENTRIES_MAX)
      return ERR_INVAL;
    ev = xcalloc(f->u.entries.n + 1, sizeof(*ev));
    for (i = 0; i < f->u.entries.n; i++) {
      ev[i].data = (uint8_t *)f->u.entries.items[i].data;
      ev[i].len = f->u.entries.items[i].len;
    }
    re.entries = ev;
    re.n_entries = f->u.entries.n;
    fr.body_case = GLOWTALK__FRAME__BODY_REPL_ENTRIES;
    fr.repl_entries = &re;
    break;
  case WIRE_BLOB_HAVE:
  case WIRE_BLOB_WANT:
    if (f->u.blob_list.n > WIRE_BLOB_LIST_MAX)
      return ERR_INVAL;
    list = xcalloc(f->u.blob_list.n + 1, sizeof(*list));
    for (i = 0; i < f->u.blob_list.n; i++) {
      list[i].data =
          (uint8_t *)f->u.blob_list.hashes + i * WIRE_BLOB_HASH_BYTES;
      list[i].len = WIRE_BLOB_HASH_BYTES;
    }
    if (f->kind == WIRE_BLOB_HAVE) {
      have.hashes = list;
      have.n_hashes = f->u.blob_list.n;
      fr.body_case = GLOWTALK__FRAME__BODY_BLOB_HAVE;
      fr.blob_have = &have;
    } else {
      want.hashes = list;
      want.n_hashes = f->u.blob_list.n;
      fr.body_case = GLOWTALK__FRAME__BODY_BLOB_WANT;
      fr.blob_want = &want;
    }
    break;
  case WIRE_BLOB_GET:
    get.hash.data = (uint8_t *)f->u.blob_get.hash;
    get.hash.len = WIRE_BLOB_HASH_BYTES;
    get.offset = f->u.blob_get.offset;
    get.length = f->u.blob_get.length;
    get.priority = f->u.blob_get.priority;
    fr.body_case = GLOWTALK__FRAME__BODY_BLOB_GET;
    fr.blob_get = &get;
    break;
  case WIRE_BLOB_CHUNK:
    if (f->u.blob_chunk.len > WIRE_BLOB_CHUNK_MAX)
      return ERR_INVAL;
    chunk.hash.data = (uint8_t *)f->u.blob_chunk.hash;
    chunk.hash.len = WIRE_BLOB_HASH_BYTES;
    chunk.offset = f->u.blob_chunk.offset;
    chunk.total = f->u.blob_chunk.total;
    chunk.data.data = (uint8_t *)f->u.blob_chunk.data;
    chunk.data.len = f->u.blob_chunk.len;
    fr.body_case = GLOWTALK__FRAME__BODY_BLOB_CHUNK;
    fr.blob_chunk = &chunk;
    break;
  case WIRE_BLOB_MISSING:
    missing.hash.data = (uint8_t *)f->u.blob_missing.hash;
    missing.hash.len = WIRE_BLOB_HASH_BYTES;
    fr.body_case = GLOWTALK__FRAME__BODY_BLOB_MISSING;
    fr.blob_missing = &missing;
    break;
  case WIRE_JOIN_REQUEST:
    if (!str_ok(f->u.join_request.name))
      return ERR_INVAL;
    jreq.invite_key = bin(f->u.join_request.invite_key, WIRE_JOIN_KEY_BYTES);
    jreq.proof = bin(f->u.join_request.proof, WIRE_JOIN_PROOF_BYTES);
    if (f->u.join_request.name)
      jreq.name = (char *)f->u.join_request.name;
    fr.body_case = GLOWTALK__FRAME__BODY_JOIN_REQUEST;
    fr.join_request = &jreq;
    break;
  case WIRE_JOIN_ACCEPT:
    if (!str_ok(f->u.join_accept.address))
      return ERR_INVAL;
    jacc.network_key = bin(f->u.join_accept.network_key,
                           WIRE_JOIN_KEY_BYTES);
    jacc.founder = bin(f->u.join_accept.founder, WIRE_JOIN_KEY_BYTES);
    if (f->u.join_accept.address)
      jacc.address = (char *)f->u.join_accept.address;
    fr.body_case = GLOWTALK__FRAME__BODY_JOIN_ACCEPT;
    fr.join_accept = &jacc;
    break;
  case WIRE_JOIN_REFUSE:
    if (!str_ok(f->u.join_refuse.reason))
      return ERR_INVAL;
    jref.code = f->u.join_refuse.code;
    if (f->u.join_refuse.reason)
      jref.reason = (char *)f->u.join_refuse.reason;
    fr.body_case = GLOWTALK__FRAME__BODY_JOIN_REFUSE;
    fr.join_refuse = &jref;
    break;
  default:
    return ERR_INVAL;
  }
  n = glowtalk__frame__get_packed_size(&fr);
  if (n > FRAMES_PLAIN_MAX) {
    err = ERR_TOO_BIG;
    goto out;
  }
  *out = xmalloc(n ? n : 1);
  *len = glowtalk__frame__pack(&fr, *out);
out:
  xfree(hv);
  xfree(hp);
  xfree(ev);
  xfree(list);
  return err;
}

/* A decoded hash list: capped, each hash exactly 32 B, packed into one
 * allocation the frame owns. */
static int
decode_list(struct wire_frame *f, ProtobufCBinaryData *items, size_t n)
{
  uint8_t *flat;
  size_t i;

  if (n > WIRE_BLOB_LIST_MAX)
    return ERR_TOO_BIG;
  for (i = 0; i < n; i++) {
    if (items[i].len != WIRE_BLOB_HASH_BYTES)
      return ERR_PARSE;
  }
  flat = xmalloc(n ? n * WIRE_BLOB_HASH_BYTES : 1);
  for (i = 0; i < n; i++)
    memcpy(flat + i * WIRE_BLOB_HASH_BYTES, items[i].data,
           WIRE_BLOB_HASH_BYTES);
  f->extra_ = flat;
  f->u.blob_list.hashes = flat;
  f->u.blob_list.n = n;
  return 0;
}

int
wire_frame_decode(const uint8_t *data, size_t len, struct wire_frame *f)
{
  Glowtalk__Frame *fr;
  int err = 0;

  memset(f, 0, sizeof(*f));
  if (len > FRAMES_PLAIN_MAX)
    return ERR_TOO_BIG;
  fr = glowtalk__frame__unpack(&allocator, len, data);
  if (fr == NULL)
    return ERR_PARSE;
  switch (fr->body_case) {
  case GLOWTALK__FRAME__BODY_HELLO:
    if (!list_ok(fr->hello->features, fr->hello->n_features) ||
        !list_ok(fr->hello->engines, fr->hello->n_engines) ||
        !list_ok(fr->hello->voices, fr->hello->n_voices) ||
        strlen(fr->hello->software_version) > WIRE_STRING_MAX) {
      err = ERR_TOO_BIG;
      goto fail;
    }
    f->kind = WIRE_HELLO;
    f->u.hello.protocol_version = fr->hello->protocol_version;
    f->u.hello.features = fr->hello->features;
    f->u.hello.n_features = fr->hello->n_features;
    f->u.hello.engines = fr->hello->engines;
    f->u.hello.n_engines = fr->hello->n_engines;
    f->u.hello.voices = fr->hello->voices;
    f->u.hello.n_voices = fr->hello->n_voices;
    f->u.hello.software_version = fr->hello->software_version;
    break;
  case GLOWTALK__FRAME__BODY_PING:
    f->kind = WIRE_PING;
    f->u.ping.nonce = fr->ping->nonce;
    f->u.ping.padding = fr->ping->padding.data;
    f->u.ping.padding_len = fr->ping->padding.len;
    break;
  case GLOWTALK__FRAME__BODY_PONG:
    f->kind = WIRE_PONG;
    f->u.pong.nonce = fr->pong->nonce;
    break;
  case GLOWTALK__FRAME__BODY_GOODBYE:
    if (strlen(fr->goodbye->reason) > WIRE_STRING_MAX) {
      err = ERR_TOO_BIG;
      goto fail;
    }
    f->kind = WIRE_GOODBYE;
    f->u.goodbye.code = fr->goodbye->code;
    f->u.goodbye.reason = fr->goodbye->reason;
    break;
  case GLOWTALK__FRAME__BODY_REPL_HEADS: {
    struct wire_repl_head *hv;
    size_t i, n = fr->repl_heads->n_heads;
    if (n > WIRE_REPL_HEADS_MAX) {
      err = ERR_TOO_BIG;
      goto fail;
    }
    for (i = 0; i < n; i++)
      if (fr->repl_heads->heads[i]->author.len != WIRE_REPL_KEY_BYTES ||
          (fr->repl_heads->heads[i]->id.len != 0 &&
           fr->repl_heads->heads[i]->id.len != WIRE_REPL_KEY_BYTES)) {
        err = ERR_PARSE;
        goto fail;
      }
    hv = xcalloc(n + 1, sizeof(*hv));
    for (i = 0; i < n; i++) {
      hv[i].author = fr->repl_heads->heads[i]->author.data;
      hv[i].seq = fr->repl_heads->heads[i]->seq;
      hv[i].id = fr->repl_heads->heads[i]->id.len
                     ? fr->repl_heads->heads[i]->id.data
                     : NULL;
    }
    f->kind = WIRE_REPL_HEADS;
    f->u.heads.heads = hv;
    f->u.heads.n = n;
    f->u.heads.want = fr->repl_heads->want;
    f->aux_ = hv;
    break;
  }
  case GLOWTALK__FRAME__BODY_REPL_ENTRIES: {
    struct wire_bytes *ev;
    size_t i, n = fr->repl_entries->n_entries;
    if (n > WIRE_REPL_ENTRIES_MAX) {
      err = ERR_TOO_BIG;
      goto fail;
    }
    ev = xcalloc(n + 1, sizeof(*ev));
    for (i = 0; i < n; i++) {
      ev[i].data = fr->repl_entries->entries[i].data;
      ev[i].len = fr->repl_entries->entries[i].len;
    }
    f->kind = WIRE_REPL_ENTRIES;
    f->u.entries.items = ev;
    f->u.entries.n = n;
    f->aux_ = ev;
    break;
  }
  case GLOWTALK__FRAME__BODY_BLOB_HAVE:
    f->kind = WIRE_BLOB_HAVE;
    err = decode_list(f, fr->blob_have->hashes, fr->blob_have->n_hashes);
    if (err)
      goto fail;
    break;
  case GLOWTALK__FRAME__BODY_BLOB_WANT:
    f->kind = WIRE_BLOB_WANT;
    err = decode_list(f, fr->blob_want->hashes, fr->blob_want->n_hashes);
    if (err)
      goto fail;
    break;
  case GLOWTALK__FRAME__BODY_BLOB_GET:
    if (fr->blob_get->hash.len != WIRE_BLOB_HASH_BYTES) {
      err = ERR_PARSE;
      goto fail;
    }
    f->kind = WIRE_BLOB_GET;
    f->u.blob_get.hash = fr->blob_get->hash.data;
    f->u.blob_get.offset = fr->blob_get->offset;
    f->u.blob_get.length = fr->blob_get->length;
    f->u.blob_get.priority = fr->blob_get->priority;
    break;
  case GLOWTALK__FRAME__BODY_BLOB_CHUNK:
    if (fr->blob_chunk->hash.len != WIRE_BLOB_HASH_BYTES) {
      err = ERR_PARSE;
      goto fail;
    }
    if (fr->blob_chunk->data.len > WIRE_BLOB_CHUNK_MAX) {
      err = ERR_TOO_BIG;
      goto fail;
    }
    f->kind = WIRE_BLOB_CHUNK;
    f->u.blob_chunk.hash = fr->blob_chunk->hash.data;
    f->u.blob_chunk.offset = fr->blob_chunk->offset;
    f->u.blob_chunk.total = fr->blob_chunk->total;
    f->u.blob_chunk.data = fr->blob_chunk->data.data;
    f->u.blob_chunk.len = fr->blob_chunk->data.len;
    break;
  case GLOWTALK__FRAME__BODY_BLOB_MISSING:
    if (fr->blob_missing->hash.len != WIRE_BLOB_HASH_BYTES) {
      err = ERR_PARSE;
      goto fail;
    }
    f->kind = WIRE_BLOB_MISSING;
    f->u.blob_missing.hash = fr->blob_missing->hash.data;
    break;
  case GLOWTALK__FRAME__BODY_JOIN_REQUEST:
    if (fr->join_request->invite_key.len != WIRE_JOIN_KEY_BYTES ||
        fr->join_request->proof.len != WIRE_JOIN_PROOF_BYTES) {
      err = ERR_PARSE;
      goto fail;
    }
    if (strlen(fr->join_request->name) > WIRE_STRING_MAX) {
      err = ERR_TOO_BIG;
      goto fail;
    }
    f->kind = WIRE_JOIN_REQUEST;
    f->u.join_request.invite_key = fr->join_request->invite_key.data;
    f->u.join_request.proof = fr->join_request->proof.data;
    f->u.join_request.name = fr->join_request->name;
    break;
  case GLOWTALK__FRAME__BODY_JOIN_ACCEPT:
    if (fr->join_accept->network_key.len != WIRE_JOIN_KEY_BYTES ||
        fr->join_accept->founder.len != WIRE_JOIN_KEY_BYTES) {
      err = ERR_PARSE;
      goto fail;
    }
    if (strlen(fr->join_accept->address) > WIRE_STRING_MAX) {
      err = ERR_TOO_BIG;
      goto fail;
    }
    f->kind = WIRE_JOIN_ACCEPT;
    f->u.join_accept.network_key = fr->join_accept->network_key.data;
    f->u.join_accept.founder = fr->join_accept->founder.data;
    f->u.join_accept.address = fr->join_accept->address;
    break;
  case GLOWTALK__FRAME__BODY_JOIN_REFUSE:
    if (strlen(fr->join_refuse->reason) > WIRE_STRING_MAX) {
      err = ERR_TOO_BIG;
      goto fail;
    }
    f->kind = WIRE_JOIN_REFUSE;
    f->u.join_refuse.code = fr->join_refuse->code;
    f->u.join_refuse.reason = fr->join_refuse->reason;
    break;
  default:
    f->kind = WIRE_UNKNOWN; /* a newer peer's body: ignored */
    break;
  }
  f->pb_ = fr;
  return 0;

fail:
  glowtalk__frame__free_unpacked(fr, &allocator);
  xfree(f->extra_);
  memset(f, 0, sizeof(*f));
  return err;
}

void
wire_frame_free(struct wire_frame *f)
{
  if (f == NULL || f->pb_ == NULL)
    return;
  xfree(f->aux_);
  xfree(f->extra_);
  glowtalk__frame__free_unpacked(f->pb_, &allocator);
  memset(f, 0, sizeof(*f));
}

const char *
wire_kind_name(enum wire_kind kind)
{
  static const char *const names[WIRE_KIND_COUNT_] = {
    "unknown",      "hello",     "ping",     "pong",
    "goodbye",      "blob-have", "blob-want", "blob-get",
    "blob-chunk",   "blob-missing", "join-request", "join-accept",
    "join-refuse",
    "repl-heads", "repl-entries"};
  if ((int)kind < 0 || kind >= WIRE_KIND_COUNT_)
    return "unknown";
  return names[kind];
}
