/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interned instruction sets: rules with equal instructions share one copy
 * (1M routes to a handful of next hops cost a handful of copies). Writer
 * only; a set is freed when its last rule is freed, which is after a grace
 * period, so readers holding the rule never see it go.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_pipeline_int.h"
#include "ft_alloc.h"

int
ft_intern_init(struct ft_intern_table *t)
{
    t->mask = 255;
    t->n = 0;
    t->buckets = ft_calloc(t->mask + 1, sizeof *t->buckets);
    return t->buckets ? 0 : -ENOMEM;
}

void
ft_intern_destroy(struct ft_intern_table *t)
{
    for (uint32_t i = 0; t->buckets && i <= t->mask; i++) {
        for (struct ft_interned *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(t->buckets);
    t->buckets = NULL;
}

/* Only the members an action's type uses survive, so equal actions are
 * equal bytes (the hash and memcmp rely on it). */
static void
canon_action(struct ft_action *a)
{
    struct ft_action c = {.type = a->type};
    switch (a->type) {
    case FT_AT_OUTPUT:
        /* max_len matters only to CONTROLLER, but a controller reads back
         * what it wrote (OFPCML_MAX on a normal port, say): keep it. */
        c.arg = a->arg;
        c.max_len = a->max_len;
        break;
    case FT_AT_GROUP:
    case FT_AT_SET_QUEUE:
        c.arg = a->arg;
        break;
    case FT_AT_SET_MPLS_TTL:
    case FT_AT_SET_NW_TTL:
        c.ttl = a->ttl;
        break;
    case FT_AT_PUSH_VLAN:
    case FT_AT_PUSH_MPLS:
    case FT_AT_POP_MPLS:
    case FT_AT_PUSH_PBB:
        c.ethertype = a->ethertype;
        break;
    case FT_AT_SET_FIELD: {
        c.field = a->field;
        const struct ft_field_info *fi = ft_field_info(a->field);
        if (fi)
            memcpy(&c.value, &a->value, fi->key_len);
        break;
    }
    default:
        break;
    }
    *a = c;
}

static uint32_t
hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0x9ae16a3b2f90404full;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = ft_hash_add64(h, w);
    }
    uint64_t tail = 0;
    memcpy(&tail, b + i, n - i);
    return ft_hash_finish(ft_hash_add64(h, tail ^ n));
}

static int
grow(struct ft_intern_table *t)
{
    uint32_t mask = t->mask * 2 + 1;
    struct ft_interned **b = ft_calloc(mask + 1, sizeof *b);
    if (!b)
        return -ENOMEM;
    for (uint32_t i = 0; i <= t->mask; i++) {
        for (struct ft_interned *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = b[e->hash & mask];
            b[e->hash & mask] = e;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->mask = mask;
    return 0;
}

const struct ft_insts *
ft_intern(struct ft_intern_table *t, const struct ft_insts *in)
{
    size_t size = ft_insts_size(in);
    struct ft_interned *e = ft_malloc(sizeof *e + size);
    if (!e)
        return NULL;
    struct ft_insts *copy = ft_interned_insts(e);
    memcpy(copy, in, size);
    copy->pad_ = 0;
    if (!(copy->present & FT_INST_BIT(FT_IT_GOTO_TABLE)))
        copy->goto_table = 0;
    if (!(copy->present & FT_INST_BIT(FT_IT_METER)))
        copy->meter_id = 0;
    if (!(copy->present & FT_INST_BIT(FT_IT_WRITE_METADATA)))
        copy->metadata = copy->metadata_mask = 0;
    for (size_t i = 0; i < (size_t)copy->n_apply + copy->n_write; i++)
        canon_action(&copy->actions[i]);
    e->hash = hash_bytes(copy, size);

    for (struct ft_interned *x = t->buckets[e->hash & t->mask]; x; x = x->next) {
        if (x->hash == e->hash && ft_insts_equal(ft_interned_insts(x), copy)) {
            free(e);
            x->refcnt++;
            return ft_interned_insts(x);
        }
    }
    if (t->n + 1 > (t->mask + 1) && grow(t)) {
        free(e);
        return NULL;
    }
    e->refcnt = 1;
    e->next = t->buckets[e->hash & t->mask];
    t->buckets[e->hash & t->mask] = e;
    t->n++;
    return copy;
}

void
ft_intern_ref(const struct ft_insts *in)
{
    if (in)
        ft_interned_of(in)->refcnt++;
}

void
ft_intern_unref(struct ft_intern_table *t, const struct ft_insts *in)
{
    if (!in)
        return;
    struct ft_interned *e = ft_interned_of(in);
    if (--e->refcnt)
        return;
    for (struct ft_interned **pp = &t->buckets[e->hash & t->mask]; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            t->n--;
            break;
        }
    }
    free(e);
}
