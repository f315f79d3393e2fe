/* SPDX-License-Identifier: BSD-2-Clause */
/* fixture - set-up shared by the unit tests (see fixture.h) */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "fixture.h"
#include "dns/resolver.h"

/* fixture_write - text into a new file under /tmp; its malloc'ed path */
char *
fixture_write(const char *text)
{
	char tmpl[] = "/tmp/t_unit.XXXXXX", *path;
	size_t len = strlen(text);
	int fd;

	if ((fd = mkstemp(tmpl)) < 0) {
		perror("fixture: mkstemp");
		exit(99);
	}
	if (write(fd, text, len) != (ssize_t)len) {
		perror("fixture: write");
		exit(99);
	}
	close(fd);
	if ((path = strdup(tmpl)) == NULL) {
		perror("fixture: strdup");
		exit(99);
	}
	return path;
}

/* fixture_load - load text; NULL and the error in why when invalid */
struct config *
fixture_load(const char *text, char **pathp, struct buf *why)
{
	char *path = fixture_write(text);
	struct config *cfg;

	buf_reset(why);
	cfg = config_load(path, why);
	unlink(path);
	*pathp = path;
	return cfg;
}

/* fixture_config - a config from text, or exit: the test needs it */
struct config *
fixture_config(const char *text)
{
	struct config *cfg;
	struct buf why;
	char *path;

	buf_init(&why, 1024);
	cfg = fixture_load(text, &path, &why);
	free(path);
	if (cfg == NULL) {
		fprintf(stderr, "fixture: config: %s\n", why.data);
		exit(99);
	}
	buf_free(&why);
	return cfg;
}

/* fixture_resolver - a resolver for cfg, or exit */
struct resolver *
fixture_resolver(const struct config *cfg)
{
	struct resolver *r;
	struct buf why;

	buf_init(&why, 1024);
	if ((r = resolver_new(cfg, &why)) == NULL) {
		fprintf(stderr, "fixture: resolver: %s\n", why.data);
		exit(99);
	}
	buf_free(&why);
	return r;
}

/* fixture_silent - a UDP socket on 127.0.0.1 that never answers */
int
fixture_silent(int *portp)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) != 0) {
		close(fd);
		return -1;
	}
	*portp = ntohs(sin.sin_port);
	return fd;
}

/* fixture_quote - s as a libconfig string: in quotes, " and \ escaped */
void
fixture_quote(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}
