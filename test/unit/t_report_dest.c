/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_report_dest - the report destination check through the real resolver
 * path: internal, authorized, override to the same host (authorized),
 * override to another host (loop), no record, a record that is not
 * DMARC, SERVFAIL, no answer, REFUSED; our own address, reports.suppress,
 * !size. Each case asks report_dest_verify() for its outcome and
 * report_dest_check() whether the report goes, is refused or waits for
 * the next run.
 *
 * DNS: names under "example." from dns.local_data (a static zone),
 * "refused.example.org." a local zone that answers REFUSED, everything
 * else forwarded to a server this test runs on 127.0.0.1, which answers
 * SERVFAIL, or nothing at all for a name with a label "silent".
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "fixture.h"
#include "report/report_dest.h"
#include "dns/resolver.h"
#include "unit.h"

#define T_N(a)		(sizeof(a) / sizeof((a)[0]))
#define T_DNS_MAX	512	/* a query we answer */
#define T_NO_VERIFY	-1	/* report_dest_verify() is not asked */

/* the loopback DNS server: SERVFAIL for all, silence for "silent" */
struct t_dns {
	int		 fd;		/* UDP socket on 127.0.0.1 */
	int		 port;		/* its port */
	atomic_int	 stop;		/* end the thread */
	atomic_int	 servfails;	/* SERVFAIL answers sent */
	pthread_t	 thread;	/* t_dns_main */
};

static const char *const t_zone[] = {
	"v.example._report._dmarc.ok.example. 300 IN TXT \"v=DMARC1\"",
	"v.example._report._dmarc.same.example. 300 IN TXT "
	    "\"v=DMARC1; rua=mailto:other@same.example\"",
	"v.example._report._dmarc.loop.example. 300 IN TXT "
	    "\"v=DMARC1; rua=mailto:x@elsewhere.example\"",
	"v.example._report._dmarc.spf.example. 300 IN TXT \"v=spf1 -all\"",
	"v.example._report._dmarc.none.example. 300 IN A 192.0.2.1",
};

/* the cases: rua URI, report size, what the check says */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*uri;		/* one rua URI */
	size_t		 size;		/* compressed report bytes */
	int		 verify;	/* enum report_verify, or T_NO_VERIFY */
	enum report_dest_decision want;	/* report_dest_check() */
	const char	*why;		/* in the reason, or NULL for none */
} t_cases[] = {
	{ "internal", "mailto:dmarc@v.example", 100, REPORT_VERIFY_INTERNAL,
	    REPORT_DEST_SEND, NULL },
	{ "internal subdomain", "mailto:r@reports.v.example", 100,
	    REPORT_VERIFY_INTERNAL, REPORT_DEST_SEND, NULL },
	{ "authorized", "mailto:r@ok.example", 100, REPORT_VERIFY_OK,
	    REPORT_DEST_SEND, NULL },
	{ "override, same host", "mailto:r@same.example", 100,
	    REPORT_VERIFY_OK, REPORT_DEST_SEND, NULL },
	{ "override to another host: loop", "mailto:r@loop.example", 100,
	    REPORT_VERIFY_LOOP, REPORT_DEST_REFUSED,
	    "rua override names another host" },
	{ "no record (NXDOMAIN)", "mailto:r@gone.example", 100,
	    REPORT_VERIFY_REFUSED, REPORT_DEST_REFUSED,
	    "_dmarc.gone.example: NXDOMAIN" },
	{ "no TXT (NODATA)", "mailto:r@none.example", 100,
	    REPORT_VERIFY_REFUSED, REPORT_DEST_REFUSED,
	    "_dmarc.none.example: no data" },
	{ "not a DMARC record", "mailto:r@spf.example", 100,
	    REPORT_VERIFY_REFUSED, REPORT_DEST_REFUSED, "no v=DMARC1 record" },
	{ "SERVFAIL: retry", "mailto:r@broken.example.net", 100,
	    REPORT_VERIFY_TEMPFAIL, REPORT_DEST_DEFER,
	    "_dmarc.broken.example.net: temporary DNS failure" },
	{ "no answer: retry", "mailto:r@silent.example.net", 100,
	    REPORT_VERIFY_TEMPFAIL, REPORT_DEST_DEFER,
	    "_dmarc.silent.example.net: temporary DNS failure" },
	{ "REFUSED: retry", "mailto:r@x.refused.example.org", 100,
	    REPORT_VERIFY_TEMPFAIL, REPORT_DEST_DEFER,
	    "refused.example.org: temporary DNS failure" },
	{ "our own address", "mailto:dmarc-reports@ourorg.example", 100,
	    T_NO_VERIFY, REPORT_DEST_SUPPRESSED, "our own report address" },
	{ "suppressed domain", "mailto:x@sub.suppressed.example", 100,
	    T_NO_VERIFY, REPORT_DEST_SUPPRESSED, "in reports.suppress" },
	{ "suppressed address", "mailto:Nobody@Other.example", 100,
	    T_NO_VERIFY, REPORT_DEST_SUPPRESSED, "in reports.suppress" },
	{ "under !size", "mailto:dmarc@v.example!1k", 1024,
	    REPORT_VERIFY_INTERNAL, REPORT_DEST_SEND, NULL },
	{ "over !size", "mailto:dmarc@v.example!1k", 1025,
	    REPORT_VERIFY_INTERNAL, REPORT_DEST_TOO_LARGE,
	    "1025 bytes over the !size limit of 1024" },
	{ "size limit after authorization", "mailto:r@gone.example!1", 100,
	    REPORT_VERIFY_REFUSED, REPORT_DEST_REFUSED, NULL },
};

