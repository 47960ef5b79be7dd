/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The port family: PORT_MOD in, PORT_STATUS out, and the mirror of the
 * dataplane's ports in the pipeline (liveness and config drive FLOOD,
 * fast-failover and NO_PACKET_IN).
 */
#include <errno.h>
#include <string.h>

#include "ofa_int.h"

/* OFPPC_* bits PORT_MOD may change. */
#define PORT_CONFIG_SUPPORTED (FT_PC_PORT_DOWN | FT_PC_NO_RECV | FT_PC_NO_FWD | FT_PC_NO_PACKET_IN)

void
ofa_port_from_dp(const struct dp_port_info *in, struct ofa_port *out)
{
    memset(out, 0, sizeof *out);
    out->port_no = in->port_no;
    memcpy(out->hw_addr, in->hw_addr, 6);
    memcpy(out->name, in->name,
           sizeof in->name < OFA_PORT_NAME_LEN ? sizeof in->name : OFA_PORT_NAME_LEN);
    out->name[OFA_PORT_NAME_LEN] = '\0';
    out->config = in->config;
    out->state = in->state;
    out->curr = in->curr;
    out->advertised = in->advertised;
    out->supported = in->supported;
    out->peer = in->peer;
    out->curr_speed = in->curr_speed;
    out->max_speed = in->max_speed;
}

static void
mirror_port(struct ofa_agent *a, const struct dp_port_info *pi)
{
    if (ft_pipeline_port_set(a->p, pi->port_no, !(pi->state & DP_PS_LINK_DOWN), pi->config))
        ofa_log(a, "port %u: out of memory", pi->port_no);
}

enum ft_err
ofa_h_port_mod(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_agent *a = c->agent;
    const struct ofa_port_mod *pm = &m->u.port_mod;
    struct dp_port_info pi;
    if (pm->port_no == 0 || pm->port_no > FT_PORT_MAX || dp_port_get(a->dp, pm->port_no, &pi))
        return FT_ERR_PORT_MOD_FAILED_BAD_PORT;
    if (memcmp(pm->hw_addr, pi.hw_addr, 6))
        return FT_ERR_PORT_MOD_FAILED_BAD_HW_ADDR;
    if (pm->mask & ~(uint32_t)PORT_CONFIG_SUPPORTED)
        return FT_ERR_PORT_MOD_FAILED_BAD_CONFIG;
    /* 0 leaves advertisement alone; otherwise only features the port has. */
    if (pm->advertise & ~pi.supported)
        return FT_ERR_PORT_MOD_FAILED_BAD_ADVERTISE;
    int rc = dp_port_mod(a->dp, pm->port_no, pm->hw_addr, pm->config, pm->mask);
    if (rc == -ENOENT)
        return FT_ERR_PORT_MOD_FAILED_BAD_PORT;
    if (rc == -EINVAL)
        return FT_ERR_PORT_MOD_FAILED_BAD_HW_ADDR;
    if (rc)
        return FT_ERR_PORT_MOD_FAILED_EPERM;
    /* The pipeline sees the new config with the next commit (a barrier
     * after this message included); PORT_STATUS follows from the event. */
    if (dp_port_get(a->dp, pm->port_no, &pi) == 0)
        mirror_port(a, &pi);
    return FT_OK;
}

void
ofa_send_port_status(struct ofa_agent *a)
{
    struct dp_port_event ev[16];
    bool changed = false;
    for (int round = 0; round < 64; round++) {
        size_t n = dp_port_events(a->dp, ev, 16);
        if (!n)
            break;
        for (size_t i = 0; i < n && i < 16; i++) {
            if (ev[i].reason == DP_PORT_DELETE)
                ft_pipeline_port_del(a->p, ev[i].port.port_no);
            else
                mirror_port(a, &ev[i].port);
            changed = true;
            struct ofa_msg m = {.type = OFA_PORT_STATUS};
            m.u.port_status.reason = ev[i].reason;
            ofa_port_from_dp(&ev[i].port, &m.u.port_status.port);
            for (struct ofa_conn *c = a->conns; c; c = c->next)
                if (c->state == OFA_CS_ACTIVE && ofa_async_wants(c, 1, ev[i].reason) &&
                    ofa_conn_admit_async(c))
                    ofa_conn_send(c, &m);
        }
    }
    if (changed)
        ofa_commit(a);
}
