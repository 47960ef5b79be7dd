/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow cache: EMC, signature index and megaflow subtables in front of
 * the pipeline walk. See ft_cache.h for the lookup order.
 *
 * Memory is allocated at creation (entry pool, EMC, signature index,
 * indexes); the miss path allocates only an entry's invalidation record
 * and, for a program not seen before, its copy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_cache_int.h"
#include "ft_alloc.h"

#define SUB_HASH_BASIS 0x6a09e667f3bcc909ull
#define RANK_EVERY     4096 /* Megaflow lookups between re-rankings. */
#define EMC_WINDOW     8192 /* Lookups per EMC usefulness window. */
#define EMC_OFF        64   /* Windows an unhelpful EMC stays off. */
#define THRASH_WINDOW  8192 /* Lookups per thrash-detection window. */
#define THRASH_INSTALL 8    /* While thrashing, install 1 miss in this many. */

void
ft_cache_config_default(struct ft_cache_config *cfg)
{
    cfg->stage = FT_STAGE_WHOLE;
    cfg->emc_entries = 8192;
    cfg->emc_insert_inv_prob = 100;
    cfg->sig_buckets = 1u << 18;
    cfg->max_entries = 1u << 18;
    cfg->max_masks = 256;
    cfg->idle_ns = 10ull * 1000000000ull;
    cfg->index_after_scan = 1024;
    cfg->max_conts = 1024;
    cfg->cycles = NULL;
}

static void free_dead_progs(struct ft_cache *c);

static bool
pow2_or_zero(uint32_t x)
{
    return (x & (x - 1)) == 0;
}

struct ft_cache *
ft_cache_create(const struct ft_pipeline *p, const struct ft_cache_config *cfg_in)
{
    struct ft_cache_config cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        ft_cache_config_default(&cfg);
    if (cfg.stage != FT_STAGE_WHOLE || !pow2_or_zero(cfg.emc_entries) ||
        !pow2_or_zero(cfg.sig_buckets) || cfg.max_entries == 0 || cfg.max_entries >= FT_NIL ||
        cfg.max_masks == 0 || cfg.max_masks >= FT_ST_NONE - 1 || cfg.max_conts >= UINT16_MAX)
        return NULL;
    if (!cfg.emc_insert_inv_prob)
        cfg.emc_insert_inv_prob = 1;

    struct ft_cache *c = ft_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->p = p;
    c->cfg = cfg;
    c->version = ft_pipeline_version(p);
    c->pool = ft_calloc(cfg.max_entries, sizeof *c->pool);
    c->subs = ft_calloc(cfg.max_masks + 1, sizeof *c->subs);
    c->rank = ft_calloc(cfg.max_masks + 1, sizeof *c->rank);
    c->dirty = ft_malloc(2 * (size_t)cfg.max_entries * sizeof *c->dirty);
    c->scratch = ft_malloc((size_t)cfg.max_entries * sizeof *c->scratch);
    uint32_t rule_buckets = 1024;
    while (rule_buckets < cfg.max_entries)
        rule_buckets <<= 1;
    c->rule_mask = rule_buckets - 1;
    c->rule_buckets = ft_calloc(rule_buckets, sizeof *c->rule_buckets);
    c->dep_mask = 4095;
    c->dep_buckets = ft_calloc(c->dep_mask + 1, sizeof *c->dep_buckets);
    c->progs_mask = 1023;
    c->progs = ft_calloc(c->progs_mask + 1, sizeof *c->progs);
    if (cfg.emc_entries) {
        c->emc = ft_calloc(cfg.emc_entries, sizeof *c->emc);
        c->emc_mask = cfg.emc_entries - 1;
    }
    if (cfg.sig_buckets) {
        c->sig = ft_calloc(cfg.sig_buckets, sizeof *c->sig);
        c->sig_mask = cfg.sig_buckets - 1;
    }
    if (!c->pool || !c->subs || !c->rank || !c->dirty || !c->scratch || !c->rule_buckets ||
        !c->dep_buckets || !c->progs || (cfg.emc_entries && !c->emc) ||
        (cfg.sig_buckets && !c->sig) || ft_cache_conts_init(c)) {
        ft_cache_destroy(c, 0);
        return NULL;
    }
    for (uint32_t i = 0; i < cfg.max_entries; i++) {
        c->pool[i].st = FT_ST_NONE;
        c->pool[i].next = i + 1 < cfg.max_entries ? i + 1 : FT_NIL;
    }
    c->free_head = 0;
    for (uint32_t i = 0; i < cfg.emc_entries; i++)
        c->emc[i].entry = FT_NIL;
    for (uint32_t b = 0; b < cfg.sig_buckets; b++)
        for (int w = 0; w < FT_SIG_WAYS; w++)
            c->sig[b].entry[w] = FT_NIL;
    return c;
}

