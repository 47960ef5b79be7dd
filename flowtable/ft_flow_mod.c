/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flow mods with the OpenFlow 1.3 semantics, timeouts, FLOW_REMOVED, and
 * the rule accessors and counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_pipeline_int.h"

#define NS_PER_SEC 1000000000ull

/* ---- instruction checks ------------------------------------------------------------ */

static enum ft_err
check_groups_exist(const struct ft_pipeline *p, const struct ft_action *a, size_t n)
{
    uint64_t sv = ft_staged_version(p);
    for (size_t i = 0; i < n; i++)
        if (a[i].type == FT_AT_GROUP && !ft_pipeline_group_find(p, sv, a[i].arg))
            return FT_ERR_BAD_ACTION_BAD_OUT_GROUP;
    return FT_OK;
}

enum ft_err
ft_pipeline_check_insts(const struct ft_pipeline *p, const struct ft_insts *in,
                        const struct ft_match *m, uint8_t table_id)
{
    if (!in)
        return FT_OK;
    const uint32_t known = FT_INST_BIT(FT_IT_GOTO_TABLE) | FT_INST_BIT(FT_IT_WRITE_METADATA) |
                           FT_INST_BIT(FT_IT_WRITE_ACTIONS) | FT_INST_BIT(FT_IT_APPLY_ACTIONS) |
                           FT_INST_BIT(FT_IT_CLEAR_ACTIONS) | FT_INST_BIT(FT_IT_METER);
    if (in->present & ~known)
        return FT_ERR_BAD_INSTRUCTION_UNKNOWN_INST;
    if ((in->n_apply && !(in->present & FT_INST_BIT(FT_IT_APPLY_ACTIONS))) ||
        (in->n_write && !(in->present & FT_INST_BIT(FT_IT_WRITE_ACTIONS))))
        return FT_ERR_BAD_INSTRUCTION_BAD_LEN;
    if (in->present & FT_INST_BIT(FT_IT_GOTO_TABLE)) {
        if (in->goto_table <= table_id || in->goto_table >= FT_N_TABLES)
            return FT_ERR_BAD_INSTRUCTION_BAD_TABLE_ID;
    }
    if (in->present & FT_INST_BIT(FT_IT_METER)) {
        if (in->meter_id == 0 || in->meter_id > FT_METER_MAX)
            return FT_ERR_METER_MOD_FAILED_INVALID_METER;
        if (!ft_pipeline_meter_find(p, ft_staged_version(p), in->meter_id))
            return FT_ERR_METER_MOD_FAILED_UNKNOWN_METER;
    }
    enum ft_err err = ft_actions_check(ft_insts_apply(in), in->n_apply, m, false, false);
    if (!err)
        err = check_groups_exist(p, ft_insts_apply(in), in->n_apply);
    if (!err)
        err = ft_actions_check(ft_insts_write(in), in->n_write, m, true, false);
    if (!err)
        err = check_groups_exist(p, ft_insts_write(in), in->n_write);
    return err;
}

enum ft_err
ft_pipeline_check_packet_out(const struct ft_pipeline *p, const struct ft_action *a, size_t n,
                             uint32_t in_port)
{
    if (in_port == 0 || (in_port > FT_PORT_MAX && in_port != FT_PORT_CONTROLLER &&
                         in_port != FT_PORT_LOCAL && in_port != FT_PORT_ANY))
        return FT_ERR_BAD_REQUEST_BAD_PORT;
    enum ft_err err = ft_actions_check(a, n, NULL, false, true);
    return err ? err : check_groups_exist(p, a, n);
}

/* ---- timed rules --------------------------------------------------------------------- */

static void
timed_add(struct ft_pipeline *p, struct ft_rule *r)
{
    if (!r->idle_timeout && !r->hard_timeout)
        return;
    if (ft_vec_push(&p->timed, &r, sizeof r))
        return; /* Out of memory: the rule just never expires. */
    r->timeout_idx = (uint32_t)(p->timed.n - 1);
}

static void
timed_del(struct ft_pipeline *p, struct ft_rule *r)
{
    if (r->timeout_idx == UINT32_MAX)
        return;
    struct ft_rule **v = p->timed.data;
    struct ft_rule *last = v[--p->timed.n];
    v[r->timeout_idx] = last;
    last->timeout_idx = r->timeout_idx;
    r->timeout_idx = UINT32_MAX;
}

/* ---- adding and removing ---------------------------------------------------------------- */