/* t_decision - a name for messages */
static const char *
t_decision(enum report_dest_decision d)
{
	static const char *const names[] = {
		"send", "suppressed", "refused", "defer", "too large"
	};

	return (unsigned)d < T_N(names) ? names[d] : "?";
}

/* t_dns_silent - does the query name have a label "silent" */
static int
t_dns_silent(const unsigned char *q, size_t len)
{
	size_t i = 12;

	while (i < len && q[i] != 0 && i + 1 + q[i] <= len) {
		if (q[i] == 6 && memcmp(q + i + 1, "silent", 6) == 0)
			return 1;
		i += 1 + q[i];
	}
	return 0;
}

/* t_dns_answer - the query turned into its SERVFAIL reply; its length */
static size_t
t_dns_answer(unsigned char *q, size_t len)
{
	size_t i = 12;

	while (i < len && q[i] != 0)
		i += 1 + q[i];
	if (i + 5 > len)
		return 0;
	q[2] = (unsigned char)(0x80 | (q[2] & 0x79));	/* QR, opcode, RD */
	q[3] = 0x82;					/* RA, SERVFAIL */
	memset(q + 6, 0, 6);		/* no answer, authority, additional */
	return i + 5;			/* the question only */
}

/* t_dns_main - answer until told to stop */
static void *
t_dns_main(void *arg)
{
	struct t_dns *s = arg;
	unsigned char q[T_DNS_MAX];
	struct sockaddr_in from;
	struct pollfd pfd;
	socklen_t flen;
	ssize_t n;
	size_t len;

	pfd.fd = s->fd;
	pfd.events = POLLIN;
	while (!atomic_load(&s->stop)) {
		if (poll(&pfd, 1, 100) != 1)
			continue;
		flen = sizeof(from);
		n = recvfrom(s->fd, q, sizeof(q), 0, (struct sockaddr *)&from,
		    &flen);
		if (n < 12 || t_dns_silent(q, (size_t)n) ||
		    (len = t_dns_answer(q, (size_t)n)) == 0)
			continue;
		if (sendto(s->fd, q, len, 0, (struct sockaddr *)&from,
		    flen) == (ssize_t)len)
			atomic_fetch_add(&s->servfails, 1);
	}
	return NULL;
}

/* t_dns_start - the server on a free port, or exit 99 */
static void
t_dns_start(struct t_dns *s)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);

	memset(s, 0, sizeof(*s));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s->fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(s->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&sin, &slen) != 0 ||
	    pthread_create(&s->thread, NULL, t_dns_main, s) != 0) {
		perror("t_report_dest: DNS server");
		exit(99);
	}
	s->port = ntohs(sin.sin_port);
}

