/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milterload - drive a milter at a given concurrency over the milter
 * protocol (version 6), the way an MTA does, and report what it answered
 *
 * USAGE       milterload -s SOCKET -c CONCURRENCY -n MESSAGES [-k PER_CONN]
 *             [-t TIMEOUT] [-v] MESSAGE_FILE_OR_DIR...
 *             SOCKET is unix:PATH or inet:PORT@HOST (loopback in tests).
 * ENVELOPE    a message file may start with X-Load-Client-IP:,
 *             X-Load-Helo:, X-Load-Mail-From:, X-Load-Rcpt: lines; they set
 *             the envelope and are not sent. A connection is opened with the
 *             client IP and HELO of its first message and recycled when a
 *             later message needs others, as an MTA would open a new session.
 * PROTOCOL    offers every action and protocol flag Postfix 3 offers and
 *             honours what the milter asks for: skipped steps are not sent,
 *             no-reply steps are not waited for, a body SKIP ends the body.
 * OUTPUT      one summary line "milterload: messages=N errors=N ...";
 *             -v adds "FILE<TAB>ACTION<TAB>REPLY<TAB>A-R" per message.
 *             Exit 0 when every message got an answer, 1 on protocol
 *             errors, 2 on usage errors.
 *
 * Test tooling, not part of the daemon: it trusts its own corpus files, but
 * never trusts the milter's packets (lengths and codes are checked).
 */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LOAD_MAX_CONC	1024
#define LOAD_MAX_PACKET	(16 * 1024 * 1024)	/* refuse larger replies */
#define LOAD_CHUNK	65535			/* body chunk, as Postfix */
#define LOAD_MAX_FILES	1000000

/* protocol (libmilter's mfdef.h, milter protocol version 6) */
#define SMFIF_ALL	0x1ffUL
#define SMFIP_NOCONNECT	0x1UL
#define SMFIP_NOHELO	0x2UL
#define SMFIP_NOMAIL	0x4UL
#define SMFIP_NORCPT	0x8UL
#define SMFIP_NOBODY	0x10UL
#define SMFIP_NOHDRS	0x20UL
#define SMFIP_NOEOH	0x40UL
#define SMFIP_NR_HDR	0x80UL
#define SMFIP_NOUNKNOWN	0x100UL
#define SMFIP_NODATA	0x200UL
#define SMFIP_SKIP	0x400UL
#define SMFIP_RCPT_REJ	0x800UL
#define SMFIP_NR_CONN	0x1000UL
#define SMFIP_NR_HELO	0x2000UL
#define SMFIP_NR_MAIL	0x4000UL
#define SMFIP_NR_RCPT	0x8000UL
#define SMFIP_NR_DATA	0x10000UL
#define SMFIP_NR_UNKN	0x20000UL
#define SMFIP_NR_EOH	0x40000UL
#define SMFIP_NR_BODY	0x80000UL
#define SMFIP_HDR_LEADSPC 0x100000UL
#define LOAD_OFFER	0x1fffffUL	/* all of the above, as Postfix 3 */

struct load_msg {
	char		*file;		/* path, for -v */
	char		*ip;		/* client IP */
	char		*helo;		/* HELO argument */
	char		*from;		/* MAIL FROM argument, with <> */
	char		*rcpt;		/* RCPT TO argument, with <> */
	size_t		 nfield;	/* header fields */
	char		**name;		/* field names */
	char		**value;	/* values: leading space kept, "\n" folds */
	unsigned char	*body;		/* CRLF body */
	size_t		 bodylen;
};

enum load_action {
	LOAD_ACCEPT, LOAD_CONTINUE, LOAD_REJECT, LOAD_TEMPFAIL, LOAD_DISCARD,
	LOAD_NACTION
};
static const char *const load_action_name[LOAD_NACTION] = {
	"accept", "continue", "reject", "tempfail", "discard"
};

struct load_opts {
	const char	*socket;
	int		 conc;
	long		 total;
	long		 per_conn;	/* 0: no limit */
	int		 timeout;
	int		 verbose;
	struct load_msg	*msgs;
	size_t		 nmsgs;
};

