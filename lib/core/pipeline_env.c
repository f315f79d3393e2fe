/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline_env - what one configuration shares among its sessions
 * (resolver, libopendkim, public suffix list, sealing key, key cache,
 * report store, BIMI's roots and fetch cache, the redaction key) and the
 * slot that swaps it on reload
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
#include "auth/dkimsign.h"
#include "auth/keytable.h"
#include "core/metrics.h"
#include "core/pipeline_priv.h"
#include "auth/pkey.h"
#include "auth/pkeycache.h"
#include "auth/psl.h"
#include "report/report.h"
#include "core/ingest.h"
#include "dns/resolver.h"
#include "util/xalloc.h"

/* pipeline_env_free - everything an env holds; the last reference is gone */
static void
pipeline_env_free(struct pipeline_env *env)
{
	/* drain first: nothing acknowledged is lost on reload or stop */
	report_store_free(env->reports);
	ingest_queue_free(env->ingest);
	dkim_context_free(env->dkim);
	bimi_context_free(env->bimi);
	dkimsign_context_free(env->signer);
	keytable_free(env->sign_keys);
	keytable_free(env->seal_keys);
	psl_free(env->psl);
	EVP_PKEY_free(env->seal_key);
	pkeycache_free(env->keys);
	resolver_free(env->res);
	config_release(env->cfg);
	free(env->hostname);
	free(env);
}

/*
 * pipeline_env_keys - the key tables (arc.seal.keys, signing.keys) and
 * the signing library; a reason names the key table it is about
 */
static int
pipeline_env_keys(struct pipeline_env *env, struct buf *why)
{
	const struct config *cfg = env->cfg;

	if (cfg->arc.seal.enabled && (env->seal_keys = keytable_new(
	    &cfg->arc.seal.keys, "arc.seal.keys", cfg->milter.user, 1,
	    why)) == NULL)
		return -1;
	if (cfg->signing.keys.n == 0)
		return 0;
	if ((env->sign_keys = keytable_new(&cfg->signing.keys,
	    "signing.keys", cfg->milter.user, KEYTABLE_MAX_KEYS, why)) ==
	    NULL || (env->signer = dkimsign_context_new(cfg, why)) == NULL)
		return -1;
	return 0;
}

/*
 * pipeline_env_where - "FILE:LINE: key: " in front of a reason: the key
 * the reason names first (the resolver's say which), else the fallback
 */
static void
pipeline_env_where(const struct config *cfg, const char *fallback,
    struct buf *why)
{
	static const char *const named[] = { "dns.nameservers",
	    "dns.local_zones", "dns.local_data", "arc.seal.keys",
	    "signing.keys", "bimi.trust_store", NULL };
	const char *key = fallback;
	struct buf out;
	size_t i, n;
	int named_it = 0;

	for (i = 0; named[i] != NULL; i++) {
		n = strlen(named[i]);
		if (strncmp(why->data, named[i], n) == 0 &&
		    (why->data[n] == ' ' || why->data[n] == ':')) {
			key = named[i];
			named_it = 1;
		}
	}
	buf_init(&out, why->max);
	config_where(cfg, key, &out);
	if (named_it)	/* the reason names it already */
		out.len -= strlen(key) + 2, out.data[out.len] = '\0';
	buf_append(&out, why->data, why->len);
	buf_reset(why);
	buf_append(why, out.data, out.len);
	buf_free(&out);
}

/*
 * pipeline_env_seal_key - arc.seal.key_file, whose type must be the one
 * arc.seal.algorithm signs with
 */
static EVP_PKEY *
pipeline_env_seal_key(const struct config *cfg, struct buf *why)
{
	int ed = cfg->arc.seal.algorithm == CONFIG_ARC_ED25519_SHA256;
	EVP_PKEY *key;

	if ((key = pkey_load_private(cfg->arc.seal.key_file, why)) == NULL)
		return NULL;
	if (EVP_PKEY_is_a(key, ed ? "ED25519" : "RSA"))
		return key;
	buf_printf(why, "%s: an %s key, but arc.seal.algorithm is \"%s\"",
	    cfg->arc.seal.key_file, ed ? "RSA" : "Ed25519",
	    config_enum_name("arc.seal.algorithm", cfg->arc.seal.algorithm));
	EVP_PKEY_free(key);
	return NULL;
}

/*
 * pipeline_env_new - resolver for cfg; takes the caller's cfg reference.
 * On failure why holds "FILE:LINE: key: reason".
 */
struct pipeline_env *
pipeline_env_new(struct config *cfg, struct buf *why)
{
	struct pipeline_env *env;
	const char *key = "dns";
	char host[256];

	env = xcalloc(1, sizeof(*env));
	atomic_init(&env->refs, 1);
	env->cfg = cfg;
	if ((env->res = resolver_new(cfg, why)) == NULL)
		goto fail;
	key = "dkim.enabled";
	if ((env->dkim = dkim_context_new(env->res, cfg, why)) == NULL)
		goto fail;
	key = "bimi.trust_store";
	if ((env->bimi = bimi_context_new(cfg, why)) == NULL)
		goto fail;
	key = "dmarc.public_suffix_file";
	if (cfg->dmarc.enabled && cfg->dmarc.mode == CONFIG_DMARC_RFC7489 &&
	    (env->psl = psl_load(cfg->dmarc.public_suffix_file, why)) == NULL)
		goto fail;
	key = "arc.seal.key_file";
	if (cfg->arc.seal.enabled &&
	    (env->seal_key = pipeline_env_seal_key(cfg, why)) == NULL)
		goto fail;
	key = "signing.keys";
	if (pipeline_env_keys(env, why) != 0)
		goto fail;
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	env->hostname = xstrdup(host);
	env->keys = pkeycache_new(PKEYCACHE_ENTRIES);
	if (RAND_bytes(env->redact_key, sizeof(env->redact_key)) != 1)
		log_panic("RAND_bytes failed: no redaction key");
	/* records are queued by milter threads, written by the store's own */
	env->reports = report_store_new(cfg);
	/* received reports: kept by milter threads, stored by the queue's */
	env->ingest = ingest_queue_new(cfg, env->res);
	return env;
fail:
	pipeline_env_where(cfg, key, why);
	pipeline_env_free(env);
	return NULL;
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
	pipeline_env_free(env);
}

/*
 * pipeline_env_records - what authmilter -n prints: for every key of the
 * sealing default, arc.seal.keys and signing.keys, a comment naming it
 * and the zone-file line of the TXT record its selector must publish
 */
void
pipeline_env_records(const struct pipeline_env *env, struct buf *out)
{
	const struct config *cfg = env->cfg;
	const struct keytable_key *k;
	size_t i;

	if (env->seal_key != NULL) {
		buf_printf(out, "; arc.seal: %s %s\n", cfg->arc.seal.domain,
		    cfg->arc.seal.selector);
		keytable_dns_line(cfg->arc.seal.selector, cfg->arc.seal.domain,
		    env->seal_key, out);
		buf_putc(out, '\n');
	}
	for (i = 0; (k = keytable_at(env->seal_keys, i)) != NULL; i++) {
		buf_printf(out, "; arc.seal.keys: %s\n", k->line);
		keytable_dns(k, out);
		buf_putc(out, '\n');
	}
	for (i = 0; (k = keytable_at(env->sign_keys, i)) != NULL; i++) {
		buf_printf(out, "; signing.keys: %s\n", k->line);
		keytable_dns(k, out);
		buf_putc(out, '\n');
	}
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
	ingest_queue_attach(env->ingest, m);
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
	ingest_queue_free(env->ingest);
	env->ingest = NULL;
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
