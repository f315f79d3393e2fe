/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_pipeline - the whole per-message pipeline from one byte blob:
 * "client-ip\nhelo\nmail-from\n" then the message (headers and body).
 * DNS is answered from local data only, so no packet leaves the process.
 * Each input runs twice: under the default limits and the lowest ones.
 * The verdict is then written as the text and the JSON log line.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/log.h"
#include "core/pipeline_priv.h"
#include "fuzzlib.h"
#include "auth/spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct pipeline_env *fuzz_env[2];	/* default and low limits */

static const char fuzz_conf[] =
    "authserv_id = \"mx.fuzz.example\";\n"
    "dns = { local_zones = [ \". static\" ];\n"
    "  local_data = [ \"a.example. 300 IN TXT \\\"v=spf1 mx a:b.example "
    "include:c.example -all\\\"\",\n"
    "    \"c.example. 300 IN TXT \\\"v=spf1 ip4:192.0.2.0/24 ~all\\\"\",\n"
    "    \"a.example. 300 IN MX 10 b.example.\",\n"
    "    \"b.example. 300 IN A 192.0.2.1\" ]; };\n"
    "policy = { trusted_networks = [ ]; };\n";
/* the same with the smallest limits, so that every limit path is reached */
static const char fuzz_low[] = "limits = { headers = 32; header_size = 1024; "
    "header_bytes = 65536; arc_sets = 1; spf_lookups = 1; dns_time = 1; };\n"
    "dkim = { max_signatures = 1; };\n";

/* fuzz_env_new - an env from the configuration text(s) */
static struct pipeline_env *
fuzz_env_new(const char *extra)
{
	struct pipeline_env *env;
	struct buf why;

	buf_init(&why, 4096);
	if ((env = pipeline_env_new(fuzzlib_config(fuzz_conf, extra),
	    &why)) == NULL) {
		fprintf(stderr, "%s\n", why.data);
		abort();
	}
	buf_free(&why);
	return env;
}

/* fuzz_init - the envs for every run */
static void
fuzz_init(void)
{
	log_set_level(LOG_LEVEL_ERR);
	spf_init();
	fuzz_env[0] = fuzz_env_new("");
	fuzz_env[1] = fuzz_env_new(fuzz_low);
}

/* fuzz_line - next "\n"-ended field of the blob, NUL-terminated copy */
static char *
fuzz_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = strndup((const char *)*p, n);

	*p += n + (nl ? 1 : 0);
	return s;
}

/* fuzz_feed - headers up to the first empty line, then body chunks */
static void
fuzz_feed(struct session *s, const uint8_t *p, const uint8_t *end)
{
	while (p < end && *p != '\n') {
		char *line = fuzz_line(&p, end), *colon = strchr(line, ':');

		if (colon != NULL) {
			*colon = '\0';
			pipeline_header(s, line, colon + 1, strlen(colon + 1));
		}
		free(line);
	}
	pipeline_eoh(s);
	while (p < end) {
		size_t n = (size_t)(end - p) > 1000 ? 1000 : (size_t)(end - p);

		pipeline_body(s, p, n);
		p += n;
	}
}

/*
 * fuzz_verdict - both forms of the verdict log line; the JSON one must be
 * one whole object on one line that fits a log line
 */
static void
fuzz_verdict(const struct session *s)
{
	struct buf line;

	buf_init(&line, LOG_LINE_MAX);
	pipeline_verdict_line(s, &line);
	pipeline_verdict_json(s, &line);
	if (line.truncated || line.len < 2 || line.data[0] != '{' ||
	    line.data[line.len - 1] != '}' ||
	    memchr(line.data, '\n', line.len) != NULL)
		abort();
	buf_free(&line);
}

/*
 * fuzz_edits - the verdict's edits: deletions first, highest index down,
 * then inserts with a value; a log line always
 */
static void
fuzz_edits(const struct pipeline_verdict *v)
{
	size_t i, last = (size_t)-1;
	int inserting = 0;

	if (v->log == NULL || v->id == NULL)
		abort();
	for (i = 0; i < v->nedits; i++) {
		const struct pipeline_edit *e = &v->edits[i];

		if (e->op == PIPELINE_EDIT_DELETE) {
			if (inserting || e->index == 0 || e->index >= last)
				abort();
			last = e->index;
		} else {
			inserting = 1;
			if (e->value == NULL || e->name == NULL)
				abort();
		}
	}
}

/* fuzz_one - one transaction through one env */
static void
fuzz_one(struct pipeline_env *env, const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	char *ip, *helo, *from;
	enum pipeline_start start;
	struct session *s;

	ip = fuzz_line(&p, end);
	helo = fuzz_line(&p, end);
	from = fuzz_line(&p, end);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	s = pipeline_connect(pipeline_env_ref(env), 1,
	    ss.ss_family ? (struct sockaddr *)&ss : NULL, NULL, 1, &start);
	pipeline_helo(s, helo);
	pipeline_mail(s, from, NULL);
	fuzz_feed(s, p, end);
	fuzz_edits(pipeline_eom(s));
	fuzz_verdict(s);
	pipeline_close(s);
	free(ip);
	free(helo);
	free(from);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_env[0] == NULL)
		fuzz_init();
	fuzz_one(fuzz_env[0], data, size);
	fuzz_one(fuzz_env[1], data, size);
	return 0;
}
