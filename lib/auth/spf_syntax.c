/* SPDX-License-Identifier: BSD-2-Clause */
/* spf_syntax - strict RFC 7208 record checking before libspf2 sees it */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "auth/spf_macro.h"
#include "auth/spf_syntax.h"

struct spf_term {
	const char	*p;	/* term text */
	size_t		 len;	/* its length */
};

/* state of one record */
struct spf_rec {
	int		 has_all;	/* an "all" mechanism is present */
	int		 redirects;	/* redirect= seen */
	int		 exps;		/* exp= seen */
	struct spf_term	 redirect;	/* the redirect= term */
	struct spf_term	 exp;		/* the exp= term */
	int		 client_v6;	/* the client is IPv6 */
	const struct spf_macro_env *env;	/* macro values, or NULL */
	unsigned	 flags;		/* SPF_SYNTAX_* */
	struct buf	*why;		/* reason of a permerror */
};

/* spf_syntax_err - note the reason, return -1 */
static int
spf_syntax_err(struct spf_rec *r, const char *what, const struct spf_term *t)
{
	buf_printf(r->why, "%s in '%.*s'", what, (int)(t->len > 64 ? 64 :
	    t->len), t->p);
	return -1;
}

/* spf_syntax_number - a CIDR length: no leading zero, at most max */
static int
spf_syntax_number(const char *p, size_t len, unsigned max)
{
	unsigned v = 0;
	size_t i;

	if (len == 0 || len > 3 || (len > 1 && p[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	return v <= max ? (int)v : -1;
}

/* spf_syntax_toplabel - alphanumerics and inner hyphens, not all digits */
static int
spf_syntax_toplabel(const char *p, size_t len)
{
	size_t i;
	int alpha = 0, hyphen = 0;

	if (len == 0 || !isalnum((unsigned char)p[0]) ||
	    !isalnum((unsigned char)p[len - 1]))
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (isalpha(c))
			alpha = 1;
		else if (c == '-')
			hyphen = 1;
		else if (!isdigit(c))
			return -1;
	}
	return alpha || hyphen ? 0 : -1;
}

/* spf_syntax_macro - one macro-expand at p; its length, or 0 if bad */
static size_t
spf_syntax_macro(const char *p, size_t len, int in_exp, unsigned *flags)
{
	struct spf_macro_term m;
	size_t n = spf_macro_parse(p, len, &m);

	if (n == 0 || (!in_exp && strchr("crt", m.letter) != NULL))
		return 0;
	if (m.letter == 'p')
		*flags |= SPF_SYNTAX_P_MACRO;
	return n;
}

/*
 * spf_syntax_macro_string - macro-string; *tail gets where the trailing
 * literal text starts (len when the string ends with a macro)
 */
static int
spf_syntax_macro_string(const char *p, size_t len, int in_exp,
    unsigned *flags, size_t *tail)
{
	size_t i = 0, n;

	*tail = 0;
	while (i < len) {
		unsigned char c = (unsigned char)p[i];

		if (c == '%') {
			if ((n = spf_syntax_macro(p + i, len - i, in_exp,
			    flags)) == 0)
				return -1;
			i += n;
			*tail = i;
		} else if (c >= 0x21 && c <= 0x7e)
			i++;
		else
			return -1;
	}
	return 0;
}

/* spf_syntax_domain - domain-spec = macro-string domain-end */
static int
spf_syntax_domain(struct spf_rec *r, const char *p, size_t len)
{
	size_t tail, end, dot;

	if (len == 0 ||
	    spf_syntax_macro_string(p, len, 0, &r->flags, &tail) != 0)
		return -1;
	if (tail == len)
		return 0;	/* ends with a macro-expand */
	end = len;
	if (p[end - 1] == '.')
		end--;
	for (dot = end; dot > tail && p[dot - 1] != '.'; dot--)
		;
	if (dot == tail)
		return -1;	/* no "." toplabel in the literal end */
	return spf_syntax_toplabel(p + dot, end - dot);
}

/* spf_syntax_ip4 - dotted quad with no leading zeros */
static int
spf_syntax_ip4(const char *p, size_t len)
{
	char tmp[16];
	struct in_addr a;
	size_t i;

	if (len >= sizeof(tmp))
		return -1;
	for (i = 0; i < len; i++)
		if (p[i] == '0' && (i == 0 || p[i - 1] == '.') && i + 1 < len &&
		    isdigit((unsigned char)p[i + 1]))
			return -1;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	return inet_pton(AF_INET, tmp, &a) == 1 ? 0 : -1;
}

/* spf_syntax_ip6 - RFC 4291 section 2.2 text */
static int
spf_syntax_ip6(const char *p, size_t len)
{
	char tmp[64];
	struct in6_addr a;

	if (len >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	return inet_pton(AF_INET6, tmp, &a) == 1 ? 0 : -1;
}

/* spf_syntax_dual_cidr - the whole of [ "/" n4 ] [ "//" n6 ]; -1 absent */
static int
spf_syntax_dual_cidr(const char *p, size_t len, int *v4, int *v6)
{
	const char *dd = NULL;
	size_t i;

	*v4 = *v6 = -1;
	for (i = 0; i + 1 < len; i++)
		if (p[i] == '/' && p[i + 1] == '/') {
			dd = p + i;
			break;
		}
	if (dd != NULL) {
		if ((*v6 = spf_syntax_number(dd + 2, len - (size_t)(dd - p) - 2,
		    128)) < 0)
			return -1;
		len = (size_t)(dd - p);
	}
	if (len == 0)
		return 0;
	if (p[0] != '/' || (*v4 = spf_syntax_number(p + 1, len - 1, 32)) < 0)
		return -1;
	return 0;
}

/* spf_syntax_cidr_start - where a trailing dual-cidr-length begins */
static size_t
spf_syntax_cidr_start(const char *p, size_t len)
{
	size_t i = len;

	while (i > 0 && isdigit((unsigned char)p[i - 1]))
		i--;
	if (i == len || i == 0 || p[i - 1] != '/')
		return len;
	i--;
	if (i > 0 && p[i - 1] == '/') {
		size_t j = --i;

		/* an ip4 length may stand before the "//" */
		while (j > 0 && isdigit((unsigned char)p[j - 1]))
			j--;
		if (j < i && j > 0 && p[j - 1] == '/')
			i = j - 1;
	}
	return i;
}

/* spf_syntax_net - ip4:/ip6: argument; /0 becomes two /1 halves */
static int
spf_syntax_net(struct spf_rec *r, const struct spf_term *t, size_t q,
    int six, const char *arg, size_t len, struct buf *out)
{
	const char *slash = memchr(arg, '/', len);
	size_t alen = slash ? (size_t)(slash - arg) : len;
	int bits = -1;

	if ((six ? spf_syntax_ip6(arg, alen) : spf_syntax_ip4(arg, alen)) != 0)
		return spf_syntax_err(r, "bad address", t);
	if (slash != NULL && (bits = spf_syntax_number(slash + 1,
	    len - alen - 1, six ? 128 : 32)) < 0)
		return spf_syntax_err(r, "bad prefix length", t);
	if (bits != 0) {
		buf_printf(out, " %.*s", (int)t->len, t->p);
		return 0;
	}
	buf_printf(out, " %.*s%s %.*s%s", (int)q, t->p,
	    six ? "ip6:::/1" : "ip4:0.0.0.0/1", (int)q, t->p,
	    six ? "ip6:8000::/1" : "ip4:128.0.0.0/1");
	return 0;
}

/* spf_syntax_lower_raw - literal text lowercased, macros as written */
static void
spf_syntax_lower_raw(struct buf *out, const char *p, size_t len)
{
	size_t i;
	int in_macro = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '%' && i + 1 < len && p[i + 1] == '{')
			in_macro = 1;
		buf_putc(out, in_macro ? p[i] : tolower((unsigned char)p[i]));
		if (p[i] == '}')
			in_macro = 0;
	}
}

/* spf_syntax_lower - one term, space first */
static void
spf_syntax_lower(struct buf *out, const char *p, size_t len)
{
	buf_putc(out, ' ');
	spf_syntax_lower_raw(out, p, len);
}

/* spf_syntax_escape - text for libspf2's compiler: "%" and " " escaped */
static void
spf_syntax_escape(struct buf *out, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] == '%' || p[i] == ' ')
			buf_puts(out, p[i] == '%' ? "%%" : "%_");
		else
			buf_putc(out, (unsigned char)p[i]);
}

