/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow cache's megaflow subtables: one per mask, probed in the order
 * of their hits; past max_masks a walk's mask merges into a more specific
 * one (see ft_cache_sub_for_mask).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_alloc.h"
#include "ft_cache_int.h"

#define RANK_EVERY 4096 /* Megaflow lookups between re-rankings. */

static int
sub_init(struct ft_csub *st, const struct ft_key *mask, bool exact)
{
    memset(st, 0, sizeof *st);
    st->mask = *mask;
    st->exact = exact;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        if (mask->w[i])
            st->words[st->n_words++] = (uint8_t)i;
    st->head_mask = 63;
    st->heads = ft_malloc((st->head_mask + 1) * sizeof *st->heads);
    if (!st->heads)
        return -ENOMEM;
    memset(st->heads, 0xff, (st->head_mask + 1) * sizeof *st->heads);
    return 0;
}

/* An empty subtable takes another mask, keeping its chain heads. */
static void
sub_reuse(struct ft_csub *st, const struct ft_key *mask)
{
    st->mask = *mask;
    st->n_words = 0;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        if (mask->w[i])
            st->words[st->n_words++] = (uint8_t)i;
    st->hits = 0;
    free(st->old_heads); /* Empty, as the new heads are. */
    st->old_heads = NULL;
    memset(st->heads, 0xff, (st->head_mask + 1) * sizeof *st->heads);
}

static bool
mask_covers(const struct ft_key *super, const struct ft_key *sub)
{
    for (int i = 0; i < FT_KEY_WORDS; i++)
        if (sub->w[i] & ~super->w[i])
            return false;
    return true;
}

static unsigned
mask_bits(const struct ft_key *m)
{
    unsigned n = 0;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        n += (unsigned)__builtin_popcountll(m->w[i]);
    return n;
}

/* The subtable for a walk's mask: its own, a new one, or — past max_masks —
 * the most general existing mask that is at least as specific (so the
 * entry stays correct, covering fewer packets), else the exact mask. */
uint16_t
ft_cache_sub_for_mask(struct ft_cache *c, const struct ft_key *mask)
{
    uint16_t exact = FT_ST_NONE, merged = FT_ST_NONE;
    unsigned merged_bits = UINT32_MAX, n_masks = 0;
    for (uint16_t s = 0; s < c->n_subs; s++) {
        const struct ft_csub *st = &c->subs[s];
        if (st->exact) {
            exact = s;
            continue;
        }
        n_masks++;
        if (ft_key_equal(&st->mask, mask))
            return s;
        if (mask_covers(&st->mask, mask)) {
            unsigned bits = mask_bits(&st->mask);
            if (bits < merged_bits) {
                merged = s;
                merged_bits = bits;
            }
        }
    }
    if (n_masks < c->cfg.max_masks) {
        if (sub_init(&c->subs[c->n_subs], mask, false))
            return FT_ST_NONE;
        c->rank[c->n_subs] = c->n_subs;
        return c->n_subs++;
    }
    /* At the cap, a subtable its entries all left gives its place to the
     * new mask (masks come and go with the rules). */
    for (uint16_t s = 0; s < c->n_subs; s++) {
        if (!c->subs[s].exact && !c->subs[s].n_entries) {
            sub_reuse(&c->subs[s], mask);
            c->sub_reuses++;
            return s;
        }
    }
    c->st.masks_merged++;
    if (merged != FT_ST_NONE)
        return merged;
    if (exact != FT_ST_NONE)
        return exact;
    struct ft_key all;
    memset(&all, 0xff, sizeof all);
    if (sub_init(&c->subs[c->n_subs], &all, true))
        return FT_ST_NONE;
    c->rank[c->n_subs] = c->n_subs;
    return c->n_subs++;
}

#define MOVE_PER_INSERT 4 /* Old buckets moved per insert while the heads double. */

