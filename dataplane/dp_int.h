/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_int.h (internal) — the dataplane's structures, shared by its files.
 *
 * Who touches what:
 *  - struct dp and struct dp_port belong to the agent (main lcore): only
 *    it reads or writes them, except the fields marked "atomic".
 *  - What workers need is published by the agent as an immutable struct
 *    dp_snap (one pointer store, release). A worker loads it at the top of
 *    each loop, never mid-burst, so every packet is handled wholly by one
 *    snapshot and the pipeline version it names. The agent frees an old
 *    snapshot (and reclaims pipeline memory) once rte_rcu_qsbr says every
 *    worker has passed a quiescent state — reported at the top of each
 *    loop, before the load, so it also means "every worker now uses the
 *    new snapshot".
 *  - struct dp_worker: each field says who reads and writes it.
 */
#ifndef DP_INT_H
#define DP_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "dp.h"
#include "dp_control.h"
#include "ft_vec.h"
#include "dp_counters.h"
#include "dp_meter.h"
#include "dp_pkt.h"
#include "ft_walk.h"

#define DP_BURST        32
#define DP_MAX_PORTS    RTE_MAX_ETHPORTS
#define DP_TXBUF        32
#define DP_ARENA_OPS    (4 * FT_WALK_MAX_OPS) /* Program bytes per classify call. */
#define DP_RULE_BATCH   64                    /* Rule counter slots per worker. */
#define DP_SMALL_PORT   256                   /* Port numbers with a direct index. */
#define DP_TSC_NS_SHIFT 24                    /* Fixed point of dp->tsc_ns_mult. */

_Static_assert(DP_MAX_PORTS <= 64, "tx_dirty is a 64-bit mask");
_Static_assert(DP_RULE_BATCH <= 64, "rule_acc_used is a 64-bit mask");

/* ---- what workers see: the snapshot ----------------------------------------------- */

/* A port as the workers need it. */
struct dp_port_rt {
    uint32_t port_no;
    uint32_t config; /* enum ft_port_config bits. */
    uint16_t eth_id; /* DPDK port id. */
    uint16_t slot;   /* Index of the port's TX buffer and counters. */
    uint16_t n_txq;
    bool link_up; /* As the agent last read it (liveness: FLOOD, ALL, groups). */
    /* Down on a kernel interface (net_af_packet, net_af_xdp): their PMDs
     * take packets into a dead interface, so they are dropped before.
     * Other PMDs are handed every packet whatever link_up says: the agent
     * reads links every 50 ms, the PMD knows at once, and refuses what it
     * cannot send (counted link_down while link_up is false). */
    bool link_gated;
    rte_spinlock_t *txq_lock; /* One per TX queue when queues are shared by
                               * more threads than the device has queues;
                               * NULL: every thread has its own queue. */
};

/* One RX queue a worker polls. */
struct dp_rxq {
    uint16_t eth_id;
    uint16_t qid;
    uint16_t port; /* Index in dp_snap.ports. */
};

struct dp_snap {
    uint64_t gen;     /* +1 per publish: a worker that sees a jump missed one. */
    uint64_t version; /* The pipeline version every packet is walked in. */
    /* The pipeline changes of this version (for the flow cache). */
    struct ft_change *changes;
    size_t n_changes;
    bool changes_lost; /* The log was lost: caches must be flushed. */
    struct dp_meter_table *meters;
    /* Configuration. */
    uint8_t frag_mode; /* enum dp_frag_mode. */
    bool invalid_ttl_to_ctrl;
    bool standalone;
    uint16_t miss_send_len;
    struct ft_walk_stages stages; /* Where the flow caches' stages start. */
    /* The port being captured (0: none), its TX slot and the copies' ring. */
    uint32_t capture_port;
    uint16_t capture_slot;
    struct rte_ring *capture_ring;
    /* Ports by ascending number (FLOOD's order). */
    uint16_t n_ports;
    struct dp_port_rt ports[DP_MAX_PORTS];
    uint8_t small[DP_SMALL_PORT]; /* port_no -> index + 1, 0 = absent. */
    /* RX queues: worker i polls rxq[rx_first[i] .. rx_first[i] + rx_count[i]). */
    uint16_t *rx_first;
    uint16_t *rx_count;
    struct dp_rxq *rxq;
};