/* shared by the workers: the next message number and the tallies */
struct load_state {
	const struct load_opts *o;
	atomic_long	 next;
	atomic_long	 done;
	atomic_long	 errors;
	atomic_long	 conns;
	atomic_long	 quarantined;
	atomic_long	 inserted;	/* header insertions and additions */
	atomic_long	 action[LOAD_NACTION];
	pthread_mutex_t	 outlock;	/* -v lines */
	double		*lat;		/* per message, ms */
};

struct load_conn {
	int		 fd;
	unsigned long	 proto;		/* what the milter asked for */
	const char	*ip;		/* envelope of this session */
	const char	*helo;
	long		 used;		/* messages on this connection */
};

struct load_reply {
	enum load_action action;
	char		 reply[512];
	char		 ar[1024];
	int		 quarantine;
	int		 inserted;
};

static void
load_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("milterload: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void *
load_alloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL)
		load_die("out of memory");
	return p;
}

static char *
load_strndup(const char *s, size_t n)
{
	char *p = load_alloc(n + 1);

	memcpy(p, s, n);
	return p;
}

static double
load_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- corpus --- */

static char *
load_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		load_die("%s: %s", path, strerror(errno));
	p = load_alloc((size_t)n + 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n)
		load_die("%s: short read", path);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* load_pseudo - take an X-Load-* line; 1 if it was one */
static int
load_pseudo(struct load_msg *m, const char *line, size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
		{ "X-Load-Client-IP:", offsetof(struct load_msg, ip) },
		{ "X-Load-Helo:", offsetof(struct load_msg, helo) },
		{ "X-Load-Mail-From:", offsetof(struct load_msg, from) },
		{ "X-Load-Rcpt:", offsetof(struct load_msg, rcpt) },
	};
	size_t i, k;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		k = strlen(keys[i].name);
		if (n < k || strncasecmp(line, keys[i].name, k) != 0)
			continue;
		while (k < n && (line[k] == ' ' || line[k] == '\t'))
			k++;
		*(char **)((char *)m + keys[i].off) =
		    load_strndup(line + k, n - k);
		return 1;
	}
	return 0;
}

static void
load_add_field(struct load_msg *m, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);

	if (colon == NULL)
		return;		/* not a field: an MTA would not pass it */
	m->name = realloc(m->name, (m->nfield + 1) * sizeof(char *));
	m->value = realloc(m->value, (m->nfield + 1) * sizeof(char *));
	if (m->name == NULL || m->value == NULL)
		load_die("out of memory");
	m->name[m->nfield] = load_strndup(line, (size_t)(colon - line));
	m->value[m->nfield] = load_strndup(colon + 1,
	    n - (size_t)(colon + 1 - line));
	m->nfield++;
}

/* load_append_fold - a continuation line joins the previous field */
static void
load_append_fold(struct load_msg *m, const char *line, size_t n)
{
	char *v = m->value[m->nfield - 1];
	size_t old = strlen(v);
	char *nv = load_alloc(old + 1 + n + 1);

	memcpy(nv, v, old);
	nv[old] = '\n';
	memcpy(nv + old + 1, line, n);
	free(v);
	m->value[m->nfield - 1] = nv;
}

/* load_body - the rest of the file with CRLF line ends */
static void
load_body(struct load_msg *m, const char *p, const char *end)
{
	size_t cap = (size_t)(end - p) * 2 + 1, n = 0;
	unsigned char *b = load_alloc(cap);

	for (; p < end; p++) {
		if (*p == '\n' && (n == 0 || b[n - 1] != '\r'))
			b[n++] = '\r';
		b[n++] = (unsigned char)*p;
	}
	m->body = b;
	m->bodylen = n;
}

