/*
 * t_pipeline - forged Authentication-Results (RFC 8601 section 5): which
 * A-R fields pipeline_header() marks for deletion, as 1-based indices
 * among all A-R fields, in ascending order. milter/verdict.c deletes them
 * from the last entry down (smfi_chgheader() counts the fields that are
 * left, so the highest index must go first); that loop is libmilter's and
 * is exercised by the milter suite, not here.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "fixture.h"
#include "core/pipeline.h"
#include "unit.h"

#define T_PIPELINE_N(a)	(sizeof(a) / sizeof((a)[0]))

/* the header of one message: name, value, and is it ours (forged) */
static const struct {
	const char	*name;		/* field name */
	const char	*value;		/* as the MTA gives it */
	int		 forged;	/* claims our authserv-id */
} t_pipeline_fields[] = {
	{ "Received", " from a by b; Tue, 14 Nov 2023 22:13:20 +0000", 0 },
	{ "Authentication-Results", " mx.test.example; spf=pass "
	    "smtp.mailfrom=bank.example", 1 },
	{ "Authentication-Results", " relay.example; spf=pass", 0 },
	{ "authentication-results", " MX.Test.Example; dkim=pass "
	    "header.d=bank.example", 1 },
	{ "X-Authentication-Results", " mx.test.example; dkim=pass", 0 },
	{ "Authentication-Results", " mx.test.example.evil; dmarc=pass", 0 },
	{ "From", " a@bank.example", 0 },
	{ "Authentication-Results", " (a comment) mx.test.example (x); "
	    "dmarc=pass header.from=bank.example", 1 },
	{ "Authentication-Results", " mx.test.example; none", 1 },
	{ "Subject", " forged results", 0 },
	{ "Authentication-Results", " other.example; arc=pass", 0 },
};

/* t_pipeline_session - a connection of 192.0.2.1 with MAIL FROM */
static struct session *
t_pipeline_session(struct pipeline_env *env)
{
	struct sockaddr_in sin;
	struct session *s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	s = pipeline_connect(env, 1, (struct sockaddr *)&sin, NULL);
	s->leadspc = 1;
	pipeline_helo(s, "mail.bank.example");
	pipeline_mail(s, "a@bank.example", NULL);
	pipeline_rcpt(s, "b@rcpt.example");
	return s;
}

/* t_pipeline_forged - the indices of our A-R fields among all A-R */
static void
t_pipeline_forged(struct pipeline_env *env)
{
	struct session *s = t_pipeline_session(env);
	struct message *m;
	size_t i, k = 0, nar = 0, want[T_PIPELINE_N(t_pipeline_fields)];

	for (i = 0; i < T_PIPELINE_N(t_pipeline_fields); i++) {
		pipeline_header(s, t_pipeline_fields[i].name,
		    t_pipeline_fields[i].value,
		    strlen(t_pipeline_fields[i].value));
		if (strcasecmp(t_pipeline_fields[i].name,
		    "Authentication-Results") != 0)
			continue;
		nar++;
		if (t_pipeline_fields[i].forged)
			want[k++] = nar;
	}
	pipeline_eoh(s);
	pipeline_body(s, (const unsigned char *)"body\r\n", 6);
	m = pipeline_eom(s);
	UNIT_CHECK(m->ar_seen == nar, "every A-R counted", "%zu of %zu",
	    m->ar_seen, nar);
	UNIT_CHECK(m->nar_delete == k, "forged ones marked", "%zu, want %zu",
	    m->nar_delete, k);
	for (i = 0; i < k && i < m->nar_delete; i++)
		UNIT_CHECK(m->ar_delete[i] == want[i], "index among A-R fields",
		    "entry %zu is #%zu, want #%zu", i, m->ar_delete[i],
		    want[i]);
	for (i = 1; i < m->nar_delete; i++)
		UNIT_CHECK(m->ar_delete[i - 1] < m->ar_delete[i],
		    "ascending: the last entry is the highest",
		    "#%zu before #%zu", m->ar_delete[i - 1], m->ar_delete[i]);
	UNIT_CHECK(m->arheader.len > 0 && strncmp(m->arheader.data,
	    "mx.test.example;", 16) == 0, "our A-R replaces them", "%s",
	    m->arheader.data);
	/* the next transaction starts afresh */
	pipeline_mail(s, "a@bank.example", NULL);
	pipeline_header(s, "Authentication-Results", " mx.test.example; none",
	    strlen(" mx.test.example; none"));
	m = s->msg;
	UNIT_CHECK(m->ar_seen == 1 && m->nar_delete == 1 &&
	    m->ar_delete[0] == 1, "next message counts from 1",
	    "seen %zu marked %zu", m->ar_seen, m->nar_delete);
	pipeline_close(s);
}

int
main(void)
{
	struct pipeline_env *env;
	struct config *cfg;
	struct buf text, why;
	int sock, port;

	if ((sock = fixture_silent(&port)) < 0) {
		perror("t_pipeline: UDP socket");
		return 99;
	}
	buf_init(&text, 4096);
	buf_init(&why, 1024);
	buf_printf(&text, "authserv_id = \"mx.test.example\";\n"
	    "dns = {\n  timeout = 1;\n  nameservers = [ \"127.0.0.1@%d\" ];\n"
	    "  local_zones = [ \"example. static\" ];\n};\n", port);
	cfg = fixture_config(text.data);
	if ((env = pipeline_env_new(cfg, &why)) == NULL) {
		fprintf(stderr, "t_pipeline: %s\n", why.data);
		return 99;
	}
	t_pipeline_forged(env);	/* its session took the env reference */
	buf_free(&text);
	buf_free(&why);
	close(sock);
	return unit_done("t_pipeline");
}
