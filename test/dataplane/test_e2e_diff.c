/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The walk against the dataplane, end to end (DESIGN.md convention 10; issue
 * 12, "Tests that can fail"). Random four-table pipelines (goto_table,
 * write_metadata, write/clear_actions, table-miss rules, groups of every
 * type with watch ports and a watch group, two meters that never drop,
 * CONTROLLER) forward frames between three net_ring ports whose rings this
 * test holds, while rules, groups, meters and port 3's liveness change;
 * every edit is committed with dp_commit.
 *
 * Built twice from this file: inline (EAL -l 0, the test calls dp_poll
 * between edits: every frame must be forwarded by exactly the version
 * committed when dp_poll took it) and with two workers (-l 0-2,
 * E2E_DIFF_WORKERS: workers forward while this thread edits; a frame may be
 * forwarded by any version committed between its injection and the moment
 * its RX ring was seen without it — never one older than the last dp_commit
 * that returned before it was injected).
 *
 * Prediction: each frame's flow key (ft_parse) is walked (ft_walk) at every
 * version that was committed while the frame was in flight, right after
 * that commit (dp_commit reclaims older versions), and the walk's program
 * is run by an interpreter of the test's own (e2e_interp.h) on the frame's
 * bytes. Each frame carries a unique id in a trailer, so every copy the
 * switch emits (on a port or as a packet-in) is traced to its input. A
 * frame passes when the multiset of its copies equals the prediction of ONE
 * version (for SELECT: one live bucket, any): same ports, counts, bytes,
 * valid IPv4/TCP/UDP checksums, packet-in reason/table/cookie/metadata.
 * Copies without a trailer, or of a frame already judged, fail the test.
 *
 * Counters: each rule gets a unique cookie and SEND_FLOW_REM; from the
 * version(s) each frame matched, the test knows how many packets each rule
 * must have counted (a range when more than one version fits), and checks
 * every rule's counters after each sync (dp_fold_counters) and every
 * FLOW_REMOVED against it. At the end every rule is deleted and every
 * rule's FLOW_REMOVED must have arrived.
 *
 * Versions: dp_commit may publish more than one (a reclaim stages changes
 * of its own); the first is forwarded by while dp_commit runs and is gone
 * when it returns, so the staged version is walked just before (it is what
 * the first publication holds).
 *
 * Three runs per executable: the default cache, a small one and a tiny one
 * (a full cache that thrashes, with the EMC on). Seeds: OFSWITCH_TEST_SEED
 * replays the runs (E2E_DIFF_RUN=n runs only run n; with two workers thread
 * timing still varies); the seed is printed, and the first mismatches of
 * each kind in full.
 */
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_control.h"
#include "dp_int.h"
#include "dp_test.h"
#include "e2e_edits.h"
#include "e2e_interp.h"
#include "ft_parse.h"

#ifdef E2E_DIFF_WORKERS
#define MODE_NAME "two workers"
#define LCORES    "0-2"
#define INLINE    0
#else
#define MODE_NAME "inline"
#define LCORES    "0"
#define INLINE    1
#endif

#define E2E_SAN TEST_ASAN

#define N_PORTS     EI_N_PORTS
#define N_RXQ       2
#define N_TXQ       3
#define RX_RING     1024
#define TX_RING     4096
#define N_FLOWS     48
#define STEPS       (E2E_SAN ? 800 : 1200)
#define SYNC_EVERY  6
#define MAX_DETAILS 2 /* Mismatches reported in full, per kind. */

/* ---- state of one run ------------------------------------------------------------ */

struct ring_port {
    char name[32];
    struct rte_ring *rx[N_RXQ];
    struct rte_ring *tx[N_TXQ];
};

struct flow {
    uint8_t tmpl[EI_MAX_FRAME]; /* The frame with id 0. */
    uint16_t len;
    uint32_t in_port;
    struct ft_key key;
    char desc[64];
};

/* A walk's result kept for one flow at one version. */
struct prog {
    uint16_t n_ops, flags;
    uint8_t n_cookies;
    uint64_t cookies[8]; /* Rules matched (by cookie). */
    struct ft_op ops[];
};

struct vrec {
    uint64_t v;
    bool staged;  /* Walked before the commit that published it (below). */
    uint8_t down; /* Bit per port: PORT_DOWN in this version. */
    struct prog *prog[N_FLOWS];
};

struct frec {
    uint32_t flow;
    uint8_t state;   /* 0 in flight, 1 judged. */
    bool taken;      /* A worker took it from its RX ring by version hi. */
    uint64_t lo, hi; /* Versions it may have been forwarded by. */
    uint16_t n_em, cap_em;
    struct ei_out *em; /* What the switch emitted for it. */
};

struct removed {
    uint64_t cookie, packets;
    uint8_t reason;
};

/* Kinds of mismatch, by what the emitted copies do fit. */
enum {
    CL_STALE,   /* This flow's program at a version outside its window. */
    CL_OTHER,   /* Another flow's program (a cache entry of another key). */
    CL_NONE,    /* No program seen: the executor's doing, or an older one. */
    CL_DROPPED, /* Nothing was emitted (any drop program fits). */
    CL_N
};
static const char *const cl_names[CL_N] = {
    "fits this flow's program at another version",
    "fits another flow's program",
    "fits no program the test walked",
    "nothing emitted",
};

