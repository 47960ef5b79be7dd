/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-table classifier: tuple space search. Rules with the same mask
 * share a subtable, a hash map from masked key to a chain of rules ordered
 * by priority. Lookup probes subtables in order of their highest priority
 * and stops as soon as no later subtable can hold a better rule, so its
 * cost grows with the number of masks, not of rules.
 *
 * Ties: two visible rules of equal priority that both match are ordered by
 * their address, so the winner never depends on the order subtables are
 * probed in (which changes as max priorities move). A lookup therefore
 * probes every subtable whose max priority equals the best found.
 *
 * Prefix tries (ft_trie.h): when a subtable whose IPv4 source or
 * destination mask is a prefix holds no rule for the packet, and no rule
 * on the packet's trie path has that prefix length, only the address bits
 * that prove it join the probed mask, not the subtable's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_pipeline_int.h"
#include "ft_alloc.h"

#define ST_HASH_BASIS 0x243f6a8885a308d3ull

/* ---- trie fields -------------------------------------------------------------- */

static const size_t trie_ofs[FT_N_TRIES] = {offsetof(struct ft_key, ipv4_src),
                                            offsetof(struct ft_key, ipv4_dst)};

static inline uint32_t
trie_get(const struct ft_key *k, unsigned f)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)k + trie_ofs[f], sizeof v);
    return v;
}

static inline void
trie_or(struct ft_key *k, unsigned f, uint32_t bits)
{
    uint32_t v = trie_get(k, f) | bits;
    memcpy((uint8_t *)k + trie_ofs[f], &v, sizeof v);
}

/* A linked rule's prefix into, or out of, its table's tries. */
static void
trie_update(struct ft_pipeline *p, struct ft_table *t, const struct ft_rule *r, bool add)
{
    const struct ft_subtable *st = r->subtable;
    struct ft_key value;
    ft_key_zero(&value);
    for (unsigned j = 0; j < st->n_words; j++)
        value.w[st->words[j]] = r->key[j];
    for (unsigned f = 0; f < FT_N_TRIES; f++) {
        unsigned len = st->plen[f];
        if (!len)
            continue;
        uint32_t prefix = trie_get(&value, f) & ft_prefix_mask(len);
        if (add)
            ft_trie_insert(p, &t->tries[f], prefix, len);
        else
            ft_trie_remove(p, &t->tries[f], prefix, len);
    }
}

/* ---- priority vector -------------------------------------------------------- */

static struct ft_pvec *
pvec_alloc(uint32_t n)
{
    struct ft_pvec *pv = ft_malloc(sizeof *pv + (size_t)n * sizeof pv->e[0]);
    if (pv)
        pv->n = n;
    return pv;
}

static int
pvec_cmp(const void *a_, const void *b_)
{
    const struct ft_pvec_entry *a = a_, *b = b_;
    if (a->max_priority != b->max_priority)
        return a->max_priority > b->max_priority ? -1 : 1;
    return (uintptr_t)a->st < (uintptr_t)b->st ? -1 : (uintptr_t)a->st > (uintptr_t)b->st;
}

static struct ft_pvec *
pvec_cur(const struct ft_table *t)
{
    return atomic_load_explicit(&((struct ft_table *)t)->pvec, memory_order_relaxed);
}

static void
pvec_publish(struct ft_pipeline *p, struct ft_table *t, struct ft_pvec *pv)
{
    struct ft_pvec *old = pvec_cur(t);
    atomic_store_explicit(&t->pvec, pv, memory_order_release);
    ft_pipeline_retire(p, FT_GARBAGE_MEM, old);
}

/* Fill pv (room for t->n_subtables) from the writer's subtable map: the
 * live subtables, sorted. */
static void
pvec_fill_sorted(const struct ft_table *t, struct ft_pvec *pv)
{
    uint32_t n = 0;
    for (uint32_t b = 0; b <= t->st_map_mask; b++)
        for (struct ft_subtable *st = t->st_map[b]; st; st = st->map_next)
            pv->e[n++] = (struct ft_pvec_entry){st->max_priority, st};
    pv->n = n;
    qsort(pv->e, n, sizeof pv->e[0], pvec_cmp);
}

