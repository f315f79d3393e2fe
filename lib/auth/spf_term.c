/* SPDX-License-Identifier: BSD-2-Clause */
/* spf_term - one SPF term at a time: qualifier, kind, argument, cidr */
#include "autoconf.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/cidr.h"
#include "auth/spf_term.h"

/* the mechanisms and modifiers by name */
static const struct {
	const char	*name;	/* as written, any case */
	enum spf_term_kind kind;	/* what it is */
} spf_term_names[] = {
	{ "all", SPF_TERM_ALL }, { "include", SPF_TERM_INCLUDE },
	{ "a", SPF_TERM_A }, { "mx", SPF_TERM_MX }, { "ptr", SPF_TERM_PTR },
	{ "ip4", SPF_TERM_IP4 }, { "ip6", SPF_TERM_IP6 },
	{ "exists", SPF_TERM_EXISTS },
};

/* spf_term_number - digits of a prefix length; -1 if none or too big */
static int
spf_term_number(const char *p, size_t len)
{
	int v = 0;
	size_t i;

	if (len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/*
 * spf_term_cidr - a trailing "/n4", "//n6" or "/n4//n6" off the argument
 * (a domain-spec ends with a toplabel or a macro, never with "/digits")
 */
static void
spf_term_cidr(struct spf_term_info *t)
{
	const char *a = t->arg;
	size_t n = t->alen, d;

	for (d = n; d > 0 && isdigit((unsigned char)a[d - 1]); d--)
		;
	if (d == n || d == 0 || a[d - 1] != '/')
		return;
	if (d >= 2 && a[d - 2] == '/') {
		t->v6 = spf_term_number(a + d, n - d);
		n = d - 2;
		for (d = n; d > 0 && isdigit((unsigned char)a[d - 1]); d--)
			;
		if (d < n && d > 0 && a[d - 1] == '/') {
			t->v4 = spf_term_number(a + d, n - d);
			n = d - 1;
		}
	} else {
		t->v4 = spf_term_number(a + d, n - d);
		n = d - 1;
	}
	t->alen = n;
}

/* spf_term_modifier - name=value: redirect, exp, or another one */
static void
spf_term_modifier(struct spf_term_info *t, size_t eq)
{
	t->arg = t->p + eq + 1;
	t->alen = t->len - eq - 1;
	if (eq == 8 && strncasecmp(t->p, "redirect", 8) == 0)
		t->kind = SPF_TERM_REDIRECT;
	else if (eq == 3 && strncasecmp(t->p, "exp", 3) == 0)
		t->kind = SPF_TERM_EXP;
	else
		t->kind = SPF_TERM_MODIFIER;
}

/* spf_term_classify - what the term at t->p is */
static void
spf_term_classify(struct spf_term_info *t)
{
	size_t i, q, n;
	const char *name;

	for (i = 0; i < t->len && (isalnum((unsigned char)t->p[i]) ||
	    strchr("-_.", t->p[i]) != NULL); i++)
		;
	if (i > 0 && i < t->len && t->p[i] == '=') {
		spf_term_modifier(t, i);
		return;
	}
	q = strchr("+-~?", t->p[0]) != NULL ? 1 : 0;
	t->qual = q ? t->p[0] : '+';
	name = t->p + q;
	for (n = 0; q + n < t->len && isalnum((unsigned char)name[n]); n++)
		;
	for (i = 0; i < sizeof(spf_term_names) / sizeof(spf_term_names[0]);
	    i++)
		if (strlen(spf_term_names[i].name) == n &&
		    strncasecmp(name, spf_term_names[i].name, n) == 0)
			break;
	if (i == sizeof(spf_term_names) / sizeof(spf_term_names[0]))
		return;
	t->kind = spf_term_names[i].kind;
	t->arg = name + n;
	t->alen = t->len - q - n;
	if (t->alen > 0 && *t->arg == ':') {
		t->arg++;
		t->alen--;
	}
	if (t->kind != SPF_TERM_INCLUDE && t->kind != SPF_TERM_EXISTS &&
	    t->kind != SPF_TERM_PTR)
		spf_term_cidr(t);
}

/* spf_term_next - the term after *off (the "v=spf1" is skipped) */
int
spf_term_next(const char *rec, size_t len, size_t *off,
    struct spf_term_info *t)
{
	size_t i = *off;

	if (i == 0 && len >= 6 && strncasecmp(rec, "v=spf1", 6) == 0)
		i = 6;
	while (i < len && rec[i] == ' ')
		i++;
	if (i >= len)
		return -1;
	memset(t, 0, sizeof(*t));
	t->p = rec + i;
	while (i < len && rec[i] != ' ')
		i++;
	t->len = (size_t)(rec + i - t->p);
	t->kind = SPF_TERM_UNKNOWN;
	t->qual = '+';
	t->v4 = t->v6 = -1;
	t->arg = t->p + t->len;
	spf_term_classify(t);
	*off = i;
	return 0;
}

/* spf_term_dns - a term that counts against the 10 DNS lookups (4.6.4) */
int
spf_term_dns(enum spf_term_kind k)
{
	return k == SPF_TERM_INCLUDE || k == SPF_TERM_A || k == SPF_TERM_MX ||
	    k == SPF_TERM_PTR || k == SPF_TERM_EXISTS || k == SPF_TERM_REDIRECT;
}

/* spf_term_net - the network of an ip4/ip6 term; -1 when unreadable */
int
spf_term_net(const struct spf_term_info *t, struct cidr_addr *a, int *bits)
{
	char tmp[64];
	int six = t->kind == SPF_TERM_IP6;

	if ((t->kind != SPF_TERM_IP4 && !six) || t->alen >= sizeof(tmp))
		return -1;
	memcpy(tmp, t->arg, t->alen);
	tmp[t->alen] = '\0';
	if (cidr_addr_parse(tmp, a) != 0 ||
	    a->family != (six ? AF_INET6 : AF_INET))
		return -1;
	*bits = six ? (t->v6 >= 0 ? t->v6 : t->v4 >= 0 ? t->v4 : 128) :
	    (t->v4 >= 0 ? t->v4 : 32);
	return *bits <= (six ? 128 : 32) ? 0 : -1;
}

/* spf_term_has_macro - the argument has a macro-expand */
int
spf_term_has_macro(const struct spf_term_info *t)
{
	return memchr(t->arg, '%', t->alen) != NULL;
}
