/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Switch configuration: FEATURES, GET_CONFIG/SET_CONFIG, TABLE_MOD and
 * QUEUE_GET_CONFIG.
 */
#include "ofa_handler_int.h"

/* OFPC_*: flow, table, port and group statistics. Not IP_REASM (refused),
 * not QUEUE_STATS (no queues), not PORT_BLOCKED (no STP). */
#define OFA_CAPABILITIES 0x0000000fu

/* OFPC_FRAG_MASK: the other bits of SET_CONFIG flags are unassigned. */
#define OFA_FRAG_MASK 0x0003u

enum ft_err
ofa_h_features(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_msg r = {.type = OFA_FEATURES_REPLY, .xid = m->xid};
    r.u.features.datapath_id = c->agent->datapath_id;
    r.u.features.n_buffers = 0; /* Packets are never buffered: packet-ins carry them whole. */
    r.u.features.n_tables = FT_N_TABLES;
    r.u.features.auxiliary_id = 0;
    r.u.features.capabilities = OFA_CAPABILITIES;
    ofa_conn_send(c, &r);
    return FT_OK;
}

enum ft_err
ofa_h_get_config(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_msg r = {.type = OFA_GET_CONFIG_REPLY, .xid = m->xid};
    r.u.config.flags = c->agent->frag_flags;
    r.u.config.miss_send_len = c->agent->miss_send_len;
    ofa_conn_send(c, &r);
    return FT_OK;
}

enum ft_err
ofa_h_set_config(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_agent *a = c->agent;
    uint16_t flags = m->u.config.flags;
    /* Reassembly is not implemented; FRAG_MASK (3) is no mode either. */
    if ((flags & ~OFA_FRAG_MASK) || (flags & OFA_FRAG_MASK) >= DP_FRAG_REASM)
        return FT_ERR_SWITCH_CONFIG_FAILED_BAD_FLAGS;
    a->frag_flags = flags;
    a->miss_send_len = m->u.config.miss_send_len;
    dp_set_config(a->dp, (enum dp_frag_mode)flags, a->miss_send_len);
    return FT_OK;
}

enum ft_err
ofa_h_table_mod(struct ofa_conn *c, const struct ofa_msg *m)
{
    (void)c;
    const struct ofa_table_mod *tm = &m->u.table_mod;
    if (tm->table_id >= FT_N_TABLES && tm->table_id != FT_TABLE_ALL)
        return FT_ERR_TABLE_MOD_FAILED_BAD_TABLE;
    /* OpenFlow 1.3 leaves only the deprecated miss bits (OFPTC_DEPRECATED_MASK),
     * which do nothing; anything else is not a 1.3 config. */
    if (tm->config & ~3u)
        return FT_ERR_TABLE_MOD_FAILED_BAD_CONFIG;
    return FT_OK;
}

enum ft_err
ofa_h_queue_get_config(struct ofa_conn *c, const struct ofa_msg *m)
{
    uint32_t port = m->u.queue_config.port;
    struct dp_port_info pi;
    if (port != FT_PORT_ANY && (port > FT_PORT_MAX || dp_port_get(c->agent->dp, port, &pi)))
        return FT_ERR_QUEUE_OP_FAILED_BAD_PORT;
    /* No port has queues configured. */
    struct ofa_msg r = {.type = OFA_QUEUE_GET_CONFIG_REPLY, .xid = m->xid};
    r.u.queue_config.port = port;
    ofa_conn_send(c, &r);
    return FT_OK;
}