static struct {
    struct dp *dp;
    struct ft_pipeline *p;
    struct rte_mempool *pool;
    struct ring_port rp[N_PORTS];
    uint64_t seed;
    struct ee ee; /* The pipeline's random edits; its generator is the run's. */
    unsigned loop;
    struct flow flows[N_FLOWS];

    struct vrec *vr;
    size_t n_vr, cap_vr;

    struct frec *fr; /* By id - 1. */
    size_t n_fr, cap_fr;
    uint32_t *open; /* Ids in flight. */
    size_t n_open, cap_open;
    /* Ids in each RX ring, oldest first: what a worker took is known by
     * how much a ring shrank. */
    uint32_t fifo[N_PORTS][N_RXQ][RX_RING];
    unsigned fifo_head[N_PORTS][N_RXQ], fifo_n[N_PORTS][N_RXQ];

    uint32_t *cmin, *cmax; /* Packets each rule must have counted. */
    uint8_t *cstate;       /* 1 added, 2 FLOW_REMOVED seen. */
    size_t cap_cookie;
    struct removed *rm;
    size_t n_rm, cap_rm, rm_checked;

    bool port3_down;

    /* Results. */
    unsigned mismatches, details, strays, count_errors, unpredictable, skipped;
    unsigned by_class[CL_N], class_details[CL_N], count_low;
    uint64_t injected, emitted, pins, judged, ambiguous, edits, edits_failed, commits;
    uint64_t outputs_by_kind[3];
    struct ft_walk_out walk;
    struct ei_outcome alts[EI_MAX_ALTS];
} T;

static uint32_t
rnd(uint32_t n)
{
    return ee_rnd(&T.ee, n);
}

static void *
grow(void *a, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return a;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *n = realloc(a, c * elem);
    ck_assert_ptr_nonnull(n);
    memset((char *)n + *cap * elem, 0, (c - *cap) * elem);
    *cap = c;
    return n;
}

/* ---- frames ---------------------------------------------------------------------- */

static unsigned
put_ipv4(uint8_t *f, unsigned o, uint8_t proto, uint32_t src, uint32_t dst, uint8_t ttl,
         uint8_t tos, unsigned l4_len)
{
    uint8_t *ip = f + o;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[1] = tos;
    ei_wr16(ip + 2, (uint16_t)(20 + l4_len));
    ei_wr16(ip + 4, 0x1234);
    ip[6] = 0x40; /* DF */
    ip[8] = ttl;
    ip[9] = proto;
    ei_wr32(ip + 12, src);
    ei_wr32(ip + 16, dst);
    ei_fix_ip(f, (int)o);
    return o + 20;
}

/* TCP or UDP with 12 bytes of payload and the trailer; returns the end. */
static unsigned
put_l4(uint8_t *f, unsigned o, uint8_t proto, uint16_t sport, uint16_t dport, bool udp_csum)
{
    unsigned hl = proto == 6 ? 20 : 8, pl = 12 + EI_TRAILER;
    uint8_t *l4 = f + o;
    memset(l4, 0, hl);
    ei_wr16(l4, sport);
    ei_wr16(l4 + 2, dport);
    if (proto == 6) {
        ei_wr32(l4 + 4, 0x01020304);
        l4[12] = 0x50;
        l4[13] = 0x10; /* ACK */
        ei_wr16(l4 + 14, 8192);
    } else {
        ei_wr16(l4 + 4, (uint16_t)(hl + pl));
        ei_wr16(l4 + 6, udp_csum ? 0xffff : 0); /* Non-zero: computed below. */
    }
    for (unsigned i = 0; i < pl; i++)
        l4[hl + i] = (uint8_t)(0xa0 + i);
    return o + hl + pl;
}

static unsigned
put_tag(uint8_t *f, unsigned o, uint16_t tpid, uint16_t tci)
{
    ei_wr16(f + o, tpid);
    ei_wr16(f + o + 2, tci);
    return o + 4;
}

/* Flow i: one of ten shapes with fields from small domains, so that rules
 * overlap and hit. */
