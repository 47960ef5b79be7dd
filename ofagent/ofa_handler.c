/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Message dispatch on an established connection: the role check (a slave
 * may not change the switch), decoding (with multipart reassembly), the
 * handler of the message's family, and the error reply carrying the
 * offending message's first 64 bytes. Also the trivial messages: echo,
 * barrier, experimenter.
 */
#include <string.h>

#include "ofa_handler_int.h"

/* Messages that change the switch's state: refused to a slave with
 * BAD_REQUEST/IS_SLAVE (OpenFlow 1.3.5 §6.3.5). */
static bool
is_write(uint8_t type)
{
    switch (type) {
    case OFA_FLOW_MOD:
    case OFA_GROUP_MOD:
    case OFA_PORT_MOD:
    case OFA_TABLE_MOD:
    case OFA_METER_MOD:
    case OFA_PACKET_OUT:
        return true;
    default:
        return false;
    }
}

bool
ofa_async_wants(const struct ofa_conn *c, int kind, unsigned reason)
{
    int i = c->role == OFA_ROLE_SLAVE;
    uint32_t mask = kind == 0   ? c->async.packet_in_mask[i]
                    : kind == 1 ? c->async.port_status_mask[i]
                                : c->async.flow_removed_mask[i];
    return reason < 32 && (mask >> reason) & 1;
}

static enum ft_err
h_barrier(struct ofa_conn *c, const struct ofa_msg *m)
{
    /* Every earlier message was applied; make it visible to the
     * dataplane before saying so. */
    if (ofa_commit(c->agent))
        return FT_ERR_BAD_REQUEST_EPERM;
    struct ofa_msg r = {.type = OFA_BARRIER_REPLY, .xid = m->xid};
    ofa_conn_send(c, &r);
    return FT_OK;
}

static enum ft_err
h_echo(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_msg r = {.type = OFA_ECHO_REPLY, .xid = m->xid};
    r.u.echo = m->u.echo;
    ofa_conn_send(c, &r);
    return FT_OK;
}

static enum ft_err
dispatch(struct ofa_conn *c, const struct ofa_msg *m)
{
    switch (m->type) {
    case OFA_HELLO:
        return FT_OK; /* A second HELLO is harmless. */
    case OFA_ERROR:
        ofa_log(c->agent, "%s: peer sent error %s (type %u code %u)", c->peer,
                ft_err_name(m->u.error.err), ft_err_type(m->u.error.err),
                ft_err_code(m->u.error.err));
        return FT_OK;
    case OFA_ECHO_REQUEST:
        return h_echo(c, m);
    case OFA_ECHO_REPLY:
        return FT_OK; /* Its arrival already reset the inactivity timer. */
    case OFA_EXPERIMENTER:
        return FT_ERR_BAD_REQUEST_BAD_EXPERIMENTER;
    case OFA_FEATURES_REQUEST:
        return ofa_h_features(c, m);
    case OFA_GET_CONFIG_REQUEST:
        return ofa_h_get_config(c, m);
    case OFA_SET_CONFIG:
        return ofa_h_set_config(c, m);
    case OFA_PACKET_OUT:
        return ofa_h_packet_out(c, m);
    case OFA_FLOW_MOD:
        return ofa_h_flow_mod(c, m);
    case OFA_GROUP_MOD:
        return ofa_h_group_mod(c, m);
    case OFA_PORT_MOD:
        return ofa_h_port_mod(c, m);
    case OFA_TABLE_MOD:
        return ofa_h_table_mod(c, m);
    case OFA_MULTIPART_REQUEST:
        return ofa_h_multipart(c, m);
    case OFA_BARRIER_REQUEST:
        return h_barrier(c, m);
    case OFA_QUEUE_GET_CONFIG_REQUEST:
        return ofa_h_queue_get_config(c, m);
    case OFA_ROLE_REQUEST:
        return ofa_h_role(c, m);
    case OFA_GET_ASYNC_REQUEST:
        return ofa_h_get_async(c, m);
    case OFA_SET_ASYNC:
        return ofa_h_set_async(c, m);
    case OFA_METER_MOD:
        return ofa_h_meter_mod(c, m);
    default:
        /* Replies and switch-to-controller messages are not requests. */
        return FT_ERR_BAD_REQUEST_BAD_TYPE;
    }
}

void
ofa_handle(struct ofa_conn *c, const uint8_t *raw, size_t len)
{
    struct ofa_header h;
    ofa_peek_header(raw, len, &h);
    struct ofa_msg m;
    enum ft_err err;
    memset(&m, 0, sizeof m);

    if (h.version != OFA_VERSION && h.type != OFA_HELLO) {
        err = FT_ERR_BAD_REQUEST_BAD_VERSION;
        goto reply;
    }
    if (c->role == OFA_ROLE_SLAVE && is_write(h.type)) {
        err = FT_ERR_BAD_REQUEST_IS_SLAVE;
        goto reply;
    }
    if (h.type == OFA_MULTIPART_REQUEST) {
        bool done;
        err = ofa_mp_reasm_feed(&c->reasm, raw, len, &m, &done);
        if (err || !done)
            goto reply;
        /* Setting table features changes the switch (spec §6.3.5). */
        if (c->role == OFA_ROLE_SLAVE && m.u.mp.type == OFA_MP_TABLE_FEATURES && m.u.mp.n) {
            err = FT_ERR_BAD_REQUEST_IS_SLAVE;
            goto reply;
        }
    } else {
        err = ofa_decode(raw, len, &m);
        if (err)
            goto reply;
    }
    err = dispatch(c, &m);
reply:
    if (err)
        ofa_conn_send_error(c, h.xid, err, raw, len);
    ofa_msg_free(&m);
}