static void
uses_ref(struct ft_pipeline *p, const struct ft_insts *in, int delta)
{
    ft_group_ref_rules(p, in, delta);
    ft_meter_ref_rules(p, in, delta);
    if (in && (in->present & FT_INST_BIT(FT_IT_GOTO_TABLE)))
        p->goto_refs[in->goto_table] += (uint32_t)delta;
}

void
ft_rule_remove(struct ft_pipeline *p, struct ft_rule *r, uint8_t reason, uint64_t now_ns)
{
    r->removed_reason = reason;
    r->created_ns = now_ns > r->created_ns ? now_ns - r->created_ns : 0;
    atomic_store_explicit(&r->node.remove_version, ft_staged_version(p), memory_order_relaxed);
    p->tables[r->table_id].n_rules--;
    uses_ref(p, r->insts, -1);
    timed_del(p, r);
    ft_pipeline_note(p, FT_CHG_RULE_DEL, r->table_id, r->priority, 0, r);
    /* Without room to remember it the rule stays linked but invisible. */
    (void)ft_pipeline_doom(p, FT_GARBAGE_RULE, r);
}

/* A new rule for match m, not yet linked. */
static struct ft_rule *
rule_new(struct ft_pipeline *p, uint8_t table_id, const struct ft_match *m,
         const struct ft_insts *insts, enum ft_err *err)
{
    struct ft_rule *r = ft_rule_alloc(m, table_id);
    const struct ft_insts *in = NULL;
    if (r && insts && !(in = ft_intern(&p->interned, insts))) {
        ft_rule_free(r);
        r = NULL;
    }
    if (!r) {
        *err = FT_ERR_FLOW_MOD_FAILED_UNKNOWN;
        return NULL;
    }
    r->insts = in;
    ft_vnode_init(&r->node, 0, ft_staged_version(p));
    atomic_init(&r->forward, NULL);
    return r;
}

/* A rule made by rule_new that will not go in. */
static void
rule_drop(struct ft_pipeline *p, struct ft_rule *r)
{
    if (!r)
        return;
    ft_intern_unref(&p->interned, r->insts);
    ft_rule_free(r);
}

static enum ft_err
rule_link(struct ft_pipeline *p, struct ft_rule *r, const struct ft_match *m)
{
    if (ft_cls_insert(p, &p->tables[r->table_id], r, &m->mask)) {
        rule_drop(p, r);
        return FT_ERR_FLOW_MOD_FAILED_UNKNOWN;
    }
    p->tables[r->table_id].n_rules++;
    uses_ref(p, r->insts, +1);
    timed_add(p, r);
    ft_pipeline_note(p, FT_CHG_RULE_ADD, r->table_id, r->priority, 0, r);
    return FT_OK;
}

/* New takes old's place: counters continue unless reset. */
static void
rule_replace(struct ft_pipeline *p, struct ft_rule *old, struct ft_rule *new, bool reset,
             uint64_t now_ns)
{
    new->pred = reset ? NULL : old;
    atomic_store_explicit(&old->forward, new, memory_order_release);
    ft_rule_remove(p, old, FT_RR_REPLACED, now_ns);
}

struct overlap_ctx {
    const struct ft_match *m;
    uint16_t priority;
};

static int
overlap_visit(void *aux, struct ft_rule *r)
{
    struct overlap_ctx *c = aux;
    if (r->priority != c->priority)
        return 0;
    struct ft_match rm;
    ft_rule_get_match(r, &rm);
    return ft_match_overlaps(&rm, c->m);
}

static enum ft_err
flow_add(struct ft_pipeline *p, const struct ft_flow_mod *fm, uint64_t now_ns)
{
    if (fm->table_id >= FT_N_TABLES)
        return FT_ERR_FLOW_MOD_FAILED_BAD_TABLE_ID;
    enum ft_err err = ft_pipeline_check_insts(p, fm->insts, &fm->match, fm->table_id);
    if (err)
        return err;
    struct ft_table *t = &p->tables[fm->table_id];
    uint64_t sv = ft_staged_version(p);
    if (fm->flags & FT_FF_CHECK_OVERLAP) {
        struct ft_match all;
        ft_match_init_catchall(&all);
        struct overlap_ctx c = {&fm->match, fm->priority};
        if (ft_cls_foreach(t, sv, &all, overlap_visit, &c))
            return FT_ERR_FLOW_MOD_FAILED_OVERLAP;
    }
    struct ft_rule *old = ft_cls_find_strict(t, &fm->match, fm->priority, sv);
    if (!old && t->n_rules >= p->cfg.table_capacity)
        return FT_ERR_FLOW_MOD_FAILED_TABLE_FULL;

    struct ft_rule *r = rule_new(p, fm->table_id, &fm->match, fm->insts, &err);
    if (!r)
        return err;
    r->priority = fm->priority;
    r->cookie = fm->cookie;
    r->flags = fm->flags;
    r->idle_timeout = fm->idle_timeout;
    r->hard_timeout = fm->hard_timeout;
    r->created_ns = now_ns;
    err = rule_link(p, r, &fm->match);
    if (err)
        return err;
    /* An identical rule is replaced; OF1.3 keeps its counters unless asked. */
    if (old)
        rule_replace(p, old, r, fm->flags & FT_FF_RESET_COUNTS, now_ns);
    return FT_OK;
}

