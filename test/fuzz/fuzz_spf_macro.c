/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_spf_macro - SPF macro expansion (RFC 7208 section 7) with values
 * and text from the input, and the record rewrite that uses it. Input: a
 * flag byte (bit 0 IPv6 client, bit 1 no HELO, bit 2 small output buf),
 * then "local\ndomain\nhelo\n" and the macro-string
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "auth/spf_macro.h"
#include "auth/spf_syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_spf_macro_validated - %{p}: the HELO field, or NULL */
static const char *
fuzz_spf_macro_validated(void *arg)
{
	return arg;
}

/* fuzz_spf_macro_field - the next "\n"-ended field, NUL-terminated */
static const char *
fuzz_spf_macro_field(struct buf *b, const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl != NULL ? (size_t)(nl - *p) : 0;

	buf_reset(b);
	buf_append(b, *p, n);
	if (nl != NULL)
		*p = nl + 1;
	return b->data;
}

/* fuzz_spf_macro_check - the invariants of one expansion */
static void
fuzz_spf_macro_check(const struct spf_macro_env *env, const char *s,
    size_t len, int mode, size_t max)
{
	struct buf out, why;
	const char *dot;
	int rc;

	buf_init(&out, max);
	buf_init(&why, 256);
	rc = spf_macro_expand(env, s, len, mode, &out, &why);
	if (rc < 0 && why.len == 0)
		__builtin_trap();	/* an error always says why */
	if (rc > 0 && mode != SPF_MACRO_DOMAIN)
		__builtin_trap();	/* only domains are cut */
	/* a domain over 253 is cut, unless it has no label left to drop */
	dot = out.len > 1 ? memchr(out.data, '.', out.len - 1) : NULL;
	if (rc >= 0 && mode == SPF_MACRO_DOMAIN && dot != NULL &&
	    out.len - (out.data[out.len - 1] == '.') > SPF_MACRO_DOMAIN_MAX)
		__builtin_trap();
	/* text without "%" is itself */
	if (rc == 0 && mode == SPF_MACRO_EXPLAIN && memchr(s, '%', len) ==
	    NULL && (out.len != len || memcmp(out.data, s, len) != 0))
		__builtin_trap();
	buf_free(&out);
	buf_free(&why);
}

/* fuzz_spf_macro_record - the text as domain-specs of a record */
static void
fuzz_spf_macro_record(const struct spf_macro_env *env, const char *s,
    size_t len, int v6)
{
	struct buf rec, out, why;
	unsigned flags;

	buf_init(&rec, 1 << 20);
	buf_init(&out, 1 << 20);
	buf_init(&why, 4096);
	buf_printf(&rec, "v=spf1 exists:%.*s a:%.*s/24 mx:%.*s//64 "
	    "include:%.*s redirect=%.*s exp=%.*s", (int)len, s, (int)len, s,
	    (int)len, s, (int)len, s, (int)len, s, (int)len, s);
	if (spf_syntax_prepare(rec.data, rec.len, v6, env, &out, &flags,
	    &why) == 0 && (out.truncated || strncmp(out.data, "v=spf1", 6)))
		__builtin_trap();
	buf_free(&rec);
	buf_free(&out);
	buf_free(&why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p, *end = (const char *)data + size;
	struct buf local, domain, helo, sender;
	struct spf_macro_env env;
	struct cidr_addr client;
	size_t max;

	if (size < 1)
		return 0;
	p = (const char *)data + 1;
	buf_init(&local, 65536);
	buf_init(&domain, 65536);
	buf_init(&helo, 65536);
	buf_init(&sender, 1 << 17);
	memset(&env, 0, sizeof(env));
	env.local = fuzz_spf_macro_field(&local, &p, end);
	env.sender_domain = env.domain = fuzz_spf_macro_field(&domain, &p,
	    end);
	env.helo = fuzz_spf_macro_field(&helo, &p, end);
	buf_printf(&sender, "%s@%s", local.data, domain.data);
	env.sender = sender.data;
	if (data[0] & 2)
		env.helo = NULL;
	cidr_addr_parse(data[0] & 1 ? "2001:db8::cb01" : "192.0.2.3", &client);
	env.client = &client;
	env.receiver = "mx.example.org";
	env.now = 1400000000;
	env.validated = fuzz_spf_macro_validated;
	env.arg = helo.data;
	max = data[0] & 4 ? 300 : 1 << 20;
	fuzz_spf_macro_check(&env, p, (size_t)(end - p), SPF_MACRO_DOMAIN,
	    max);
	fuzz_spf_macro_check(&env, p, (size_t)(end - p), SPF_MACRO_EXPLAIN,
	    max);
	if (end - p < 4096)
		fuzz_spf_macro_record(&env, p, (size_t)(end - p), data[0] & 1);
	buf_free(&local);
	buf_free(&domain);
	buf_free(&helo);
	buf_free(&sender);
	return 0;
}
