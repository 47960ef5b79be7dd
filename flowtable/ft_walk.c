/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pipeline walk. It runs the OpenFlow pipeline on a working copy of
 * the key: apply-actions change the key as they would change the packet,
 * so later tables match what the packet will be. Alongside it keeps
 *   - mask:    every key bit whose packet value the outcome depended on;
 *   - written: bits whose value now comes from an action, not the packet
 *              (consulting them adds nothing to the mask);
 *   - stale:   bits the key cannot know any more (what a pop inside a
 *              group bucket revealed): never read into the mask.
 * Everything the walk decides is a function of the masked bits, which is
 * why one cache entry can stand for every packet equal under the mask.
 *
 * A pop that reveals headers the key never held (the packet under an MPLS
 * label or a PBB I-TAG, the tag under two VLAN tags) ends the program with
 * FT_OP_RECIRC: the packet is parsed again and the walk resumes from
 * out->cont (ft_walk_resume), so later tables match the real headers, as
 * Open vSwitch's recirculation does. Inside group buckets (clones, which
 * no table ever sees) pops are modelled without it: bits they hide become
 * stale and are not modelled further.
 */
#include <errno.h>
#include <string.h>

#include "ft_proto.h"
#include "ft_walk_int.h"

/* ---- emitting ops ------------------------------------------------------------------ */

struct ft_op *
walk_emit(struct walk *w, uint8_t type)
{
    if (w->failed)
        return NULL;
    if (w->out->n_ops >= FT_WALK_MAX_OPS) {
        w->out->flags |= FT_WALK_F_OVERFLOW;
        w->failed = true;
        return NULL;
    }
    struct ft_op *op = &w->out->ops[w->out->n_ops++];
    memset(op, 0, sizeof *op);
    op->type = type;
    return op;
}

static void
add_dep(struct walk *w, uint8_t kind, uint32_t id)
{
    struct ft_walk_out *o = w->out;
    for (uint16_t i = 0; i < o->n_deps; i++)
        if (o->deps[i].kind == kind && o->deps[i].id == id)
            return;
    if (o->n_deps >= FT_WALK_MAX_DEPS) {
        o->flags |= FT_WALK_F_DEPS_ALL;
        return;
    }
    o->deps[o->n_deps++] = (struct ft_walk_dep){.kind = kind, .id = id};
}

/* ---- recirculation --------------------------------------------------------------------- */

/* An action set's copy with the slots not present zeroed, so that two
 * continuations with the same set compare equal bytewise. */
static void
set_copy(struct ft_action_set *dst, const struct ft_action_set *src)
{
    memset(dst, 0, sizeof *dst);
    dst->present = src->present;
    for (uint64_t bits = src->present; bits; bits &= bits - 1) {
        unsigned s = (unsigned)__builtin_ctzll(bits);
        dst->slot[s] = src->slot[s];
    }
}

/* A pop revealed headers the key does not hold. Outside buckets: end the
 * program here, to go on (out->cont) with the packet parsed again. In a
 * bucket: the bits become stale (returns false: model the pop). */
bool
walk_recirculate(struct walk *w)
{
    if (w->in_bucket)
        return false;
    struct ft_op *op = walk_emit(w, FT_OP_RECIRC);
    if (!op)
        return true;
    struct ft_walk_cont *c = &w->out->cont;
    memset(c, 0, offsetof(struct ft_walk_cont, as));
    c->kind = w->cur.kind;
    c->next = (uint16_t)(w->cur.pos + 1);
    c->rule = w->cur.kind == FT_CONT_APPLY ? w->cur.rule : NULL;
    /* A packet-out's list: resumed in, or after the tables its output:TABLE runs. */
    const struct walk_pos *po = w->cur.kind == FT_CONT_LIST ? &w->cur : &w->outer;
    if (po->kind == FT_CONT_LIST) {
        c->list = po->list;
        c->n_list = (uint16_t)po->n;
        c->list_next = (uint16_t)(po->pos + 1);
    }
    walk_consult_field(w, FT_F_METADATA); /* Kept in the continuation (see do_output). */
    c->metadata = w->key.metadata;
    c->cookie = w->cookie;
    c->table_id = w->table_id;
    c->table_miss_rule = w->table_miss_rule;
    set_copy(&c->as, w->cur.kind == FT_CONT_SET ? w->cur.set : &w->as);
    w->out->flags |= FT_WALK_F_RECIRC;
    w->stop = true;
    return true;
}

