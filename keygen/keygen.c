/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keygen - authmilter-keygen: a DKIM (or ARC) private key and the TXT
 * record its selector must publish
 *
 * STANDARDS   RFC 6376 3.6.1 (key records), RFC 8301 (RSA of at least
 *             1024 bits; 2048 is the default), RFC 8463 (Ed25519: p= is
 *             the raw 32-byte public key), RFC 1035 3.3 (character-strings
 *             of at most 255 bytes). authmilter-keygen(8).
 * OWNERSHIP   one key, written once: an existing file is never replaced.
 * ERRORS      exit 0 done, 1 the key could not be written (with why on
 *             standard error), 2 a bad command line.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "util/buf.h"
#include "util/keyspec.h"
#include "auth/keytable.h"
#include "auth/pkey.h"

#define KEYGEN_USER	"authmilter"
#define KEYGEN_BITS	2048

struct keygen_opts {
	int		 ed25519;	/* -a ed25519, else rsa */
	int		 bits;		/* -b, 0: not given */
	const char	*domain;	/* -d */
	const char	*selector;	/* -s */
	const char	*dir;		/* -D */
	const char	*user;		/* -u: owner when run as root */
};

#define KEYGEN_SYNOPSIS \
	"usage: authmilter-keygen [-a rsa|ed25519] [-b BITS] " \
	"-d DOMAIN -s SELECTOR\n" \
	"                         [-D DIR] [-u USER]\n" \
	"       authmilter-keygen -h | --help | -V | --version\n"

/* keygen_usage - the synopsis of authmilter-keygen(8); exit 2 */
static void __attribute__((noreturn))
keygen_usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "authmilter-keygen: %s\n", why);
	fputs(KEYGEN_SYNOPSIS, stderr);
	exit(2);
}

/* keygen_help - -h, --help: the synopsis and each option; exit 0 */
static void __attribute__((noreturn))
keygen_help(void)
{
	printf(KEYGEN_SYNOPSIS "\n"
	    "Makes a DKIM signing (or ARC sealing) key for authmilter, writes "
	    "it to\nDIR/DOMAIN.SELECTOR.key (mode 0600, never replacing a "
	    "file) and prints the\nTXT record its selector must publish.\n\n"
	    "  -a rsa|ed25519  the algorithm (default rsa: rsa-sha256)\n"
	    "  -b BITS         RSA key size, 1024 to 8192 (default %d)\n"
	    "  -d DOMAIN       the signing domain (d=)\n"
	    "  -s SELECTOR     the selector (s=)\n"
	    "  -D DIR          where the key file goes (default .)\n"
	    "  -u USER         run as root: the key's owner (default %s)\n"
	    "  -V, --version   the versions of authmilter-keygen and "
	    "OpenSSL\n"
	    "  -h, --help      this text\n\n"
	    "Exit status: 0 done, 1 the key could not be written, 2 a bad "
	    "command line.\nSee authmilter-keygen(8).\n", KEYGEN_BITS,
	    KEYGEN_USER);
	exit(0);
}

/* keygen_version - our version and OpenSSL's, the one library we use */
static void __attribute__((noreturn))
keygen_version(void)
{
	printf("authmilter-keygen %s\n%s\n", PACKAGE_VERSION,
	    OpenSSL_version(OPENSSL_VERSION));
	exit(0);
}