void
ft_cache_destroy(struct ft_cache *c, uint64_t now_ns)
{
    if (!c)
        return;
    if (c->pool) {
        ft_cache_fold(c, now_ns);
        ft_cache_flush(c);
    }
    ft_cache_index_free(c);
    for (uint16_t s = 0; s < c->n_subs; s++)
        free(c->subs[s].heads);
    for (uint32_t b = 0; c->progs && b <= c->progs_mask; b++) {
        for (struct ft_cprog *x = c->progs[b], *next; x; x = next) {
            next = x->next;
            free(x);
        }
    }
    free_dead_progs(c);
    ft_cache_conts_free(c);
    free(c->pool);
    free(c->subs);
    free(c->rank);
    free(c->dirty);
    free(c->scratch);
    free(c->rule_buckets);
    free(c->dep_buckets);
    free(c->progs);
    free(c->emc);
    free(c->sig);
    free(c);
}

uint64_t
ft_cache_version(const struct ft_cache *c)
{
    return c->version;
}

/* ---- programs ------------------------------------------------------------------- */

static uint32_t
prog_hash(const struct ft_op *ops, uint16_t n, uint16_t flags)
{
    uint64_t h = 0x3c6ef372fe94f82bull ^ ((uint64_t)n << 16 | flags);
    const uint64_t *w = (const uint64_t *)(const void *)ops;
    for (size_t i = 0; i < (size_t)n * (sizeof *ops / 8); i++)
        h = ft_hash_add64(h, w[i]);
    return ft_hash_finish(h);
}

/* The program of walk w, shared; cont: the reference to the continuation
 * its RECIRC names (FT_NIL if none), which the program takes or drops. */
static struct ft_cprog *
prog_intern(struct ft_cache *c, const struct ft_walk_out *w, uint32_t cont)
{
    uint32_t h = prog_hash(w->ops, w->n_ops, (uint16_t)w->flags);
    struct ft_cprog **head = &c->progs[h & c->progs_mask];
    for (struct ft_cprog *x = *head; x; x = x->next) {
        if (x->hash == h && x->n_ops == w->n_ops && x->flags == w->flags &&
            !memcmp(x->ops, w->ops, w->n_ops * sizeof w->ops[0])) {
            x->refcnt++;
            ft_cache_cont_unref(c, cont); /* x names it already, with its own. */
            return x;
        }
    }
    struct ft_cprog *x = ft_malloc(sizeof *x + w->n_ops * sizeof w->ops[0]);
    if (!x) {
        ft_cache_cont_unref(c, cont);
        return NULL;
    }
    x->hash = h;
    x->refcnt = 1;
    x->cont = cont;
    x->n_ops = w->n_ops;
    x->flags = (uint16_t)w->flags;
    memcpy(x->ops, w->ops, w->n_ops * sizeof w->ops[0]);
    x->next = *head;
    *head = x;
    c->n_progs++;
    return x;
}

