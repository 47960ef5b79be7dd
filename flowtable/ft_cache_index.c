/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Precise invalidation. Each entry is indexed by what could change its
 * result:
 *   - the rules its walk matched (a rule deleted or modified evicts exactly
 *     the entries that used it);
 *   - the tables it visited, with the priority it matched at (a rule added
 *     to a table evicts the visitors that matched at or below its priority
 *     and whose packets the new rule's match overlaps);
 *   - the groups, meters and ports its program depends on.
 * Nothing is ever swept: a change touches only its index buckets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_cache_int.h"
#include "ft_alloc.h"

/* Hash of bits under an index mask: its non-zero words, in word order. The
 * entry side reads them from the entry's packed key (its mask covers every
 * index word), the rule side from the rule's key: same words, same hash. */
static uint32_t
idx_hash_entry(const struct ft_key *mask, const struct ft_centry *e, const struct ft_csub *st)
{
    uint64_t h = 0x94d049bb133111ebull;
    for (unsigned j = 0; j < st->n_words; j++)
        if (mask->w[st->words[j]])
            h = ft_hash_add64(h, e->key[j] & mask->w[st->words[j]]);
    return ft_hash_finish(h);
}

static uint32_t
idx_hash_key(const struct ft_key *mask, const struct ft_key *key)
{
    uint64_t h = 0x94d049bb133111ebull;
    for (int w = 0; w < FT_KEY_WORDS; w++)
        if (mask->w[w])
            h = ft_hash_add64(h, key->w[w] & mask->w[w]);
    return ft_hash_finish(h);
}

static void
link_visit(struct ft_cvisit *v, struct ft_cvisit **head)
{
    v->inext = *head;
    if (*head)
        (*head)->iprev = &v->inext;
    v->iprev = head;
    *head = v;
}

/* Put v where the table's index says: a bucket when its entry fixes every
 * index bit the packet decides, else the wide list. */
static void
idx_place(struct ft_cache *c, struct ft_ctable *t, struct ft_cvisit *v)
{
    const struct ft_centry *e = &c->pool[v->entry];
    const struct ft_csub *st = &c->subs[e->st];
    struct ft_key ignore;
    ft_cache_ignore_mask(e->meta->ignore, &ignore);
    bool fixed = true;
    for (int w = 0; fixed && w < FT_KEY_WORDS; w++)
        fixed = !(t->idx_mask.w[w] & (~st->mask.w[w] | ignore.w[w]));
    if (!fixed) {
        link_visit(v, &t->idx_wide);
        return;
    }
    link_visit(v, &t->idx_heads[idx_hash_entry(&t->idx_mask, e, st) & t->idx_head_mask]);
}

static void
idx_drop(struct ft_ctable *t)
{
    free(t->idx_heads);
    t->idx_heads = NULL;
    t->idx_wide = NULL;
    t->has_index = false;
}

void
ft_cache_index_free(struct ft_cache *c)
{
    for (int t = 0; t < FT_N_TABLES; t++)
        idx_drop(&c->tables[t]);
}

/* (Re)build t's index on mask: every visitor placed anew. */
static void
idx_build(struct ft_cache *c, struct ft_ctable *t, const struct ft_key *mask)
{
    uint32_t n = 64;
    while (n < t->n_visitors * 2)
        n <<= 1;
    struct ft_cvisit **heads = ft_calloc(n, sizeof *heads);
    if (!heads)
        return;
    idx_drop(t);
    t->idx_heads = heads;
    t->idx_head_mask = n - 1;
    t->idx_mask = *mask;
    t->has_index = true;
    t->idx_uses = t->idx_scans = 0;
    c->st.index_builds++;
    for (unsigned b = 0; b < FT_PRIO_BUCKETS; b++)
        for (struct ft_cvisit *v = t->bucket[b]; v; v = v->tnext)
            idx_place(c, t, v);
}

void
ft_cache_ignore_mask(uint64_t ignore, struct ft_key *mask)
{
    ft_key_zero(mask);
    for (uint64_t f = ignore & ((1ull << FT_N_FIELDS) - 1); f; f &= f - 1)
        ft_field_mask_exact(mask, (enum ft_field)__builtin_ctzll(f));
    if (ignore & FT_IGN_INNER_VLAN) {
        mask->vlan2_vid = 0xffff;
        mask->vlan2_pcp = 0xff;
    }
    if (ignore & FT_IGN_IP_FRAG)
        mask->ip_frag = 0xff;
}

void
ft_cache_word_fields(uint64_t word_fields[FT_KEY_WORDS])
{
    memset(word_fields, 0, FT_KEY_WORDS * sizeof word_fields[0]);
    for (unsigned i = 0; i < FT_N_FIELDS; i++) {
        const struct ft_field_info *fi = ft_field_info(i);
        for (unsigned w = fi->key_ofs / 8; w <= (fi->key_ofs + fi->key_len - 1u) / 8; w++)
            word_fields[w] |= 1ull << i;
    }
}

/* Which fields a walk's written-bits mask touches (whole fields). */
static uint64_t
ignore_fields(const struct ft_cache *c, const struct ft_key *written)
{
    /* Every walk writes metadata (it starts at 0); most write nothing
     * else, and then no per-field scan is needed on the miss path. */
    uint64_t f = written->metadata ? 1ull << FT_F_METADATA : 0;
    struct ft_key rest = *written;
    rest.metadata = 0;
    if (ft_key_is_zero(&rest))
        return f;
    /* Only the fields in written words: testing all 40 was two fifths of
     * a miss whose actions set fields (scenario 9). */
    uint64_t cand = 0;
    for (int w = 0; w < FT_KEY_WORDS; w++)
        if (rest.w[w])
            cand |= c->word_fields[w];
    for (; cand; cand &= cand - 1) {
        unsigned i = (unsigned)__builtin_ctzll(cand);
        const struct ft_field_info *fi = ft_field_info(i);
        const uint8_t *b = (const uint8_t *)written + fi->key_ofs;
        for (unsigned k = 0; k < fi->key_len; k++) {
            if (b[k]) {
                f |= 1ull << i;
                break;
            }
        }
    }
    if (written->vlan2_vid || written->vlan2_pcp)
        f |= FT_IGN_INNER_VLAN;
    if (written->ip_frag)
        f |= FT_IGN_IP_FRAG;
    return f;
}

int
ft_cache_index_entry(struct ft_cache *c, uint32_t idx, uint32_t from)
{
    const struct ft_walk_out *w = &c->walk;
    struct ft_centry *e = &c->pool[idx];
    size_t size = sizeof(struct ft_cmeta) + w->n_visits * sizeof(struct ft_cvisit) +
                  w->n_deps * sizeof(struct ft_cdep);
    struct ft_cmeta *m = ft_malloc(size);
    if (!m) {
        /* Unindexed, it could not be invalidated: it must not stay. The
         * caller's result still holds the program (deferred free). */
        e->meta = NULL;
        ft_cache_evict(c, idx, &c->st.evict_flush);
        return -ENOMEM;
    }
    e->meta = m;
    m->entry = idx;
    m->cont = from;
    ft_cache_cont_ref(c, from);
    m->ignore = ignore_fields(c, &w->written);
    m->n_visits = w->n_visits;
    m->n_deps = w->n_deps;
    m->visits = (struct ft_cvisit *)(m + 1);
    m->deps = (struct ft_cdep *)(m->visits + w->n_visits);
    m->deps_all = w->flags & FT_WALK_F_DEPS_ALL;
    m->all_next = NULL;
    m->all_prev = NULL;

    for (uint16_t i = 0; i < w->n_visits; i++) {
        struct ft_cvisit *v = &m->visits[i];
        v->rule = w->visits[i].rule;
        v->entry = idx;
        v->table_id = w->visits[i].table_id;
        v->resumed = w->visits[i].resumed;
        /* A resumed rule's lookup came before the recirculation: no add
         * can change it (that is for the entry before it to see). */
        v->priority = v->resumed ? FT_PRIO_RESUMED : v->rule ? ft_rule_priority(v->rule) : -1;
        v->rprev = NULL;
        if (v->rule) {
            struct ft_cvisit **head = ft_cache_rule_bucket(c, v->rule);
            v->rnext = *head;
            if (*head)
                (*head)->rprev = &v->rnext;
            v->rprev = head;
            *head = v;
        }
        struct ft_ctable *t = &c->tables[v->table_id];
        if (t->has_index && t->n_visitors + 1 > 4 * (t->idx_head_mask + 1)) {
            struct ft_key mask = t->idx_mask; /* Grow it: chains stay short. */
            idx_build(c, t, &mask);
        }
        struct ft_cvisit **head = &t->bucket[ft_prio_bucket(v->priority)];
        v->tnext = *head;
        if (*head)
            (*head)->tprev = &v->tnext;
        v->tprev = head;
        *head = v;
        t->n_visitors++;
        v->iprev = NULL;
        if (t->has_index)
            idx_place(c, t, v);
    }
    for (uint16_t i = 0; i < w->n_deps; i++) {
        struct ft_cdep *d = &m->deps[i];
        d->entry = idx;
        d->kind = w->deps[i].kind;
        d->id = w->deps[i].id;
        struct ft_cdep **head = &c->dep_buckets[ft_dep_hash(d->kind, d->id) & c->dep_mask];
        d->next = *head;
        if (*head)
            (*head)->prev = &d->next;
        d->prev = head;
        *head = d;
    }
    if (m->deps_all) {
        m->all_next = c->deps_all;
        if (c->deps_all)
            c->deps_all->all_prev = &m->all_next;
        m->all_prev = &c->deps_all;
        c->deps_all = m;
    }
    return 0;
}

void
ft_cache_unindex_entry(struct ft_cache *c, struct ft_centry *e)
{
    struct ft_cmeta *m = e->meta;
    if (!m)
        return;
    for (uint16_t i = 0; i < m->n_visits; i++) {
        struct ft_cvisit *v = &m->visits[i];
        if (v->rprev) {
            *v->rprev = v->rnext;
            if (v->rnext)
                v->rnext->rprev = v->rprev;
        }
        *v->tprev = v->tnext;
        if (v->tnext)
            v->tnext->tprev = v->tprev;
        if (v->iprev) {
            *v->iprev = v->inext;
            if (v->inext)
                v->inext->iprev = v->iprev;
        }
        c->tables[v->table_id].n_visitors--;
    }
    for (uint16_t i = 0; i < m->n_deps; i++) {
        struct ft_cdep *d = &m->deps[i];
        *d->prev = d->next;
        if (d->next)
            d->next->prev = d->prev;
    }
    if (m->deps_all) {
        *m->all_prev = m->all_next;
        if (m->all_next)
            m->all_next->all_prev = m->all_prev;
    }
    ft_cache_cont_unref(c, m->cont);
    free(m);
    e->meta = NULL;
}

/* Could a packet of entry e — as the tables saw it — match m? Bits the
 * actions wrote are not the packet's: they cannot rule an overlap out. */
static bool
entry_overlaps(const struct ft_cache *c, const struct ft_centry *e, const struct ft_match *m)
{
    const struct ft_csub *st = &c->subs[e->st];
    struct ft_key ignore;
    ft_cache_ignore_mask(e->meta->ignore, &ignore);
    for (unsigned j = 0; j < st->n_words; j++) {
        unsigned w = st->words[j];
        if ((e->key[j] ^ m->key.w[w]) & st->mask.w[w] & m->mask.w[w] & ~ignore.w[w])
            return false;
    }
    return true;
}

static void
evict_scratch(struct ft_cache *c, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ft_cache_evict(c, c->scratch[i], &c->st.evict_invalidated);
}

static void
rule_deleted(struct ft_cache *c, const struct ft_rule *r)
{
    uint32_t n = 0;
    for (struct ft_cvisit *v = *ft_cache_rule_bucket(c, r); v; v = v->rnext)
        if (v->rule == r)
            c->scratch[n++] = v->entry;
    evict_scratch(c, n);
}

static bool
mask_within(const struct ft_key *inner, const struct ft_key *outer)
{
    for (int w = 0; w < FT_KEY_WORDS; w++)
        if (inner->w[w] & ~outer->w[w])
            return false;
    return true;
}

static void
consider(struct ft_cache *c, const struct ft_cvisit *v, int32_t prio, const struct ft_match *m,
         uint32_t *n)
{
    /* At equal priority the tie-break could now pick the new rule. */
    if (v->priority <= prio && entry_overlaps(c, &c->pool[v->entry], m))
        c->scratch[(*n)++] = v->entry;
}

static void
rule_added(struct ft_cache *c, const struct ft_change *chg)
{
    struct ft_match m;
    ft_rule_match(chg->rule, &m);
    int32_t prio = chg->priority;
    uint32_t n = 0;
    struct ft_ctable *t = &c->tables[chg->table_id];

    if (t->has_index && mask_within(&t->idx_mask, &m.mask)) {
        /* Only visitors sharing the rule's bits under idx_mask can overlap it. */
        t->idx_uses++;
        for (const struct ft_cvisit *v = t->idx_wide; v; v = v->inext)
            consider(c, v, prio, &m, &n);
        uint32_t h = idx_hash_key(&t->idx_mask, &m.key);
        for (const struct ft_cvisit *v = t->idx_heads[h & t->idx_head_mask]; v; v = v->inext)
            consider(c, v, prio, &m, &n);
        evict_scratch(c, n);
        return;
    }

    uint64_t scanned = 0;
    for (unsigned b = 0; b <= ft_prio_bucket(prio); b++) {
        for (const struct ft_cvisit *v = t->bucket[b]; v; v = v->tnext) {
            consider(c, v, prio, &m, &n);
            scanned++;
        }
    }
    c->st.visitors_scanned += scanned;
    evict_scratch(c, n);
    if (scanned > c->cfg.index_after_scan && (!t->has_index || ++t->idx_scans > t->idx_uses))
        idx_build(c, t, &m.mask);
}

static void
dep_changed(struct ft_cache *c, uint8_t kind, uint32_t id)
{
    uint32_t n = 0;
    for (const struct ft_cdep *d = c->dep_buckets[ft_dep_hash(kind, id) & c->dep_mask]; d;
         d = d->next)
        if (d->kind == kind && d->id == id)
            c->scratch[n++] = d->entry;
    evict_scratch(c, n);
    /* Entries with too many dependencies to list depend on everything. */
    while (c->deps_all)
        ft_cache_evict(c, c->deps_all->entry, &c->st.evict_invalidated);
}

void
ft_cache_sync(struct ft_cache *c, uint64_t v, const struct ft_change *chg, size_t n, bool lost)
{
    if (lost) {
        ft_cache_flush(c);
    } else {
        for (size_t i = 0; i < n; i++) {
            switch (chg[i].kind) {
            case FT_CHG_RULE_DEL:
                rule_deleted(c, chg[i].rule);
                break;
            case FT_CHG_RULE_ADD:
                rule_added(c, &chg[i]);
                break;
            case FT_CHG_GROUP:
                dep_changed(c, FT_DEP_GROUP, chg[i].id);
                break;
            case FT_CHG_METER:
                dep_changed(c, FT_DEP_METER, chg[i].id);
                break;
            case FT_CHG_PORT:
                dep_changed(c, FT_DEP_PORT, chg[i].id);
                break;
            }
        }
        c->st.changes_applied += n;
    }
    c->version = v;
    /* Continuations the changes left unused may name rules about to be
     * reclaimed: free them now (no packet is between its lookups here). */
    ft_cache_conts_reap(c);
}
