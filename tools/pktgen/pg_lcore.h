/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_lcore.h — the TX and RX roles and the run control they share.
 *
 * Each TX queue and each RX queue is a role with its own lcore; with a
 * single lcore, one TX and one RX role are polled in turn. A run is:
 * warm-up (sent, not counted) → measurement → TX stops → drain (RX keeps
 * receiving until every measured packet is back or --drain passed).
 *
 * Thread safety: every field says who writes it and who reads it. Roles
 * never write each other's state; the only shared writes are the atomics
 * in struct pg_ctl.
 */
#ifndef PG_LCORE_H
#define PG_LCORE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "pg_flow.h"
#include "pg_hist.h"
#include "pg_stamp.h"

struct pg_rx;

enum pg_stop {
    PG_RUN = 0,
    PG_STOP = 1,  /* first SIGINT/SIGTERM: TX ends the measurement, RX drains */
    PG_ABORT = 2, /* second one: RX skips the drain */
};

/* Written by main before launch, read-only afterwards, except the atomics. */
struct pg_ctl {
    uint64_t hz;
    uint64_t t_start;    /* TSC when traffic starts */
    uint64_t t_warm_end; /* measurement starts */
    uint64_t t_meas_end; /* measurement ends; 0 = at PG_STOP */
    uint64_t drain_cycles;
    int stop;                        /* atomic: enum pg_stop; the signal handler writes it */
    uint32_t tx_running;             /* atomic: TX roles still sending; each decrements once */
    uint64_t tx_total;               /* atomic: measured packets sent, added by each TX role
                                      * before it decrements tx_running */
    struct pg_rx *rx[PG_QUEUES_MAX]; /* RX roles, for the end-of-drain sum */
    uint32_t nrx;
};

struct pg_tx {
    /* Set by main before launch; read-only afterwards. */
    struct pg_ctl *ctl;
    const struct pg_tmpl *tmpl;
    struct rte_mempool *pool;
    struct pg_flow *flows; /* this queue's slice; TX writes each flow's `sent` */
    uint32_t nflows;
    uint16_t port;
    uint16_t queue;
    uint16_t burst;
    uint8_t run;           /* stamp run byte of measured packets */
    double pkts_per_cycle; /* pacing for this queue; 0 = unpaced */
    uint32_t size;         /* frame bytes with CRC, for byte counts */

    /* Written by this TX lcore only; read by main after the lcore joined. */
    uint32_t cursor; /* next flow in the walk */
    uint32_t npend;  /* built but not taken by the port yet; sent first */
    struct rte_mbuf *pend[PG_BURST_MAX];
    struct pg_flow *pend_flow[PG_BURST_MAX];
    uint32_t pend_seq[PG_BURST_MAX];
    bool measuring;
    uint64_t t_phase;    /* TSC the current phase started: pacing origin */
    uint64_t phase_pkts; /* sent in the current phase, for pacing */
    uint64_t t_meas_start;
    uint64_t t_end;
    uint64_t warm_pkts;
    uint64_t pkts; /* measured */
    uint64_t bytes;
    uint64_t busy_cycles; /* measured polls that sent something */
    uint64_t partial;     /* bursts the port took only in part: backpressure */
    uint64_t alloc_fail;
} __rte_cache_aligned;

/* Per flow, per RX queue: receive count and reorder window. */
struct pg_rx_flow {
    uint64_t pkts;
    uint64_t window; /* bit i: sequence next - 1 - i was received */
    uint32_t next;   /* highest sequence received + 1 (24-bit serial) */
    uint32_t pad;
};

struct pg_rx {
    /* Set by main before launch; read-only afterwards. */
    struct pg_ctl *ctl;
    struct pg_rx_flow *flows; /* indexed by flow id; this lcore writes it */
    uint32_t nflows;
    uint16_t port;
    uint16_t queue;       /* the first queue polled */
    uint16_t queue_step;  /* then every queue_step-th ... */
    uint16_t port_queues; /* ... below this */
    uint16_t burst;
    uint8_t run; /* stamp run byte of measured packets */

    /* Written by this RX lcore only; read by main after the lcore joined. */
    uint16_t cur_queue;
    bool tx_done; /* saw tx_running reach 0; draining since t_drain */
    uint64_t t_drain;
    uint64_t tx_total;
    uint64_t pkts;  /* measured packets of this run, duplicates included */
    uint64_t bytes; /* as sent: frame size with CRC */
    uint64_t dup;
    uint64_t ooo;        /* arrived after a later packet of the same flow */
    uint64_t warm;       /* warm-up packets (not counted) */
    uint64_t foreign;    /* not ours: no stamp, another run, or a bad flow id */
    uint64_t tsc_behind; /* RX clock behind the stamp: cores' TSCs differ (no latency) */
    uint64_t busy_cycles;
    uint64_t busy_pkts; /* every packet of the polls counted in busy_cycles */
    uint64_t unique;    /* atomic store: pkts - dup; other RX roles read it */
    struct pg_hist lat; /* TSC cycles from TX stamp to RX burst */
} __rte_cache_aligned;

void pg_tx_init(struct pg_tx *tx);
void pg_rx_init(struct pg_rx *rx);

/* One TX poll: paces, builds and sends at most a burst. Returns false once
 * the role has finished (and published its count). */
bool pg_tx_poll(struct pg_tx *tx);

/* One RX poll. Returns false once the drain is over. */
bool pg_rx_poll(struct pg_rx *rx);

/* The RX bookkeeping of one packet, given where its stamp is (NULL: not an
 * IPv4 packet with room for one). Exposed for the unit tests. */
void pg_rx_account(struct pg_rx *rx, const uint8_t *stamp, uint32_t frame_bytes, uint64_t now);

/* Offset of the stamp in a frame of len bytes (the first `have` of which
 * are readable), or -1 if the frame is not IPv4 with room for one. Up to
 * two VLAN tags are skipped; the IP total length bounds the packet, so
 * Ethernet padding is never mistaken for a stamp. */
int pg_rx_stamp_offset(const uint8_t *frame, uint32_t have, uint32_t len);

/* Lcore entry points (rte_lcore_function_t): arg is the role. */
int pg_tx_main(void *arg);
int pg_rx_main(void *arg);

/* One lcore for both: arg is a struct pg_pair. */
struct pg_pair {
    struct pg_tx *tx;
    struct pg_rx *rx;
};
int pg_pair_main(void *arg);

#endif /* PG_LCORE_H */
