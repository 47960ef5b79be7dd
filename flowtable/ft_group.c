/* SPDX-License-Identifier: Apache-2.0 */
/* Groups: group-mod semantics, chaining checks, counters and features. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_pipeline_int.h"
#include "ft_alloc.h"

#define GROUP_OFS offsetof(struct ft_group, id)

/* Deepest chain of groups the walk will follow. */
#define FT_GROUP_MAX_DEPTH 16

const struct ft_group *
ft_pipeline_group_find(const struct ft_pipeline *p, uint64_t v, uint32_t id)
{
    return (const struct ft_group *)ft_idmap_find(&p->groups, v, id, GROUP_OFS);
}

static struct ft_group *
group_staged(const struct ft_pipeline *p, uint32_t id)
{
    return (struct ft_group *)ft_idmap_find(&p->groups, ft_staged_version(p), id, GROUP_OFS);
}

static void
counters_put(struct ft_group_counters *c)
{
    if (c && --c->refs == 0)
        free(c);
}

void
ft_group_free(struct ft_group *g)
{
    counters_put(g->counters);
    free(g->buckets);
    free(g->actions);
    free(g);
}

/* Depth of the longest group chain below group id (staged view), or -1 if
 * it reaches `target` (a loop). Depth counts groups. */
static int
chain_depth(const struct ft_pipeline *p, uint32_t id, uint32_t target, int budget)
{
    if (id == target)
        return -1;
    const struct ft_group *g = group_staged(p, id);
    if (!g || budget <= 0)
        return 0;
    int deepest = 0;
    for (uint32_t b = 0; b < g->n_buckets; b++) {
        for (uint16_t i = 0; i < g->buckets[b].n_actions; i++) {
            const struct ft_action *a = &g->buckets[b].actions[i];
            if (a->type != FT_AT_GROUP)
                continue;
            int d = chain_depth(p, a->arg, target, budget - 1);
            if (d < 0)
                return -1;
            if (d > deepest)
                deepest = d;
        }
    }
    return deepest + 1;
}

static enum ft_err
check_buckets(const struct ft_pipeline *p, const struct ft_group_mod *gm)
{
    if (gm->n_buckets > p->cfg.max_buckets)
        return FT_ERR_GROUP_MOD_FAILED_OUT_OF_BUCKETS;
    if (gm->type == FT_GT_INDIRECT && gm->n_buckets != 1)
        return FT_ERR_GROUP_MOD_FAILED_INVALID_GROUP;
    for (uint32_t b = 0; b < gm->n_buckets; b++) {
        const struct ft_bucket *bk = &gm->buckets[b];
        if (bk->weight && gm->type != FT_GT_SELECT)
            return FT_ERR_GROUP_MOD_FAILED_BAD_BUCKET;
        if (gm->type == FT_GT_FF && bk->watch_port == FT_PORT_ANY &&
            bk->watch_group == FT_GROUP_ANY)
            return FT_ERR_GROUP_MOD_FAILED_BAD_WATCH;
        enum ft_err err = ft_actions_check(bk->actions, bk->n_actions, NULL, true, false);
        if (err)
            return err;
        for (uint16_t i = 0; i < bk->n_actions; i++) {
            const struct ft_action *a = &bk->actions[i];
            if (a->type != FT_AT_GROUP)
                continue;
            if (a->arg == gm->group_id)
                return FT_ERR_GROUP_MOD_FAILED_LOOP;
            if (!group_staged(p, a->arg))
                return FT_ERR_BAD_ACTION_BAD_OUT_GROUP;
            int d = chain_depth(p, a->arg, gm->group_id, FT_GROUP_MAX_DEPTH);
            if (d < 0)
                return FT_ERR_GROUP_MOD_FAILED_LOOP;
            if (d >= FT_GROUP_MAX_DEPTH)
                return FT_ERR_GROUP_MOD_FAILED_CHAINING_UNSUPPORTED;
        }
    }
    return FT_OK;
}

