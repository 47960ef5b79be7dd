/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The port family: ofp_port, PORT_STATUS, PORT_MOD, port and queue
 * statistics, and QUEUE_GET_CONFIG.
 *
 *   ofp_port          port_no@0 pad(4) hw_addr@8 pad(2) name@16[16]
 *                     config@32 state@36 curr@40 advertised@44
 *                     supported@48 peer@52 curr_speed@56 max_speed@60
 *   ofp_port_status   reason@8 pad(7) desc@16
 *   ofp_port_mod      port_no@8 pad(4) hw_addr@16 pad(2) config@24
 *                     mask@28 advertise@32 pad(4)
 *   ofp_port_stats    port_no@0 pad(4) 12 counters@8.. duration@104,108
 *   ofp_queue_stats   port_no@0 queue_id@4 tx_bytes@8 tx_packets@16
 *                     tx_errors@24 duration@32,36
 *   queue_get_config  request: port@8 pad(4); reply: port@8 pad(4) queues@16
 *   ofp_packet_queue  queue_id@0 port@4 len@8 pad(6) properties@16
 *   ofp_queue_prop_*  property@0 len@2 pad(4), MIN/MAX_RATE: rate@8 pad(6)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofa_wire.h"

enum ft_err
ofa_port_decode(const uint8_t *p, struct ofa_port *port)
{
    memset(port, 0, sizeof *port);
    port->port_no = ft_rd32(p);
    memcpy(port->hw_addr, p + 8, 6);
    ofa_str_from_wire(port->name, p + 16, OFA_PORT_NAME_LEN);
    port->config = ft_rd32(p + 32);
    port->state = ft_rd32(p + 36);
    port->curr = ft_rd32(p + 40);
    port->advertised = ft_rd32(p + 44);
    port->supported = ft_rd32(p + 48);
    port->peer = ft_rd32(p + 52);
    port->curr_speed = ft_rd32(p + 56);
    port->max_speed = ft_rd32(p + 60);
    return FT_OK;
}

void
ofa_port_encode(struct ofa_buf *b, const struct ofa_port *port)
{
    ofa_buf_put_be32(b, port->port_no);
    ofa_buf_put_zeros(b, 4);
    ofa_buf_put_bytes(b, port->hw_addr, 6);
    ofa_buf_put_zeros(b, 2);
    ofa_str_to_wire(b, port->name, OFA_PORT_NAME_LEN);
    ofa_buf_put_be32(b, port->config);
    ofa_buf_put_be32(b, port->state);
    ofa_buf_put_be32(b, port->curr);
    ofa_buf_put_be32(b, port->advertised);
    ofa_buf_put_be32(b, port->supported);
    ofa_buf_put_be32(b, port->peer);
    ofa_buf_put_be32(b, port->curr_speed);
    ofa_buf_put_be32(b, port->max_speed);
}