static void
flow_make(struct flow *fl, unsigned i)
{
    static const char *const shapes[] = {
        "tcp",      "udp",      "udp csum 0", "vlan tcp", "vlan udp",
        "qinq udp", "mpls udp", "arp",        "vlan arp", "vlan mpls tcp",
    };
    unsigned shape = i % 10;
    uint8_t *f = fl->tmpl;
    memset(f, 0, sizeof fl->tmpl);
    uint8_t dst[6] = {2, 0, 0, 0, 0, (uint8_t)(1 + rnd(3))};
    uint8_t src[6] = {2, 0, 0, 0, 1, (uint8_t)(1 + rnd(3))};
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    unsigned o = 12;
    uint16_t vid = rnd(2) ? 10 : 20, pcp = rnd(2) ? 3 : 0;
    if (shape == 3 || shape == 4 || shape == 8 || shape == 9)
        o = put_tag(f, o, 0x8100, (uint16_t)(pcp << 13 | vid));
    if (shape == 5) {
        o = put_tag(f, o, 0x88a8, (uint16_t)(pcp << 13 | 100));
        o = put_tag(f, o, 0x8100, (uint16_t)(vid));
    }
    static const uint8_t ttls[] = {64, 64, 64, 2, 1};
    static const uint8_t dscps[] = {0, 0, 10, 46};
    uint8_t ttl = ttls[rnd(5)], tos = (uint8_t)(dscps[rnd(4)] << 2);
    uint32_t sip = 0x0a000001u + rnd(4), dip = 0x0a000101u + rnd(4);
    if (shape == 7 || shape == 8) {
        ei_wr16(f + o, 0x0806);
        o += 2;
        uint8_t *a = f + o;
        ei_wr16(a, 1);
        ei_wr16(a + 2, 0x0800);
        a[4] = 6;
        a[5] = 4;
        ei_wr16(a + 6, (uint16_t)(1 + rnd(2)));
        memcpy(a + 8, src, 6);
        ei_wr32(a + 14, sip);
        ei_wr32(a + 24, dip);
        o += 28 + EI_TRAILER;
    } else {
        bool mpls = shape == 6 || shape == 9;
        uint8_t proto = shape == 0 || shape == 3 || shape == 9 ? 6 : 17;
        ei_wr16(f + o, mpls ? 0x8847 : 0x0800);
        o += 2;
        if (mpls) {
            uint32_t label = rnd(2) ? 100 : 200, tc = rnd(2);
            ei_wr32(f + o, label << 12 | tc << 9 | 0x100 | (rnd(4) ? 32u : 1u));
            o += 4;
        }
        unsigned l4_len = (proto == 6 ? 20 : 8) + 12 + EI_TRAILER;
        unsigned ip = o;
        o = put_ipv4(f, o, proto, sip, dip, ttl, tos, l4_len);
        uint16_t sport = (uint16_t)((proto == 6 ? 1000 : 2000) + rnd(4));
        uint16_t dport = proto == 6 ? (uint16_t)(80 + rnd(2)) : (uint16_t)(53 + rnd(2));
        unsigned l4 = o;
        o = put_l4(f, o, proto, sport, dport, shape != 2);
        ei_fix_l4(f, (int)ip, (int)l4, proto, (int)o);
    }
    fl->len = (uint16_t)o;
    fl->in_port = 1 + rnd(2);
    struct ft_port_meta meta = {.in_port = fl->in_port, .in_phy_port = fl->in_port};
    struct ft_layout lay;
    ck_assert_int_eq(ft_parse(f, fl->len, &meta, &fl->key, &lay), FT_STOP_DONE);
    snprintf(fl->desc, sizeof fl->desc, "%s in_port %u", shapes[shape], fl->in_port);
}

/* The bytes of frame id. */
static uint16_t
frame_bytes(uint32_t id, uint8_t *out)
{
    const struct flow *fl = &T.flows[T.fr[id - 1].flow];
    memcpy(out, fl->tmpl, fl->len);
    ei_trailer_put(out, fl->len, id);
    ei_fix_trailer_csum(out, fl->len);
    return fl->len;
}

/* ---- versions and predictions ---------------------------------------------------- */

/* The record of version v (the last one, or a new one). A staged record
 * of v does not stand for the committed v (see before_commit). */
static struct vrec *
vrec_get(uint64_t v, bool staged)
{
    if (T.n_vr && T.vr[T.n_vr - 1].v == v && T.vr[T.n_vr - 1].staged == staged)
        return &T.vr[T.n_vr - 1];
    ck_assert(!T.n_vr || T.vr[T.n_vr - 1].v < v || (T.vr[T.n_vr - 1].v == v && !staged));
    T.vr = grow(T.vr, &T.cap_vr, T.n_vr + 1, sizeof *T.vr);
    struct vrec *r = &T.vr[T.n_vr++];
    memset(r, 0, sizeof *r);
    r->v = v;
    r->staged = staged;
    for (uint32_t q = 1; q <= N_PORTS; q++)
        if (ft_pipeline_port_config(T.p, v, q) & FT_PC_PORT_DOWN)
            r->down |= (uint8_t)(1u << q);
    return r;
}

static struct vrec *
vrec_current(void)
{
    return vrec_get(ft_pipeline_version(T.p), false);
}

/* The walk of flow f at version v of record r: the current version (only
 * it is sure to be readable: dp_commit reclaims the older ones), or the
 * staged one. */