static void compose_group(struct walk *w, uint32_t id, int depth);
static void walk_tables(struct walk *w, uint8_t table_id);

static void
do_output(struct walk *w, const struct ft_action *a)
{
    if (a->arg == FT_PORT_CONTROLLER) {
        struct ft_op *op = walk_emit(w, FT_OP_CONTROLLER);
        if (!op)
            return;
        op->b8 = w->table_miss_rule ? FT_PR_NO_MATCH : FT_PR_ACTION;
        op->a16 = a->max_len;
        op->a32 = w->table_id;
        op->a64 = w->cookie;
        /* Written by rules, or, in a later stage, the key's: then part of the answer. */
        walk_consult_field(w, FT_F_METADATA);
        op->value.u64 = w->key.metadata;
        w->out->flags |= FT_WALK_F_CONTROLLER;
        return;
    }
    if (a->arg == FT_PORT_TABLE) { /* Packet-out only (checked at decode). */
        w->outer = w->cur;
        walk_tables(w, 0);
        w->cur = w->outer;
        w->outer.kind = 0;
        return;
    }
    struct ft_op *op = walk_emit(w, FT_OP_OUTPUT);
    if (op)
        op->a32 = a->arg;
}

static void
compose_action(struct walk *w, const struct ft_action *a, int depth)
{
    struct ft_op *op;
    switch (a->type) {
    case FT_AT_OUTPUT:
        do_output(w, a);
        break;
    case FT_AT_GROUP:
        compose_group(w, a->arg, depth + 1);
        break;
    case FT_AT_SET_QUEUE:
        if ((op = walk_emit(w, FT_OP_SET_QUEUE)))
            op->a32 = a->arg;
        break;
    case FT_AT_SET_FIELD:
        walk_set_field(w, a);
        break;
    case FT_AT_PUSH_VLAN:
        walk_push_vlan(w, a->ethertype);
        break;
    case FT_AT_POP_VLAN:
        walk_pop_vlan(w);
        break;
    case FT_AT_PUSH_MPLS:
        walk_push_mpls(w, a->ethertype);
        break;
    case FT_AT_POP_MPLS:
        walk_pop_mpls(w, a->ethertype);
        break;
    case FT_AT_PUSH_PBB:
        walk_push_pbb(w, a->ethertype);
        break;
    case FT_AT_POP_PBB:
        walk_pop_pbb(w);
        break;
    case FT_AT_SET_MPLS_TTL:
    case FT_AT_SET_NW_TTL:
        if ((op = walk_emit(w,
                            a->type == FT_AT_SET_MPLS_TTL ? FT_OP_SET_MPLS_TTL : FT_OP_SET_NW_TTL)))
            op->b8 = a->ttl;
        break;
    case FT_AT_DEC_MPLS_TTL:
    case FT_AT_DEC_NW_TTL:
        if ((op = walk_emit(w, a->type == FT_AT_DEC_MPLS_TTL ? FT_OP_DEC_MPLS_TTL
                                                             : FT_OP_DEC_NW_TTL))) {
            op->a32 = w->table_id;
            op->a64 = w->cookie;
            walk_consult_field(w, FT_F_METADATA); /* As for CONTROLLER. */
            op->value.u64 = w->key.metadata;
        }
        break;
    case FT_AT_COPY_TTL_OUT:
        walk_emit(w, FT_OP_COPY_TTL_OUT);
        break;
    case FT_AT_COPY_TTL_IN:
        walk_emit(w, FT_OP_COPY_TTL_IN);
        break;
    default:
        break;
    }
}

