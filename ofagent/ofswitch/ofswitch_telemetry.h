/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch_telemetry.h — ofswitch's state in DPDK telemetry, next to
 * DPDK's own /ethdev/... and /eal/... (dpdk-telemetry.py, or any v2 client
 * of <runtime dir>/dpdk_telemetry.v2):
 *
 *   /ofswitch/ports[,PORT]   per OpenFlow port: rx/tx packets, bytes, drops, errors
 *   /ofswitch/pmd            per worker: packets, cycles, busy %, cycles/packet
 *   /ofswitch/cache          per worker flow cache: entries, masks, hits by level, misses
 *   /ofswitch/flows/count    rules per table and in all
 *   /ofswitch/drops          dropped packets by named reason
 *   /ofswitch/controllers    controller targets, their state, role and counters
 *
 * The numbers are those of ofswitch-ctl (ports, pmd-stats, cache, drops,
 * show), read the same way.
 *
 * Thread safety: DPDK runs the callbacks on its telemetry threads (one
 * per client connection), but the agent, the pipeline and dp_control.h
 * belong to the main lcore. So a callback does not read them: it posts
 * its request and waits (at most OFS_TELEMETRY_WAIT_MS) while the main
 * lcore answers it in ofs_telemetry_serve(), which the main loop calls
 * every turn, filling the callback's rte_tel_data under the same mutex.
 * One request is served at a time; the workers never take part (nothing
 * is added to the fast path). Before ofs_telemetry_open and after
 * ofs_telemetry_close a request is answered at once with an error (the
 * client gets {"/ofswitch/...": null}): DPDK cannot unregister commands.
 */
#ifndef OFSWITCH_TELEMETRY_H
#define OFSWITCH_TELEMETRY_H

#include <stdbool.h>

struct dp;
struct ofa_agent;

#define OFS_TELEMETRY_WAIT_MS 2000

/* Register the commands (after rte_eal_init, once per process; with
 * --no-telemetry nobody calls them). 0 or -errno. */
int ofs_telemetry_register(void);

/* Answer requests from this dataplane and agent from now on (main lcore). */
void ofs_telemetry_open(struct dp *dp, struct ofa_agent *agent);

/* Answer the request waiting, if any (main lcore). Returns 1 when it
 * answered one, else 0; costs one atomic load when none waits. */
int ofs_telemetry_serve(void);

/* Whether a request waits (main lcore, after dp_agent_may_sleep: a request
 * posted later wakes the agent through dp_agent_wake). */
bool ofs_telemetry_pending(void);

/* Stop answering (a waiting request fails at once); before the agent or
 * the dataplane goes away. */
void ofs_telemetry_close(void);

#endif /* OFSWITCH_TELEMETRY_H */
