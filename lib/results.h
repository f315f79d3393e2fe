/*
 * results - what the checks of one message found
 *
 * STANDARDS   DESIGN.md "Data that flows": written once per method, read by
 *             the A-R writer, the policy and (later) the report store.
 * OWNERSHIP   a struct results owns its method results; results_free().
 *             results_authres() fills a caller-initialized struct authres.
 * LOCKING     none; one message.
 * ERRORS      none.
 */
#ifndef AUTHMILTER_RESULTS_H
#define AUTHMILTER_RESULTS_H

#include "spf.h"

struct authres;
struct buf;

struct results {
	struct spf_result spf;	/* SPF (checked = 0 when not run) */
};

void	results_free(struct results *);
int	results_temperror(const struct results *);
void	results_authres(const struct results *, struct authres *);
void	results_log(const struct results *, struct buf *);
void	results_json(const struct results *, struct buf *);

#endif
