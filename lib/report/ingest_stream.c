/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest_stream - one report's bytes as a bounded stream: plain, gzip
 * (zlib) or the first report entry of a zip archive (libzip)
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zip.h>
#include <zlib.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "report/ingest.h"

enum ingest_stream_kind { STREAM_PLAIN, STREAM_GZIP, STREAM_ZIP };

struct ingest_stream {
	enum ingest_stream_kind kind;	/* how data is encoded */
	const unsigned char *data;	/* the caller's bytes */
	size_t		 len;		/* their length */
	size_t		 pos;		/* plain: next byte */
	size_t		 out;		/* bytes produced so far */
	size_t		 max;		/* and the most we produce */
	int		 eof;		/* no more data */
	enum ingest_status err;		/* INGEST_OK, BAD or BIG */
	char		 why[160];	/* what went wrong */
	z_stream	 z;		/* gzip: the inflater */
	int		 zinit;		/* z is initialized */
	zip_t		*za;		/* zip: the archive */
	zip_file_t	*zf;		/* and the entry read */
	char		 peek;		/* first non-space byte, 0 unknown */
	char		*pend;		/* bytes read by peek, not yet given */
	size_t		 npend, opend;	/* their count and the next one */
};

/* ingest_strstatus - for logs */
const char *
ingest_strstatus(enum ingest_status st)
{
	static const char *const names[] = { "ok", "malformed", "too large",
	    "not stored", "no report" };

	return (size_t)st < sizeof(names) / sizeof(names[0]) ? names[st] :
	    "?";
}

/* ingest_stream_fail - remember the first error */
static long
ingest_stream_fail(struct ingest_stream *s, enum ingest_status st,
    const char *why)
{
	if (s->err == INGEST_OK) {
		s->err = st;
		strncpy(s->why, why, sizeof(s->why) - 1);
	}
	return -1;
}

/* ingest_is_report - do these bytes start like a report or an archive */
int
ingest_is_report(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;

	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return 1;
	if (len >= 4 && memcmp(p, "PK\3\4", 4) == 0)
		return 1;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;		/* UTF-8 byte order mark */
	while (i < len && isspace(p[i]))
		i++;
	return i < len && (p[i] == '<' || p[i] == '{');
}

/* ingest_stream_zipname - an entry that may hold a report */
static int
ingest_stream_zipname(const char *name)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '/')
		return 0;
	return (n > 4 && strcasecmp(name + n - 4, ".xml") == 0) ||
	    (n > 5 && strcasecmp(name + n - 5, ".json") == 0);
}

/* ingest_stream_zip - open the first report entry of a zip archive */
static enum ingest_status
ingest_stream_zip(struct ingest_stream *s, struct buf *why)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_stat_t st;
	zip_int64_t i, n;

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(s->data, s->len, 0, &ze)) == NULL ||
	    (s->za = zip_open_from_source(src, ZIP_RDONLY, &ze)) == NULL) {
		buf_printf(why, "zip: %s", zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		return INGEST_BAD;
	}
	zip_error_fini(&ze);
	n = zip_get_num_entries(s->za, 0);
	for (i = 0; i < n && i < INGEST_MAX_ZIP_ENTRIES; i++) {
		if (zip_stat_index(s->za, (zip_uint64_t)i, 0, &st) != 0 ||
		    !(st.valid & ZIP_STAT_NAME) ||
		    !ingest_stream_zipname(st.name))
			continue;
		/* a claimed size is only a hint: reading counts the bytes */
		if ((st.valid & ZIP_STAT_SIZE) && st.size > s->max) {
			buf_printf(why, "zip entry of %llu bytes (limit %zu)",
			    (unsigned long long)st.size, s->max);
			return INGEST_BIG;
		}
		if ((s->zf = zip_fopen_index(s->za, (zip_uint64_t)i, 0)) ==
		    NULL) {
			buf_printf(why, "zip: %s", zip_strerror(s->za));
			return INGEST_BAD;
		}
		return INGEST_OK;
	}
	buf_puts(why, "zip archive without an .xml or .json entry");
	return INGEST_BAD;
}

/*
 * ingest_stream_open - the stream of one report in data[0..len); at
 * most max bytes come out of it. NULL with *st (INGEST_BAD or
 * INGEST_BIG) and why when it cannot be opened.
 */
struct ingest_stream *
ingest_stream_open(const char *data, size_t len, size_t max,
    enum ingest_status *st, struct buf *why)
{
	struct ingest_stream *s = xcalloc(1, sizeof(*s));
	const unsigned char *p = (const unsigned char *)data;

	*st = INGEST_BAD;
	s->data = p;
	s->len = len;
	s->max = max;
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		s->kind = STREAM_GZIP;
		s->z.next_in = (unsigned char *)(uintptr_t)p;
		s->z.avail_in = len > 0x7fffffffU ? 0x7fffffffU : (uInt)len;
		if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
			buf_puts(why, "zlib: cannot initialize");
			free(s);
			return NULL;
		}
		s->zinit = 1;
	} else if (len >= 4 && memcmp(p, "PK\3\4", 4) == 0) {
		s->kind = STREAM_ZIP;
		if ((*st = ingest_stream_zip(s, why)) != INGEST_OK) {
			ingest_stream_close(s);
			return NULL;
		}
	} else
		s->kind = STREAM_PLAIN;
	*st = INGEST_OK;
	return s;
}

