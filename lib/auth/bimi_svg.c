/* SPDX-License-Identifier: BSD-2-Clause */
/* bimi_svg - the SVG Tiny PS profile of a BIMI indicator (libxml2) */
#include "autoconf.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#include "util/buf.h"
#include "auth/bimi_svg.h"

#define BIMI_SVG_NS	"http://www.w3.org/2000/svg"
#define BIMI_XLINK_NS	"http://www.w3.org/1999/xlink"
#define BIMI_XML_NS	"http://www.w3.org/XML/1998/namespace"

/* a walk over one document */
struct bimi_svg_walk {
	size_t		 nodes;		/* seen so far */
	int		 title;		/* the root has a non-empty title */
	struct buf	*why;		/* the first refusal */
};

/*
 * The SVG Tiny 1.2 elements a static indicator may use. Everything else
 * (script, a, image, foreignObject, animate*, set, discard, audio,
 * video, animation, handler, listener, prefetch, switch, ...) is refused.
 */
static const char *const bimi_svg_allowed[] = {
	"g", "defs", "title", "desc", "metadata", "path", "rect", "circle",
	"ellipse", "line", "polyline", "polygon", "solidColor",
	"linearGradient", "radialGradient", "stop", "use", "text", "tspan",
	"textArea", "tbreak", NULL
};

/* bimi_svg_is - element or attribute name equals s */
static int
bimi_svg_is(const xmlChar *name, const char *s)
{
	return name != NULL && strcmp((const char *)name, s) == 0;
}

/* bimi_svg_ns - the node's namespace is uri */
static int
bimi_svg_ns(const xmlNs *ns, const char *uri)
{
	return ns != NULL && ns->href != NULL &&
	    strcmp((const char *)ns->href, uri) == 0;
}

/* bimi_svg_refuse - the first reason wins; always -1 */
static int
bimi_svg_refuse(struct bimi_svg_walk *w, const char *what, const xmlChar *n)
{
	if (w->why->len == 0)
		buf_printf(w->why, "%s%s%s", what, n != NULL ? " " : "",
		    n != NULL ? (const char *)n : "");
	return -1;
}

/* bimi_svg_local_url - every url(...) in v points into the document */
static int
bimi_svg_local_url(const char *v)
{
	const char *p = v;

	while ((p = strstr(p, "url(")) != NULL) {
		p += 4;
		p += strspn(p, " \t\r\n'\"");
		if (*p != '#')
			return 0;
	}
	return 1;
}

/* bimi_svg_attr - one attribute of any element */
static int
bimi_svg_attr(struct bimi_svg_walk *w, const xmlAttr *a, int root)
{
	xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
	const char *s = v != NULL ? (const char *)v : "";
	int rc = 0;

	if (a->ns == NULL && strncasecmp((const char *)a->name, "on", 2) == 0)
		rc = bimi_svg_refuse(w, "event handler attribute", a->name);
	else if (bimi_svg_is(a->name, "href") && (a->ns == NULL ||
	    bimi_svg_ns(a->ns, BIMI_XLINK_NS)) && *s != '#')
		rc = bimi_svg_refuse(w, "reference outside the document:",
		    a->name);
	else if (bimi_svg_ns(a->ns, BIMI_XML_NS) && bimi_svg_is(a->name,
	    "base"))
		rc = bimi_svg_refuse(w, "attribute not allowed:",
		    (const xmlChar *)"xml:base");
	else if (!bimi_svg_local_url(s))
		rc = bimi_svg_refuse(w, "url() outside the document in",
		    a->name);
	else if (root && a->ns == NULL && (bimi_svg_is(a->name, "x") ||
	    bimi_svg_is(a->name, "y")))
		rc = bimi_svg_refuse(w, "attribute not allowed on the root:",
		    a->name);
	xmlFree(v);
	return rc;
}

/* bimi_svg_allowed_name - is an SVG element of the static profile */
static int
bimi_svg_allowed_name(const xmlChar *name)
{
	size_t i;

	for (i = 0; bimi_svg_allowed[i] != NULL; i++)
		if (bimi_svg_is(name, bimi_svg_allowed[i]))
			return 1;
	return 0;
}

static int bimi_svg_children(struct bimi_svg_walk *, const xmlNode *, int,
    int);

/* bimi_svg_element - one element below the root, and its subtree */
static int
bimi_svg_element(struct bimi_svg_walk *w, const xmlNode *n, int depth,
    int in_metadata)
{
	const xmlAttr *a;

	if (!bimi_svg_ns(n->ns, BIMI_SVG_NS)) {
		/* RDF and the like describe the logo; they draw nothing */
		if (!in_metadata)
			return bimi_svg_refuse(w, "element outside SVG:",
			    n->name);
	} else if (!bimi_svg_allowed_name(n->name))
		return bimi_svg_refuse(w, "element not allowed in SVG Tiny "
		    "PS:", n->name);
	for (a = n->properties; a != NULL; a = a->next)
		if (bimi_svg_attr(w, a, 0) != 0)
			return -1;
	return bimi_svg_children(w, n, depth + 1, in_metadata ||
	    bimi_svg_is(n->name, "metadata"));
}

/* bimi_svg_children - every child node of n */
static int
bimi_svg_children(struct bimi_svg_walk *w, const xmlNode *n, int depth,
    int in_metadata)
{
	const xmlNode *c;

	if (depth > BIMI_SVG_MAX_DEPTH)
		return bimi_svg_refuse(w, "nested too deeply", NULL);
	for (c = n->children; c != NULL; c = c->next) {
		if (++w->nodes > BIMI_SVG_MAX_NODES)
			return bimi_svg_refuse(w, "too many nodes", NULL);
		switch (c->type) {
		case XML_ELEMENT_NODE:
			if (bimi_svg_element(w, c, depth, in_metadata) != 0)
				return -1;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
		case XML_COMMENT_NODE:
			break;
		case XML_ENTITY_REF_NODE:
		case XML_ENTITY_NODE:
			return bimi_svg_refuse(w, "entity reference", c->name);
		default:
			return bimi_svg_refuse(w, "processing instruction or "
			    "other node not allowed", c->name);
		}
	}
	return 0;
}

