/* SPDX-License-Identifier: BSD-2-Clause */
/* t_resmemo - the answer memo on its own and behind resolver_query() */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdlib.h>
#include <unbound.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/config.h"
#include "fixture.h"
#include "dns/resmemo.h"
#include "dns/resolver.h"
#include "unit.h"

static const char *t_resmemo_conf =
    "dns = {\n"
    "  local_zones = [ \"example. static\" ];\n"
    "  local_data = [ \"memo.example. 300 IN TXT \\\"v=spf1 -all\\\"\",\n"
    "    \"short.example. 1 IN TXT \\\"brief\\\"\" ];\n"
    "};\n";

/* t_resmemo_res - a result as libunbound would give it (ub_resolve_free) */
static struct resmemo_res *
t_resmemo_res(void)
{
	struct ub_result *u = calloc(1, sizeof(*u));

	u->data = calloc(1, sizeof(*u->data));
	u->len = calloc(1, sizeof(*u->len));
	return resmemo_res_new(0, u);
}

/* t_resmemo_table - hits, misses, expiry, replacement, references */
static void
t_resmemo_table(void)
{
	struct resmemo *m = resmemo_new();
	struct resmemo_res *a = t_resmemo_res(), *b = t_resmemo_res(), *g;

	UNIT_CHECK(resmemo_get(m, "a.example.", 16, 100) == NULL,
	    "empty table", "hit");
	resmemo_put(m, "a.example.", 16, a, 100, 30);
	g = resmemo_get(m, "A.Example.", 16, 129);
	UNIT_CHECK(g == a, "hit, names compared without case", "%p", (void *)g);
	UNIT_CHECK(atomic_load(&a->refs) == 3, "table and getter hold a ref",
	    "%d", atomic_load(&a->refs));
	resmemo_res_unref(g);
	UNIT_CHECK(resmemo_get(m, "a.example.", 1, 110) == NULL,
	    "other type misses", "hit");
	UNIT_CHECK(resmemo_get(m, "a.example.", 16, 130) == NULL,
	    "expired at its TTL", "hit");
	resmemo_put(m, "b.example.", 16, b, 100, 100000);
	UNIT_CHECK(resmemo_get(m, "b.example.", 16, 100 + RESMEMO_MAX_TTL)
	    == NULL, "TTL capped", "hit after %d s", RESMEMO_MAX_TTL);
	resmemo_put(m, "c.example.", 16, b, 100, 0);
	UNIT_CHECK(resmemo_get(m, "c.example.", 16, 100) == NULL,
	    "TTL 0 not kept", "hit");
	resmemo_put(m, "a.example.", 16, b, 200, 30);
	UNIT_CHECK(atomic_load(&a->refs) == 1, "replaced entry released",
	    "%d", atomic_load(&a->refs));
	resmemo_res_unref(a);
	resmemo_free(m);
	UNIT_CHECK(atomic_load(&b->refs) == 1, "free drops the table refs",
	    "%d", atomic_load(&b->refs));
	resmemo_res_unref(b);
}

/* t_resmemo_resolver - a second lookup shares the first one's answer */
static void
t_resmemo_resolver(void)
{
	struct config *cfg = fixture_config(t_resmemo_conf);
	struct resolver *r = fixture_resolver(cfg);
	struct resolver_answer *a1, *a2, *n1, *n2;
	struct buf txt;

	buf_init(&txt, 64);
	resolver_query(r, "memo.example.", ns_t_txt, NULL, &a1);
	resolver_query(r, "MEMO.example.", ns_t_txt, NULL, &a2);
	UNIT_CHECK(a1->status == RESOLVER_OK && a2->status == RESOLVER_OK,
	    "both answered", "%d %d", a1->status, a2->status);
	UNIT_CHECK(a1->impl == a2->impl, "second answer from the memo",
	    "two libunbound results");
	resolver_answer_free(a1);
	UNIT_CHECK(a2->n == 1 && resolver_txt(a2, 0, &txt) == 0,
	    "answer outlives its first holder", "n %d", a2->n);
	UNIT_STREQ(txt.data, "v=spf1 -all", "remembered data");
	resolver_answer_free(a2);
	resolver_query(r, "none.example.", ns_t_txt, NULL, &n1);
	resolver_query(r, "none.example.", ns_t_txt, NULL, &n2);
	UNIT_CHECK(n1->status == RESOLVER_NXDOMAIN &&
	    n2->status == RESOLVER_NXDOMAIN, "NXDOMAIN both times", "%d %d",
	    n1->status, n2->status);
	resolver_answer_free(n1);
	resolver_answer_free(n2);
	buf_free(&txt);
	resolver_free(r);
	config_release(cfg);
}

/* t_resmemo_prefetch - a started lookup lands in the memo by itself */
static void
t_resmemo_prefetch(void)
{
	struct config *cfg = fixture_config(t_resmemo_conf);
	struct resolver *r = fixture_resolver(cfg);
	struct resolver_answer *a;
	int i;

	UNIT_CHECK(!resolver_remembered(r, "memo.example.", ns_t_txt),
	    "nothing remembered before", "remembered");
	resolver_prefetch(r, "memo.example.", ns_t_txt);
	resolver_prefetch(r, "none.example.", ns_t_txt);
	resolver_prefetch(r, "bad..name.", ns_t_txt);	/* skipped */
	for (i = 0; i < 500 && !(resolver_remembered(r, "memo.example.",
	    ns_t_txt) && resolver_remembered(r, "none.example.", ns_t_txt));
	    i++)
		usleep(10000);
	UNIT_CHECK(resolver_remembered(r, "memo.example.", ns_t_txt),
	    "prefetched record remembered", "not within 5 s");
	UNIT_CHECK(resolver_remembered(r, "none.example.", ns_t_txt),
	    "prefetched NXDOMAIN remembered", "not within 5 s");
	UNIT_CHECK(!resolver_remembered(r, "memo.example.", ns_t_a),
	    "other type not remembered", "remembered");
	resolver_query(r, "memo.example.", ns_t_txt, NULL, &a);
	UNIT_CHECK(a->status == RESOLVER_OK && a->n == 1,
	    "query answered from the prefetch", "status %d", a->status);
	resolver_answer_free(a);
	resolver_prefetch(r, "memo.example.", ns_t_txt);  /* remembered: no-op */
	resolver_free(r);
	config_release(cfg);
}

int
main(void)
{
	t_resmemo_table();
	t_resmemo_resolver();
	t_resmemo_prefetch();
	return unit_done("t_resmemo");
}