static int
pvec_rebuild(struct ft_pipeline *p, struct ft_table *t)
{
    struct ft_pvec *pv = pvec_alloc(t->n_subtables);
    if (!pv)
        return -ENOMEM;
    pvec_fill_sorted(t, pv);
    pvec_publish(p, t, pv);
    t->pvec_dirty = false;
    return 0;
}

/* Room for the vector after st is created or its max priority rises;
 * allocated before anything changes, so that failing changes nothing. */
static struct ft_pvec *
pvec_alloc_for_raise(const struct ft_table *t)
{
    uint32_t old = pvec_cur(t)->n, n = t->n_subtables + 1;
    return pvec_alloc(old > n ? old : n);
}

/* Publish pv (from pvec_alloc_for_raise) with st at its new max priority:
 * the current vector with st's entry moved up, or a fresh sort when st is
 * new or the vector is due for a rebuild. */
static void
pvec_raise(struct ft_pipeline *p, struct ft_table *t, struct ft_subtable *st, struct ft_pvec *pv)
{
    struct ft_pvec *old = pvec_cur(t);
    uint32_t i = 0;
    while (i < old->n && old->e[i].st != st)
        i++;
    if (t->pvec_dirty || i == old->n) {
        pvec_fill_sorted(t, pv);
        t->pvec_dirty = false;
    } else {
        memcpy(pv->e, old->e, (size_t)old->n * sizeof pv->e[0]);
        pv->n = old->n;
        struct ft_pvec_entry moved = {st->max_priority, st};
        while (i > 0 && pvec_cmp(&moved, &pv->e[i - 1]) < 0) {
            pv->e[i] = pv->e[i - 1];
            i--;
        }
        pv->e[i] = moved;
    }
    pvec_publish(p, t, pv);
}

/* ---- tables and subtables ------------------------------------------------------ */

int
ft_table_init(struct ft_table *t, uint8_t table_id)
{
    (void)table_id;
    memset(t, 0, sizeof *t);
    struct ft_pvec *pv = pvec_alloc(0);
    t->st_map_mask = 15;
    t->st_map = ft_calloc(t->st_map_mask + 1, sizeof *t->st_map);
    if (!pv || !t->st_map) {
        free(pv);
        free(t->st_map);
        return -ENOMEM;
    }
    atomic_init(&t->pvec, pv);
    return 0;
}

static int
free_chain(void *aux, struct ft_vnode *head)
{
    (void)aux;
    for (struct ft_vnode *n = head, *next; n; n = next) {
        next = ft_vnode_next(n);
        ft_rule_free((struct ft_rule *)n);
    }
    return 0;
}

static void
subtable_free(struct ft_subtable *st)
{
    ft_vmap_destroy(&st->map);
    free(st);
}

void
ft_table_destroy(struct ft_table *t)
{
    for (uint32_t b = 0; t->st_map && b <= t->st_map_mask; b++) {
        for (struct ft_subtable *st = t->st_map[b], *next; st; st = next) {
            next = st->map_next;
            ft_vmap_foreach_head(&st->map, free_chain, NULL);
            subtable_free(st);
        }
    }
    free(t->st_map);
    free(pvec_cur(t));
    t->st_map = NULL;
    for (unsigned f = 0; f < FT_N_TRIES; f++)
        ft_trie_destroy(&t->tries[f]);
}

static uint32_t
mask_hash(const struct ft_key *mask)
{
    return ft_key_hash(mask, 0x51ed270b27ull);
}

static struct ft_subtable *
subtable_find(const struct ft_table *t, const struct ft_key *mask, uint32_t h)
{
    for (struct ft_subtable *st = t->st_map[h & t->st_map_mask]; st; st = st->map_next)
        if (st->mask_hash == h && ft_key_equal(&st->mask, mask))
            return st;
    return NULL;
}

static int
st_map_grow(struct ft_table *t)
{
    uint32_t mask = t->st_map_mask * 2 + 1;
    struct ft_subtable **m = ft_calloc(mask + 1, sizeof *m);
    if (!m)
        return -ENOMEM;
    for (uint32_t b = 0; b <= t->st_map_mask; b++) {
        for (struct ft_subtable *st = t->st_map[b], *next; st; st = next) {
            next = st->map_next;
            st->map_next = m[st->mask_hash & mask];
            m[st->mask_hash & mask] = st;
        }
    }
    free(t->st_map);
    t->st_map = m;
    t->st_map_mask = mask;
    return 0;
}