/* keygen_parse - argv into o, checked */
static void
keygen_parse(int argc, char **argv, struct keygen_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->dir = ".";
	o->user = KEYGEN_USER;
	while ((ch = getopt_long(argc, argv, "a:b:d:s:D:u:hV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h': keygen_help();
		case 'V': keygen_version();
		case 'a':
			if (strcmp(optarg, "ed25519") == 0)
				o->ed25519 = 1;
			else if (strcmp(optarg, "rsa") != 0)
				keygen_usage("-a: rsa or ed25519");
			break;
		case 'b':
			o->bits = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o->bits < PKEY_MIN_SIGN_BITS ||
			    o->bits > PKEY_MAX_BITS)
				keygen_usage("-b: 1024 to 8192 bits");
			break;
		case 'd': o->domain = optarg; break;
		case 's': o->selector = optarg; break;
		case 'D': o->dir = optarg; break;
		case 'u': o->user = optarg; break;
		default: keygen_usage(NULL);
		}
	}
	if (optind != argc || o->domain == NULL || o->selector == NULL)
		keygen_usage("-d DOMAIN and -s SELECTOR are required");
	if (o->ed25519 && o->bits != 0)
		keygen_usage("-b is for RSA keys only");
	if (!keyspec_is_name(o->domain, KEYSPEC_MAX_DOMAIN) ||
	    strchr(o->domain, '_') != NULL)
		keygen_usage("-d: not a domain name");
	if (!keyspec_is_name(o->selector, KEYSPEC_MAX_SELECTOR))
		keygen_usage("-s: not a selector (letters, digits, - and _, "
		    "dot-separated)");
}

/* keygen_owner - as root: the uid and gid the key is given to */
static int
keygen_owner(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "authmilter-keygen: user %s does not exist (the "
		    "service user; -u USER names another)\n", user);
		exit(1);
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 1;
}

/*
 * keygen_write - the key as PKCS#8 PEM into a new file of mode 0600,
 * given to uid (as root) before a byte of the key is in it
 */
static int
keygen_write(EVP_PKEY *key, const char *path, int chown_it, uid_t uid,
    gid_t gid)
{
	FILE *fp;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		fprintf(stderr, "authmilter-keygen: %s: %s%s\n", path,
		    strerror(errno), errno == EEXIST ? " (a new selector "
		    "gets a new file: keys are never replaced)" : "");
		return -1;
	}
	if (fchmod(fd, 0600) != 0 || (chown_it && fchown(fd, uid, gid) != 0) ||
	    (fp = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "authmilter-keygen: %s: %s\n", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(fp) != 0) {
		fprintf(stderr, "authmilter-keygen: %s: cannot write the key\n",
		    path);
		unlink(path);
		return -1;
	}
	return 0;
}

/* keygen_print - the record to publish and the configuration line */
static void
keygen_print(const struct keygen_opts *o, EVP_PKEY *key, const char *path)
{
	const char *alg = o->ed25519 ? "ed25519-sha256" : "rsa-sha256";
	struct buf rec;

	buf_init(&rec, 16384);
	keytable_dns_line(o->selector, o->domain, key, &rec);
	printf("; %s: %s key for %s, selector %s\n"
	    "; publish this TXT record (zone-file syntax, strings of at most "
	    "255 bytes):\n%s\n"
	    "; then add to signing.keys (or arc.seal.keys) in "
	    "authmilter.conf:\n;   \"%s %s %s %s\"\n", path, alg, o->domain,
	    o->selector, rec.data, o->domain, o->selector, alg, path);
	buf_free(&rec);
}

int
main(int argc, char **argv)
{
	struct keygen_opts o;
	char dir[PATH_MAX], path[PATH_MAX + 300];
	EVP_PKEY *key;
	uid_t uid = 0;
	gid_t gid = 0;
	int own;

	keygen_parse(argc, argv, &o);
	own = keygen_owner(o.user, &uid, &gid);
	if (realpath(o.dir, dir) == NULL) {
		fprintf(stderr, "authmilter-keygen: %s: %s\n", o.dir,
		    strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.%s.key", strcmp(dir, "/") == 0 ?
	    "" : dir, o.domain, o.selector);
	key = o.ed25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519") :
	    EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
	    (size_t)(o.bits ? o.bits : KEYGEN_BITS));
	if (key == NULL) {
		fprintf(stderr, "authmilter-keygen: key generation failed\n");
		return 1;
	}
	if (keygen_write(key, path, own, uid, gid) != 0) {
		EVP_PKEY_free(key);
		return 1;
	}
	keygen_print(&o, key, path);
	EVP_PKEY_free(key);
	return 0;
}