static void
move_buckets(struct ft_cache *c, struct ft_csub *st, uint32_t n)
{
    for (; n && st->moved <= st->old_mask; n--, st->moved++) {
        for (uint32_t idx = st->old_heads[st->moved], next; idx != FT_NIL; idx = next) {
            struct ft_centry *e = &c->pool[idx];
            next = e->next;
            e->next = st->heads[e->hash & st->head_mask];
            st->heads[e->hash & st->head_mask] = idx;
        }
    }
    if (st->moved > st->old_mask) {
        free(st->old_heads);
        st->old_heads = NULL;
        return;
    }
    /* The next insert's buckets' first entries, far apart in the pool:
     * fetched while that insert's miss walks. */
    for (uint32_t b = st->moved; b < st->moved + MOVE_PER_INSERT && b <= st->old_mask; b++)
        if (st->old_heads[b] != FT_NIL)
            __builtin_prefetch(&c->pool[st->old_heads[b]], 1);
}

/* Start doubling the heads; the entries move over the next inserts. */
static void
grow(struct ft_csub *st)
{
    uint32_t mask = st->head_mask * 2 + 1;
    uint32_t *heads = ft_malloc((mask + 1) * sizeof *heads);
    if (!heads)
        return; /* Longer chains, still correct. */
    memset(heads, 0xff, (mask + 1) * sizeof *heads);
    st->old_heads = st->heads;
    st->old_mask = st->head_mask;
    st->moved = 0;
    st->heads = heads;
    st->head_mask = mask;
}

void
ft_cache_sub_insert(struct ft_cache *c, struct ft_csub *st, uint32_t idx)
{
    struct ft_centry *e = &c->pool[idx];
    uint32_t *head = ft_csub_chain(st, e->hash);
    e->next = *head;
    *head = idx;
    st->n_entries++;
    if (st->old_heads)
        move_buckets(c, st, MOVE_PER_INSERT);
    else if (st->n_entries > (st->head_mask + 1) / 2)
        grow(st); /* Half full at most: a hit visits 1.25 entries on average. */
}

void
ft_cache_sub_remove(struct ft_cache *c, struct ft_csub *st, uint32_t idx)
{
    struct ft_centry *e = &c->pool[idx];
    for (uint32_t *pp = ft_csub_chain(st, e->hash); *pp != FT_NIL; pp = &c->pool[*pp].next) {
        if (*pp == idx) {
            *pp = e->next;
            break;
        }
    }
    st->n_entries--;
}

void
ft_cache_sub_free(struct ft_csub *st)
{
    free(st->heads);
    free(st->old_heads);
    st->heads = st->old_heads = NULL;
}

/* Probe order follows hits; old hits fade so the order follows the traffic. */
static void
rerank(struct ft_cache *c)
{
    /* Insertion sort: few subtables, mostly sorted already. */
    for (uint16_t i = 1; i < c->n_subs; i++) {
        uint16_t x = c->rank[i];
        int j = i - 1;
        while (j >= 0 && c->subs[c->rank[j]].hits < c->subs[x].hits) {
            c->rank[j + 1] = c->rank[j];
            j--;
        }
        c->rank[j + 1] = x;
    }
    for (uint16_t s = 0; s < c->n_subs; s++)
        c->subs[s].hits >>= 1;
    c->lookups_since_rank = 0;
}

uint32_t
ft_cache_megaflow_lookup(struct ft_cache *c, const struct ft_key *key, const struct ft_csub *known,
                         uint32_t known_h)
{
    if (++c->lookups_since_rank >= RANK_EVERY)
        rerank(c);
    uint32_t probes = 0;
    for (uint16_t r = 0; r < c->n_subs; r++) {
        struct ft_csub *st = &c->subs[c->rank[r]];
        if (!st->n_entries)
            continue;
        probes++;
        uint32_t h = st == known ? known_h : ft_csub_hash(st, key);
        for (uint32_t idx = *ft_csub_chain(st, h); idx != FT_NIL;) {
            const struct ft_centry *e = &c->pool[idx];
            if (e->hash == h && ft_centry_matches(st, e, key)) {
                st->hits++;
                c->st.subtable_probes += probes;
                c->win_mf_hits++;
                c->win_mf_probes += probes;
                return idx;
            }
            idx = e->next;
        }
    }
    c->st.subtable_probes += probes;
    return FT_NIL;
}
