/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* JSON values, parsed or built: the one module that touches cJSON. A value
 * is a tree owned by its root; json_free() on the root frees it all.
 * Getters return borrowed pointers into the tree. */
#ifndef GLOWTALK_JSON_H
#define GLOWTALK_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "node/err.h"

struct json;

#define JSON_MAX_INPUT (64u << 20) /* bytes; larger documents are refused */

/* Parse len bytes of UTF-8 JSON (\uXXXX escapes and surrogate pairs are
 * decoded). NULL on malformed or oversized input, with a reason in errbuf.
 * Caller owns the result. */
struct json *json_parse(const char *text, size_t len, char *errbuf,
                        size_t errlen);
/* Free a whole tree. json_free(NULL) does nothing. */
void json_free(struct json *j);

/* Reading. All accept NULL and then return NULL / 0 / false. */
struct json *json_get(const struct json *obj, const char *key);
int json_is_null(const struct json *j);
int json_is_object(const struct json *j);
int json_is_array(const struct json *j);
int json_is_string(const struct json *j);
int json_is_number(const struct json *j);
int json_is_bool(const struct json *j);
int json_is_true(const struct json *j);
/* The string, or NULL if j is not a string. */
const char *json_str(const struct json *j);
/* obj[key] as a string, or NULL. */
const char *json_get_str(const struct json *obj, const char *key);
/* An integral number into *out. ERR_INVAL if not an integer number. */
int json_int(const struct json *j, int64_t *out) WARN_UNUSED;
double json_num(const struct json *j);
/* Elements of an array or members of an object. */
size_t json_len(const struct json *j);
struct json *json_at(const struct json *arr, size_t i);
/* Iterate: json_first(container), then json_next(item). */
struct json *json_first(const struct json *container);
struct json *json_next(const struct json *item);
/* The member name of an object member, or NULL. */
const char *json_key(const struct json *member);

/* Building. Constructors abort on out-of-memory like xmalloc. */
struct json *json_new_object(void);
struct json *json_new_array(void);
struct json *json_new_string(const char *s);
struct json *json_new_int(int64_t v);
struct json *json_new_num(double v);
struct json *json_new_bool(int v);
struct json *json_new_null(void);
/* Add child under key (or append to array); the container takes child. */
void json_set(struct json *obj, const char *key, struct json *child);
void json_push(struct json *arr, struct json *child);
/* Remove and free obj[key], if present. */
void json_del(struct json *obj, const char *key);
/* Shorthands for json_set(obj, key, json_new_*(v)). A NULL string is
 * stored as null. */
void json_set_str(struct json *obj, const char *key, const char *s);
void json_set_int(struct json *obj, const char *key, int64_t v);
void json_set_num(struct json *obj, const char *key, double v);
void json_set_bool(struct json *obj, const char *key, int v);
void json_set_null(struct json *obj, const char *key);

/* A deep copy (NULL gives a JSON null). Caller frees. */
struct json *json_dup(const struct json *j);

/* Serialise. Caller frees with xfree(). pretty adds newlines/indents. */
char *json_print(const struct json *j, int pretty);

/* Append JSON text to b without building a tree, byte for byte as
 * json_print(.., 0) writes the same value: s (NULL as "") as a string
 * literal, v as a number. ERR_TOO_BIG past b's cap (b may then hold part
 * of it). */
struct buf;
int json_write_str(struct buf *b, const char *s) WARN_UNUSED;
int json_write_num(struct buf *b, double v) WARN_UNUSED;

#endif
