/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FLOW, AGGREGATE and TABLE statistics. Workers fold their cache counters
 * first (dp_fold_counters), so the counts are exact at the time of the
 * request. Flow replies are built in chunks straight from the rules (no
 * copy of a large table) and sent with REPLY_MORE on all but the last.
 */
#include <stdlib.h>
#include <string.h>

#include "ofa_handler_int.h"

#define FLOW_CHUNK 256

struct flow_walk {
    struct ofa_conn *c;
    const struct ofa_msg *req;
    uint64_t now;
    size_t n;
    struct ofa_flow_stats *fs; /* FLOW_CHUNK entries. */
    struct ofa_aggregate_stats agg;
};

static enum ft_err
check_filter(const struct ft_flow_filter *f)
{
    if (f->table_id >= FT_N_TABLES && f->table_id != FT_TABLE_ALL)
        return FT_ERR_BAD_REQUEST_BAD_TABLE_ID;
    return FT_OK;
}

static void
flow_flush(struct flow_walk *w, bool more)
{
    struct ofa_msg r;
    ofa_mp_reply_init(&r, w->req);
    r.u.mp.flags = more ? OFA_MPF_MORE : 0;
    r.u.mp.n = w->n;
    r.u.mp.u.flows = w->fs;
    ofa_conn_send(w->c, &r);
    w->n = 0;
}

static int
flow_visit(void *aux, const struct ft_rule *rule)
{
    struct flow_walk *w = aux;
    if (w->n == FLOW_CHUNK)
        flow_flush(w, true); /* Only now is it known that more follow. */
    struct ofa_flow_stats *s = &w->fs[w->n++];
    s->table_id = ft_rule_table(rule);
    ofa_duration(ft_rule_created_ns(rule), w->now, &s->duration_sec, &s->duration_nsec);
    s->priority = ft_rule_priority(rule);
    s->idle_timeout = ft_rule_idle_timeout(rule);
    s->hard_timeout = ft_rule_hard_timeout(rule);
    s->flags = ft_rule_flags(rule);
    s->cookie = ft_rule_cookie(rule);
    ft_rule_stats(rule, &s->packet_count, &s->byte_count, NULL);
    ft_rule_match(rule, &s->match);
    s->insts = ft_rule_insts(rule);
    return 0;
}

enum ft_err
ofa_mp_flow(struct ofa_conn *c, const struct ofa_msg *m)
{
    const struct ft_flow_filter *f = &m->u.mp.u.flow_req;
    enum ft_err err = check_filter(f);
    if (err)
        return err;
    struct flow_walk w = {.c = c, .req = m};
    w.fs = calloc(FLOW_CHUNK, sizeof *w.fs);
    if (!w.fs)
        return OFA_ERR_NOMEM;
    ofa_fold_counters(c->agent);
    w.now = ofa_now_ns();
    /* Listing fails before the first rule is visited: nothing was sent. */
    int rc = ft_pipeline_rules_foreach(c->agent->p, f, flow_visit, &w);
    if (rc >= 0)
        flow_flush(&w, false);
    free(w.fs);
    return rc < 0 ? OFA_ERR_NOMEM : FT_OK;
}

static int
agg_visit(void *aux, const struct ft_rule *rule)
{
    struct flow_walk *w = aux;
    uint64_t pk, by;
    ft_rule_stats(rule, &pk, &by, NULL);
    /* Rules without counters (NO_PKT_COUNTS/NO_BYT_COUNTS) add nothing. */
    if (pk != UINT64_MAX)
        w->agg.packet_count += pk;
    if (by != UINT64_MAX)
        w->agg.byte_count += by;
    w->agg.flow_count++;
    return 0;
}

enum ft_err
ofa_mp_aggregate(struct ofa_conn *c, const struct ofa_msg *m)
{
    const struct ft_flow_filter *f = &m->u.mp.u.flow_req;
    enum ft_err err = check_filter(f);
    if (err)
        return err;
    struct flow_walk w = {.c = c, .req = m};
    ofa_fold_counters(c->agent);
    if (ft_pipeline_rules_foreach(c->agent->p, f, agg_visit, &w) < 0)
        return OFA_ERR_NOMEM;
    struct ofa_msg r;
    ofa_mp_reply_init(&r, m);
    r.u.mp.u.aggregate = w.agg;
    ofa_conn_send(c, &r);
    return FT_OK;
}

enum ft_err
ofa_mp_table(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_table_stats *ts = calloc(FT_N_TABLES, sizeof *ts);
    if (!ts)
        return OFA_ERR_NOMEM;
    ofa_fold_counters(c->agent);
    for (unsigned t = 0; t < FT_N_TABLES; t++) {
        struct ft_table_stats st;
        ft_pipeline_table_stats(c->agent->p, (uint8_t)t, &st);
        ts[t].table_id = (uint8_t)t;
        ts[t].active_count = st.active_count;
        ts[t].lookup_count = st.lookup_count;
        ts[t].matched_count = st.matched_count;
    }
    struct ofa_msg r;
    ofa_mp_reply_init(&r, m);
    r.u.mp.n = FT_N_TABLES;
    r.u.mp.u.tables = ts;
    ofa_conn_send(c, &r);
    free(ts);
    return FT_OK;
}
