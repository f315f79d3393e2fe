/* SPDX-License-Identifier: BSD-2-Clause */
/* config_override - policy.overrides: local policy rules from libconfig */
#include "autoconf.h"

#include <ctype.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/cidr.h"
#include "util/config.h"
#include "util/config_check.h"
#include "util/config_override.h"
#include "util/xalloc.h"

#define CONFIG_OVERRIDE_MAX_NAME	64

static const char *const config_override_actions[] = { "accept",
    "no-dmarc", "tempfail", "reject", NULL };

/* config_override_action_name - the config word for an action */
const char *
config_override_action_name(int a)
{
	return a >= 0 && a < 4 ? config_override_actions[a] : "?";
}

/* config_override_fail - the line and the reason of an error; -1 */
static int
config_override_fail(const config_setting_t *s, int *line, struct buf *why,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int
config_override_fail(const config_setting_t *s, int *line, struct buf *why,
    const char *fmt, ...)
{
	va_list ap;

	*line = config_setting_source_line(s);
	va_start(ap, fmt);
	buf_vprintf(why, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * config_override_domain - "d" or "*.d", stored lowercase without a
 * trailing dot; 0, or -1 with the reason in why
 */
static int
config_override_domain(struct config *cfg, const char *v, struct buf *why)
{
	const char *d = strncmp(v, "*.", 2) == 0 ? v + 2 : v;

	if (*d == '\0' || *d == '.' || strstr(d, "..") != NULL)
		return buf_puts(why, "expected a domain or *.domain"), -1;
	return config_chk_domain(cfg, d, why);
}

/* config_override_lower - lowercase, trailing dot dropped */
static void
config_override_lower(char *v)
{
	size_t n;

	for (n = 0; v[n] != '\0'; n++)
		v[n] = (char)tolower((unsigned char)v[n]);
	if (n > 0 && v[n - 1] == '.')
		v[n - 1] = '\0';
}

/* config_override_values - a string or a list of strings, each checked */
static int
config_override_values(const config_setting_t *s, struct config_list *l,
    config_check_fn *check, int *line, struct buf *why)
{
	int type = config_setting_type(s), n, i, rc;
	const config_setting_t *e;
	struct buf r;
	const char *v;

	n = type == CONFIG_TYPE_STRING ? 1 : (type == CONFIG_TYPE_ARRAY ||
	    type == CONFIG_TYPE_LIST) ? config_setting_length(s) : -1;
	if (n < 1 || n > CONFIG_MAX_LIST)
		return config_override_fail(s, line, why, "%s: expected a "
		    "string or a list of 1 to 4096 strings",
		    config_setting_name(s));
	l->v = xcalloc((size_t)n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		e = type == CONFIG_TYPE_STRING ? s :
		    config_setting_get_elem(s, (unsigned)i);
		if ((v = config_setting_get_string(e)) == NULL)
			return config_override_fail(e, line, why,
			    "%s: expected a string", config_setting_name(s));
		buf_init(&r, 512);
		rc = check(NULL, v, &r);
		if (rc != 0) {
			*line = config_setting_source_line(e);
			buf_printf(why, "%s: '%s': %s", config_setting_name(s),
			    v, r.data);
		}
		buf_free(&r);
		if (rc != 0)
			return -1;
		l->v[l->n++] = xstrdup(v);
		config_override_lower(l->v[l->n - 1]);
	}
	return 0;
}

/* config_override_text - a name or a reason: printable, within limits */
static int
config_override_text(const config_setting_t *s, char **dst, int name,
    int *line, struct buf *why)
{
	const char *v = config_setting_get_string(s);
	const unsigned char *p;
	size_t max = name ? CONFIG_OVERRIDE_MAX_NAME : CONFIG_MAX_REASON;

	if (v == NULL)
		return config_override_fail(s, line, why, "%s: expected a "
		    "string", config_setting_name(s));
	if (*v == '\0' || strlen(v) > max)
		return config_override_fail(s, line, why, "%s: empty or too "
		    "long", config_setting_name(s));
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (name ? !isalnum(*p) && *p != '-' && *p != '_' &&
		    *p != '.' : *p < ' ' || *p >= 0x7f || *p == ';' ||
		    *p == '"' || *p == '\\')
			return config_override_fail(s, line, why, name ?
			    "%s: letters, digits, '.', '-' and '_' only" :
			    "%s: printable ASCII without ; \" or \\",
			    config_setting_name(s));
	free(*dst);
	*dst = xstrdup(v);
	return 0;
}

/* config_override_action - one of config_override_actions */
static int
config_override_action(const config_setting_t *s, int *action, int *line,
    struct buf *why)
{
	const char *v = config_setting_get_string(s);
	int i;

	for (i = 0; v != NULL && config_override_actions[i] != NULL; i++)
		if (strcmp(v, config_override_actions[i]) == 0) {
			*action = i;
			return 0;
		}
	return config_override_fail(s, line, why, "action: %s",
	    "expected \"accept\", \"no-dmarc\", \"tempfail\" or \"reject\"");
}

/* config_override_member - one setting of a rule's group */
static int
config_override_member(const config_setting_t *s, struct config_override *o,
    int *line, struct buf *why)
{
	const char *k = config_setting_name(s);

	if (strcmp(k, "name") == 0)
		return config_override_text(s, &o->name, 1, line, why);
	if (strcmp(k, "reason") == 0)
		return config_override_text(s, &o->reason, 0, line, why);
	if (strcmp(k, "action") == 0)
		return config_override_action(s, &o->action, line, why);
	/* libconfig refuses a name given twice in one group */
	if (strcmp(k, "author") == 0)
		return config_override_values(s, &o->author,
		    config_override_domain, line, why);
	if (strcmp(k, "mail_from") == 0)
		return config_override_values(s, &o->mail_from,
		    config_override_domain, line, why);
	if (strcmp(k, "client") == 0)
		return config_override_values(s, &o->client, config_chk_cidr,
		    line, why);
	return config_override_fail(s, line, why, "unknown key '%s' (name, "
	    "author, mail_from, client, action, reason)", k);
}

/* config_override_rule - one group of the list, checked as a whole */
static int
config_override_rule(const config_setting_t *g, struct config_override *o,
    size_t nth, int *line, struct buf *why)
{
	int i, n = config_setting_length(g);
	char name[32];
	size_t j;

	o->line = config_setting_source_line(g);
	o->action = -1;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return config_override_fail(g, line, why, "%s", "each rule is "
		    "a group: ( { author = \"...\"; action = \"...\"; "
		    "reason = \"...\"; }, ... )");
	for (i = 0; i < n; i++)
		if (config_override_member(config_setting_get_elem(g,
		    (unsigned)i), o, line, why) != 0)
			return -1;
	if (o->action < 0 || o->reason == NULL)
		return config_override_fail(g, line, why, "%s", "a rule needs "
		    "action and reason");
	if (o->author.v == NULL && o->mail_from.v == NULL &&
	    o->client.v == NULL)
		return config_override_fail(g, line, why, "%s", "a rule needs "
		    "author, mail_from or client");
	if (o->name == NULL) {
		snprintf(name, sizeof(name), "#%zu", nth + 1);
		o->name = xstrdup(name);
	}
	o->nets = xcalloc(o->client.n + 1, sizeof(*o->nets));
	for (j = 0; j < o->client.n; j++)
		if (cidr_parse(o->client.v[j], &o->nets[j]) != 0)
			return config_override_fail(g, line, why, "%s",
			    "client: a checked network did not parse");
	return 0;
}

/* config_override_parse - policy.overrides, a list of groups */
int
config_override_parse(const struct config_setting_t *s,
    struct config_override **out, size_t *nout, int *line, struct buf *why)
{
	int type = config_setting_type(s), n, i;

	n = type == CONFIG_TYPE_LIST ? config_setting_length(s) : -1;
	if (n < 0)
		return config_override_fail(s, line, why, "%s", "expected a "
		    "list of rules: ( { ... }, { ... } )");
	if (n > CONFIG_MAX_OVERRIDES)
		return config_override_fail(s, line, why, "%s", "more than "
		    "1024 rules");
	config_override_free(*out, *nout);
	*out = xcalloc((size_t)n + 1, sizeof(**out));
	*nout = 0;
	for (i = 0; i < n; i++) {
		(*nout)++;
		if (config_override_rule(config_setting_get_elem(s,
		    (unsigned)i), &(*out)[i], (size_t)i, line, why) != 0)
			return -1;
	}
	return 0;
}

/* config_override_free - every rule and its strings */
void
config_override_free(struct config_override *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].name);
		free(v[i].reason);
		config_list_free(&v[i].author);
		config_list_free(&v[i].mail_from);
		config_list_free(&v[i].client);
		free(v[i].nets);
	}
	free(v);
}