/* A new immutable group object holding copies of gm's buckets. */
static struct ft_group *
group_build(const struct ft_pipeline *p, const struct ft_group_mod *gm, uint64_t now_ns)
{
    size_t n_actions = 0;
    for (uint32_t b = 0; b < gm->n_buckets; b++)
        n_actions += gm->buckets[b].n_actions;
    struct ft_group *g = ft_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->buckets = ft_calloc(gm->n_buckets ? gm->n_buckets : 1, sizeof *g->buckets);
    g->actions = ft_calloc(n_actions ? n_actions : 1, sizeof *g->actions);
    if (!g->buckets || !g->actions) {
        ft_group_free(g);
        return NULL;
    }
    ft_vnode_init(&g->node, 0, ft_staged_version(p));
    g->id = gm->group_id;
    g->type = gm->type;
    g->n_buckets = gm->n_buckets;
    g->created_ns = now_ns;
    struct ft_action *next = g->actions;
    for (uint32_t b = 0; b < gm->n_buckets; b++) {
        g->buckets[b] = gm->buckets[b];
        memcpy(next, gm->buckets[b].actions, gm->buckets[b].n_actions * sizeof *next);
        g->buckets[b].actions = next;
        next += gm->buckets[b].n_actions;
    }
    return g;
}

static struct ft_group_counters *
counters_new(uint32_t n_buckets)
{
    struct ft_group_counters *c = ft_calloc(1, sizeof *c + (size_t)n_buckets * sizeof c->bucket[0]);
    if (c) {
        c->refs = 1;
        c->n_buckets = n_buckets;
    }
    return c;
}

static void
group_remove(struct ft_pipeline *p, struct ft_group *g)
{
    atomic_store_explicit(&g->node.remove_version, ft_staged_version(p), memory_order_relaxed);
    (void)ft_pipeline_doom(p, FT_GARBAGE_GROUP, g);
}

static int
group_delete(struct ft_pipeline *p, struct ft_group *g, uint64_t now_ns)
{
    if (ft_remove_rules_using_group(p, g->id, now_ns))
        return -ENOMEM;
    group_remove(p, g);
    p->n_groups--;
    ft_pipeline_note(p, FT_CHG_GROUP, 0, 0, g->id, NULL);
    return 0;
}

static int
groups_sorted(const struct ft_pipeline *p, struct ft_vec *out)
{
    return ft_idmap_sorted(&p->groups, ft_staged_version(p), GROUP_OFS, out);
}

/* Some other visible group forwards to id. */
static bool
group_is_chained(const struct ft_pipeline *p, uint32_t id)
{
    struct ft_vec all = {0};
    bool found = false;
    if (groups_sorted(p, &all)) {
        free(all.data);
        return true; /* Cannot tell: refuse rather than dangle. */
    }
    for (size_t i = 0; i < all.n && !found; i++) {
        const struct ft_group *g = *FT_VEC_AT(&all, struct ft_group *, i);
        for (uint32_t b = 0; g->id != id && b < g->n_buckets && !found; b++)
            for (uint16_t k = 0; k < g->buckets[b].n_actions && !found; k++)
                found = g->buckets[b].actions[k].type == FT_AT_GROUP &&
                        g->buckets[b].actions[k].arg == id;
    }
    free(all.data);
    return found;
}

