/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_vmap.h (internal) — a single-writer, multi-reader hash map of
 * versioned nodes, the storage under rules, groups, meters and ports.
 *
 * Each slot holds the head of a chain of nodes sharing one key; each node
 * is visible to readers of version v when add_version <= v < remove_version.
 * Open addressing with linear probing; a slot is NULL (never used), a
 * TOMBSTONE (its chain went away) or a head.
 *
 * Thread safety: the writer calls the non-const functions; readers may
 * concurrently call ft_vmap_find() and walk chains with ft_vnode_next().
 * Slot arrays replaced by a resize are handed to the retire callback,
 * because a reader may still be probing them.
 */
#ifndef FT_VMAP_H
#define FT_VMAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FT_VERSION_NEVER UINT64_MAX

struct ft_vnode {
    struct ft_vnode *_Atomic next; /* Same key, per the owner's order. */
    _Atomic uint64_t add_version;
    _Atomic uint64_t remove_version; /* FT_VERSION_NEVER while present. */
    uint32_t hash;
};

static inline void
ft_vnode_init(struct ft_vnode *n, uint32_t hash, uint64_t add_version)
{
    atomic_init(&n->next, NULL);
    atomic_init(&n->add_version, add_version);
    atomic_init(&n->remove_version, FT_VERSION_NEVER);
    n->hash = hash;
}

static inline bool
ft_vnode_visible(const struct ft_vnode *n, uint64_t v)
{
    return atomic_load_explicit(&n->add_version, memory_order_relaxed) <= v &&
           v < atomic_load_explicit(&n->remove_version, memory_order_relaxed);
}

static inline struct ft_vnode *
ft_vnode_next(const struct ft_vnode *n)
{
    return atomic_load_explicit(&((struct ft_vnode *)n)->next, memory_order_acquire);
}

#define FT_VMAP_TOMBSTONE ((struct ft_vnode *)(uintptr_t)1)

struct ft_vmap_slot {
    _Atomic uint32_t hash;
    struct ft_vnode *_Atomic head;
};

struct ft_vmap_slots {
    uint32_t mask; /* Capacity - 1; capacity is a power of two. */
    struct ft_vmap_slot slot[];
};

struct ft_vmap {
    struct ft_vmap_slots *_Atomic slots;
    uint32_t n_heads; /* Writer only. */
    uint32_t n_tombs; /* Writer only. */
};

/* Called with memory a reader may still be using; the owner frees it
 * after a grace period. */
typedef void ft_retire_fn(void *aux, void *ptr);

/* Returns 0 or -ENOMEM. */
int ft_vmap_init(struct ft_vmap *m, uint32_t initial_capacity);
/* Frees the slot array (not the nodes). */
void ft_vmap_destroy(struct ft_vmap *m);

/*
 * Reader: the head of the chain whose key equals `key` per eq(), or NULL.
 * eq is called only for heads with the same hash. Inline so the classifier
 * gets eq inlined.
 */
static inline struct ft_vnode *
ft_vmap_find(const struct ft_vmap *m, uint32_t hash,
             bool (*eq)(const struct ft_vnode *n, const void *key), const void *key)
{
    const struct ft_vmap_slots *s =
        atomic_load_explicit(&((struct ft_vmap *)m)->slots, memory_order_acquire);
    for (uint32_t i = hash & s->mask;; i = (i + 1) & s->mask) {
        struct ft_vnode *h =
            atomic_load_explicit(&((struct ft_vmap_slot *)&s->slot[i])->head, memory_order_acquire);
        if (!h)
            return NULL;
        if (h != FT_VMAP_TOMBSTONE &&
            atomic_load_explicit(&((struct ft_vmap_slot *)&s->slot[i])->hash,
                                 memory_order_relaxed) == hash &&
            eq(h, key))
            return h;
    }
}

/* Reader, hints for looking hash up ahead of ft_vmap_find: fetch its home
 * slot; once that landed, the head there if its hash is hash (the chain
 * ft_vmap_find most likely returns; NULL otherwise). */
static inline void
ft_vmap_prefetch(const struct ft_vmap *m, uint32_t hash)
{
    const struct ft_vmap_slots *s =
        atomic_load_explicit(&((struct ft_vmap *)m)->slots, memory_order_relaxed);
    __builtin_prefetch(&s->slot[hash & s->mask]);
}

static inline const struct ft_vnode *
ft_vmap_home_head(const struct ft_vmap *m, uint32_t hash)
{
    const struct ft_vmap_slots *s =
        atomic_load_explicit(&((struct ft_vmap *)m)->slots, memory_order_acquire);
    struct ft_vmap_slot *sl = (struct ft_vmap_slot *)&s->slot[hash & s->mask];
    struct ft_vnode *h = atomic_load_explicit(&sl->head, memory_order_acquire);
    if (!h || h == FT_VMAP_TOMBSTONE ||
        atomic_load_explicit(&sl->hash, memory_order_relaxed) != hash)
        return NULL;
    return h;
}

/* Writer: make node the head of a new chain (no chain with its key may
 * exist). May resize, retiring the old slot array. Returns 0 or -ENOMEM. */
int ft_vmap_insert(struct ft_vmap *m, struct ft_vnode *node, ft_retire_fn *retire, void *aux);

/* Writer: the chain headed by old_head is now headed by new_head (which may
 * be NULL: the chain is gone and its slot becomes a tombstone). */
void ft_vmap_replace_head(struct ft_vmap *m, struct ft_vnode *old_head, struct ft_vnode *new_head);

/* Writer: call fn on every chain head; stops when fn returns non-zero. */
int ft_vmap_foreach_head(const struct ft_vmap *m, int (*fn)(void *aux, struct ft_vnode *head),
                         void *aux);

static inline uint32_t
ft_vmap_count(const struct ft_vmap *m)
{
    return m->n_heads;
}

#endif /* FT_VMAP_H */