static struct ft_subtable *
subtable_create(struct ft_table *t, const struct ft_key *mask, uint32_t h)
{
    if (t->n_subtables + 1 > t->st_map_mask + 1 && st_map_grow(t))
        return NULL;
    struct ft_subtable *st = ft_calloc(1, sizeof *st);
    if (!st || ft_vmap_init(&st->map, 16)) {
        free(st);
        return NULL;
    }
    st->mask = *mask;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        if (mask->w[i])
            st->words[st->n_words++] = (uint8_t)i;
    for (unsigned f = 0; f < FT_N_TRIES; f++)
        st->plen[f] = (uint8_t)ft_prefix_len(trie_get(mask, f));
    st->mask_hash = h;
    st->map_next = t->st_map[h & t->st_map_mask];
    t->st_map[h & t->st_map_mask] = st;
    t->n_subtables++;
    return st;
}

static void
subtable_unmap(struct ft_table *t, struct ft_subtable *st)
{
    for (struct ft_subtable **pp = &t->st_map[st->mask_hash & t->st_map_mask]; *pp;
         pp = &(*pp)->map_next) {
        if (*pp == st) {
            *pp = st->map_next;
            t->n_subtables--;
            return;
        }
    }
}

/* ---- rules ------------------------------------------------------------------------ */

static unsigned
mask_words(const struct ft_key *mask)
{
    unsigned n = 0;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        n += mask->w[i] != 0;
    return n;
}

struct ft_rule *
ft_rule_alloc(const struct ft_match *m, uint8_t table_id)
{
    unsigned n = mask_words(&m->mask);
    struct ft_rule *r = ft_calloc(1, sizeof *r + n * sizeof r->key[0]);
    if (!r)
        return NULL;
    unsigned j = 0;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        if (m->mask.w[i])
            r->key[j++] = m->key.w[i];
    r->table_id = table_id;
    r->timeout_idx = UINT32_MAX;
    return r;
}

void
ft_rule_free(struct ft_rule *r)
{
    free(r);
}

void
ft_rule_get_match(const struct ft_rule *r, struct ft_match *m)
{
    const struct ft_subtable *st = r->subtable;
    m->mask = st->mask;
    ft_key_zero(&m->key);
    for (unsigned j = 0; j < st->n_words; j++)
        m->key.w[st->words[j]] = r->key[j];
}

static uint32_t
rule_hash(const struct ft_subtable *st, const uint64_t *words)
{
    uint64_t h = ST_HASH_BASIS;
    for (unsigned j = 0; j < st->n_words; j++)
        h = ft_hash_add64(h, words[j]);
    return ft_hash_finish(h);
}

/* Probe key for ft_vmap_find: the masked words of a rule or match. */
struct probe {
    const struct ft_subtable *st;
    const uint64_t *words;
};

static inline bool
rule_eq(const struct ft_vnode *n, const void *key)
{
    const struct probe *pr = key;
    const struct ft_rule *r = (const struct ft_rule *)n;
    uint64_t diff = 0;
    for (unsigned j = 0; j < pr->st->n_words; j++)
        diff |= r->key[j] ^ pr->words[j];
    return diff == 0;
}

/* Probe key for lookups: a packet key, masked on the fly. */
struct key_probe {
    const struct ft_subtable *st;
    const struct ft_key *key;
};

static inline bool
rule_eq_key(const struct ft_vnode *n, const void *k)
{
    const struct key_probe *pr = k;
    const struct ft_subtable *st = pr->st;
    const struct ft_rule *r = (const struct ft_rule *)n;
    uint64_t diff = 0;
    for (unsigned j = 0; j < st->n_words; j++) {
        unsigned w = st->words[j];
        diff |= r->key[j] ^ (pr->key->w[w] & st->mask.w[w]);
    }
    return diff == 0;
}