static void
load_parse(struct load_msg *m, const char *path)
{
	size_t len, n;
	char *data = load_slurp(path, &len);
	const char *p = data, *end = data + len, *nl;

	m->file = strdup(path);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (nl ? nl : end) - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0) {		/* end of header */
			p = nl ? nl + 1 : end;
			break;
		}
		if ((*p == ' ' || *p == '\t') && m->nfield > 0)
			load_append_fold(m, p, n);
		else if (!load_pseudo(m, p, n))
			load_add_field(m, p, n);
		p = nl ? nl + 1 : end;
	}
	load_body(m, p, end);
	if (m->ip == NULL)
		m->ip = strdup("192.0.2.1");
	if (m->helo == NULL)
		m->helo = strdup("client.load.test");
	if (m->from == NULL)
		m->from = strdup("<sender@load.test>");
	if (m->rcpt == NULL)
		m->rcpt = strdup("<rcpt@mx.load.test>");
	free(data);
}

static int
load_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* load_dir - regular files of one directory, sorted, not recursive */
static void
load_dir(struct load_opts *o, const char *dir, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;
	char **names = NULL, path[4096];
	size_t n = 0, ncap = 0, i;

	if (d == NULL)
		load_die("%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL && n < LOAD_MAX_FILES) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == ncap) {
			ncap = ncap ? ncap * 2 : 64;
			names = realloc(names, ncap * sizeof(char *));
			if (names == NULL)
				load_die("out of memory");
		}
		names[n++] = strdup(path);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), load_cmp);
	for (i = 0; i < n; i++) {
		if (o->nmsgs == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			o->msgs = realloc(o->msgs, *cap * sizeof(*o->msgs));
			if (o->msgs == NULL)
				load_die("out of memory");
		}
		memset(&o->msgs[o->nmsgs], 0, sizeof(*o->msgs));
		load_parse(&o->msgs[o->nmsgs++], names[i]);
		free(names[i]);
	}
	free(names);
}

static void
load_corpus(struct load_opts *o, char **paths, int npaths)
{
	struct stat st;
	size_t cap = 0;
	int i;

	for (i = 0; i < npaths; i++) {
		if (stat(paths[i], &st) != 0)
			load_die("%s: %s", paths[i], strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			load_dir(o, paths[i], &cap);
			continue;
		}
		if (o->nmsgs == cap) {
			cap = cap ? cap * 2 : 64;
			o->msgs = realloc(o->msgs, cap * sizeof(*o->msgs));
			if (o->msgs == NULL)
				load_die("out of memory");
		}
		memset(&o->msgs[o->nmsgs], 0, sizeof(*o->msgs));
		load_parse(&o->msgs[o->nmsgs++], paths[i]);
	}
	if (o->nmsgs == 0)
		load_die("no messages");
}

/* --- wire --- */

