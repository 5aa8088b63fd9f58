/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Glowtalk developers */
/* The software version, shown by --version and sent in Hello frames. */
#ifndef GLOWTALK_VERSION_H
#define GLOWTALK_VERSION_H

#define GLOWTALK_VERSION "0.1.0"

#endif