static const struct prog *
prog_at(struct vrec *r, uint32_t f)
{
    if (r->prog[f])
        return r->prog[f];
    const struct flow *fl = &T.flows[f];
    struct ft_walk_out *w = &T.walk;
    ft_walk(T.p, r->v, &fl->key, w);
    size_t cap = w->n_ops + 1;
    struct prog *pg = malloc(sizeof *pg + cap * sizeof pg->ops[0]);
    ck_assert_ptr_nonnull(pg);
    pg->n_ops = 0;
    pg->flags = 0;
    pg->n_cookies = 0;
    /* A program that recirculates goes on, as the dataplane's does, with the
     * walk resumed for the packet parsed again: the ops before each
     * FT_OP_RECIRC run on the same packet as the ones after it. */
    for (unsigned pass = 0;; pass++) {
        size_t n = w->n_ops - ((w->flags & FT_WALK_F_RECIRC) ? 1 : 0);
        if ((size_t)pg->n_ops + w->n_ops + 1 > cap) {
            cap = pg->n_ops + w->n_ops + 1;
            pg = realloc(pg, sizeof *pg + cap * sizeof pg->ops[0]);
            ck_assert_ptr_nonnull(pg);
        }
        memcpy(pg->ops + pg->n_ops, w->ops, n * sizeof pg->ops[0]);
        pg->n_ops = (uint16_t)(pg->n_ops + n);
        pg->flags |= (uint16_t)(w->flags & ~FT_WALK_F_RECIRC);
        for (uint16_t i = 0; i < w->n_visits && pg->n_cookies < 8; i++)
            if (w->visits[i].rule && !w->visits[i].resumed)
                pg->cookies[pg->n_cookies++] = ft_rule_cookie(w->visits[i].rule);
        if (!(w->flags & FT_WALK_F_RECIRC))
            break;
        if (pass >= DP_MAX_RECIRC)
            break; /* The dataplane drops it here (recirc_limit). */
        uint8_t pkt[EI_MAX_FRAME];
        uint16_t len;
        char why[128];
        int alive = ei_main_path(pg->ops, pg->n_ops, fl->tmpl, fl->len, fl->in_port, r->down, pkt,
                                 &len, why, sizeof why);
        if (alive <= 0) {
            if (alive < 0) /* Kept: the prediction says it cannot predict. */
                pg->ops[pg->n_ops++] = w->ops[w->n_ops - 1];
            break;
        }
        const struct ft_port_meta meta = {
            .in_port = fl->in_port, .in_phy_port = fl->in_port, .tunnel_id = fl->key.tunnel_id};
        struct ft_key key;
        if (ft_parse(pkt, len, &meta, &key, NULL) != FT_STOP_DONE)
            break; /* Dropped as a malformed frame is at ingress (parse_*). */
        struct ft_walk_cont cont = w->cont;
        ft_walk_resume(T.p, r->v, &key, &cont, w);
    }
    r->prog[f] = pg;
    return pg;
}

static const struct prog *
prog_current(uint32_t f)
{
    return prog_at(vrec_current(), f);
}

/* Before a commit: walk the staged version for every frame in flight.
 * dp_commit publishes it as the next version, then may commit again (a
 * reclaim stages changes of its own, as lower subtable priority bounds)
 * and return at a later version; the first one is forwarded by meanwhile
 * and reclaimed before dp_commit returns. */
static void
before_commit(void)
{
    if (!ft_pipeline_dirty(T.p))
        return;
    struct vrec *r = vrec_get(ft_pipeline_version(T.p) + 1, true);
    for (size_t i = 0; i < T.n_open; i++)
        prog_at(r, T.fr[T.open[i] - 1].flow);
}

/* After a commit: walk the new version for every frame still in flight. */
static void
after_commit(void)
{
    T.commits++;
    vrec_current();
    for (size_t i = 0; i < T.n_open; i++)
        prog_current(T.fr[T.open[i] - 1].flow);
}

/* Forget versions no frame in flight can use. */
static void
vrec_prune(void)
{
    uint64_t keep = ft_pipeline_version(T.p);
    keep = keep > 64 ? keep - 64 : 0; /* A history, for reports. */
    for (size_t i = 0; i < T.n_open; i++)
        if (T.fr[T.open[i] - 1].lo < keep)
            keep = T.fr[T.open[i] - 1].lo;
    size_t k = 0;
    while (k < T.n_vr && T.vr[k].v < keep) {
        for (unsigned f = 0; f < N_FLOWS; f++)
            free(T.vr[k].prog[f]);
        k++;
    }
    memmove(T.vr, T.vr + k, (T.n_vr - k) * sizeof *T.vr);
    T.n_vr -= k;
}

#include "e2e_judge.h"

/* ---- traffic --------------------------------------------------------------------- */

static void
stray(const char *what, const uint8_t *d, size_t len, uint32_t port)
{
    T.strays++;
    if (T.details++ < MAX_DETAILS) {
        fprintf(stderr,
                "\ne2e_diff (%s) STRAY: %s (port %u), replay: OFSWITCH_TEST_SEED=%llu "
                "(run %u):\n",
                MODE_NAME, what, port, (unsigned long long)T.seed, T.loop);
        ei_hex(stderr, "      ", d, len);
    }
}

static void
record(const struct ei_out *o)
{
    uint32_t id = ei_trailer_id(o->data, o->len);
    if (!id || id > T.n_fr) {
        stray("a frame without a known trailer", o->data, o->len, o->port);
        return;
    }
    struct frec *r = &T.fr[id - 1];
    if (r->state) {
        stray("a copy of a frame already judged", o->data, o->len, o->port);
        return;
    }
    if (r->n_em == r->cap_em) {
        size_t cap = r->cap_em;
        r->em = grow(r->em, &cap, cap + 1, sizeof *r->em);
        r->cap_em = (uint16_t)cap;
    }
    r->em[r->n_em++] = *o;
}

/* Take what the switch emitted so far: ports' TX rings and packet-ins. */
static unsigned note_taken(void);

