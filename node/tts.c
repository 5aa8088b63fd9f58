/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Wraps libespeak-ng (the only includer of its headers): synchronous
 * synthesis into a PCM buffer, the voice list, and a private data-dir
 * overlay so generated variants can be loaded by name. See tts.h. */
#define LOG_MODULE "tts"

#include "node/tts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include "node/alloc.h"
#include "node/buf.h"
#include "node/log.h"

#define VARIANT_DIR "voices/!v"
#define OVERLAY_PREFIX "glowtalk-espeak-" /* + pid + "-XXXXXX" in TMPDIR */

struct tts {
  char *data_dir;  /* installed espeak-ng-data, absolute */
  char *overlay;   /* our temp dir of symlinks, handed to espeak-ng */
  int rate;        /* Hz */
  char version[32];
  struct tts_voice_info *voices; /* installed language voices */
  size_t nvoices;
  int started;     /* espeak-ng is running in this process */
  int open;        /* a handle is out */
  pid_t pid;       /* process that started it (owns the overlay) */
};

/* Collects the PCM of one synthesis (events->user_data points here). */
struct collect {
  struct buf pcm;  /* int16 samples, capped at TTS_PCM_MAX */
  int err;         /* first error seen by the callback */
};

/* espeak-ng is process-global, and espeak_ng_Terminate() followed by a
 * new espeak_ng_Initialize() deadlocks in 1.51 (its fifo thread), so the
 * engine is started once per process, on first open, and stopped at
 * exit; tts_close() only ends this handle. */
static struct tts engine;

static int
synth_cb(short *wav, int n, espeak_EVENT *events)
{
  struct collect *c = events ? events->user_data : NULL;

  if (c == NULL || c->err != 0)
    return 1;
  if (wav != NULL && n > 0 &&
      buf_append(&c->pcm, wav, (size_t)n * sizeof(int16_t)) != 0) {
    c->err = ERR_TOO_BIG;
    return 1; /* abort synthesis */
  }
  return 0;
}

static void
status_msg(espeak_ng_STATUS st, char *errbuf, size_t errlen)
{
  char msg[256];

  espeak_ng_GetStatusCodeMessage(st, msg, sizeof(msg));
  snprintf(errbuf, errlen, "espeak-ng: %s", msg);
}

static int
link_entries(const char *from, const char *to, const char *skip)
{
  DIR *d = opendir(from);
  struct dirent *e;
  int err = 0;

  if (d == NULL)
    return -errno;
  while ((e = readdir(d)) != NULL) {
    char *src, *dst;

    if (e->d_name[0] == '.' || (skip && strcmp(e->d_name, skip) == 0))
      continue;
    src = xasprintf("%s/%s", from, e->d_name);
    dst = xasprintf("%s/%s", to, e->d_name);
    if (symlink(src, dst) != 0)
      err = -errno;
    xfree(src);
    xfree(dst);
    if (err != 0)
      break;
  }
  closedir(d);
  return err;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
  (void)sb;
  (void)flag;
  (void)f;
  remove(path);
  return 0;
}

