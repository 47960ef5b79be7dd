/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The worker loop: quiescent state, snapshot, RX burst of 32 -> parse ->
 * classify -> execute -> TX buffers -> TX burst. Nothing here allocates
 * (beyond mbufs from their pools), locks (except a TX queue the device
 * could not give this worker alone) or logs: every drop is a counter.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dp_exec.h"
#include "dp_l2.h"
#include "ft_alloc.h"
#include "ft_proto.h"

uint64_t
dp_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The cache's clock for miss-path cycles (rte_rdtsc is inline only). */
static uint64_t
dp_tsc(void)
{
    return rte_rdtsc();
}

struct dp_worker *
dp_worker_new(struct dp *dp, unsigned idx, unsigned lcore, bool is_agent)
{
    int socket = (int)rte_lcore_to_socket_id(lcore);
    struct dp_worker *w = rte_zmalloc_socket("dp_worker", sizeof *w, RTE_CACHE_LINE_SIZE, socket);
    if (!w)
        return NULL;
    w->dp = dp;
    w->idx = idx;
    w->lcore = lcore;
    w->is_agent = is_agent;
    w->walk = rte_malloc_socket("dp_walk", sizeof *w->walk, RTE_CACHE_LINE_SIZE, socket);
    w->arena = rte_malloc_socket("dp_arena", DP_ARENA_OPS * sizeof(struct ft_op),
                                 RTE_CACHE_LINE_SIZE, socket);
    char name[RTE_RING_NAMESIZE];
    snprintf(name, sizeof name, "dp_pin_%u%s", idx, is_agent ? "a" : "");
    w->pin_ring =
        rte_ring_create(name, dp->cfg.pin_ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (!is_agent) {
        struct ft_cache_config cc = dp->cfg.cache;
        cc.cycles = dp_tsc;
        cc.stages = dp->stages; /* What the snapshots carry (dp_stages.c). */
        w->cache = ft_cache_create(dp->p, &cc);
    }
    if (!w->walk || !w->arena || !w->pin_ring || (!is_agent && !w->cache)) {
        dp_worker_free(w);
        return NULL;
    }
    return w;
}

void
dp_worker_free(struct dp_worker *w)
{
    if (!w)
        return;
    if (w->pin_ring) {
        struct rte_mbuf *m;
        while (!rte_ring_sc_dequeue(w->pin_ring, (void **)&m))
            rte_pktmbuf_free(m);
        rte_ring_free(w->pin_ring);
    }
    ft_cache_destroy(w->cache, dp_clock_ns());
    rte_free(w->walk);
    rte_free(w->arena);
    rte_free(w);
}

/* ---- TX ------------------------------------------------------------------------------ */

void
dp_tx_flush(struct dp_worker *w, unsigned slot)
{
    struct dp_txbuf *b = &w->tx[slot];
    uint16_t n = b->n, sent;
    if (!n)
        return;
    if (unlikely(w->snap && w->snap->capture_slot == slot))
        for (uint16_t i = 0; i < n; i++)
            dp_capture_copy(w, b->pkts[i], 1);
    if (b->lock) {
        rte_spinlock_lock(b->lock);
        sent = rte_eth_tx_burst(b->eth_id, b->qid, b->pkts, n);
        rte_spinlock_unlock(b->lock);
    } else {
        sent = rte_eth_tx_burst(b->eth_id, b->qid, b->pkts, n);
    }
    if (sent < n) {
        rte_pktmbuf_free_bulk(b->pkts + sent, n - sent);
        dp_drop(w, DP_DROP_TX_FULL, n - sent);
        DP_COUNT(w->c.port_tx_drop[slot], n - sent);
    }
    b->n = 0;
    w->tx_dirty &= ~(1ull << slot);
}

void
dp_tx_flush_all(struct dp_worker *w)
{
    while (w->tx_dirty)
        dp_tx_flush(w, (unsigned)__builtin_ctzll(w->tx_dirty));
}

/* ---- one burst from one RX queue ---------------------------------------------------------- */

#define DP_PREFETCH_AHEAD 3
#define DP_SAME_PROBE     4 /* Packets of a burst compared while it does not pay. */

/* Whether frame b parses as frame a did, a being untagged IPv4 without
 * options or fragmentation over TCP or UDP (ft_parse's plain path): equal
 * in every byte that path reads — Ethernet addresses and type, version and
 * header length, DSCP/ECN, flags and fragment offset, TTL (the layout's),
 * protocol, addresses, ports — and with b's frame and IP lengths holding
 * the L4 header. Identification, checksums, the TCP sequence and the
 * payload differ from packet to packet of a flow and are not read. */
static inline bool
same_headers(const struct rte_mbuf *a, const struct rte_mbuf *b, const struct ft_key *ka,
             const struct ft_layout *la)
{
    enum { L3 = FT_ETH_HDR_LEN, L4 = L3 + FT_IPV4_MIN_LEN };
    if (la->l3 != L3 || la->l4 != L4 || la->n_vlans || ka->eth_type != FT_ETH_TYPE_IPV4 ||
        (ka->ip_proto != FT_PROTO_TCP && ka->ip_proto != FT_PROTO_UDP))
        return false;
    unsigned end = L4 + (ka->ip_proto == FT_PROTO_TCP ? FT_TCP_MIN_LEN : FT_UDP_LEN);
    const uint8_t *x = rte_pktmbuf_mtod(a, const uint8_t *),
                  *y = rte_pktmbuf_mtod(b, const uint8_t *);
    if (rte_pktmbuf_data_len(b) < end || L3 + (unsigned)ft_rd16(y + L3 + 2) < end)
        return false;
    /* Bytes 0-15, then 16-31 and 22-37 without the IP length (16-17),
     * identification (18-19) and checksum (24-25). */
    static const uint8_t keep16[16] = {0, 0, 0,    0,    0xff, 0xff, 0xff, 0xff,
                                       0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t keep22[16] = {0xff, 0xff, 0,    0,    0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    ft_v2u64 u[3], v[3], m16, m22;
    memcpy(&u[0], x, 16);
    memcpy(&v[0], y, 16);
    memcpy(&u[1], x + 16, 16);
    memcpy(&v[1], y + 16, 16);
    memcpy(&u[2], x + 22, 16);
    memcpy(&v[2], y + 22, 16);
    memcpy(&m16, keep16, 16);
    memcpy(&m22, keep22, 16);
    return ft_v2u64_is_zero((u[0] ^ v[0]) | ((u[1] ^ v[1]) & m16) | ((u[2] ^ v[2]) & m22));
}

/* A recirculated packet, parsed again, joins the batch being filled. */
static void
recirc_queue(struct dp_worker *w, const struct dp_port_rt *in, const struct dp_recirc *rc,
             uint32_t len)
{
    struct dp_rbatch *b = &w->rq[w->rq_fill];
    unsigned i = b->n; /* Room: a batch of at most DP_BURST recirculates at most as many. */
    enum ft_parse_stop stop = dp_recirc_parse(rc, in->port_no, &b->keys[i], &b->lays[i]);
    if (stop != FT_STOP_DONE) {
        dp_drop(w, (enum dp_drop)(DP_DROP_PARSE_TRUNC_L2 + stop - 1), 1);
        rte_pktmbuf_free(rc->m);
        return;
    }
    b->mbufs[i] = rc->m;
    b->lens[i] = len;
    b->n++;
}

/* Classify and run n parsed packets that arrived on in; those whose
 * program recirculates are queued, parsed again, for run_recirculated. */
static void
run_batch(struct dp_worker *w, const struct dp_port_rt *in, struct rte_mbuf **mbufs,
          const struct ft_key *const *keys, const struct ft_layout *lays, const uint32_t *lens,
          unsigned n)
{
    for (unsigned done = 0; done < n;) {
        unsigned c = dp_classify(w, keys + done, lens + done, n - done, w->progs + done);
        /* A run of packets with one plain output program (a flow's burst)
         * finds its port once. */
        const struct ft_op *run_ops = NULL;
        const struct dp_port_rt *run_rt = NULL;
        for (unsigned i = done; i < done + c; i++) {
            const struct ft_cache_result *prog = &w->progs[i];
            if (prog->n_frags == 1 && prog->n_ops == 1 && prog->frag[0].ops == run_ops) {
                dp_tx_enqueue(w, run_rt, mbufs[i]);
                continue;
            }
            if (i + 1 < done + c)
                rte_prefetch0(w->progs[i + 1].frag[0].ops);
            run_rt = dp_exec_plain_target(w, in, prog);
            if (run_rt) {
                run_ops = prog->frag[0].ops;
                dp_tx_enqueue(w, run_rt, mbufs[i]);
                continue;
            }
            run_ops = NULL;
            struct dp_recirc rc;
            if (dp_exec_packet(w, in, in->port_no, mbufs[i], keys[i], &lays[i], &w->progs[i], &rc))
                recirc_queue(w, in, &rc, lens[i]);
        }
        done += c;
    }
}

/* The packets a batch recirculated, batch after batch, each packet at most
 * DP_MAX_RECIRC times (a pipeline can pop label after label). */
static void
run_recirculated(struct dp_worker *w, const struct dp_port_rt *in)
{
    for (unsigned depth = 0; w->rq[w->rq_fill].n; depth++) {
        struct dp_rbatch *b = &w->rq[w->rq_fill];
        unsigned n = b->n;
        b->n = 0;
        w->rq_fill ^= 1; /* What these recirculate goes to the other batch. */
        if (depth == DP_MAX_RECIRC) {
            dp_drop(w, DP_DROP_RECIRC_LIMIT, n);
            rte_pktmbuf_free_bulk(b->mbufs, n);
            continue;
        }
        const struct ft_key *kp[DP_BURST];
        for (unsigned i = 0; i < n; i++)
            kp[i] = &b->keys[i];
        run_batch(w, in, b->mbufs, kp, b->lays, b->lens, n);
    }
}

static void
burst(struct dp_worker *w, const struct dp_port_rt *in, struct rte_mbuf **pkts, uint16_t n)
{
    const struct dp_snap *s = w->snap;
    if (unlikely(s->capture_port == in->port_no)) /* What arrived, untouched. */
        for (uint16_t i = 0; i < n; i++)
            dp_capture_copy(w, pkts[i], 0);
    if (in->config & FT_PC_NO_RECV) {
        dp_drop(w, DP_DROP_NO_RECV, n);
        DP_COUNT(w->c.port_rx_drop[in->slot], n);
        rte_pktmbuf_free_bulk(pkts, n);
        return;
    }
    const struct ft_port_meta meta = {.in_port = in->port_no, .in_phy_port = in->port_no};
    /* A PMD that only passes pointers (ring) leaves the mbufs cold: fetch
     * every header now, and each packet's data a few packets ahead. */
    for (uint16_t i = 0; i < n; i++)
        rte_prefetch0(pkts[i]);
    for (uint16_t i = 0; i < n && i < DP_PREFETCH_AHEAD; i++)
        rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
    unsigned k = 0, n_tried = 0, n_same = 0;
    bool prev_kept = false; /* keys[k - 1] is pkts[i - 1]'s. */
    for (uint16_t i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];
        if (i + DP_PREFETCH_AHEAD < n)
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + DP_PREFETCH_AHEAD], void *));
        /* Compared only while it pays: the first few packets of a burst,
         * then on while a quarter of those compared (in this burst or the
         * last) were their neighbour's. */
        bool try = prev_kept && (w->same_pays || i < DP_SAME_PROBE || n_same * 4 > n_tried);
        n_tried += try;
        if (try && same_headers(pkts[i - 1], m, w->kp[k - 1], &w->lays[k - 1])) {
            n_same++; /* A flow's packets in a row: one key, parsed once. */
            w->kp[k] = w->kp[k - 1];
            w->lays[k] = w->lays[k - 1];
        } else {
            w->kp[k] = &w->keys[k];
            prev_kept = false;
            enum ft_parse_stop stop =
                ft_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &meta,
                         &w->keys[k], &w->lays[k]);
            if (stop != FT_STOP_DONE) {
                dp_drop(w, (enum dp_drop)(DP_DROP_PARSE_TRUNC_L2 + stop - 1), 1);
                rte_pktmbuf_free(m);
                continue;
            }
            if (s->frag_mode == DP_FRAG_DROP && (w->keys[k].ip_frag & FT_FRAG_ANY)) {
                dp_drop(w, DP_DROP_FRAG, 1);
                rte_pktmbuf_free(m);
                continue;
            }
        }
        w->mbufs[k] = m;
        w->lens[k] = rte_pktmbuf_pkt_len(m);
        k++;
        prev_kept = true;
    }
    w->same_pays = n_same && n_same * 4 >= n_tried;
    if (s->standalone) {
        for (unsigned i = 0; i < k; i++)
            dp_l2_packet(w, in, w->mbufs[i], w->kp[i], &w->lays[i]);
        return;
    }
    run_batch(w, in, w->mbufs, w->kp, w->lays, w->lens, k);
    run_recirculated(w, in);
}

