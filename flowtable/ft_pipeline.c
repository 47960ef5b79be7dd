/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pipeline object: versions, commit, reclaim, ports and the change log.
 *
 * Removal is two-phase. A removed node gets remove_version = staged
 * version and is "doomed". Once every reader is at or past that version
 * nobody can see it, so reclaim unlinks it — but a reader may still be
 * walking through it, so it is retired as garbage and freed one grace
 * period later (when every reader loaded a version newer than the one
 * committed at unlink time).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_pipeline_int.h"
#include "ft_alloc.h"

void
ft_pipeline_config_default(struct ft_pipeline_config *cfg)
{
    cfg->table_capacity = 1u << 20;
    cfg->max_groups = 65536;
    cfg->max_buckets = 256;
    cfg->max_meters = 65536;
    cfg->max_bands = 8;
    cfg->max_trie_nodes = FT_TRIE_MAX_NODES;
}

static void
vec_free(struct ft_vec *v)
{
    free(v->data);
    memset(v, 0, sizeof *v);
}

struct ft_pipeline *
ft_pipeline_create(const struct ft_pipeline_config *cfg)
{
    struct ft_pipeline *p = ft_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (cfg)
        p->cfg = *cfg;
    else
        ft_pipeline_config_default(&p->cfg);
    atomic_init(&p->version, 1);

    int err = ft_intern_init(&p->interned);
    err = err ? err : ft_vmap_init(&p->groups, 64);
    err = err ? err : ft_vmap_init(&p->meters, 64);
    err = err ? err : ft_vmap_init(&p->ports, 64);
    for (int t = 0; !err && t < FT_N_TABLES; t++)
        err = ft_table_init(&p->tables[t], (uint8_t)t);
    if (err) {
        ft_pipeline_destroy(p);
        return NULL;
    }
    return p;
}

static int
free_id_chain(void *aux, struct ft_vnode *head)
{
    uint8_t kind = *(uint8_t *)aux;
    for (struct ft_vnode *n = head, *next; n; n = next) {
        next = ft_vnode_next(n);
        if (kind == FT_GARBAGE_GROUP)
            ft_group_free((struct ft_group *)n);
        else if (kind == FT_GARBAGE_METER)
            ft_meter_free((struct ft_meter *)n);
        else
            free(n);
    }
    return 0;
}

static void
free_garbage(struct ft_pipeline *p, struct ft_garbage *g, bool finalize)
{
    switch (g->kind) {
    case FT_GARBAGE_RULE:
        if (finalize)
            ft_rule_finalize(p, g->ptr);
        ft_rule_free(g->ptr);
        break;
    case FT_GARBAGE_SUBTABLE:
        ft_subtable_free(g->ptr);
        break;
    case FT_GARBAGE_GROUP:
        ft_group_free(g->ptr);
        break;
    case FT_GARBAGE_METER:
        ft_meter_free(g->ptr);
        break;
    default:
        free(g->ptr);
        break;
    }
}

void
ft_pipeline_destroy(struct ft_pipeline *p)
{
    if (!p)
        return;
    /* Rules still linked are freed with their tables; unlinked ones are
     * garbage. Doomed ones are still linked. */
    for (size_t i = 0; i < p->garbage.n; i++)
        free_garbage(p, FT_VEC_AT(&p->garbage, struct ft_garbage, i), false);
    for (int t = 0; t < FT_N_TABLES; t++)
        ft_table_destroy(&p->tables[t]);
    uint8_t kind = FT_GARBAGE_GROUP;
    if (atomic_load(&p->groups.slots))
        ft_vmap_foreach_head(&p->groups, free_id_chain, &kind);
    kind = FT_GARBAGE_METER;
    if (atomic_load(&p->meters.slots))
        ft_vmap_foreach_head(&p->meters, free_id_chain, &kind);
    kind = FT_GARBAGE_PORT;
    if (atomic_load(&p->ports.slots))
        ft_vmap_foreach_head(&p->ports, free_id_chain, &kind);
    ft_vmap_destroy(&p->groups);
    ft_vmap_destroy(&p->meters);
    ft_vmap_destroy(&p->ports);
    ft_intern_destroy(&p->interned);
    vec_free(&p->doomed);
    vec_free(&p->garbage);
    vec_free(&p->timed);
    vec_free(&p->staged);
    vec_free(&p->committed);
    free(p);
}