/* Whether packets to rt go to its PMD: neither PORT_DOWN nor NO_FWD nor
 * link_gated (dp_exec_send names which of them dropped one). */
static inline bool
dp_port_sends(const struct dp_port_rt *rt)
{
    return !rt->link_gated && !(rt->config & (FT_PC_PORT_DOWN | FT_PC_NO_FWD));
}

static inline const struct dp_port_rt *
dp_snap_port(const struct dp_snap *s, uint32_t port_no)
{
    if (port_no < DP_SMALL_PORT) {
        unsigned i = s->small[port_no];
        return i ? &s->ports[i - 1] : NULL;
    }
    for (unsigned i = 0; i < s->n_ports; i++)
        if (s->ports[i].port_no == port_no)
            return &s->ports[i];
    return NULL;
}

/* ---- workers ------------------------------------------------------------------------------ */

/* Classification hands execution the flow cache's result as it is (a
 * packet's program: its stage programs, run in order), without a copy.
 * Why a packet whose program sends it nowhere is dropped: */
static inline enum dp_drop
dp_prog_drop(const struct ft_cache_result *p)
{
    if (p->flags & FT_WALK_F_OVERFLOW)
        return DP_DROP_OVERFLOW;
    if (p->flags & FT_WALK_F_TABLE_MISS)
        return DP_DROP_NO_MATCH;
    return DP_DROP_ACTION_DROP;
}

struct dp_txbuf {
    uint16_t n;
    uint16_t eth_id;
    uint16_t qid;
    bool link_up; /* The port's, when the buffer was opened: names a refusal. */
    rte_spinlock_t *lock;
    struct rte_mbuf *pkts[DP_TXBUF];
};

/* Counters a worker writes with relaxed stores and the agent reads. */
struct dp_wcounters {
    uint64_t packets;
    uint64_t busy_cycles;
    uint64_t busy_polls;
    uint64_t idle_cycles;
    uint64_t emc_hits;
    uint64_t cache_hits;
    uint64_t misses;
    uint64_t miss_cycles;
    uint64_t drop[DP_N_DROPS];
    uint64_t note[DP_N_NOTES];
    uint64_t port_rx_drop[DP_MAX_PORTS]; /* By port slot. */
    uint64_t port_tx_drop[DP_MAX_PORTS];
    uint64_t poll_hist[DP_POLL_BUCKETS];
};

/* Add to a counter only its worker writes: relaxed, so agent reads are
 * well-defined; a plain add on x86. */
#define DP_COUNT(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)

struct dp_rule_acc {
    const struct ft_rule *rule;
    uint64_t packets;
    uint64_t bytes;
};

/*
 * Per-lcore state of a worker; also used, with is_agent set, for the
 * agent's own packet-out execution (no RX; its own TX queue and packet-in
 * ring).
 */
struct dp_worker {
    /* Set by the agent before the worker starts; read-only afterwards. */
    struct dp *dp;
    unsigned idx;   /* Worker index: RCU thread id, TX queue choice. */
    unsigned lcore; /* EAL lcore (the main lcore for inline and agent). */
    bool is_agent;
    struct rte_ring *pin_ring;  /* Single producer: this worker; consumer: agent. */
    struct ft_walk_out *walk;   /* Scratch of dp_classify (20 KiB). */
    struct ft_op *arena;        /* Programs of one dp_classify call. */
    struct ft_cache *cache;     /* This worker's flow cache (not the agent's). */
    uint64_t cache_miss_cycles; /* The cache's miss_cycles when last read. */