/* spf_syntax_plain - every macro-expand of a domain-spec is one libspf2
 * expands right */
static int
spf_syntax_plain(const char *p, size_t len)
{
	struct spf_macro_term m;
	size_t i, n;

	for (i = 0; i < len; i += n) {
		n = 1;
		if (p[i] == '%' && ((n = spf_macro_parse(p + i, len - i,
		    &m)) == 0 || !spf_macro_plain(&m)))
			return 0;
	}
	return 1;
}

/*
 * spf_syntax_spec - a checked domain-spec for libspf2: as written (literal
 * text lowercased) while libspf2 expands it right, else expanded here.
 * An expansion that fails (no HELO name for %{h}, longer than
 * SPF_SYNTAX_MAX_EXPANSION) or is empty stays as written: libspf2 then
 * fails the term if evaluation reaches it. Returns 1 when it expanded.
 */
static int
spf_syntax_spec(struct spf_rec *r, struct buf *out, const char *p,
    size_t len)
{
	struct buf raw, exp, why;
	int rc, expanded;

	if (r->env == NULL || memchr(p, '%', len) == NULL) {
		spf_syntax_lower_raw(out, p, len);
		return 0;
	}
	buf_init(&raw, len);
	buf_init(&exp, SPF_SYNTAX_MAX_EXPANSION);
	buf_init(&why, 256);
	spf_syntax_lower_raw(&raw, p, len);
	rc = spf_macro_expand(r->env, raw.data, raw.len, SPF_MACRO_DOMAIN,
	    &exp, &why);
	/* a cut to 253 (rc 1) is something libspf2 does not do; an empty
	 * name is no domain-spec for its compiler */
	expanded = exp.len > 0 && (rc > 0 || (rc == 0 &&
	    !spf_syntax_plain(p, len)));
	if (expanded)
		spf_syntax_escape(out, exp.data, exp.len);
	else
		buf_append(out, raw.data, raw.len);
	buf_free(&raw);
	buf_free(&exp);
	buf_free(&why);
	return expanded;
}

