/* SPDX-License-Identifier: BSD-2-Clause */
/* versions - "NAME VERSION" lines for the libraries we link */
#include "autoconf.h"

#include <libconfig.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <idn2.h>
#include <json-c/json_c_version.h>
#include <libpq-fe.h>
#include <libxml/parser.h>
#include <opendkim/dkim.h>
#include <openssl/crypto.h>
#include <netinet/in.h>
#include <spf2/spf.h>
#include <sqlite3.h>
#include <unbound.h>
#include <zip.h>
#include <zlib.h>

#include "util/buf.h"
#include "core/versions.h"

/* what versions_phdr() looks for, and what it found */
struct versions_find {
	const char	*stem;		/* "libopendmarc" */
	char		 path[PATH_MAX];	/* the mapped file, or "" */
};

/* versions_phdr - dl_iterate_phdr() callback: a loaded STEM.so* */
static int
versions_phdr(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct versions_find *f = arg;
	const char *name = info->dlpi_name, *base;
	size_t n = strlen(f->stem);

	(void)size;	/* the fields we read exist in every glibc */
	if (name == NULL || (base = strrchr(name, '/')) == NULL)
		return 0;
	base++;
	if (strncmp(base, f->stem, n) != 0 || strncmp(base + n, ".so", 3) != 0)
		return 0;
	/* the soname is a link; the file it names carries the version */
	if (realpath(name, f->path) == NULL)
		snprintf(f->path, sizeof(f->path), "%s", name);
	return 1;
}

/*
 * versions_file - "STEM (no version call; loaded FILE)" for a library
 * that states no version: the file the dynamic loader mapped for it
 * (none when the program never calls it: --as-needed dropped it)
 */
void
versions_file(const char *stem, struct buf *out)
{
	struct versions_find f;
	const char *base;

	memset(&f, 0, sizeof(f));
	f.stem = stem;
	if (dl_iterate_phdr(versions_phdr, &f) == 0 || f.path[0] == '\0') {
		buf_printf(out, "%s (no version call; not loaded here)\n",
		    stem);
		return;
	}
	base = strrchr(f.path, '/');
	buf_printf(out, "%s (no version call; loaded %s)\n", stem,
	    base != NULL ? base + 1 : f.path);
}

/* versions_dotted - 0xMMmmpprr as "M.m.p", and ".r" when r is not 0 */
static void
versions_dotted(struct buf *out, const char *name, uint32_t v)
{
	buf_printf(out, "%s %u.%u.%u", name, (unsigned)(v >> 24),
	    (unsigned)(v >> 16) & 0xff, (unsigned)(v >> 8) & 0xff);
	if ((v & 0xff) != 0)
		buf_printf(out, ".%u", (unsigned)v & 0xff);
}

/* versions_pq - PQlibVersion(): 150003 is 15.3, 90624 was 9.6.24 */
static void
versions_pq(struct buf *out)
{
	int v = PQlibVersion();

	if (v >= 100000)
		buf_printf(out, "libpq %d.%d\n", v / 10000, v % 10000);
	else
		buf_printf(out, "libpq %d.%d.%d\n", v / 10000, v / 100 % 100,
		    v % 100);
}

/* versions_xml2 - libxml2's "20914" as 2.9.14 */
static void
versions_xml2(struct buf *out)
{
	int v = atoi(xmlParserVersion);

	buf_printf(out, "libxml2 %d.%d.%d\n", v / 10000, v / 100 % 100,
	    v % 100);
}

/*
 * versions_signing - what makes each kind of DKIM signature (authmilter(8)
 * DKIM SIGNING): libopendkim's dkim_sign for rsa-sha256, our own signer
 * over OpenSSL for ed25519-sha256
 */
void
versions_signing(struct buf *out)
{
	buf_puts(out, "DKIM signing: rsa-sha256 by ");
	versions_dotted(out, "libopendkim", dkim_libversion());
	buf_printf(out, ", ed25519-sha256 by authmilter %s over OpenSSL %s\n",
	    PACKAGE_VERSION, OpenSSL_version(OPENSSL_VERSION_STRING));
}

/* versions_print - "PROGRAM VERSION", then versions_libraries(), to fp */
void
versions_print(FILE *fp, const char *program)
{
	struct buf out;

	buf_init(&out, 8192);
	buf_printf(&out, "%s %s\n", program, PACKAGE_VERSION);
	versions_libraries(&out);
	fputs(out.data, fp);
	buf_free(&out);
}

/* versions_libraries - one line per library of lib/, dependencies order */
void
versions_libraries(struct buf *out)
{
	versions_dotted(out, "libopendkim", dkim_libversion());
	buf_putc(out, '\n');
	versions_file("libopendmarc", out);
	buf_printf(out, "libspf2 %d.%d.%d\n", SPF_LIB_VERSION_MAJOR,
	    SPF_LIB_VERSION_MINOR, SPF_LIB_VERSION_PATCH);
	buf_printf(out, "libunbound %s\n", ub_version());
	buf_printf(out, "%s\n", OpenSSL_version(OPENSSL_VERSION));
	buf_printf(out, "SQLite %s\n", sqlite3_libversion());
	versions_pq(out);
	buf_printf(out, "libconfig %d.%d.%d\n", LIBCONFIG_VER_MAJOR,
	    LIBCONFIG_VER_MINOR, LIBCONFIG_VER_REVISION);
	buf_printf(out, "libidn2 %s\n", idn2_check_version(NULL));
	buf_printf(out, "zlib %s\n", zlibVersion());
	buf_printf(out, "libcurl %s\n", curl_version_info(CURLVERSION_NOW)->
	    version);
	versions_xml2(out);
	buf_printf(out, "libzip %s\n", zip_libzip_version());
	buf_printf(out, "json-c %s\n", json_c_version());
}