enum ft_err
ft_pipeline_group_mod(struct ft_pipeline *p, const struct ft_group_mod *gm, uint64_t now_ns)
{
    if (gm->command > FT_GC_DELETE)
        return FT_ERR_GROUP_MOD_FAILED_BAD_COMMAND;

    if (gm->command == FT_GC_DELETE) {
        if (gm->group_id == FT_GROUP_ALL) {
            struct ft_vec all = {0};
            if (groups_sorted(p, &all)) {
                free(all.data);
                return FT_ERR_GROUP_MOD_FAILED_EPERM;
            }
            int r = 0;
            for (size_t i = 0; i < all.n && !r; i++)
                r = group_delete(p, *FT_VEC_AT(&all, struct ft_group *, i), now_ns);
            free(all.data);
            return r ? FT_ERR_GROUP_MOD_FAILED_EPERM : FT_OK;
        }
        if (gm->group_id > FT_GROUP_MAX)
            return FT_ERR_GROUP_MOD_FAILED_INVALID_GROUP;
        struct ft_group *g = group_staged(p, gm->group_id);
        if (!g)
            return FT_OK; /* Deleting an unknown group is not an error (spec). */
        if (group_is_chained(p, g->id))
            return FT_ERR_GROUP_MOD_FAILED_CHAINED_GROUP;
        return group_delete(p, g, now_ns) ? FT_ERR_GROUP_MOD_FAILED_EPERM : FT_OK;
    }

    if (gm->group_id > FT_GROUP_MAX)
        return FT_ERR_GROUP_MOD_FAILED_INVALID_GROUP;
    if (gm->type > FT_GT_FF)
        return FT_ERR_GROUP_MOD_FAILED_BAD_TYPE;
    struct ft_group *old = group_staged(p, gm->group_id);
    if (gm->command == FT_GC_ADD && old)
        return FT_ERR_GROUP_MOD_FAILED_GROUP_EXISTS;
    if (gm->command == FT_GC_MODIFY && !old)
        return FT_ERR_GROUP_MOD_FAILED_UNKNOWN_GROUP;
    if (!old && p->n_groups >= p->cfg.max_groups)
        return FT_ERR_GROUP_MOD_FAILED_OUT_OF_GROUPS;
    enum ft_err err = check_buckets(p, gm);
    if (err)
        return err;

    struct ft_group *g = group_build(p, gm, now_ns);
    if (!g)
        return FT_ERR_GROUP_MOD_FAILED_OUT_OF_GROUPS;
    if (old && old->counters->n_buckets == g->n_buckets) {
        g->counters = old->counters; /* A modify keeps the counters. */
        g->counters->refs++;
        g->created_ns = old->created_ns;
    } else if (!(g->counters = counters_new(g->n_buckets))) {
        ft_group_free(g);
        return FT_ERR_GROUP_MOD_FAILED_OUT_OF_GROUPS;
    }
    if (ft_idmap_add(p, &p->groups, &g->node, g->id, GROUP_OFS)) {
        ft_group_free(g);
        return FT_ERR_GROUP_MOD_FAILED_OUT_OF_GROUPS;
    }
    if (old) {
        g->ref_count = old->ref_count;
        group_remove(p, old);
    } else {
        p->n_groups++;
    }
    ft_pipeline_note(p, FT_CHG_GROUP, 0, 0, g->id, NULL);
    return FT_OK;
}

void
ft_group_ref_rules(struct ft_pipeline *p, const struct ft_insts *in, int delta)
{
    if (!in)
        return;
    for (size_t i = 0; i < (size_t)in->n_apply + in->n_write; i++) {
        if (in->actions[i].type != FT_AT_GROUP)
            continue;
        struct ft_group *g = group_staged(p, in->actions[i].arg);
        if (g)
            g->ref_count += delta;
    }
}

int
ft_pipeline_groups_foreach(const struct ft_pipeline *p, uint32_t id, ft_group_visit_fn *fn,
                           void *aux)
{
    if (id != FT_GROUP_ALL) {
        const struct ft_group *g = group_staged(p, id);
        return g ? fn(aux, g) : 0;
    }
    struct ft_vec all = {0};
    int rc = groups_sorted(p, &all);
    for (size_t i = 0; !rc && i < all.n; i++)
        rc = fn(aux, *FT_VEC_AT(&all, struct ft_group *, i));
    free(all.data);
    return rc;
}

uint32_t
ft_group_id(const struct ft_group *g)
{
    return g->id;
}