/* spf_syntax_emit - " " and the term, its domain-spec from arg on */
static int
spf_syntax_emit(struct spf_rec *r, struct buf *out, const struct spf_term *t,
    size_t arg, size_t alen)
{
	buf_putc(out, ' ');
	spf_syntax_lower_raw(out, t->p, arg);
	return spf_syntax_spec(r, out, t->p + arg, alen);
}

/*
 * spf_syntax_amx - a and mx: [":" domain-spec] [dual-cidr]. libspf2 reads
 * a prefix length of 0 as "none", so only the length that applies to this
 * client is passed on; a length of 0 ("does any address exist") becomes
 * "exists:DOMAIN.<marker>", a name the DNS layer of lib/auth/spf.c answers by
 * looking for addresses of DOMAIN (a) or of its MX hosts (mx).
 */
static int
spf_syntax_amx(struct spf_rec *r, const struct spf_term *t, const char *head,
    const char *arg, size_t alen, int has_domain, struct buf *out)
{
	size_t c = has_domain ? spf_syntax_cidr_start(arg, alen) : 0;
	int v4, v6, use, expanded;

	if ((has_domain && spf_syntax_domain(r, arg, c) != 0) ||
	    spf_syntax_dual_cidr(arg + c, alen - c, &v4, &v6) != 0)
		return spf_syntax_err(r, "bad domain-spec or prefix", t);
	use = r->client_v6 ? v6 : v4;
	if (use == 0) {
		int is_a = tolower((unsigned char)*head) == 'a';

		/* "is there any address": a virtual name lib/auth/spf.c answers */
		buf_printf(out, " %.*sexists:", (int)(head - t->p), t->p);
		if (has_domain)
			spf_syntax_spec(r, out, arg, c);
		else
			buf_puts(out, "%{d}");
		buf_printf(out, ".%s%s", is_a ? SPF_SYNTAX_ANY_A :
		    SPF_SYNTAX_ANY_MX, SPF_SYNTAX_ANY_SUFFIX);
		return 0;
	}
	expanded = spf_syntax_emit(r, out, t, (size_t)(arg - t->p), c);
	/* after an expansion both lengths: a "/" in it is no prefix */
	if (expanded)
		buf_printf(out, "/%d//%d", !r->client_v6 && use > 0 ? use : 32,
		    r->client_v6 && use > 0 ? use : 128);
	else if (use > 0)
		buf_printf(out, r->client_v6 ? "//%d" : "/%d", use);
	return 0;
}

