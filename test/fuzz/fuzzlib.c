/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzzlib - shared set-up of the fuzz targets (see fuzzlib.h) */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "fuzzlib.h"

/* fuzzlib_config - config_load() reads files only: go through a temp one */
struct config *
fuzzlib_config(const char *text, const char *more)
{
	char path[] = "/tmp/authmilter-fuzz.XXXXXX";
	struct config *cfg;
	struct buf why;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) < 0 ||
	    (more != NULL && write(fd, more, strlen(more)) < 0))
		abort();
	close(fd);
	log_set_level(LOG_LEVEL_ERR);
	buf_init(&why, 4096);
	cfg = config_load(path, &why);
	unlink(path);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", why.data);
		abort();
	}
	buf_free(&why);
	return cfg;
}

/*
 * fuzzlib_headers - one call of fn per "name:value" field up to the first
 * empty line (continuation lines stay with their field); returns where the
 * body starts
 */
const char *
fuzzlib_headers(const char *p, const char *end, fuzzlib_field_fn *fn,
    void *arg)
{
	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *colon;
		char name[128];

		if (nl == NULL)
			nl = end;
		while (nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t')) {
			const char *more = memchr(nl + 1, '\n',
			    (size_t)(end - nl - 1));

			nl = more != NULL ? more : end;
		}
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon != NULL && (size_t)(colon - p) < sizeof(name)) {
			memcpy(name, p, (size_t)(colon - p));
			name[colon - p] = '\0';
			fn(arg, name, colon + 1, (size_t)(nl - colon - 1));
		}
		p = nl < end ? nl + 1 : end;
	}
	return p < end ? p + 1 : end;
}
