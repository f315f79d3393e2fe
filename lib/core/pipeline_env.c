/*
 * pipeline_env - what one configuration shares among its sessions
 * (resolver, libopendkim, public suffix list, sealing key, key cache,
 * report store) and the slot that swaps it on reload
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "util/config.h"
#include "util/log.h"
#include "auth/bimi.h"
#include "auth/dkim.h"
#include "core/metrics.h"
#include "core/pipeline_priv.h"
#include "auth/pkey.h"
#include "auth/pkeycache.h"
#include "auth/psl.h"
#include "report/report.h"
#include "dns/resolver.h"
#include "util/xalloc.h"

/* pipeline_env_new - resolver for cfg; takes the caller's cfg reference */
struct pipeline_env *
pipeline_env_new(struct config *cfg, struct buf *why)
{
	struct pipeline_env *env;
	char host[256];

	env = xcalloc(1, sizeof(*env));
	atomic_init(&env->refs, 1);
	env->cfg = cfg;
	if ((env->res = resolver_new(cfg, why)) == NULL) {
		config_release(cfg);
		free(env);
		return NULL;
	}
	if ((env->dkim = dkim_context_new(env->res, cfg, why)) == NULL ||
	    (env->bimi = bimi_context_new(cfg, why)) == NULL ||
	    (cfg->dmarc.enabled && cfg->dmarc.mode == CONFIG_DMARC_RFC7489 &&
	    (env->psl = psl_load(cfg->dmarc.public_suffix_file, why)) ==
	    NULL) || (cfg->arc.seal.enabled && (env->seal_key =
	    pkey_load_private(cfg->arc.seal.key_file, why)) == NULL)) {
		psl_free(env->psl);
		bimi_context_free(env->bimi);
		dkim_context_free(env->dkim);
		resolver_free(env->res);
		config_release(cfg);
		free(env);
		return NULL;
	}
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	env->hostname = xstrdup(host);
	env->keys = pkeycache_new(PKEYCACHE_ENTRIES);
	if (RAND_bytes(env->redact_key, sizeof(env->redact_key)) != 1)
		log_panic("RAND_bytes failed: no redaction key");
	/* records are queued by milter threads, written by the store's own */
	env->reports = report_store_new(cfg);
	return env;
}

/* pipeline_env_ref - one more user */
struct pipeline_env *
pipeline_env_ref(struct pipeline_env *env)
{
	atomic_fetch_add(&env->refs, 1);
	return env;
}

/* pipeline_env_release - one user less; the last frees resolver and config */
void
pipeline_env_release(struct pipeline_env *env)
{
	if (env == NULL || atomic_fetch_sub(&env->refs, 1) != 1)
		return;
	/* drain first: nothing acknowledged is lost on reload or stop */
	report_store_free(env->reports);
	dkim_context_free(env->dkim);
	bimi_context_free(env->bimi);
	psl_free(env->psl);
	EVP_PKEY_free(env->seal_key);
	pkeycache_free(env->keys);
	resolver_free(env->res);
	config_release(env->cfg);
	free(env->hostname);
	free(env);
}

/* pipeline_env_config - the configuration in force for this env */
const struct config *
pipeline_env_config(const struct pipeline_env *env)
{
	return env->cfg;
}

/* pipeline_env_queue_depth - the report store's queue, for the gauge */
static long
pipeline_env_queue_depth(void *store)
{
	return (long)report_queue_depth(store);
}

/*
 * pipeline_env_attach - the process's one struct metrics into a new env,
 * before the env is published: its sessions, its resolver, its key cache
 * and its report queue count into it
 */
void
pipeline_env_attach(struct pipeline_env *env, struct metrics *m)
{
	env->metrics = m;
	resolver_set_observer(env->res, metrics_dns, m);
	pkeycache_set_observer(env->keys, metrics_key_cache, m);
	metrics_set_queue_depth(m, env->reports != NULL ?
	    pipeline_env_queue_depth : NULL, env->reports);
}

/*
 * pipeline_env_trace - fn(arg, event) after every DNS lookup made through
 * this env (authmilter-check --trace); before the env is shared
 */
void
pipeline_env_trace(struct pipeline_env *env,
    void (*fn)(void *, const struct resolver_event *), void *arg)
{
	resolver_set_tracer(env->res, fn, arg);
}

/* pipeline_env_metrics - the metrics it counts into, or NULL */
struct metrics *
pipeline_env_metrics(const struct pipeline_env *env)
{
	return env->metrics;
}

/*
 * pipeline_env_dry_run - authmilter-check: messages through this env are
 * never recorded for aggregate reports
 */
void
pipeline_env_dry_run(struct pipeline_env *env)
{
	report_store_free(env->reports);
	env->reports = NULL;
}

/* pipeline_slot_init - publish the first env (takes its reference) */
void
pipeline_slot_init(struct pipeline_slot *slot, struct pipeline_env *env)
{
	pthread_mutex_init(&slot->lock, NULL);
	slot->cur = env;
}

/* pipeline_slot_acquire - a reference to the env in force */
struct pipeline_env *
pipeline_slot_acquire(struct pipeline_slot *slot)
{
	struct pipeline_env *env;

	/* take the reference under the lock that publishes the pointer */
	pthread_mutex_lock(&slot->lock);
	env = pipeline_env_ref(slot->cur);
	pthread_mutex_unlock(&slot->lock);
	return env;
}

/* pipeline_slot_swap - new env in force; open sessions keep the old one */
void
pipeline_slot_swap(struct pipeline_slot *slot, struct pipeline_env *env)
{
	struct pipeline_env *old;

	pthread_mutex_lock(&slot->lock);
	old = slot->cur;
	slot->cur = env;
	pthread_mutex_unlock(&slot->lock);
	pipeline_env_release(old);
}

/* pipeline_slot_destroy - drop the slot's reference */
void
pipeline_slot_destroy(struct pipeline_slot *slot)
{
	pipeline_env_release(slot->cur);
	slot->cur = NULL;
	pthread_mutex_destroy(&slot->lock);
}
