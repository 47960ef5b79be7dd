/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Continuations: where walks go on after a recirculation (ft_walk.h,
 * FT_OP_RECIRC). Each distinct continuation is kept once per cache, named
 * in the recirculated packet's key by its index + 1 and its generation.
 * References come from the programs that end in it and from the entries
 * that resumed from it; one without references stays findable (an equal
 * continuation takes it back) until ft_cache_maintain frees it, so between
 * a packet's first lookup and its lookup after the recirculation its name
 * always means the same continuation.
 */
#include <string.h>

#include "ft_alloc.h"
#include "ft_cache_int.h"

static uint32_t
cont_hash(const struct ft_walk_cont *wc)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    const uint64_t *w = (const uint64_t *)(const void *)wc;
    for (size_t i = 0; i < sizeof *wc / 8; i++)
        h = ft_hash_add64(h, w[i]);
    return ft_hash_finish(h);
}

int
ft_cache_conts_init(struct ft_cache *c)
{
    uint32_t n = c->cfg.max_conts, buckets = 64;
    while (buckets < n)
        buckets <<= 1;
    c->conts = ft_calloc(n ? n : 1, sizeof *c->conts);
    c->cont_heads = ft_malloc(buckets * sizeof *c->cont_heads);
    if (!c->conts || !c->cont_heads)
        return -1;
    memset(c->cont_heads, 0xff, buckets * sizeof *c->cont_heads);
    c->cont_mask = buckets - 1;
    for (uint32_t i = 0; i < n; i++)
        c->conts[i].next = i + 1 < n ? i + 1 : FT_NIL;
    c->cont_free = n ? 0 : FT_NIL;
    return 0;
}

void
ft_cache_conts_free(struct ft_cache *c)
{
    free(c->conts);
    free(c->cont_heads);
}

uint32_t
ft_cache_cont_get(struct ft_cache *c, const struct ft_walk_cont *wc)
{
    uint32_t h = cont_hash(wc);
    for (uint32_t i = c->cont_heads[h & c->cont_mask]; i != FT_NIL; i = c->conts[i].next) {
        struct ft_ccont *cc = &c->conts[i];
        if (cc->hash == h && !memcmp(&cc->cont, wc, sizeof *wc)) {
            cc->refcnt++;
            return i;
        }
    }
    uint32_t i = c->cont_free;
    if (i == FT_NIL) {
        c->st.cont_full++;
        return FT_NIL;
    }
    struct ft_ccont *cc = &c->conts[i];
    c->cont_free = cc->next;
    cc->cont = *wc;
    cc->hash = h;
    cc->refcnt = 1;
    cc->used = true;
    unsigned stage = c->staged ? ft_stage_of(&c->cfg.stages, wc->table_id) : 0;
    cc->part = (uint8_t)(1 + (stage < FT_MAX_STAGES ? stage : FT_MAX_STAGES - 1));
    cc->next = c->cont_heads[h & c->cont_mask];
    c->cont_heads[h & c->cont_mask] = i;
    c->n_conts++;
    return i;
}

void
ft_cache_cont_ref(struct ft_cache *c, uint32_t idx)
{
    if (idx != FT_NIL)
        c->conts[idx].refcnt++;
}

void
ft_cache_cont_unref(struct ft_cache *c, uint32_t idx)
{
    if (idx != FT_NIL && !--c->conts[idx].refcnt)
        c->conts_dead = true;
}

const struct ft_walk_cont *
ft_cache_cont_of(const struct ft_cache *c, const struct ft_key *key)
{
    uint32_t idx = (uint32_t)key->recirc_id - 1;
    if (!key->recirc_id || idx >= c->cfg.max_conts)
        return NULL;
    const struct ft_ccont *cc = &c->conts[idx];
    return cc->used && cc->gen == key->recirc_gen ? &cc->cont : NULL;
}

void
ft_cache_conts_reap(struct ft_cache *c)
{
    if (!c->conts_dead)
        return;
    c->conts_dead = false;
    for (uint32_t b = 0; b <= c->cont_mask; b++) {
        for (uint32_t *pp = &c->cont_heads[b]; *pp != FT_NIL;) {
            struct ft_ccont *cc = &c->conts[*pp];
            if (cc->refcnt) {
                pp = &cc->next;
                continue;
            }
            uint32_t i = *pp;
            *pp = cc->next;
            cc->used = false;
            cc->gen++; /* Keys that still name it name nothing now. */
            cc->next = c->cont_free;
            c->cont_free = i;
            c->n_conts--;
        }
    }
}