static int
max_of_chain(void *aux, struct ft_vnode *head)
{
    struct ft_subtable *st = aux;
    /* A chain's head has its highest priority. */
    uint32_t prio = ((struct ft_rule *)head)->priority;
    if (prio > st->max_priority) {
        st->max_priority = prio;
        st->n_at_max = 0;
    }
    for (struct ft_vnode *n = head; n; n = ft_vnode_next(n))
        if (((struct ft_rule *)n)->priority == st->max_priority)
            st->n_at_max++;
    return 0;
}

static void
recompute_max(struct ft_subtable *st)
{
    st->max_priority = 0;
    st->n_at_max = 0;
    ft_vmap_foreach_head(&st->map, max_of_chain, st);
}

static void
retire_slots(void *aux, void *ptr)
{
    ft_pipeline_retire(aux, FT_GARBAGE_MEM, ptr);
}

int
ft_cls_insert(struct ft_pipeline *p, struct ft_table *t, struct ft_rule *r,
              const struct ft_key *mask)
{
    uint32_t mh = mask_hash(mask);
    struct ft_subtable *st = subtable_find(t, mask, mh);
    bool created = false;
    if (!st) {
        st = subtable_create(t, mask, mh);
        if (!st)
            return -ENOMEM;
        created = true;
    }
    /* Readers must see a raised bound before the rule is committed: the
     * vector that says it is allocated first, so a failure leaves the
     * table as it was instead of holding a rule lookups cannot find. */
    bool raise = created || r->priority > st->max_priority;
    struct ft_pvec *pv = raise ? pvec_alloc_for_raise(t) : NULL;
    if (raise && !pv)
        goto enomem;
    r->subtable = st;
    r->node.hash = rule_hash(st, r->key);

    struct probe pr = {st, r->key};
    struct ft_vnode *head = ft_vmap_find(&st->map, r->node.hash, rule_eq, &pr);
    if (!head) {
        atomic_store_explicit(&r->node.next, NULL, memory_order_relaxed);
        if (ft_vmap_insert(&st->map, &r->node, retire_slots, p)) {
            free(pv);
            goto enomem;
        }
    } else if (r->priority >= ((struct ft_rule *)head)->priority) {
        /* Equal priority: the newer rule first (it replaces the older). */
        atomic_store_explicit(&r->node.next, head, memory_order_relaxed);
        ft_vmap_replace_head(&st->map, head, &r->node);
    } else {
        struct ft_vnode *prev = head, *next;
        while ((next = ft_vnode_next(prev)) && ((struct ft_rule *)next)->priority > r->priority)
            prev = next;
        atomic_store_explicit(&r->node.next, next, memory_order_relaxed);
        atomic_store_explicit(&prev->next, &r->node, memory_order_release);
    }
    st->n_rules++;

    if (raise) {
        st->max_priority = r->priority;
        st->n_at_max = 1;
        pvec_raise(p, t, st, pv);
    } else if (r->priority == st->max_priority) {
        st->n_at_max++;
    }
    trie_update(p, t, r, true); /* Before the commit that makes it visible. */
    return 0;
enomem:
    if (created) {
        subtable_unmap(t, st);
        subtable_free(st);
    }
    return -ENOMEM;
}

void
ft_cls_unlink(struct ft_pipeline *p, struct ft_table *t, struct ft_rule *r)
{
    struct ft_subtable *st = r->subtable;
    struct probe pr = {st, r->key};
    struct ft_vnode *head = ft_vmap_find(&st->map, r->node.hash, rule_eq, &pr);
    if (!head)
        return;
    struct ft_vnode *next = ft_vnode_next(&r->node);
    if (head == &r->node) {
        ft_vmap_replace_head(&st->map, head, next);
    } else {
        struct ft_vnode *prev = head;
        while (prev && ft_vnode_next(prev) != &r->node)
            prev = ft_vnode_next(prev);
        if (!prev)
            return;
        atomic_store_explicit(&prev->next, next, memory_order_release);
    }
    st->n_rules--;
    trie_update(p, t, r, false); /* No reader can see the rule any more. */
    if (st->n_rules == 0) {
        subtable_unmap(t, st);
        t->pvec_dirty = true;
        ft_pipeline_retire(p, FT_GARBAGE_SUBTABLE, st);
    } else if (r->priority == st->max_priority && --st->n_at_max == 0) {
        /* Lowering a bound is safe now: no reader can see this rule. */
        recompute_max(st);
        t->pvec_dirty = true;
    }
}

