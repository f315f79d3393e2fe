/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method - result values shared by every authentication method
 *
 * STANDARDS   RFC 8601 section 2.7 and the IANA "Email Authentication
 *             Result Names" registry: only these words are ever written.
 * OWNERSHIP   static strings.
 * LOCKING     none.
 * ERRORS      method_result_parse() returns -1 for an unknown word.
 */
#ifndef AUTHMILTER_METHOD_H
#define AUTHMILTER_METHOD_H

enum method_result {
	METHOD_NONE,
	METHOD_PASS,
	METHOD_FAIL,
	METHOD_SOFTFAIL,
	METHOD_NEUTRAL,
	METHOD_TEMPERROR,
	METHOD_PERMERROR,
	METHOD_POLICY
};

const char	*method_result_name(enum method_result);
int		 method_result_parse(const char *, enum method_result *);

#endif
