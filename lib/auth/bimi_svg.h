/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bimi_svg - is a document a BIMI indicator: SVG Tiny PS, checked with
 *            libxml2 without network, entities or DTDs
 *
 * STANDARDS   draft-svg-tiny-ps-abrotman-09 section 2 (SVG Tiny 1.2 with
 *             version="1.2" and baseProfile="tiny-ps" on the root, a
 *             title, no x= or y= on the root; no scripts, animation,
 *             interactivity, raster images or references outside the
 *             document); draft-brand-indicators-for-message-
 *             identification-10 sections 4.3.2 (SVG or SVGZ), 7.6 (size);
 *             RFC 6170 section 5.2 (SVGZ is gzip, RFC 1952).
 * OWNERSHIP   bimi_svg_check() keeps nothing; bimi_svg_gunzip() appends
 *             to the caller's buf.
 * LOCKING     none: one libxml2 document per call (xmlInitParser() ran in
 *             bimi_init() before any thread).
 * LIMITS      BIMI_SVG_MAX bytes of SVG (after gunzip), depth at most
 *             BIMI_SVG_MAX_DEPTH, at most BIMI_SVG_MAX_NODES nodes. A
 *             document that declares an entity is refused before it is
 *             parsed; the parser never loads a DTD or touches the network.
 * ERRORS      0 for an acceptable indicator, -1 with the first reason
 *             found in why.
 */
#ifndef AUTHMILTER_BIMI_SVG_H
#define AUTHMILTER_BIMI_SVG_H

#include <stddef.h>

struct buf;

#define BIMI_SVG_MAX		32768	/* the BIMI SVG guidance's limit */
#define BIMI_SVG_MAX_DEPTH	64
#define BIMI_SVG_MAX_NODES	20000

int	bimi_svg_check(const char *, size_t, struct buf *why);
int	bimi_svg_gunzip(const char *, size_t, size_t max, struct buf *out,
	    struct buf *why);
int	bimi_svg_is_gzip(const char *, size_t);

#endif