void
ft_cls_finish_reclaim(struct ft_pipeline *p, struct ft_table *t)
{
    if (t->pvec_dirty)
        pvec_rebuild(p, t);
}

void
ft_subtable_free(struct ft_subtable *st)
{
    subtable_free(st);
}

struct ft_rule *
ft_cls_find_strict(const struct ft_table *t, const struct ft_match *m, uint16_t priority,
                   uint64_t v)
{
    struct ft_subtable *st = subtable_find(t, &m->mask, mask_hash(&m->mask));
    if (!st)
        return NULL;
    uint64_t words[FT_KEY_WORDS];
    for (unsigned j = 0; j < st->n_words; j++)
        words[j] = m->key.w[st->words[j]];
    struct probe pr = {st, words};
    struct ft_vnode *n = ft_vmap_find(&st->map, rule_hash(st, words), rule_eq, &pr);
    for (; n; n = ft_vnode_next(n)) {
        struct ft_rule *r = (struct ft_rule *)n;
        if (r->priority == priority && ft_vnode_visible(n, v))
            return r;
    }
    return NULL;
}

/* Better: higher priority, then lower address (see the file comment). */
static inline bool
rule_better(const struct ft_rule *a, const struct ft_rule *b)
{
    return !b || a->priority > b->priority ||
           (a->priority == b->priority && (uintptr_t)a < (uintptr_t)b);
}

/* Hash of key's bits under st's mask. */
static inline uint32_t
masked_hash(const struct ft_subtable *st, const struct ft_key *key)
{
    uint64_t h = ST_HASH_BASIS;
    for (unsigned j = 0; j < st->n_words; j++) {
        unsigned w = st->words[j];
        h = ft_hash_add64(h, key->w[w] & st->mask.w[w]);
    }
    return ft_hash_finish(h);
}

/* Subtables hashed and prefetched ahead of the one being probed, so that
 * the cache misses of several probes overlap. */
#define LOOKAHEAD 8

static inline uint32_t
hash_and_prefetch(const struct ft_subtable *st, const struct ft_key *key)
{
    uint32_t h = masked_hash(st, key);
    ft_vmap_prefetch(&st->map, h);
    return h;
}

/* Subtables ft_cls_prefetch fetches ahead: the first ones hold the
 * highest priorities, where a lookup starts. */
#define PREFETCH_SUBTABLES 2u

void
ft_cls_prefetch(const struct ft_table *t, const struct ft_key *key, unsigned step)
{
    const struct ft_pvec *pv =
        atomic_load_explicit(&((struct ft_table *)t)->pvec, memory_order_acquire);
    if (step == 0) {
        for (uint32_t i = 0; i < pv->n && i < PREFETCH_SUBTABLES; i++)
            (void)hash_and_prefetch(pv->e[i].st, key);
        return;
    }
    if (!pv->n)
        return;
    const struct ft_subtable *st = pv->e[0].st;
    const struct ft_vnode *n = ft_vmap_home_head(&st->map, masked_hash(st, key));
    if (n)
        __builtin_prefetch(((const struct ft_rule *)n)->key);
}

/* What the tries said about a packet, each asked once per lookup. */
struct trie_ctx {
    uint8_t asked; /* Bit f: tries[f] looked up. */
    uint8_t usable;
    struct ft_trie_path path[FT_N_TRIES];
};

/* Whether st cannot match key by a trie field: no rule on the address's
 * path has st's prefix length. Then every rule of st differs from the
 * address within its first min(depth + 1, length) bits (depth: the bits
 * it shares with the nearest prefix), which alone join probed instead of
 * st's mask. (The trie holds a superset of the rules visible: it agrees
 * with a probe that found none.) */