/* a[from..n); a[i]'s position is i (for a continuation). */
static void
compose_list(struct walk *w, const struct ft_action *a, size_t from, size_t n, int depth)
{
    for (size_t i = from; i < n && !w->failed && !w->stop; i++) {
        if (!w->in_bucket)
            w->cur.pos = i;
        compose_action(w, &a[i], depth);
    }
}

/* A packet-out's action list from its from-th action. */
static void
run_list(struct walk *w, const struct ft_action *a, size_t from, size_t n)
{
    w->cur = (struct walk_pos){.kind = FT_CONT_LIST, .list = a, .n = n};
    compose_list(w, a, from, n, 0);
}

/* A bucket's action set. */
static void
compose_set(struct walk *w, const struct ft_action_set *as, int depth)
{
    struct ft_action list[FT_AS_N_SLOTS];
    size_t n = ft_action_set_list(as, list);
    compose_list(w, list, 0, n, depth);
}

/* The action set at the end of the pipeline, from its from-th action. */
static void
run_action_set(struct walk *w, const struct ft_action_set *as, size_t from)
{
    if (w->failed || w->stop)
        return;
    struct ft_action list[FT_AS_N_SLOTS];
    size_t n = ft_action_set_list(as, list);
    w->cur = (struct walk_pos){.kind = FT_CONT_SET, .set = as, .n = n};
    compose_list(w, list, from, n, 0);
}

/* ---- groups ------------------------------------------------------------------------- */

static bool group_live(struct walk *w, uint32_t id, int depth);

static bool
bucket_live(struct walk *w, const struct ft_bucket *b, int depth)
{
    if (b->watch_port != FT_PORT_ANY) {
        add_dep(w, FT_DEP_PORT, b->watch_port);
        if (!ft_pipeline_port_live(w->p, w->v, b->watch_port))
            return false;
    }
    if (b->watch_group != FT_GROUP_ANY && !group_live(w, b->watch_group, depth + 1))
        return false;
    return true;
}

/* A group is live when some bucket of it is. The answer for (id, depth)
 * is the same wherever it is asked in one walk (its dependencies were
 * recorded the first time), so it is remembered. */
static bool
group_live(struct walk *w, uint32_t id, int depth)
{
    for (uint16_t i = 0; i < w->n_live; i++)
        if (w->live[i].id == id && w->live[i].depth == depth)
            return w->live[i].live;
    /* A group that does not exist yet is dead; its arrival changes that. */
    add_dep(w, FT_DEP_GROUP, id);
    const struct ft_group *g = ft_pipeline_group_find(w->p, w->v, id);
    bool live = false;
    if (g && depth <= MAX_GROUP_DEPTH)
        for (uint32_t b = 0; b < g->n_buckets && !live; b++)
            live = bucket_live(w, &g->buckets[b], depth);
    if (w->n_live < WALK_LIVE_MEMO)
        w->live[w->n_live++] = (struct walk_live){.id = id, .depth = (uint8_t)depth, .live = live};
    return live;
}

static void
compose_bucket(struct walk *w, const struct ft_group *g, uint32_t b, int depth)
{
    struct ft_op *op = walk_emit(w, FT_OP_BUCKET);
    if (!op)
        return;
    size_t at = w->out->n_ops;
    op->a16 = (uint16_t)b;
    op->value.u32 = g->buckets[b].weight;
    /* The bucket runs on a clone: its changes to the key do not outlive it. */
    struct ft_key key = w->key, written = w->written, stale = w->stale;
    struct ft_action_set as;
    ft_action_set_clear(&as);
    ft_action_set_write(&as, g->buckets[b].actions, g->buckets[b].n_actions);
    w->in_bucket++;
    compose_set(w, &as, depth);
    w->in_bucket--;
    w->key = key;
    w->written = written;
    w->stale = stale;
    if (!w->failed)
        w->out->ops[at - 1].a32 = (uint32_t)(w->out->n_ops - at);
}