static void
drain(void)
{
    static struct ei_out o;
    note_taken();
    for (unsigned p = 0; p < N_PORTS; p++)
        for (unsigned q = 0; q < N_TXQ; q++) {
            struct rte_mbuf *ms[64];
            unsigned n;
            while ((n = rte_ring_dequeue_burst(T.rp[p].tx[q], (void **)ms, 64, NULL))) {
                for (unsigned i = 0; i < n; i++) {
                    uint32_t len = rte_pktmbuf_pkt_len(ms[i]);
                    memset(&o, 0, offsetof(struct ei_out, data));
                    o.port = p + 1;
                    if (len > EI_MAX_FRAME) {
                        stray("an oversized frame", rte_pktmbuf_mtod(ms[i], uint8_t *),
                              rte_pktmbuf_data_len(ms[i]), p + 1);
                    } else {
                        o.len = (uint16_t)len;
                        const void *d = rte_pktmbuf_read(ms[i], 0, len, o.data);
                        if (d != o.data)
                            memcpy(o.data, d, len);
                        record(&o);
                    }
                    rte_pktmbuf_free(ms[i]);
                    T.emitted++;
                }
            }
        }
    struct dp_packet_in *pins[64];
    size_t n;
    while ((n = dp_packet_in_pop(T.dp, pins, 64))) {
        for (size_t i = 0; i < n; i++) {
            const struct dp_packet_in *pi = pins[i];
            memset(&o, 0, offsetof(struct ei_out, data));
            o.pin = true;
            o.reason = pi->reason;
            o.table_id = pi->table_id;
            o.cookie = pi->cookie;
            o.metadata = pi->metadata;
            o.total_len = pi->total_len;
            if (pi->data_len > EI_MAX_FRAME) {
                stray("an oversized packet-in", pi->data, pi->data_len, 0);
            } else {
                o.len = (uint16_t)pi->data_len;
                memcpy(o.data, pi->data, pi->data_len);
                uint32_t id = ei_trailer_id(o.data, o.len);
                if (id && id <= T.n_fr && pi->in_port != T.flows[T.fr[id - 1].flow].in_port)
                    stray("a packet-in with the wrong in_port", o.data, o.len, pi->in_port);
                else
                    record(&o);
            }
            dp_packet_in_free(T.dp, pins[i]);
            T.pins++;
        }
    }
}

#if !INLINE
static void
pause_a_little(void)
{
    nanosleep(&(struct timespec){0, 20000}, NULL);
}
#endif

#if INLINE
/* One dp_poll: the frames it took were forwarded by the version committed
 * now (lo = hi: in flight before, they could be no other), and all they
 * became is in the TX rings. */
static void
poll_once(void)
{
    ck_assert_uint_eq(note_taken(), 0);
    dp_poll(T.dp);
    drain();
    note_taken();
    for (size_t i = 0; i < T.n_open;) {
        struct frec *r = &T.fr[T.open[i] - 1];
        if (r->taken) {
            r->lo = r->hi;
            close_frame(i);
        } else {
            i++;
        }
    }
    vrec_prune();
}
#endif

static void
inject(unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        uint32_t f = rnd(N_FLOWS);
        const struct flow *fl = &T.flows[f];
        T.fr = grow(T.fr, &T.cap_fr, T.n_fr + 1, sizeof *T.fr);
        uint32_t id = (uint32_t)++T.n_fr;
        struct frec *r = &T.fr[id - 1];
        memset(r, 0, sizeof *r);
        r->flow = f;
        r->lo = ft_pipeline_version(T.p);
        prog_current(f);
        T.open = grow(T.open, &T.cap_open, T.n_open + 1, sizeof *T.open);
        T.open[T.n_open++] = id;
        struct rte_mbuf *m = rte_pktmbuf_alloc(T.pool);
        ck_assert_ptr_nonnull(m);
        frame_bytes(id, (uint8_t *)rte_pktmbuf_append(m, fl->len));
        unsigned port = fl->in_port - 1, q = INLINE ? 0 : rnd(N_RXQ);
        uint64_t deadline = rte_rdtsc() + 5 * rte_get_tsc_hz();
        while (rte_ring_enqueue(T.rp[port].rx[q], m)) {
#if INLINE
            poll_once();
#else
            drain();
            pause_a_little();
#endif
            ck_assert_msg(rte_rdtsc() < deadline, "RX ring of port %u stays full", port + 1);
        }
        /* A worker may have taken it already: the ring then holds fewer
         * than the FIFO, as it should. */
        T.fifo[port][q][(T.fifo_head[port][q] + T.fifo_n[port][q]++) % RX_RING] = id;
        T.injected++;
    }
}

static void check_removed(void);
static void check_live_counts(void);

