/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PORT_STATS, PORT_DESC and QUEUE statistics, from the dataplane. No
 * port has queues, so QUEUE replies are empty (or name the bad port or
 * queue).
 */
#include <stdlib.h>

#include "ofa_handler_int.h"

#define MAX_PORTS 1024

enum ft_err
ofa_mp_port_stats(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_agent *a = c->agent;
    uint32_t want = m->u.mp.u.port_no;
    struct dp_port_info *pi = calloc(MAX_PORTS, sizeof *pi);
    struct ofa_port_stats *ps = calloc(MAX_PORTS, sizeof *ps);
    if (!pi || !ps) {
        free(pi);
        free(ps);
        return OFA_ERR_NOMEM;
    }
    size_t n = dp_ports(a->dp, pi, MAX_PORTS), k = 0;
    if (n > MAX_PORTS)
        n = MAX_PORTS;
    for (size_t i = 0; i < n; i++) {
        if (want != FT_PORT_ANY && pi[i].port_no != want)
            continue;
        struct dp_port_stats st;
        if (dp_port_stats(a->dp, pi[i].port_no, &st))
            continue;
        struct ofa_port_stats *s = &ps[k++];
        s->port_no = pi[i].port_no;
        s->rx_packets = st.rx_packets;
        s->tx_packets = st.tx_packets;
        s->rx_bytes = st.rx_bytes;
        s->tx_bytes = st.tx_bytes;
        s->rx_dropped = st.rx_dropped;
        s->tx_dropped = st.tx_dropped;
        s->rx_errors = st.rx_errors;
        s->tx_errors = st.tx_errors;
        s->rx_frame_err = st.rx_frame_err;
        s->rx_over_err = st.rx_over_err;
        s->rx_crc_err = st.rx_crc_err;
        s->collisions = st.collisions;
        ofa_duration(0, st.duration_ns, &s->duration_sec, &s->duration_nsec);
    }
    struct ofa_msg r;
    ofa_mp_reply_init(&r, m);
    r.u.mp.n = k;
    r.u.mp.u.port_stats = ps;
    ofa_conn_send(c, &r);
    free(pi);
    free(ps);
    return FT_OK;
}

enum ft_err
ofa_mp_port_desc(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct dp_port_info *pi = calloc(MAX_PORTS, sizeof *pi);
    struct ofa_port *ports = calloc(MAX_PORTS, sizeof *ports);
    if (!pi || !ports) {
        free(pi);
        free(ports);
        return OFA_ERR_NOMEM;
    }
    size_t n = dp_ports(c->agent->dp, pi, MAX_PORTS);
    if (n > MAX_PORTS)
        n = MAX_PORTS;
    for (size_t i = 0; i < n; i++)
        ofa_port_from_dp(&pi[i], &ports[i]);
    struct ofa_msg r;
    ofa_mp_reply_init(&r, m);
    r.u.mp.n = n;
    r.u.mp.u.ports = ports;
    ofa_conn_send(c, &r);
    free(pi);
    free(ports);
    return FT_OK;
}

enum ft_err
ofa_mp_queue(struct ofa_conn *c, const struct ofa_msg *m)
{
    uint32_t port = m->u.mp.u.queue_req.port_no;
    uint32_t queue = m->u.mp.u.queue_req.queue_id;
    struct dp_port_info pi;
    if (port != FT_PORT_ANY && (port > FT_PORT_MAX || dp_port_get(c->agent->dp, port, &pi)))
        return FT_ERR_QUEUE_OP_FAILED_BAD_PORT;
    if (queue != FT_QUEUE_ALL)
        return FT_ERR_QUEUE_OP_FAILED_BAD_QUEUE;
    struct ofa_msg r;
    ofa_mp_reply_init(&r, m);
    ofa_conn_send(c, &r);
    return FT_OK;
}
