/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_pipeline - the verdict pipeline_eom() hands both front ends, through
 * the public API only: forged Authentication-Results (RFC 8601 section 5)
 * deleted as 1-based indices among all A-R fields, highest first
 * (smfi_chgheader() counts the fields that are left, so the highest index
 * must go first), then ours inserted, in that order; the reply of a
 * reject; what a trusted client gets at connect; with ingest.deliver =
 * false, the discard or the recipient removal of a report mail. Outbound
 * mail: who is signed (trusted, SMTP AUTH, signing.networks; never
 * inbound mail), with which keys (author domain, wildcard), the edits in
 * order (our A-R, then the signatures, then the ARC set) and the log
 * line; the sealing key by the recipients' domain (one domain, several,
 * unlisted).
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "util/buf.h"
#include "util/config.h"
#include "fixture.h"
#include "core/pipeline.h"
#include "report/report_db.h"
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

/* t_pipeline_connect - a connection from ip, with its HELO */
static struct session *
t_pipeline_connect(struct pipeline_env *env, const char *ip,
    const char *helo, enum pipeline_start *start)
{
	struct sockaddr_in sin;
	struct session *s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin.sin_addr);
	s = pipeline_connect(pipeline_env_ref(env), 1,
	    (struct sockaddr *)&sin, NULL, 1, start);
	pipeline_helo(s, helo);
	return s;
}

/* t_pipeline_session - a connection of ip with MAIL FROM */
static struct session *
t_pipeline_session(struct pipeline_env *env, const char *ip,
    enum pipeline_start *start)
{
	struct session *s = t_pipeline_connect(env, ip, "mail.bank.example",
	    start);

	pipeline_mail(s, "a@bank.example", NULL);
	pipeline_rcpt(s, "b@rcpt.example");
	return s;
}

/* t_pipeline_deleted - the delete edits, in the order given */
static size_t
t_pipeline_deleted(const struct pipeline_verdict *v, size_t *idx, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < v->nedits; i++)
		if (v->edits[i].op == PIPELINE_EDIT_DELETE && n < max)
			idx[n++] = v->edits[i].index;
	return n;
}

/* t_pipeline_forged - our A-R fields among all A-R, highest first */
static void
t_pipeline_forged(struct pipeline_env *env)
{
	enum pipeline_start start;
	struct session *s = t_pipeline_session(env, "192.0.2.1", &start);
	const struct pipeline_verdict *v;
	size_t i, k = 0, nar = 0, n, want[T_PIPELINE_N(t_pipeline_fields)];
	size_t got[T_PIPELINE_N(t_pipeline_fields)];

	UNIT_CHECK(start == PIPELINE_CHECK, "untrusted client: checked",
	    "start %d", (int)start);
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
	v = pipeline_eom(s);
	n = t_pipeline_deleted(v, got, T_PIPELINE_N(got));
	UNIT_CHECK(n == k && v->removed == k, "forged ones deleted",
	    "%zu (removed %zu), want %zu", n, v->removed, k);
	for (i = 0; i < k && i < n; i++)
		UNIT_CHECK(got[i] == want[k - 1 - i], "index among A-R fields, "
		    "highest first", "edit %zu deletes #%zu, want #%zu", i,
		    got[i], want[k - 1 - i]);
	UNIT_CHECK(v->nedits == n + 1 && v->edits[n].op ==
	    PIPELINE_EDIT_INSERT && strcmp(v->edits[n].name,
	    "Authentication-Results") == 0 && strncmp(v->edits[n].value,
	    "mx.test.example;", 16) == 0, "then ours is inserted",
	    "%zu edits", v->nedits);
	UNIT_CHECK(v->log != NULL && strstr(v->log, "removed_ar=4") != NULL,
	    "the log line counts them", "%s", v->log ? v->log : "(null)");
	pipeline_end(s);
	/* the next transaction counts from 1 again */
	pipeline_mail(s, "a@bank.example", NULL);
	pipeline_header(s, "Authentication-Results", " mx.test.example; none",
	    strlen(" mx.test.example; none"));
	v = pipeline_eom(s);
	n = t_pipeline_deleted(v, got, T_PIPELINE_N(got));
	UNIT_CHECK(n == 1 && got[0] == 1, "next message counts from 1",
	    "%zu deleted, first #%zu", n, n > 0 ? got[0] : 0);
	UNIT_CHECK(v->action == POLICY_ACCEPT && v->rcode == NULL,
	    "no From: accepted (multiple_from = permerror)", "%s",
	    policy_action_name(v->action));
	pipeline_close(s);
}

