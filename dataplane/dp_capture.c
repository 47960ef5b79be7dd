/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Port capture (ofswitch-ctl capture): while one port is captured, workers
 * copy every frame it receives (before any action touches it) and every
 * frame it sends (as it leaves) onto a ring the agent drains. Copies come
 * from the packet-in pool, so a busy capture can never take the buffers
 * forwarding needs; when that pool or the ring is full the copy is
 * dropped and counted, never the packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp_int.h"
#include "ft_alloc.h"

#define CAPTURE_RING 8192

/* In the copy's private area (the packet-in pool's, large enough). */
struct dp_cap_meta {
    uint64_t ns;
    uint32_t len;
    uint8_t dir; /* 0 received, 1 sent. */
};

_Static_assert(sizeof(struct dp_cap_meta) <= sizeof(struct dp_pin_meta),
               "capture metadata fits the packet-in pool's private area");

void
dp_capture_copy(struct dp_worker *w, struct rte_mbuf *m, uint8_t dir)
{
    const struct dp_snap *s = w->snap;
    struct rte_mbuf *c = rte_pktmbuf_copy(m, w->dp->pin_pool, 0, UINT32_MAX);
    if (!c) {
        dp_drop(w, DP_DROP_CAPTURE, 1);
        return;
    }
    struct dp_cap_meta *cm = rte_mbuf_to_priv(c);
    cm->ns = w->now_ns ? w->now_ns : dp_clock_ns();
    cm->len = rte_pktmbuf_pkt_len(m);
    cm->dir = dir;
    if (rte_ring_mp_enqueue(s->capture_ring, c)) {
        rte_pktmbuf_free(c);
        dp_drop(w, DP_DROP_CAPTURE, 1);
    }
}

static void
drain(struct dp *dp)
{
    struct rte_mbuf *m;
    while (dp->capture_ring && !rte_ring_sc_dequeue(dp->capture_ring, (void **)&m))
        rte_pktmbuf_free(m);
}

int
dp_capture_start(struct dp *dp, uint32_t port_no)
{
    const struct dp_port *p = dp_port_find(dp, port_no);
    if (!p)
        return -ENOENT;
    if (dp->capture_port)
        return -EBUSY;
    if (!dp->capture_ring) {
        dp->capture_ring =
            rte_ring_create("dp_capture", CAPTURE_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
        if (!dp->capture_ring)
            return -ENOMEM;
    }
    drain(dp);
    dp->capture_port = port_no;
    dp->dirty = true;
    return dp_publish(dp); /* Workers copy from their next burst on. */
}

void
dp_capture_stop(struct dp *dp)
{
    if (!dp->capture_port)
        return;
    dp->capture_port = 0;
    dp->dirty = true;
    dp_publish(dp); /* After it no worker enqueues any more. */
    drain(dp);
}

size_t
dp_capture_pop(struct dp *dp, struct dp_captured **out, size_t max)
{
    size_t n = 0;
    struct rte_mbuf *m;
    while (n < max && dp->capture_ring && !rte_ring_sc_dequeue(dp->capture_ring, (void **)&m)) {
        const struct dp_cap_meta *cm = rte_mbuf_to_priv(m);
        uint32_t caplen = rte_pktmbuf_pkt_len(m);
        struct dp_captured *c = ft_malloc(sizeof *c + caplen);
        if (c) {
            c->ns = cm->ns;
            c->len = cm->len;
            c->caplen = caplen;
            c->sent = cm->dir;
            const void *data = rte_pktmbuf_read(m, 0, caplen, c->data);
            if (data != c->data)
                memcpy(c->data, data, caplen);
            out[n++] = c;
        }
        rte_pktmbuf_free(m);
    }
    return n;
}

void
dp_capture_free(struct dp *dp, struct dp_captured *c)
{
    (void)dp;
    free(c);
}

void
dp_capture_destroy(struct dp *dp)
{
    drain(dp);
    rte_ring_free(dp->capture_ring);
    dp->capture_ring = NULL;
    dp->capture_port = 0;
}
