/* SPDX-License-Identifier: BSD-2-Clause */
/* dnsbudget - DNS wait time of one message, charged per lookup */
#include "autoconf.h"

#include <time.h>

#include "dns/dnsbudget.h"

/* dnsbudget_init - ms of waiting allowed */
void
dnsbudget_init(struct dnsbudget *b, long ms)
{
	b->left_us = ms * 1000;
	b->used_us = 0;
	b->queries = 0;
}

/* dnsbudget_us - microseconds from a to b */
static long
dnsbudget_us(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000000L +
	    (b->tv_nsec - a->tv_nsec) / 1000;
}

/*
 * dnsbudget_query - one lookup that ends by what is left of b (and cap);
 * the wait is charged to b. A NULL budget is only the cap.
 */
enum resolver_status
dnsbudget_query(struct dnsbudget *b, struct resolver *res, const char *name,
    int rrtype, const struct timespec *cap, struct resolver_answer **out)
{
	struct timespec t0, t1, dl;
	enum resolver_status st;
	long left;

	if (b == NULL)
		return resolver_query(res, name, rrtype, cap, out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	left = b->left_us > 0 ? b->left_us : 0;
	dl.tv_sec = t0.tv_sec + left / 1000000L;
	dl.tv_nsec = t0.tv_nsec + (left % 1000000L) * 1000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	resolver_deadline_cap(&dl, cap);
	st = resolver_query(res, name, rrtype, &dl, out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	b->used_us += dnsbudget_us(&t0, &t1);
	b->left_us -= dnsbudget_us(&t0, &t1);
	b->queries++;
	return st;
}

/* dnsbudget_left_ms - waiting still allowed, in milliseconds (>= 0) */
long
dnsbudget_left_ms(const struct dnsbudget *b)
{
	return b->left_us > 0 ? b->left_us / 1000 : 0;
}

/* dnsbudget_charge - us microseconds of another wait (an HTTPS fetch) */
void
dnsbudget_charge(struct dnsbudget *b, long us)
{
	if (us < 0)
		us = 0;
	b->used_us += us;
	b->left_us -= us;
}