uint64_t
ft_pipeline_version(const struct ft_pipeline *p)
{
    return atomic_load_explicit(&((struct ft_pipeline *)p)->version, memory_order_acquire);
}

bool
ft_pipeline_dirty(const struct ft_pipeline *p)
{
    return p->dirty;
}

uint64_t
ft_pipeline_commit(struct ft_pipeline *p)
{
    uint64_t v = atomic_load_explicit(&p->version, memory_order_relaxed);
    if (!p->dirty)
        return v;
    struct ft_vec tmp = p->committed;
    p->committed = p->staged;
    p->staged = tmp;
    p->staged.n = 0;
    p->committed_lost = p->staged_lost;
    p->staged_lost = false;
    p->dirty = false;
    /* Release: everything staged is visible to a reader that loads v+1. */
    atomic_store_explicit(&p->version, v + 1, memory_order_release);
    return v + 1;
}

const struct ft_change *
ft_pipeline_changes(const struct ft_pipeline *p, size_t *n)
{
    if (p->committed_lost) {
        *n = 0;
        return NULL;
    }
    *n = p->committed.n;
    return p->committed.n ? p->committed.data : NULL;
}

void
ft_pipeline_note(struct ft_pipeline *p, uint8_t kind, uint8_t table_id, uint16_t priority,
                 uint32_t id, const struct ft_rule *rule)
{
    struct ft_change c = {
        .kind = kind, .table_id = table_id, .priority = priority, .id = id, .rule = rule};
    /* On allocation failure the log is incomplete: say so at commit, so the
     * embedder flushes its caches rather than serve a stale entry. */
    if (ft_vec_push(&p->staged, &c, sizeof c))
        p->staged_lost = true;
    p->dirty = true;
}

void
ft_pipeline_retire(struct ft_pipeline *p, uint8_t kind, void *ptr)
{
    if (!ptr)
        return;
    struct ft_garbage g = {
        .kind = kind,
        .after = atomic_load_explicit(&p->version, memory_order_relaxed),
        .ptr = ptr,
    };
    /* Without memory to remember it, leaking is the only safe choice. */
    (void)ft_vec_push(&p->garbage, &g, sizeof g);
}

void
ft_pipeline_retire_mem(void *p, void *ptr)
{
    ft_pipeline_retire(p, FT_GARBAGE_MEM, ptr);
}

int
ft_pipeline_doom(struct ft_pipeline *p, uint8_t kind, void *ptr)
{
    struct ft_doomed d = {.kind = kind, .ptr = ptr};
    p->dirty = true;
    return ft_vec_push(&p->doomed, &d, sizeof d);
}

static uint64_t
remove_version_of(const struct ft_doomed *d)
{
    const struct ft_vnode *n = d->ptr; /* Every doomed kind starts with its node. */
    return atomic_load_explicit(&n->remove_version, memory_order_relaxed);
}

static void
unlink_doomed(struct ft_pipeline *p, struct ft_doomed *d)
{
    switch (d->kind) {
    case FT_GARBAGE_RULE: {
        struct ft_rule *r = d->ptr;
        ft_cls_unlink(p, &p->tables[r->table_id], r);
        break;
    }
    case FT_GARBAGE_GROUP: {
        struct ft_group *g = d->ptr;
        ft_idmap_unlink(&p->groups, &g->node, g->id, offsetof(struct ft_group, id));
        break;
    }
    case FT_GARBAGE_METER: {
        struct ft_meter *m = d->ptr;
        ft_idmap_unlink(&p->meters, &m->node, m->id, offsetof(struct ft_meter, id));
        break;
    }
    case FT_GARBAGE_PORT: {
        struct ft_port *port = d->ptr;
        ft_idmap_unlink(&p->ports, &port->node, port->port_no, offsetof(struct ft_port, port_no));
        break;
    }
    }
    ft_pipeline_retire(p, d->kind, d->ptr);
}