static void
compose_group(struct walk *w, uint32_t id, int depth)
{
    add_dep(w, FT_DEP_GROUP, id);
    const struct ft_group *g = ft_pipeline_group_find(w->p, w->v, id);
    if (!g)
        return; /* Gone in this version: rules using it went with it. */
    if (depth > MAX_GROUP_DEPTH) {
        w->out->flags |= FT_WALK_F_OVERFLOW;
        w->failed = true;
        return;
    }
    struct ft_op *op = walk_emit(w, FT_OP_GROUP);
    if (!op)
        return;
    size_t at = w->out->n_ops;
    op->b8 = g->type;
    op->a32 = id;
    uint16_t n = 0;
    for (uint32_t b = 0; b < g->n_buckets && !w->failed; b++) {
        const struct ft_bucket *bk = &g->buckets[b];
        switch (g->type) {
        case FT_GT_SELECT:
            if (!bk->weight || !bucket_live(w, bk, depth))
                continue;
            break;
        case FT_GT_FF:
            if (n || !bucket_live(w, bk, depth))
                continue;
            break;
        case FT_GT_INDIRECT:
            if (b)
                continue;
            break;
        default:
            break;
        }
        compose_bucket(w, g, b, depth);
        n++;
    }
    if (w->failed)
        return;
    w->out->ops[at - 1].a16 = n;
    w->out->ops[at - 1].a64 = w->out->n_ops - at;
}

/* ---- tables -------------------------------------------------------------------------------- */

static void
visit(struct walk *w, uint8_t table_id, const struct ft_rule *r)
{
    struct ft_walk_out *o = w->out;
    if (o->n_visits < FT_WALK_MAX_VISITS)
        o->visits[o->n_visits++] = (struct ft_walk_visit){.table_id = table_id, .rule = r};
}

/* A resumed walk goes on with r's instructions: they decide the result. */
static void
visit_resumed(struct walk *w, uint8_t table_id, const struct ft_rule *r)
{
    struct ft_walk_out *o = w->out;
    if (o->n_visits < FT_WALK_MAX_VISITS)
        o->visits[o->n_visits++] =
            (struct ft_walk_visit){.table_id = table_id, .resumed = true, .rule = r};
}

/* Rule r's instructions from its from-th apply action on (a resumed walk
 * starts mid-list): apply, clear, write, metadata. The goto table, or -1
 * when there is none or the walk stopped. */
static int
run_insts(struct walk *w, const struct ft_rule *r, size_t from)
{
    const struct ft_insts *in = r->insts;
    if (in->present & FT_INST_BIT(FT_IT_APPLY_ACTIONS)) {
        w->cur = (struct walk_pos){.kind = FT_CONT_APPLY, .rule = r, .n = in->n_apply};
        compose_list(w, ft_insts_apply(in), from, in->n_apply, 0);
        if (w->failed || w->stop)
            return -1;
    }
    if (in->present & FT_INST_BIT(FT_IT_CLEAR_ACTIONS))
        ft_action_set_clear(&w->as);
    if (in->present & FT_INST_BIT(FT_IT_WRITE_ACTIONS))
        ft_action_set_write(&w->as, ft_insts_write(in), in->n_write);
    if (in->present & FT_INST_BIT(FT_IT_WRITE_METADATA)) {
        w->key.metadata =
            (w->key.metadata & ~in->metadata_mask) | (in->metadata & in->metadata_mask);
        w->written.metadata |= in->metadata_mask; /* A stage's metadata came from its key. */
    }
    if (w->failed || !(in->present & FT_INST_BIT(FT_IT_GOTO_TABLE)))
        return -1;
    return in->goto_table;
}

