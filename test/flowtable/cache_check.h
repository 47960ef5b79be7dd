/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Comparing a flow cache's answer with a fresh walk. They must be the same
 * program, except that a cached RECIRC names the cache's continuation
 * (index and generation), which must hold what the fresh walk's does.
 */
#ifndef TEST_CACHE_CHECK_H
#define TEST_CACHE_CHECK_H

#include <stdbool.h>
#include <string.h>

#include "ft_cache_int.h"

/* The key of a packet parsed again after r's RECIRC: parsed, with the
 * recirc fields r names. */
static inline struct ft_key
cc_recirc_key(const struct ft_cache_result *r, const struct ft_key *parsed)
{
    struct ft_key k = *parsed;
    const struct ft_op *op = &r->ops[r->n_ops - 1];
    k.recirc_id = (uint16_t)op->a32;
    k.recirc_gen = op->a16;
    return k;
}

static inline bool
cc_same(const struct ft_cache *c, const struct ft_cache_result *r, const struct ft_walk_out *w)
{
    if (r->n_ops != w->n_ops || r->flags != (uint16_t)w->flags)
        return false;
    size_t n = w->n_ops;
    if (!(w->flags & FT_WALK_F_RECIRC))
        return !memcmp(r->ops, w->ops, n * sizeof w->ops[0]);
    if (memcmp(r->ops, w->ops, (n - 1) * sizeof w->ops[0]) || r->ops[n - 1].type != FT_OP_RECIRC)
        return false;
    struct ft_key k;
    ft_key_zero(&k);
    k = cc_recirc_key(r, &k);
    const struct ft_walk_cont *cont = ft_cache_cont_of(c, &k);
    return cont && !memcmp(cont, &w->cont, sizeof *cont);
}

#endif /* TEST_CACHE_CHECK_H */