    /* Worker only (read and written by this worker alone). */
    const struct dp_snap *snap;
    uint64_t snap_gen;
    bool changes_lost;     /* For the flow cache: flush before the next lookup. */
    uint64_t fold_seen;    /* The last fold request taken, */
    uint64_t fold_done;    /* and the last one finished. */
    uint64_t maintain_tsc; /* When dp_classify_maintain runs next. */
    uint64_t now_ns;       /* CLOCK_MONOTONIC at the start of this loop (dp_worker_clock). */
    uint64_t clk_ns;       /* CLOCK_MONOTONIC read at TSC clk_tsc: */
    uint64_t clk_tsc;      /* now_ns counts on from there, */
    uint64_t clk_mult;     /* ticks * clk_mult >> DP_TSC_NS_SHIFT ns a tick. */
    uint64_t cal_ns;       /* The clock and the TSC when their rates */
    uint64_t cal_tsc;      /* were last compared. */
    uint64_t meter_now;    /* dp_meter_now() at the start of this loop. */
    uint64_t tx_dirty;     /* Slots with buffered packets. */
    struct dp_txbuf tx[DP_MAX_PORTS];
    struct dp_rule_acc rule_acc[DP_RULE_BATCH];
    uint64_t rule_acc_used; /* Bit i: rule_acc[i] holds a rule. */
    uint32_t tbl_lookups[FT_N_TABLES];
    uint32_t tbl_matches[FT_N_TABLES];
    uint64_t tbl_touched[4]; /* Bit per table id with counts to flush. */
    /* One burst: its parsed packets in order (mbufs), in runs of packets
     * with the same headers (one flow's, in a row): run r is n_run[r]
     * packets of lens[r] bytes in all, with one key, layout and program. */
    struct rte_mbuf *mbufs[DP_BURST];
    uint16_t n_run[DP_BURST];
    uint32_t lens[DP_BURST];
    struct ft_layout lays[DP_BURST];
    struct ft_cache_result progs[DP_BURST];
    struct ft_key keys[DP_BURST];
    const struct ft_key *kp[DP_BURST]; /* &keys[r], set once. */
    bool same_pays; /* In the last burst a quarter of those compared were: compare all. */
    /* Packets parsed again after a recirculation: the batch being run and
     * the one its recirculations fill (rq[rq_fill]). */
    struct dp_rbatch {
        unsigned n;
        struct rte_mbuf *mbufs[DP_BURST];
        uint32_t lens[DP_BURST];
        struct ft_layout lays[DP_BURST];
        struct ft_key keys[DP_BURST];
        const struct ft_key *kp[DP_BURST]; /* &keys[i], set once. */
    } rq[2];
    unsigned rq_fill;

    /* Written by this worker (relaxed), read by the agent. */
    struct dp_wcounters c __rte_cache_aligned;

    /* Written by this worker (release), read by the agent: the last fold
     * request served; whether its thread started (it warms its heap
     * then); whether the loop runs (RCU reader online). */
    _Atomic uint64_t fold_ack __rte_cache_aligned;
    _Atomic bool started;
    _Atomic bool running;

    /* Written by this worker about every millisecond, read by the agent
     * (dp_cache_stats): a copy of the cache's report under a sequence
     * count (odd while being written). */
    _Atomic uint32_t cache_seq __rte_cache_aligned;
    struct dp_cache_info cache_pub;
} __rte_cache_aligned;

static inline void
dp_drop(struct dp_worker *w, enum dp_drop d, unsigned n)
{
    DP_COUNT(w->c.drop[d], n);
}

static inline void
dp_note(struct dp_worker *w, enum dp_note d)
{
    DP_COUNT(w->c.note[d], 1);
}

/* ---- the agent's side ---------------------------------------------------------------------------
 */

struct dp_port {
    bool used;
    /* Deleted, but its device is kept until a published snapshot without
     * it has been taken by every worker (dp_port_reap). The slot waits. */
    bool releasing;
    bool probed; /* ofswitch hot-plugged the device: remove it on delete. */
    uint32_t port_no;
    uint16_t eth_id;
    uint16_t n_rxq, n_txq;
    uint16_t *rxq_worker; /* Worker polling each RX queue. */
    rte_spinlock_t *txq_lock;
    char devname[64]; /* The DPDK device name (what devargs probed). */
    /* The kernel interface under a net_af_packet or net_af_xdp port (their
     * PMDs report the link up whatever the interface does), or "". */
    char kiface[16];
    char name[16];
    uint8_t hw_addr[6];
    uint32_t config;
    bool link_up;
    uint32_t link_speed; /* Mb/s. */
    bool full_duplex;
    bool autoneg;
    uint32_t speed_capa; /* RTE_ETH_LINK_SPEED_* */
    uint64_t created_ns;
    /* Our counters' sums when the port took this slot (slots are reused). */
    uint64_t base_rx_drop, base_tx_drop;
};

/* A snapshot the agent could not free yet (a worker did not pass a
 * quiescent state in time). */
