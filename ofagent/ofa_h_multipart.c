/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MULTIPART_REQUEST dispatch (requests arrive reassembled, see
 * ofa_handler.c), the DESC reply and helpers shared by the multipart
 * files. Replies are split under 64 KiB by the encoder.
 */
#include <stdio.h>
#include <string.h>

#include "ofa_handler_int.h"

void
ofa_mp_reply_init(struct ofa_msg *r, const struct ofa_msg *req)
{
    memset(r, 0, sizeof *r);
    r->type = OFA_MULTIPART_REPLY;
    r->xid = req->xid;
    r->u.mp.type = req->u.mp.type;
}

void
ofa_duration(uint64_t created_ns, uint64_t now_ns, uint32_t *sec, uint32_t *nsec)
{
    uint64_t d = now_ns > created_ns ? now_ns - created_ns : 0;
    uint64_t s = d / 1000000000ull;
    *sec = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    *nsec = (uint32_t)(d % 1000000000ull);
}

void
ofa_fold_counters(struct ofa_agent *a)
{
    int rc = dp_fold_counters(a->dp);
    if (rc) /* A stuck worker: what it holds is counted at its next fold. */
        ofa_log(a, "fold counters: %s", strerror(-rc));
}

void *
ofa_mp_list_add(struct ofa_mp_list *l)
{
    void *it = ft_vec_add(&l->items, l->item_size);
    if (!it)
        l->failed = true;
    return it;
}

enum ft_err
ofa_mp_list_reply(struct ofa_conn *c, const struct ofa_msg *req, struct ofa_mp_list *l,
                  int foreach_rc)
{
    bool ok = foreach_rc >= 0 && !l->failed;
    if (ok) {
        struct ofa_msg r;
        ofa_mp_reply_init(&r, req);
        r.u.mp.n = l->items.n;
        l->attach(&r, l->items.data);
        ok = ofa_conn_send(c, &r) == 0;
    }
    for (size_t i = 0; l->release && i < l->items.n; i++)
        l->release((char *)l->items.data + i * l->item_size);
    ft_vec_free(&l->items);
    return ok ? FT_OK : OFA_ERR_NOMEM;
}

enum ft_err
ofa_mp_desc(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_msg r;
    ofa_mp_reply_init(&r, m);
    struct ofa_desc *d = &r.u.mp.u.desc;
    snprintf(d->mfr_desc, sizeof d->mfr_desc, "ofswitch project");
    snprintf(d->hw_desc, sizeof d->hw_desc, "software switch (DPDK dataplane)");
    snprintf(d->sw_desc, sizeof d->sw_desc, "ofswitch 0.1.0");
    snprintf(d->serial_num, sizeof d->serial_num, "None");
    snprintf(d->dp_desc, sizeof d->dp_desc, "%s", c->agent->dp_desc);
    ofa_conn_send(c, &r);
    return FT_OK;
}

enum ft_err
ofa_h_multipart(struct ofa_conn *c, const struct ofa_msg *m)
{
    switch (m->u.mp.type) {
    case OFA_MP_DESC:
        return ofa_mp_desc(c, m);
    case OFA_MP_FLOW:
        return ofa_mp_flow(c, m);
    case OFA_MP_AGGREGATE:
        return ofa_mp_aggregate(c, m);
    case OFA_MP_TABLE:
        return ofa_mp_table(c, m);
    case OFA_MP_PORT_STATS:
        return ofa_mp_port_stats(c, m);
    case OFA_MP_QUEUE:
        return ofa_mp_queue(c, m);
    case OFA_MP_GROUP:
        return ofa_mp_group(c, m);
    case OFA_MP_GROUP_DESC:
        return ofa_mp_group_desc(c, m);
    case OFA_MP_GROUP_FEATURES:
        return ofa_mp_group_features(c, m);
    case OFA_MP_METER:
        return ofa_mp_meter(c, m);
    case OFA_MP_METER_CONFIG:
        return ofa_mp_meter_config(c, m);
    case OFA_MP_METER_FEATURES:
        return ofa_mp_meter_features(c, m);
    case OFA_MP_TABLE_FEATURES:
        return ofa_mp_table_features(c, m);
    case OFA_MP_PORT_DESC:
        return ofa_mp_port_desc(c, m);
    case OFA_MP_EXPERIMENTER:
        return FT_ERR_BAD_REQUEST_BAD_EXPERIMENTER;
    default:
        return FT_ERR_BAD_REQUEST_BAD_MULTIPART;
    }
}
