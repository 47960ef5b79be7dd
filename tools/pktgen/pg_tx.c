/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_tx.c — the TX role: walk this queue's flows in their fixed order,
 * build a burst, stamp it with one TSC read, send it.
 *
 * What the port does not take stays built and is offered first next time,
 * stamped again: no work is thrown away under backpressure, flows stay
 * evenly served, and no packet leaves with a stale timestamp.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "pg_lcore.h"

void
pg_tx_init(struct pg_tx *tx)
{
    memset(tx, 0, sizeof *tx);
}

/* Frees the packets still pending; `unsend` gives their sequence numbers
 * back to their flows so per-flow counts are what was sent. */
static void
pg_tx_drop_pending(struct pg_tx *tx, bool unsend)
{
    if (unsend)
        for (uint32_t i = 0; i < tx->npend; i++)
            tx->pend_flow[i]->sent--;
    rte_pktmbuf_free_bulk(tx->pend, tx->npend);
    tx->npend = 0;
}

static void
pg_tx_phase(struct pg_tx *tx, uint64_t now, bool measuring)
{
    tx->measuring = measuring;
    tx->t_phase = now;
    tx->phase_pkts = 0;
    tx->cursor = 0;
    pg_tx_drop_pending(tx, false);
    if (measuring) {
        tx->t_meas_start = now;
        /* Sequence numbers restart, so RX sees each flow from 0. */
        for (uint32_t i = 0; i < tx->nflows; i++)
            tx->flows[i].sent = 0;
    }
}

static void
pg_tx_finish(struct pg_tx *tx, uint64_t now)
{
    struct pg_ctl *ctl = tx->ctl;
    tx->t_end = now;
    pg_tx_drop_pending(tx, true);
    /* RX reads tx_total once it sees tx_running reach 0. */
    __atomic_fetch_add(&ctl->tx_total, tx->pkts, __ATOMIC_RELEASE);
    __atomic_fetch_sub(&ctl->tx_running, 1, __ATOMIC_RELEASE);
}

/* Appends n packets of the next flows to the pending ones. */
static uint32_t
pg_tx_build(struct pg_tx *tx, uint32_t n)
{
    const struct pg_tmpl *t = tx->tmpl;
    struct rte_mbuf **m = tx->pend + tx->npend;
    if (rte_pktmbuf_alloc_bulk(tx->pool, m, n) != 0) {
        tx->alloc_fail++;
        return 0;
    }
    uint32_t c = tx->cursor;
    for (uint32_t i = 0; i < n; i++) {
        struct pg_flow *f = &tx->flows[c];
        if (++c == tx->nflows)
            c = 0;
        tx->pend_flow[tx->npend + i] = f;
        tx->pend_seq[tx->npend + i] = (uint32_t)f->sent++;
        m[i]->data_len = (uint16_t)t->frame_len;
        m[i]->pkt_len = t->frame_len;
        pg_pkt_write(t, f, rte_pktmbuf_mtod(m[i], uint8_t *));
    }
    tx->cursor = c;
    tx->npend += n;
    return n;
}

bool
pg_tx_poll(struct pg_tx *tx)
{
    struct pg_ctl *ctl = tx->ctl;
    uint64_t now = rte_rdtsc();

    if (!tx->measuring && now >= ctl->t_warm_end)
        pg_tx_phase(tx, now, true);
    if (__atomic_load_n(&ctl->stop, __ATOMIC_RELAXED) != PG_RUN ||
        (ctl->t_meas_end && now >= ctl->t_meas_end)) {
        pg_tx_finish(tx, now);
        return false;
    }

    uint32_t n = tx->burst;
    if (tx->pkts_per_cycle > 0) {
        /* Credit since the phase began, not since the last poll: the rate is
         * exact over the run however the polls are spaced. */
        uint64_t due = (uint64_t)((double)(now - tx->t_phase) * tx->pkts_per_cycle);
        if (due <= tx->phase_pkts)
            return true;
        if (due - tx->phase_pkts < n)
            n = (uint32_t)(due - tx->phase_pkts);
    }
    uint32_t built = tx->npend < n ? pg_tx_build(tx, n - tx->npend) : 0;
    if (n > tx->npend)
        n = tx->npend;
    if (n == 0)
        return true;

    uint8_t run = tx->measuring ? tx->run : (uint8_t)(tx->run ^ PG_RUN_WARMUP);
    uint64_t tsc = rte_rdtsc();
    for (uint32_t i = 0; i < n; i++)
        pg_pkt_stamp(tx->tmpl, tx->pend_flow[i], rte_pktmbuf_mtod(tx->pend[i], uint8_t *), run,
                     tx->pend_seq[i], tsc);

    uint16_t sent = rte_eth_tx_burst(tx->port, tx->queue, tx->pend, (uint16_t)n);
    uint32_t left = tx->npend - sent;
    if (sent < n)
        tx->partial++;
    if (sent && left) {
        memmove(tx->pend, tx->pend + sent, left * sizeof tx->pend[0]);
        memmove(tx->pend_flow, tx->pend_flow + sent, left * sizeof tx->pend_flow[0]);
        memmove(tx->pend_seq, tx->pend_seq + sent, left * sizeof tx->pend_seq[0]);
    }
    tx->npend = left;
    tx->phase_pkts += sent;
    if (tx->measuring) {
        tx->pkts += sent;
        tx->bytes += (uint64_t)sent * tx->size;
        /* Building counts even if the port took nothing yet: that work is
         * not redone. Polls that only found the port full do not. */
        if (sent || built)
            tx->busy_cycles += rte_rdtsc() - now;
    } else {
        tx->warm_pkts += sent;
    }
    return true;
}

int
pg_tx_main(void *arg)
{
    struct pg_tx *tx = arg;
    pg_tx_phase(tx, tx->ctl->t_start, false);
    while (pg_tx_poll(tx))
        ;
    return 0;
}

int
pg_pair_main(void *arg)
{
    struct pg_pair *pair = arg;
    bool tx_live = true, rx_live = true;
    pg_tx_phase(pair->tx, pair->tx->ctl->t_start, false);
    while (tx_live || rx_live) {
        if (tx_live)
            tx_live = pg_tx_poll(pair->tx);
        if (rx_live)
            rx_live = pg_rx_poll(pair->rx);
    }
    return 0;
}