static void
overlay_remove(const char *dir)
{
  if (dir != NULL)
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Remove the overlays of processes that are gone (killed, crashed, or
 * ended with _exit() before the at-exit clean-up). */
static void
reap_overlays(const char *tmp)
{
  DIR *d = opendir(tmp);
  struct dirent *e;
  size_t plen = strlen(OVERLAY_PREFIX);

  while (d != NULL && (e = readdir(d)) != NULL) {
    char *end, *path;
    long pid;

    if (strncmp(e->d_name, OVERLAY_PREFIX, plen) != 0)
      continue;
    pid = strtol(e->d_name + plen, &end, 10);
    if (pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 ||
        errno != ESRCH)
      continue;
    path = xasprintf("%s/%s", tmp, e->d_name);
    overlay_remove(path);
    xfree(path);
  }
  if (d != NULL)
    closedir(d);
}

/* DIR/ -> data entries except voices; DIR/voices -> entries except !v;
 * DIR/voices/!v -> every installed variant. */
static int
overlay_build(const char *data, char **out)
{
  const char *tmp = getenv("TMPDIR");
  char *dir;

  tmp = tmp && *tmp ? tmp : "/tmp";
  reap_overlays(tmp);
  dir = xasprintf("%s/" OVERLAY_PREFIX "%ld-XXXXXX", tmp, (long)getpid());
  char *voices = NULL, *vdir = NULL, *src = NULL;
  int err = 0;

  if (mkdtemp(dir) == NULL) {
    err = -errno;
    xfree(dir);
    return err;
  }
  voices = xasprintf("%s/voices", dir);
  vdir = xasprintf("%s/" VARIANT_DIR, dir);
  err = link_entries(data, dir, "voices");
  if (err == 0 && (mkdir(voices, 0700) != 0 || mkdir(vdir, 0700) != 0))
    err = -errno;
  if (err == 0) {
    src = xasprintf("%s/voices", data);
    err = link_entries(src, voices, "!v");
    xfree(src);
  }
  if (err == 0) {
    src = xasprintf("%s/" VARIANT_DIR, data);
    err = link_entries(src, vdir, NULL);
    xfree(src);
  }
  xfree(voices);
  xfree(vdir);
  if (err != 0) {
    overlay_remove(dir);
    xfree(dir);
    return err;
  }
  *out = dir;
  return 0;
}

/* "\x02en-gb\0\x05en\0\0" -> "en-gb en" (truncated to fit). */
static void
languages_join(char *out, size_t cap, const char *lang)
{
  size_t len = 0;

  out[0] = '\0';
  while (lang && lang[0] != 0 && lang[1] != 0) {
    size_t n = strlen(lang + 1);

    if (len + n + 2 > cap)
      break;
    if (len > 0)
      out[len++] = ' ';
    memcpy(out + len, lang + 1, n + 1);
    len += n;
    lang += n + 2;
  }
}

static void
load_voices(struct tts *t)
{
  const espeak_VOICE **list = espeak_ListVoices(NULL);
  size_t n = 0, i;

  while (list && list[n] && n < TTS_VOICES_MAX)
    n++;
  t->voices = xcalloc(n ? n : 1, sizeof(*t->voices));
  for (i = 0; i < n; i++) {
    struct tts_voice_info *v = &t->voices[i];
    const char *lang = list[i]->languages;

    snprintf(v->name, sizeof(v->name), "%s",
             list[i]->name ? list[i]->name : "");
    /* languages: priority byte, then the language, NUL; first one only */
    snprintf(v->language, sizeof(v->language), "%s",
             lang && lang[0] ? lang + 1 : "");
    snprintf(v->identifier, sizeof(v->identifier), "%s",
             list[i]->identifier ? list[i]->identifier : "");
    v->gender = list[i]->gender;
    languages_join(v->languages, sizeof(v->languages), lang);
  }
  t->nvoices = n;
}

/* At exit, in the process that started espeak-ng: stop it and remove the
 * overlay. (A forked child inherits the engine but not this duty.) */
static void
shutdown_engine(void)
{
  struct tts *t = &engine;

  if (!t->started || t->pid != getpid())
    return;
  espeak_ng_Terminate();
  overlay_remove(t->overlay);
  xfree(t->overlay);
  xfree(t->data_dir);
  xfree(t->voices);
  memset(t, 0, sizeof(*t));
}

static int
start_engine(struct tts *t, char *errbuf, size_t errlen)
{
  const char *path = NULL, *ver;
  espeak_ng_STATUS st;
  int err;

  /* First find the installed data, then start on our overlay. */
  espeak_ng_InitializePath(NULL);
  ver = espeak_Info(&path);
  if (path == NULL || access(path, R_OK) != 0) {
    snprintf(errbuf, errlen, "espeak-ng data not found");
    return ERR_ENGINE;
  }
  t->data_dir = xstrdup(path);
  snprintf(t->version, sizeof(t->version), "%s", ver ? ver : "unknown");
  err = overlay_build(t->data_dir, &t->overlay);
  if (err != 0) {
    snprintf(errbuf, errlen, "espeak-ng voices overlay: %s", err_str(err));
    goto fail;
  }
  espeak_ng_InitializePath(t->overlay);
  st = espeak_ng_Initialize(NULL);
  if (st == ENS_OK)
    st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
  if (st != ENS_OK) {
    /* Terminate is not called: it is only safe once per process. */
    status_msg(st, errbuf, errlen);
    err = ERR_ENGINE;
    goto fail;
  }
  espeak_SetSynthCallback(synth_cb);
  t->rate = espeak_ng_GetSampleRate();
  load_voices(t);
  t->started = 1;
  t->pid = getpid();
  atexit(shutdown_engine);
  return 0;

fail:
  overlay_remove(t->overlay);
  xfree(t->overlay);
  xfree(t->data_dir);
  t->overlay = t->data_dir = NULL;
  return err;
}

int
tts_open(struct tts **out, char *errbuf, size_t errlen)
{
  int err;

  *out = NULL;
  if (engine.open) {
    snprintf(errbuf, errlen, "espeak-ng is already open in this process");
    return ERR_LOCKED;
  }
  if (!engine.started) {
    err = start_engine(&engine, errbuf, errlen);
    if (err != 0)
      return err;
  }
  engine.open = 1;
  *out = &engine;
  return 0;
}

void
tts_close(struct tts **tp)
{
  if (tp == NULL || *tp == NULL)
    return;
  (*tp)->open = 0;
  *tp = NULL;
}

const char *
tts_version(const struct tts *t)
{
  return t->version;
}

const char *
tts_data_dir(const struct tts *t)
{
  return t->data_dir;
}

int
tts_sample_rate(const struct tts *t)
{
  return t->rate;
}

int
tts_list_voices(struct tts *t, struct tts_voice_info **out, size_t *n)
{
  *out = xcalloc(t->nvoices ? t->nvoices : 1, sizeof(**out));
  memcpy(*out, t->voices, t->nvoices * sizeof(**out));
  *n = t->nvoices;
  return 0;
}

/* The file identifier ("iro/chr") of the installed voice that answers to
 * lang (its name or one of its languages), or NULL. */
static const char *
voice_identifier(const struct tts *t, const char *lang)
{
  size_t i, n = strlen(lang);

  for (i = 0; i < t->nvoices; i++) {
    const char *l = t->voices[i].languages;

    if (strcasecmp(t->voices[i].name, lang) == 0)
      return t->voices[i].identifier;
    while (*l) {
      size_t k = strcspn(l, " ");

      if (k == n && strncasecmp(l, lang, n) == 0)
        return t->voices[i].identifier;
      l += k;
      l += *l == ' ';
    }
  }
  return NULL;
}

int
tts_voice_exists(struct tts *t, const char *name)
{
  return voice_identifier(t, name) != NULL;
}

static int
name_ok(const char *name, int strict)
{
  size_t i, n = strlen(name);

  if (n == 0 || n >= TTS_NAME_MAX || name[0] == '.')
    return 0;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!strict)
      ok = ok || c == ' ' || c == '.';
    if (!ok)
      return 0;
  }
  return 1;
}