struct dp_limbo {
    struct dp_snap *snap;
    uint64_t token;
};

/* The automatic choice of stages (dp_stages.c). */
enum dp_stages_phase {
    DP_STAGES_ONE,     /* One stage. */
    DP_STAGES_FILLING, /* Trying `trial`: the caches refill. */
    DP_STAGES_TRIAL,   /* Trying `trial`: measured against one stage. */
    DP_STAGES_KEPT,    /* Stages won. */
};

struct dp_stage_sample {
    uint64_t lookups, misses;      /* Summed over workers since they started. */
    uint64_t packets, busy_cycles; /* Likewise: what a packet costs. */
    uint32_t entries;              /* In every worker's cache now. */
};

struct dp_stage_auto {
    uint8_t phase; /* enum dp_stages_phase. */
    uint64_t next_ns, retry_ns, backoff_ns;
    struct dp_stage_sample last;
    uint32_t one_entries;    /* With one stage, when the trial began, */
    uint64_t one_miss_per_m; /* its misses per million lookups */
    uint64_t one_cpp_milli;  /* and busy cycles per 1000 packets. */
    bool reverted;           /* The last trial went back to one stage. */
    struct ft_walk_stages trial;
    /* The pipeline version whose rules have no goto (0: none seen): no
     * need to scan them again until the version changes. */
    uint64_t no_goto_version;
    uint64_t scans; /* Of the rules for gotos (tests). */
};

/* What the automatic choice does at the end of a window. */
enum dp_stages_step {
    DP_STAGES_STEP_NONE,   /* Nothing changes. */
    DP_STAGES_STEP_TRY,    /* Try the candidate stages (phase is FILLING now). */
    DP_STAGES_STEP_REVERT, /* Back to one stage (phase ONE, retry later). */
    DP_STAGES_STEP_FOLLOW, /* Stages kept: follow the pipeline's gotos. */
};

/* The choice without the dataplane (dp_stages.c; tested alone): given the
 * counters at the end of a window, advances a. Stages are kept only when
 * they need half the entries or half the misses of one stage AND a packet
 * costs at most 10 % more busy cycles than with one stage (or half as many,
 * whatever the entries): a pipeline whose one-stage cache fits keeps its
 * single lookup. */
enum dp_stages_step dp_stages_decide(struct dp_stage_auto *a, const struct dp_stage_sample *cur,
                                     uint64_t now_ns);

struct dp {
    struct dp_config cfg;
    struct ft_pipeline *p;
    /* Odd while the agent's thread sends (packet-out) or polls inline
     * (dp_port_maps.c waits for it to change). */
    _Atomic uint64_t agent_io;
    uint64_t tsc_hz;
    uint64_t tsc_ns_mult;     /* TSC ticks to ns: ticks * tsc_ns_mult >> DP_TSC_NS_SHIFT. */
    uint64_t clk_stale;       /* TSC ticks (2 ms) after which a worker reads the clock again. */
    unsigned poll_unit_shift; /* log2 of poll_hist's unit in TSC cycles. */
    unsigned n_workers;
    bool inline_mode;
    struct dp_worker **workers;
    struct dp_worker *agent; /* Packet-out context. */
    struct rte_mempool *pool;
    struct rte_mempool *pin_pool;
    struct rte_rcu_qsbr *qsv;
    struct dp_l2 *l2;

    struct dp_snap *_Atomic snap; /* atomic: published to workers. */
    _Atomic bool stop;            /* atomic: workers exit their loop. */
    _Atomic uint64_t fold_req;    /* atomic: dp_fold_counters' request. */
    _Atomic bool agent_asleep;    /* atomic: dp_wake.c. */
    int wake_fd;                  /* eventfd the sleeping agent polls. */
    uint64_t gen;
    bool dirty;          /* Agent state changed since the last publish. */
    bool publish_failed; /* The last publish failed: the next one starts afresh. */
    struct dp_limbo limbo[8];
    unsigned n_limbo;

    /* Configuration the next snapshot carries. */
    uint32_t capture_port; /* ofswitch-ctl capture: 0 none. */
    struct rte_ring *capture_ring;
    uint8_t frag_mode;
    bool invalid_ttl_to_ctrl;
    bool standalone;
    uint16_t miss_send_len;
    struct ft_walk_stages stages; /* Now; chosen by dp_stages.c when stages_auto. */
    bool stages_auto;
    struct dp_stage_auto sa;
    bool flush_caches; /* The next snapshot empties every flow cache. */

