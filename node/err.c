/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* Names and texts for the codes in err.h. */
#include "node/err.h"

#include <string.h>

const char *
err_name(int err)
{
  switch (err) {
#define ERR_NAME_(name, text) case ERR_##name: return "ERR_" #name;
    ERR_MAP(ERR_NAME_)
#undef ERR_NAME_
  default:
    break;
  }
  if (err == 0)
    return "OK";
  return err < 0 && err > ERR_BASE_ ? "ERRNO" : "ERR_UNKNOWN";
}

const char *
err_str(int err)
{
  switch (err) {
#define ERR_STR_(name, text) case ERR_##name: return text;
    ERR_MAP(ERR_STR_)
#undef ERR_STR_
  default:
    break;
  }
  if (err == 0)
    return "success";
  if (err < 0 && err > ERR_BASE_)
    return strerror(-err);
  return "unknown error";
}
