/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit - the smallest table-driven test harness
 *
 * Each t_<module>.c runs its tables with UNIT_CHECK and ends with
 * unit_done(), which prints "<name>: N passed, N failed" and returns the
 * automake exit status (0 all passed, 1 otherwise).
 */
#ifndef AUTHMILTER_UNIT_H
#define AUTHMILTER_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;

#define UNIT_CHECK(cond, label, ...) do {				\
	if (cond)							\
		unit_pass++;						\
	else {								\
		unit_fail++;						\
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__,	\
		    (label));						\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define UNIT_STREQ(got, want, label)					\
	UNIT_CHECK((got) != NULL && strcmp((got), (want)) == 0, label,	\
	    "got \"%s\", want \"%s\"", (got) ? (got) : "(null)", (want))

static int
unit_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_pass, unit_fail);
	return unit_fail == 0 ? 0 : 1;
}

#endif
