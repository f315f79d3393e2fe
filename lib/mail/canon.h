/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * canon - streaming body canonicalization and body hashes (DKIM, ARC)
 *
 * STANDARDS   RFC 6376 section 3.4.1/3.4.2 (simple and relaxed header
 *             fields), 3.7 (the signature field hashed with b= empty),
 *             3.4.3 (simple body: trailing empty lines
 *             removed, an empty body is one CRLF), 3.4.4 (relaxed body:
 *             WSP runs become one SP, WSP at line ends removed, trailing
 *             empty lines removed; a non-empty body ends with CRLF), 3.7
 *             (bh= over the first l= bytes).
 * OWNERSHIP   a struct canon_body is caller-owned; canon_body_final()
 *             releases its digest context.
 * LOCKING     none; one message.
 * LIMITS      canon_headers() reads at most HDR_MAX_FIELDS + HDR_MAX_TOP
 *             fields of a header store; otherwise none but the caller's l=; nothing is buffered but one run of
 *             pending empty lines and white space (counted, not stored)
 *             and up to CANON_STAGE bytes of canonical output, which go to
 *             the digest in one call instead of one call per byte.
 * ERRORS      canon_body_init() -1 when the digest cannot be set up.
 */
#ifndef AUTHMILTER_CANON_H
#define AUTHMILTER_CANON_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct hdr;

#define CANON_STAGE	2048

struct canon_body {
	int		 relaxed;	/* relaxed, else simple */
	void		*md;		/* EVP_MD_CTX, or NULL: count only */
	int64_t		 limit;		/* bytes to hash, -1 all (l=) */
	uint64_t	 len;		/* canonical bytes so far */
	uint64_t	 crlf;		/* empty-line CRLFs not yet emitted */
	int		 wsp;		/* relaxed: white space pending */
	int		 cr;		/* the previous byte was CR */
	int		 content;	/* anything but empty lines seen */
	int		 open_line;	/* a line has content and no CRLF yet */
	size_t		 nstage;	/* bytes in stage */
	unsigned char	 stage[CANON_STAGE];	/* output not yet hashed */
};

int	canon_body_init(struct canon_body *, int relaxed, int hash,
	    int64_t limit);
void	canon_body_update(struct canon_body *, const unsigned char *, size_t);
uint64_t canon_body_final(struct canon_body *, unsigned char *digest,
	    size_t *dlen);
void	canon_header(struct buf *, const char *name, const char *value,
	    size_t len, int relaxed, int leadspc, int crlf);
void	canon_strip_b(const char *value, size_t len, struct buf *);
void	canon_headers(struct buf *, const struct hdr *, const char *h,
	    int relaxed, int leadspc);

#endif