void
ft_pipeline_reclaim(struct ft_pipeline *p, uint64_t min_reader_version)
{
    /* 1. Free what no reader can still hold: rules first, because a rule's
     *    FLOW_REMOVED reads its subtable's mask. */
    for (int pass = 0; pass < 2; pass++) {
        size_t keep = 0;
        for (size_t i = 0; i < p->garbage.n; i++) {
            struct ft_garbage g = *FT_VEC_AT(&p->garbage, struct ft_garbage, i);
            bool rule = g.kind == FT_GARBAGE_RULE;
            if (g.after < min_reader_version && rule == (pass == 0))
                free_garbage(p, &g, true);
            else
                *FT_VEC_AT(&p->garbage, struct ft_garbage, keep++) = g;
        }
        p->garbage.n = keep;
    }

    /* 2. Unlink removed nodes no reader can see any more. */
    size_t keep = 0;
    bool unlinked = false;
    for (size_t i = 0; i < p->doomed.n; i++) {
        struct ft_doomed d = *FT_VEC_AT(&p->doomed, struct ft_doomed, i);
        if (remove_version_of(&d) <= min_reader_version) {
            unlink_doomed(p, &d);
            unlinked = true;
        } else {
            *FT_VEC_AT(&p->doomed, struct ft_doomed, keep++) = d;
        }
    }
    p->doomed.n = keep;
    /* What was unlinked is freed after the next version's grace period. */
    if (unlinked)
        p->dirty = true;

    /* 3. Subtable bounds that fell, published once. */
    for (int t = 0; t < FT_N_TABLES; t++)
        ft_cls_finish_reclaim(p, &p->tables[t]);
}

void
ft_pipeline_set_flow_removed_cb(struct ft_pipeline *p, ft_flow_removed_fn *fn, void *aux)
{
    p->flow_removed = fn;
    p->flow_removed_aux = aux;
}

/* ---- versioned id maps ----------------------------------------------------------- */

struct id_probe {
    uint32_t id;
    size_t ofs;
};

static bool
id_eq(const struct ft_vnode *n, const void *key)
{
    const struct id_probe *pr = key;
    uint32_t id;
    memcpy(&id, (const char *)n + pr->ofs, sizeof id);
    return id == pr->id;
}

struct ft_vnode *
ft_idmap_find_head(const struct ft_vmap *m, uint32_t id, size_t id_offset)
{
    struct id_probe pr = {id, id_offset};
    return ft_vmap_find(m, ft_id_hash(id), id_eq, &pr);
}

struct ft_vnode *
ft_idmap_find(const struct ft_vmap *m, uint64_t v, uint32_t id, size_t id_offset)
{
    for (struct ft_vnode *n = ft_idmap_find_head(m, id, id_offset); n; n = ft_vnode_next(n))
        if (ft_vnode_visible(n, v))
            return n;
    return NULL;
}

int
ft_idmap_add(struct ft_pipeline *p, struct ft_vmap *m, struct ft_vnode *node, uint32_t id,
             size_t id_offset)
{
    node->hash = ft_id_hash(id);
    struct ft_vnode *head = ft_idmap_find_head(m, id, id_offset);
    if (head) {
        atomic_store_explicit(&node->next, head, memory_order_relaxed);
        ft_vmap_replace_head(m, head, node);
        return 0;
    }
    atomic_store_explicit(&node->next, NULL, memory_order_relaxed);
    return ft_vmap_insert(m, node, ft_pipeline_retire_mem, p);
}

void
ft_idmap_unlink(struct ft_vmap *m, struct ft_vnode *node, uint32_t id, size_t id_offset)
{
    struct ft_vnode *head = ft_idmap_find_head(m, id, id_offset);
    struct ft_vnode *next = ft_vnode_next(node);
    if (head == node) {
        ft_vmap_replace_head(m, head, next);
        return;
    }
    for (struct ft_vnode *prev = head; prev; prev = ft_vnode_next(prev)) {
        if (ft_vnode_next(prev) == node) {
            atomic_store_explicit(&prev->next, next, memory_order_release);
            return;
        }
    }
}

struct sorted_ctx {
    uint64_t v;
    size_t ofs;
    struct ft_vec *pairs;
};

struct id_ptr {
    uint32_t id;
    struct ft_vnode *node;
};