static bool
trie_skips(const struct ft_table *t, const struct ft_subtable *st, const struct ft_key *key,
           struct trie_ctx *tc, struct ft_key *probed)
{
    for (unsigned f = 0; f < FT_N_TRIES; f++) {
        unsigned len = st->plen[f];
        if (!len)
            continue;
        if (!(tc->asked & 1u << f)) {
            tc->asked |= (uint8_t)(1u << f);
            if (ft_trie_lookup(&t->tries[f], trie_get(key, f), &tc->path[f]))
                tc->usable |= (uint8_t)(1u << f);
        }
        if (!(tc->usable & 1u << f) || (tc->path[f].plens >> len & 1))
            continue;
        unsigned bits = tc->path[f].depth + 1u < len ? tc->path[f].depth + 1u : len;
        trie_or(probed, f, ft_prefix_mask(bits));
        return true;
    }
    return false;
}

const struct ft_rule *
ft_cls_lookup(const struct ft_table *t, uint64_t v, const struct ft_key *key, struct ft_key *probed)
{
    const struct ft_pvec *pv =
        atomic_load_explicit(&((struct ft_table *)t)->pvec, memory_order_acquire);
    const struct ft_rule *best = NULL;
    uint32_t ahead[LOOKAHEAD];
    uint32_t n = pv->n;
    struct trie_ctx tc = {0};

    for (uint32_t i = 0; i < n && i < LOOKAHEAD; i++)
        ahead[i] = hash_and_prefetch(pv->e[i].st, key);
    for (uint32_t i = 0; i < n; i++) {
        if (best && pv->e[i].max_priority < best->priority)
            break;
        const struct ft_subtable *st = pv->e[i].st;
        uint32_t h = ahead[i % LOOKAHEAD];
        if (i + LOOKAHEAD < n)
            ahead[i % LOOKAHEAD] = hash_and_prefetch(pv->e[i + LOOKAHEAD].st, key);
        struct key_probe pr = {st, key};
        const struct ft_vnode *node = ft_vmap_find(&st->map, h, rule_eq_key, &pr);
        bool matched = false;
        for (; node; node = ft_vnode_next(node)) {
            if (!ft_vnode_visible(node, v))
                continue;
            const struct ft_rule *r = (const struct ft_rule *)node;
            if (rule_better(r, best))
                best = r;
            matched = true;
            break; /* Later rules of the chain have lower priority. */
        }
        /* A miss asks the tries whether fewer bits prove it; a hit (and
         * most lookups of a one-subtable route table hit) never walks
         * them, which costs a dependent load per prefix bit. */
        if (!matched && (st->plen[0] | st->plen[1]) && trie_skips(t, st, key, &tc, probed))
            continue;
        for (unsigned j = 0; j < st->n_words; j++)
            probed->w[st->words[j]] |= st->mask.w[st->words[j]];
    }
    return best;
}

struct foreach_ctx {
    const struct ft_subtable *st;
    const struct ft_match *filter;
    uint64_t v;
    ft_cls_visit_fn *fn;
    void *aux;
};

static int
foreach_chain(void *aux, struct ft_vnode *head)
{
    struct foreach_ctx *c = aux;
    for (struct ft_vnode *n = head; n; n = ft_vnode_next(n)) {
        if (!ft_vnode_visible(n, c->v))
            continue;
        struct ft_rule *r = (struct ft_rule *)n;
        bool ok = true;
        for (unsigned j = 0; ok && j < c->st->n_words; j++) {
            unsigned w = c->st->words[j];
            ok = (r->key[j] & c->filter->mask.w[w]) == c->filter->key.w[w];
        }
        if (ok) {
            int rc = c->fn(c->aux, r);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int
ft_cls_foreach(const struct ft_table *t, uint64_t v, const struct ft_match *filter,
               ft_cls_visit_fn *fn, void *aux)
{
    for (uint32_t b = 0; b <= t->st_map_mask; b++) {
        for (struct ft_subtable *st = t->st_map[b]; st; st = st->map_next) {
            bool covers = true;
            for (int i = 0; covers && i < FT_KEY_WORDS; i++)
                covers = !(filter->mask.w[i] & ~st->mask.w[i]);
            if (!covers)
                continue;
            struct foreach_ctx c = {st, filter, v, fn, aux};
            int rc = ft_vmap_foreach_head(&st->map, foreach_chain, &c);
            if (rc)
                return rc;
        }
    }
    return 0;
}