/* t_pipeline_trusted - decided once at connect: skip, nothing to edit */
static void
t_pipeline_trusted(struct pipeline_env *env)
{
	enum pipeline_start start;
	struct session *s = t_pipeline_session(env, "127.0.0.1", &start);
	const struct pipeline_verdict *v;

	UNIT_CHECK(start == PIPELINE_SKIP, "trusted client: skipped",
	    "start %d", (int)start);
	pipeline_header(s, "Authentication-Results", " mx.test.example; none",
	    strlen(" mx.test.example; none"));
	v = pipeline_eom(s);
	UNIT_CHECK(v->action == POLICY_ACCEPT && v->nedits == 0 &&
	    strstr(v->log, "skipped=trusted") != NULL, "trusted: accepted "
	    "with its A-R kept", "%zu edits, %s", v->nedits, v->log);
	pipeline_close(s);
}

#define T_PIPELINE_REPORT "<feedback><report_metadata><org_name>t.example" \
	"</org_name><report_id>r1</report_id><date_range><begin>1</begin>" \
	"<end>2</end></date_range></report_metadata><policy_published>" \
	"<domain>bank.example</domain><p>none</p></policy_published>" \
	"<record><row><source_ip>192.0.2.1</source_ip><count>7</count>" \
	"<policy_evaluated><disposition>none</disposition><dkim>pass</dkim>" \
	"<spf>pass</spf></policy_evaluated></row><identifiers><header_from>" \
	"bank.example</header_from></identifiers></record></feedback>\r\n"

/* t_pipeline_report - one report mail to rcpts; body_extra more bytes */
static const struct pipeline_verdict *
t_pipeline_report(struct session *s, const char *const *rcpts,
    size_t body_extra)
{
	static const char ct[] = " application/xml";
	char pad[1024];
	size_t i;

	pipeline_mail(s, "a@bank.example", NULL);
	for (i = 0; rcpts[i] != NULL; i++)
		pipeline_rcpt(s, rcpts[i]);
	pipeline_header(s, "From", " a@bank.example", 15);
	pipeline_header(s, "Content-Type", ct, strlen(ct));
	pipeline_eoh(s);
	pipeline_body(s, (const unsigned char *)T_PIPELINE_REPORT,
	    strlen(T_PIPELINE_REPORT));
	memset(pad, ' ', sizeof(pad));
	for (i = 0; i < body_extra; i += sizeof(pad))
		pipeline_body(s, (const unsigned char *)pad, sizeof(pad));
	return pipeline_eom(s);
}

/* t_pipeline_row - the first column of a row into arg */
static int
t_pipeline_row(void *arg, int ncols, const char *const *v)
{
	if (ncols > 0 && v[0] != NULL)
		snprintf(arg, 64, "%s", v[0]);
	return 0;
}

/*
 * t_pipeline_ingest - ingest.deliver = false: a report mail for the
 * report address alone is discarded, with another recipient only the
 * report address is removed, an oversized one is left alone; the queue
 * stores what it was given; a trusted client is read too
 */
