/* SPDX-License-Identifier: BSD-2-Clause */
/* method - result names of the RFC 8601 registry */
#include "autoconf.h"

#include <strings.h>

#include "mail/method.h"

static const char *const method_names[] = {
	"none", "pass", "fail", "softfail", "neutral", "temperror",
	"permerror", "policy"
};

/* method_result_name - the registry word */
const char *
method_result_name(enum method_result r)
{
	if ((unsigned)r >= sizeof(method_names) / sizeof(method_names[0]))
		return "permerror";
	return method_names[r];
}

/* method_result_parse - a registry word, case-insensitive */
int
method_result_parse(const char *s, enum method_result *out)
{
	unsigned i;

	for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++) {
		if (strcasecmp(s, method_names[i]) == 0) {
			*out = (enum method_result)i;
			return 0;
		}
	}
	return -1;
}
