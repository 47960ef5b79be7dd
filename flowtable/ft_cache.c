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

#define THRASH_INSTALL 8 /* While thrashing, install 1 miss in this many. */

void
ft_cache_config_default(struct ft_cache_config *cfg)
{
    memset(&cfg->stages, 0, sizeof cfg->stages);
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

size_t
ft_cache_fill_bytes(const struct ft_cache_config *cfg)
{
    /* malloc's header and rounding: 16 bytes a block. A subtable keeps
     * its entries under half its heads, and the old heads while they
     * double: up to 3 heads an entry. */
    size_t meta = sizeof(struct ft_cmeta) + sizeof(struct ft_cvisit) + 16;
    return (size_t)cfg->max_entries * (meta + 3 * sizeof(uint32_t));
}

static bool
pow2_or_zero(uint32_t x)
{
    return (x & (x - 1)) == 0;
}

/* Stage starts: at most FT_MAX_STAGES - 1 (table 0 starts the first). */
static int
stages_count(const struct ft_walk_stages *st)
{
    unsigned n = 1;
    for (unsigned t = 1; t < FT_N_TABLES; t++)
        n += ft_stage_starts_at(st, t);
    return n > FT_MAX_STAGES ? -EINVAL : (int)n;
}

struct ft_cache *
ft_cache_create(const struct ft_pipeline *p, const struct ft_cache_config *cfg_in)
{
    struct ft_cache_config cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        ft_cache_config_default(&cfg);
    if (stages_count(&cfg.stages) < 0 || !pow2_or_zero(cfg.emc_entries) ||
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
    c->staged = stages_count(&cfg.stages) > 1;
    c->version = ft_pipeline_version(p);
    ft_cache_word_fields(c->word_fields);
    c->pool = ft_calloc(cfg.max_entries, sizeof *c->pool);
    c->subs = ft_calloc(cfg.max_masks + 1, sizeof *c->subs);
    c->rank = ft_calloc(cfg.max_masks + 1, sizeof *c->rank);
    c->dirty = ft_malloc((size_t)cfg.max_entries * sizeof *c->dirty);
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
        c->emc = ft_calloc_lines(cfg.emc_entries, sizeof *c->emc);
        c->emc_hash = ft_calloc(cfg.emc_entries, sizeof *c->emc_hash);
        c->emc_mask = cfg.emc_entries - 1;
    }
    bool hints = true;
    for (int i = 0; i < FT_CACHE_PARTS; i++) {
        struct ft_cpart *pt = &c->parts[i];
        if ((pt->slot = ft_malloc(FT_HINT_SLOTS * sizeof *pt->slot)))
            for (uint32_t j = 0; j < FT_HINT_SLOTS; j++)
                pt->slot[j] = (struct ft_hslot){0, FT_ST_NONE, FT_ST_NONE};
        pt->census = true;
        hints &= pt->slot != NULL;
    }
    if (cfg.sig_buckets) {
        c->sig = ft_calloc(cfg.sig_buckets, sizeof *c->sig);
        c->sig_mask = cfg.sig_buckets - 1;
        c->sig_gate.shadow = true;
    }
    if (!hints || !c->pool || !c->subs || !c->rank || !c->dirty || !c->scratch ||
        !c->rule_buckets || !c->dep_buckets || !c->progs ||
        (cfg.emc_entries && (!c->emc || !c->emc_hash)) || (cfg.sig_buckets && !c->sig) ||
        ft_cache_conts_init(c)) {
        ft_cache_destroy(c, 0);
        return NULL;
    }
    /* Created by the agent, used by a worker: the lookup tables' pages are
     * touched here, not by the worker's first misses (a page fault costs
     * more than a miss; there are hundreds of pages). */
    ft_prefault(c->rule_buckets, (size_t)rule_buckets * sizeof *c->rule_buckets);
    ft_prefault(c->dep_buckets, (size_t)(c->dep_mask + 1) * sizeof *c->dep_buckets);
    ft_prefault(c->progs, (size_t)(c->progs_mask + 1) * sizeof *c->progs);
    ft_prefault(c->dirty, (size_t)cfg.max_entries * sizeof *c->dirty);
    ft_prefault(c->scratch, (size_t)cfg.max_entries * sizeof *c->scratch);
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
        ft_cache_sub_free(&c->subs[s]);
    for (uint32_t b = 0; c->progs && b <= c->progs_mask; b++) {
        for (struct ft_cprog *x = c->progs[b], *next; x; x = next) {
            next = x->next;
            free(x);
        }
    }
    ft_cache_free_dead_progs(c);
    ft_cache_conts_free(c);
    free(c->pool);
    free(c->subs);
    free(c->rank);
    for (int i = 0; i < FT_CACHE_PARTS; i++)
        free(c->parts[i].slot);
    free(c->dirty);
    free(c->scratch);
    free(c->rule_buckets);
    free(c->dep_buckets);
    free(c->progs);
    free(c->emc);
    free(c->emc_hash);
    free(c->sig);
    free(c);
}

uint64_t
ft_cache_version(const struct ft_cache *c)
{
    return c->version;
}

int
ft_cache_set_stages(struct ft_cache *c, const struct ft_walk_stages *stages, uint64_t now_ns)
{
    int n = stages_count(stages);
    if (n < 0)
        return n;
    if (!memcmp(&c->cfg.stages, stages, sizeof *stages))
        return 0;
    /* Entries of the old stages cannot chain with the new ones. */
    ft_cache_fold(c, now_ns);
    ft_cache_flush(c);
    c->cfg.stages = *stages;
    c->staged = n > 1;
    return 0;
}

void
ft_cache_get_stages(const struct ft_cache *c, struct ft_walk_stages *stages)
{
    *stages = c->cfg.stages;
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
    x->n_exec = w->n_ops;
    if (w->flags & FT_WALK_F_STAGE) /* The KEYSETs and the STAGE are the cache's. */
        while (x->n_exec && (w->ops[x->n_exec - 1].type == FT_OP_STAGE ||
                             w->ops[x->n_exec - 1].type == FT_OP_KEYSET))
            x->n_exec--;
    x->flags = (uint16_t)w->flags;
    memcpy(x->ops, w->ops, w->n_ops * sizeof w->ops[0]);
    x->last_emitter = (uint16_t)ft_program_last_emitter(x->ops, x->n_exec);
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

void
ft_cache_free_dead_progs(struct ft_cache *c)
{
    for (struct ft_cprog *x = c->dead_progs, *next; x; x = next) {
        next = x->next;
        free(x);
    }
    c->dead_progs = NULL;
}

/* ---- entries ------------------------------------------------------------------------------ */

void
ft_cache_evict(struct ft_cache *c, uint32_t idx, uint64_t *counter)
{
    struct ft_centry *e = &c->pool[idx];
    if (e->st == FT_ST_NONE)
        return;
    if (e->flags & CE_DIRTY)
        ft_cache_fold_evicted(c, idx);
    ft_cache_sub_remove(c, &c->subs[e->st], idx);
    c->stage_entries[e->stage]--;
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
    /* A worker flushes while its traffic waits (a change of stages).
     * Few entries are found by the subtables' chains: reading 262,144
     * entries' lines to find 64 held it 2-3 ms (bench_cache: 34 us now).
     * Many, the pool in order reads faster than chains in random order
     * (77,056 entries: 9.8 ms against 30). */
    if (c->n_entries >= c->cfg.max_entries / 8) {
        for (uint32_t i = 0; i < c->cfg.max_entries; i++)
            if (c->pool[i].st != FT_ST_NONE)
                ft_cache_evict(c, i, &c->st.evict_flush);
        return;
    }
    for (uint16_t s = 0; s < c->n_subs; s++) {
        struct ft_csub *st = &c->subs[s];
        for (uint32_t b = 0; st->n_entries && b < ft_csub_buckets(st); b++)
            for (uint32_t idx; (idx = ft_csub_bucket(st, b)) != FT_NIL;)
                ft_cache_evict(c, idx, &c->st.evict_flush);
    }
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
    if (idx != FT_NIL) {
        c->free_head = c->pool[idx].next;
        if (c->free_head != FT_NIL) /* The next install's entry, fetched meanwhile. */
            __builtin_prefetch(&c->pool[c->free_head], 1);
    }
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
    ft_walk_staged(c->p, c->version, key, from, c->staged ? &c->cfg.stages : NULL, w);
    if (!(w->flags & (FT_WALK_F_RECIRC | FT_WALK_F_STAGE)))
        return FT_NIL;
    uint32_t cont = ft_cache_cont_get(c, &w->cont);
    if (cont == FT_NIL && (w->flags & FT_WALK_F_STAGE)) {
        /* No room for the next stage's continuation: this entry takes the
         * rest of the pipeline instead (unstaged from here). */
        ft_walk_staged(c->p, c->version, key, from, NULL, w);
        if (!(w->flags & FT_WALK_F_RECIRC))
            return FT_NIL;
        cont = ft_cache_cont_get(c, &w->cont);
    }
    if (cont == FT_NIL) {
        w->n_ops = 0;
        w->flags |= FT_WALK_F_OVERFLOW;
        return FT_NIL;
    }
    struct ft_op *op = &w->ops[w->n_ops - 1]; /* The RECIRC or STAGE. */
    op->a32 = cont + 1;
    op->a16 = c->conts[cont].gen;
    return cont;
}

uint32_t
ft_cache_install(struct ft_cache *c, const struct ft_key *key, const struct ft_cprog **prog)
{
    const struct ft_walk_cont *from = NULL;
    if (key->recirc_id && !(from = ft_cache_cont_of(c, key))) {
        c->st.recirc_lost++;
        *prog = &lost_prog;
        c->walk.n_visits = 0; /* Nothing to count. */
        return FT_NIL;
    }
    uint32_t cont = walk_key(c, key, from);
    /* The rule buckets the entry's visits go into are far apart in a big
     * cache: fetched now, while the program and the entry are made. */
    for (uint16_t i = 0; i < c->walk.n_visits; i++)
        if (c->walk.visits[i].rule)
            __builtin_prefetch(ft_cache_rule_bucket(c, c->walk.visits[i].rule), 1);
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
    uint16_t s =
        x ? ft_cache_sub_for_mask(c, &c->walk.mask, ft_cache_key_part(c, key)) : FT_ST_NONE;
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
    e->cpart = ft_cache_key_part(c, key);
    e->flags = 0;
    /* The stage of the first table the walk looked up (a resumed walk's
     * rule counts: it is where the walk is). */
    e->stage = (uint8_t)(c->walk.n_visits && c->staged
                             ? ft_stage_of(&c->cfg.stages, c->walk.visits[0].table_id)
                             : 0);
    c->stage_entries[e->stage]++;
    e->prog = x;
    e->packets = e->bytes = 0;
    e->hash = ft_csub_hash(st, key);
    for (unsigned j = 0; j < st->n_words; j++)
        e->key[j] = key->w[st->words[j]] & st->mask.w[st->words[j]];
    ft_cache_sub_insert(c, st, idx);
    c->n_entries++;
    c->st.installs++;
    *prog = x; /* Stays valid until the next call even if evicted now. */
    if (ft_cache_index_entry(c, idx, key->recirc_id ? key->recirc_id - 1u : FT_NIL))
        return FT_NIL;
    return idx;
}

/* A packet served by a walk that no entry keeps (thrashing, out of
 * memory): counted straight into its rules and tables, as a fold would. */
void
ft_cache_count_walk(struct ft_cache *c, uint32_t packets, uint64_t bytes, uint64_t now_ns)
{
    const struct ft_walk_out *w = &c->walk;
    for (uint16_t i = 0; i < w->n_visits; i++) {
        const struct ft_rule *r = w->visits[i].rule;
        if (w->visits[i].resumed)
            continue; /* Counted before its recirculation. */
        if (r)
            ft_rule_add_stats(r, packets, bytes, now_ns);
        ft_pipeline_table_count(c->p, w->visits[i].table_id, packets, r ? packets : 0);
    }
}

void
ft_cache_count_n(struct ft_cache *c, uint32_t idx, uint32_t packets, uint64_t bytes,
                 uint64_t now_ns)
{
    struct ft_centry *e = &c->pool[idx];
    e->packets += packets;
    e->bytes += bytes;
    e->used_ns = now_ns;
    e->flags |= CE_REF;
    if (!(e->flags & CE_DIRTY))
        ft_cache_dirty(c, idx);
}

void
ft_cache_stats(const struct ft_cache *c, struct ft_cache_stats *st)
{
    *st = c->st;
    st->entries = c->n_entries;
    st->masks = c->n_subs;
    st->emc_used = c->emc_used;
    st->emc_enabled = c->emc && !c->emc_not_worth && !c->emc_gate.off;
    st->hints_serve = ft_cache_hints_serve(c);
    st->sig_enabled = c->sig_may && !c->sig_gate.off && !st->hints_serve;
    st->thrashing = c->thrashing;
    st->conts = c->n_conts;
    int n = stages_count(&c->cfg.stages);
    st->n_stages = (uint8_t)(n > 0 ? n : 1);
    memcpy(st->stage_entries, c->stage_entries, sizeof st->stage_entries);
}

void
ft_cache_masks_foreach(const struct ft_cache *c, ft_cache_mask_fn *fn, void *aux)
{
    for (uint16_t r = 0; r < c->n_subs; r++) {
        const struct ft_csub *st = &c->subs[c->rank[r]];
        fn(aux, &st->mask, st->n_entries, st->hits);
    }
}
