/*
 * report_period - the UTC day an aggregate report covers, and the clock
 *                 authmilter-report runs by
 *
 * STANDARDS   RFC 9990 section 2.1.2 (date_range: begin and end, seconds
 *             since the epoch, UTC); ISO 8601 calendar dates and times.
 * OWNERSHIP   nothing kept; results go to caller variables.
 * LOCKING     none (gmtime_r, timegm, strptime only).
 * LIMITS      times from 1970-01-01 on; an epoch value of at most
 *             REPORT_TIME_MAX_DIGITS digits.
 * ERRORS      0, or -1 for text that is not one of the accepted forms or
 *             names a day that does not exist (2026-02-30).
 */
#ifndef AUTHMILTER_REPORT_PERIOD_H
#define AUTHMILTER_REPORT_PERIOD_H

#include <time.h>

#define REPORT_DAY		86400
#define REPORT_TIME_MAX_DIGITS	12

int	report_time_parse(const char *, time_t *);
int	report_period_parse(const char *, time_t now, long long *begin,
	    long long *end);

#endif
