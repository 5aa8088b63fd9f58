/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Entry encoding: round trips of every operation, the static checks and
 * caps, sentence runs, and operations from a newer build (unknown field
 * numbers), which are stored and ignored. */
#include <string.h>

#include "crypto/secure.h"
#include "logtest.h"
#include "node/alloc.h"
#include "task.h"

static void
roundtrip(struct wire_entry *e)
{
  struct wire_entry d;
  uint8_t *bytes, *again;
  size_t len, len2;
  char errbuf[160];

  e->format = WIRE_ENTRY_FORMAT;
  e->seq = e->seq ? e->seq : 3;
  e->lamport = 9;
  memset(e->author, 1, sizeof(e->author));
  memset(e->prev, 2, sizeof(e->prev));
  if (wire_entry_encode(e, &bytes, &len, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("encode %s: %s", wire_op_name(e->op), errbuf);
  if (wire_entry_decode(bytes, len, &d, errbuf, sizeof(errbuf)))
    ASSERT_FAIL_("decode %s: %s", wire_op_name(e->op), errbuf);
  ASSERT_EQ(d.op, e->op);
  ASSERT_EQ(d.seq, e->seq);
  ASSERT_EQ(memcmp(d.prev, e->prev, 32), 0);
  ASSERT_EQ(d.sent.count, e->sent.count);
  /* Re-encoding what was decoded gives the same bytes (our encoder is
   * deterministic; receivers still never rely on that). */
  ASSERT_OK(wire_entry_encode(&d, &again, &len2, errbuf, sizeof(errbuf)));
  ASSERT_EQ(len2, len);
  ASSERT_EQ(memcmp(again, bytes, len), 0);
  xfree(bytes);
  xfree(again);
  wire_entry_clear(&d);
  wire_entry_clear(e);
}

TEST_IMPL(wire_roundtrip_every_op)
{
  static const int ops[] = {
    WIRE_OP_IMPORT_WORK, WIRE_OP_BOOK_CREATE, WIRE_OP_BOOK_RENAME,
    WIRE_OP_BOOK_DELETE, WIRE_OP_CAST_CHARACTER, WIRE_OP_CAST_DEFAULT,
    WIRE_OP_CAST_POST, WIRE_OP_CAST_SNIPPET, WIRE_OP_LEXICON,
    WIRE_OP_START_RENDER, WIRE_OP_CANCEL_PENDING, WIRE_OP_RERENDER,
    WIRE_OP_CLAIM, WIRE_OP_RENEW, WIRE_OP_RELEASE, WIRE_OP_COMPLETE,
    WIRE_OP_FAIL, WIRE_OP_FOUND, WIRE_OP_INVITE_CREATE,
    WIRE_OP_INVITE_REVOKE, WIRE_OP_ADMIT, WIRE_OP_REMOVE, WIRE_OP_RETIRE,
    WIRE_OP_ADDR_ANNOUNCE};
  struct wire_entry e;
  size_t i;

  for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
    memset(&e, 0, sizeof(e));
    e.op = ops[i];
    memset(e.book, 5, sizeof(e.book));
    e.work_id = xstrdup("glowfic:post:1");
    e.text = xstrdup("Alice");
    e.voice = xstrdup("espeak:en");
    e.last = 4;
    switch (e.op) {
    case WIRE_OP_START_RENDER: case WIRE_OP_RERENDER: case WIRE_OP_CLAIM:
    case WIRE_OP_FAIL:
      wire_sentences_range(&e.sent, 10, 5);
      break;
    case WIRE_OP_RENEW: case WIRE_OP_RELEASE:
      e.claims = xcalloc(1, sizeof(uint64_t));
      e.claims[0] = 2;
      e.nclaims = 1;
      break;
    case WIRE_OP_COMPLETE:
      wire_sentences_range(&e.sent, 0, 2);
      e.audio = xcalloc(2, 32);
      e.sizes = xcalloc(2, sizeof(uint32_t));
      e.durations_ms = xcalloc(2, sizeof(uint32_t));
      e.contexts = xcalloc(2, 32);
      e.ncontexts = 2;
      e.context_index = xcalloc(2, sizeof(uint32_t));
      e.context_index[1] = 1;
      break;
    case WIRE_OP_ADDR_ANNOUNCE:
      e.addrs = xcalloc(2, sizeof(char *));
      e.addrs[0] = xstrdup("192.168.1.2:8009");
      e.naddrs = 1;
      break;
    default:
      break;
    }
    roundtrip(&e);
  }
  /* Seq 1 has no previous id. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  e.seq = 1;
  {
    uint8_t *bytes;
    size_t len;
    struct wire_entry d;
    char errbuf[160];
    e.lamport = 1;
    ASSERT_OK(wire_entry_encode(&e, &bytes, &len, errbuf, sizeof(errbuf)));
    ASSERT_OK(wire_entry_decode(bytes, len, &d, errbuf, sizeof(errbuf)));
    ASSERT_EQ(d.seq, 1);
    wire_entry_clear(&d);
    xfree(bytes);
  }
  return 0;
}

TEST_IMPL(wire_static_checks)
{
  struct wire_entry e;
  uint8_t *bytes = NULL;
  size_t len;
  char errbuf[160];
  uint32_t idx[] = {3, 4, 5, 9, 20, 21};
  struct wire_iter it;
  uint32_t s, first, n, k = 0;

  /* Runs: increasing indices collapse into runs; iteration gives them
   * back; duplicates are refused. */
  memset(&e, 0, sizeof(e));
  ASSERT_OK(wire_sentences_from(&e.sent, idx, 6));
  ASSERT_EQ(e.sent.nruns, 6);
  ASSERT_EQ(e.sent.runs[0], 3);
  ASSERT_EQ(e.sent.runs[1], 3);
  ASSERT_EQ(e.sent.runs[2], 3);
  wire_iter_init(&it, &e.sent);
  while (wire_iter_next(&it, &s))
    ASSERT_EQ(s, idx[k++]);
  ASSERT_EQ(k, 6);
  wire_iter_init(&it, &e.sent);
  ASSERT(wire_iter_next_run(&it, &first, &n));
  ASSERT_EQ(first, 3);
  ASSERT_EQ(n, 3);
  ASSERT(wire_iter_next_run(&it, &first, &n));
  ASSERT_EQ(first, 9);
  idx[1] = 3;
  ASSERT_EQ(wire_sentences_from(&e.sent, idx, 6), ERR_INVAL);
  /* Ops that fail their checks are not encoded. */
  e.format = 1;
  e.seq = 2;
  e.lamport = 2;
  e.op = WIRE_OP_CLAIM; /* no sentences */
  ASSERT_EQ(wire_entry_encode(&e, &bytes, &len, errbuf, sizeof(errbuf)),
            ERR_INVAL);
  e.op = WIRE_OP_IMPORT_WORK; /* no work id */
  ASSERT_EQ(wire_entry_encode(&e, &bytes, &len, errbuf, sizeof(errbuf)),
            ERR_INVAL);
  e.op = WIRE_OP_RENEW; /* names a claim that is not earlier */
  e.claims = xcalloc(1, sizeof(uint64_t));
  e.claims[0] = 2;
  e.nclaims = 1;
  ASSERT_EQ(wire_entry_encode(&e, &bytes, &len, errbuf, sizeof(errbuf)),
            ERR_INVAL);
  e.op = WIRE_OP_LEXICON;
  e.text = xmalloc(WIRE_STR_MAX + 2);
  memset(e.text, 'w', WIRE_STR_MAX + 1);
  e.text[WIRE_STR_MAX + 1] = '\0';
  ASSERT_EQ(wire_entry_encode(&e, &bytes, &len, errbuf, sizeof(errbuf)),
            ERR_INVAL);
  ASSERT_NULL(bytes);
  wire_entry_clear(&e);
  /* Decoding caps and garbage. */
  {
    static const uint8_t junk[] = {0xff, 0xff, 0xff};
    uint8_t big[WIRE_ENTRY_MAX + 1];
    memset(big, 0, sizeof(big));
    ASSERT_EQ(wire_entry_decode(big, sizeof(big), &e, errbuf,
                                sizeof(errbuf)), ERR_TOO_BIG);
    ASSERT_EQ(wire_entry_decode(junk, sizeof(junk), &e, errbuf,
                                sizeof(errbuf)), ERR_PARSE);
    /* An empty Entry has no operation. */
    ASSERT_EQ(wire_entry_decode(junk, 0, &e, errbuf, sizeof(errbuf)),
              ERR_PARSE);
  }
  return 0;
}

/* A Found entry re-tagged as operation field 40 (reserved: a newer
 * build's operation). */
static uint8_t *
unknown_op_entry(struct tauthor *a, uint64_t seen, size_t *len,
                 uint8_t id[32])
{
  struct wire_entry e;
  uint8_t *bytes, *out, sig[WIRE_SIG_BYTES];
  size_t blen;
  char errbuf[160];

  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_FOUND;
  e.format = WIRE_ENTRY_FORMAT;
  memcpy(e.network_id, lt_net, sizeof(lt_net));
  memcpy(e.author, a->key, 32);
  e.seq = a->seq + 1;
  memcpy(e.prev, a->last, 32);
  e.lamport = (seen > a->lamport ? seen : a->lamport) + 1;
  ASSERT_OK(wire_entry_encode(&e, &bytes, &blen, errbuf, sizeof(errbuf)));
  /* Found (48, length-delimited) is the last field: 0x82 0x03 0x00. */
  ASSERT(blen >= 3 && bytes[blen - 3] == 0x82 && bytes[blen - 2] == 0x03);
  bytes[blen - 3] = (uint8_t)(((40 << 3) | 2) & 0x7f) | 0x80;
  bytes[blen - 2] = (40 << 3 | 2) >> 7;
  identity_sign(a->id, FEED_SIGN_CONTEXT, bytes, blen, sig);
  feed_entry_id(bytes, blen, id);
  ASSERT_OK(wire_signed_encode(bytes, blen, sig, &out, len));
  a->seq = e.seq;
  a->lamport = e.lamport;
  memcpy(a->last, id, 32);
  xfree(bytes);
  return out;
}

TEST_IMPL(wire_unknown_op_is_kept_and_ignored)
{
  char *dir = test_mkdtemp(), before[65], after[65];
  struct tauthor a, r;
  struct db *db;
  struct feed *f;
  struct feed_result res;
  struct wire_entry e;
  uint8_t *buf, id[32], *got;
  size_t len, glen;

  lt_author(&a, dir, 0);
  lt_author(&r, dir, 1);
  lt_store(dir, "u.db", a.key, r.id, &db, &f);
  lt_hash(f, before);
  buf = unknown_op_entry(&a, 0, &len, id);
  ASSERT_EQ(lt_recv(f, buf, len, &res), FEED_ACCEPTED);
  lt_hash(f, after);
  ASSERT_STR_EQ(before, after);
  ASSERT_EQ(lt_count(db, "SELECT op FROM log_entries"), WIRE_OP_UNKNOWN);
  /* It is kept byte for byte, to be passed on. */
  ASSERT_OK(feed_get(f, a.key, 1, &got, &glen));
  ASSERT_EQ(glen, len);
  ASSERT_EQ(memcmp(got, buf, len), 0);
  xfree(got);
  xfree(buf);
  /* The feed goes on after it. */
  memset(&e, 0, sizeof(e));
  e.op = WIRE_OP_BOOK_CREATE;
  e.work_id = xstrdup("w");
  buf = lt_next(&a, &e, 0, &len, id);
  ASSERT_EQ(lt_recv(f, buf, len, &res), FEED_ACCEPTED);
  ASSERT_EQ(lt_count(db, "SELECT count(*) FROM st_books"), 1);
  ASSERT_OK(feed_rebuild(f));
  ASSERT_EQ(lt_count(db, "SELECT count(*) FROM st_books"), 1);
  xfree(buf);
  wire_entry_clear(&e);
  feed_free(&f);
  db_close(&db);
  lt_author_free(&a);
  lt_author_free(&r);
  test_rmdir(dir);
  return 0;
}

/* wire_signed_view: no copy for the canonical encoding, the decoder's
 * answer for every other form, and the same rejections. */
static void
view_like_decode(const uint8_t *buf, size_t len)
{
  const uint8_t *v = NULL;
  uint8_t *owned = NULL, *dec = NULL, s1[WIRE_SIG_BYTES], s2[WIRE_SIG_BYTES];
  size_t vlen = 0, dlen = 0;
  int e1 = wire_signed_view(buf, len, &v, &vlen, s1, &owned);
  int e2 = wire_signed_decode(buf, len, &dec, &dlen, s2);
  ASSERT_EQ(e1, e2);
  if (!e1) {
    ASSERT_EQ(vlen, dlen);
    ASSERT_EQ(memcmp(v, dec, dlen), 0);
    ASSERT_EQ(memcmp(s1, s2, WIRE_SIG_BYTES), 0);
  }
  xfree(owned);
  xfree(dec);
}

TEST_IMPL(wire_signed_view_matches_decode)
{
  uint8_t entry[300], sig[WIRE_SIG_BYTES], *out, alt[400];
  const uint8_t *v;
  uint8_t *owned, s[WIRE_SIG_BYTES];
  size_t len, vlen, i;

  for (i = 0; i < sizeof(entry); i++)
    entry[i] = (uint8_t)(i * 7);
  memset(sig, 0x5a, sizeof(sig));
  ASSERT_OK(wire_signed_encode(entry, sizeof(entry), sig, &out, &len));
  /* Canonical: points into the buffer, nothing allocated. */
  ASSERT_OK(wire_signed_view(out, len, &v, &vlen, s, &owned));
  ASSERT(owned == NULL);
  ASSERT(v > out && v + vlen <= out + len);
  ASSERT_EQ(vlen, sizeof(entry));
  ASSERT_EQ(memcmp(v, entry, vlen), 0);
  ASSERT_EQ(memcmp(s, sig, sizeof(sig)), 0);
  view_like_decode(out, len);
  /* Every truncation and a flipped byte at every place. */
  for (i = 0; i < len; i++) {
    view_like_decode(out, i);
    out[i] ^= 0x80;
    view_like_decode(out, len);
    out[i] ^= 0x80;
  }
  /* Fields in the other order, and a non-minimal length varint: valid
   * protobuf, not the canonical form, same answer as the decoder. */
  alt[0] = 0x12;
  alt[1] = WIRE_SIG_BYTES;
  memcpy(alt + 2, sig, sizeof(sig));
  memcpy(alt + 2 + sizeof(sig), out, len - 2 - sizeof(sig));
  view_like_decode(alt, len);
  ASSERT_OK(wire_signed_view(alt, len, &v, &vlen, s, &owned));
  ASSERT(owned != NULL);
  ASSERT_EQ(memcmp(v, entry, sizeof(entry)), 0);
  xfree(owned);
  {
    uint8_t small[4 + 5 + 2 + WIRE_SIG_BYTES];
    small[0] = 0x0a;
    small[1] = 0x85; /* 5, in three bytes */
    small[2] = 0x80;
    small[3] = 0x00;
    memcpy(small + 4, entry, 5);
    small[9] = 0x12;
    small[10] = WIRE_SIG_BYTES;
    memcpy(small + 11, sig, sizeof(sig));
    view_like_decode(small, sizeof(small));
    ASSERT_OK(wire_signed_view(small, sizeof(small), &v, &vlen, s, &owned));
    ASSERT_EQ(vlen, 5u);
    ASSERT_EQ(memcmp(v, entry, 5), 0);
    xfree(owned);
  }
  xfree(out);
  return 0;
}

/* The key absorbed once gives what the one-shot keyed hash gives, for
 * messages around the block size (entry ids use it). */
TEST_IMPL(wire_entry_id_keyed_state)
{
  struct secure_hash_key *k = secure_hash_key_new(FEED_ID_KEY,
                                                  strlen(FEED_ID_KEY));
  uint8_t msg[300], a[SECURE_HASH_BYTES], b[SECURE_HASH_BYTES];
  size_t n;

  for (n = 0; n < sizeof(msg); n++)
    msg[n] = (uint8_t)(n * 13 + 1);
  for (n = 0; n <= sizeof(msg); n += (n < 140 ? 1 : 37)) {
    secure_hash_keyed(k, a, msg, n);
    feed_entry_id(msg, n, b);
    ASSERT_EQ(memcmp(a, b, sizeof(a)), 0);
  }
  secure_hash_key_free(&k);
  ASSERT(k == NULL);
  return 0;
}