/* Every frame injected so far is forwarded, and judged. */
static void
sync_all(void)
{
#if INLINE
    while (T.n_open)
        poll_once();
#else
    uint64_t deadline = rte_rdtsc() + 10 * rte_get_tsc_hz();
    for (;;) {
        unsigned pending = 0;
        for (unsigned p = 0; p < N_PORTS; p++)
            for (unsigned q = 0; q < N_RXQ; q++)
                pending += rte_ring_count(T.rp[p].rx[q]);
        if (!pending)
            break;
        drain();
        if (rte_rdtsc() > deadline) {
            print_state();
            ck_abort_msg("workers left %u frames in RX rings for 10 s", pending);
        }
        pause_a_little();
    }
    /* Every loop that took a frame has ended (and sent it) once each
     * worker acknowledged a later fold request. */
    ck_assert_int_eq(dp_fold_counters(T.dp), 0);
    drain();
    while (T.n_open)
        close_frame(T.n_open - 1);
    vrec_prune();
#endif
    check_removed();
    check_live_counts();
}

/* ---- FLOW_REMOVED ---------------------------------------------------------------- */

static void
on_removed(void *aux, const struct ft_flow_removed *fr)
{
    (void)aux;
    T.rm = grow(T.rm, &T.cap_rm, T.n_rm + 1, sizeof *T.rm);
    T.rm[T.n_rm++] = (struct removed){fr->cookie, fr->packet_count, fr->reason};
}

static void
count_error(uint64_t c, uint64_t packets, const char *what)
{
    T.count_errors++;
    T.count_low += packets < T.cmin[c];
    if (T.count_errors <= MAX_DETAILS)
        fprintf(stderr,
                "\ne2e_diff (%s) COUNT: %s of the rule with cookie 0x%llx says %llu packets; the "
                "frames judged say %u..%u\n  replay: OFSWITCH_TEST_SEED=%llu (run %u), version "
                "%llu\n",
                MODE_NAME, what, (unsigned long long)c, (unsigned long long)packets, T.cmin[c],
                T.cmax[c], (unsigned long long)T.seed, T.loop,
                (unsigned long long)ft_pipeline_version(T.p));
}

static int
check_live_rule(void *aux, const struct ft_rule *r)
{
    (void)aux;
    uint64_t c = ft_rule_cookie(r), packets;
    ft_rule_stats(r, &packets, NULL, NULL);
    if (c && c < T.ee.next_cookie && T.cstate[c] == 1 &&
        (packets < T.cmin[c] || packets > T.cmax[c]))
        count_error(c, packets, "the counters (after dp_fold_counters)");
    return 0;
}

/* Every live rule's counters against what the judged frames say (after a
 * sync: every frame is judged, and the workers folded). */
static void
check_live_counts(void)
{
    ck_assert_int_eq(dp_fold_counters(T.dp), 0);
    struct ft_flow_filter f = {
        .table_id = FT_TABLE_ALL, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&f.match);
    ft_pipeline_rules_foreach(T.p, &f, check_live_rule, NULL);
}

/* FLOW_REMOVED counts against what the judged frames say (after a sync:
 * every frame that could have hit a removed rule is judged). */
static void
check_removed(void)
{
    for (; T.rm_checked < T.n_rm; T.rm_checked++) {
        const struct removed *rm = &T.rm[T.rm_checked];
        uint64_t c = rm->cookie;
        if (c == 0 || c >= T.ee.next_cookie || T.cstate[c] != 1) {
            T.count_errors++;
            fprintf(stderr, "e2e_diff (%s): FLOW_REMOVED for cookie 0x%llx, which is %s\n",
                    MODE_NAME, (unsigned long long)c,
                    c && c < T.ee.next_cookie && T.cstate[c] == 2 ? "already removed"
                                                                  : "no rule of this test");
            continue;
        }
        T.cstate[c] = 2;
        if (rm->packets < T.cmin[c] || rm->packets > T.cmax[c]) {
            char what[64];
            snprintf(what, sizeof what, "FLOW_REMOVED (reason %u)", rm->reason);
            count_error(c, rm->packets, what);
        }
    }
}

/* ---- setup ----------------------------------------------------------------------- */

