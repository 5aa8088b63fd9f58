/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Test tool for tests/integration/attack.t: a hostile peer that speaks the
 * real wire protocol (crypto/shs.h, crypto/frames.h, node/wire_frames.h)
 * over one blocking TCP connection to a running daemon, then misbehaves in
 * one chosen way and reports what the daemon did. Usage:
 *   attack-peer DIR SERVER_ID HOST:PORT ACTION [ARG]
 *   attack-peer join CODE HOST:PORT MODE
 * DIR holds the attacker's identity.key and network.key. The last line
 * printed is the outcome ("closed goodbye CODE REASON", "closed", "open",
 * "refused ...", "accepted"); exit 0 when the attack ran, 1 when the tool
 * could not run it, 2 on usage errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "crypto/frames.h"
#include "crypto/identity.h"
#include "crypto/invite.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "crypto/shs.h"
#include "node/alloc.h"
#include "node/datadir.h"
#include "node/err.h"
#include "node/feed.h"
#include "node/hex.h"
#include "node/join.h"
#include "node/wire.h"
#include "node/wire_frames.h"

#define IO_TIMEOUT_MS 5000     /* connect, each read or write */
#define WATCH_MS 2000          /* how long the outcome is watched */
#define HEADS_WAIT_MS 5000     /* wait for the daemon's ReplHeads */
#define READ_CHUNK 65536       /* bytes per read() */
#define GARBAGE_BYTES 4096     /* random bytes sent as "frames" */
#define FORGED_LAMPORT 100000  /* lamport of forged entries (any is fine) */
#define BUSY_MS 300            /* heads-lie busy: an empty frame this often */
#define SILENT_MS 8000         /* join silent: how long a slot is held */
#define FLOOD_STR_BYTES 2000   /* each of two strings of a flood entry */
#define FLOOD_AUTHORS 4        /* strangers whose entries flood */
#define FLOOD_PER_AUTHOR 2000  /* entries of each (~32 MB in all) */
#define FLOOD_PER_FRAME 200    /* entries per ReplEntries (< 1 MiB) */

struct conn {
  int fd;
  struct frames *fr;
  uint8_t buf[READ_CHUNK];
  size_t start, end;
  int closed;                  /* the daemon's FINAL frame was read */
};

/* What the daemon said in its heads: the seq and id it holds per author
 * we care about (the server and us). */
struct head {
  uint64_t seq;
  uint8_t id[WIRE_HASH_BYTES];
};

static int
die(const char *what, const char *why)
{
  printf("error %s: %s\n", what, why);
  fflush(stdout);
  return 1;
}

