/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzzlib - what several fuzz targets need: a configuration from text, and
 * a raw header block split into fields as an MTA would hand them over
 *
 * OWNERSHIP   fuzzlib_config() returns one reference (config_release()).
 * ERRORS      a configuration that does not load aborts the target: it is
 *             the target's own text, so that is a bug in the target.
 */
#ifndef AUTHMILTER_FUZZLIB_H
#define AUTHMILTER_FUZZLIB_H

#include <stddef.h>

struct config;

typedef void fuzzlib_field_fn(void *, const char *name, const char *value,
    size_t len);

struct config *fuzzlib_config(const char *text, const char *more);
const char *fuzzlib_headers(const char *p, const char *end,
	    fuzzlib_field_fn *fn, void *arg);

#endif