enum ft_err
ofa_dec_port_status(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    if (len != OFP_PORT_STATUS_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    m->u.port_status.reason = msg[8];
    return ofa_port_decode(msg + 16, &m->u.port_status.port);
}

int
ofa_enc_port_status(struct ofa_buf *b, const struct ofa_msg *m)
{
    ofa_buf_put_u8(b, m->u.port_status.reason);
    ofa_buf_put_zeros(b, 7);
    ofa_port_encode(b, &m->u.port_status.port);
    return 0;
}

enum ft_err
ofa_dec_port_mod(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ofa_port_mod *pm = &m->u.port_mod;
    if (len != OFP_PORT_MOD_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    pm->port_no = ft_rd32(msg + 8);
    memcpy(pm->hw_addr, msg + 16, 6);
    pm->config = ft_rd32(msg + 24);
    pm->mask = ft_rd32(msg + 28);
    pm->advertise = ft_rd32(msg + 32);
    return FT_OK;
}

int
ofa_enc_port_mod(struct ofa_buf *b, const struct ofa_msg *m)
{
    const struct ofa_port_mod *pm = &m->u.port_mod;
    ofa_buf_put_be32(b, pm->port_no);
    ofa_buf_put_zeros(b, 4);
    ofa_buf_put_bytes(b, pm->hw_addr, 6);
    ofa_buf_put_zeros(b, 2);
    ofa_buf_put_be32(b, pm->config);
    ofa_buf_put_be32(b, pm->mask);
    ofa_buf_put_be32(b, pm->advertise);
    ofa_buf_put_zeros(b, 4);
    return 0;
}

void
ofa_port_stats_decode(const uint8_t *p, struct ofa_port_stats *ps)
{
    uint64_t *c[12] = {&ps->rx_packets,   &ps->tx_packets,  &ps->rx_bytes,   &ps->tx_bytes,
                       &ps->rx_dropped,   &ps->tx_dropped,  &ps->rx_errors,  &ps->tx_errors,
                       &ps->rx_frame_err, &ps->rx_over_err, &ps->rx_crc_err, &ps->collisions};
    memset(ps, 0, sizeof *ps);
    ps->port_no = ft_rd32(p);
    for (int i = 0; i < 12; i++)
        *c[i] = ft_rd64(p + 8 + 8 * i);
    ps->duration_sec = ft_rd32(p + 104);
    ps->duration_nsec = ft_rd32(p + 108);
}

void
ofa_port_stats_encode(struct ofa_buf *b, const struct ofa_port_stats *ps)
{
    const uint64_t c[12] = {ps->rx_packets,   ps->tx_packets,  ps->rx_bytes,   ps->tx_bytes,
                            ps->rx_dropped,   ps->tx_dropped,  ps->rx_errors,  ps->tx_errors,
                            ps->rx_frame_err, ps->rx_over_err, ps->rx_crc_err, ps->collisions};
    ofa_buf_put_be32(b, ps->port_no);
    ofa_buf_put_zeros(b, 4);
    for (int i = 0; i < 12; i++)
        ofa_buf_put_be64(b, c[i]);
    ofa_buf_put_be32(b, ps->duration_sec);
    ofa_buf_put_be32(b, ps->duration_nsec);
}

void
ofa_queue_stats_decode(const uint8_t *p, struct ofa_queue_stats *qs)
{
    memset(qs, 0, sizeof *qs);
    qs->port_no = ft_rd32(p);
    qs->queue_id = ft_rd32(p + 4);
    qs->tx_bytes = ft_rd64(p + 8);
    qs->tx_packets = ft_rd64(p + 16);
    qs->tx_errors = ft_rd64(p + 24);
    qs->duration_sec = ft_rd32(p + 32);
    qs->duration_nsec = ft_rd32(p + 36);
}

void
ofa_queue_stats_encode(struct ofa_buf *b, const struct ofa_queue_stats *qs)
{
    ofa_buf_put_be32(b, qs->port_no);
    ofa_buf_put_be32(b, qs->queue_id);
    ofa_buf_put_be64(b, qs->tx_bytes);
    ofa_buf_put_be64(b, qs->tx_packets);
    ofa_buf_put_be64(b, qs->tx_errors);
    ofa_buf_put_be32(b, qs->duration_sec);
    ofa_buf_put_be32(b, qs->duration_nsec);
}

/* ---- QUEUE_GET_CONFIG ------------------------------------------------------------------- */

enum ft_err
ofa_dec_queue_get_config_request(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    if (len != OFP_QUEUE_GET_CONFIG_REQUEST_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    m->u.queue_config.port = ft_rd32(msg + 8);
    return FT_OK;
}

int
ofa_enc_queue_get_config_request(struct ofa_buf *b, const struct ofa_msg *m)
{
    ofa_buf_put_be32(b, m->u.queue_config.port);
    ofa_buf_put_zeros(b, 4);
    return 0;
}

/* One queue's properties: MIN_RATE and MAX_RATE at most once each.
 * Experimenter properties cannot be represented and are refused. */
static enum ft_err
queue_props_decode(const uint8_t *p, size_t len, struct ofa_queue *q)
{
    q->min_rate = q->max_rate = OFA_QUEUE_RATE_NONE;
    while (len) {
        if (len < OFP_QUEUE_PROP_RATE_LEN)
            return FT_ERR_BAD_REQUEST_BAD_LEN;
        uint16_t type = ft_rd16(p);
        size_t plen = ft_rd16(p + 2);
        if (plen < 8 || plen % 8 || plen > len)
            return FT_ERR_BAD_REQUEST_BAD_LEN;
        uint32_t *rate = type == OFPQT_MIN_RATE   ? &q->min_rate
                         : type == OFPQT_MAX_RATE ? &q->max_rate
                                                  : NULL;
        if (type == OFPQT_EXPERIMENTER)
            return FT_ERR_BAD_REQUEST_BAD_EXPERIMENTER;
        if (!rate || *rate != OFA_QUEUE_RATE_NONE)
            return FT_ERR_BAD_REQUEST_BAD_TYPE;
        if (plen != OFP_QUEUE_PROP_RATE_LEN)
            return FT_ERR_BAD_REQUEST_BAD_LEN;
        *rate = ft_rd16(p + 8);
        p += plen;
        len -= plen;
    }
    return FT_OK;
}

enum ft_err
ofa_dec_queue_get_config_reply(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ofa_queue_config *qc = &m->u.queue_config;
    if (len < OFP_QUEUE_GET_CONFIG_REPLY_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    qc->port = ft_rd32(msg + 8);
    size_t count = 0;
    for (size_t ofs = OFP_QUEUE_GET_CONFIG_REPLY_LEN; ofs < len; count++) {
        if (len - ofs < OFP_PACKET_QUEUE_LEN)
            return FT_ERR_BAD_REQUEST_BAD_LEN;
        size_t qlen = ft_rd16(msg + ofs + 8);
        if (qlen < OFP_PACKET_QUEUE_LEN || qlen % 8 || qlen > len - ofs)
            return FT_ERR_BAD_REQUEST_BAD_LEN;
        ofs += qlen;
    }
    if (!count)
        return FT_OK;
    qc->queues = calloc(count, sizeof *qc->queues);
    if (!qc->queues)
        return OFA_ERR_NOMEM;
    const uint8_t *p = msg + OFP_QUEUE_GET_CONFIG_REPLY_LEN;
    for (size_t i = 0; i < count; i++) {
        size_t qlen = ft_rd16(p + 8);
        qc->queues[i].queue_id = ft_rd32(p);
        qc->queues[i].port = ft_rd32(p + 4);
        enum ft_err err = queue_props_decode(p + OFP_PACKET_QUEUE_LEN, qlen - OFP_PACKET_QUEUE_LEN,
                                             &qc->queues[i]);
        if (err) {
            free(qc->queues);
            qc->queues = NULL;
            return err;
        }
        p += qlen;
    }
    qc->n_queues = count;
    return FT_OK;
}

static void
rate_prop(struct ofa_buf *b, uint16_t type, uint32_t rate)
{
    if (rate == OFA_QUEUE_RATE_NONE)
        return;
    ofa_buf_put_be16(b, type);
    ofa_buf_put_be16(b, OFP_QUEUE_PROP_RATE_LEN);
    ofa_buf_put_zeros(b, 4);
    ofa_buf_put_be16(b, (uint16_t)rate);
    ofa_buf_put_zeros(b, 6);
}

int
ofa_enc_queue_get_config_reply(struct ofa_buf *b, const struct ofa_msg *m)
{
    const struct ofa_queue_config *qc = &m->u.queue_config;
    ofa_buf_put_be32(b, qc->port);
    ofa_buf_put_zeros(b, 4);
    for (size_t i = 0; i < qc->n_queues; i++) {
        const struct ofa_queue *q = &qc->queues[i];
        if ((q->min_rate > UINT16_MAX && q->min_rate != OFA_QUEUE_RATE_NONE) ||
            (q->max_rate > UINT16_MAX && q->max_rate != OFA_QUEUE_RATE_NONE))
            return -EINVAL;
        size_t start = b->len;
        ofa_buf_put_be32(b, q->queue_id);
        ofa_buf_put_be32(b, q->port);
        ofa_buf_put_be16(b, 0);
        ofa_buf_put_zeros(b, 6);
        rate_prop(b, OFPQT_MIN_RATE, q->min_rate);
        rate_prop(b, OFPQT_MAX_RATE, q->max_rate);
        ofa_buf_set_be16(b, start + 8, (uint16_t)(b->len - start));
    }
    return 0;
}
