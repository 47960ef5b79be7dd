/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_trie.c — the prefix tries of ft_trie.h: one node per bit of a prefix
 * path, counts where prefixes end.
 */
#include <stdlib.h>

#include "ft_trie.h"

#include "ft_alloc.h"
#include "ft_pipeline_int.h"

static inline unsigned
bit_at(uint32_t v, unsigned depth)
{
    return v >> (31 - depth) & 1;
}

/* Calls drop on every node of the subtree at n, each after its children
 * were read (drop may free it). Depth is at most 33, so the recursion on
 * one side is bounded. */
static void
drop_tree(struct ft_trie_node *n, void (*drop)(struct ft_trie_node *, void *), void *ctx)
{
    while (n) {
        struct ft_trie_node *left = atomic_load_explicit(&n->child[0], memory_order_relaxed);
        struct ft_trie_node *right = atomic_load_explicit(&n->child[1], memory_order_relaxed);
        drop(n, ctx);
        drop_tree(left, drop, ctx);
        n = right;
    }
}

/* To p's garbage: readers still inside finish before it is freed. */
static void
retire_node(struct ft_trie_node *n, void *p)
{
    ft_pipeline_retire(p, FT_GARBAGE_MEM, n);
}

static void
free_node(struct ft_trie_node *n, void *unused)
{
    (void)unused;
    free(n);
}

/* Off for good: lookups see `broken` first and skip nothing. */
static void
switch_off(struct ft_pipeline *p, struct ft_trie *t)
{
    atomic_store_explicit(&t->broken, true, memory_order_release);
    struct ft_trie_node *root = atomic_load_explicit(&t->root, memory_order_relaxed);
    atomic_store_explicit(&t->root, NULL, memory_order_release);
    drop_tree(root, retire_node, p);
    p->trie_nodes -= t->n_nodes;
    t->n_nodes = 0;
}

void
ft_trie_insert(struct ft_pipeline *p, struct ft_trie *t, uint32_t value, unsigned plen)
{
    if (atomic_load_explicit(&t->broken, memory_order_relaxed))
        return;
    struct ft_trie_node *_Atomic *link = &t->root;
    struct ft_trie_node *n = NULL;
    for (unsigned d = 0;; d++) {
        n = atomic_load_explicit(link, memory_order_relaxed);
        if (!n) {
            /* Without this prefix's count a lookup could skip a subtable
             * its rule is in: switch the trie off instead. */
            n = p->trie_nodes < p->cfg.max_trie_nodes ? ft_calloc(1, sizeof *n) : NULL;
            if (!n) {
                switch_off(p, t);
                return;
            }
            t->n_nodes++;
            p->trie_nodes++;
            atomic_store_explicit(link, n, memory_order_release);
        }
        if (d == plen)
            break;
        link = &n->child[bit_at(value, d)];
    }
    atomic_fetch_add_explicit(&n->rules, 1, memory_order_relaxed);
}

void
ft_trie_remove(struct ft_pipeline *p, struct ft_trie *t, uint32_t value, unsigned plen)
{
    if (atomic_load_explicit(&t->broken, memory_order_relaxed))
        return;
    struct ft_trie_node *_Atomic *links[33];
    struct ft_trie_node *path[33];
    struct ft_trie_node *_Atomic *link = &t->root;
    for (unsigned d = 0; d <= plen; d++) {
        struct ft_trie_node *n = atomic_load_explicit(link, memory_order_relaxed);
        if (!n)
            return; /* Never counted (cannot happen while not broken). */
        links[d] = link;
        path[d] = n;
        if (d < plen)
            link = &n->child[bit_at(value, d)];
    }
    atomic_fetch_sub_explicit(&path[plen]->rules, 1, memory_order_relaxed);
    /* Prune from the end of the path: a node with no rule and no child
     * leads nowhere. Readers still on it finish before it is freed. */
    for (unsigned d = plen + 1; d-- > 0;) {
        struct ft_trie_node *n = path[d];
        if (atomic_load_explicit(&n->rules, memory_order_relaxed) ||
            atomic_load_explicit(&n->child[0], memory_order_relaxed) ||
            atomic_load_explicit(&n->child[1], memory_order_relaxed))
            break;
        atomic_store_explicit(links[d], NULL, memory_order_release);
        ft_pipeline_retire(p, FT_GARBAGE_MEM, n);
        t->n_nodes--;
        p->trie_nodes--;
    }
}

void
ft_trie_destroy(struct ft_trie *t)
{
    drop_tree(atomic_load_explicit(&t->root, memory_order_relaxed), free_node, NULL);
    atomic_store_explicit(&t->root, NULL, memory_order_relaxed);
}

bool
ft_trie_lookup(const struct ft_trie *t, uint32_t addr, struct ft_trie_path *out)
{
    struct ft_trie *w = (struct ft_trie *)t; /* Atomics are read only. */
    if (atomic_load_explicit(&w->broken, memory_order_acquire))
        return false;
    const struct ft_trie_node *n = atomic_load_explicit(&w->root, memory_order_acquire);
    if (!n)
        return false;
    uint64_t plens = 0;
    unsigned d = 0;
    for (;;) {
        struct ft_trie_node *m = (struct ft_trie_node *)n;
        if (atomic_load_explicit(&m->rules, memory_order_relaxed))
            plens |= 1ull << d;
        if (d == 32)
            break;
        const struct ft_trie_node *next =
            atomic_load_explicit(&m->child[bit_at(addr, d)], memory_order_acquire);
        if (!next)
            break;
        n = next;
        d++;
    }
    out->plens = plens;
    out->depth = (uint8_t)d;
    return true;
}