static int
load_dial(const char *spec, int timeout)
{
	struct timeval tv = { .tv_sec = timeout };
	int fd = -1, one = 1;

	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		if (strlen(spec + 5) >= sizeof(sun.sun_path))
			return -1;
		strcpy(sun.sun_path, spec + 5);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
			goto fail;
	} else if (strncmp(spec, "inet:", 5) == 0 ||
	    strncmp(spec, "inet6:", 6) == 0) {
		const char *port = strchr(spec, ':') + 1, *at = strchr(spec, '@');
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
		char host[256], portbuf[16];

		if (at == NULL || (size_t)(at - port) >= sizeof(portbuf) ||
		    strlen(at + 1) >= sizeof(host))
			return -1;
		memcpy(portbuf, port, (size_t)(at - port));
		portbuf[at - port] = '\0';
		strcpy(host, at + 1);
		if (getaddrinfo(host, portbuf, &hints, &ai) != 0)
			return -1;
		fd = socket(ai->ai_family, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			freeaddrinfo(ai);
			goto fail;
		}
		freeaddrinfo(ai);
		/* as an MTA should: no Nagle wait behind no-reply packets */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	} else
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
load_write(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
load_read(int fd, void *p, size_t n)
{
	char *c = p;
	ssize_t r;

	while (n > 0) {
		r = recv(fd, c, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* load_send - one packet: length, command, data parts */
static int
load_send(int fd, char cmd, const void *a, size_t alen, const void *b,
    size_t blen)
{
	unsigned char hdr[5];
	uint32_t len = htonl((uint32_t)(1 + alen + blen));

	memcpy(hdr, &len, 4);
	hdr[4] = (unsigned char)cmd;
	if (load_write(fd, hdr, 5) != 0 ||
	    (alen && load_write(fd, a, alen) != 0) ||
	    (blen && load_write(fd, b, blen) != 0))
		return -1;
	return 0;
}

/* load_recv - one packet into *buf (malloc'd); returns its command */
static int
load_recv(int fd, unsigned char **buf, size_t *len)
{
	uint32_t n;
	unsigned char cmd;

	if (load_read(fd, &n, 4) != 0)
		return -1;
	n = ntohl(n);
	if (n < 1 || n > LOAD_MAX_PACKET)
		return -1;
	if (load_read(fd, &cmd, 1) != 0)
		return -1;
	*len = n - 1;
	*buf = load_alloc(*len + 1);
	if (load_read(fd, *buf, *len) != 0) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return cmd;
}

/* load_step - send a command; unless it is no-reply, wait for its answer */
static int
load_step(struct load_conn *c, char cmd, const void *a, size_t alen,
    const void *b, size_t blen, unsigned long nr)
{
	unsigned char *buf = NULL;
	size_t len;
	int code;

	if (load_send(c->fd, cmd, a, alen, b, blen) != 0)
		return -1;
	if (c->proto & nr)
		return 'c';
	code = load_recv(c->fd, &buf, &len);
	free(buf);
	return code;
}

static int
load_macros(struct load_conn *c, char stage, const char *k, const char *v)
{
	char data[512];
	size_t kl = strlen(k), vl = strlen(v);

	if (1 + kl + 1 + vl + 1 > sizeof(data))
		return -1;
	data[0] = stage;
	memcpy(data + 1, k, kl + 1);
	memcpy(data + 2 + kl, v, vl + 1);
	return load_send(c->fd, 'D', data, 3 + kl + vl, NULL, 0);
}

static int
load_negotiate(struct load_conn *c)
{
	uint32_t out[3] = { htonl(6), htonl(SMFIF_ALL), htonl(LOAD_OFFER) };
	unsigned char *buf = NULL;
	size_t len;
	int code;
	uint32_t v;

	if (load_send(c->fd, 'O', out, sizeof(out), NULL, 0) != 0)
		return -1;
	code = load_recv(c->fd, &buf, &len);
	if (code != 'O' || len < 12) {
		free(buf);
		return -1;
	}
	memcpy(&v, buf + 8, 4);
	c->proto = ntohl(v);
	free(buf);
	/* a milter may only ask for what was offered */
	return (c->proto & ~LOAD_OFFER) ? -1 : 0;
}

/* load_open - connect, negotiate, CONNECT and HELO for this envelope */
static int
load_open(struct load_conn *c, const struct load_opts *o,
    const struct load_msg *m)
{
	char data[600];
	size_t n;
	uint16_t port = htons(25);
	int code;

	c->used = 0;
	c->ip = m->ip;
	c->helo = m->helo;
	if ((c->fd = load_dial(o->socket, o->timeout)) < 0)
		return -1;
	if (load_negotiate(c) != 0)
		return -1;
	if (!(c->proto & SMFIP_NOCONNECT)) {
		if (load_macros(c, 'C', "j", "mx.load.test") != 0)
			return -1;
		n = (size_t)snprintf(data, sizeof(data), "%s", m->helo) + 1;
		data[n++] = strchr(m->ip, ':') ? '6' : '4';
		memcpy(data + n, &port, 2);
		n += 2;
		n += (size_t)snprintf(data + n, sizeof(data) - n, "%s", m->ip) + 1;
		code = load_step(c, 'C', data, n, NULL, 0, SMFIP_NR_CONN);
		if (code != 'c')	/* accept at connect: nothing to send */
			return code == 'a' ? 1 : -1;
	}
	if (!(c->proto & SMFIP_NOHELO)) {
		code = load_step(c, 'H', m->helo, strlen(m->helo) + 1, NULL, 0,
		    SMFIP_NR_HELO);
		if (code != 'c')
			return code == 'a' ? 1 : -1;
	}
	return 0;
}

static void
load_close(struct load_conn *c)
{
	if (c->fd >= 0) {
		load_send(c->fd, 'Q', NULL, 0, NULL, 0);
		close(c->fd);
	}
	c->fd = -1;
}

static enum load_action
load_code_action(int code)
{
	switch (code) {
	case 'a': return LOAD_ACCEPT;
	case 'c': return LOAD_CONTINUE;
	case 'r': return LOAD_REJECT;
	case 't': return LOAD_TEMPFAIL;
	case 'd': return LOAD_DISCARD;
	default: return LOAD_NACTION;
	}
}

/* load_oneline - a folded value on one line, for -v */
static void
load_oneline(char *dst, size_t size, const char *v)
{
	size_t n = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v && n + 1 < size; v++) {
		if (*v == '\r' || *v == '\n' || *v == '\t') {
			if (n > 0 && dst[n - 1] != ' ')
				dst[n++] = ' ';
			continue;
		}
		if (*v == ' ' && n > 0 && dst[n - 1] == ' ')
			continue;
		dst[n++] = *v;
	}
	dst[n] = '\0';
}

/* load_modification - note an eom modification; 0 to keep reading */
static int
load_modification(struct load_reply *r, int code, const unsigned char *p,
    size_t len)
{
	const char *name, *value;

	switch (code) {
	case 'i': case 'h':		/* insert / add header */
		name = (const char *)p + (code == 'i' ? 4 : 0);
		if (code == 'i' && len < 4)
			return -1;
		value = name + strlen(name) + 1;
		if ((const unsigned char *)value >= p + len)
			return -1;
		r->inserted++;
		if (r->ar[0] == '\0' &&
		    strcasecmp(name, "Authentication-Results") == 0)
			load_oneline(r->ar, sizeof(r->ar), value);
		return 0;
	case 'm': case 'q': case 'p': case '+': case '-': case 'b':
	case 'e': case '2': case 'f':
		if (code == 'q')
			r->quarantine = 1;
		return 0;
	case 'y':			/* reply code, ends the message */
		snprintf(r->reply, sizeof(r->reply), "%.*s", (int)len,
		    (const char *)p);
		r->action = r->reply[0] == '5' ? LOAD_REJECT : LOAD_TEMPFAIL;
		return 1;
	default:
		r->action = load_code_action(code);
		return r->action == LOAD_NACTION ? -1 : 1;
	}
}

static int
load_eom(struct load_conn *c, struct load_reply *r)
{
	unsigned char *buf;
	size_t len;
	int code, rc;

	if (load_send(c->fd, 'E', NULL, 0, NULL, 0) != 0)
		return -1;
	for (;;) {
		buf = NULL;
		if ((code = load_recv(c->fd, &buf, &len)) < 0)
			return -1;
		rc = load_modification(r, code, buf, len);
		free(buf);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
}

/* load_early - a non-continue answer before eom ends the transaction */
static int
load_early(struct load_reply *r, int code)
{
	if (code < 0 || load_code_action(code) == LOAD_NACTION)
		return -1;
	r->action = load_code_action(code);
	return 1;
}

static int
load_headers(struct load_conn *c, const struct load_msg *m,
    struct load_reply *r)
{
	const char *v;
	size_t i;
	int code;

	for (i = 0; i < m->nfield && !(c->proto & SMFIP_NOHDRS); i++) {
		v = m->value[i];
		if (!(c->proto & SMFIP_HDR_LEADSPC) && *v == ' ')
			v++;
		code = load_step(c, 'L', m->name[i], strlen(m->name[i]) + 1,
		    v, strlen(v) + 1, SMFIP_NR_HDR);
		if (code != 'c')
			return load_early(r, code);
	}
	if (!(c->proto & SMFIP_NOEOH)) {
		code = load_step(c, 'N', NULL, 0, NULL, 0, SMFIP_NR_EOH);
		if (code != 'c')
			return load_early(r, code);
	}
	return 0;
}

static int
load_body_send(struct load_conn *c, const struct load_msg *m,
    struct load_reply *r)
{
	size_t off, n;
	int code;

	for (off = 0; off < m->bodylen && !(c->proto & SMFIP_NOBODY);
	    off += n) {
		n = m->bodylen - off > LOAD_CHUNK ? LOAD_CHUNK :
		    m->bodylen - off;
		code = load_step(c, 'B', m->body + off, n, NULL, 0,
		    SMFIP_NR_BODY);
		if (code == 's')	/* milter needs no more body */
			break;
		if (code != 'c')
			return load_early(r, code);
	}
	return 0;
}

/* load_message - one transaction; 0 answered, -1 protocol error */
static int
load_message(struct load_conn *c, const struct load_msg *m, long seq,
    struct load_reply *r)
{
	char qid[32];
	int code, rc;

	memset(r, 0, sizeof(*r));
	snprintf(qid, sizeof(qid), "LOAD%08lX", (unsigned long)seq);
	if (load_macros(c, 'M', "i", qid) != 0)
		return -1;
	if (!(c->proto & SMFIP_NOMAIL)) {
		code = load_step(c, 'M', m->from, strlen(m->from) + 1, NULL, 0,
		    SMFIP_NR_MAIL);
		if (code != 'c')
			return load_early(r, code) > 0 ? 0 : -1;
	}
	if (!(c->proto & SMFIP_NORCPT)) {
		code = load_step(c, 'R', m->rcpt, strlen(m->rcpt) + 1, NULL, 0,
		    SMFIP_NR_RCPT);
		if (code != 'c')
			return load_early(r, code) > 0 ? 0 : -1;
	}
	if (!(c->proto & SMFIP_NODATA)) {
		code = load_step(c, 'T', NULL, 0, NULL, 0, SMFIP_NR_DATA);
		if (code != 'c')
			return load_early(r, code) > 0 ? 0 : -1;
	}
	if ((rc = load_headers(c, m, r)) != 0 ||
	    (rc = load_body_send(c, m, r)) != 0)
		return rc > 0 ? 0 : -1;
	if (load_macros(c, 'E', "i", qid) != 0)
		return -1;
	return load_eom(c, r);
}

static void
load_tally(struct load_state *st, const struct load_msg *m, long seq,
    const struct load_reply *r, double ms)
{
	atomic_fetch_add(&st->done, 1);
	atomic_fetch_add(&st->action[r->action], 1);
	atomic_fetch_add(&st->inserted, r->inserted);
	if (r->quarantine)
		atomic_fetch_add(&st->quarantined, 1);
	st->lat[seq] = ms;
	if (!st->o->verbose)
		return;
	pthread_mutex_lock(&st->outlock);
	printf("%s\t%s%s\t%s\t%s\n", m->file, load_action_name[r->action],
	    r->quarantine ? "+quarantine" : "", r->reply[0] ? r->reply : "-",
	    r->ar[0] ? r->ar : "-");
	pthread_mutex_unlock(&st->outlock);
}

/* load_error - count it; say what went wrong for the first few */
static void
load_error(struct load_state *st, const struct load_msg *m, const char *what)
{
	if (atomic_fetch_add(&st->errors, 1) < 10)
		fprintf(stderr, "milterload: %s: %s\n", m->file, what);
}

/* load_need_new - must this message start a new session? */
static int
load_need_new(const struct load_conn *c, const struct load_opts *o,
    const struct load_msg *m)
{
	return c->fd < 0 || (o->per_conn > 0 && c->used >= o->per_conn) ||
	    strcmp(c->ip, m->ip) != 0 || strcmp(c->helo, m->helo) != 0;
}

static void *
load_worker(void *arg)
{
	struct load_state *st = arg;
	const struct load_opts *o = st->o;
	struct load_conn c = { .fd = -1 };
	struct load_reply r;
	const struct load_msg *m;
	long seq;
	double t0;
	int rc;

	while ((seq = atomic_fetch_add(&st->next, 1)) < o->total) {
		m = &o->msgs[(size_t)seq % o->nmsgs];
		t0 = load_now_ms();
		if (load_need_new(&c, o, m)) {
			load_close(&c);
			atomic_fetch_add(&st->conns, 1);
			if ((rc = load_open(&c, o, m)) != 0) {
				if (rc > 0) {	/* accepted at connect */
					memset(&r, 0, sizeof(r));
					load_tally(st, m, seq, &r,
					    load_now_ms() - t0);
				} else
					load_error(st, m, "connect/negotiate");
				load_close(&c);
				continue;
			}
		}
		c.used++;
		if (load_message(&c, m, seq, &r) != 0) {
			load_error(st, m, "protocol error");
			load_close(&c);
			continue;
		}
		load_tally(st, m, seq, &r, load_now_ms() - t0);
	}
	load_close(&c);
	return NULL;
}

static int
load_dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
load_pct(const double *sorted, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return sorted[i < n ? i : n - 1];
}

static void
load_summary(struct load_state *st, double elapsed_ms)
{
	const struct load_opts *o = st->o;
	size_t n = 0, i;
	double *ok = load_alloc((size_t)o->total * sizeof(double));
	int a;

	for (i = 0; i < (size_t)o->total; i++)
		if (st->lat[i] >= 0)
			ok[n++] = st->lat[i];
	qsort(ok, n, sizeof(double), load_dcmp);
	printf("milterload: messages=%ld errors=%ld connections=%ld "
	    "concurrency=%d elapsed=%.3fs rate=%.1f/s latency_ms p50=%.2f "
	    "p90=%.2f p99=%.2f max=%.2f", atomic_load(&st->done),
	    atomic_load(&st->errors), atomic_load(&st->conns), o->conc,
	    elapsed_ms / 1e3, elapsed_ms > 0 ? atomic_load(&st->done) * 1e3 /
	    elapsed_ms : 0.0, load_pct(ok, n, .5), load_pct(ok, n, .9),
	    load_pct(ok, n, .99), n ? ok[n - 1] : 0.0);
	for (a = 0; a < LOAD_NACTION; a++)
		printf(" %s=%ld", load_action_name[a],
		    atomic_load(&st->action[a]));
	printf(" quarantine=%ld headers=%ld\n", atomic_load(&st->quarantined),
	    atomic_load(&st->inserted));
	free(ok);
}

static void
load_usage(void)
{
	fputs("usage: milterload -s unix:PATH|inet:PORT@HOST -c CONCURRENCY "
	    "-n MESSAGES [-k PER_CONN] [-t TIMEOUT] [-v] FILE_OR_DIR...\n",
	    stderr);
	exit(2);
}

static long
load_num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		load_usage();
	return v;
}

int
main(int argc, char **argv)
{
	struct load_opts o = { .conc = 1, .total = 1, .timeout = 60 };
	struct load_state st;
	pthread_t tid[LOAD_MAX_CONC];
	double t0;
	long i;
	int ch;

	while ((ch = getopt(argc, argv, "s:c:n:k:t:v")) != -1) {
		switch (ch) {
		case 's': o.socket = optarg; break;
		case 'c': o.conc = (int)load_num(optarg, 1, LOAD_MAX_CONC); break;
		case 'n': o.total = load_num(optarg, 1, 100000000); break;
		case 'k': o.per_conn = load_num(optarg, 0, 100000000); break;
		case 't': o.timeout = (int)load_num(optarg, 1, 3600); break;
		case 'v': o.verbose = 1; break;
		default: load_usage();
		}
	}
	if (o.socket == NULL || optind >= argc)
		load_usage();
	signal(SIGPIPE, SIG_IGN);
	load_corpus(&o, argv + optind, argc - optind);

	memset(&st, 0, sizeof(st));
	st.o = &o;
	pthread_mutex_init(&st.outlock, NULL);
	st.lat = load_alloc((size_t)o.total * sizeof(double));
	for (i = 0; i < o.total; i++)
		st.lat[i] = -1;
	t0 = load_now_ms();
	for (i = 0; i < o.conc; i++)
		if (pthread_create(&tid[i], NULL, load_worker, &st) != 0)
			load_die("pthread_create failed");
	for (i = 0; i < o.conc; i++)
		pthread_join(tid[i], NULL);
	load_summary(&st, load_now_ms() - t0);
	return atomic_load(&st.errors) ? 1 : 0;
}
