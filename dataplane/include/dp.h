/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp.h — creating, running and destroying the dataplane: for the
 * composition root (ofswitch_main.c) and tests. The agent's view of a
 * running dataplane is dp_control.h.
 *
 * Thread safety: every function here runs on the main lcore, the thread
 * that called rte_eal_init() (the agent's thread).
 *
 * Workers: one per EAL worker lcore (-l 0-N gives N workers; the main
 * lcore is the agent's). With no worker lcore (-l 0) the dataplane runs
 * one worker "inline": it forwards only when the main loop calls
 * dp_poll(), interleaved with the control side on the same thread. That
 * mode is for tests (deterministic: one call, one pass over every RX
 * queue) and tiny setups; ofswitch's main loop calls dp_poll() each turn.
 */
#ifndef DP_H
#define DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_cache.h"
#include "ft_pipeline.h"

struct dp;

struct dp_config {
    uint32_t n_mbufs;           /* Packet buffers shared by every port. */
    uint16_t rxq;               /* RX queues per port; 0: one per worker. */
    uint16_t rx_desc;           /* Descriptors per RX / TX queue (the device may */
    uint16_t tx_desc;           /* adjust them). */
    uint32_t pin_ring_size;     /* Packet-ins queued per worker before drops. */
    uint32_t l2_entries;        /* Standalone MAC table slots (power of two). */
    uint32_t l2_aging_s;        /* Standalone MAC aging. */
    uint32_t commit_timeout_ms; /* Bounded wait for workers (dp_commit...). */
    struct ft_pipeline_config pipeline;
    struct ft_cache_config cache; /* Each worker's flow cache. */
    /* Where the caches' stages start: chosen by measurement (true, the
     * default; cache.stages is ignored), or cache.stages (false). */
    bool cache_stages_auto;
};

void dp_config_default(struct dp_config *cfg);

/* EAL must be initialised. Creates the pipeline, pools and rings and
 * launches a worker on every EAL worker lcore. 0 or -errno with err. */
int dp_create(const struct dp_config *cfg, struct dp **dpp, char *err, size_t errlen);

/* Removes every port (hot-unplugging devices ofswitch created), stops the
 * workers and frees everything. NULL is fine. */
void dp_destroy(struct dp *dp);

/* True when no worker lcore exists and dp_poll() must drive forwarding. */
bool dp_inline(const struct dp *dp);

/* Inline mode: one pass of the worker over every RX queue (RX burst,
 * classify, execute, TX), plus the housekeeping workers do each loop.
 * Returns the packets received. A no-op returning 0 otherwise. */
unsigned dp_poll(struct dp *dp);

#endif /* DP_H */
