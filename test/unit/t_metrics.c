/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t_metrics - counters and the Prometheus rendering: each update shows up
 * under its labels, histogram buckets are cumulative with +Inf = count,
 * out-of-range enums and NULL are ignored, the queue-depth hook is read
 * at render time
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <string.h>

#include "util/buf.h"
#include "core/metrics.h"
#include "unit.h"

/* t_metrics_has - the rendering contains this exact line */
static int
t_metrics_has(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

/* rendered lines expected after t_metrics_feed() */
static const char *const t_metrics_lines[] = {
	"authmilter_messages_total{action=\"accept\"} 2",
	"authmilter_messages_total{action=\"reject\"} 1",
	"authmilter_messages_total{action=\"tempfail\"} 0",
	"authmilter_results_total{method=\"spf\",result=\"pass\"} 2",
	"authmilter_results_total{method=\"dkim\",result=\"none\"} 1",
	"authmilter_results_total{method=\"arc\",result=\"fail\"} 0",
	"authmilter_dns_lookups_total{type=\"TXT\",status=\"ok\"} 1",
	"authmilter_dns_lookups_total{type=\"MX\",status=\"retry\"} 1",
	"authmilter_dns_lookups_total{type=\"other\",status=\"nxdomain\"} 1",
	"authmilter_dns_lookup_duration_seconds_bucket{le=\"0.001\"} 1",
	"authmilter_dns_lookup_duration_seconds_bucket{le=\"0.025\"} 2",
	"authmilter_dns_lookup_duration_seconds_bucket{le=\"5\"} 2",
	"authmilter_dns_lookup_duration_seconds_bucket{le=\"+Inf\"} 3",
	"authmilter_dns_lookup_duration_seconds_count 3",
	"authmilter_dns_lookup_duration_seconds_sum 60.020500",
	"authmilter_message_duration_seconds_count 3",
	"authmilter_message_duration_seconds_bucket{le=\"0.01\"} 2",
	"authmilter_errors_total{kind=\"dns\"} 1",
	"authmilter_errors_total{kind=\"reload\"} 1",
	"authmilter_errors_total{kind=\"internal\"} 1",
	"authmilter_errors_total{kind=\"milter\"} 0",
	"authmilter_connections_in_flight 1",
	"authmilter_connections_total 2",
	"authmilter_config_reloads_total{result=\"applied\"} 1",
	"authmilter_config_reloads_total{result=\"refused\"} 1",
	"authmilter_report_queue_depth 42",
	"# TYPE authmilter_dns_lookup_duration_seconds histogram",
	"# TYPE authmilter_connections_in_flight gauge",
};

/* t_metrics_depth - a report store stand-in */
static long
t_metrics_depth(void *arg)
{
	return *(long *)arg;
}

/* t_metrics_feed - a fixed set of updates */
static void
t_metrics_feed(struct metrics *m)
{
	metrics_message(m, POLICY_ACCEPT, 3);
	metrics_message(m, POLICY_ACCEPT, 9);
	metrics_message(m, POLICY_REJECT, 700);
	metrics_message(m, (enum policy_action)99, 1);	/* ignored */
	metrics_result(m, METRICS_SPF, METHOD_PASS);
	metrics_result(m, METRICS_SPF, METHOD_PASS);
	metrics_result(m, METRICS_DKIM, METHOD_NONE);
	metrics_result(m, METRICS_NMETHODS, METHOD_PASS);	/* ignored */
	metrics_dns(m, ns_t_txt, RESOLVER_OK, 500);
	metrics_dns(m, ns_t_mx, RESOLVER_RETRY, 20000);
	metrics_dns(m, 99, RESOLVER_NXDOMAIN, 60000000);
	metrics_error(m, METRICS_ERR_INTERNAL);
	metrics_conn(m, 1);
	metrics_conn(m, 1);
	metrics_conn(m, -1);
	metrics_reload(m, 1);
	metrics_reload(m, 0);
}

int
main(void)
{
	struct metrics *m = metrics_new();
	struct buf out;
	long depth = 42;
	size_t i;

	buf_init(&out, 1 << 20);
	metrics_render(m, &out);
	UNIT_CHECK(t_metrics_has(out.data, "authmilter_report_queue_depth 0"),
	    "no hook reads 0", "%s", "missing");
	UNIT_CHECK(t_metrics_has(out.data,
	    "authmilter_messages_total{action=\"accept\"} 0"),
	    "series exist at zero", "%s", "missing");
	/* NULL: authmilter-check has no metrics; must not crash */
	t_metrics_feed(NULL);
	t_metrics_feed(m);
	metrics_set_queue_depth(m, t_metrics_depth, &depth);
	buf_reset(&out);
	metrics_render(m, &out);
	for (i = 0; i < sizeof(t_metrics_lines) / sizeof(t_metrics_lines[0]);
	    i++)
		UNIT_CHECK(t_metrics_has(out.data, t_metrics_lines[i]),
		    t_metrics_lines[i], "not in:\n%s", out.data);
	UNIT_CHECK(!out.truncated, "fits", "%zu bytes", out.len);
	buf_free(&out);
	metrics_free(m);
	return unit_done("t_metrics");
}