static void
t_pipeline_ingest(const char *dir, int port)
{
	static const char *const one[] = { "<DMARC@mx.test.example>", NULL };
	static const char *const two[] = { "<postmaster@mx.test.example>",
	    "<dmarc@mx.test.example>", NULL };
	static const char *const none[] = { "<postmaster@mx.test.example>",
	    NULL };
	struct pipeline_env *env;
	const struct pipeline_verdict *v;
	enum pipeline_start start;
	struct session *s;
	struct buf text, why;
	struct report_db *db;
	char uri[1100], got[64] = "";

	buf_init(&text, 4096);
	buf_init(&why, 1024);
	buf_printf(&text, "authserv_id = \"mx.test.example\";\n"
	    "dns = { timeout = 1; nameservers = [ \"127.0.0.1@%d\" ]; };\n"
	    "reports = { store = \"sqlite:%s/r.db\"; spool_dir = \"%s\"; };\n"
	    "ingest = { recipients = [ \"dmarc@mx.test.example\" ];\n"
	    "  deliver = false; max_message_size = 65536; annotate = false;\n"
	    "  quarantine_dir = \"%s/q\"; };\n", port, dir, dir, dir);
	if ((env = pipeline_env_new(fixture_config(text.data), &why)) == NULL) {
		UNIT_CHECK(0, "ingest env", "%s", why.data);
		return;
	}
	s = t_pipeline_session(env, "192.0.2.1", &start);
	pipeline_end(s);
	v = t_pipeline_report(s, one, 0);
	UNIT_CHECK(v->discard && v->ndelrcpt == 0, "report address alone: "
	    "discarded", "discard %d, %zu removed", v->discard, v->ndelrcpt);
	pipeline_end(s);
	v = t_pipeline_report(s, two, 0);
	UNIT_CHECK(!v->discard && v->ndelrcpt == 1 && strcmp(v->delrcpt[0],
	    "<dmarc@mx.test.example>") == 0, "with another recipient: only "
	    "the report address removed", "discard %d, %zu removed", v->discard,
	    v->ndelrcpt);
	pipeline_end(s);
	v = t_pipeline_report(s, none, 0);
	UNIT_CHECK(!v->discard && v->ndelrcpt == 0, "no report address: "
	    "untouched", "discard %d, %zu removed", v->discard, v->ndelrcpt);
	pipeline_end(s);
	v = t_pipeline_report(s, one, 70000);
	UNIT_CHECK(!v->discard && v->ndelrcpt == 0, "over max_message_size: "
	    "delivered unread", "discard %d, %zu removed", v->discard,
	    v->ndelrcpt);
	pipeline_close(s);
	s = t_pipeline_session(env, "127.0.0.1", &start);
	UNIT_CHECK(start == PIPELINE_SEAL, "trusted client: read for ingest",
	    "start %d", (int)start);
	pipeline_close(s);
	pipeline_env_release(env);	/* drains the queue */
	snprintf(uri, sizeof(uri), "sqlite:%s/r.db", dir);
	buf_reset(&why);
	if ((db = report_db_open(uri, &why)) != NULL) {
		report_db_exec(db, "SELECT count(*) || ' ' || sum(messages) FROM "
		    "ingest_reports", 0, NULL, t_pipeline_row, got, &why);
		report_db_close(db);
	}
	UNIT_CHECK(strcmp(got, "1 7") == 0, "the queue stored the report once",
	    "got '%s' %s", got, why.data);
	buf_free(&text);
	buf_free(&why);
}

static char t_pipeline_dir[] = "/tmp/t_pipeline.XXXXXX";

/* t_pipeline_key - a fresh key in the test directory, mode 0600 */
static void
t_pipeline_key(const char *type, const char *name)
{
	EVP_PKEY *k = strcmp(type, "RSA") == 0 ?
	    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024) :
	    EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", t_pipeline_dir, name);
	if (k == NULL || (fp = fopen(path, "w")) == NULL)
		exit(99);
	PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	chmod(path, 0600);
	EVP_PKEY_free(k);
}

/* t_pipeline_out - one outbound message and its verdict */
static const struct pipeline_verdict *
t_pipeline_out(struct session *s, const char *auth, const char *from,
    const char *const *rcpt)
{
	pipeline_mail(s, "a@x.example", auth);
	for (; *rcpt != NULL; rcpt++)
		pipeline_rcpt(s, *rcpt);
	pipeline_header(s, "From", from, strlen(from));
	pipeline_header(s, "Subject", " out", 4);
	pipeline_eoh(s);
	pipeline_body(s, (const unsigned char *)"hello\r\n", 7);
	return pipeline_eom(s);
}

/* t_pipeline_names - the inserted field names in order, comma-separated */
static void
t_pipeline_names(const struct pipeline_verdict *v, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < v->nedits; i++)
		if (v->edits[i].op == PIPELINE_EDIT_INSERT)
			buf_printf(out, "%s%s", out->len ? "," : "",
			    v->edits[i].name);
}

/* t_pipeline_out_connect - an outbound connection, signing at a fixed time */
static struct session *
t_pipeline_out_connect(struct pipeline_env *env, const char *ip,
    enum pipeline_start *start)
{
	struct session *s = t_pipeline_connect(env, ip, "mail.x.example",
	    start);

	pipeline_fixed_time(s, 1700000000);
	return s;
}