/* spf_syntax_mechanism - one directive; appended to out when valid */
static int
spf_syntax_mechanism(struct spf_rec *r, const struct spf_term *t,
    struct buf *out)
{
	static const char *const names[] = { "all", "include", "a", "mx",
	    "ptr", "ip4", "ip6", "exists", NULL };
	size_t q = strchr("+-?~", t->p[0]) != NULL ? 1 : 0, n, alen;
	const char *name = t->p + q, *arg;
	int i;

	for (n = 0; q + n < t->len && isalnum((unsigned char)name[n]); n++)
		;
	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && strncasecmp(name, names[i], n) == 0)
			break;
	if (names[i] == NULL)
		return spf_syntax_err(r, "unknown mechanism", t);
	arg = name + n;
	alen = t->len - q - n;
	if (alen > 0 && arg[0] == ':') {
		arg++;
		alen--;
	} else if (alen > 0 && arg[0] != '/')
		return spf_syntax_err(r, "unknown mechanism", t);
	else if (i == 1 || i == 5 || i == 6 || i == 7)
		return spf_syntax_err(r, "missing argument", t);
	switch (i) {
	case 0:		/* all */
		if (alen > 0)
			return spf_syntax_err(r, "all takes no argument", t);
		r->has_all = 1;
		break;
	case 1:		/* include */
	case 7:		/* exists */
	case 4:		/* ptr */
		if ((alen > 0 || arg != name + n) &&
		    spf_syntax_domain(r, arg, alen) != 0)
			return spf_syntax_err(r, "bad domain-spec", t);
		spf_syntax_emit(r, out, t, (size_t)(arg - t->p), alen);
		return 0;
	case 5:		/* ip4 */
	case 6:		/* ip6 */
		return spf_syntax_net(r, t, q, i == 6, arg, alen, out);
	default:	/* a, mx */
		return spf_syntax_amx(r, t, name, arg, alen, arg != name + n,
		    out);
	}
	spf_syntax_lower(out, t->p, t->len);
	return 0;
}

/* spf_syntax_modifier - name=value; known ones kept, unknown dropped */
static int
spf_syntax_modifier(struct spf_rec *r, const struct spf_term *t, size_t eq)
{
	const char *v = t->p + eq + 1;
	size_t vlen = t->len - eq - 1, i, tail;

	if (!isalpha((unsigned char)t->p[0]))
		return spf_syntax_err(r, "bad modifier name", t);
	for (i = 1; i < eq; i++)
		if (!isalnum((unsigned char)t->p[i]) &&
		    strchr("-_.", t->p[i]) == NULL)
			return spf_syntax_err(r, "bad modifier name", t);
	if ((eq == 8 && strncasecmp(t->p, "redirect", 8) == 0) ||
	    (eq == 3 && strncasecmp(t->p, "exp", 3) == 0)) {
		int *seen = eq == 3 ? &r->exps : &r->redirects;

		if ((*seen)++ > 0)
			return spf_syntax_err(r, "modifier given twice", t);
		if (spf_syntax_domain(r, v, vlen) != 0)
			return spf_syntax_err(r, "bad domain-spec", t);
		*(eq == 3 ? &r->exp : &r->redirect) = *t;
		return 0;
	}
	/* RFC 7208 section 6: unknown modifiers are checked, then ignored */
	if (spf_syntax_macro_string(v, vlen, 0, &r->flags, &tail) != 0)
		return spf_syntax_err(r, "bad macro", t);
	return 0;
}

