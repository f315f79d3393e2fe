/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr - the header fields of one message, as the MTA gave them
 *
 * STANDARDS   RFC 5322 section 2.2 (field names compare case-insensitively).
 * OWNERSHIP   a struct hdr owns copies of every stored name and value;
 *             hdr_free() releases them. Values are kept byte for byte
 *             (folds as the MTA sent them) for DKIM and ARC.
 * LOCKING     none; one message, one thread at a time.
 * LIMITS      HDR_MAX_FIELDS fields, HDR_MAX_FIELD bytes in one field,
 *             HDR_MAX_BYTES in all, or the lower limits hdr_limit() set
 *             (limits.* of the configuration). Fields past a limit are
 *             counted in seen but not stored, and overflow is set.
 *             hdr_add_top() stores the milter's own field first, beyond
 *             the limits by at most HDR_MAX_TOP fields (the caller bounds
 *             its size).
 * ERRORS      hdr_add() and hdr_add_top() return -1 when the field was
 *             not stored.
 */
#ifndef AUTHMILTER_HDR_H
#define AUTHMILTER_HDR_H

#include <stddef.h>

#define HDR_MAX_FIELDS	4096
#define HDR_MAX_FIELD	102400		/* Postfix header_size_limit */
#define HDR_MAX_BYTES	(4 * 1024 * 1024)
#define HDR_MAX_TOP	8	/* fields hdr_add_top() adds past the limits */

struct hdr_field {
	char	*name;		/* field name, NUL-terminated */
	char	*value;		/* raw value after the colon */
	size_t	 vlen;		/* bytes in value */
};

struct hdr {
	struct hdr_field *f;	/* stored fields in arrival order */
	size_t	 n;		/* fields stored */
	size_t	 cap;		/* fields allocated */
	size_t	 bytes;		/* bytes stored */
	size_t	 seen;		/* fields offered, stored or not */
	int	 overflow;	/* a limit dropped a field */
	size_t	 max_fields;	/* lower limits, 0 = the HDR_MAX_* */
	size_t	 max_field;
	size_t	 max_bytes;
};

void	hdr_init(struct hdr *);
void	hdr_free(struct hdr *);
void	hdr_limit(struct hdr *, size_t fields, size_t field, size_t bytes);
int	hdr_add(struct hdr *, const char *name, const char *value, size_t);
int	hdr_add_top(struct hdr *, const char *name, const char *value,
	    size_t);
int	hdr_name_is(const char *, const char *);
size_t	hdr_count(const struct hdr *, const char *name);
const struct hdr_field *hdr_nth(const struct hdr *, const char *name,
	    size_t);

#endif
