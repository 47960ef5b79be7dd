/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Counters and expiry. Entries count packets and bytes themselves (no
 * shared write per packet); a fold adds those deltas to the rules the
 * entry's walk matched and to the tables it visited. Only entries used
 * since their last fold are on the dirty list, so a fold costs what was
 * used, not the cache size.
 *
 * The rules' counters are shared by every worker and added to with
 * relaxed atomics at fold time (not per packet): that keeps the per-rule
 * memory at one set of counters instead of one per worker.
 */
#include <string.h>

#include "ft_cache_int.h"

/* Fold at least this often when the caller runs maintenance. Whoever needs
 * exact counters (a stats reply, flow expiry) asks for a fold first, so
 * this only bounds the dirty list and how stale an unasked-for counter
 * gets; each fold costs atomic adds on every rule a used entry matched. */
#define FOLD_INTERVAL_NS 100000000ull
#define FOLD_SLICE_MIN   64u

/* Table counters of one fold, summed here and added once per table: many
 * entries visit the same tables, and atomic adds on shared lines are what
 * a fold costs. */
struct fold_tables {
    uint64_t lookups[FT_N_TABLES];
    uint64_t matches[FT_N_TABLES];
    uint64_t touched[(FT_N_TABLES + 63) / 64];
};

static void
fold_entry(struct ft_cache *c, struct ft_centry *e, struct fold_tables *acc)
{
    e->flags &= (uint16_t)~CE_DIRTY;
    if (!e->packets || !e->meta)
        return;
    for (uint16_t i = 0; i < e->meta->n_visits; i++) {
        const struct ft_cvisit *v = &e->meta->visits[i];
        if (v->resumed)
            continue; /* Counted by the entry that recirculated the packet. */
        if (v->rule)
            ft_rule_add_stats(v->rule, e->packets, e->bytes, e->used_ns);
        uint64_t matched = v->rule ? e->packets : 0;
        if (acc) {
            acc->lookups[v->table_id] += e->packets;
            acc->matches[v->table_id] += matched;
            acc->touched[v->table_id / 64] |= 1ull << (v->table_id % 64);
        } else {
            ft_pipeline_table_count(c->p, v->table_id, e->packets, matched);
        }
    }
    e->packets = 0;
    e->bytes = 0;
}

void
ft_cache_fold_entry(struct ft_cache *c, struct ft_centry *e)
{
    fold_entry(c, e, NULL);
}

/* Fold dirty[from, to), summing table counters for one add per table. */
static void
fold_range(struct ft_cache *c, uint32_t from, uint32_t to)
{
    struct fold_tables acc;
    memset(&acc, 0, sizeof acc);
    for (uint32_t i = from; i < to; i++) {
        struct ft_centry *e = &c->pool[c->dirty[i]];
        if (e->st != FT_ST_NONE && (e->flags & CE_DIRTY))
            fold_entry(c, e, &acc);
    }
    for (unsigned w = 0; w < sizeof acc.touched / sizeof acc.touched[0]; w++)
        for (uint64_t bits = acc.touched[w]; bits; bits &= bits - 1) {
            unsigned t = w * 64 + (unsigned)__builtin_ctzll(bits);
            ft_pipeline_table_count(c->p, (uint8_t)t, acc.lookups[t], acc.matches[t]);
        }
}

void
ft_cache_fold(struct ft_cache *c, uint64_t now_ns)
{
    fold_range(c, c->fold_pos, c->n_dirty); /* Entries before fold_pos are folded. */
    c->n_dirty = 0;
    c->fold_pos = 0;
    c->last_fold_ns = now_ns;
}

void
ft_cache_maintain(struct ft_cache *c, uint64_t now_ns, unsigned budget)
{
    ft_cache_conts_reap(c);
    for (unsigned i = 0; i < budget; i++) {
        uint32_t idx = c->clock_hand;
        c->clock_hand = (c->clock_hand + 1) % c->cfg.max_entries;
        const struct ft_centry *e = &c->pool[idx];
        if (e->st != FT_ST_NONE && now_ns > e->used_ns && now_ns - e->used_ns > c->cfg.idle_ns)
            ft_cache_evict(c, idx, &c->st.evict_idle);
    }
    /* The periodic fold goes in slices, one per call (about a millisecond
     * apart), so it never holds up packets for long: a whole fold of
     * thousands of entries is a cache miss or more each, and took the
     * worker away for a millisecond every fold (p99 latency). A slice is a
     * fiftieth of the list, at least FOLD_SLICE_MIN entries. */
    if (!c->fold_pos) {
        if (now_ns - c->last_fold_ns < FOLD_INTERVAL_NS || !c->n_dirty)
            return;
        c->fold_end = c->n_dirty; /* Entries dirtied from now on wait for the next fold. */
    }
    uint32_t slice = c->fold_end / 50 > FOLD_SLICE_MIN ? c->fold_end / 50 : FOLD_SLICE_MIN;
    uint32_t end = c->fold_end - c->fold_pos > slice ? c->fold_pos + slice : c->fold_end;
    fold_range(c, c->fold_pos, end);
    c->fold_pos = end;
    if (end == c->fold_end) {
        uint32_t rest = c->n_dirty - end;
        memmove(c->dirty, c->dirty + end, rest * sizeof c->dirty[0]);
        c->n_dirty = rest;
        c->fold_pos = 0;
        c->last_fold_ns = now_ns;
    }
}
