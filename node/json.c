/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* JSON through cJSON (Debian's libcjson): a small, well-kept parser whose
 * nesting limit bounds recursion on hostile input. struct json is cJSON. */
#include "node/json.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "node/alloc.h"
#include "node/buf.h"

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void
install_hooks(void)
{
  cJSON_Hooks hooks = {try_malloc, xfree};
  cJSON_InitHooks(&hooks);
}

static void
init(void)
{
  pthread_once(&hooks_once, install_hooks);
}

static cJSON *
C(const struct json *j)
{
  return (cJSON *)j;
}

static struct json *
J(cJSON *c)
{
  return (struct json *)c;
}

static struct json *
must(cJSON *c)
{
  if (c == NULL) {
    fprintf(stderr, "glowtalk: out of memory building JSON\n");
    abort();
  }
  return J(c);
}

struct json *
json_parse(const char *text, size_t len, char *errbuf, size_t errlen)
{
  const char *end = NULL;
  cJSON *c;

  init();
  if (len > JSON_MAX_INPUT) {
    snprintf(errbuf, errlen, "JSON document of %zu bytes is over the %u "
             "byte limit", len, JSON_MAX_INPUT);
    return NULL;
  }
  c = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  if (c == NULL) {
    size_t at = end && end >= text ? (size_t)(end - text) : 0;
    snprintf(errbuf, errlen, "invalid JSON near byte %zu", at);
    return NULL;
  }
  /* Trailing non-space bytes mean the document was not one JSON value. */
  while (end && (size_t)(end - text) < len &&
         (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
    end++;
  if (end && (size_t)(end - text) < len && *end != '\0') {
    snprintf(errbuf, errlen, "trailing data after JSON at byte %zu",
             (size_t)(end - text));
    cJSON_Delete(c);
    return NULL;
  }
  return J(c);
}

void
json_free(struct json *j)
{
  if (j)
    cJSON_Delete(C(j));
}

struct json *
json_get(const struct json *obj, const char *key)
{
  if (obj == NULL || !cJSON_IsObject(C(obj)))
    return NULL;
  return J(cJSON_GetObjectItemCaseSensitive(C(obj), key));
}

int
json_is_null(const struct json *j)
{
  return j && cJSON_IsNull(C(j));
}
int
json_is_object(const struct json *j)
{
  return j && cJSON_IsObject(C(j));
}
int
json_is_array(const struct json *j)
{
  return j && cJSON_IsArray(C(j));
}
int
json_is_string(const struct json *j)
{
  return j && cJSON_IsString(C(j));
}
int
json_is_number(const struct json *j)
{
  return j && cJSON_IsNumber(C(j));
}
int
json_is_bool(const struct json *j)
{
  return j && cJSON_IsBool(C(j));
}
int
json_is_true(const struct json *j)
{
  return j && cJSON_IsTrue(C(j));
}

const char *
json_str(const struct json *j)
{
  return j && cJSON_IsString(C(j)) ? C(j)->valuestring : NULL;
}

const char *
json_get_str(const struct json *obj, const char *key)
{
  return json_str(json_get(obj, key));
}

int
json_int(const struct json *j, int64_t *out)
{
  double d;
  if (!json_is_number(j))
    return ERR_INVAL;
  d = C(j)->valuedouble;
  if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0)
    return ERR_INVAL;
  *out = (int64_t)d;
  return 0;
}

double
json_num(const struct json *j)
{
  return json_is_number(j) ? C(j)->valuedouble : 0.0;
}

size_t
json_len(const struct json *j)
{
  if (j == NULL || !(cJSON_IsArray(C(j)) || cJSON_IsObject(C(j))))
    return 0;
  return (size_t)cJSON_GetArraySize(C(j));
}

struct json *
json_at(const struct json *arr, size_t i)
{
  if (arr == NULL || i > (size_t)0x7fffffff)
    return NULL;
  return J(cJSON_GetArrayItem(C(arr), (int)i));
}

struct json *
json_first(const struct json *container)
{
  return container ? J(C(container)->child) : NULL;
}

struct json *
json_next(const struct json *item)
{
  return item ? J(C(item)->next) : NULL;
}

const char *
json_key(const struct json *member)
{
  return member ? C(member)->string : NULL;
}

struct json *
json_new_object(void)
{
  init(); return must(cJSON_CreateObject());
}
struct json *
json_new_array(void)
{
  init(); return must(cJSON_CreateArray());
}
struct json *
json_new_num(double v)
{
  init(); return must(cJSON_CreateNumber(v));
}
struct json *
json_new_bool(int v)
{
  init(); return must(cJSON_CreateBool(v));
}
struct json *
json_new_null(void)
{
  init(); return must(cJSON_CreateNull());
}

struct json *
json_new_string(const char *s)
{
  init();
  return s ? must(cJSON_CreateString(s)) : must(cJSON_CreateNull());
}

struct json *
json_new_int(int64_t v)
{
  init();
  return must(cJSON_CreateNumber((double)v));
}

void
json_set(struct json *obj, const char *key, struct json *child)
{
  if (!cJSON_AddItemToObject(C(obj), key, C(child)))
    must(NULL);
}

void
json_del(struct json *obj, const char *key)
{
  if (json_is_object(obj))
    cJSON_DeleteItemFromObjectCaseSensitive(C(obj), key);
}

void
json_push(struct json *arr, struct json *child)
{
  if (!cJSON_AddItemToArray(C(arr), C(child)))
    must(NULL);
}

void
json_set_str(struct json *o, const char *k, const char *s)
{
  json_set(o, k, json_new_string(s));
}
void
json_set_int(struct json *o, const char *k, int64_t v)
{
  json_set(o, k, json_new_int(v));
}
void
json_set_num(struct json *o, const char *k, double v)
{
  json_set(o, k, json_new_num(v));
}
void
json_set_bool(struct json *o, const char *k, int v)
{
  json_set(o, k, json_new_bool(v));
}
void
json_set_null(struct json *o, const char *k)
{
  json_set(o, k, json_new_null());
}

struct json *
json_dup(const struct json *j)
{
  init();
  if (j == NULL)
    return json_new_null();
  return must(cJSON_Duplicate(C(j), 1));
}

char *
json_print(const struct json *j, int pretty)
{
  char *s;
  init();
  s = pretty ? cJSON_Print(C(j)) : cJSON_PrintUnformatted(C(j));
  if (s == NULL)
    must(NULL);
  return s;
}

/* ---- writing JSON text without building it --------------------------------
 * Byte for byte what cJSON's printer writes (cJSON 1.7: print_string_ptr,
 * print_number); tests/unit/test-json.c compares the two. */

int
json_write_str(struct buf *b, const char *s)
{
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  const unsigned char *run;
  char esc[8];
  int err = buf_append(b, "\"", 1);

  while (!err) {
    const char *e = esc;
    run = p;
    while (*p >= 32 && *p != '"' && *p != '\\')
      p++;
    err = buf_append(b, run, (size_t)(p - run));
    if (err || *p == '\0')
      break;
    switch (*p) {
    case '"': e = "\\\""; break;
    case '\\': e = "\\\\"; break;
    case '\b': e = "\\b"; break;
    case '\f': e = "\\f"; break;
    case '\n': e = "\\n"; break;
    case '\r': e = "\\r"; break;
    case '\t': e = "\\t"; break;
    default: snprintf(esc, sizeof(esc), "\\u%04x", *p); break;
    }
    err = buf_append_str(b, e);
    p++;
  }
  if (!err)
    err = buf_append(b, "\"", 1);
  return err;
}

int
json_write_num(struct buf *b, double v)
{
  char s[32];
  double test = 0, most;
  int vi;

  if (isnan(v) || isinf(v))
    return buf_append_str(b, "null");
  /* cJSON keeps the number clamped to an int beside the double. */
  vi = v >= (double)INT_MAX ? INT_MAX : v <= (double)INT_MIN ? INT_MIN
                                                               : (int)v;
  if (v == (double)vi) {
    /* "%d", without printf's cost (page writers print many of these). */
    char d[16], *q = d + sizeof(d);
    unsigned u = vi < 0 ? 0u - (unsigned)vi : (unsigned)vi;
    do
      *--q = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (vi < 0)
      *--q = '-';
    return buf_append(b, q, (size_t)(d + sizeof(d) - q));
  }
  snprintf(s, sizeof(s), "%1.15g", v);
  if (sscanf(s, "%lg", &test) == 1) {
    most = fabs(test) > fabs(v) ? fabs(test) : fabs(v);
    if (fabs(test - v) <= most * DBL_EPSILON)
      return buf_append_str(b, s);
  }
  snprintf(s, sizeof(s), "%1.17g", v);
  return buf_append_str(b, s);
}
