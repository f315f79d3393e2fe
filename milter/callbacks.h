/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * callbacks - the libmilter callback table; thin adapters to lib/pipeline
 *
 * STANDARDS   the sendmail milter protocol v6 as Postfix 3.7 speaks it.
 * OWNERSHIP   per-connection state (struct milter_conn) hangs off the
 *             SMFICTX through smfi_setpriv() from negotiate to close.
 * LOCKING     callbacks_init() stores the env slot before smfi_main();
 *             after that the slot's own mutex is the only shared state.
 * ERRORS      no callback fails a message for an internal reason: every
 *             fault goes through verdict_on_error().
 */
#ifndef AUTHMILTER_CALLBACKS_H
#define AUTHMILTER_CALLBACKS_H

#include <libmilter/mfapi.h>

struct pipeline_slot;

void	callbacks_init(struct pipeline_slot *);
struct smfiDesc *callbacks_desc(void);

#endif