static int
collect_visible(void *aux, struct ft_vnode *head)
{
    struct sorted_ctx *c = aux;
    for (struct ft_vnode *n = head; n; n = ft_vnode_next(n)) {
        if (!ft_vnode_visible(n, c->v))
            continue;
        struct id_ptr e = {.node = n};
        memcpy(&e.id, (const char *)n + c->ofs, sizeof e.id);
        return ft_vec_push(c->pairs, &e, sizeof e) ? 1 : 0;
    }
    return 0;
}

static int
id_ptr_cmp(const void *a_, const void *b_)
{
    const struct id_ptr *a = a_, *b = b_;
    return a->id < b->id ? -1 : a->id > b->id;
}

int
ft_idmap_sorted(const struct ft_vmap *m, uint64_t v, size_t id_offset, struct ft_vec *out)
{
    struct ft_vec pairs = {0};
    struct sorted_ctx c = {v, id_offset, &pairs};
    int err = ft_vmap_foreach_head(m, collect_visible, &c) ? -ENOMEM : 0;
    if (!err && pairs.n > 1) /* qsort(NULL, 0, ...) is undefined behaviour. */
        qsort(pairs.data, pairs.n, sizeof(struct id_ptr), id_ptr_cmp);
    for (size_t i = 0; !err && i < pairs.n; i++)
        err = ft_vec_push(out, &FT_VEC_AT(&pairs, struct id_ptr, i)->node, sizeof(void *));
    free(pairs.data);
    return err;
}

/* ---- ports --------------------------------------------------------------------------- */

#define PORT_OFS offsetof(struct ft_port, port_no)

static struct ft_port *
port_find(const struct ft_pipeline *p, uint64_t v, uint32_t port_no)
{
    return (struct ft_port *)ft_idmap_find(&p->ports, v, port_no, PORT_OFS);
}

static void
port_remove(struct ft_pipeline *p, struct ft_port *old)
{
    atomic_store_explicit(&old->node.remove_version, ft_staged_version(p), memory_order_relaxed);
    if (ft_pipeline_doom(p, FT_GARBAGE_PORT, old))
        return; /* Stays linked and invisible: a leak, never a dangling read. */
}

int
ft_pipeline_port_set(struct ft_pipeline *p, uint32_t port_no, bool link_up, uint32_t config)
{
    uint64_t sv = ft_staged_version(p);
    struct ft_port *old = port_find(p, sv, port_no);
    if (old && old->link_up == link_up && old->config == config)
        return 0;
    struct ft_port *port = ft_calloc(1, sizeof *port);
    if (!port)
        return -ENOMEM;
    ft_vnode_init(&port->node, 0, sv);
    port->port_no = port_no;
    port->link_up = link_up;
    port->config = config;
    if (ft_idmap_add(p, &p->ports, &port->node, port_no, PORT_OFS)) {
        free(port);
        return -ENOMEM;
    }
    if (old)
        port_remove(p, old);
    ft_pipeline_note(p, FT_CHG_PORT, 0, 0, port_no, NULL);
    return 0;
}

int
ft_pipeline_port_del(struct ft_pipeline *p, uint32_t port_no)
{
    struct ft_port *old = port_find(p, ft_staged_version(p), port_no);
    if (!old)
        return -ENOENT;
    port_remove(p, old);
    ft_pipeline_note(p, FT_CHG_PORT, 0, 0, port_no, NULL);
    return 0;
}

bool
ft_pipeline_port_exists(const struct ft_pipeline *p, uint64_t v, uint32_t port_no)
{
    return port_find(p, v, port_no) != NULL;
}

bool
ft_pipeline_port_live(const struct ft_pipeline *p, uint64_t v, uint32_t port_no)
{
    const struct ft_port *port = port_find(p, v, port_no);
    return port && port->link_up && !(port->config & FT_PC_PORT_DOWN);
}

uint32_t
ft_pipeline_port_config(const struct ft_pipeline *p, uint64_t v, uint32_t port_no)
{
    const struct ft_port *port = port_find(p, v, port_no);
    return port ? port->config : 0;
}

bool
ft_pipeline_changes_lost(const struct ft_pipeline *p)
{
    return p->committed_lost;
}