/* ---- selecting rules ------------------------------------------------------------------ */

struct select_ctx {
    const struct ft_flow_filter *f;
    struct ft_vec *out;
    int err;
};

static bool
rule_passes(const struct ft_rule *r, const struct ft_flow_filter *f)
{
    if ((r->cookie & f->cookie_mask) != (f->cookie & f->cookie_mask))
        return false;
    if (f->strict && r->priority != f->priority)
        return false;
    if (f->out_port != FT_PORT_ANY && !ft_insts_has_output(r->insts, f->out_port))
        return false;
    if (f->out_group != FT_GROUP_ANY && !ft_insts_has_group(r->insts, f->out_group))
        return false;
    return true;
}

static int
select_visit(void *aux, struct ft_rule *r)
{
    struct select_ctx *c = aux;
    if (!rule_passes(r, c->f))
        return 0;
    if (c->f->strict) {
        struct ft_match rm;
        ft_rule_get_match(r, &rm);
        if (!ft_key_equal(&rm.mask, &c->f->match.mask))
            return 0;
    }
    if (ft_vec_push(c->out, &r, sizeof r)) {
        c->err = -ENOMEM;
        return 1;
    }
    return 0;
}

/* Collect the rules f selects in the staged view into out (struct ft_rule *). */
static int
select_rules(const struct ft_pipeline *p, const struct ft_flow_filter *f, struct ft_vec *out)
{
    uint64_t sv = ft_staged_version(p);
    for (int t = 0; t < FT_N_TABLES; t++) {
        if (f->table_id != FT_TABLE_ALL && f->table_id != t)
            continue;
        if (f->strict) {
            struct ft_rule *r = ft_cls_find_strict(&p->tables[t], &f->match, f->priority, sv);
            if (r && rule_passes(r, f) && ft_vec_push(out, &r, sizeof r))
                return -ENOMEM;
            continue;
        }
        struct select_ctx c = {f, out, 0};
        ft_cls_foreach(&p->tables[t], sv, &f->match, select_visit, &c);
        if (c.err)
            return c.err;
    }
    return 0;
}

static void
filter_from_mod(const struct ft_flow_mod *fm, struct ft_flow_filter *f, bool strict, bool del)
{
    f->table_id = fm->table_id;
    f->strict = strict;
    f->priority = fm->priority;
    f->out_port = del ? fm->out_port : FT_PORT_ANY;
    f->out_group = del ? fm->out_group : FT_GROUP_ANY;
    f->cookie = fm->cookie;
    f->cookie_mask = fm->cookie_mask;
    f->match = fm->match;
}

static bool
same_insts(const struct ft_insts *a, const struct ft_insts *b)
{
    if (!a || !b)
        return a == b;
    return ft_insts_equal(a, b);
}