int
tts_variant_exists(struct tts *t, const char *name)
{
  char *path;
  struct stat sb;
  int ok;

  if (!name_ok(name, 0))
    return 0;
  path = xasprintf("%s/" VARIANT_DIR "/%s", t->overlay, name);
  ok = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
  xfree(path);
  return ok;
}

int
tts_variant_install(struct tts *t, const char *name, const char *text)
{
  char *path = NULL, *tmp = NULL;
  size_t len = strlen(text);
  FILE *f = NULL;
  int err = 0;

  if (!name_ok(name, 1))
    return ERR_INVAL;
  if (len > TTS_VARIANT_FILE_MAX)
    return ERR_TOO_BIG;
  path = xasprintf("%s/" VARIANT_DIR "/%s", t->overlay, name);
  tmp = xasprintf("%s.tmp", path);
  f = fopen(tmp, "w");
  if (f == NULL) {
    err = -errno;
    goto out;
  }
  if (fwrite(text, 1, len, f) != len)
    err = -EIO;
  if (fclose(f) != 0 && err == 0)
    err = -errno;
  if (err == 0 && rename(tmp, path) != 0)
    err = -errno;
  if (err != 0)
    unlink(tmp);
out:
  xfree(tmp);
  xfree(path);
  return err;
}

static int
check_params(struct tts *t, const struct tts_params *p, char *errbuf,
             size_t errlen)
{
  if (p->voice == NULL || !name_ok(p->voice, 0) ||
      !tts_voice_exists(t, p->voice)) {
    snprintf(errbuf, errlen, "unknown espeak-ng voice '%s'",
             p->voice ? p->voice : "");
    return ERR_NOT_FOUND;
  }
  if (p->variant != NULL && !tts_variant_exists(t, p->variant)) {
    snprintf(errbuf, errlen, "unknown espeak-ng variant '%s'", p->variant);
    return ERR_NOT_FOUND;
  }
  if (p->rate < espeakRATE_MINIMUM || p->rate > espeakRATE_MAXIMUM ||
      p->pitch < 0 || p->pitch > 99 || p->range < 0 || p->range > 99 ||
      p->volume < 0 || p->volume > 200 || p->wordgap < 0 ||
      p->wordgap > 100) {
    snprintf(errbuf, errlen, "voice parameter out of range");
    return ERR_INVAL;
  }
  return 0;
}