/* ingest_stream_gzip - inflate into out */
static long
ingest_stream_gzip(struct ingest_stream *s, char *out, size_t n)
{
	int rc;

	if (s->eof)
		return 0;
	s->z.next_out = (unsigned char *)out;
	s->z.avail_out = (uInt)n;
	rc = inflate(&s->z, Z_NO_FLUSH);
	if (rc == Z_STREAM_END)
		s->eof = 1;
	else if (rc != Z_OK && !(rc == Z_BUF_ERROR && s->z.avail_in > 0))
		return ingest_stream_fail(s, INGEST_BAD, rc == Z_BUF_ERROR ?
		    "gzip data ends early" : "gzip data is corrupt");
	if (n - s->z.avail_out == 0 && !s->eof && s->z.avail_in == 0)
		return ingest_stream_fail(s, INGEST_BAD, "gzip data ends early");
	return (long)(n - s->z.avail_out);
}

/* ingest_stream_raw - the next decoded bytes, no limit check */
static long
ingest_stream_raw(struct ingest_stream *s, char *out, size_t n)
{
	zip_int64_t got;

	switch (s->kind) {
	case STREAM_GZIP:
		return ingest_stream_gzip(s, out, n);
	case STREAM_ZIP:
		if ((got = zip_fread(s->zf, out, n)) < 0)
			return ingest_stream_fail(s, INGEST_BAD,
			    "zip entry is corrupt");
		return (long)got;
	case STREAM_PLAIN:
	default:
		if (n > s->len - s->pos)
			n = s->len - s->pos;
		memcpy(out, s->data + s->pos, n);
		s->pos += n;
		return (long)n;
	}
}

/*
 * ingest_stream_read - up to n bytes; 0 at the end, -1 on error
 * (ingest_stream_status() says which). More than max bytes is an error.
 */
long
ingest_stream_read(struct ingest_stream *s, char *out, size_t n)
{
	long got;

	if (s->err != INGEST_OK)
		return -1;
	if (n > 65536)
		n = 65536;
	if (s->opend < s->npend) {
		got = (long)(s->npend - s->opend < n ? s->npend - s->opend : n);
		memcpy(out, s->pend + s->opend, (size_t)got);
		s->opend += (size_t)got;
		return got;
	}
	if ((got = ingest_stream_raw(s, out, n)) < 0)
		return -1;
	s->out += (size_t)got;
	if (s->out > s->max)
		return ingest_stream_fail(s, INGEST_BIG,
		    "report over the size limit when decompressed");
	return got;
}

/*
 * ingest_stream_peek - the first byte that is not white space or a byte
 * order mark, read ahead and kept for ingest_stream_read(); -1 when the
 * stream is empty or broken
 */
int
ingest_stream_peek(struct ingest_stream *s, char *first)
{
	size_t i;
	long got;

	while (s->peek == 0) {
		if (s->npend >= 4096)
			return -1;
		s->pend = xrealloc(s->pend, s->npend + 512);
		if ((got = ingest_stream_raw(s, s->pend + s->npend, 512)) <= 0)
			return -1;
		s->out += (size_t)got;
		s->npend += (size_t)got;
		for (i = 0; i < s->npend; i++) {
			unsigned char c = (unsigned char)s->pend[i];

			if (!isspace(c) && c != 0xef && c != 0xbb && c != 0xbf) {
				s->peek = (char)c;
				break;
			}
		}
	}
	*first = s->peek;
	return 0;
}

/* ingest_stream_status - INGEST_OK, or the error and why (why may be NULL) */
int
ingest_stream_status(const struct ingest_stream *s, struct buf *why)
{
	if (s->err != INGEST_OK && why != NULL)
		buf_puts(why, s->why);
	return s->err;
}

/* ingest_stream_close - free everything; NULL is fine */
void
ingest_stream_close(struct ingest_stream *s)
{
	if (s == NULL)
		return;
	if (s->zinit)
		inflateEnd(&s->z);
	if (s->zf != NULL)
		zip_fclose(s->zf);
	if (s->za != NULL)
		zip_discard(s->za);
	free(s->pend);
	free(s);
}

/*
 * ingest_report - one report file's bytes (plain, gzip or zip): an
 * aggregate report goes record by record to sink->record, a TLS report
 * whole to sink->tls; *kind says which it was
 */
enum ingest_status
ingest_report(const char *data, size_t len, const struct ingest_limits *lim,
    const struct ingest_sink *sink, enum ingest_kind *kind, struct buf *why)
{
	struct ingest_stream *s;
	struct ingest_tls t;
	enum ingest_status st;
	char first;

	if ((s = ingest_stream_open(data, len, lim->max_report, &st,
	    why)) == NULL)
		return st;
	if (ingest_stream_peek(s, &first) != 0) {
		st = ingest_stream_status(s, why);
		if (st == INGEST_OK) {
			buf_puts(why, "empty report");
			st = INGEST_BAD;
		}
	} else if (first == '<') {
		*kind = INGEST_KIND_DMARC;
		st = ingest_dmarc_parse(s, lim, sink, why);
	} else if (first == '{') {
		*kind = INGEST_KIND_TLSRPT;
		st = ingest_tls_parse(s, lim, &t, why);
		if (st == INGEST_OK && sink->tls(sink->arg, &t, why) != 0)
			st = INGEST_SINK;
		ingest_tls_free(&t);
	} else {
		buf_puts(why, "neither XML nor JSON");
		st = INGEST_BAD;
	}
	ingest_stream_close(s);
	return st;
}