static enum ft_err
flow_modify(struct ft_pipeline *p, const struct ft_flow_mod *fm, bool strict, uint64_t now_ns)
{
    if (fm->table_id >= FT_N_TABLES)
        return FT_ERR_FLOW_MOD_FAILED_BAD_TABLE_ID;
    enum ft_err err = ft_pipeline_check_insts(p, fm->insts, &fm->match, fm->table_id);
    if (err)
        return err;
    struct ft_flow_filter f;
    filter_from_mod(fm, &f, strict, false);
    struct ft_vec sel = {0}, made = {0};
    if (select_rules(p, &f, &sel)) {
        free(sel.data);
        return FT_ERR_FLOW_MOD_FAILED_UNKNOWN;
    }
    /* All or nothing: every replacement is made before any goes in (a
     * replacement takes its old rule's place in the same chain, which
     * needs no memory), so running out of memory changes nothing. */
    for (size_t i = 0; i < sel.n && !err; i++) {
        struct ft_rule *old = *FT_VEC_AT(&sel, struct ft_rule *, i);
        /* A modify keeps cookie, flags and timeouts; with the same
         * instructions and the counters kept it changes nothing, and the
         * cache entries that use the rule stay (a controller that re-sends
         * its table must not cost the datapath). */
        struct ft_rule *r = NULL;
        if ((fm->flags & FT_FF_RESET_COUNTS) || !same_insts(old->insts, fm->insts)) {
            struct ft_match m;
            ft_rule_get_match(old, &m);
            if (!(r = rule_new(p, old->table_id, &m, fm->insts, &err)))
                break;
            r->priority = old->priority;
            r->cookie = old->cookie;
            r->flags = old->flags;
            r->idle_timeout = old->idle_timeout;
            r->hard_timeout = old->hard_timeout;
            r->created_ns = old->created_ns; /* A modify keeps the duration. */
        }
        if (ft_vec_push(&made, &r, sizeof r)) {
            rule_drop(p, r);
            err = FT_ERR_FLOW_MOD_FAILED_UNKNOWN;
        }
    }
    for (size_t i = 0; i < made.n; i++) {
        struct ft_rule *r = *FT_VEC_AT(&made, struct ft_rule *, i);
        struct ft_rule *old = *FT_VEC_AT(&sel, struct ft_rule *, i);
        if (!r)
            continue;
        if (err) {
            rule_drop(p, r);
            continue;
        }
        struct ft_match m;
        ft_rule_get_match(old, &m);
        err = rule_link(p, r, &m);
        if (!err)
            rule_replace(p, old, r, fm->flags & FT_FF_RESET_COUNTS, now_ns);
    }
    free(made.data);
    free(sel.data);
    return err;
}

static enum ft_err
flow_delete(struct ft_pipeline *p, const struct ft_flow_mod *fm, bool strict, uint64_t now_ns)
{
    if (fm->table_id >= FT_N_TABLES && fm->table_id != FT_TABLE_ALL)
        return FT_ERR_FLOW_MOD_FAILED_BAD_TABLE_ID;
    struct ft_flow_filter f;
    filter_from_mod(fm, &f, strict, true);
    struct ft_vec sel = {0};
    if (select_rules(p, &f, &sel)) {
        free(sel.data);
        return FT_ERR_FLOW_MOD_FAILED_UNKNOWN;
    }
    for (size_t i = 0; i < sel.n; i++)
        ft_rule_remove(p, *FT_VEC_AT(&sel, struct ft_rule *, i), FT_RR_DELETE, now_ns);
    free(sel.data);
    return FT_OK;
}

enum ft_err
ft_pipeline_flow_mod(struct ft_pipeline *p, const struct ft_flow_mod *fm, uint64_t now_ns)
{
    if (fm->flags & ~FT_FF_ALL)
        return FT_ERR_FLOW_MOD_FAILED_BAD_FLAGS;
    switch (fm->command) {
    case FT_FC_ADD:
        return flow_add(p, fm, now_ns);
    case FT_FC_MODIFY:
    case FT_FC_MODIFY_STRICT:
        return flow_modify(p, fm, fm->command == FT_FC_MODIFY_STRICT, now_ns);
    case FT_FC_DELETE:
    case FT_FC_DELETE_STRICT:
        return flow_delete(p, fm, fm->command == FT_FC_DELETE_STRICT, now_ns);
    default:
        return FT_ERR_FLOW_MOD_FAILED_BAD_COMMAND;
    }
}

/* Remove the rules whose instructions satisfy pred (staged). */
/* Remove every rule pred selects; -ENOMEM (and nothing removed) when the
 * rules cannot all be listed: a group or meter must not go while a rule
 * still uses it. */
static int
remove_rules_if(struct ft_pipeline *p, bool (*pred)(const struct ft_insts *, uint32_t), uint32_t id,
                uint8_t reason, uint64_t now_ns)
{
    struct ft_flow_filter f = {
        .table_id = FT_TABLE_ALL, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&f.match);
    struct ft_vec sel = {0};
    if (select_rules(p, &f, &sel)) {
        free(sel.data);
        return -ENOMEM;
    }
    for (size_t i = 0; i < sel.n; i++) {
        struct ft_rule *r = *FT_VEC_AT(&sel, struct ft_rule *, i);
        if (r->insts && pred(r->insts, id))
            ft_rule_remove(p, r, reason, now_ns);
    }
    free(sel.data);
    return 0;
}

