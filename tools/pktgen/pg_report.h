/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_report.h — the numbers of a run, summed over its TX and RX roles, as
 * a table for people and one JSON object for scripts.
 *
 * Thread safety: main thread only, after every lcore joined.
 */
#ifndef PG_REPORT_H
#define PG_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pg_hist.h"
#include "pg_lcore.h"
#include "pg_opts.h"

struct pg_summary {
    double hz;
    double duration; /* seconds measured */
    bool interrupted;
    uint64_t tx_pkts;
    uint64_t tx_bytes;
    uint64_t tx_warm;
    uint64_t tx_busy;
    uint64_t tx_partial;
    uint64_t tx_alloc_fail;
    uint64_t rx_pkts;
    uint64_t rx_bytes;
    uint64_t rx_dup;
    uint64_t rx_ooo;
    uint64_t rx_warm;
    uint64_t rx_foreign;
    uint64_t rx_tsc_behind;
    uint64_t rx_busy;
    uint64_t rx_busy_pkts;
    int64_t loss; /* tx - unique rx */
    uint64_t tx_flow_min;
    uint64_t tx_flow_max;
    uint32_t rx_flows_seen;
    uint64_t rx_flow_min;
    uint64_t rx_flow_max;
    uint32_t tx_lcores[PG_QUEUES_MAX];
    uint32_t rx_lcores[PG_QUEUES_MAX];
    bool shared_lcore; /* TX and RX polled in turn on one lcore */
    struct pg_hist lat;
};

/* Sums the roles. tx[i]/rx[i] are the queues' roles. */
void pg_report_collect(struct pg_summary *s, const struct pg_opts *o, const struct pg_ctl *ctl,
                       struct pg_tx *const *tx, struct pg_rx *const *rx);

void pg_report_table(FILE *f, const struct pg_opts *o, const struct pg_summary *s);
void pg_report_json(FILE *f, const struct pg_opts *o, const struct pg_summary *s);

#endif /* PG_REPORT_H */
