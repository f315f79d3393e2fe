/* report_period - report days and the time authmilter-report runs as */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_period.h"

/* report_time_fmt - s in exactly this strptime format (UTC), "Z" allowed */
static int
report_time_fmt(const char *s, const char *fmt, int zulu, time_t *t)
{
	struct tm tm, back;
	const char *rest;
	int mday, mon;
	time_t v;

	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, fmt, &tm);
	if (rest == NULL || (*rest != '\0' && !(zulu && strcmp(rest, "Z") ==
	    0)) || tm.tm_year < 70)
		return -1;
	mday = tm.tm_mday;
	mon = tm.tm_mon;
	v = timegm(&tm);
	/* timegm() moves 2026-02-30 to March: such a day is not a day */
	if (v == (time_t)-1 || gmtime_r(&v, &back) == NULL ||
	    back.tm_mday != mday || back.tm_mon != mon)
		return -1;
	*t = v;
	return 0;
}

/*
 * report_time_parse - seconds since the epoch, or an ISO 8601 UTC time:
 * YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or with a space for T, a Z allowed
 */
int
report_time_parse(const char *s, time_t *t)
{
	static const char *const fmts[] = {
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"
	};
	size_t i, len = strlen(s);

	if (len > 0 && len <= REPORT_TIME_MAX_DIGITS &&
	    strspn(s, "0123456789") == len) {
		*t = (time_t)strtoll(s, NULL, 10);
		return 0;
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (report_time_fmt(s, fmts[i], 1, t) == 0)
			return 0;
	return report_time_fmt(s, "%Y-%m-%d", 0, t);
}

/*
 * report_period_parse - "yesterday" (the UTC day before now's) or
 * YYYY-MM-DD: the first and the last second of that day
 */
int
report_period_parse(const char *s, time_t now, long long *begin,
    long long *end)
{
	time_t t;

	if (strcmp(s, "yesterday") == 0)
		*begin = (long long)now - (long long)now % REPORT_DAY -
		    REPORT_DAY;
	else if (report_time_fmt(s, "%Y-%m-%d", 0, &t) == 0)
		*begin = (long long)t;
	else
		return -1;
	if (*begin < 0)
		return -1;
	*end = *begin + REPORT_DAY - 1;
	return 0;
}