static bool
uses_group(const struct ft_insts *in, uint32_t id)
{
    return ft_insts_has_group(in, id);
}

static bool
uses_meter(const struct ft_insts *in, uint32_t id)
{
    return (in->present & FT_INST_BIT(FT_IT_METER)) && in->meter_id == id;
}

int
ft_remove_rules_using_group(struct ft_pipeline *p, uint32_t group_id, uint64_t now_ns)
{
    return remove_rules_if(p, uses_group, group_id, FT_RR_GROUP_DELETE, now_ns);
}

int
ft_remove_rules_using_meter(struct ft_pipeline *p, uint32_t meter_id, uint64_t now_ns)
{
    return remove_rules_if(p, uses_meter, meter_id, FT_RR_METER_DELETE, now_ns);
}

/* ---- expiry ---------------------------------------------------------------------------- */

bool
ft_pipeline_has_timeouts(const struct ft_pipeline *p)
{
    return p->timed.n > 0;
}

size_t
ft_pipeline_expire(struct ft_pipeline *p, uint64_t now_ns)
{
    size_t removed = 0;
    for (size_t i = p->timed.n; i-- > 0;) {
        struct ft_rule *r = *FT_VEC_AT(&p->timed, struct ft_rule *, i);
        uint64_t used;
        ft_rule_stats(r, NULL, NULL, &used);
        if (used < r->created_ns)
            used = r->created_ns;
        if (r->hard_timeout && now_ns >= r->created_ns + r->hard_timeout * NS_PER_SEC) {
            ft_rule_remove(p, r, FT_RR_HARD_TIMEOUT, now_ns);
            removed++;
        } else if (r->idle_timeout && now_ns >= used + r->idle_timeout * NS_PER_SEC) {
            ft_rule_remove(p, r, FT_RR_IDLE_TIMEOUT, now_ns);
            removed++;
        }
    }
    return removed;
}

/* ---- freeing: counters and FLOW_REMOVED --------------------------------------------------- */

void
ft_rule_finalize(struct ft_pipeline *p, struct ft_rule *r)
{
    struct ft_rule *next = atomic_load_explicit(&r->forward, memory_order_relaxed);
    uint64_t packets, bytes, used;
    ft_rule_stats(r, &packets, &bytes, &used);
    if (next) {
        /* Hand everything this rule counted to its successor. */
        if (next->pred == r) {
            atomic_fetch_add_explicit(&next->n_packets, atomic_load(&r->n_packets),
                                      memory_order_relaxed);
            atomic_fetch_add_explicit(&next->n_bytes, atomic_load(&r->n_bytes),
                                      memory_order_relaxed);
            uint64_t u = atomic_load(&r->used_ns);
            if (u > atomic_load(&next->used_ns))
                atomic_store(&next->used_ns, u);
            next->pred = NULL;
        }
    }
    if (r->pred) /* Freed before its predecessor: cut the link both ways. */
        atomic_store_explicit(&r->pred->forward, NULL, memory_order_relaxed);
    ft_intern_unref(&p->interned, r->insts);

    if (r->removed_reason == FT_RR_REPLACED || !(r->flags & FT_FF_SEND_FLOW_REM) ||
        !p->flow_removed)
        return;
    struct ft_flow_removed fr = {
        .cookie = r->cookie,
        .duration_ns = r->created_ns, /* Set to the lifetime at removal. */
        .packet_count = packets,
        .byte_count = bytes,
        .priority = r->priority,
        .idle_timeout = r->idle_timeout,
        .hard_timeout = r->hard_timeout,
        .reason = r->removed_reason,
        .table_id = r->table_id,
    };
    ft_rule_get_match(r, &fr.match);
    p->flow_removed(p->flow_removed_aux, &fr);
}

/* ---- accessors ------------------------------------------------------------------------------ */

int
ft_pipeline_rules_foreach(const struct ft_pipeline *p, const struct ft_flow_filter *f,
                          ft_rule_visit_fn *fn, void *aux)
{
    struct ft_vec sel = {0};
    if (select_rules(p, f, &sel)) {
        ft_vec_free(&sel);
        return -ENOMEM; /* Nothing visited. */
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < sel.n; i++)
        rc = fn(aux, *FT_VEC_AT(&sel, struct ft_rule *, i)) ? FT_VISIT_STOPPED : 0;
    ft_vec_free(&sel);
    return rc;
}