/* spf_syntax_term - a directive or a modifier */
static int
spf_syntax_term(struct spf_rec *r, const struct spf_term *t, struct buf *out)
{
	size_t i;

	for (i = 0; i < t->len; i++) {
		if (t->p[i] == '=')
			return spf_syntax_modifier(r, t, i);
		if (!isalnum((unsigned char)t->p[i]) &&
		    strchr("-_.", t->p[i]) == NULL)
			break;
	}
	return spf_syntax_mechanism(r, t, out);
}

/* spf_syntax_prepare - check a "v=spf1" record and rewrite it for libspf2 */
int
spf_syntax_prepare(const char *rec, size_t len, int client_v6,
    const struct spf_macro_env *env, struct buf *out, unsigned *flags,
    struct buf *why)
{
	struct spf_rec r;
	struct spf_term t;
	size_t i = 6, nterms = 0;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.why = why;
	r.client_v6 = client_v6;
	r.env = env;
	if (len < 6 || strncasecmp(rec, "v=spf1", 6) != 0 ||
	    (len > 6 && rec[6] != ' ')) {
		buf_puts(why, "not an SPF version 1 record");
		return -1;
	}
	buf_puts(out, "v=spf1");
	while (rc == 0 && i < len) {
		if (rec[i] == ' ') {
			i++;
			continue;
		}
		t.p = rec + i;
		while (i < len && rec[i] != ' ')
			i++;
		t.len = (size_t)(rec + i - t.p);
		if (++nterms > SPF_SYNTAX_MAX_TERMS) {
			buf_puts(why, "too many terms");
			rc = -1;
		} else
			rc = spf_syntax_term(&r, &t, out);
	}
	*flags = r.flags;
	if (rc != 0)
		return rc;	/* a modifier counted may lack its term */
	/* RFC 7208 section 6.1: redirect is ignored when "all" is present */
	if (r.redirects > 0 && !r.has_all)
		spf_syntax_emit(&r, out, &r.redirect, 9, r.redirect.len - 9);
	if (r.exps > 0)
		spf_syntax_emit(&r, out, &r.exp, 4, r.exp.len - 4);
	if (out->truncated) {
		buf_puts(why, "rewritten record too long");
		rc = -1;
	}
	return rc;
}

/*
 * spf_syntax_count - the mechanisms (mech 1; libspf2 keeps redirect= with
 * them) or else the modifiers of a prepared record, as libspf2 counts
 * them: a record it did not compile whole has fewer
 */
int
spf_syntax_count(const char *prep, int mech)
{
	int nmech = 0, nmod = -1;	/* v=spf1 looks like a modifier */
	const char *p = prep, *t;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		t = p;
		if (isalpha((unsigned char)*t))
			while (isalnum((unsigned char)*t) || *t == '-' ||
			    *t == '_' || *t == '.')
				t++;
		if (t != p && *t == '=' && (t - p != 8 ||
		    strncasecmp(p, "redirect", 8) != 0))
			nmod++;
		else
			nmech++;
		while (*p != ' ' && *p != '\0')
			p++;
	}
	return mech ? nmech : nmod;
}

/* spf_syntax_virtual - "<domain>.<marker><suffix>": 1 a, 2 mx, 0 none */
int
spf_syntax_virtual(const char *name, size_t *domlen)
{
	static const char *const markers[] = { SPF_SYNTAX_ANY_A,
	    SPF_SYNTAX_ANY_MX };
	size_t n = strlen(name), sl = strlen(SPF_SYNTAX_ANY_SUFFIX), ml;
	int i;

	if (n <= sl || strcasecmp(name + n - sl, SPF_SYNTAX_ANY_SUFFIX) != 0)
		return 0;
	for (i = 0; i < 2; i++) {
		ml = strlen(markers[i]);
		if (n > sl + ml + 1 && name[n - sl - ml - 1] == '.' &&
		    strncasecmp(name + n - sl - ml, markers[i], ml) == 0) {
			*domlen = n - sl - ml - 1;
			return i + 1;
		}
	}
	return 0;
}
