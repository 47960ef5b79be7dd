/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Classification: flow keys in, one program per packet out. Today every
 * packet walks the pipeline (ft_walk) in the snapshot's version; the flow
 * cache will replace the body of dp_classify() and use the two hooks below
 * (the changes of each new version, and fold requests). The call site is
 * already batch-shaped.
 *
 * Counters: each walk counts the packet into every rule it visited
 * (batched per loop: dp_stats_flush) and each table's lookups/matches.
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
    for (unsigned i = 0; i < DP_RULE_BATCH; i++) {
        struct dp_rule_acc *a = &w->rule_acc[i];
        if (a->rule) {
            ft_rule_add_stats(a->rule, a->packets, a->bytes, w->now_ns);
            a->rule = NULL;
        }
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

static uint8_t
drop_reason(const struct ft_walk_out *o)
{
    if (o->flags & FT_WALK_F_UNMODELLED)
        return DP_DROP_UNMODELLED;
    if (o->flags & FT_WALK_F_OVERFLOW)
        return DP_DROP_OVERFLOW;
    if (o->n_visits && !o->visits[o->n_visits - 1].rule)
        return DP_DROP_NO_MATCH;
    return DP_DROP_ACTION_DROP;
}

unsigned
dp_classify(struct dp_worker *w, const struct ft_key *keys, const uint32_t *lens, unsigned n,
            struct dp_prog *progs)
{
    const struct dp_snap *s = w->snap;
    struct ft_walk_out *o = w->walk;
    size_t used = 0;
    unsigned i;
    uint64_t t0 = rte_rdtsc();
    for (i = 0; i < n && DP_ARENA_OPS - used >= FT_WALK_MAX_OPS; i++) {
        ft_walk(w->dp->p, s->version, &keys[i], o);
        dp_count_walk(w, o, lens[i]);
        memcpy(w->arena + used, o->ops, o->n_ops * sizeof o->ops[0]);
        progs[i] =
            (struct dp_prog){.ops = w->arena + used, .n_ops = o->n_ops, .drop = drop_reason(o)};
        used += o->n_ops;
    }
    DP_COUNT(w->c.misses, i);
    DP_COUNT(w->c.miss_cycles, rte_rdtsc() - t0);
    return i;
}

void
dp_classify_changes(struct dp_worker *w, const struct dp_snap *s)
{
    /* No cache yet: nothing depends on the old version. The flow cache
     * evicts the entries s->changes affect here (everything when
     * w->changes_lost), then clears w->changes_lost. */
    (void)s;
    w->changes_lost = false;
}

void
dp_classify_maintain(struct dp_worker *w)
{
    /* Called about once a millisecond between bursts. Nothing to do
     * without a cache; the flow cache's periodic fold and aging go here. */
    (void)w;
}

void
dp_classify_fold(struct dp_worker *w)
{
    /* Walk counters are flushed at the end of every loop (dp_stats_flush):
     * nothing is held back. The flow cache folds its entries here. */
    (void)w;
}
