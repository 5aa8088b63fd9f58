/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Test tool: our secret handshake (crypto/shs.h) over one plain blocking
 * TCP connection on 127.0.0.1, as client or server, for
 * tests/integration/shs-interop.t. Prints "name hex" lines of what it
 * derived and exits 0, or prints "error ..." and exits 1 (2 = usage).
 * With --frames (against another shs-peer) it also runs crypto/frames.h:
 * the client sends messages and a close, the server echoes them.
 * "shs1-server NETKEY SK PK" and "shs1-client NETKEY SERVER_PK" speak the
 * shs1-test conformance protocol (npm shs1-test) on stdin/stdout.
 * "bench" measures in-process handshakes and frame throughput. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "crypto/frames.h"
#include "crypto/identity.h"
#include "crypto/netkey.h"
#include "crypto/secure.h"
#include "crypto/shs.h"
#include "node/alloc.h"
#include "node/err.h"
#include "node/hex.h"

#define IO_TIMEOUT_S 10         /* per read or write */
#define READ_CHUNK 65536        /* bytes per read() in frames mode */
#define BIG_MESSAGE 200000      /* bytes of the large test message */
#define BENCH_HANDSHAKES 400    /* handshakes timed by "bench" */
#define BENCH_BYTES (256u << 20) /* plaintext bytes sealed+opened per size */

static const uint8_t *allowed;   /* --allow: the only client accepted */

static void
print_hex(const char *name, const uint8_t *p, size_t len)
{
  char hex[2 * 64 + 1];
  hex_encode(hex, p, len);
  printf("%s %s\n", name, hex);
}

static int
die(const char *what, int err, const char *detail)
{
  printf("error %s: %s%s%s\n", what, err_str(err), detail ? ": " : "",
         detail ? detail : "");
  fflush(stdout);
  return 1;
}

