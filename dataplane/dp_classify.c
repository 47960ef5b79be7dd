/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Classification: flow keys in, one program per packet out, through the
 * worker's flow cache (flowtable/ft_cache.h): EMC, signature index,
 * megaflow subtables, and on a miss a walk of the snapshot's version that
 * is installed. The hooks below keep the cache true to the pipeline: the
 * changes of each new version evict exactly what they affect, folds push
 * the entries' counters into the rules, and maintenance ages entries and
 * publishes the cache's report for the agent.
 *
 * Counters: the cache counts packets per entry and folds them into rules
 * and tables (every couple of milliseconds, on eviction, on demand).
 * Packet-outs still walk directly and are counted by dp_count_walk.
 */
#include <string.h>

#include <rte_cycles.h>

#include "dp_int.h"

static inline unsigned
acc_slot(const struct ft_rule *r)
{
    uintptr_t p = (uintptr_t)r;
    return (unsigned)((p >> 6) ^ (p >> 13)) & (DP_RULE_BATCH - 1);
}

static void
rule_count(struct dp_worker *w, const struct ft_rule *r, uint32_t len)
{
    struct dp_rule_acc *a = &w->rule_acc[acc_slot(r)];
    if (a->rule != r) {
        if (a->rule)
            ft_rule_add_stats(a->rule, a->packets, a->bytes, w->now_ns);
        a->rule = r;
        w->rule_acc_used |= 1ull << acc_slot(r);
        a->packets = 0;
        a->bytes = 0;
    }
    a->packets++;
    a->bytes += len;
}

void
dp_count_walk(struct dp_worker *w, const struct ft_walk_out *o, uint32_t len)
{
    for (uint16_t v = 0; v < o->n_visits; v++) {
        if (o->visits[v].resumed)
            continue; /* Counted before the recirculation. */
        uint8_t t = o->visits[v].table_id;
        w->tbl_lookups[t]++;
        w->tbl_touched[t >> 6] |= 1ull << (t & 63);
        if (o->visits[v].rule) {
            w->tbl_matches[t]++;
            rule_count(w, o->visits[v].rule, len);
        }
    }
}

void
dp_stats_flush(struct dp_worker *w)
{
    /* Only the slots misses filled: a poll of cache hits skips them all. */
    for (; w->rule_acc_used; w->rule_acc_used &= w->rule_acc_used - 1) {
        struct dp_rule_acc *a = &w->rule_acc[__builtin_ctzll(w->rule_acc_used)];
        ft_rule_add_stats(a->rule, a->packets, a->bytes, w->now_ns);
        a->rule = NULL;
    }
    for (unsigned k = 0; k < 4; k++) {
        while (w->tbl_touched[k]) {
            unsigned t = k * 64 + (unsigned)__builtin_ctzll(w->tbl_touched[k]);
            w->tbl_touched[k] &= w->tbl_touched[k] - 1;
            ft_pipeline_table_count(w->dp->p, (uint8_t)t, w->tbl_lookups[t], w->tbl_matches[t]);
            w->tbl_lookups[t] = 0;
            w->tbl_matches[t] = 0;
        }
    }
}

unsigned
dp_classify(struct dp_worker *w, const struct ft_key *const *keys, const uint16_t *n_run,
            const uint32_t *lens, unsigned n, struct ft_cache_result *progs)
{
    if (n > FT_CACHE_BURST)
        n = FT_CACHE_BURST; /* Programs stay valid until the next lookup. */
    uint64_t miss_cycles = w->cache_miss_cycles;
    struct ft_cache_tally t =
        ft_cache_lookup_runs(w->cache, keys, n_run, lens, n, progs, w->now_ns);
    if (t.misses) {
        struct ft_cache_stats st;
        ft_cache_stats(w->cache, &st);
        w->cache_miss_cycles = st.miss_cycles;
        DP_COUNT(w->c.miss_cycles, st.miss_cycles - miss_cycles);
        DP_COUNT(w->c.misses, t.misses);
    }
    DP_COUNT(w->c.emc_hits, t.emc);
    DP_COUNT(w->c.cache_hits, t.hits);
    return n;
}