void
ft_pipeline_goto_targets(const struct ft_pipeline *p, uint64_t targets[4])
{
    memset(targets, 0, 4 * sizeof targets[0]);
    for (unsigned t = 0; t < FT_N_TABLES; t++)
        if (p->goto_refs[t])
            targets[t >> 6] |= 1ull << (t & 63);
}

uint8_t
ft_rule_table(const struct ft_rule *r)
{
    return r->table_id;
}

uint16_t
ft_rule_priority(const struct ft_rule *r)
{
    return r->priority;
}

uint64_t
ft_rule_cookie(const struct ft_rule *r)
{
    return r->cookie;
}

uint16_t
ft_rule_flags(const struct ft_rule *r)
{
    return r->flags;
}

uint16_t
ft_rule_idle_timeout(const struct ft_rule *r)
{
    return r->idle_timeout;
}

uint16_t
ft_rule_hard_timeout(const struct ft_rule *r)
{
    return r->hard_timeout;
}

uint64_t
ft_rule_created_ns(const struct ft_rule *r)
{
    return r->created_ns;
}

void
ft_rule_match(const struct ft_rule *r, struct ft_match *m)
{
    ft_rule_get_match(r, m);
}

const struct ft_insts *
ft_rule_insts(const struct ft_rule *r)
{
    return r->insts;
}

void
ft_rule_add_stats(const struct ft_rule *r_, uint64_t packets, uint64_t bytes, uint64_t used_ns)
{
    struct ft_rule *r = (struct ft_rule *)r_, *next;
    while ((next = atomic_load_explicit(&r->forward, memory_order_acquire)))
        r = next;
    if (!(r->flags & FT_FF_NO_PKT_COUNTS))
        atomic_fetch_add_explicit(&r->n_packets, packets, memory_order_relaxed);
    if (!(r->flags & FT_FF_NO_BYT_COUNTS))
        atomic_fetch_add_explicit(&r->n_bytes, bytes, memory_order_relaxed);
    uint64_t u = atomic_load_explicit(&r->used_ns, memory_order_relaxed);
    while (used_ns > u && !atomic_compare_exchange_weak_explicit(
                              &r->used_ns, &u, used_ns, memory_order_relaxed, memory_order_relaxed))
        ;
}

void
ft_rule_prefetch_stats(const struct ft_rule *r)
{
    __builtin_prefetch(&r->forward, 1);
    __builtin_prefetch(&r->used_ns, 1);
}

void
ft_rule_stats(const struct ft_rule *r, uint64_t *packets, uint64_t *bytes, uint64_t *used_ns)
{
    uint64_t pk = 0, by = 0, used = 0;
    for (const struct ft_rule *x = r; x; x = x->pred) {
        pk += atomic_load_explicit(&((struct ft_rule *)x)->n_packets, memory_order_relaxed);
        by += atomic_load_explicit(&((struct ft_rule *)x)->n_bytes, memory_order_relaxed);
        uint64_t u = atomic_load_explicit(&((struct ft_rule *)x)->used_ns, memory_order_relaxed);
        if (u > used)
            used = u;
    }
    if (packets)
        *packets = (r->flags & FT_FF_NO_PKT_COUNTS) ? UINT64_MAX : pk;
    if (bytes)
        *bytes = (r->flags & FT_FF_NO_BYT_COUNTS) ? UINT64_MAX : by;
    if (used_ns)
        *used_ns = used;
}

void
ft_pipeline_table_stats(const struct ft_pipeline *p, uint8_t table_id, struct ft_table_stats *st)
{
    const struct ft_table *t = &p->tables[table_id];
    st->active_count = t->n_rules;
    st->lookup_count = atomic_load_explicit(&((struct ft_table *)t)->lookups, memory_order_relaxed);
    st->matched_count =
        atomic_load_explicit(&((struct ft_table *)t)->matches, memory_order_relaxed);
}

void
ft_pipeline_table_count(const struct ft_pipeline *p, uint8_t table_id, uint64_t lookups,
                        uint64_t matches)
{
    struct ft_table *t = (struct ft_table *)&p->tables[table_id];
    atomic_fetch_add_explicit(&t->lookups, lookups, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->matches, matches, memory_order_relaxed);
}

uint32_t
ft_pipeline_table_capacity(const struct ft_pipeline *p)
{
    return p->cfg.table_capacity;
}