/* ---- the loop ---------------------------------------------------------------------------- */

void
dp_worker_adopt(struct dp_worker *w, const struct dp_snap *s)
{
    if (w->snap_gen && s->gen != w->snap_gen + 1)
        w->changes_lost = true; /* Missed a snapshot (an agent wait timed out). */
    if (s->changes_lost)
        w->changes_lost = true;
    w->snap = s;
    w->snap_gen = s->gen;
    dp_classify_changes(w, s);
}

unsigned
dp_worker_poll(struct dp_worker *w)
{
    struct dp *dp = w->dp;
    uint64_t t0 = rte_rdtsc();
    /* Quiescent first, then load: once the agent sees this report it knows
     * every later packet of ours uses the snapshot it published. */
    if (!dp->inline_mode)
        rte_rcu_qsbr_quiescent(dp->qsv, w->idx);
    const struct dp_snap *s = atomic_load_explicit(&dp->snap, memory_order_acquire);
    /* By generation, not address: a freed snapshot's address may come back. */
    if (s->gen != w->snap_gen)
        dp_worker_adopt(w, s);
    uint64_t fold = atomic_load_explicit(&dp->fold_req, memory_order_acquire);
    if (fold != w->fold_seen) {
        dp_classify_fold_request(w);
        w->fold_seen = fold;
    }
    /* The fold goes in steps between bursts; acknowledged when done. */
    if (w->fold_done != w->fold_seen && dp_classify_fold_step(w)) {
        w->fold_done = w->fold_seen;
        atomic_store_explicit(&w->fold_ack, w->fold_done, memory_order_release);
    }

    unsigned total = 0;
    const struct dp_rxq *q = s->rxq + s->rx_first[w->idx];
    for (unsigned i = 0; i < s->rx_count[w->idx]; i++, q++) {
        struct rte_mbuf *pkts[DP_BURST];
        uint16_t n = rte_eth_rx_burst(q->eth_id, q->qid, pkts, DP_BURST);
        if (!n)
            continue;
        if (!total) {
            w->now_ns = dp_clock_ns();
            w->meter_now = dp_meter_now(t0);
        }
        total += n;
        burst(w, &s->ports[q->port], pkts, n);
    }
    dp_tx_flush_all(w);
    if (total)
        dp_stats_flush(w);
    else
        dp_classify_idle(w); /* Folds go on while nothing waits. */
    uint64_t t1 = rte_rdtsc();
    if (t1 >= w->maintain_tsc) {
        dp_classify_maintain(w);
        w->maintain_tsc = t1 + dp->tsc_hz / 1000;
        t1 = rte_rdtsc(); /* Maintenance is work too: pmd-stats count it. */
    }
    uint64_t units = (t1 - t0) >> dp->poll_unit_shift;
    unsigned b = units ? 64 - (unsigned)__builtin_clzll(units) : 0;
    b = b < DP_POLL_BUCKETS ? b : DP_POLL_BUCKETS - 1;
    DP_COUNT(w->c.poll_hist[b], 1);
    if (total) {
        DP_COUNT(w->c.packets, total);
        DP_COUNT(w->c.busy_cycles, t1 - t0);
        DP_COUNT(w->c.busy_polls, 1);
    } else {
        DP_COUNT(w->c.idle_cycles, t1 - t0);
    }
    return total;
}

int
dp_worker_main(void *arg)
{
    struct dp_worker *w = arg;
    struct dp *dp = w->dp;
    rte_rcu_qsbr_thread_register(dp->qsv, w->idx);
    rte_rcu_qsbr_thread_online(dp->qsv, w->idx);
    atomic_store_explicit(&w->running, true, memory_order_release);
    while (!atomic_load_explicit(&dp->stop, memory_order_relaxed))
        dp_worker_poll(w);
    rte_rcu_qsbr_thread_offline(dp->qsv, w->idx);
    rte_rcu_qsbr_thread_unregister(dp->qsv, w->idx);
    return 0;
}