static void
ring_port_make(struct ring_port *p, unsigned idx)
{
    static unsigned seq;
    char name[16];
    snprintf(name, sizeof name, "ed%u_%u", seq++, idx);
    snprintf(p->name, sizeof p->name, "net_ring_%s", name);
    for (int q = 0; q < N_RXQ; q++) {
        char rn[RTE_RING_NAMESIZE];
        snprintf(rn, sizeof rn, "%s_rx%d", name, q);
        p->rx[q] = rte_ring_create(rn, RX_RING, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
        ck_assert_ptr_nonnull(p->rx[q]);
    }
    for (int q = 0; q < N_TXQ; q++) {
        char rn[RTE_RING_NAMESIZE];
        snprintf(rn, sizeof rn, "%s_tx%d", name, q);
        p->tx[q] = rte_ring_create(rn, TX_RING, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
        ck_assert_ptr_nonnull(p->tx[q]);
    }
    ck_assert_int_ge(rte_eth_from_rings(name, p->rx, N_RXQ, p->tx, N_TXQ, SOCKET_ID_ANY), 0);
}

static void
ring_port_free(struct ring_port *p)
{
    if (!p->name[0])
        return;
    rte_vdev_uninit(p->name);
    struct rte_mbuf *m;
    for (int q = 0; q < N_RXQ; q++) {
        while (!rte_ring_dequeue(p->rx[q], (void **)&m))
            rte_pktmbuf_free(m);
        rte_ring_free(p->rx[q]);
    }
    for (int q = 0; q < N_TXQ; q++) {
        while (!rte_ring_dequeue(p->tx[q], (void **)&m))
            rte_pktmbuf_free(m);
        rte_ring_free(p->tx[q]);
    }
    memset(p, 0, sizeof *p);
}

static void
run_free(void)
{
    if (T.dp)
        dp_destroy(T.dp); /* Stops the adopted ring ports, does not close them. */
    T.dp = NULL;
    for (unsigned i = 0; i < N_PORTS; i++)
        ring_port_free(&T.rp[i]);
    rte_mempool_free(T.pool);
    T.pool = NULL;
    for (size_t k = 0; k < T.n_vr; k++)
        for (unsigned f = 0; f < N_FLOWS; f++)
            free(T.vr[k].prog[f]);
    for (size_t i = 0; i < T.n_fr; i++)
        free(T.fr[i].em);
    free(T.vr);
    free(T.fr);
    free(T.open);
    free(T.cmin);
    free(T.cmax);
    free(T.cstate);
    free(T.rm);
    memset(&T, 0, offsetof(typeof(T), walk));
}

static void
cache_config(struct ft_cache_config *c, unsigned kind)
{
    if (kind == 0)
        return; /* The default. */
    c->max_entries = kind == 1 ? 64 : 12;
    c->emc_entries = kind == 1 ? 64 : 16;
    c->emc_insert_inv_prob = kind == 1 ? 4 : 1;
    c->sig_buckets = 64;
    c->max_masks = kind == 1 ? 16 : 3;
    c->index_after_scan = kind == 1 ? 8 : 2;
}

/* Runs 0-2: one stage, default / small / tiny caches; 3 and 4: stages
 * starting at random tables (default and tiny caches). */
#define N_RUNS 5
static const char *const cache_names[N_RUNS] = {"default cache", "small cache", "tiny cache",
                                                "default cache, staged", "tiny cache, staged"};

static unsigned
run_cache_kind(unsigned loop)
{
    return loop < 3 ? loop : loop == 3 ? 0 : 2;
}

static void
run_start(unsigned loop)
{
    dp_test_cleanup = run_free;
    run_free();
    T.loop = loop;
    T.seed = test_seed(); /* The run's generator starts at seed + 7919 * run. */
    T.ee = (struct ee){.rnd = T.seed + loop * 7919u, .next_cookie = 1, .on_rule = note_rule};
    char name[32];
    snprintf(name, sizeof name, "e2e_diff_%u", loop);
    T.pool = rte_pktmbuf_pool_create(name, 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ck_assert_ptr_nonnull(T.pool);
    struct dp_config cfg;
    dp_config_default(&cfg);
    cfg.n_mbufs = 4095;
    cfg.pin_ring_size = 1024;
    cfg.l2_entries = 1024;
    cache_config(&cfg.cache, run_cache_kind(loop));
    if (loop >= 3) { /* Chains of stage entries under the same traffic and edits. */
        cfg.cache_stages_auto = false;
        uint64_t r = T.seed * 2654435761u + loop;
        unsigned bits = 1 + (unsigned)(r % 7); /* Tables 1..3 start stages. */
        for (unsigned t = 1; t <= 3; t++)
            if (bits & (1u << (t - 1)))
                cfg.cache.stages.starts[0] |= 1ull << t;
    }
    char err[256] = "";
    ck_assert_msg(dp_create(&cfg, &T.dp, err, sizeof err) == 0, "dp_create: %s", err);
    ck_assert(dp_inline(T.dp) == INLINE);
    T.p = T.ee.p = dp_pipeline(T.dp);
    ft_pipeline_set_flow_removed_cb(T.p, on_removed, NULL);
    for (unsigned i = 0; i < N_PORTS; i++) {
        ring_port_make(&T.rp[i], i);
        ck_assert_int_eq(dp_port_add(T.dp, i + 1, T.rp[i].name, err, sizeof err), 0);
    }
    for (unsigned f = 0; f < N_FLOWS; f++)
        flow_make(&T.flows[f], f);
}

/* ---- the test -------------------------------------------------------------------- */

struct counter {
    const char *name;
    uint64_t n;
};

static void
find_counter(void *aux, const char *name, uint64_t n)
{
    struct counter *c = aux;
    if (!strcmp(name, c->name))
        c->n = n;
}

static uint64_t
drop_counter(const char *name)
{
    struct counter c = {name, 0};
    dp_drop_counters(T.dp, find_counter, &c);
    return c.n;
}

START_TEST(differential)
{
    const char *only = getenv("E2E_DIFF_RUN");
    if (only && atoi(only) != _i)
        return;
    uint64_t t0 = rte_rdtsc();
    run_start((unsigned)_i);
    fprintf(stderr, "e2e_diff (%s, %s): OFSWITCH_TEST_SEED=%llu run %u\n", MODE_NAME,
            cache_names[_i], (unsigned long long)T.seed, (unsigned)_i);
    ee_build(&T.ee);
    ck_assert_int_eq(dp_commit(T.dp), 0);
    after_commit();
    for (unsigned step = 0; step < STEPS; step++) {
        inject(16 + rnd(64));
#if INLINE
        for (unsigned k = rnd(3); k > 0; k--) /* Sometimes two commits with no poll between. */
            poll_once();
#else
        drain();
#endif
        unsigned n_edits = 1 + rnd(3);
        for (unsigned k = 0; k < n_edits; k++) {
            T.edits++;
            T.edits_failed += !ee_edit(&T.ee);
        }
        before_commit();
        ck_assert_int_eq(dp_commit(T.dp), 0);
        after_commit();
        if (rnd(12) == 0) { /* Port 3's liveness (watched by FF and SELECT buckets). */
            T.port3_down = !T.port3_down;
            ck_assert_int_eq(
                dp_port_mod(T.dp, 3, NULL, T.port3_down ? FT_PC_PORT_DOWN : 0, FT_PC_PORT_DOWN), 0);
            after_commit();
        }
#if INLINE
        if (rnd(10) == 0)
            sync_all();
#else
        drain();
        if (step % SYNC_EVERY == SYNC_EVERY - 1)
            sync_all();
#endif
    }
    sync_all();

    /* Every rule goes: each FLOW_REMOVED must have come, with its count. */
    struct ft_flow_mod fm;
    tu_flow_mod_init(&fm, FT_FC_DELETE, "");
    ck_assert_int_eq(ft_pipeline_flow_mod(T.p, &fm, 0), FT_OK);
    ck_assert_int_eq(dp_commit(T.dp), 0);
    after_commit();
    for (int k = 0; k < 4; k++) { /* Freed a grace period after they were unlinked. */
        ck_assert_int_eq(dp_port_mod(T.dp, 3, NULL, k & 1 ? 0 : FT_PC_NO_FWD, FT_PC_NO_FWD), 0);
        after_commit();
    }
    sync_all();
    uint64_t missing = 0;
    for (uint64_t c = 1; c < T.ee.next_cookie; c++)
        missing += T.cstate[c] == 1;

    uint64_t ms = (rte_rdtsc() - t0) * 1000 / rte_get_tsc_hz();
    struct dp_worker_stats ws[4];
    size_t nw = dp_worker_stats(T.dp, ws, 4);
    uint64_t emc = 0, hits = 0, misses = 0;
    for (size_t i = 0; i < nw && i < 4; i++) {
        emc += ws[i].emc_hits;
        hits += ws[i].cache_hits;
        misses += ws[i].misses;
    }
    fprintf(stderr,
            "e2e_diff (%s, %s): %llu frames judged (%llu fit more than one version, %u not "
            "predictable), %llu copies, "
            "%llu packet-ins; %llu commits, %llu edits (%llu refused); %llu rules; emc %llu, "
            "cache %llu, walks %llu; %llu ms\n",
            MODE_NAME, cache_names[_i], (unsigned long long)T.judged,
            (unsigned long long)T.ambiguous, T.skipped, (unsigned long long)T.emitted,
            (unsigned long long)T.pins, (unsigned long long)T.commits, (unsigned long long)T.edits,
            (unsigned long long)T.edits_failed, (unsigned long long)(T.ee.next_cookie - 1),
            (unsigned long long)emc, (unsigned long long)hits, (unsigned long long)misses,
            (unsigned long long)ms);
    uint64_t tx_full = drop_counter("tx_full"), nomem = drop_counter("nomem"),
             pin_full = drop_counter("pin_ring_full");
    if (T.mismatches || T.strays || T.count_errors || missing) {
        fprintf(stderr, "e2e_diff (%s, %s): mismatches by kind (first 64):", MODE_NAME,
                cache_names[_i]);
        for (int cl = 0; cl < CL_N; cl++)
            fprintf(stderr, " %s %u;", cl_names[cl], T.by_class[cl]);
        fprintf(stderr, "\n");
        print_state();
    }
    ck_assert_msg(
        !T.mismatches && !T.strays && !T.count_errors && !missing && T.skipped * 100 <= T.judged,
        "%s, %s, OFSWITCH_TEST_SEED=%llu run %u: %u frames mismatched, %u stray copies, "
        "%u wrong rule counts (%u too low), %llu FLOW_REMOVED missing, %u frames not "
        "predictable",
        MODE_NAME, cache_names[_i], (unsigned long long)T.seed, (unsigned)_i, T.mismatches,
        T.strays, T.count_errors, T.count_low, (unsigned long long)missing, T.skipped);
    if (_i >= 3) { /* The staged runs did chain stages. */
        struct dp_cache_info ci[4];
        size_t n_caches = dp_cache_stats(T.dp, ci, 4);
        uint64_t chained = 0;
        for (size_t w = 0; w < n_caches && w < 4; w++)
            chained += ci[w].st.stage_lookups;
        ck_assert_msg(chained > 0, "staged run %d looked up no later stage", _i);
    }
    /* The harness itself lost nothing. */
    ck_assert_uint_eq(tx_full + nomem + pin_full, 0);
    ck_assert_uint_eq(T.injected, T.judged);
    run_free();
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("e2e_diff");
    TCase *tc = tcase_create("e2e_diff");
    tcase_set_timeout(tc, E2E_SAN ? 300 : 120);
    tcase_add_loop_test(tc, differential, 0, N_RUNS);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, LCORES)