    struct dp_port ports[DP_MAX_PORTS];
    unsigned next_rx_worker;
    uint64_t link_poll_tsc;
    struct ft_vec events; /* struct dp_port_event, oldest first. */
    unsigned pin_next;    /* Round robin over packet-in rings. */

    /* dp_worker_stats_clear: what the counters read at the last clear. */
    struct dp_worker_stats *stats_base;
};

/* ---- functions shared inside the dataplane ----------------------------------------------------
 */

/* A worker's counters, as read by another thread (dp.c). */
void dp_worker_read(const struct dp_worker *w, struct dp_worker_stats *st);
/* Entries in a worker's flow cache, from its last report (dp_classify.c). */
uint32_t dp_worker_cache_entries(struct dp_worker *w);

/* dp_worker.c */
struct dp_worker *dp_worker_new(struct dp *dp, unsigned idx, unsigned lcore, bool is_agent);
void dp_worker_free(struct dp_worker *w);
int dp_worker_main(void *arg);
/* In the thread that will poll w: warm that thread's heap for what
 * filling w's cache allocates (ft_alloc_warm), so that a worker's misses
 * do not take page faults. */
void dp_worker_warm(struct dp_worker *w);
unsigned dp_worker_poll(struct dp_worker *w);
/* Take snapshot s (generations start at 1): apply its cache changes. The
 * worker's own thread calls it — in inline mode that is the agent's, from
 * dp_publish, before the old snapshot and what it kept alive are freed. */
void dp_worker_adopt(struct dp_worker *w, const struct dp_snap *s);
void dp_tx_flush(struct dp_worker *w, unsigned slot);
void dp_tx_flush_all(struct dp_worker *w);
void dp_stats_flush(struct dp_worker *w);
uint64_t dp_clock_ns(void);

/* TX queue of a worker (or the agent) on a port. */
/* w's TX buffer for rt, ready for packets. */
static inline struct dp_txbuf *
dp_txbuf_open(struct dp_worker *w, const struct dp_port_rt *rt)
{
    struct dp_txbuf *b = &w->tx[rt->slot];
    if (!b->n) {
        b->eth_id = rt->eth_id;
        b->qid = (uint16_t)(w->idx % rt->n_txq);
        b->link_up = rt->link_up;
        b->lock = rt->txq_lock ? &rt->txq_lock[b->qid] : NULL;
        w->tx_dirty |= 1ull << rt->slot;
    }
    return b;
}

static inline void
dp_tx_enqueue(struct dp_worker *w, const struct dp_port_rt *rt, struct rte_mbuf *m)
{
    struct dp_txbuf *b = dp_txbuf_open(w, rt);
    b->pkts[b->n++] = m;
    if (b->n == DP_TXBUF)
        dp_tx_flush(w, rt->slot);
}

/* n packets in a row to rt (a run of one flow's). */
static inline void
dp_tx_enqueue_n(struct dp_worker *w, const struct dp_port_rt *rt, struct rte_mbuf *const *m,
                unsigned n)
{
    while (n) {
        struct dp_txbuf *b = dp_txbuf_open(w, rt);
        unsigned k = DP_TXBUF - b->n;
        k = k < n ? k : n;
        for (unsigned i = 0; i < k; i++)
            b->pkts[b->n + i] = m[i];
        b->n = (uint16_t)(b->n + k);
        m += k;
        n -= k;
        if (b->n == DP_TXBUF)
            dp_tx_flush(w, rt->slot);
    }
}

/* dp_classify.c */
/* Programs for n runs of packets: run i is n_run[i] packets of one key,
 * keys[i], of lens[i] bytes in all (ft_cache_lookup_runs). Returns how
 * many runs it classified (at most FT_CACHE_BURST). */
unsigned dp_classify(struct dp_worker *w, const struct ft_key *const *keys, const uint16_t *n_run,
                     const uint32_t *lens, unsigned n, struct ft_cache_result *progs);
