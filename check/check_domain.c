/* SPDX-License-Identifier: BSD-2-Clause */
/* check_domain - print a domain's posture findings (text or JSON) */
#include "autoconf.h"

#include <stdio.h>

#include "util/buf.h"
#include "util/json.h"
#include "core/posture.h"
#include "check_domain.h"

#define CHECK_DOMAIN_OUT	(4 * 1024 * 1024)

/* check_domain_counts - how many findings of each level */
static void
check_domain_counts(const struct posture_report *r, int count[3])
{
	size_t i;

	count[0] = count[1] = count[2] = 0;
	for (i = 0; i < r->n; i++)
		count[r->item[i].level]++;
}

/* check_domain_text - "LEVEL AREA TEXT" lines, each fix indented below */
static void
check_domain_text(const struct posture_report *r, int status)
{
	int count[3];
	size_t i;

	printf("domain: %s%s\n", r->domain, r->validating ? "" :
	    " (DNSSEC not validated)");
	for (i = 0; i < r->n; i++) {
		printf("%-4s %-8s %s\n", posture_level_name(r->item[i].level),
		    r->item[i].area, r->item[i].text);
		if (r->item[i].fix != NULL)
			printf("              fix: %s\n", r->item[i].fix);
	}
	check_domain_counts(r, count);
	printf("result: %s (%d passed, %d warnings, %d failures)\n",
	    posture_level_name((enum posture_level)status), count[0],
	    count[1], count[2]);
}

/*
 * check_domain_json - {"domain","dnssec_validation","result","counts",
 * "checks"[,"trace"]}
 */
static void
check_domain_json(const struct posture_report *r, int status,
    const struct buf *trace)
{
	struct buf out;
	int count[3];
	size_t i;

	buf_init(&out, CHECK_DOMAIN_OUT);
	check_domain_counts(r, count);
	buf_putc(&out, '{');
	json_kv(&out, "domain", r->domain, 1);
	json_key(&out, "dnssec_validation", 0);
	buf_puts(&out, r->validating ? "true" : "false");
	json_kv(&out, "result", posture_level_name((enum posture_level)status),
	    0);
	json_key(&out, "counts", 0);
	buf_printf(&out, "{\"pass\":%d,\"warn\":%d,\"fail\":%d}", count[0],
	    count[1], count[2]);
	json_key(&out, "checks", 0);
	buf_putc(&out, '[');
	for (i = 0; i < r->n; i++) {
		buf_puts(&out, i ? ",{" : "{");
		json_kv(&out, "area", r->item[i].area, 1);
		json_kv(&out, "level", posture_level_name(r->item[i].level), 0);
		json_kv(&out, "text", r->item[i].text, 0);
		json_kv(&out, "fix", r->item[i].fix, 0);
		buf_putc(&out, '}');
	}
	buf_putc(&out, ']');
	if (trace != NULL)
		buf_printf(&out, ",\"trace\":[%s]", trace->data);
	buf_putc(&out, '}');
	printf("%s\n", out.data);
	buf_free(&out);
}

/* check_domain - run the checks, print, return the exit status */
int
check_domain(struct pipeline_env *env, const struct posture_request *req,
    int json, const struct buf *trace_json)
{
	struct posture_report r;
	int status;

	posture_run(env, req, &r);
	status = posture_exit(&r);
	if (json)
		check_domain_json(&r, status, trace_json);
	else
		check_domain_text(&r, status);
	posture_free(&r);
	return status;
}