/* bimi_svg_title - the root's title child with some text */
static int
bimi_svg_title(const xmlNode *root)
{
	const xmlNode *c;
	xmlChar *t;
	int ok = 0;

	for (c = root->children; c != NULL && !ok; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !bimi_svg_is(c->name,
		    "title") || !bimi_svg_ns(c->ns, BIMI_SVG_NS))
			continue;
		t = xmlNodeGetContent(c);
		ok = t != NULL && t[strspn((const char *)t, " \t\r\n")] != '\0';
		xmlFree(t);
	}
	return ok;
}

/* bimi_svg_root - <svg version="1.2" baseProfile="tiny-ps"> and a title */
static int
bimi_svg_root(struct bimi_svg_walk *w, const xmlNode *root)
{
	const xmlAttr *a;
	xmlChar *version, *profile;
	int rc = 0;

	if (root == NULL || !bimi_svg_is(root->name, "svg") ||
	    !bimi_svg_ns(root->ns, BIMI_SVG_NS))
		return bimi_svg_refuse(w, "the root is not an SVG svg element",
		    NULL);
	version = xmlGetNoNsProp(root, (const xmlChar *)"version");
	profile = xmlGetNoNsProp(root, (const xmlChar *)"baseProfile");
	if (!bimi_svg_is(version, "1.2"))
		rc = bimi_svg_refuse(w, "the root's version is not 1.2", NULL);
	else if (!bimi_svg_is(profile, "tiny-ps"))
		rc = bimi_svg_refuse(w, "the root's baseProfile is not tiny-ps",
		    NULL);
	else if (!bimi_svg_title(root))
		rc = bimi_svg_refuse(w, "no title element", NULL);
	xmlFree(version);
	xmlFree(profile);
	for (a = root->properties; rc == 0 && a != NULL; a = a->next)
		rc = bimi_svg_attr(w, a, 1);
	return rc != 0 ? -1 : bimi_svg_children(w, root, 1, 0);
}

/* bimi_svg_prolog - around the root: comments and a DTD line only */
static int
bimi_svg_prolog(struct bimi_svg_walk *w, const xmlDoc *doc)
{
	const xmlNode *c;

	/* <?xml-stylesheet href=...?> would pull in a style sheet */
	for (c = doc->children; c != NULL; c = c->next)
		if (c->type != XML_ELEMENT_NODE &&
		    c->type != XML_COMMENT_NODE && c->type != XML_DTD_NODE)
			return bimi_svg_refuse(w, "processing instruction or "
			    "other node not allowed", c->name);
	return 0;
}

/* bimi_svg_declares - the bytes hold an entity declaration (or a NUL) */
static int
bimi_svg_declares(const char *p, size_t len)
{
	static const char decl[] = "<!ENTITY";
	size_t i;

	if (memchr(p, '\0', len) != NULL)
		return 1;
	for (i = 0; i + sizeof(decl) - 1 <= len; i++)
		if (p[i] == '<' && memcmp(p + i, decl, sizeof(decl) - 1) == 0)
			return 1;
	return 0;
}

/* bimi_svg_check - len bytes of SVG against the profile; why not */
int
bimi_svg_check(const char *p, size_t len, struct buf *why)
{
	struct bimi_svg_walk w;
	xmlDocPtr doc;
	int rc;

	if (len > BIMI_SVG_MAX)
		return buf_printf(why, "larger than %d bytes", BIMI_SVG_MAX),
		    -1;
	/* billion laughs and external entities: refused, never expanded */
	if (bimi_svg_declares(p, len))
		return buf_puts(why, "entity declaration or NUL byte"), -1;
	doc = xmlReadMemory(p, (int)len, "indicator.svg", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return buf_puts(why, "not well-formed XML"), -1;
	memset(&w, 0, sizeof(w));
	w.why = why;
	if (doc->intSubset != NULL && (doc->intSubset->entities != NULL ||
	    doc->intSubset->pentities != NULL))
		rc = bimi_svg_refuse(&w, "entity declaration", NULL);
	else if (bimi_svg_prolog(&w, doc) != 0)
		rc = -1;
	else
		rc = bimi_svg_root(&w, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	return rc;
}

/* bimi_svg_is_gzip - an SVGZ (RFC 1952 magic) */
int
bimi_svg_is_gzip(const char *p, size_t len)
{
	return len >= 2 && (unsigned char)p[0] == 0x1f &&
	    (unsigned char)p[1] == 0x8b;
}

/* bimi_svg_gunzip - an SVGZ's SVG, at most max bytes; -1 with why */
int
bimi_svg_gunzip(const char *p, size_t len, size_t max, struct buf *out,
    struct buf *why)
{
	unsigned char chunk[8192];
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return buf_puts(why, "zlib: inflateInit2 failed"), -1;
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if ((rc != Z_OK && rc != Z_STREAM_END) || out->len +
		    (sizeof(chunk) - z.avail_out) > max ||
		    buf_append(out, chunk, sizeof(chunk) - z.avail_out) != 0) {
			inflateEnd(&z);
			buf_puts(why, rc != Z_OK && rc != Z_STREAM_END ?
			    "not a gzip stream" : "larger than the limit when "
			    "uncompressed");
			return -1;
		}
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	return 0;
}
