/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_period - the UTC day an aggregate report covers, the clock
 *                 authmilter-report runs by, and the day's records
 *
 * STANDARDS   RFC 9990 section 2.1.2 (date_range: begin and end, seconds
 *             since the epoch, UTC; a day is begin .. begin + 86399, both
 *             included); ISO 8601 calendar dates and times.
 * OWNERSHIP   report_period_domains() appends strdup'ed names to a
 *             caller-owned config_list (the caller frees them);
 *             report_period_rows() fills a caller's record (free with
 *             report_record_free()) and rows (report_rows_free()).
 * LOCKING     none (gmtime_r, timegm, strptime); the db is the caller's.
 * LIMITS      times from 1970-01-01 on; an epoch value of at most
 *             REPORT_TIME_MAX_DIGITS digits; REPORT_PERIOD_MAX_DOMAINS
 *             policy domains per period (the rest are left out).
 * ERRORS      the parsers return 0, or -1 for text that is not one of the
 *             accepted forms or names a day that does not exist
 *             (2026-02-30); the queries 0 or -1 with the database's
 *             reason in why.
 */
#ifndef AUTHMILTER_REPORT_PERIOD_H
#define AUTHMILTER_REPORT_PERIOD_H

#include <time.h>

#include "report/report.h"

struct buf;
struct config_list;
struct report_db;
struct report_rows;

#define REPORT_DAY		86400
#define REPORT_TIME_MAX_DIGITS	12
#define REPORT_PERIOD_MAX_DOMAINS	(1024 * 1024)

int	report_time_parse(const char *, time_t *);
int	report_period_parse(const char *, time_t now, long long *begin,
	    long long *end);
int	report_period_domains(struct report_db *, long long begin,
	    long long end, struct config_list *, struct buf *why);
int	report_period_rows(struct report_db *, const char *domain,
	    long long begin, long long end, struct report_record *policy,
	    struct report_rows *, struct buf *why);
void	report_rows_free(struct report_rows *);

#endif