/* the outbound cases: client, SMTP AUTH, author, recipients, outcome */
static const struct {
	const char	*label;		/* what the case shows */
	const char	*ip;		/* client */
	const char	*auth;		/* {auth_authen}, or NULL */
	const char	*from;		/* From: value */
	const char	*rcpt[3];	/* recipients */
	enum pipeline_start start;	/* at connect */
	const char	*inserts;	/* inserted names, in order */
	const char	*log;		/* in the log line, or NULL */
	const char	*nolog;		/* not in the log line, or NULL */
	const char	*seal_d;	/* d= of the ARC-Seal, or NULL */
} t_pipeline_outs[] = {
	{ "trusted: both keys of the author domain", "127.0.0.1", NULL,
	    " A <a@example.com>", { "<b@rcpt.example>" }, PIPELINE_SEAL,
	    "DKIM-Signature,DKIM-Signature,ARC-Authentication-Results,"
	    "ARC-Message-Signature,ARC-Seal", " skipped=trusted signed=d="
	    "example.com,s=r1,a=rsa-sha256;d=example.com,s=e1,"
	    "a=ed25519-sha256 action=accept", "unsigned", "rcpt.example" },
	{ "trusted: a wildcard signs with its parent", "127.0.0.1", NULL,
	    " a@news.example.org", { "<b@rcpt.example>", "<c@RCPT.example>" },
	    PIPELINE_SEAL, "DKIM-Signature,ARC-Authentication-Results,"
	    "ARC-Message-Signature,ARC-Seal", " signed=d=example.org,s=w1,"
	    "a=rsa-sha256 ", NULL, "rcpt.example" },
	{ "trusted: no key for the author, said in the log", "127.0.0.1",
	    NULL, " a@other.example", { "<b@rcpt.example>",
	    "<c@elsewhere.example>" }, PIPELINE_SEAL,
	    "ARC-Authentication-Results,ARC-Message-Signature,ARC-Seal",
	    " unsigned=\"no key for other.example\"", " signed=",
	    "seal.example" },
	{ "inbound: never signed", "192.0.2.1", NULL, " a@example.com",
	    { "<b@unlisted.example>" }, PIPELINE_CHECK,
	    "Authentication-Results,ARC-Authentication-Results,"
	    "ARC-Message-Signature,ARC-Seal", NULL, "signed",
	    "seal.example" },
	{ "SMTP AUTH: signed, not checked", "192.0.2.1", "bob",
	    " a@example.com", { "<b@rcpt.example>" }, PIPELINE_CHECK,
	    "DKIM-Signature,DKIM-Signature", " skipped=authenticated signed="
	    "d=example.com,s=r1,a=rsa-sha256;d=example.com,s=e1,", NULL,
	    NULL },
	{ "signing.networks: checked, then signed", "198.51.100.9", NULL,
	    " a@example.com", { "<b@rcpt.example>" }, PIPELINE_CHECK,
	    "Authentication-Results,DKIM-Signature,DKIM-Signature,"
	    "ARC-Authentication-Results,ARC-Message-Signature,ARC-Seal",
	    " signed=d=example.com,s=r1,", "skipped", "rcpt.example" },
	{ "no readable From: unsigned", "127.0.0.1", NULL, " undisclosed",
	    { "<b@rcpt.example>" }, PIPELINE_SEAL,
	    "ARC-Authentication-Results,ARC-Message-Signature,ARC-Seal",
	    " unsigned=\"no single author domain: unreadable From", NULL,
	    NULL },
};

/* t_pipeline_seal_d - d= of the ARC-Seal inserted, or "" */
static void
t_pipeline_seal_d(const struct pipeline_verdict *v, struct buf *out)
{
	const char *d;
	size_t i;

	buf_reset(out);
	for (i = 0; i < v->nedits; i++)
		if (v->edits[i].op == PIPELINE_EDIT_INSERT &&
		    strcmp(v->edits[i].name, "ARC-Seal") == 0 &&
		    (d = strstr(v->edits[i].value, " d=")) != NULL)
			buf_append(out, d + 3, strcspn(d + 3, ";"));
}