/* The rule whose instructions run now: packet-ins and TTL ops name it. */
static void
enter_rule(struct walk *w, uint8_t table_id, const struct ft_rule *r)
{
    w->table_id = table_id;
    w->cookie = r->cookie;
    w->table_miss_rule = r->priority == 0 && r->subtable->n_words == 0;
}

/* The end of the pipeline: the action set runs. */
static void
finish_pipeline(struct walk *w)
{
    run_action_set(w, &w->as, 0);
    if (!w->stop)
        ft_action_set_clear(&w->as); /* A packet-out may run the tables again. */
}

/* A goto to next: when next starts a stage, the walk ends here with a
 * FT_CONT_GOTO continuation. The next stage's key is this one as the walk
 * models the packet now: the fields actions wrote (KEYSET ops, metadata
 * included) over the packet's own. If some bits cannot be known any more
 * (stale), the packet is parsed again instead (FT_OP_RECIRC). Returns
 * whether the walk stopped. */
static bool
stage_boundary(struct walk *w, uint8_t next)
{
    if (!ft_stage_starts_at(w->stages, next) || w->in_bucket || w->outer.kind)
        return false;
    bool exact = ft_key_is_zero(&w->stale);
    if (exact) {
        for (int i = 0; i < FT_KEY_WORDS; i++) {
            if (!w->written.w[i])
                continue;
            struct ft_op *op = walk_emit(w, FT_OP_KEYSET);
            if (!op)
                return true;
            op->a16 = (uint16_t)i;
            op->a64 = w->written.w[i];
            op->value.u64 = w->key.w[i] & w->written.w[i];
        }
    }
    if (!walk_emit(w, exact ? FT_OP_STAGE : FT_OP_RECIRC))
        return true;
    struct ft_walk_cont *c = &w->out->cont;
    memset(c, 0, offsetof(struct ft_walk_cont, as));
    c->kind = FT_CONT_GOTO;
    c->table_id = next;
    c->key_metadata = exact;
    if (!exact)
        walk_consult_field(w, FT_F_METADATA);
    c->metadata = exact ? 0 : w->key.metadata;
    set_copy(&c->as, &w->as);
    w->out->flags |= exact ? FT_WALK_F_STAGE : FT_WALK_F_RECIRC;
    w->stop = true;
    return true;
}

/* Tables from table_id on, then the action set. */
static void
walk_tables(struct walk *w, uint8_t table_id)
{
    for (;;) {
        struct ft_key probed;
        ft_key_zero(&probed);
        const struct ft_rule *r = ft_cls_lookup(&w->p->tables[table_id], w->v, &w->key, &probed);
        walk_consult(w, &probed);
        visit(w, table_id, r);
        if (!r) { /* Table miss without a table-miss rule: drop. */
            w->out->flags |= FT_WALK_F_TABLE_MISS;
            return;
        }
        enter_rule(w, table_id, r);
        const struct ft_insts *in = r->insts;
        if (!in)
            break;
        if (in->present & FT_INST_BIT(FT_IT_METER)) {
            struct ft_op *op = walk_emit(w, FT_OP_METER);
            if (op)
                op->a32 = in->meter_id;
            add_dep(w, FT_DEP_METER, in->meter_id);
        }
        int next = run_insts(w, r, 0);
        if (next < 0)
            break;
        if (stage_boundary(w, (uint8_t)next))
            return;
        table_id = (uint8_t)next;
    }
    finish_pipeline(w);
}

