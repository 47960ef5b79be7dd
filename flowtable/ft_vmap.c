/* SPDX-License-Identifier: Apache-2.0 */
#include "ft_vmap.h"
#include "ft_alloc.h"

#include <errno.h>
#include <stdlib.h>

static struct ft_vmap_slots *
slots_alloc(uint32_t capacity)
{
    struct ft_vmap_slots *s = ft_calloc(1, sizeof *s + (size_t)capacity * sizeof s->slot[0]);
    if (s)
        s->mask = capacity - 1;
    return s;
}

static uint32_t
pow2_at_least(uint32_t n)
{
    uint32_t c = 16;
    while (c < n)
        c <<= 1;
    return c;
}

int
ft_vmap_init(struct ft_vmap *m, uint32_t initial_capacity)
{
    struct ft_vmap_slots *s = slots_alloc(pow2_at_least(initial_capacity));
    if (!s)
        return -ENOMEM;
    atomic_init(&m->slots, s);
    m->n_heads = 0;
    m->n_tombs = 0;
    return 0;
}

void
ft_vmap_destroy(struct ft_vmap *m)
{
    free(atomic_load_explicit(&m->slots, memory_order_relaxed));
    atomic_store_explicit(&m->slots, NULL, memory_order_relaxed);
}

static struct ft_vmap_slots *
cur(const struct ft_vmap *m)
{
    return atomic_load_explicit(&((struct ft_vmap *)m)->slots, memory_order_relaxed);
}

/* Place head in the first free slot of its probe sequence. */
static void
place(struct ft_vmap_slots *s, struct ft_vnode *head, bool *reused_tomb)
{
    for (uint32_t i = head->hash & s->mask;; i = (i + 1) & s->mask) {
        struct ft_vnode *h = atomic_load_explicit(&s->slot[i].head, memory_order_relaxed);
        if (h && h != FT_VMAP_TOMBSTONE)
            continue;
        *reused_tomb = h == FT_VMAP_TOMBSTONE;
        atomic_store_explicit(&s->slot[i].hash, head->hash, memory_order_relaxed);
        /* Release: a reader that sees the head also sees hash and node. */
        atomic_store_explicit(&s->slot[i].head, head, memory_order_release);
        return;
    }
}

static int
resize(struct ft_vmap *m, uint32_t capacity, ft_retire_fn *retire, void *aux)
{
    struct ft_vmap_slots *old = cur(m), *s = slots_alloc(capacity);
    if (!s)
        return -ENOMEM;
    bool tomb;
    for (uint32_t i = 0; i <= old->mask; i++) {
        struct ft_vnode *h = atomic_load_explicit(&old->slot[i].head, memory_order_relaxed);
        if (h && h != FT_VMAP_TOMBSTONE)
            place(s, h, &tomb);
    }
    atomic_store_explicit(&m->slots, s, memory_order_release);
    m->n_tombs = 0;
    retire(aux, old);
    return 0;
}

int
ft_vmap_insert(struct ft_vmap *m, struct ft_vnode *node, ft_retire_fn *retire, void *aux)
{
    struct ft_vmap_slots *s = cur(m);
    uint32_t cap = s->mask + 1;
    /* Keep probes short: at most 3/4 full counting tombstones. */
    if ((uint64_t)(m->n_heads + m->n_tombs + 1) * 4 > (uint64_t)cap * 3) {
        uint32_t want = pow2_at_least((m->n_heads + 1) * 2);
        int err = resize(m, want, retire, aux);
        if (err)
            return err;
        s = cur(m);
    }
    bool reused_tomb;
    place(s, node, &reused_tomb);
    m->n_heads++;
    if (reused_tomb)
        m->n_tombs--;
    return 0;
}

void
ft_vmap_replace_head(struct ft_vmap *m, struct ft_vnode *old_head, struct ft_vnode *new_head)
{
    struct ft_vmap_slots *s = cur(m);
    for (uint32_t i = old_head->hash & s->mask;; i = (i + 1) & s->mask) {
        struct ft_vnode *h = atomic_load_explicit(&s->slot[i].head, memory_order_relaxed);
        if (!h)
            return; /* Not present: nothing to do (caller bug, but harmless). */
        if (h != old_head)
            continue;
        if (new_head) {
            atomic_store_explicit(&s->slot[i].head, new_head, memory_order_release);
        } else {
            atomic_store_explicit(&s->slot[i].head, FT_VMAP_TOMBSTONE, memory_order_release);
            m->n_heads--;
            m->n_tombs++;
        }
        return;
    }
}

int
ft_vmap_foreach_head(const struct ft_vmap *m, int (*fn)(void *aux, struct ft_vnode *head),
                     void *aux)
{
    struct ft_vmap_slots *s = cur(m);
    for (uint32_t i = 0; i <= s->mask; i++) {
        struct ft_vnode *h = atomic_load_explicit(&s->slot[i].head, memory_order_relaxed);
        if (!h || h == FT_VMAP_TOMBSTONE)
            continue;
        int rc = fn(aux, h);
        if (rc)
            return rc;
    }
    return 0;
}
