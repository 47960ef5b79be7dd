/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The worker loop: quiescent state, snapshot, RX burst of 32 -> parse ->
 * classify -> execute -> TX buffers -> TX burst. Nothing here allocates
 * (beyond mbufs from their pools), locks (except a TX queue the device
 * could not give this worker alone) or logs: every drop is a counter.
 */
#include <limits.h>
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

/* CLOCK_MONOTONIC, now, as read at w's last anchor and counted on in TSC
 * ticks (tsc, read just now): reading the clock costs a few hundred cycles
 * in a virtual machine, a sixth of a poll that receives one packet, and
 * the TSC is read anyway. Anchored again once a millisecond
 * (dp_worker_anchor), at once after 2 ms without (an idle agent's inline
 * poll); never back, and not ahead of the clock: the rate counted is the
 * TSC's measured against the clock, a little slow (dp_worker_anchor). */
static uint64_t
dp_worker_clock(struct dp_worker *w, uint64_t tsc)
{
    uint64_t ticks = tsc - w->clk_tsc, now;
    if (unlikely(ticks >= w->dp->clk_stale)) {
        w->clk_ns = now = dp_clock_ns();
        w->clk_tsc = tsc;
    } else {
        now = w->clk_ns + ((ticks * w->clk_mult) >> DP_TSC_NS_SHIFT);
    }
    return now > w->now_ns ? now : w->now_ns;
}

/* Reads the clock for dp_worker_clock. Every 100 ms or more it also
 * measures the TSC's rate against it: EAL's figure can be off by
 * thousands of ppm in a virtual machine (2,690 MHz for 2,694.8 measured:
 * 1.8 us a millisecond ahead). Until then, and after, the rate counted is
 * a little below the measured one (1/64, then 1/65536): the time counted
 * lags and jumps ahead at the next anchor rather than run ahead. */
