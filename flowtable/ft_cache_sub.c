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

#define RANK_EVERY  4096 /* Megaflow lookups between re-rankings. */
#define HINT_WINDOW 512  /* Hinted lookups a verdict is made on. */
#define HINT_SAMPLE 16   /* While off, 1 lookup in this many is hinted. */
/* What a hinted lookup costs beyond its probes, in probes, for the judges
 * of the EMC and the signature index (ft_cache_lookup.c): the hint's hash
 * and check take about two probes' instructions (callgrind, 16 masks:
 * ~110 for the hint, ~50-70 a probe). */
#define HINT_COST   2

static int
sub_init(struct ft_csub *st, const struct ft_key *mask, bool exact, uint8_t part)
{
    memset(st, 0, sizeof *st);
    st->mask = *mask;
    st->exact = exact;
    st->part = exact ? FT_PART_ANY : part;
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
sub_reuse(struct ft_csub *st, const struct ft_key *mask, uint8_t part)
{
    st->mask = *mask;
    st->part = part;
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

static void
census_add(struct ft_cpart *pt, uint16_t s, uint16_t sub)
{
    struct ft_hslot *h = &pt->slot[s];
    if (!h->count++)
        h->solo = sub;
    else if (h->solo != sub)
        h->solo = FT_ST_MIXED;
}

static void
census_clear(struct ft_cpart *pt)
{
    for (uint32_t j = 0; j < FT_HINT_SLOTS; j++) {
        pt->slot[j].count = 0;
        pt->slot[j].solo = FT_ST_NONE;
    }
}

/* A census recount visits at most this many entries (each a line and a
 * hash) and chain heads (read in order): a narrowing costs the poll it
 * falls in tens of microseconds at most, as a few misses would. */
#define RECOUNT_MAX   512
#define RECOUNT_HEADS 32768

/* Count every entry of part p again under its new shared bits, or suspend
 * the census (until the part empties) when that is too much work now. */
static void
census_recount(struct ft_cache *c, uint8_t p)
{
    struct ft_cpart *pt = &c->parts[p];
    uint64_t heads = 0;
    for (uint16_t s = 0; s < c->n_subs; s++)
        if (c->subs[s].part == p || c->subs[s].part == FT_PART_ANY)
            heads += ft_csub_buckets(&c->subs[s]);
    census_clear(pt);
    pt->census = pt->n_entries <= RECOUNT_MAX && heads <= RECOUNT_HEADS;
    if (!pt->census)
        return;
    for (uint16_t s = 0; s < c->n_subs; s++) {
        const struct ft_csub *st = &c->subs[s];
        if (st->part != p && st->part != FT_PART_ANY)
            continue;
        for (uint32_t b = 0; b < ft_csub_buckets(st); b++) {
            for (uint32_t idx = ft_csub_bucket(st, b); idx != FT_NIL; idx = c->pool[idx].next) {
                struct ft_centry *e = &c->pool[idx];
                if (e->cpart != p)
                    continue;
                e->cslot = ft_cache_entry_slot(pt, st, e);
                census_add(pt, e->cslot, s);
            }
        }
    }
}

/* Part p's shared bits and subtable count, after one of its subtables
 * came or changed its mask. The shared bits only narrow while the part
 * has entries (at most the AND of the masks stays true of every entry; a
 * wider one would need every entry counted again); narrowed, the census
 * is counted again. Its hints stay: one hashed under the old shared bits
 * is an order that may be wrong, never an answer. */
static void
part_reshape(struct ft_cache *c, uint8_t p)
{
    struct ft_cpart *pt = &c->parts[p];
    struct ft_key shared;
    memset(&shared, 0xff, sizeof shared);
    pt->n_subs = 0;
    for (uint16_t s = 0; s < c->n_subs; s++) {
        const struct ft_csub *st = &c->subs[s];
        if (st->part != p)
            continue;
        pt->n_subs++;
        for (int i = 0; i < FT_KEY_WORDS; i++)
            shared.w[i] &= st->mask.w[i];
    }
    if (pt->n_entries)
        for (int i = 0; i < FT_KEY_WORDS; i++)
            shared.w[i] &= pt->shared.w[i];
    if (ft_key_equal(&shared, &pt->shared))
        return;
    pt->shared = shared;
    pt->n_words = 0;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        if (pt->shared.w[i])
            pt->words[pt->n_words++] = (uint8_t)i;
    c->reshapes++;
    if (pt->n_entries)
        census_recount(c, p);
}

/* The subtable for a walk's mask, for keys of part `part`: its own, a new
 * one, or — past max_masks — the most general existing mask of the part
 * that is at least as specific (so the entry stays correct, covering
 * fewer packets), else the exact mask. */
uint16_t
ft_cache_sub_for_mask(struct ft_cache *c, const struct ft_key *mask, uint8_t part)
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
        if (st->part != part)
            continue;
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
        if (sub_init(&c->subs[c->n_subs], mask, false, part))
            return FT_ST_NONE;
        c->rank[c->n_subs] = c->n_subs;
        c->n_subs++;
        part_reshape(c, part);
        return c->n_subs - 1;
    }
    /* At the cap, a subtable its entries all left gives its place to the
     * new mask (masks come and go with the rules). */
    for (uint16_t s = 0; s < c->n_subs; s++) {
        if (!c->subs[s].exact && !c->subs[s].n_entries) {
            uint8_t was = c->subs[s].part;
            sub_reuse(&c->subs[s], mask, part);
            c->sub_reuses++;
            part_reshape(c, was);
            part_reshape(c, part);
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
    if (sub_init(&c->subs[c->n_subs], &all, true, FT_PART_ANY))
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
    struct ft_cpart *pt = &c->parts[e->cpart];
    pt->n_entries++;
    if (pt->census) {
        e->cslot = ft_cache_entry_slot(pt, st, e);
        census_add(pt, e->cslot, (uint16_t)(st - c->subs));
    }
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
    struct ft_cpart *pt = &c->parts[e->cpart];
    pt->n_entries--;
    if (pt->census) {
        struct ft_hslot *h = &pt->slot[e->cslot];
        if (!--h->count)
            h->solo = FT_ST_NONE; /* A mixed slot stays mixed while it counts some. */
    } else if (!pt->n_entries) {
        census_clear(pt); /* Nothing left to count: the census holds again. */
        pt->census = true;
    }
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

/* The census slot of key (part pt), or NULL when this lookup does not use
 * it: the census is used always while it pays, and in 1 lookup in
 * HINT_SAMPLE while it does not, to see whether it would again. given:
 * the slot found for the key before (ft_cache_hint_slot), or NULL. */
static struct ft_hslot *
hint_slot(struct ft_cpart *pt, const struct ft_key *key, struct ft_hslot *given)
{
    if (pt->n_subs < FT_HINT_MIN_SUBS || !pt->census)
        return NULL;
    if (pt->tries >= HINT_WINDOW) {
        pt->off = pt->hits * 2 < pt->tries;
        pt->tries = pt->hits = 0;
    }
    if (given)
        return given;
    if (pt->off && ++pt->sample % HINT_SAMPLE)
        return NULL;
    return &pt->slot[ft_hint_hash(pt, key) & (FT_HINT_SLOTS - 1)];
}

struct ft_hslot *
ft_cache_hint_slot(const struct ft_cache *c, const struct ft_key *key)
{
    uint8_t part = ft_cache_key_part(c, key);
    if (!ft_cache_hints_on(c, part))
        return NULL;
    const struct ft_cpart *pt = &c->parts[part];
    return &pt->slot[ft_hint_hash(pt, key) & (FT_HINT_SLOTS - 1)];
}

/* The subtable slot h says to probe first for a key of part `part`:
 * its solo one, else its hint; FT_ST_NONE for none. */
static inline uint16_t
slot_first(const struct ft_cache *c, const struct ft_hslot *h, uint8_t part)
{
    if (!h->count)
        return FT_ST_NONE;
    uint16_t s = h->solo != FT_ST_MIXED ? h->solo : h->hint;
    if (s == FT_ST_NONE)
        return FT_ST_NONE;
    const struct ft_csub *st = &c->subs[s];
    return st->n_entries && (st->part == part || st->part == FT_PART_ANY) ? s : FT_ST_NONE;
}

const struct ft_csub *
ft_cache_hinted_sub(const struct ft_cache *c, const struct ft_key *key, const struct ft_hslot *slot)
{
    if (!slot)
        return NULL;
    uint16_t s = slot_first(c, slot, ft_cache_key_part(c, key));
    return s != FT_ST_NONE ? &c->subs[s] : NULL;
}

/* key's entry in subtable st (its hash of key: h), or FT_NIL. */
static inline uint32_t
sub_find(const struct ft_cache *c, const struct ft_csub *st, uint32_t h, const struct ft_key *key)
{
    for (uint32_t idx = *ft_csub_chain(st, h); idx != FT_NIL;) {
        const struct ft_centry *e = &c->pool[idx];
        if (e->hash == h && ft_centry_matches(st, e, key))
            return idx;
        idx = e->next;
    }
    return FT_NIL;
}

uint32_t
ft_cache_megaflow_lookup(struct ft_cache *c, const struct ft_key *key, const struct ft_csub *known,
                         uint32_t known_h, struct ft_hslot *given)
{
    if (++c->lookups_since_rank >= RANK_EVERY)
        rerank(c);
    uint8_t part = ft_cache_key_part(c, key);
    struct ft_cpart *pt = &c->parts[part];
    uint32_t probes = 0, idx = FT_NIL;
    uint16_t first = FT_ST_NONE, s = FT_ST_NONE;
    struct ft_hslot *slot = hint_slot(pt, key, given);
    bool settled = false; /* The census answered: no other subtable holds it. */
    if (slot) {
        pt->tries++;
        settled = !slot->count;
        first = slot_first(c, slot, part);
        if (first != FT_ST_NONE) {
            const struct ft_csub *st = &c->subs[first];
            probes++;
            c->st.hinted++;
            idx = sub_find(c, st, st == known ? known_h : ft_csub_hash(st, key), key);
            settled = slot->solo == first;
            if (idx != FT_NIL) {
                c->st.hint_hits++;
                s = first;
            }
        }
        if (settled || idx != FT_NIL)
            pt->hits++;
        if (settled && idx == FT_NIL)
            c->st.census_misses += !probes;
    }
    for (uint16_t r = 0; !settled && idx == FT_NIL && r < c->n_subs; r++) {
        const struct ft_csub *st = &c->subs[c->rank[r]];
        if (!st->n_entries || (st->part != part && st->part != FT_PART_ANY) || c->rank[r] == first)
            continue;
        probes++;
        idx = sub_find(c, st, st == known ? known_h : ft_csub_hash(st, key), key);
        if (idx != FT_NIL) {
            s = c->rank[r];
            if (slot)
                slot->hint = s;
        }
    }
    c->st.subtable_probes += probes;
    uint32_t cost = probes + (slot ? HINT_COST : 0);
    c->probe_cost += cost;
    if (idx == FT_NIL)
        return FT_NIL;
    c->subs[s].hits++;
    c->win_mf_hits++;
    c->win_mf_probes += cost;
    return idx;
}