uint8_t
ft_group_type(const struct ft_group *g)
{
    return g->type;
}

uint32_t
ft_group_n_buckets(const struct ft_group *g)
{
    return g->n_buckets;
}

const struct ft_bucket *
ft_group_bucket(const struct ft_group *g, uint32_t i)
{
    return i < g->n_buckets ? &g->buckets[i] : NULL;
}

uint64_t
ft_group_created_ns(const struct ft_group *g)
{
    return g->created_ns;
}

uint32_t
ft_group_ref_count(const struct ft_group *g)
{
    return g->ref_count;
}

void
ft_group_add_stats(const struct ft_group *g, uint32_t bucket, uint64_t packets, uint64_t bytes)
{
    struct ft_group_counters *c = g->counters;
    atomic_fetch_add_explicit(&c->packets, packets, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->bytes, bytes, memory_order_relaxed);
    if (bucket < c->n_buckets) {
        atomic_fetch_add_explicit(&c->bucket[bucket].packets, packets, memory_order_relaxed);
        atomic_fetch_add_explicit(&c->bucket[bucket].bytes, bytes, memory_order_relaxed);
    }
}

void
ft_group_add_bucket_stats(const struct ft_group *g, uint32_t bucket, uint64_t packets,
                          uint64_t bytes)
{
    struct ft_group_counters *c = g->counters;
    if (bucket < c->n_buckets) {
        atomic_fetch_add_explicit(&c->bucket[bucket].packets, packets, memory_order_relaxed);
        atomic_fetch_add_explicit(&c->bucket[bucket].bytes, bytes, memory_order_relaxed);
    }
}

void
ft_group_stats(const struct ft_group *g, uint64_t *packets, uint64_t *bytes)
{
    *packets = atomic_load_explicit(&g->counters->packets, memory_order_relaxed);
    *bytes = atomic_load_explicit(&g->counters->bytes, memory_order_relaxed);
}

void
ft_group_bucket_stats(const struct ft_group *g, uint32_t bucket, uint64_t *packets, uint64_t *bytes)
{
    *packets = *bytes = 0;
    if (bucket >= g->counters->n_buckets)
        return;
    *packets = atomic_load_explicit(&g->counters->bucket[bucket].packets, memory_order_relaxed);
    *bytes = atomic_load_explicit(&g->counters->bucket[bucket].bytes, memory_order_relaxed);
}

void
ft_pipeline_group_features(const struct ft_pipeline *p, struct ft_group_features *f)
{
    uint32_t actions = 0;
    static const uint8_t supported[] = {
        FT_AT_OUTPUT,       FT_AT_COPY_TTL_OUT, FT_AT_COPY_TTL_IN, FT_AT_SET_MPLS_TTL,
        FT_AT_DEC_MPLS_TTL, FT_AT_PUSH_VLAN,    FT_AT_POP_VLAN,    FT_AT_PUSH_MPLS,
        FT_AT_POP_MPLS,     FT_AT_SET_QUEUE,    FT_AT_GROUP,       FT_AT_SET_NW_TTL,
        FT_AT_DEC_NW_TTL,   FT_AT_SET_FIELD,    FT_AT_PUSH_PBB,    FT_AT_POP_PBB,
    };
    for (size_t i = 0; i < sizeof supported; i++)
        actions |= 1u << supported[i];
    memset(f, 0, sizeof *f);
    f->types = (1u << FT_GT_ALL) | (1u << FT_GT_SELECT) | (1u << FT_GT_INDIRECT) | (1u << FT_GT_FF);
    f->capabilities =
        FT_GFC_SELECT_WEIGHT | FT_GFC_SELECT_LIVENESS | FT_GFC_CHAINING | FT_GFC_CHAINING_CHECKS;
    for (int t = 0; t < 4; t++) {
        f->max_groups[t] = p->cfg.max_groups;
        f->actions[t] = actions;
    }
}