static int
write_all(int fd, const uint8_t *p, size_t len)
{
  ssize_t n;
  while (len > 0) {
    n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return ERR_NET;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static int
authorize(const uint8_t pub[IDENTITY_PUBLIC_BYTES], void *arg)
{
  (void)arg;
  return allowed == NULL ||
         memcmp(pub, allowed, IDENTITY_PUBLIC_BYTES) == 0;
}

/* Drive the handshake over fd. Reads never go past the current message,
 * so no frame bytes are swallowed. */
static int
run_shs(int fd, struct shs *s)
{
  uint8_t buf[SHS_MSG_MAX];
  size_t n, used;
  ssize_t r;
  int err;

  for (;;) {
    n = shs_take_output(s, buf);
    if (n > 0 && write_all(fd, buf, n) != 0)
      return ERR_NET;
    if (shs_done(s))
      return 0;
    r = read(fd, buf, shs_want(s));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return ERR_NET; /* closed, reset or timed out: see shs_error() */
    err = shs_feed(s, buf, (size_t)r, &used);
    if (err)
      return err;
  }
}

/* A byte source over fd that keeps what frames_read has not consumed. */
struct reader {
  int fd;
  uint8_t buf[READ_CHUNK];
  size_t start, end;
};

/* Next message (*msg, caller xfree()s) or the close (*msg NULL). */
static int
recv_frame(struct reader *rd, struct frames *f, uint8_t **msg, size_t *len)
{
  size_t used;
  ssize_t r;
  int err;

  *msg = NULL;
  for (;;) {
    if (rd->start == rd->end) {
      r = read(rd->fd, rd->buf, sizeof(rd->buf));
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ERR_NET;
      if (r == 0)
        return frames_eof(f);
      rd->start = 0;
      rd->end = (size_t)r;
    }
    err = frames_read(f, rd->buf + rd->start, rd->end - rd->start, &used,
                      msg, len);
    rd->start += used;
    if (err || *msg != NULL || frames_closed(f))
      return err;
  }
}

static int
send_frame(int fd, struct frames *f, const uint8_t *p, size_t len,
           int close_it)
{
  size_t cap = frames_sealed_size(len), n;
  uint8_t *out = xmalloc(cap);
  int err = close_it ? frames_seal_close(f, out, cap, &n)
                     : frames_seal(f, p, len, out, cap, &n);
  if (!err)
    err = write_all(fd, out, n);
  xfree(out);
  return err;
}

/* Client: send three messages and a close, expect them echoed and a
 * close. Server: echo until the close. */
static int
run_frames(int fd, struct shs *s, int client)
{
  uint8_t header[FRAMES_HEADER_BYTES], *msg = NULL, *big;
  struct frames *f = NULL;
  struct reader *rd = xcalloc(1, sizeof(*rd));
  size_t len, i, sizes[3] = {5, 0, BIG_MESSAGE};
  int err, count = 0;

  rd->fd = fd;
  big = xmalloc(BIG_MESSAGE);
  for (i = 0; i < BIG_MESSAGE; i++)
    big[i] = (uint8_t)(i * 7 + 3);
  memcpy(big, "hello", 5);
  err = frames_new(s, header, &f);
  if (!err)
    err = write_all(fd, header, sizeof(header));
  if (err)
    goto out;
  if (client) {
    for (i = 0; i < 3 && !err; i++)
      err = send_frame(fd, f, big, sizes[i], 0);
    if (!err)
      err = send_frame(fd, f, NULL, 0, 1);
    for (i = 0; i < 3 && !err; i++) {
      err = recv_frame(rd, f, &msg, &len);
      if (!err && (msg == NULL || len != sizes[i] ||
                   memcmp(msg, big, len) != 0))
        err = ERR_PARSE;
      xfree(msg);
      msg = NULL;
      count += !err;
    }
    if (!err)
      err = recv_frame(rd, f, &msg, &len);
    if (!err && (msg != NULL || !frames_closed(f)))
      err = ERR_PARSE;
  } else {
    for (;;) {
      err = recv_frame(rd, f, &msg, &len);
      if (err || msg == NULL)
        break;
      err = send_frame(fd, f, msg, len, 0);
      xfree(msg);
      msg = NULL;
      count++;
      if (err)
        break;
    }
    if (!err)
      err = send_frame(fd, f, NULL, 0, 1);
  }
  if (!err)
    printf("frames %d\n", count);
  else
    printf("error frames: %s: %s\n", err_str(err), frames_error(f));
out:
  xfree(msg);
  xfree(big);
  xfree(rd);
  frames_free(&f);
  return err;
}

static void
set_timeouts(int fd)
{
  struct timeval tv = {IO_TIMEOUT_S, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static const char *
opt(int argc, char **argv, const char *name)
{
  int i;
  for (i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return NULL;
}

static int
flag(int argc, char **argv, const char *name)
{
  int i;
  for (i = 2; i < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return 1;
  return 0;
}

static int usage(void);

static int
read_exact(int fd, uint8_t *p, size_t len)
{
  ssize_t n;
  while (len > 0) {
    n = read(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return ERR_NET;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* shs1-test (AljoschaMeyer/shs1-test README): whole messages on stdin and
 * stdout; on success the server writes msg 4 and its outcome in one write,
 * the client its outcome; on any misbehaviour exit 1 writing nothing. */
static int
shs1(int client, int argc, char **argv)
{
  uint8_t key[NETKEY_BYTES], pk[IDENTITY_PUBLIC_BYTES];
  uint8_t sk[2 * IDENTITY_SEED_BYTES], msg[SHS_MSG_MAX];
  uint8_t out[SHS_MSG_MAX + sizeof(struct shs_boxstream)];
  struct identity *id = NULL;
  struct netkey *nk = NULL;
  struct shs *s = NULL;
  struct shs_boxstream bs;
  size_t n, used, o;
  int err, rc = 1;

  if (argc != (client ? 4 : 5) || hex_decode(key, sizeof(key), argv[2]) ||
      hex_decode(pk, sizeof(pk), argv[client ? 3 : 4]))
    return usage();
  if (!client && hex_decode(sk, sizeof(sk), argv[3]))
    return usage();
  if (!client) {
    err = identity_from_seed(sk, &id); /* libsodium sk = seed || pk */
  } else {
    secure_random(sk, IDENTITY_SEED_BYTES);
    err = identity_from_seed(sk, &id);
  }
  secure_wipe(sk, sizeof(sk));
  nk = netkey_from_bytes(key);
  secure_wipe(key, sizeof(key));
  if (err || nk == NULL)
    goto out;
  if (!client && memcmp(identity_public_key(id), pk, sizeof(pk)) != 0)
    goto out;
  err = client ? shs_client_new(id, nk, pk, &s)
               : shs_server_new(id, nk, authorize, NULL, &s);
  while (!err) {
    n = shs_take_output(s, msg);
    o = n;
    memcpy(out, msg, n);
    if (shs_done(s)) {
      err = shs_export_boxstream(s, &bs);
      if (err)
        break;
      memcpy(out + o, bs.enc_key, sizeof(bs.enc_key));
      o += sizeof(bs.enc_key);
      memcpy(out + o, bs.enc_nonce, sizeof(bs.enc_nonce));
      o += sizeof(bs.enc_nonce);
      memcpy(out + o, bs.dec_key, sizeof(bs.dec_key));
      o += sizeof(bs.dec_key);
      memcpy(out + o, bs.dec_nonce, sizeof(bs.dec_nonce));
      o += sizeof(bs.dec_nonce);
      secure_wipe(&bs, sizeof(bs));
    }
    if (o > 0)
      err = write_all(1, out, o);
    secure_wipe(out, sizeof(out));
    if (err || shs_done(s)) {
      rc = err ? 1 : 0;
      break;
    }
    n = shs_want(s);
    err = read_exact(0, msg, n);
    if (!err)
      err = shs_feed(s, msg, n, &used);
  }
  if (err)
    fprintf(stderr, "shs-peer: %s%s%s\n", err_str(err),
            s && shs_failed(s) ? ": " : "", s ? shs_error(s) : "");
out:
  shs_free(&s);
  netkey_free(&nk);
  identity_free(&id);
  return rc;
}

static double
now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One in-process handshake between a and b; 0 when both are done. */
static int
bench_handshake(const struct identity *a, const struct identity *b,
                const struct netkey *nk, struct shs **cp, struct shs **sp)
{
  uint8_t msg[SHS_MSG_MAX];
  size_t n, used;
  int err, i;

  err = shs_client_new(a, nk, identity_public_key(b), cp);
  if (!err)
    err = shs_server_new(b, nk, authorize, NULL, sp);
  for (i = 0; i < 2 && !err; i++) {
    n = shs_take_output(*cp, msg);
    err = shs_feed(*sp, msg, n, &used);
    n = shs_take_output(*sp, msg);
    if (!err)
      err = shs_feed(*cp, msg, n, &used);
  }
  return err || !shs_done(*cp) || !shs_done(*sp) ? ERR_CRYPTO : 0;
}

/* Seal and open BENCH_BYTES in frames of size bytes; MB/s (0 on error). */
static double
bench_frames(struct frames *tx, struct frames *rx, size_t size)
{
  uint8_t *plain = xcalloc(1, size), *wire = xmalloc(frames_sealed_size(size));
  uint8_t *msg;
  size_t done, n, used, len;
  double t0 = now_s(), mbs = 0;
  int err = 0;

  for (done = 0; done < BENCH_BYTES && !err; done += size) {
    err = frames_seal(tx, plain, size, wire, frames_sealed_size(size), &n);
    if (!err)
      err = frames_read(rx, wire, n, &used, &msg, &len);
    if (!err && (msg == NULL || len != size || used != n))
      err = ERR_PARSE;
    xfree(msg);
  }
  if (!err)
    mbs = (double)BENCH_BYTES / (1 << 20) / (now_s() - t0);
  xfree(plain);
  xfree(wire);
  return mbs;
}

static int
bench(void)
{
  static const size_t sizes[] = {1024, 65536, FRAMES_PLAIN_MAX};
  uint8_t seed[IDENTITY_SEED_BYTES], key[NETKEY_BYTES];
  uint8_t ch[FRAMES_HEADER_BYTES], sh[FRAMES_HEADER_BYTES], *msg;
  struct identity *a = NULL, *b = NULL;
  struct netkey *nk;
  struct shs *c = NULL, *s = NULL;
  struct frames *fc = NULL, *fs = NULL;
  size_t i, used, len;
  double t0, dt;
  int err = 0;

  secure_random(seed, sizeof(seed));
  err = identity_from_seed(seed, &a);
  seed[0] ^= 1;
  if (!err)
    err = identity_from_seed(seed, &b);
  secure_random(key, sizeof(key));
  nk = netkey_from_bytes(key);
  if (err || nk == NULL)
    goto out;
  t0 = now_s();
  for (i = 0; i < BENCH_HANDSHAKES && !err; i++) {
    err = bench_handshake(a, b, nk, &c, &s);
    if (i + 1 < BENCH_HANDSHAKES || err) {
      shs_free(&c);
      shs_free(&s);
    }
  }
  if (err)
    goto out;
  dt = now_s() - t0;
  printf("shs: %d handshakes (both ends in one process) in %.3f s: "
         "%.0f handshakes/s, %.2f ms each\n", BENCH_HANDSHAKES, dt,
         BENCH_HANDSHAKES / dt, dt * 1000 / BENCH_HANDSHAKES);
  err = frames_new(c, ch, &fc);
  if (!err)
    err = frames_new(s, sh, &fs);
  if (!err)
    err = frames_read(fs, ch, sizeof(ch), &used, &msg, &len);
  if (err)
    goto out;
  for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
    printf("frames: %7zu-byte frames: seal+open %.0f MiB/s (%u MiB, one "
           "core)\n", sizes[i], bench_frames(fc, fs, sizes[i]),
           BENCH_BYTES >> 20);
out:
  if (err)
    printf("error bench: %s\n", err_str(err));
  frames_free(&fc);
  frames_free(&fs);
  shs_free(&c);
  shs_free(&s);
  netkey_free(&nk);
  identity_free(&a);
  identity_free(&b);
  return err ? 1 : 0;
}

static int
usage(void)
{
  fprintf(stderr,
          "usage: shs-peer server --netkey HEX --identity FILE "
          "[--allow HEX] [--frames]\n"
          "       shs-peer client --netkey HEX --identity FILE "
          "--server-key HEX --port N [--frames]\n"
          "       shs-peer shs1-server NETKEY SK PK\n"
          "       shs-peer shs1-client NETKEY SERVER_PK\n"
          "       shs-peer bench\n");
  return 2;
}

int
main(int argc, char **argv)
{
  uint8_t key[NETKEY_BYTES], server_key[IDENTITY_PUBLIC_BYTES];
  uint8_t allow_key[IDENTITY_PUBLIC_BYTES], sid[SHS_SESSION_ID_BYTES];
  struct identity *id = NULL;
  struct netkey *nk = NULL;
  struct shs *s = NULL;
  struct shs_boxstream bs;
  struct sockaddr_in addr;
  socklen_t alen = sizeof(addr);
  const char *netkey_hex, *id_path, *v;
  char errbuf[256] = "";
  int client, fd = -1, lfd = -1, err, rc = 1;

  if (argc < 2)
    return usage();
  signal(SIGPIPE, SIG_IGN);
  if (secure_init() != 0)
    return die("init", ERR_CRYPTO, NULL);
  if (strcmp(argv[1], "bench") == 0)
    return bench();
  if (strcmp(argv[1], "shs1-server") == 0 ||
      strcmp(argv[1], "shs1-client") == 0)
    return shs1(strcmp(argv[1], "shs1-client") == 0, argc, argv);
  client = strcmp(argv[1], "client") == 0;
  if (!client && strcmp(argv[1], "server") != 0)
    return usage();
  netkey_hex = opt(argc, argv, "--netkey");
  id_path = opt(argc, argv, "--identity");
  if (netkey_hex == NULL || id_path == NULL ||
      hex_decode(key, sizeof(key), netkey_hex) != 0)
    return usage();
  err = identity_load(id_path, &id, errbuf, sizeof(errbuf));
  if (err == ERR_NOT_INITIALISED)
    err = identity_create(id_path, 0, &id, errbuf, sizeof(errbuf));
  if (err)
    return die("identity", err, errbuf);
  nk = netkey_from_bytes(key);
  secure_wipe(key, sizeof(key));
  if (nk == NULL) {
    identity_free(&id);
    return die("netkey", ERR_CRYPTO, NULL);
  }
  print_hex("pub", identity_public_key(id), IDENTITY_PUBLIC_BYTES);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  if (client) {
    v = opt(argc, argv, "--server-key");
    if (v == NULL || hex_decode(server_key, sizeof(server_key), v) != 0 ||
        opt(argc, argv, "--port") == NULL) {
      rc = usage();
      goto out;
    }
    addr.sin_port = htons((uint16_t)strtoul(opt(argc, argv, "--port"),
                                            NULL, 10));
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
      rc = die("connect", -errno, NULL);
      goto out;
    }
    err = shs_client_new(id, nk, server_key, &s);
  } else {
    v = opt(argc, argv, "--allow");
    if (v != NULL) {
      if (hex_decode(allow_key, sizeof(allow_key), v) != 0) {
        rc = usage();
        goto out;
      }
      allowed = allow_key;
    }
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(lfd, 1) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
      rc = die("listen", -errno, NULL);
      goto out;
    }
    printf("port %u\n", (unsigned)ntohs(addr.sin_port));
    fflush(stdout);
    fd = accept(lfd, NULL, NULL);
    if (fd < 0) {
      rc = die("accept", -errno, NULL);
      goto out;
    }
    err = shs_server_new(id, nk, authorize, NULL, &s);
  }
  if (err) {
    rc = die("handshake", err, NULL);
    goto out;
  }
  set_timeouts(fd);
  err = run_shs(fd, s);
  if (err) {
    rc = die("handshake", err, shs_failed(s) ? shs_error(s)
                                             : "peer closed the connection");
    goto out;
  }
  print_hex("peer", shs_peer_key(s), IDENTITY_PUBLIC_BYTES);
  if (shs_export_boxstream(s, &bs) != 0 || shs_session_id(s, sid) != 0) {
    rc = die("handshake", ERR_INVAL, "no result");
    goto out;
  }
  print_hex("enc_key", bs.enc_key, sizeof(bs.enc_key));
  print_hex("enc_nonce", bs.enc_nonce, sizeof(bs.enc_nonce));
  print_hex("dec_key", bs.dec_key, sizeof(bs.dec_key));
  print_hex("dec_nonce", bs.dec_nonce, sizeof(bs.dec_nonce));
  print_hex("session_id", sid, sizeof(sid));
  secure_wipe(&bs, sizeof(bs));
  printf("ok\n");
  fflush(stdout);
  rc = 0;
  if (flag(argc, argv, "--frames") && run_frames(fd, s, client) != 0)
    rc = 1;
  fflush(stdout);
out:
  shs_free(&s);
  if (fd >= 0)
    close(fd);
  if (lfd >= 0)
    close(lfd);
  netkey_free(&nk);
  identity_free(&id);
  return rc;
}
