/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * limits - the configuration's maxima are the modules' compiled limits
 *
 * lib/util/config.c cannot include the headers of the layers above it, so
 * its table rows name CONFIG_MAX_* (util/config.h); here, where both are
 * visible, a mismatch fails the build.
 */
#include "autoconf.h"

#include "util/config.h"
#include "mail/hdr.h"
#include "auth/arc.h"
#include "auth/dkim.h"
#include "auth/keytable.h"
#include "auth/spf.h"

_Static_assert(CONFIG_MAX_SIGNATURES == DKIM_MAX_SIGNATURES,
    "dkim.max_signatures maximum is not DKIM_MAX_SIGNATURES");
_Static_assert(CONFIG_MAX_HEADERS == HDR_MAX_FIELDS,
    "limits.headers maximum is not HDR_MAX_FIELDS");
_Static_assert(CONFIG_MAX_HEADER_SIZE == HDR_MAX_FIELD,
    "limits.header_size maximum is not HDR_MAX_FIELD");
_Static_assert(CONFIG_MAX_HEADER_BYTES == HDR_MAX_BYTES,
    "limits.header_bytes maximum is not HDR_MAX_BYTES");
_Static_assert(CONFIG_MAX_ARC_SETS == ARC_MAX_INSTANCE,
    "limits.arc_sets maximum is not ARC_MAX_INSTANCE");
_Static_assert(CONFIG_MAX_SPF_LOOKUPS == SPF_MAX_TERMS,
    "limits.spf_lookups maximum is not SPF_MAX_TERMS");
_Static_assert(KEYTABLE_MAX_KEYS <= HDR_MAX_TOP,
    "every signature of a message must fit on top of the header store");