/* By name first (file names such as "en-us"), then by language, as the
 * espeak-ng program does: some languages ("en-gb") are only found that
 * way; last by the voice file's identifier, for voices such as Cherokee
 * ("chr-US-Qaaa-x-west", file "iro/chr") that neither finds. All three
 * understand a "+variant" suffix. */
static int
set_voice(const struct tts *t, const char *lang, const char *variant)
{
  char name[2 * TTS_NAME_MAX + 2], byid[64 + TTS_NAME_MAX + 2];
  const char *id = voice_identifier(t, lang);
  espeak_VOICE sel;

  snprintf(name, sizeof(name), "%s%s%s", lang, variant ? "+" : "",
           variant ? variant : "");
  if (espeak_SetVoiceByName(name) == EE_OK)
    return 0;
  memset(&sel, 0, sizeof(sel));
  sel.languages = name;
  if (espeak_SetVoiceByProperties(&sel) == EE_OK)
    return 0;
  if (id == NULL || id[0] == '\0')
    return ERR_NOT_FOUND;
  snprintf(byid, sizeof(byid), "%s%s%s", id, variant ? "+" : "",
           variant ? variant : "");
  return espeak_SetVoiceByName(byid) == EE_OK ? 0 : ERR_NOT_FOUND;
}

int
tts_synth(struct tts *t, const struct tts_params *p, const char *text,
          int16_t **pcm, size_t *nsamples, char *errbuf, size_t errlen)
{
  struct collect c;
  char name[2 * TTS_NAME_MAX + 2];
  unsigned flags = espeakCHARS_UTF8;
  size_t len = strlen(text), n;
  espeak_ERROR rc;
  int err;

  *pcm = NULL;
  *nsamples = 0;
  if (len == 0) {
    snprintf(errbuf, errlen, "empty text");
    return ERR_INVAL;
  }
  if (len > TTS_TEXT_MAX) {
    snprintf(errbuf, errlen, "text is %zu bytes, over the %d-byte limit",
             len, TTS_TEXT_MAX);
    return ERR_TOO_BIG;
  }
  err = check_params(t, p, errbuf, errlen);
  if (err != 0)
    return err;
  snprintf(name, sizeof(name), "%s%s%s", p->voice, p->variant ? "+" : "",
           p->variant ? p->variant : "");
  if (set_voice(t, p->voice, p->variant) != 0) {
    snprintf(errbuf, errlen, "espeak-ng cannot load voice '%s'", name);
    return ERR_NOT_FOUND;
  }
  espeak_SetParameter(espeakRATE, p->rate, 0);
  espeak_SetParameter(espeakPITCH, p->pitch, 0);
  espeak_SetParameter(espeakRANGE, p->range, 0);
  espeak_SetParameter(espeakVOLUME, p->volume, 0);
  espeak_SetParameter(espeakWORDGAP, p->wordgap, 0);
  if (p->flags & TTS_PHONEMES)
    flags |= espeakPHONEMES;
  if (p->flags & TTS_SSML)
    flags |= espeakSSML;
  buf_init(&c.pcm, (size_t)TTS_PCM_MAX * sizeof(int16_t));
  c.err = 0;
  rc = espeak_Synth(text, len + 1, 0, POS_CHARACTER, 0, flags, NULL, &c);
  if (c.err != 0 || rc != EE_OK) {
    err = c.err ? c.err : ERR_ENGINE;
    snprintf(errbuf, errlen, "%s", err == ERR_TOO_BIG ?
             "audio exceeds the synthesis limit" : "espeak-ng failed");
    buf_free(&c.pcm);
    return err;
  }
  *pcm = (int16_t *)buf_take(&c.pcm, &n);
  *nsamples = n / sizeof(int16_t);
  return 0;
}
