/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_rx.c — the RX role: find the stamp in each received frame, count the
 * packets of this run per flow, detect duplicates and reordering per flow
 * (a switch keeps order only within a flow), and add each latency to a
 * fixed histogram. Nothing here allocates.
 */
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "pg_lcore.h"

void
pg_rx_init(struct pg_rx *rx)
{
    memset(rx, 0, sizeof *rx);
    pg_hist_init(&rx->lat);
}

static inline uint16_t
pg_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

int
pg_rx_stamp_offset(const uint8_t *frame, uint32_t have, uint32_t len)
{
    uint32_t off = 12;
    if (have < off + 2)
        return -1;
    uint16_t type = pg_get16(frame + off);
    for (int tags = 0; tags < 2; tags++) {
        if (type != RTE_ETHER_TYPE_VLAN && type != RTE_ETHER_TYPE_QINQ)
            break;
        off += 4;
        if (have < off + 2)
            return -1;
        type = pg_get16(frame + off);
    }
    off += 2;
    if (type != RTE_ETHER_TYPE_IPV4 || have < off + 20 || (frame[off] >> 4) != 4)
        return -1;
    uint32_t ihl = (frame[off] & 0xfu) * 4u;
    uint32_t tot = pg_get16(frame + off + 2);
    if (ihl < 20 || tot < ihl + 8 + PG_STAMP_LEN || off + tot > len)
        return -1;
    return (int)(off + tot - PG_STAMP_LEN);
}

/* Sequence numbers are 24-bit serials: "ahead" means less than half the
 * space ahead of the next expected one. */
static inline void
pg_rx_order(struct pg_rx *rx, struct pg_rx_flow *f, uint32_t seq)
{
    if (f->pkts == 0) {
        f->next = (seq + 1) & PG_SEQ_MASK;
        f->window = 1;
        return;
    }
    uint32_t ahead = (seq - f->next) & PG_SEQ_MASK;
    if (ahead < (PG_SEQ_MASK >> 1)) {
        /* New highest; a gap is loss or reordering, told apart later. */
        uint32_t shift = ahead + 1;
        f->window = shift >= 64 ? 1 : (f->window << shift) | 1;
        f->next = (seq + 1) & PG_SEQ_MASK;
        return;
    }
    uint32_t back = (f->next - 1 - seq) & PG_SEQ_MASK;
    if (back < 64) {
        uint64_t bit = UINT64_C(1) << back;
        if (f->window & bit) {
            rx->dup++;
            return;
        }
        f->window |= bit;
    }
    /* Older than the window: counted as late, never as a duplicate. */
    rx->ooo++;
}

void
pg_rx_account(struct pg_rx *rx, const uint8_t *stamp, uint32_t frame_bytes, uint64_t now)
{
    struct pg_stamp s;
    if (!stamp || !pg_stamp_decode(stamp, &s)) {
        rx->foreign++;
        return;
    }
    if (s.run != rx->run) {
        if (s.run == (uint8_t)(rx->run ^ PG_RUN_WARMUP))
            rx->warm++;
        else
            rx->foreign++;
        return;
    }
    if (s.flow >= rx->nflows) {
        rx->foreign++;
        return;
    }
    struct pg_rx_flow *f = &rx->flows[s.flow];
    pg_rx_order(rx, f, s.seq);
    f->pkts++;
    rx->pkts++;
    rx->bytes += frame_bytes;
    uint64_t lat = (now - s.tsc) & PG_TSC_MASK;
    if (lat > PG_TSC_MASK / 2) {
        /* Negative: the TX core's TSC runs ahead of ours (virtual machines
         * do not keep them in step). No latency to tell. */
        rx->tsc_behind++;
        return;
    }
    pg_hist_add(&rx->lat, lat);
}

/* Whether the drain is over; called after every poll (one atomic load
 * while TX runs). */
static bool
pg_rx_over(struct pg_rx *rx, uint64_t now)
{
    struct pg_ctl *ctl = rx->ctl;
    int stop = __atomic_load_n(&ctl->stop, __ATOMIC_RELAXED);
    if (stop == PG_ABORT)
        return true;
    if (!rx->tx_done) {
        if (__atomic_load_n(&ctl->tx_running, __ATOMIC_ACQUIRE) != 0)
            return false;
        rx->tx_done = true;
        rx->t_drain = now;
        rx->tx_total = __atomic_load_n(&ctl->tx_total, __ATOMIC_RELAXED);
    }
    if (now - rx->t_drain >= ctl->drain_cycles)
        return true;
    uint64_t back = 0;
    for (uint32_t i = 0; i < ctl->nrx; i++)
        back += __atomic_load_n(&ctl->rx[i]->unique, __ATOMIC_RELAXED);
    return back >= rx->tx_total;
}

bool
pg_rx_poll(struct pg_rx *rx)
{
    struct rte_mbuf *m[PG_BURST_MAX];
    uint64_t t0 = rte_rdtsc();
    uint16_t q = rx->cur_queue;
    if (rx->queue_step && rx->port_queues > rx->queue_step) {
        uint16_t next = (uint16_t)(q + rx->queue_step);
        rx->cur_queue = next < rx->port_queues ? next : rx->queue;
    }
    uint16_t n = rte_eth_rx_burst(rx->port, q, m, rx->burst);
    if (n == 0)
        return !pg_rx_over(rx, t0);

    uint64_t now = rte_rdtsc();
    uint64_t before = rx->pkts;
    rte_prefetch0(rte_pktmbuf_mtod(m[0], void *));
    for (uint16_t i = 0; i < n; i++) {
        if (i + 1 < n)
            rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
        const uint8_t *d = rte_pktmbuf_mtod(m[i], const uint8_t *);
        uint32_t len = rte_pktmbuf_pkt_len(m[i]);
        const uint8_t *stamp = NULL;
        uint8_t copy[PG_STAMP_LEN];
        int off = pg_rx_stamp_offset(d, rte_pktmbuf_data_len(m[i]), len);
        if (off >= 0)
            /* Direct unless the stamp lies in a later segment. */
            stamp = rte_pktmbuf_read(m[i], (uint32_t)off, PG_STAMP_LEN, copy);
        pg_rx_account(rx, stamp, len + RTE_ETHER_CRC_LEN, now);
    }
    rte_pktmbuf_free_bulk(m, n);
    if (rx->pkts != before) {
        rx->busy_cycles += rte_rdtsc() - t0;
        rx->busy_pkts += n;
        __atomic_store_n(&rx->unique, rx->pkts - rx->dup, __ATOMIC_RELAXED);
    }
    return !pg_rx_over(rx, now);
}

int
pg_rx_main(void *arg)
{
    struct pg_rx *rx = arg;
    while (pg_rx_poll(rx))
        ;
    return 0;
}
