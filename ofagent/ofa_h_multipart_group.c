/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GROUP, GROUP_DESC, GROUP_FEATURES, METER, METER_CONFIG and
 * METER_FEATURES replies, read from the pipeline. Statistics are read
 * after the workers folded their counters. An id that names no group or
 * meter gives an empty reply (as Open vSwitch does).
 */
#include <stdlib.h>
#include <string.h>

#include "ft_group.h"
#include "ft_meter.h"
#include "ofa_handler_int.h"

struct walk {
    struct ofa_mp_list l;
    uint64_t now;
};

/* ---- groups ------------------------------------------------------------------ */

static void
attach_group_stats(struct ofa_msg *r, void *items)
{
    r->u.mp.u.group_stats = items;
}

static void
release_group_stats(void *item)
{
    free(((struct ofa_group_stats *)item)->buckets);
}

static int
group_stats_visit(void *aux, const struct ft_group *g)
{
    struct walk *w = aux;
    struct ofa_group_stats *s = ofa_mp_list_add(&w->l);
    if (!s)
        return 1;
    s->group_id = ft_group_id(g);
    s->ref_count = ft_group_ref_count(g);
    ft_group_stats(g, &s->packet_count, &s->byte_count);
    ofa_duration(ft_group_created_ns(g), w->now, &s->duration_sec, &s->duration_nsec);
    uint32_t nb = ft_group_n_buckets(g);
    s->buckets = calloc(nb ? nb : 1, sizeof *s->buckets);
    if (!s->buckets) {
        w->l.failed = true;
        return 1;
    }
    s->n_buckets = nb;
    for (uint32_t i = 0; i < nb; i++)
        ft_group_bucket_stats(g, i, &s->buckets[i].packet_count, &s->buckets[i].byte_count);
    return 0;
}

enum ft_err
ofa_mp_group(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct walk w = {.l = {.item_size = sizeof(struct ofa_group_stats),
                           .attach = attach_group_stats,
                           .release = release_group_stats}};
    ofa_fold_counters(c->agent);
    w.now = ofa_now_ns();
    int rc = ft_pipeline_groups_foreach(c->agent->p, m->u.mp.u.group_id, group_stats_visit, &w);
    return ofa_mp_list_reply(c, m, &w.l, rc);
}

static void
attach_group_desc(struct ofa_msg *r, void *items)
{
    r->u.mp.u.group_descs = items;
}

static void
release_group_desc(void *item)
{
    free(((struct ofa_group_desc *)item)->buckets);
}

static int
group_desc_visit(void *aux, const struct ft_group *g)
{
    struct walk *w = aux;
    struct ofa_group_desc *d = ofa_mp_list_add(&w->l);
    if (!d)
        return 1;
    d->type = ft_group_type(g);
    d->group_id = ft_group_id(g);
    uint32_t nb = ft_group_n_buckets(g);
    /* Bucket actions stay the pipeline's (valid until the next edit). */
    struct ft_bucket *b = calloc(nb ? nb : 1, sizeof *b);
    if (!b) {
        w->l.failed = true;
        return 1;
    }
    for (uint32_t i = 0; i < nb; i++)
        b[i] = *ft_group_bucket(g, i);
    d->buckets = b;
    d->n_buckets = nb;
    return 0;
}

enum ft_err
ofa_mp_group_desc(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct walk w = {.l = {.item_size = sizeof(struct ofa_group_desc),
                           .attach = attach_group_desc,
                           .release = release_group_desc}};
    int rc = ft_pipeline_groups_foreach(c->agent->p, FT_GROUP_ALL, group_desc_visit, &w);
    return ofa_mp_list_reply(c, m, &w.l, rc);
}

enum ft_err
ofa_mp_group_features(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_msg r;
    ofa_mp_reply_init(&r, m);
    ft_pipeline_group_features(c->agent->p, &r.u.mp.u.group_features);
    return ofa_conn_send(c, &r) ? OFA_ERR_NOMEM : FT_OK;
}

/* ---- meters ------------------------------------------------------------------ */

static void
attach_meter_stats(struct ofa_msg *r, void *items)
{
    r->u.mp.u.meter_stats = items;
}

static void
release_meter_stats(void *item)
{
    free(((struct ofa_meter_stats *)item)->bands);
}

static int
meter_stats_visit(void *aux, const struct ft_meter *mt)
{
    struct walk *w = aux;
    struct ofa_meter_stats *s = ofa_mp_list_add(&w->l);
    if (!s)
        return 1;
    s->meter_id = ft_meter_id(mt);
    s->flow_count = ft_meter_flow_count(mt);
    ft_meter_stats(mt, &s->packet_in_count, &s->byte_in_count);
    ofa_duration(ft_meter_created_ns(mt), w->now, &s->duration_sec, &s->duration_nsec);
    uint32_t nb = ft_meter_n_bands(mt);
    s->bands = calloc(nb ? nb : 1, sizeof *s->bands);
    if (!s->bands) {
        w->l.failed = true;
        return 1;
    }
    s->n_bands = nb;
    for (uint32_t i = 0; i < nb; i++)
        ft_meter_band_stats(mt, i, &s->bands[i].packet_count, &s->bands[i].byte_count);
    return 0;
}

enum ft_err
ofa_mp_meter(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct walk w = {.l = {.item_size = sizeof(struct ofa_meter_stats),
                           .attach = attach_meter_stats,
                           .release = release_meter_stats}};
    ofa_fold_counters(c->agent);
    w.now = ofa_now_ns();
    int rc = ft_pipeline_meters_foreach(c->agent->p, m->u.mp.u.meter_id, meter_stats_visit, &w);
    return ofa_mp_list_reply(c, m, &w.l, rc);
}

static void
attach_meter_config(struct ofa_msg *r, void *items)
{
    r->u.mp.u.meter_configs = items;
}

static void
release_meter_config(void *item)
{
    free(((struct ofa_meter_config *)item)->bands);
}

static int
meter_config_visit(void *aux, const struct ft_meter *mt)
{
    struct walk *w = aux;
    struct ofa_meter_config *mc = ofa_mp_list_add(&w->l);
    if (!mc)
        return 1;
    mc->flags = ft_meter_flags(mt);
    mc->meter_id = ft_meter_id(mt);
    uint32_t nb = ft_meter_n_bands(mt);
    mc->bands = calloc(nb ? nb : 1, sizeof *mc->bands);
    if (!mc->bands) {
        w->l.failed = true;
        return 1;
    }
    mc->n_bands = nb;
    for (uint32_t i = 0; i < nb; i++)
        mc->bands[i] = *ft_meter_band(mt, i);
    return 0;
}

enum ft_err
ofa_mp_meter_config(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct walk w = {.l = {.item_size = sizeof(struct ofa_meter_config),
                           .attach = attach_meter_config,
                           .release = release_meter_config}};
    int rc = ft_pipeline_meters_foreach(c->agent->p, m->u.mp.u.meter_id, meter_config_visit, &w);
    return ofa_mp_list_reply(c, m, &w.l, rc);
}

enum ft_err
ofa_mp_meter_features(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_msg r;
    ofa_mp_reply_init(&r, m);
    ft_pipeline_meter_features(c->agent->p, &r.u.mp.u.meter_features);
    return ofa_conn_send(c, &r) ? OFA_ERR_NOMEM : FT_OK;
}