/* t_dns_stop - end the thread, close the socket */
static void
t_dns_stop(struct t_dns *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* t_config - reports and dns settings, DNS forwarded to port */
static struct config *
t_config(int port)
{
	struct config *cfg;
	struct buf text;
	size_t i;

	buf_init(&text, 65536);
	buf_printf(&text, "reports = {\n  email = \"dmarc-reports@ourorg."
	    "example\";\n  suppress = [ \"suppressed.example\", "
	    "\"nobody@other.example\" ];\n};\ndns = {\n  timeout = 1;\n"
	    "  nameservers = [ \"127.0.0.1@%d\" ];\n  local_zones = [ "
	    "\"example. static\", \"refused.example.org. refuse\" ];\n"
	    "  local_data = [\n", port);
	for (i = 0; i < T_N(t_zone); i++) {
		buf_puts(&text, i ? ",\n    " : "    ");
		fixture_quote(&text, t_zone[i]);
	}
	buf_puts(&text, "\n  ];\n};\n");
	cfg = fixture_config(text.data);
	buf_free(&text);
	return cfg;
}

/* t_case - one destination: the verification, then the decision */
static void
t_case(struct resolver *res, const struct config *cfg, size_t k)
{
	struct report_dest d[1];
	struct buf why;
	enum report_dest_decision got;
	enum report_verify v;
	char *rua = NULL;

	buf_init(&why, 4096);
	if (report_dest_parse(t_cases[k].uri, strlen(t_cases[k].uri), d, 1,
	    &why) != 1) {
		UNIT_CHECK(0, t_cases[k].label, "rua %s: %s", t_cases[k].uri,
		    why.data);
		buf_free(&why);
		return;
	}
	if (t_cases[k].verify != T_NO_VERIFY) {
		v = report_dest_verify(res, "v.example", "v.example", d, &rua,
		    &why);
		UNIT_CHECK((int)v == t_cases[k].verify, t_cases[k].label,
		    "verify %s, want %s (%s)", report_verify_name(v),
		    report_verify_name(t_cases[k].verify), why.data);
		free(rua);
		buf_reset(&why);
	}
	got = report_dest_check(res, cfg, "v.example", "v.example", d,
	    t_cases[k].size, &why);
	UNIT_CHECK(got == t_cases[k].want, t_cases[k].label, "decision %s, "
	    "want %s (%s)", t_decision(got), t_decision(t_cases[k].want),
	    why.data);
	if (t_cases[k].why != NULL)
		UNIT_CHECK(strstr(why.data, t_cases[k].why) != NULL,
		    t_cases[k].label, "reason \"%s\", want \"%s\"", why.data,
		    t_cases[k].why);
	report_dest_free(d, 1);
	buf_free(&why);
}

/* t_override - an override to the same host is handed back */
static void
t_override(struct resolver *res)
{
	struct report_dest d[1];
	struct buf why;
	char *rua = NULL;

	buf_init(&why, 1024);
	if (report_dest_parse("mailto:r@same.example", 21, d, 1, &why) == 1) {
		UNIT_CHECK(report_dest_verify(res, "v.example", "v.example",
		    d, &rua, &why) == REPORT_VERIFY_OK && rua != NULL &&
		    strcmp(rua, "mailto:other@same.example") == 0,
		    "override rua kept", "%s", rua ? rua : "(null)");
		free(rua);
		report_dest_free(d, 1);
	}
	buf_free(&why);
}

int
main(void)
{
	struct t_dns dns;
	struct config *cfg;
	struct resolver *res;
	size_t k;

	t_dns_start(&dns);
	cfg = t_config(dns.port);
	res = fixture_resolver(cfg);
	for (k = 0; k < T_N(t_cases); k++)
		t_case(res, cfg, k);
	t_override(res);
	/* the SERVFAIL came from our server, not from somewhere else */
	UNIT_CHECK(atomic_load(&dns.servfails) > 0, "SERVFAIL answered",
	    "%d", atomic_load(&dns.servfails));
	resolver_free(res);
	config_release(cfg);
	t_dns_stop(&dns);
	return unit_done("t_report_dest");
}