void
dp_classify_changes(struct dp_worker *w, const struct dp_snap *s)
{
    if (!w->cache)
        return;
    uint64_t have = ft_cache_version(w->cache);
    if (w->changes_lost || s->version > have + 1) /* A version went by unseen. */
        ft_cache_sync(w->cache, s->version, NULL, 0, true);
    else if (s->version == have + 1)
        ft_cache_sync(w->cache, s->version, s->changes, s->n_changes, false);
    w->changes_lost = false;
    /* New stages (dp_stages.c): the cache folds and starts over. */
    ft_cache_set_stages(w->cache, &s->stages, dp_clock_ns());
}

/* Copy the cache's report where the agent can read it (dp_cache_stats). */
static void
publish(struct dp_worker *w)
{
    struct dp_cache_info *pub = &w->cache_pub;
    uint32_t seq = atomic_load_explicit(&w->cache_seq, memory_order_relaxed);
    atomic_store_explicit(&w->cache_seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    pub->lcore = w->lcore;
    ft_cache_stats(w->cache, &pub->st);
    pub->n_masks = 0;
    ft_cache_masks_foreach(w->cache, dp_cache_mask_note, pub);
    atomic_store_explicit(&w->cache_seq, seq + 2, memory_order_release);
}

void
dp_cache_mask_note(void *aux, const struct ft_key *mask, uint32_t entries, uint64_t hits)
{
    struct dp_cache_info *pub = aux;
    if (pub->n_masks < DP_CACHE_MASKS)
        pub->masks[pub->n_masks++] = (struct dp_cache_mask){*mask, entries, hits};
}

void
dp_classify_maintain(struct dp_worker *w)
{
    if (!w->cache)
        return;
    /* Called about once a millisecond: age a slice of the entries (and
     * fold the used ones every few ms), then publish the report. */
    ft_cache_maintain(w->cache, dp_clock_ns(), 256);
    publish(w);
}

void
dp_classify_fold(struct dp_worker *w)
{
    if (w->cache)
        ft_cache_fold(w->cache, dp_clock_ns());
}

void
dp_classify_fold_request(struct dp_worker *w)
{
    if (w->cache)
        ft_cache_fold_request(w->cache);
}

bool
dp_classify_fold_step(struct dp_worker *w)
{
    return !w->cache || ft_cache_fold_step(w->cache, dp_clock_ns());
}

void
dp_classify_idle(struct dp_worker *w)
{
    if (w->cache)
        (void)ft_cache_fold_idle(w->cache, w->now_ns);
}

uint32_t
dp_worker_cache_entries(struct dp_worker *w)
{
    for (int tries = 0; tries < 1000; tries++) {
        uint32_t a = atomic_load_explicit(&w->cache_seq, memory_order_acquire);
        if (a & 1)
            continue;
        uint32_t n = w->cache_pub.st.entries;
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&w->cache_seq, memory_order_relaxed) == a)
            return n;
    }
    return 0;
}

size_t
dp_cache_stats(struct dp *dp, struct dp_cache_info *out, size_t max)
{
    size_t n = 0;
    for (unsigned i = 0; i < dp->n_workers; i++) {
        struct dp_worker *w = dp->workers[i];
        if (!w->cache)
            continue;
        if (n < max) {
            /* A consistent copy: retry while the worker is writing. */
            for (int tries = 0; tries < 1000; tries++) {
                uint32_t a = atomic_load_explicit(&w->cache_seq, memory_order_acquire);
                if (a & 1)
                    continue;
                out[n] = w->cache_pub;
                atomic_thread_fence(memory_order_acquire);
                if (atomic_load_explicit(&w->cache_seq, memory_order_relaxed) == a)
                    break;
            }
        }
        n++;
    }
    return n;
}
