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
 * this only bounds how stale an unasked-for counter gets. */
#define FOLD_INTERVAL_NS 100000000ull
/* Entries folded per step. A fold costs atomic adds on every rule a used
 * entry matched, a cache miss or more each: folding a fiftieth of 100,000
 * dirty entries at once held the worker for ~200 us every millisecond
 * (p99 latency); 256 keep a step near 18 us (45 without fold_prefetch). */
#define FOLD_SLICE       256u
/* Entries folded per call while a worker has no packets: a packet that
 * arrives meanwhile waits a few microseconds at most. */
#define FOLD_IDLE_SLICE  32u

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

static inline uint32_t
slot_of(const struct ft_cache *c, uint64_t pos)
{
    return (uint32_t)(pos % c->cfg.max_entries);
}

void
ft_cache_dirty(struct ft_cache *c, uint32_t idx)
{
    struct ft_centry *e = &c->pool[idx];
    e->flags |= CE_DIRTY;
    e->dirty_slot = slot_of(c, c->dirty_tail);
    c->dirty[e->dirty_slot] = idx; /* Room: each live entry is there once at most. */
    c->dirty_tail++;
}

void
ft_cache_fold_evicted(struct ft_cache *c, uint32_t idx)
{
    struct ft_centry *e = &c->pool[idx];
    fold_entry(c, e, NULL);
    /* The list's last entry takes its slot: still unfolded, it is folded
     * with the running fold at worst a little early. */
    uint32_t last = slot_of(c, --c->dirty_tail);
    if (e->dirty_slot != last) {
        c->dirty[e->dirty_slot] = c->dirty[last];
        c->pool[c->dirty[last]].dirty_slot = e->dirty_slot;
    }
    if (c->fold_end > c->dirty_tail)
        c->fold_end = c->dirty_tail;
}

static inline struct ft_centry *
dirty_entry(const struct ft_cache *c, uint64_t pos)
{
    return &c->pool[c->dirty[slot_of(c, pos)]];
}

/* Entries ahead of the one being folded whose next level is fetched: a
 * fold is a chain of misses (list slot -> entry -> meta -> visits ->
 * rules), so one level is fetched per stride, each for an entry closer to
 * its fold. */
#define FOLD_AHEAD 4u

static void
fold_prefetch(const struct ft_cache *c, uint64_t pos, uint64_t end)
{
    if (pos + 4 * FOLD_AHEAD < end)
        __builtin_prefetch(dirty_entry(c, pos + 4 * FOLD_AHEAD));
    if (pos + 3 * FOLD_AHEAD < end) {
        const struct ft_centry *e = dirty_entry(c, pos + 3 * FOLD_AHEAD);
        if (e->packets && e->meta)
            __builtin_prefetch(e->meta);
    }
    if (pos + 2 * FOLD_AHEAD < end) {
        const struct ft_centry *e = dirty_entry(c, pos + 2 * FOLD_AHEAD);
        if (e->packets && e->meta)
            __builtin_prefetch(e->meta->visits);
    }
    if (pos + FOLD_AHEAD < end) {
        const struct ft_centry *e = dirty_entry(c, pos + FOLD_AHEAD);
        if (e->packets && e->meta)
            for (uint16_t i = 0; i < e->meta->n_visits && i < 4; i++)
                if (e->meta->visits[i].rule)
                    ft_rule_prefetch_stats(e->meta->visits[i].rule);
    }
}

/* Fold up to max entries from the list's head, within the running fold,
 * summing table counters for one add per table. */
static void
fold_some(struct ft_cache *c, uint64_t max)
{
    struct fold_tables acc;
    memset(&acc, 0, sizeof acc);
    uint64_t end = c->fold_end - c->dirty_head > max ? c->dirty_head + max : c->fold_end;
    for (; c->dirty_head < end; c->dirty_head++) {
        fold_prefetch(c, c->dirty_head, end);
        fold_entry(c, dirty_entry(c, c->dirty_head), &acc);
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
    c->fold_end = c->dirty_tail;
    fold_some(c, UINT64_MAX);
    c->last_fold_ns = now_ns;
}

void
ft_cache_fold_request(struct ft_cache *c)
{
    c->fold_end = c->dirty_tail; /* A running fold takes what was dirtied since. */
}

static bool
fold_slice(struct ft_cache *c, uint64_t now_ns, uint64_t slice)
{
    if (c->dirty_head == c->fold_end)
        return true;
    fold_some(c, slice);
    if (c->dirty_head < c->fold_end)
        return false;
    c->last_fold_ns = now_ns;
    return true;
}

bool
ft_cache_fold_step(struct ft_cache *c, uint64_t now_ns)
{
    return fold_slice(c, now_ns, FOLD_SLICE);
}

bool
ft_cache_fold_idle(struct ft_cache *c, uint64_t now_ns)
{
    return fold_slice(c, now_ns, FOLD_IDLE_SLICE);
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
    /* The periodic fold goes in steps, one per call (about a millisecond
     * apart), so it never holds packets up for long. */
    if (c->dirty_head == c->fold_end && now_ns - c->last_fold_ns >= FOLD_INTERVAL_NS)
        c->fold_end = c->dirty_tail;
    ft_cache_fold_step(c, now_ns);
}