static void
dp_worker_anchor(struct dp_worker *w)
{
    uint64_t ns = dp_clock_ns(), tsc = rte_rdtsc();
    if (!w->cal_tsc) {
        w->clk_mult = w->dp->tsc_ns_mult - (w->dp->tsc_ns_mult >> 6);
        w->cal_ns = ns;
        w->cal_tsc = tsc;
    } else if (tsc - w->cal_tsc >= w->dp->tsc_hz / 10) {
        uint64_t dns = ns - w->cal_ns, dtsc = tsc - w->cal_tsc;
        if (dns < 10 * 1000000000ull && dtsc < 100 * w->dp->tsc_hz) { /* No overflow. */
            uint64_t mult = (dns << DP_TSC_NS_SHIFT) / dtsc;
            w->clk_mult = mult - (mult >> 16);
        }
        w->cal_ns = ns;
        w->cal_tsc = tsc;
    }
    w->clk_ns = ns;
    w->clk_tsc = tsc;
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
    dp_worker_anchor(w);
    for (unsigned i = 0; i < DP_BURST; i++) {
        w->kp[i] = &w->keys[i];
        w->rq[0].kp[i] = &w->rq[0].keys[i];
        w->rq[1].kp[i] = &w->rq[1].keys[i];
    }
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
        dp_drop(w, b->link_up ? DP_DROP_TX_FULL : DP_DROP_LINK_DOWN, n - sent);
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

/* Where the headers of a frame parsed as key and lay end when they took
 * ft_parse's plain path (untagged IPv4 without options or fragmentation,
 * over TCP or UDP): a neighbour holding as much can share its parse
 * (same_headers). 0: another path, no sharing. */
static inline unsigned
plain_end(const struct ft_key *key, const struct ft_layout *lay)
{
    enum { L3 = FT_ETH_HDR_LEN, L4 = L3 + FT_IPV4_MIN_LEN };
    if (lay->l3 != L3 || lay->l4 != L4 || lay->n_vlans || key->eth_type != FT_ETH_TYPE_IPV4)
        return 0;
    return key->ip_proto == FT_PROTO_TCP   ? L4 + FT_TCP_MIN_LEN
           : key->ip_proto == FT_PROTO_UDP ? L4 + FT_UDP_LEN
                                           : 0;
}

/* Whether frame y (len bytes) parses as frame x did, whose headers took
 * the plain path and end at end (plain_end, not 0): equal in every byte
 * that path reads — Ethernet addresses and type, version and header
 * length, DSCP/ECN, flags and fragment offset, TTL (the layout's),
 * protocol, addresses, ports — and with y's frame and IP lengths holding
 * the L4 header. Identification, checksums, the TCP sequence and the
 * payload differ from packet to packet of a flow and are not read. */
static inline bool
same_headers(const uint8_t *x, const uint8_t *y, unsigned len, unsigned end)
{
    enum { L3 = FT_ETH_HDR_LEN };
    if (len < end || L3 + (unsigned)ft_rd16(y + L3 + 2) < end)
        return false;
    /* Bytes 0-15, 16-31 without the IP length (16-17), identification
     * (18-19) and checksum (24-25), then 30-37. */
    static const uint8_t keep16[16] = {0, 0, 0,    0,    0xff, 0xff, 0xff, 0xff,
                                       0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    ft_v2u64 u[2], v[2], m16;
    uint64_t a, b;
    memcpy(&u[0], x, 16);
    memcpy(&v[0], y, 16);
    memcpy(&u[1], x + 16, 16);
    memcpy(&v[1], y + 16, 16);
    memcpy(&a, x + 30, 8);
    memcpy(&b, y + 30, 8);
    memcpy(&m16, keep16, 16);
    return ft_v2u64_is_zero((u[0] ^ v[0]) | ((u[1] ^ v[1]) & m16)) && a == b;
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

/* Run prog on m (key, lay: its own); len: its length as received, which
 * its recirculations are counted with. */
static inline void
exec_one(struct dp_worker *w, const struct dp_port_rt *in, struct rte_mbuf *m,
         const struct ft_key *key, const struct ft_layout *lay, const struct ft_cache_result *prog,
         uint32_t len)
{
    struct dp_recirc rc;
    if (dp_exec_packet(w, in, in->port_no, m, key, lay, prog, &rc))
        recirc_queue(w, in, &rc, len);
}

/* Run prog on the n packets of a run just received (key, lay: theirs).
 * Out of line: most runs are of one packet (run_batch). */
static __attribute__((noinline)) void
exec_run(struct dp_worker *w, const struct dp_port_rt *in, struct rte_mbuf **mbufs, unsigned n,
         const struct ft_key *key, const struct ft_layout *lay, const struct ft_cache_result *prog)
{
    for (unsigned i = 0; i < n; i++)
        exec_one(w, in, mbufs[i], key, lay, prog, rte_pktmbuf_pkt_len(mbufs[i]));
}

/* Classify and run n_runs runs of parsed packets that arrived on in
 * (mbufs: their packets in order, n_run[r] of them in run r, which has
 * one key, layout and program); those whose program recirculates are
 * queued, parsed again, for run_recirculated. */
static void
run_batch(struct dp_worker *w, const struct dp_port_rt *in, struct rte_mbuf **mbufs,
          const struct ft_key *const *keys, const struct ft_layout *lays, const uint16_t *n_run,
          const uint32_t *lens, unsigned n_runs)
{
    unsigned p = 0; /* mbufs[p]: the first packet of run r. */
    for (unsigned done = 0; done < n_runs;) {
        unsigned c =
            dp_classify(w, keys + done, n_run + done, lens + done, n_runs - done, w->progs + done);
        /* Runs with one plain output program (a flow's packets) find its
         * port once. */
        const struct ft_op *run_ops = NULL;
        const struct dp_port_rt *run_rt = NULL;
        for (unsigned r = done; r < done + c; r++) {
            const struct ft_cache_result *prog = &w->progs[r];
            unsigned np = n_run[r];
            if (prog->n_frags != 1 || prog->n_ops != 1 || prog->frag[0].ops != run_ops) {
                if (r + 1 < done + c)
                    rte_prefetch0(w->progs[r + 1].frag[0].ops);
                run_rt = dp_exec_plain_target(w, in, prog);
                run_ops = run_rt ? prog->frag[0].ops : NULL;
            }
            if (run_rt) {
                dp_tx_enqueue_n(w, run_rt, mbufs + p, np);
                p += np;
                continue;
            }
            if (likely(np == 1)) { /* lens[r]: as received, before any recirculation. */
                exec_one(w, in, mbufs[p], keys[r], &lays[r], prog, lens[r]);
                p++;
                continue;
            }
            exec_run(w, in, mbufs + p, np, keys[r], &lays[r], prog);
            p += np;
        }
        done += c;
    }
}

/* The packets a batch recirculated, batch after batch, each packet at most
 * DP_MAX_RECIRC times (a pipeline can pop label after label). */
static void
run_recirculated(struct dp_worker *w, const struct dp_port_rt *in)
{
    static const uint16_t ones[DP_BURST] = {[0 ... DP_BURST - 1] = 1}; /* Runs of one. */
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
        run_batch(w, in, b->mbufs, b->kp, b->lays, ones, b->lens, n);
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
    unsigned k = 0, r = 0, n_tried = 0, n_same = 0; /* Packets kept, runs. */
    /* Compared only while it pays: the first few packets of a burst, then
     * on while a quarter of those compared (in this burst or the last)
     * were their neighbour's. */
    bool comparing = w->same_pays;
    for (uint16_t i = 0; i < n;) {
        struct rte_mbuf *m = pkts[i];
        const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
        if (i + DP_PREFETCH_AHEAD < n)
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + DP_PREFETCH_AHEAD], void *));
        uint32_t len = rte_pktmbuf_pkt_len(m);
        i++;
        enum ft_parse_stop stop =
            ft_parse(data, rte_pktmbuf_data_len(m), &meta, &w->keys[r], &w->lays[r]);
        if (stop != FT_STOP_DONE) {
            dp_drop(w, (enum dp_drop)(DP_DROP_PARSE_TRUNC_L2 + stop - 1), 1);
            rte_pktmbuf_free(m);
            continue;
        }
        if (s->frag_mode == DP_FRAG_DROP && (w->keys[r].ip_frag & FT_FRAG_ANY)) {
            dp_drop(w, DP_DROP_FRAG, 1);
            rte_pktmbuf_free(m);
            continue;
        }
        w->mbufs[k++] = m;
        /* The packets after it of the same flow join its run, parsed once,
         * in a loop that only compares and collects; what comparing paid is
         * counted when the run ends (while it is off, each match may turn
         * it on). */
        unsigned end =
            i < n && (comparing || i < DP_SAME_PROBE) ? plain_end(&w->keys[r], &w->lays[r]) : 0;
        uint16_t j = i;
        while (end && j < n && (comparing || j < DP_SAME_PROBE) &&
               same_headers(data, rte_pktmbuf_mtod(pkts[j], const uint8_t *),
                            rte_pktmbuf_data_len(pkts[j]), end)) {
            if (j + DP_PREFETCH_AHEAD < n)
                rte_prefetch0(rte_pktmbuf_mtod(pkts[j + DP_PREFETCH_AHEAD], void *));
            len += rte_pktmbuf_pkt_len(pkts[j]);
            w->mbufs[k++] = pkts[j++];
            if (!comparing)
                comparing = (n_same + j - i) * 4 > n_tried + j - i;
        }
        bool mismatch = j < n && (comparing || j < DP_SAME_PROBE); /* pkts[j] was tried. */
        n_same += j - i;
        n_tried += j - i + mismatch;
        if (mismatch)
            comparing = w->same_pays || n_same * 4 > n_tried;
        w->n_run[r] = (uint16_t)(1 + j - i);
        w->lens[r] = len;
        i = j;
        r++;
    }
    w->same_pays = n_same && n_same * 4 >= n_tried;
    if (s->standalone) {
        for (unsigned j = 0, p = 0; j < r; j++)
            for (unsigned q = 0; q < w->n_run[j]; q++)
                dp_l2_packet(w, in, w->mbufs[p++], &w->keys[j], &w->lays[j]);
        return;
    }
    run_batch(w, in, w->mbufs, w->kp, w->lays, w->n_run, w->lens, r);
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
            w->now_ns = dp_worker_clock(w, t0);
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
        dp_worker_anchor(w);
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

void
dp_worker_warm(struct dp_worker *w)
{
    if (w->cache)
        ft_alloc_warm(ft_cache_fill_bytes(&w->dp->cfg.cache));
}

int
dp_worker_main(void *arg)
{
    struct dp_worker *w = arg;
    struct dp *dp = w->dp;
    atomic_store_explicit(&w->started, true, memory_order_release);
    dp_worker_warm(w);
    rte_rcu_qsbr_thread_register(dp->qsv, w->idx);
    rte_rcu_qsbr_thread_online(dp->qsv, w->idx);
    atomic_store_explicit(&w->running, true, memory_order_release);
    while (!atomic_load_explicit(&dp->stop, memory_order_relaxed))
        dp_worker_poll(w);
    rte_rcu_qsbr_thread_offline(dp->qsv, w->idx);
    rte_rcu_qsbr_thread_unregister(dp->qsv, w->idx);
    return 0;
}
