/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Comparing a flow cache's answer with a fresh walk. They must be the same
 * program — a staged cache's stage programs, one after the other, are the
 * unstaged walk's — except that a cached RECIRC names the cache's
 * continuation (index and generation), which must hold what the fresh
 * walk's does.
 */
#ifndef TEST_CACHE_CHECK_H
#define TEST_CACHE_CHECK_H

#include <stdbool.h>
#include <string.h>

#include "ft_cache_int.h"

/* The stage programs of r, one after the other, into ops (room for
 * FT_WALK_MAX_OPS * FT_MAX_STAGES); returns how many. */
static inline size_t
cc_flat(const struct ft_cache_result *r, struct ft_op *ops)
{
    size_t n = 0;
    for (unsigned f = 0; f < r->n_frags; f++) {
        memcpy(ops + n, r->frag[f].ops, r->frag[f].n_ops * sizeof *ops);
        n += r->frag[f].n_ops;
    }
    return n;
}

/* r's last op (its RECIRC when it recirculates). */
static inline const struct ft_op *
cc_last_op(const struct ft_cache_result *r)
{
    const struct ft_cache_frag *f = &r->frag[r->n_frags - 1];
    return &f->ops[f->n_ops - 1];
}

/* The key of a packet parsed again after r's RECIRC: parsed, with the
 * recirc fields r names. */
static inline struct ft_key
cc_recirc_key(const struct ft_cache_result *r, const struct ft_key *parsed)
{
    struct ft_key k = *parsed;
    const struct ft_op *op = cc_last_op(r);
    k.recirc_id = (uint16_t)op->a32;
    k.recirc_gen = op->a16;
    return k;
}

static inline bool
cc_same(const struct ft_cache *c, const struct ft_cache_result *r, const struct ft_walk_out *w)
{
    static struct ft_op ops[FT_WALK_MAX_OPS * FT_MAX_STAGES];
    size_t n = cc_flat(r, ops);
    if (n != w->n_ops || r->n_ops != n || r->flags != (uint16_t)w->flags)
        return false;
    if (!(w->flags & FT_WALK_F_RECIRC))
        return !memcmp(ops, w->ops, n * sizeof w->ops[0]);
    if (memcmp(ops, w->ops, (n - 1) * sizeof w->ops[0]) || ops[n - 1].type != FT_OP_RECIRC)
        return false;
    struct ft_key k;
    ft_key_zero(&k);
    k = cc_recirc_key(r, &k);
    const struct ft_walk_cont *cont = ft_cache_cont_of(c, &k);
    return cont && !memcmp(cont, &w->cont, sizeof *cont);
}

/* The text of r's program (its stages' in order), for reports. */
static inline void
cc_format(char *buf, size_t size, const struct ft_cache_result *r)
{
    static struct ft_op ops[FT_WALK_MAX_OPS * FT_MAX_STAGES];
    size_t n = cc_flat(r, ops);
    ft_program_format(buf, size, ops, n);
}

/* Whether every part's census is true to its entries (struct ft_cpart):
 * counted again from the subtables, each slot's count is the one kept, a
 * solo slot's entries are all in its subtable, an empty one names none;
 * and every part's entry count is right, its census held or not. */
static inline bool
cc_census_ok(const struct ft_cache *c)
{
    static uint32_t count[FT_HINT_SLOTS];
    static uint16_t solo[FT_HINT_SLOTS];
    for (int p = 0; p < FT_CACHE_PARTS; p++) {
        const struct ft_cpart *pt = &c->parts[p];
        uint32_t n = 0;
        memset(count, 0, sizeof count);
        for (uint16_t s = 0; s < c->n_subs; s++) {
            const struct ft_csub *st = &c->subs[s];
            for (uint32_t b = 0; b < ft_csub_buckets(st); b++) {
                for (uint32_t i = ft_csub_bucket(st, b); i != FT_NIL; i = c->pool[i].next) {
                    const struct ft_centry *e = &c->pool[i];
                    if (e->cpart != p)
                        continue;
                    n++;
                    if (!pt->census)
                        continue;
                    uint16_t slot = ft_cache_entry_slot(pt, st, e);
                    if (slot != e->cslot)
                        return false;
                    if (!count[slot]++)
                        solo[slot] = s;
                    else if (solo[slot] != s)
                        solo[slot] = FT_ST_MIXED;
                }
            }
        }
        if (n != pt->n_entries)
            return false;
        for (uint32_t j = 0; pt->census && j < FT_HINT_SLOTS; j++) {
            const struct ft_hslot *h = &pt->slot[j];
            if (h->count != count[j] || (!h->count && h->solo != FT_ST_NONE) ||
                (h->count && h->solo != FT_ST_MIXED && h->solo != solo[j]))
                return false;
        }
    }
    return true;
}

#endif /* TEST_CACHE_CHECK_H */