static void
walk_init(struct walk *w, const struct ft_pipeline *p, uint64_t v, const struct ft_key *key,
          struct ft_walk_out *out)
{
    /* Not memset: the action set alone is 2 KiB and only `present` counts. */
    w->p = p;
    w->v = v;
    w->out = out;
    w->key = *key;
    w->key.metadata = 0;
    ft_key_zero(&w->written);
    ft_key_zero(&w->stale);
    w->written.metadata = UINT64_MAX; /* Starts at 0 for every packet. */
    w->table_miss_rule = false;
    w->failed = false;
    w->stop = false;
    w->in_bucket = 0;
    w->cur.kind = 0;
    w->outer.kind = 0;
    w->stages = NULL;
    w->n_live = 0;
    w->table_id = FT_TABLE_ALL;
    w->cookie = UINT64_MAX;
    ft_action_set_clear(&w->as);
    ft_key_zero(&out->mask);
    /* Whether the packet was recirculated is part of every answer: a walk
     * from table 0 stands for keys with recirc_id 0 only. */
    out->mask.recirc_id = UINT16_MAX;
    out->flags = 0;
    out->n_ops = 0;
    out->n_visits = 0;
    out->n_deps = 0;
}

static int
walk_finish(struct walk *w)
{
    w->out->written = w->written;
    if (!w->failed)
        return 0;
    w->out->n_ops = 0; /* Never half a program: drop the packet, counted. */
    return w->out->flags & FT_WALK_F_OVERFLOW ? -E2BIG : 0;
}

int
ft_walk_staged(const struct ft_pipeline *p, uint64_t v, const struct ft_key *key,
               const struct ft_walk_cont *cont, const struct ft_walk_stages *stages,
               struct ft_walk_out *out)
{
    struct walk w;
    walk_init(&w, p, v, key, out);
    w.stages = stages;
    if (!cont) {
        walk_tables(&w, 0);
        return walk_finish(&w);
    }
    /* The recirc fields name the continuation: every answer depends on them. */
    out->mask.recirc_gen = UINT16_MAX;
    w.key.metadata = cont->metadata; /* Written, as in any walk. */
    w.table_id = cont->table_id;
    w.cookie = cont->cookie;
    w.table_miss_rule = cont->table_miss_rule;
    switch (cont->kind) {
    case FT_CONT_APPLY: {
        w.as = cont->as;
        visit_resumed(&w, cont->table_id, cont->rule);
        int next = run_insts(&w, cont->rule, cont->next);
        if (next >= 0) {
            if (!stage_boundary(&w, (uint8_t)next))
                walk_tables(&w, (uint8_t)next);
        } else if (!w.stop) {
            finish_pipeline(&w);
        }
        break;
    }
    case FT_CONT_SET:
        run_action_set(&w, &cont->as, cont->next);
        break;
    case FT_CONT_LIST:
        run_list(&w, cont->list, cont->next, cont->n_list);
        break;
    case FT_CONT_GOTO:
        w.as = cont->as;
        if (cont->key_metadata) { /* The previous stage's, in the key: read, not written. */
            w.key.metadata = key->metadata;
            w.written.metadata = 0;
        }
        walk_tables(&w, cont->table_id);
        break;
    default:
        w.failed = true;
        break;
    }
    if (cont->kind != FT_CONT_LIST && cont->list && !w.stop)
        run_list(&w, cont->list, cont->list_next, cont->n_list);
    return walk_finish(&w);
}

int
ft_walk(const struct ft_pipeline *p, uint64_t v, const struct ft_key *key, struct ft_walk_out *out)
{
    return ft_walk_staged(p, v, key, NULL, NULL, out);
}

int
ft_walk_resume(const struct ft_pipeline *p, uint64_t v, const struct ft_key *key,
               const struct ft_walk_cont *cont, struct ft_walk_out *out)
{
    return ft_walk_staged(p, v, key, cont, NULL, out);
}

int
ft_walk_packet_out(const struct ft_pipeline *p, uint64_t v, const struct ft_key *key,
                   const struct ft_action *actions, size_t n, struct ft_walk_out *out)
{
    struct walk w;
    walk_init(&w, p, v, key, out);
    run_list(&w, actions, 0, n);
    return walk_finish(&w);
}
