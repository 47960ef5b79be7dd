/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The packet family: PACKET_OUT in, PACKET_IN out.
 */
#include <string.h>

#include "ft_walk.h"
#include "ofa_int.h"

#define ETH_HEADER_LEN 14

enum ft_err
ofa_h_packet_out(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_agent *a = c->agent;
    const struct ofa_packet_out *po = &m->u.packet_out;
    /* n_buffers is 0: no buffer id can be valid. */
    if (po->buffer_id != OFA_NO_BUFFER)
        return FT_ERR_BAD_REQUEST_BUFFER_UNKNOWN;
    enum ft_err err = ft_pipeline_check_packet_out(a->p, po->actions, po->n_actions, po->in_port);
    if (err)
        return err;
    /* Not even an Ethernet header: nothing the dataplane could send. */
    if (po->data_len < ETH_HEADER_LEN)
        return FT_ERR_BAD_REQUEST_BAD_PACKET;
    /* Output to TABLE and group actions must see every earlier flow and
     * group mod: publish them first (cheap when nothing is staged). */
    if (ofa_commit(a))
        return FT_ERR_BAD_REQUEST_EPERM;
    int rc = dp_packet_out(a->dp, po->in_port, po->actions, po->n_actions, po->data, po->data_len);
    if (rc) {
        ofa_log(a, "%s: packet-out failed: %s", c->peer, strerror(-rc));
        return FT_ERR_BAD_REQUEST_EPERM;
    }
    return FT_OK;
}

/* The PACKET_IN message for one dataplane packet-in. */
static void
packet_in_msg(const struct dp_packet_in *pin, struct ofa_msg *m)
{
    memset(m, 0, sizeof *m);
    m->type = OFA_PACKET_IN;
    struct ofa_packet_in *pi = &m->u.packet_in;
    pi->buffer_id = OFA_NO_BUFFER;
    pi->total_len = pin->total_len > UINT16_MAX ? UINT16_MAX : (uint16_t)pin->total_len;
    pi->reason = pin->reason;
    pi->table_id = pin->table_id;
    pi->cookie = pin->cookie;
    struct ft_match_entry *e = pi->match;
    uint8_t n = 0;
    e[n].field = FT_F_IN_PORT;
    e[n++].value.u32 = pin->in_port;
    if (pin->in_phy_port && pin->in_phy_port != pin->in_port) {
        e[n].field = FT_F_IN_PHY_PORT;
        e[n++].value.u32 = pin->in_phy_port;
    }
    if (pin->metadata) {
        e[n].field = FT_F_METADATA;
        e[n++].value.u64 = pin->metadata;
    }
    if (pin->tunnel_id) {
        e[n].field = FT_F_TUNNEL_ID;
        e[n++].value.u64 = pin->tunnel_id;
    }
    pi->n_match = n;
    pi->data = pin->data;
    pi->data_len = pin->data_len;
}

void
ofa_send_packet_ins(struct ofa_agent *a)
{
    struct dp_packet_in *pins[32];
    /* Bounded per iteration so a packet-in storm cannot starve the
     * controllers' requests. */
    uint64_t now = ofa_now_ns();
    for (int round = 0; round < 32; round++) {
        size_t n = dp_packet_in_pop(a->dp, pins, 32);
        if (!n)
            break;
        uint64_t v = ft_pipeline_version(a->p);
        for (size_t i = 0; i < n && i < 32; i++) {
            struct dp_packet_in *pin = pins[i];
            bool muted = pin->in_port <= FT_PORT_MAX &&
                         (ft_pipeline_port_config(a->p, v, pin->in_port) & FT_PC_NO_PACKET_IN);
            struct ofa_msg m;
            bool built = false;
            for (struct ofa_conn *c = a->conns; c && !muted; c = c->next) {
                if (c->state != OFA_CS_ACTIVE || !ofa_async_wants(c, 0, pin->reason) ||
                    !ofa_conn_admit_packet_in(c, now))
                    continue;
                if (!built) {
                    packet_in_msg(pin, &m);
                    built = true;
                }
                ofa_conn_send(c, &m);
            }
            dp_packet_in_free(a->dp, pin);
        }
        if (n < 32)
            break;
    }
}