static uint64_t
mono_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
write_all(int fd, const uint8_t *p, size_t len)
{
  ssize_t n;
  while (len > 0) {
    n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return ERR_NET;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Wait up to ms for fd to be readable: 1 readable, 0 timed out. */
static int
readable(int fd, uint64_t ms)
{
  struct pollfd pf = {fd, POLLIN, 0};
  int r;
  do {
    r = poll(&pf, 1, (int)ms);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

static int
dial(const char *addr)
{
  struct sockaddr_in sa;
  struct timeval tv = {IO_TIMEOUT_MS / 1000, 0};
  char host[64];
  const char *colon = strrchr(addr, ':');
  size_t hl;
  long port;
  int fd;

  if (colon == NULL || (hl = (size_t)(colon - addr)) >= sizeof(host))
    return -1;
  memcpy(host, addr, hl);
  host[hl] = '\0';
  port = strtol(colon + 1, NULL, 10);
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
    return -1;
  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Run a client handshake over fd. msgs (may be NULL) receives what we sent
 * (msg 1 then msg 3, 176 bytes). Returns 0 when done; ERR_FORBIDDEN when
 * the server closed the connection before its next message (it refused
 * us without a word), or the handshake's error. why says which. */
static int
run_shs(int fd, struct shs *s, uint8_t *msgs, char *why, size_t whylen)
{
  uint8_t buf[SHS_MSG_MAX];
  size_t n, used, sent = 0;
  ssize_t r;
  int err;

  for (;;) {
    n = shs_take_output(s, buf);
    if (n > 0) {
      if (msgs && sent + n <= SHS_HELLO_BYTES + SHS_CLIENT_AUTH_BYTES)
        memcpy(msgs + sent, buf, n);
      sent += n;
      if (write_all(fd, buf, n) != 0) {
        snprintf(why, whylen, "write failed after %zu bytes", sent);
        return ERR_NET;
      }
    }
    if (shs_done(s))
      return 0;
    r = recv(fd, buf, shs_want(s), 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r == 0 || (r < 0 && errno == ECONNRESET)) {
      snprintf(why, whylen, "server closed after our %zu bytes, nothing "
               "more said", sent);
      return ERR_FORBIDDEN;
    }
    if (r < 0) {
      snprintf(why, whylen, "server silent after our %zu bytes", sent);
      return ERR_TIMEOUT;
    }
    err = shs_feed(s, buf, (size_t)r, &used);
    if (err) {
      snprintf(why, whylen, "%s", shs_error(s));
      return err;
    }
  }
}

static int
send_plain(struct conn *c, const uint8_t *p, size_t len)
{
  size_t cap = frames_sealed_size(len), n;
  uint8_t *out = xmalloc(cap);
  int err = frames_seal(c->fr, p, len, out, cap, &n);
  if (!err)
    err = write_all(c->fd, out, n);
  xfree(out);
  return err;
}

static int
send_frame(struct conn *c, const struct wire_frame *f)
{
  uint8_t *p = NULL;
  size_t len = 0;
  int err = wire_frame_encode(f, &p, &len);
  if (!err)
    err = send_plain(c, p, len);
  xfree(p);
  return err;
}

/* Next frame within ms: 0 with *f decoded (caller frees), 1 when the
 * connection ended (c->closed says whether orderly), ERR_TIMEOUT, or an
 * error of the daemon's bytes. */
static int
recv_frame(struct conn *c, uint64_t ms, struct wire_frame *f)
{
  uint64_t until = mono_ms() + ms;
  uint8_t *msg = NULL;
  size_t used, len;
  ssize_t r;
  int err;

  for (;;) {
    if (c->start == c->end) {
      uint64_t now = mono_ms();
      if (now >= until || !readable(c->fd, until - now))
        return ERR_TIMEOUT;
      r = recv(c->fd, c->buf, sizeof(c->buf), 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return 1; /* EOF or reset */
      c->start = 0;
      c->end = (size_t)r;
    }
    err = frames_read(c->fr, c->buf + c->start, c->end - c->start, &used,
                      &msg, &len);
    c->start += used;
    if (err)
      return err;
    if (frames_closed(c->fr)) {
      c->closed = 1;
      return 1;
    }
    if (msg) {
      err = wire_frame_decode(msg, len, f);
      xfree(msg);
      return err;
    }
  }
}

/* Watch the connection for ms after an attack and print the outcome:
 * the daemon's Goodbye and close, a plain close, or "open". */
static void
outcome(struct conn *c, uint64_t ms)
{
  uint64_t until = mono_ms() + ms, now;
  char bye[WIRE_STRING_MAX + 32] = "";
  struct wire_frame f;
  int r;

  while ((now = mono_ms()) < until) {
    r = recv_frame(c, until - now, &f);
    if (r == ERR_TIMEOUT)
      break;
    if (r != 0) {
      printf("closed%s%s\n", bye[0] ? " " : "", bye);
      return;
    }
    if (f.kind == WIRE_GOODBYE)
      snprintf(bye, sizeof(bye), "goodbye %u %s", f.u.goodbye.code,
               f.u.goodbye.reason);
    wire_frame_free(&f);
  }
  printf("open\n");
}

/* Handshake (over net, as id, towards server) and start the frames.
 * On success *c is ready for Hello. */
static int
open_conn(struct conn *c, const char *addr, const struct identity *id,
          const struct netkey *net, const uint8_t *server, uint8_t *msgs)
{
  uint8_t header[FRAMES_HEADER_BYTES];
  struct shs *s = NULL;
  char why[160] = "";
  int err;

  memset(c, 0, sizeof(*c));
  c->fd = dial(addr);
  if (c->fd < 0)
    return die("connect", addr), ERR_NET;
  err = shs_client_new(id, net, server, &s);
  if (!err)
    err = run_shs(c->fd, s, msgs, why, sizeof(why));
  if (err) {
    printf("refused %s: %s\n", err_str(err), why);
    shs_free(&s);
    return err;
  }
  err = frames_new(s, header, &c->fr);
  shs_free(&s);
  if (!err)
    err = write_all(c->fd, header, sizeof(header));
  return err;
}

static void
close_conn(struct conn *c)
{
  frames_free(&c->fr);
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
}

static int
send_hello(struct conn *c)
{
  struct wire_frame f;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_HELLO;
  f.u.hello.protocol_version = WIRE_PROTOCOL_VERSION;
  f.u.hello.software_version = "attack-peer";
  return send_frame(c, &f);
}

/* Hello both ways; also waits for the daemon's ReplHeads and keeps the
 * heads of server and me (seq 0 when absent). */
static int
greet(struct conn *c, const uint8_t *server, const uint8_t *me,
      struct head *hs, struct head *hm)
{
  struct wire_frame f;
  uint64_t until = mono_ms() + HEADS_WAIT_MS;
  size_t i;
  int r, hello = 0;

  memset(hs, 0, sizeof(*hs));
  memset(hm, 0, sizeof(*hm));
  if (send_hello(c) != 0)
    return die("hello", "cannot send"), ERR_NET;
  while (mono_ms() < until) {
    r = recv_frame(c, until - mono_ms(), &f);
    if (r != 0)
      return die("hello", r == 1 ? "closed" : err_str(r)), ERR_NET;
    if (f.kind == WIRE_HELLO)
      hello = 1;
    if (f.kind == WIRE_REPL_HEADS) {
      for (i = 0; i < f.u.heads.n; i++) {
        const struct wire_repl_head *h = &f.u.heads.heads[i];
        struct head *t = memcmp(h->author, server, WIRE_KEY_BYTES) == 0
                             ? hs
                         : memcmp(h->author, me, WIRE_KEY_BYTES) == 0 ? hm
                                                                      : NULL;
        if (t) {
          t->seq = h->seq;
          if (h->id)
            memcpy(t->id, h->id, WIRE_HASH_BYTES);
        }
      }
      wire_frame_free(&f);
      if (!hello)
        return die("hello", "heads before Hello"), ERR_PARSE;
      return 0;
    }
    wire_frame_free(&f);
  }
  return die("hello", "no heads from the daemon"), ERR_TIMEOUT;
}

/* ---- forged entries --------------------------------------------------- */

static int filler; /* entry(): make big entries (the quarantine flood) */
static uint64_t lamport_override; /* entry(): this lamport when not 0 */
static int lamport_patch; /* entry(): a lamport past WIRE_LAMPORT_MAX */

/* A signed BOOK_CREATE entry by author (signed by signer) at seq after
 * prev, in network. bad_sig flips a signature bit. */
static uint8_t *
entry(const struct identity *signer, const uint8_t *author,
      const uint8_t *network, uint64_t seq, const uint8_t *prev,
      int bad_sig, size_t *len)
{
  struct wire_entry e;
  uint8_t *bytes = NULL, *out = NULL, sig[WIRE_SIG_BYTES];
  size_t blen = 0;
  char errbuf[160];

  memset(&e, 0, sizeof(e));
  e.format = WIRE_ENTRY_FORMAT;
  memcpy(e.network_id, network, WIRE_NETWORK_ID_BYTES);
  memcpy(e.author, author, WIRE_KEY_BYTES);
  e.seq = seq;
  if (seq > 1)
    memcpy(e.prev, prev, WIRE_HASH_BYTES);
  e.lamport = lamport_override ? lamport_override : FORGED_LAMPORT + seq;
  e.wall_ms = (int64_t)time(NULL) * 1000;
  e.op = WIRE_OP_BOOK_CREATE;
  if (filler) {
    /* Big strings: entries of about FLOOD_ENTRY_BYTES each. */
    e.work_id = xmalloc(FLOOD_STR_BYTES + 1);
    memset(e.work_id, 'w', FLOOD_STR_BYTES);
    e.work_id[FLOOD_STR_BYTES] = '\0';
    e.name = xstrdup(e.work_id);
  } else {
    e.work_id = xstrdup("attack-peer");
    e.name = xstrdup("forged by attack-peer");
  }
  if (wire_entry_encode(&e, &bytes, &blen, errbuf, sizeof(errbuf)) != 0) {
    wire_entry_clear(&e);
    return NULL;
  }
  wire_entry_clear(&e);
  if (lamport_patch) {
    /* Our encoder refuses a lamport past WIRE_LAMPORT_MAX: encode 2^53
     * (varint 80 80 80 80 80 80 80 10) and raise its top group to 0x7f,
     * about 2^56, before signing. */
    static const uint8_t v53[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                  0x10};
    uint8_t *at = memmem(bytes, blen, v53, sizeof(v53));
    if (at == NULL) {
      xfree(bytes);
      return NULL;
    }
    at[sizeof(v53) - 1] = 0x7f;
  }
  identity_sign(signer, FEED_SIGN_CONTEXT, bytes, blen, sig);
  if (bad_sig)
    sig[7] ^= 0x20;
  if (wire_signed_encode(bytes, blen, sig, &out, len) != 0)
    out = NULL;
  xfree(bytes);
  return out;
}

/* Append a protobuf varint. */
static size_t
varint(uint8_t *p, uint64_t v)
{
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

/* A Frame{repl_entries = ReplEntries{entries: count × one byte}} built by
 * hand: over WIRE_REPL_ENTRIES_MAX, which our encoder refuses to make. */
static uint8_t *
too_many_entries(size_t count, size_t *len)
{
  size_t inner = count * 3, n = 0;
  uint8_t *p = xmalloc(inner + 16);
  n += varint(p + n, (17 << 3) | 2);
  n += varint(p + n, inner);
  while (count-- > 0) {
    p[n++] = (1 << 3) | 2; /* entries = 1, length-delimited */
    p[n++] = 1;
    p[n++] = 0x5a;
  }
  *len = n;
  return p;
}

static int
send_entries(struct conn *c, uint8_t *const *items, const size_t *lens,
             size_t n)
{
  struct wire_bytes b[4];
  struct wire_frame f;
  size_t i;
  for (i = 0; i < n && i < 4; i++) {
    b[i].data = items[i];
    b[i].len = lens[i];
  }
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_REPL_ENTRIES;
  f.u.entries.items = b;
  f.u.entries.n = i;
  return send_frame(c, &f);
}

/* entries flood: FLOOD_AUTHORS strangers' big well-signed entries, which
 * a member may only hold in its quarantine (bounded in bytes). */
static int
attack_flood(struct conn *c, const uint8_t *network)
{
  struct identity *who = NULL;
  struct wire_bytes b[FLOOD_PER_FRAME];
  struct wire_frame f;
  uint8_t seed[IDENTITY_SEED_BYTES], prev[WIRE_HASH_BYTES];
  size_t n = 0, i;
  uint64_t seq;
  int a, err = 0;

  filler = 1;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_REPL_ENTRIES;
  f.u.entries.items = b;
  for (a = 0; a < FLOOD_AUTHORS && !err; a++) {
    secure_random(seed, sizeof(seed));
    if (identity_from_seed(seed, &who) != 0)
      return ERR_CRYPTO;
    for (seq = 1; seq <= FLOOD_PER_AUTHOR && !err; seq++) {
      secure_random(prev, sizeof(prev));
      b[n].data = entry(who, identity_public_key(who), network, seq, prev, 0,
                        &b[n].len);
      if (b[n].data == NULL) {
        err = ERR_INVAL;
        break;
      }
      if (++n == FLOOD_PER_FRAME) {
        f.u.entries.n = n;
        err = send_frame(c, &f);
        for (i = 0; i < n; i++)
          xfree((void *)b[i].data);
        n = 0;
      }
    }
    identity_free(&who);
  }
  if (!err && n > 0) {
    f.u.entries.n = n;
    err = send_frame(c, &f);
  }
  for (i = 0; i < n; i++)
    xfree((void *)b[i].data);
  filler = 0;
  return err;
}

/* entries MODE: one ReplEntries frame of the kind MODE names. */
static int
attack_entries(struct conn *c, const char *mode, const struct identity *me,
               const uint8_t *server, const uint8_t *network,
               const struct head *hs, const struct head *hm)
{
  const uint8_t *mine = identity_public_key(me);
  uint8_t other_net[WIRE_NETWORK_ID_BYTES], seed[IDENTITY_SEED_BYTES];
  struct identity *stranger = NULL;
  uint8_t *item = NULL;
  size_t len = 0;
  int err;

  if (strcmp(mode, "valid") == 0) {
    item = entry(me, mine, network, hm->seq + 1, hm->id, 0, &len);
  } else if (strncmp(mode, "lamport=", 8) == 0) {
    /* A member's own, well-signed entry with an absurd clock: N, or
     * "huge" (about 2^56, past WIRE_LAMPORT_MAX). */
    lamport_patch = strcmp(mode + 8, "huge") == 0;
    lamport_override = lamport_patch ? WIRE_LAMPORT_MAX
                                     : strtoull(mode + 8, NULL, 0);
    item = entry(me, mine, network, hm->seq + 1, hm->id, 0, &len);
    lamport_override = 0;
    lamport_patch = 0;
  } else if (strcmp(mode, "fork") == 0) {
    /* A second, different seq 1 of our own feed: equivocation. */
    if (hm->seq != 1)
      return die("fork", "the daemon must hold exactly our seq 1"),
             ERR_INVAL;
    lamport_override = FORGED_LAMPORT + 7;
    item = entry(me, mine, network, 1, NULL, 0, &len);
    lamport_override = 0;
  } else if (strcmp(mode, "bad-signature") == 0) {
    item = entry(me, mine, network, hm->seq + 1, hm->id, 1, &len);
  } else if (strcmp(mode, "other-author") == 0) {
    /* The daemon's own next entry, signed by us. */
    item = entry(me, server, network, hs->seq + 1, hs->id, 0, &len);
  } else if (strcmp(mode, "wrong-network") == 0) {
    memcpy(other_net, network, sizeof(other_net));
    other_net[0] ^= 0xff;
    item = entry(me, mine, other_net, hm->seq + 1, hm->id, 0, &len);
  } else if (strcmp(mode, "non-member") == 0) {
    secure_random(seed, sizeof(seed));
    if (identity_from_seed(seed, &stranger) != 0)
      return die("identity", "cannot make one"), ERR_CRYPTO;
    item = entry(stranger, identity_public_key(stranger), network, 1, NULL,
                 0, &len);
    identity_free(&stranger);
  } else if (strcmp(mode, "flood") == 0) {
    return attack_flood(c, network);
  } else if (strcmp(mode, "malformed") == 0) {
    len = 40;
    item = xmalloc(len);
    secure_random(item, len);
  } else if (strcmp(mode, "too-many") == 0) {
    item = too_many_entries(WIRE_REPL_ENTRIES_MAX + 1, &len);
    err = send_plain(c, item, len);
    xfree(item);
    return err;
  } else {
    return die("entries", "unknown mode"), ERR_INVAL;
  }
  if (item == NULL)
    return die("entries", "cannot build the entry"), ERR_INVAL;
  err = send_entries(c, &item, &len, 1);
  xfree(item);
  return err;
}

/* heads-lie: report that the daemon's own feed goes 1000 entries further
 * than it does (entries only it could have signed), then never deliver
 * them; "busy" also sends an empty ReplEntries every BUSY_MS, which must
 * not count as progress. Watches for ms. */
static int
attack_heads_lie(struct conn *c, const uint8_t *server, const struct head *hs,
                 int busy, uint64_t ms)
{
  static const uint8_t empty[] = {(17 << 3) | 2 | 0x80, 1, 0};
  struct wire_repl_head h;
  struct wire_frame f;
  uint8_t id[WIRE_HASH_BYTES];
  uint64_t until = mono_ms() + ms;
  char bye[WIRE_STRING_MAX + 32] = "";
  int err, r;

  secure_random(id, sizeof(id));
  h.author = server;
  h.seq = hs->seq + 1000;
  h.id = id;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_REPL_HEADS;
  f.u.heads.heads = &h;
  f.u.heads.n = 1;
  if ((err = send_frame(c, &f)) != 0)
    return err;
  while (mono_ms() < until) {
    r = recv_frame(c, busy ? BUSY_MS : until - mono_ms(), &f);
    if (r == ERR_TIMEOUT) {
      if (busy && (err = send_plain(c, empty, sizeof(empty))) != 0)
        return err;
      continue;
    }
    if (r != 0) {
      printf("closed%s%s\n", bye[0] ? " " : "", bye);
      return 0;
    }
    if (f.kind == WIRE_GOODBYE)
      snprintf(bye, sizeof(bye), "goodbye %u %s", f.u.goodbye.code,
               f.u.goodbye.reason);
    wire_frame_free(&f);
  }
  printf("open\n");
  return 0;
}

/* blob-gets HASH N: N BlobGets of a blob the daemon holds, sent without
 * reading anything back (a member hoarding the daemon's memory). */
static int
attack_blob_gets(struct conn *c, const char *hex, unsigned long n)
{
  uint8_t hash[WIRE_BLOB_HASH_BYTES];
  struct wire_frame f;
  unsigned long i;
  int err = 0;

  if (hex_decode(hash, sizeof(hash), hex) != 0)
    return die("blob-gets", "bad hash"), ERR_INVAL;
  memset(&f, 0, sizeof(f));
  f.kind = WIRE_BLOB_GET;
  f.u.blob_get.hash = hash;
  for (i = 0; i < n && !err; i++)
    err = send_frame(c, &f);
  return err;
}

/* ---- frame-level attacks ---------------------------------------------- */

static int
attack_frames(struct conn *c, const char *action)
{
  uint8_t raw[GARBAGE_BYTES];
  uint32_t prefix;

  if (strcmp(action, "oversize") == 0 || strcmp(action, "huge") == 0) {
    /* A length prefix just past the cap, or the largest there is, then
     * some bytes of the "frame": refused before any allocation. */
    prefix = strcmp(action, "huge") == 0
                 ? 0xffffffffu
                 : (uint32_t)(FRAMES_PLAIN_MAX + FRAMES_ABYTES + 1);
    prefix = htonl(prefix);
    memcpy(raw, &prefix, sizeof(prefix));
    secure_random(raw + sizeof(prefix), sizeof(raw) - sizeof(prefix));
    return write_all(c->fd, raw, sizeof(raw));
  }
  if (strcmp(action, "garbage-bytes") == 0) {
    secure_random(raw, sizeof(raw));
    prefix = htonl(200); /* a plausible length: the bytes fail the MAC */
    memcpy(raw, &prefix, sizeof(prefix));
    return write_all(c->fd, raw, sizeof(raw));
  }
  if (strcmp(action, "garbage-frame") == 0) {
    /* Authenticated, but not a protobuf Frame: field 0 is invalid. */
    secure_random(raw, 512);
    raw[0] = 0x00;
    return send_plain(c, raw, 512);
  }
  if (strcmp(action, "second-hello") == 0)
    return send_hello(c);
  return die("action", "unknown"), ERR_INVAL;
}

/* ---- the handshake attacks -------------------------------------------- */

/* replay: a good handshake is recorded; its msg 1 and msg 3 are then sent
 * again on a new connection. The server's msg 2 differs, so msg 3 cannot
 * open: the server must close without msg 4. */
static int
attack_replay(const char *addr, const struct identity *id,
              const struct netkey *net, const uint8_t *server)
{
  uint8_t msgs[SHS_HELLO_BYTES + SHS_CLIENT_AUTH_BYTES], buf[SHS_MSG_MAX];
  struct conn c;
  ssize_t r;
  int fd, err;

  err = open_conn(&c, addr, id, net, server, msgs);
  close_conn(&c);
  if (err)
    return err;
  printf("first handshake accepted\n");
  fd = dial(addr);
  if (fd < 0)
    return die("connect", addr);
  if (write_all(fd, msgs, SHS_HELLO_BYTES) != 0 ||
      recv(fd, buf, SHS_HELLO_BYTES, MSG_WAITALL) != SHS_HELLO_BYTES) {
    close(fd);
    printf("refused at msg 2\n");
    return 0;
  }
  if (write_all(fd, msgs + SHS_HELLO_BYTES, SHS_CLIENT_AUTH_BYTES) != 0) {
    close(fd);
    printf("refused at msg 3 (write)\n");
    return 0;
  }
  r = readable(fd, IO_TIMEOUT_MS) ? recv(fd, buf, sizeof(buf), 0) : -1;
  close(fd);
  if (r > 0)
    printf("accepted: the server sent %zd bytes after a replayed msg 3\n",
           r);
  else
    printf("refused: no msg 4 (%s)\n", r == 0 ? "closed" : "reset/silent");
  return 0;
}

/* join CODE HOST:PORT MODE: the invite join plane. MODE other-key and
 * other-session send a proof bound to another key or session (a replayed
 * proof); "frames" opens the join plane and sends ReplEntries instead of a
 * JoinRequest; "oversize" sends an oversized frame there. */
static int
attack_join(const char *code, const char *addr, const char *mode)
{
  struct invite *inv = NULL;
  struct identity *me = NULL;
  struct netkey *jk = NULL;
  struct join_result res;
  struct conn c;
  uint8_t seed[IDENTITY_SEED_BYTES];
  char errbuf[256];
  int err, rc = 1;

  if (invite_parse(code, strlen(code), &inv) != 0)
    return die("invite", "cannot parse the code");
  secure_random(seed, sizeof(seed));
  if (identity_from_seed(seed, &me) != 0)
    goto out;
  if (strcmp(mode, "other-key") == 0 || strcmp(mode, "other-session") == 0) {
    err = join_run(inv, me, "attacker",
                   mode[6] == 'k' ? JOIN_PROOF_OTHER_KEY
                                  : JOIN_PROOF_OTHER_SESSION,
                   &res, errbuf, sizeof(errbuf));
    secure_wipe(&res, sizeof(res));
    printf("%s: %s\n", err ? "refused" : "accepted", err ? errbuf : "");
    rc = 0;
    goto out;
  }
  jk = invite_join_netkey(invite_network_id(inv));
  if (jk == NULL)
    goto out;
  if (open_conn(&c, addr, me, jk, invite_inviter_key(inv), NULL) != 0) {
    close_conn(&c);
    rc = 0;
    goto out;
  }
  if (send_hello(&c) == 0) {
    struct wire_frame f;
    /* The member's Hello first; then the attack. */
    if (recv_frame(&c, IO_TIMEOUT_MS, &f) == 0)
      wire_frame_free(&f);
    if (strcmp(mode, "frames") == 0) {
      err = attack_entries(&c, "malformed", me, invite_inviter_key(inv),
                           invite_network_id(inv), NULL, NULL);
    } else if (strcmp(mode, "silent") == 0) {
      /* Hold a join-plane slot without ever presenting a proof. */
      outcome(&c, SILENT_MS);
      close_conn(&c);
      rc = 0;
      goto out;
    } else {
      err = attack_frames(&c, mode);
    }
    if (!err)
      outcome(&c, WATCH_MS);
    rc = err ? die("send", err_str(err)) : 0;
  }
  close_conn(&c);
out:
  secure_wipe(seed, sizeof(seed));
  netkey_free(&jk);
  identity_free(&me);
  invite_free(&inv);
  return rc;
}

static int
usage(void)
{
  fprintf(stderr,
          "usage: attack-peer DIR SERVER_ID HOST:PORT ACTION [ARG]\n"
          "  ACTION: hello | handshake | replay | oversize | huge |\n"
          "          garbage-bytes | garbage-frame | garbage-first |\n"
          "          second-hello | entries MODE |\n"
          "          heads-lie [MS] | heads-lie-busy [MS] | blob-gets HASH N\n"
          "  MODE: valid | bad-signature | other-author | wrong-network |\n"
          "        non-member | malformed | too-many | flood |\n"
          "        lamport=N | lamport=huge | fork\n"
          "       attack-peer join CODE HOST:PORT other-key | "
          "other-session | frames | oversize | silent\n");
  return 2;
}

int
main(int argc, char **argv)
{
  struct identity *id = NULL;
  struct netkey *net = NULL;
  struct head hs, hm;
  struct conn c = {.fd = -1};
  uint8_t server[IDENTITY_PUBLIC_BYTES], network[NETKEY_ID_BYTES];
  const char *action;
  char errbuf[256], *path;
  int err, rc = 1;

  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 5 && strcmp(argv[1], "join") == 0)
    return attack_join(argv[2], argv[3], argv[4]);
  if (argc < 5 || hex_decode(server, sizeof(server), argv[2]) != 0)
    return usage();
  action = argv[4];
  if (strcmp(action, "entries") == 0 && argc != 6)
    return usage();
  path = datadir_file(argv[1], "identity.key");
  err = identity_load(path, &id, errbuf, sizeof(errbuf));
  xfree(path);
  if (err)
    return die("identity", errbuf);
  path = datadir_file(argv[1], "network.key");
  err = netkey_load(path, &net, errbuf, sizeof(errbuf));
  xfree(path);
  if (err) {
    identity_free(&id);
    return die("network key", errbuf);
  }
  netkey_id(net, network);

  if (strcmp(action, "replay") == 0) {
    rc = attack_replay(argv[3], id, net, server);
    goto out;
  }
  err = open_conn(&c, argv[3], id, net, server, NULL);
  if (err) {
    rc = err == ERR_NET && c.fd < 0 ? 1 : 0; /* a refusal is an outcome */
    goto out;
  }
  if (strcmp(action, "handshake") == 0) {
    printf("accepted\n");
    rc = 0;
    goto out;
  }
  if (strcmp(action, "garbage-first") == 0) {
    /* An authenticated first frame that is not a Hello. */
    struct wire_frame f;
    memset(&f, 0, sizeof(f));
    f.kind = WIRE_PING;
    f.u.ping.nonce = 1;
    err = send_frame(&c, &f);
  } else {
    err = greet(&c, server, identity_public_key(id), &hs, &hm);
    if (err)
      goto out;
    printf("ready: server at seq %llu, we at seq %llu\n",
           (unsigned long long)hs.seq, (unsigned long long)hm.seq);
    if (strcmp(action, "hello") == 0) {
      struct wire_frame bye;
      memset(&bye, 0, sizeof(bye));
      bye.kind = WIRE_GOODBYE;
      bye.u.goodbye.code = WIRE_BYE_SHUTDOWN;
      bye.u.goodbye.reason = "done";
      err = send_frame(&c, &bye);
      if (!err)
        outcome(&c, WATCH_MS);
      rc = err ? die("goodbye", err_str(err)) : 0;
      goto out;
    }
    if (strcmp(action, "entries") == 0) {
      err = attack_entries(&c, argv[5], id, server, network, &hs, &hm);
    } else if (strcmp(action, "blob-gets") == 0 && argc == 7) {
      err = attack_blob_gets(&c, argv[5], strtoul(argv[6], NULL, 10));
    } else if (strncmp(action, "heads-lie", 9) == 0) {
      uint64_t ms = argc > 5 ? strtoull(argv[5], NULL, 10) : WATCH_MS;
      err = attack_heads_lie(&c, server, &hs,
                             strcmp(action, "heads-lie-busy") == 0, ms);
      rc = err ? die("send", err_str(err)) : 0;
      goto out;
    } else
      err = attack_frames(&c, action);
  }
  if (err) {
    rc = die("send", err_str(err));
    goto out;
  }
  outcome(&c, WATCH_MS);
  rc = 0;
out:
  close_conn(&c);
  netkey_free(&net);
  identity_free(&id);
  return rc;
}