static void
prog_unref(struct ft_cache *c, const struct ft_cprog *cx)
{
    struct ft_cprog *x = (struct ft_cprog *)cx;
    if (--x->refcnt)
        return;
    for (struct ft_cprog **pp = &c->progs[x->hash & c->progs_mask]; *pp; pp = &(*pp)->next) {
        if (*pp == x) {
            *pp = x->next;
            break;
        }
    }
    c->n_progs--;
    ft_cache_cont_unref(c, x->cont);
    x->next = c->dead_progs;
    c->dead_progs = x;
}

static void
free_dead_progs(struct ft_cache *c)
{
    for (struct ft_cprog *x = c->dead_progs, *next; x; x = next) {
        next = x->next;
        free(x);
    }
    c->dead_progs = NULL;
}

/* ---- megaflow subtables --------------------------------------------------------------- */

static inline uint32_t
sub_hash(const struct ft_csub *st, const struct ft_key *key)
{
    uint64_t h = SUB_HASH_BASIS;
    for (unsigned j = 0; j < st->n_words; j++) {
        unsigned w = st->words[j];
        h = ft_hash_add64(h, key->w[w] & st->mask.w[w]);
    }
    return ft_hash_finish(h);
}

static inline bool
entry_matches(const struct ft_csub *st, const struct ft_centry *e, const struct ft_key *key)
{
    uint64_t diff = 0;
    for (unsigned j = 0; j < st->n_words; j++) {
        unsigned w = st->words[j];
        diff |= e->key[j] ^ (key->w[w] & st->mask.w[w]);
    }
    return diff == 0;
}

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
static uint16_t
sub_for_mask(struct ft_cache *c, const struct ft_key *mask)
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