/* t_pipeline_signing - who is signed, with what, and who seals */
static void
t_pipeline_signing(int port)
{
	const struct pipeline_verdict *v;
	struct pipeline_env *env;
	enum pipeline_start start;
	struct buf text, why, names;
	struct session *s;
	const char *p;
	size_t i;

	if (mkdtemp(t_pipeline_dir) == NULL)
		exit(99);
	t_pipeline_key("RSA", "r.pem");
	t_pipeline_key("ED25519", "e.pem");
	buf_init(&text, 8192);
	buf_init(&why, 1024);
	buf_init(&names, 1024);
	buf_printf(&text, "authserv_id = \"mx.test.example\";\n"
	    "milter = { user = \"nobody\"; };\n"
	    "dns = {\n  timeout = 1;\n  nameservers = [ \"127.0.0.1@%d\" ];\n"
	    "  local_zones = [ \"example. static\", \"example.com. static\","
	    " \"example.org. static\" ];\n};\n"
	    "dmarc = { multiple_from = \"permerror\"; };\n"
	    "arc = { seal = { enabled = true; domain = \"seal.example\";\n"
	    "  selector = \"s\"; key_file = \"%s/e.pem\";\n"
	    "  algorithm = \"ed25519-sha256\";\n"
	    "  keys = [ \"rcpt.example a1 rsa-sha256 %s/r.pem\" ]; }; };\n"
	    "signing = { networks = [ \"198.51.100.0/24\" ];\n"
	    "  keys = [ \"example.com r1 rsa-sha256 %s/r.pem\",\n"
	    "    \"*.example.org w1 rsa-sha256 %s/r.pem\",\n"
	    "    \"example.com e1 ed25519-sha256 %s/e.pem\" ]; };\n", port,
	    t_pipeline_dir, t_pipeline_dir, t_pipeline_dir, t_pipeline_dir,
	    t_pipeline_dir);
	if ((env = pipeline_env_new(fixture_config(text.data), &why)) ==
	    NULL) {
		fprintf(stderr, "t_pipeline: signing env: %s\n", why.data);
		exit(99);
	}
	for (i = 0; i < T_PIPELINE_N(t_pipeline_outs); i++) {
		s = t_pipeline_out_connect(env, t_pipeline_outs[i].ip, &start);
		UNIT_CHECK(start == t_pipeline_outs[i].start,
		    t_pipeline_outs[i].label, "start %d", (int)start);
		v = t_pipeline_out(s, t_pipeline_outs[i].auth,
		    t_pipeline_outs[i].from, t_pipeline_outs[i].rcpt);
		t_pipeline_names(v, &names);
		UNIT_STREQ(names.data, t_pipeline_outs[i].inserts,
		    t_pipeline_outs[i].label);
		UNIT_CHECK(v->action == POLICY_ACCEPT && (t_pipeline_outs[i].log ==
		    NULL || strstr(v->log, t_pipeline_outs[i].log) != NULL) &&
		    (t_pipeline_outs[i].nolog == NULL || strstr(v->log,
		    t_pipeline_outs[i].nolog) == NULL),
		    t_pipeline_outs[i].label, "%s", v->log);
		t_pipeline_seal_d(v, &names);
		if (t_pipeline_outs[i].seal_d != NULL)
			UNIT_STREQ(names.data, t_pipeline_outs[i].seal_d,
			    t_pipeline_outs[i].label);
		pipeline_close(s);
	}
	pipeline_env_release(env);
	p = strstr(text.data, "signing = { ");
	buf_reset(&names);
	buf_append(&names, text.data, (size_t)(p - text.data) + 12);
	buf_printf(&names, "sign_trusted = false; sign_authenticated = false; "
	    "%s", p + 12);
	env = pipeline_env_new(fixture_config(names.data), &why);
	s = env != NULL ? t_pipeline_out_connect(env, "127.0.0.1", &start) :
	    NULL;
	if (s != NULL) {
		v = t_pipeline_out(s, "bob", " a@example.com",
		    t_pipeline_outs[0].rcpt);
		UNIT_CHECK(strstr(v->log, "signed") == NULL, "sign_trusted and "
		    "sign_authenticated false: nothing signed", "%s", v->log);
		pipeline_close(s);
	}
	pipeline_env_release(env);
	for (i = 0; i < 2; i++) {
		buf_reset(&names);
		buf_printf(&names, "%s/%s", t_pipeline_dir, i ? "e.pem" :
		    "r.pem");
		unlink(names.data);
	}
	rmdir(t_pipeline_dir);
	buf_free(&text);
	buf_free(&why);
	buf_free(&names);
}

int
main(void)
{
	struct pipeline_env *env;
	struct config *cfg;
	struct buf text, why;
	char dir[] = "/tmp/t_pipeline.XXXXXX", rm[64];
	int sock, port;

	if ((sock = fixture_silent(&port)) < 0) {
		perror("t_pipeline: UDP socket");
		return 99;
	}
	buf_init(&text, 4096);
	buf_init(&why, 1024);
	buf_printf(&text, "authserv_id = \"mx.test.example\";\n"
	    "dns = {\n  timeout = 1;\n  nameservers = [ \"127.0.0.1@%d\" ];\n"
	    "  local_zones = [ \"example. static\" ];\n};\n"
	    "dmarc = { multiple_from = \"permerror\"; };\n", port);
	cfg = fixture_config(text.data);
	if ((env = pipeline_env_new(cfg, &why)) == NULL) {
		fprintf(stderr, "t_pipeline: %s\n", why.data);
		return 99;
	}
	t_pipeline_forged(env);
	t_pipeline_trusted(env);
	pipeline_env_release(env);
	if (mkdtemp(dir) != NULL) {
		t_pipeline_ingest(dir, port);
		snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
		if (system(rm) != 0)
			fprintf(stderr, "t_pipeline: cannot remove %s\n", dir);
	}
	t_pipeline_signing(port);
	buf_free(&text);
	buf_free(&why);
	close(sock);
	return unit_done("t_pipeline");
}