void dp_classify_changes(struct dp_worker *w, const struct dp_snap *s);
void dp_classify_fold(struct dp_worker *w);
/* A fold in steps (dp_worker_poll): request it, then step until true. */
void dp_classify_fold_request(struct dp_worker *w);
bool dp_classify_fold_step(struct dp_worker *w);
/* A poll that found no packet: a small step of a running fold. */
void dp_classify_idle(struct dp_worker *w);
void dp_classify_maintain(struct dp_worker *w);
/* ft_cache_masks_foreach callback filling a dp_cache_info. */
void dp_cache_mask_note(void *aux, const struct ft_key *mask, uint32_t entries, uint64_t hits);
void dp_count_walk(struct dp_worker *w, const struct ft_walk_out *o, uint32_t len);

/* dp_exec.c */
struct dp_xctx;

/* A packet whose program ended in FT_OP_RECIRC: parse it again and
 * classify it with these recirc fields. */
struct dp_recirc {
    struct rte_mbuf *m;
    uint16_t id, gen;
    uint64_t tunnel_id; /* As the program left it. */
};
#define DP_MAX_RECIRC 8 /* Parses per packet after the first; more: dropped. */

/* Run prog on m (the worker owns m from here). True when the program
 * recirculates: *rc then holds the packet, for dp_recirc_parse. */
bool dp_exec_packet(struct dp_worker *w, const struct dp_port_rt *in, uint32_t in_port,
                    struct rte_mbuf *m, const struct ft_key *key, const struct ft_layout *lay,
                    const struct ft_cache_result *prog, struct dp_recirc *rc);
/* Parse rc's packet again into key (recirc fields set) and lay. */
enum ft_parse_stop dp_recirc_parse(const struct dp_recirc *rc, uint32_t in_port, struct ft_key *key,
                                   struct ft_layout *lay);

/* The agent waiting for workers: spin briefly, then sleep a little so a
 * worker sharing our CPU (more lcores than cores) gets to run. */
static inline void
dp_wait_step(unsigned *spins)
{
    if (++*spins < 256) {
        rte_pause();
    } else {
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
}

/* dp_snap.c */
int dp_publish(struct dp *dp);
/* dp_port.c: the port numbered port_no, or NULL. */
struct dp_port *dp_port_find(struct dp *dp, uint32_t port_no);
/* dp_capture.c: copy m for the port capture (dir 0 received, 1 sent). */
void dp_capture_copy(struct dp_worker *w, struct rte_mbuf *m, uint8_t dir);
/* At dp_destroy, workers stopped: free the ring and what it holds. */
void dp_capture_destroy(struct dp *dp);
/* Publish a change of the dataplane's own state (ports, config) that may
 * also have staged pipeline port entries. staged_before: the agent had
 * edits staged before ours; then only a snapshot is published and the
 * pipeline part goes out with the agent's next dp_commit (we never commit
 * the agent's half-done work). Else commit. */
int dp_apply(struct dp *dp, bool staged_before);
void dp_snap_free(struct dp_snap *s);

/* dp_wake.c: the agent's wake-up eventfd (dp_agent_may_sleep and its kin
 * in dp_control.h). */
int dp_wake_init(struct dp *dp);
void dp_wake_fini(struct dp *dp);
int dp_wait_workers(struct dp *dp);

/* dp_port_maps.c: the process's mmap() populates shared mappings made in
 * the EAL interrupt thread; its munmap() waits, in that thread, for the
 * polls under way of the dataplane set here (NULL: none);
 * the agent's thread brackets its port I/O with dp_io_enter/leave. */
void dp_unmap_guard_set(struct dp *dp);
void dp_io_enter(struct dp *dp);
void dp_io_leave(struct dp *dp);

/* dp_port.c */
void dp_port_del_all(struct dp *dp);
/* Release the devices of deleted ports: call only when no worker can still
 * use a snapshot that had them (after a grace period, or with workers
 * stopped). */
void dp_port_reap(struct dp *dp);
void dp_port_event_push(struct dp *dp, uint8_t reason, const struct dp_port *port);
void dp_port_fill_info(const struct dp_port *port, struct dp_port_info *info);

/* dp_pktio.c */
struct dp_pin_meta {
    uint8_t reason;
    uint8_t table_id;
    uint16_t max_len;
    uint32_t total_len;
    uint64_t cookie;
    uint32_t in_port;
    uint64_t metadata;
    uint64_t tunnel_id;
};

#endif /* DP_INT_H */