static void
sub_grow(struct ft_cache *c, struct ft_csub *st)
{
    uint32_t mask = st->head_mask * 2 + 1;
    uint32_t *heads = ft_malloc((mask + 1) * sizeof *heads);
    if (!heads)
        return; /* Longer chains, still correct. */
    memset(heads, 0xff, (mask + 1) * sizeof *heads);
    for (uint32_t b = 0; b <= st->head_mask; b++) {
        for (uint32_t idx = st->heads[b], next; idx != FT_NIL; idx = next) {
            struct ft_centry *e = &c->pool[idx];
            next = e->next;
            e->next = heads[e->hash & mask];
            heads[e->hash & mask] = idx;
        }
    }
    free(st->heads);
    st->heads = heads;
    st->head_mask = mask;
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

static uint32_t
megaflow_lookup(struct ft_cache *c, const struct ft_key *key)
{
    if (++c->lookups_since_rank >= RANK_EVERY)
        rerank(c);
    for (uint16_t r = 0; r < c->n_subs; r++) {
        struct ft_csub *st = &c->subs[c->rank[r]];
        if (!st->n_entries)
            continue;
        c->st.subtable_probes++;
        uint32_t h = sub_hash(st, key);
        for (uint32_t idx = st->heads[h & st->head_mask]; idx != FT_NIL;) {
            const struct ft_centry *e = &c->pool[idx];
            if (e->hash == h && entry_matches(st, e, key)) {
                st->hits++;
                return idx;
            }
            idx = e->next;
        }
    }
    return FT_NIL;
}

/* ---- EMC and signature index ----------------------------------------------------------- */

static inline uint32_t
emc_slot2(uint32_t h)
{
    return (h >> 13) | (h << 19);
}

static uint32_t
emc_lookup(struct ft_cache *c, const struct ft_key *key, uint32_t h)
{
    uint32_t slots[2] = {h & c->emc_mask, emc_slot2(h) & c->emc_mask};
    for (int i = 0; i < 2; i++) {
        struct ft_emc_slot *s = &c->emc[slots[i]];
        if (s->hash != h || s->entry == FT_NIL || !ft_key_equal(&s->key, key))
            continue;
        const struct ft_centry *e = &c->pool[s->entry];
        if (e->gen == s->gen && e->st != FT_ST_NONE)
            return s->entry;
        s->entry = FT_NIL; /* Its entry went away. */
        c->emc_used--;
    }
    return FT_NIL;
}

static inline bool
emc_slot_free(const struct ft_cache *c, uint32_t h)
{
    return c->emc[h & c->emc_mask].entry == FT_NIL ||
           c->emc[emc_slot2(h) & c->emc_mask].entry == FT_NIL;
}

static void
emc_insert(struct ft_cache *c, const struct ft_key *key, uint32_t h, uint32_t idx)
{
    struct ft_emc_slot *a = &c->emc[h & c->emc_mask], *b = &c->emc[emc_slot2(h) & c->emc_mask];
    struct ft_emc_slot *s = a->entry == FT_NIL ? a : b->entry == FT_NIL ? b : (h & 0x100) ? a : b;
    if (s->entry == FT_NIL)
        c->emc_used++;
    s->hash = h;
    s->key = *key;
    s->entry = idx;
    s->gen = c->pool[idx].gen;
}

/* Whether to look in (and fill) the EMC: it is switched off for a while
 * when it stops paying for its full-key hash and compare. */
static bool
emc_active(struct ft_cache *c, size_t n)
{
    if (!c->emc)
        return false;
    c->emc_window_lookups += (uint32_t)n;
    if (c->emc_window_lookups < EMC_WINDOW)
        return !c->emc_off_windows;
    bool was_on = !c->emc_off_windows;
    if (c->emc_off_windows)
        c->emc_off_windows--;
    else if (c->emc_window_hits * 8 < c->emc_window_lookups) /* Under 1 in 8. */
        c->emc_off_windows = EMC_OFF;
    c->emc_window_lookups = 0;
    c->emc_window_hits = 0;
    return was_on;
}

/* The signature index's candidate for h (no verification), or FT_NIL. */
static inline uint32_t
sig_candidate(const struct ft_cache *c, uint32_t h)
{
    const struct ft_sig_bucket *b = &c->sig[h & c->sig_mask];
    uint16_t sig = (uint16_t)(h >> 16);
    for (int w = 0; w < FT_SIG_WAYS; w++)
        if (b->sig[w] == sig && b->entry[w] != FT_NIL)
            return b->entry[w];
    return FT_NIL;
}

static uint32_t
sig_lookup(struct ft_cache *c, const struct ft_key *key, uint32_t h)
{
    const struct ft_sig_bucket *b = &c->sig[h & c->sig_mask];
    uint16_t sig = (uint16_t)(h >> 16);
    for (int w = 0; w < FT_SIG_WAYS; w++) {
        if (b->sig[w] != sig || b->entry[w] == FT_NIL)
            continue;
        const struct ft_centry *e = &c->pool[b->entry[w]];
        if (e->st != FT_ST_NONE && entry_matches(&c->subs[e->st], e, key))
            return b->entry[w];
    }
    return FT_NIL;
}

static void
sig_insert(struct ft_cache *c, uint32_t h, uint32_t idx)
{
    struct ft_sig_bucket *b = &c->sig[h & c->sig_mask];
    uint16_t sig = (uint16_t)(h >> 16);
    int way = (int)((h >> 8) & (FT_SIG_WAYS - 1));
    for (int w = 0; w < FT_SIG_WAYS; w++) {
        if (b->entry[w] == idx && b->sig[w] == sig)
            return;
        if (b->entry[w] == FT_NIL || c->pool[b->entry[w]].st == FT_ST_NONE)
            way = w;
    }
    b->sig[way] = sig;
    b->entry[way] = idx;
}

/* ---- entries ------------------------------------------------------------------------------ */

void
ft_cache_evict(struct ft_cache *c, uint32_t idx, uint64_t *counter)
{
    struct ft_centry *e = &c->pool[idx];
    if (e->st == FT_ST_NONE)
        return;
    if (e->flags & CE_DIRTY)
        ft_cache_fold_entry(c, e);
    struct ft_csub *st = &c->subs[e->st];
    for (uint32_t *pp = &st->heads[e->hash & st->head_mask]; *pp != FT_NIL;
         pp = &c->pool[*pp].next) {
        if (*pp == idx) {
            *pp = e->next;
            break;
        }
    }
    st->n_entries--;
    ft_cache_unindex_entry(c, e);
    prog_unref(c, e->prog);
    e->prog = NULL;
    e->st = FT_ST_NONE;
    e->flags = 0;
    e->gen++;
    e->next = c->free_head;
    c->free_head = idx;
    c->n_entries--;
    (*counter)++;
}

void
ft_cache_flush(struct ft_cache *c)
{
    for (uint32_t i = 0; i < c->cfg.max_entries; i++)
        if (c->pool[i].st != FT_ST_NONE)
            ft_cache_evict(c, i, &c->st.evict_flush);
}

/* A free entry, evicting the coldest (second chance) when full. */
static uint32_t
entry_alloc(struct ft_cache *c)
{
    for (uint64_t n = 0; c->free_head == FT_NIL && n < 2ull * c->cfg.max_entries; n++) {
        uint32_t idx = c->clock_hand;
        c->clock_hand = (c->clock_hand + 1) % c->cfg.max_entries;
        struct ft_centry *e = &c->pool[idx];
        if (e->st == FT_ST_NONE)
            continue;
        if (e->flags & CE_REF)
            e->flags &= (uint16_t)~CE_REF;
        else
            ft_cache_evict(c, idx, &c->st.evict_capacity);
    }
    uint32_t idx = c->free_head;
    if (idx != FT_NIL)
        c->free_head = c->pool[idx].next;
    return idx;
}

/* The walk's answer when it cannot be installed (out of memory): never a
 * half program. */
static const struct ft_cprog drop_prog = {.n_ops = 0, .flags = FT_WALK_F_OVERFLOW};

/* Walk the pipeline for key and install the result. Returns the entry, or
 * FT_NIL with *prog set when the result could not be kept. */
/* A recirculated key whose continuation is gone (cannot happen between a
 * packet's two lookups): dropped. */
static const struct ft_cprog lost_prog = {.n_ops = 0, .flags = FT_WALK_F_OVERFLOW};

/* Walk for key (resumed when it was recirculated). Returns the reference
 * to the continuation its RECIRC names (the op names it), FT_NIL if none;
 * with no room for one the result becomes a drop. */
static uint32_t
walk_key(struct ft_cache *c, const struct ft_key *key, const struct ft_walk_cont *from)
{
    struct ft_walk_out *w = &c->walk;
    if (from)
        ft_walk_resume(c->p, c->version, key, from, w);
    else
        ft_walk(c->p, c->version, key, w);
    if (!(w->flags & FT_WALK_F_RECIRC))
        return FT_NIL;
    uint32_t cont = ft_cache_cont_get(c, &w->cont);
    if (cont == FT_NIL) {
        w->n_ops = 0;
        w->flags |= FT_WALK_F_OVERFLOW;
        return FT_NIL;
    }
    struct ft_op *op = &w->ops[w->n_ops - 1]; /* The RECIRC. */
    op->a32 = cont + 1;
    op->a16 = c->conts[cont].gen;
    return cont;
}

static uint32_t
install(struct ft_cache *c, const struct ft_key *key, const struct ft_cprog **prog)
{
    const struct ft_walk_cont *from = NULL;
    if (key->recirc_id && !(from = ft_cache_cont_of(c, key))) {
        c->st.recirc_lost++;
        *prog = &lost_prog;
        c->walk.n_visits = 0; /* Nothing to count. */
        return FT_NIL;
    }
    uint32_t cont = walk_key(c, key, from);
    c->st.misses++;
    c->win_misses++;
    struct ft_cprog *x = prog_intern(c, &c->walk, cont);
    /* Evicting an entry to make room for one that will be evicted before
     * its next packet helps no one: when thrashing, most misses are served
     * without installing, so a stable part of the traffic stays cached. */
    if (x && c->thrashing && c->free_head == FT_NIL && ++c->install_ctr % THRASH_INSTALL) {
        prog_unref(c, x); /* Freed after this call: the result may use it. */
        c->st.uncached++;
        *prog = x;
        return FT_NIL;
    }
    uint16_t s = x ? sub_for_mask(c, &c->walk.mask) : FT_ST_NONE;
    uint32_t idx = s != FT_ST_NONE ? entry_alloc(c) : FT_NIL;
    if (idx == FT_NIL) {
        if (x)
            prog_unref(c, x);
        *prog = &drop_prog;
        return FT_NIL;
    }
    struct ft_csub *st = &c->subs[s];
    struct ft_centry *e = &c->pool[idx];
    e->st = s;
    e->flags = 0;
    e->prog = x;
    e->packets = e->bytes = 0;
    e->hash = sub_hash(st, key);
    for (unsigned j = 0; j < st->n_words; j++)
        e->key[j] = key->w[st->words[j]] & st->mask.w[st->words[j]];
    e->next = st->heads[e->hash & st->head_mask];
    st->heads[e->hash & st->head_mask] = idx;
    if (++st->n_entries > 2 * (st->head_mask + 1))
        sub_grow(c, st);
    c->n_entries++;
    c->st.installs++;
    *prog = x; /* Stays valid until the next call even if evicted now. */
    if (ft_cache_index_entry(c, idx, key->recirc_id ? key->recirc_id - 1u : FT_NIL))
        return FT_NIL;
    return idx;
}

/* A packet served by a walk that no entry keeps (thrashing, out of
 * memory): counted straight into its rules and tables, as a fold would. */
static void
count_walk(struct ft_cache *c, uint32_t len, uint64_t now_ns)
{
    const struct ft_walk_out *w = &c->walk;
    for (uint16_t i = 0; i < w->n_visits; i++) {
        const struct ft_rule *r = w->visits[i].rule;
        if (w->visits[i].resumed)
            continue; /* Counted before its recirculation. */
        if (r)
            ft_rule_add_stats(r, 1, len, now_ns);
        ft_pipeline_table_count(c->p, w->visits[i].table_id, 1, r ? 1 : 0);
    }
}

static inline void
count(struct ft_cache *c, uint32_t idx, uint32_t len, uint64_t now_ns)
{
    struct ft_centry *e = &c->pool[idx];
    e->packets++;
    e->bytes += len;
    e->used_ns = now_ns;
    e->flags |= CE_REF;
    if (!(e->flags & CE_DIRTY)) {
        e->flags |= CE_DIRTY;
        if (c->n_dirty >= 2 * c->cfg.max_entries)
            ft_cache_fold(c, now_ns);
        c->dirty[c->n_dirty++] = idx;
    }
}

void
ft_cache_lookup(struct ft_cache *c, const struct ft_key *const *keys, const uint32_t *lens,
                size_t n, struct ft_cache_result *res, uint64_t now_ns)
{
    uint32_t h[FT_CACHE_BURST], idx[FT_CACHE_BURST], gen[FT_CACHE_BURST];
    uint8_t src[FT_CACHE_BURST];
    free_dead_progs(c);
    if (n > FT_CACHE_BURST)
        n = FT_CACHE_BURST;
    bool emc = emc_active(c, n);
    if ((c->win_lookups += (uint32_t)n) >= THRASH_WINDOW) {
        c->thrashing = c->win_misses * 2 > c->win_lookups;
        c->win_lookups = c->win_misses = 0;
    }

    /* Stage 1: hash every key and prefetch where it may be. */
    for (size_t i = 0; i < n; i++) {
        h[i] = ft_key_hash(keys[i], 0);
        if (emc)
            __builtin_prefetch(&c->emc[h[i] & c->emc_mask]);
        if (c->sig)
            __builtin_prefetch(&c->sig[h[i] & c->sig_mask]);
    }
    /* Stage 2: EMC hits; signature candidates, whose entries we prefetch. */
    for (size_t i = 0; i < n; i++) {
        idx[i] = emc ? emc_lookup(c, keys[i], h[i]) : FT_NIL;
        src[i] = FT_SRC_EMC;
        if (idx[i] != FT_NIL) {
            gen[i] = c->pool[idx[i]].gen;
        } else if (c->sig) {
            uint32_t cand = sig_candidate(c, h[i]);
            if (cand != FT_NIL)
                __builtin_prefetch(&c->pool[cand]);
        }
    }
    /* Stage 3: verify, fall back to the subtables, then to the walk. A
     * miss earlier in this stage may have evicted or reused the entry an
     * EMC hit found in stage 2: its generation tells. */
    for (size_t i = 0; i < n; i++) {
        const struct ft_key *key = keys[i];
        if (idx[i] != FT_NIL && c->pool[idx[i]].gen != gen[i])
            idx[i] = FT_NIL;
        if (idx[i] != FT_NIL) {
            c->st.emc_hits++;
            c->emc_window_hits++;
        } else if (c->sig && (idx[i] = sig_lookup(c, key, h[i])) != FT_NIL) {
            src[i] = FT_SRC_SIG;
            c->st.sig_hits++;
        } else if ((idx[i] = megaflow_lookup(c, key)) != FT_NIL) {
            src[i] = FT_SRC_MEGAFLOW;
            c->st.megaflow_hits++;
            if (c->sig)
                sig_insert(c, h[i], idx[i]);
        } else {
            src[i] = FT_SRC_MISS;
            const struct ft_cprog *x;
            uint64_t t0 = c->cfg.cycles ? c->cfg.cycles() : 0;
            idx[i] = install(c, key, &x);
            if (c->cfg.cycles)
                c->st.miss_cycles += c->cfg.cycles() - t0;
            if (idx[i] == FT_NIL) {
                count_walk(c, lens[i], now_ns);
                res[i] = (struct ft_cache_result){x->ops, x->n_ops, x->flags, src[i]};
                continue;
            }
            if (c->sig)
                sig_insert(c, h[i], idx[i]);
        }
        if (emc && src[i] != FT_SRC_EMC) {
            /* A free slot costs no other flow its place: fill it now (after
             * an eviction the flows of the entry come back at once). Taking
             * a live slot is rationed, as against thrashing. */
            bool insert = emc_slot_free(c, h[i]);
            if (!insert && ++c->emc_insert_ctr >= c->cfg.emc_insert_inv_prob) {
                c->emc_insert_ctr = 0;
                insert = true;
            }
            if (insert)
                emc_insert(c, key, h[i], idx[i]);
        }
        count(c, idx[i], lens[i], now_ns);
        const struct ft_cprog *x = c->pool[idx[i]].prog;
        res[i] = (struct ft_cache_result){x->ops, x->n_ops, x->flags, src[i]};
    }
}

void
ft_cache_stats(const struct ft_cache *c, struct ft_cache_stats *st)
{
    *st = c->st;
    st->entries = c->n_entries;
    st->masks = c->n_subs;
    st->emc_used = c->emc_used;
    st->emc_enabled = c->emc && !c->emc_off_windows;
    st->thrashing = c->thrashing;
    st->conts = c->n_conts;
}

void
ft_cache_masks_foreach(const struct ft_cache *c, ft_cache_mask_fn *fn, void *aux)
{
    for (uint16_t r = 0; r < c->n_subs; r++) {
        const struct ft_csub *st = &c->subs[c->rank[r]];
        fn(aux, &st->mask, st->n_entries, st->hits);
    }
}
