/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packet-ins (worker rings -> agent) and packet-outs (agent -> its own TX
 * queues). A worker queues a packet-in as an mbuf copy, cut to max_len,
 * with struct dp_pin_meta in the mbuf's private area: no allocation on
 * the fast path beyond the packet-in pool. The agent turns it into a
 * malloc'ed struct dp_packet_in when it pops it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "dp_exec.h"
#include "ft_alloc.h"

/* Turn packet-in mbufs into struct dp_packet_in at out[n...] and free the
 * mbufs. Returns the new n. */
static size_t
pins_from_mbufs(struct rte_mbuf **ms, unsigned got, struct dp_packet_in **out, size_t n)
{
    for (unsigned i = 0; i < got; i++) {
        struct rte_mbuf *m = ms[i];
        const struct dp_pin_meta *pm = rte_mbuf_to_priv(m);
        uint32_t len = rte_pktmbuf_pkt_len(m);
        struct dp_packet_in *pin = ft_malloc(sizeof *pin + len);
        if (pin) {
            *pin = (struct dp_packet_in){
                .reason = pm->reason,
                .table_id = pm->table_id,
                .max_len = pm->max_len,
                .total_len = pm->total_len,
                .cookie = pm->cookie,
                .in_port = pm->in_port,
                .in_phy_port = pm->in_port,
                .metadata = pm->metadata,
                .tunnel_id = pm->tunnel_id,
                .data_len = len,
            };
            const void *d = rte_pktmbuf_read(m, 0, len, pin->data);
            if (d != pin->data)
                memcpy(pin->data, d, len);
            out[n++] = pin;
        }
        rte_pktmbuf_free(m);
    }
    return n;
}

size_t
dp_packet_in_pop(struct dp *dp, struct dp_packet_in **out, size_t max)
{
    size_t n = 0;
    unsigned n_rings = dp->n_workers + 1;
    /* Round robin over the rings, so a busy worker cannot starve others. */
    for (unsigned k = 0; k < n_rings && n < max; k++) {
        unsigned r = (dp->pin_next + k) % n_rings;
        struct dp_worker *w = r < dp->n_workers ? dp->workers[r] : dp->agent;
        struct rte_mbuf *ms[32];
        unsigned got;
        do {
            unsigned want = max - n < 32 ? (unsigned)(max - n) : 32;
            got = want ? rte_ring_sc_dequeue_burst(w->pin_ring, (void **)ms, want, NULL) : 0;
            n = pins_from_mbufs(ms, got, out, n);
        } while (got);
    }
    dp->pin_next = (dp->pin_next + 1) % n_rings;
    return n;
}

void
dp_packet_in_free(struct dp *dp, struct dp_packet_in *pin)
{
    (void)dp;
    free(pin);
}

/* An mbuf (chain) holding len bytes of data. */
static struct rte_mbuf *
mbuf_from(struct rte_mempool *pool, const uint8_t *data, size_t len)
{
    struct rte_mbuf *head = rte_pktmbuf_alloc(pool), *last = head;
    if (!head)
        return NULL;
    for (size_t done = 0;;) {
        uint16_t room = rte_pktmbuf_tailroom(last);
        uint16_t n = (uint16_t)(len - done < room ? len - done : room);
        memcpy(rte_pktmbuf_mtod_offset(last, uint8_t *, last->data_len), data + done, n);
        last->data_len = (uint16_t)(last->data_len + n);
        head->pkt_len += n;
        done += n;
        if (done == len)
            return head;
        struct rte_mbuf *seg = rte_pktmbuf_alloc(pool);
        if (!seg) {
            rte_pktmbuf_free(head);
            return NULL;
        }
        last->next = seg;
        last = seg;
        head->nb_segs++;
    }
}

static int
packet_out(struct dp *dp, uint32_t in_port, const struct ft_action *actions, size_t n,
           const uint8_t *data, size_t len)
{
    struct dp_worker *a = dp->agent;
    a->snap = atomic_load_explicit(&dp->snap, memory_order_relaxed);
    a->now_ns = dp_clock_ns();
    a->meter_now = dp_meter_now(rte_rdtsc());
    if (len > UINT16_MAX)
        return -EINVAL;
    struct rte_mbuf *m = mbuf_from(dp->pool, data, len);
    if (!m)
        return -ENOMEM;
    struct ft_key *key = &a->keys[0];
    struct ft_layout *lay = &a->lays[0];
    const struct ft_port_meta meta = {.in_port = in_port, .in_phy_port = in_port};
    ft_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &meta, key, lay);
    int r = ft_walk_packet_out(dp->p, a->snap->version, key, actions, n, a->walk);
    if (r) {
        rte_pktmbuf_free(m);
        return r;
    }
    const struct dp_port_rt *in = dp_snap_port(a->snap, in_port);
    for (unsigned depth = 0;; depth++) {
        /* Output to TABLE walked the tables: count them like a worker would. */
        dp_count_walk(a, a->walk, (uint32_t)len);
        struct ft_cache_result prog = {
            .frag = {{a->walk->ops, a->walk->n_ops,
                      (uint16_t)ft_program_last_emitter(a->walk->ops, a->walk->n_ops)}},
            .n_frags = 1,
            .n_ops = a->walk->n_ops,
            .flags = a->walk->flags & FT_WALK_F_OVERFLOW};
        struct dp_recirc rc;
        if (!dp_exec_packet(a, in, in_port, m, key, lay, &prog, &rc))
            break;
        /* Recirculated: the walk goes on (no cache here) for the packet
         * parsed again. */
        m = rc.m;
        if (depth == DP_MAX_RECIRC) {
            dp_drop(a, DP_DROP_RECIRC_LIMIT, 1);
            rte_pktmbuf_free(m);
            break;
        }
        enum ft_parse_stop stop = dp_recirc_parse(&rc, in_port, key, lay);
        if (stop != FT_STOP_DONE) {
            dp_drop(a, (enum dp_drop)(DP_DROP_PARSE_TRUNC_L2 + stop - 1), 1);
            rte_pktmbuf_free(m);
            break;
        }
        struct ft_walk_cont cont = a->walk->cont; /* The walk's output is rewritten. */
        ft_walk_resume(dp->p, a->snap->version, key, &cont, a->walk);
    }
    dp_tx_flush_all(a);
    dp_stats_flush(a);
    return 0;
}

int
dp_packet_out(struct dp *dp, uint32_t in_port, const struct ft_action *actions, size_t n,
              const uint8_t *data, size_t len)
{
    dp_io_enter(dp); /* Its ports stay mapped (dp_port_maps.c). */
    int r = packet_out(dp, in_port, actions, n, data, len);
    dp_io_leave(dp);
    return r;
}
