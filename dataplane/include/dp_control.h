/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_control.h — the only interface between the OpenFlow agent and the
 * dataplane (DESIGN.md "Modules and their rooms"). Host byte order, no wire
 * structs, no DPDK types: the agent can be built and tested against a stub
 * implementation of this header.
 *
 * Threads: every function here is called from the agent's thread (the main
 * lcore) only; none is safe to call from a worker. Functions that wait for
 * workers (dp_commit, dp_fold_counters) return once every worker has
 * acknowledged, or after a bounded wait (-ETIMEDOUT) if a worker is stuck.
 * Errors: 0 or -errno; messages for humans go to the err buffer when given.
 */
#ifndef DP_CONTROL_H
#define DP_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_action.h"
#include "ft_cache.h"
#include "ft_key.h"
#include "ft_pipeline.h"

struct dp;

/* ---- the pipeline ------------------------------------------------------------ */

/* The pipeline the agent edits. The agent is its only writer; the dataplane
 * reads committed versions. Owned by the dataplane. */
struct ft_pipeline *dp_pipeline(struct dp *dp);

/*
 * Publish the staged edits: commit a new version, hand its changes to every
 * worker, wait until every worker has applied them (so each forwards by the
 * new version), then reclaim what no worker can still see. When this
 * returns 0, a BARRIER reply may be sent. Cheap when nothing is staged.
 */
int dp_commit(struct dp *dp);

/* Ask every worker to fold its cache counters into the rules, groups and
 * meters now, and wait for it: rule and group statistics read afterwards
 * are exact. */
int dp_fold_counters(struct dp *dp);

/* ---- ports ---------------------------------------------------------------------- */

/* OFPPS_* state bits. */
#define DP_PS_LINK_DOWN 1u
#define DP_PS_BLOCKED   2u
#define DP_PS_LIVE      4u

struct dp_port_info {
    uint32_t port_no;
    char name[16]; /* From the device ("net_tap0", "0000:03:00.0"). */
    uint8_t hw_addr[6];
    uint32_t config; /* OFPPC_* (enum ft_port_config bits). */
    uint32_t state;  /* DP_PS_*. */
    uint32_t curr;   /* OFPPF_* features, as the device reports them. */
    uint32_t advertised;
    uint32_t supported;
    uint32_t peer;
    uint32_t curr_speed; /* kbps. */
    uint32_t max_speed;  /* kbps. */
};

struct dp_port_stats {
    uint64_t rx_packets, tx_packets;
    uint64_t rx_bytes, tx_bytes;
    uint64_t rx_dropped, tx_dropped;
    uint64_t rx_errors, tx_errors;
    uint64_t rx_frame_err, rx_over_err, rx_crc_err, collisions;
    uint64_t duration_ns;
};

/* Attach a DPDK device (PCI address or vdev string) as OpenFlow port
 * port_no. -EEXIST if the number is taken, -EINVAL/-ENODEV with err. */
int dp_port_add(struct dp *dp, uint32_t port_no, const char *devargs, char *err, size_t errlen);

/* Detach a port; traffic on other ports keeps flowing. -ENOENT if absent. */
int dp_port_del(struct dp *dp, uint32_t port_no);

/* PORT_MOD: set the config bits in mask to config (PORT_DOWN, NO_RECV,
 * NO_FWD, NO_PACKET_IN). -ENOENT if absent; hw_addr must match the port's
 * (-EINVAL otherwise) unless NULL. */
int dp_port_mod(struct dp *dp, uint32_t port_no, const uint8_t *hw_addr, uint32_t config,
                uint32_t mask);

/* Up to max ports, by number; returns the total count. */
size_t dp_ports(struct dp *dp, struct dp_port_info *out, size_t max);
int dp_port_get(struct dp *dp, uint32_t port_no, struct dp_port_info *out);
int dp_port_stats(struct dp *dp, uint32_t port_no, struct dp_port_stats *out);

/* Port changes since the last call (link up/down, config changed by
 * dp_port_mod, added, deleted), for PORT_STATUS: the agent sends
 * PORT_STATUS only from these events and mirrors them into the pipeline.
 * Returns how many were written. */
enum dp_port_reason {
    DP_PORT_ADD = 0,
    DP_PORT_DELETE = 1,
    DP_PORT_MODIFY = 2,
};

struct dp_port_event {
    uint8_t reason; /* enum dp_port_reason (= OFPPR_*). */
    struct dp_port_info port;
};

size_t dp_port_events(struct dp *dp, struct dp_port_event *out, size_t max);

/* ---- packet-in and packet-out ------------------------------------------------------- */

/* A packet the workers sent to the controller. data[] holds the first
 * data_len bytes of the packet (as modified up to the CONTROLLER action),
 * cut to max_len unless max_len is FT_CML_NO_BUFFER. */
struct dp_packet_in {
    uint8_t reason; /* enum ft_packet_in_reason. */
    uint8_t table_id;
    uint16_t max_len;
    uint32_t total_len; /* Full length of the packet. */
    uint64_t cookie;
    uint32_t in_port;
    uint32_t in_phy_port;
    uint64_t metadata;
    uint64_t tunnel_id;
    uint32_t data_len;
    uint8_t data[]; /* data_len bytes. */
};

/* Up to max packet-ins, oldest first. Each must be released with
 * dp_packet_in_free() once encoded. */
size_t dp_packet_in_pop(struct dp *dp, struct dp_packet_in **out, size_t max);
void dp_packet_in_free(struct dp *dp, struct dp_packet_in *pin);

/* An idle agent sleeping in poll(): dp_agent_may_sleep() says whether it
 * may (false inline, or with packet-ins queued: then look again within a
 * millisecond or so); if so, it polls dp_agent_wake_fd() (POLLIN) with its
 * sockets, which becomes readable when a worker queues a packet-in or
 * dp_agent_wake() is called; after the poll, dp_agent_awake() in any case.
 * All on the agent's thread except dp_agent_wake(), which any thread may
 * call (it is cheap unless the agent sleeps). */
int dp_agent_wake_fd(const struct dp *dp);
bool dp_agent_may_sleep(struct dp *dp);
void dp_agent_awake(struct dp *dp);
void dp_agent_wake(struct dp *dp);

/* PACKET_OUT: run the actions (already validated with
 * ft_pipeline_check_packet_out) on a copy of data as if it arrived on
 * in_port; output to TABLE walks the pipeline. Sent from the agent's own
 * TX queue. */
int dp_packet_out(struct dp *dp, uint32_t in_port, const struct ft_action *actions, size_t n,
                  const uint8_t *data, size_t len);

/* ---- capture --------------------------------------------------------------------------- */

/* A copy of a frame a captured port received (before any action) or sent. */
struct dp_captured {
    uint64_t ns;     /* CLOCK_MONOTONIC when its burst was handled. */
    uint32_t len;    /* Frame length. */
    uint32_t caplen; /* Bytes in data (the whole frame). */
    bool sent;       /* Sent by the port (else received). */
    uint8_t data[];
};

/* Copy port_no's frames, both ways, until dp_capture_stop. One capture at a
 * time: -EBUSY; -ENOENT for no such port. Copies that find no buffer or no
 * room are counted as the "capture" drop reason, never the frame. */
int dp_capture_start(struct dp *dp, uint32_t port_no);
void dp_capture_stop(struct dp *dp);
/* Up to max captured frames, oldest first; each freed with dp_capture_free. */
size_t dp_capture_pop(struct dp *dp, struct dp_captured **out, size_t max);
void dp_capture_free(struct dp *dp, struct dp_captured *c);

/* ---- configuration ------------------------------------------------------------------ */

/* OFPC_FRAG_* */
enum dp_frag_mode {
    DP_FRAG_NORMAL = 0,
    DP_FRAG_DROP = 1,
    DP_FRAG_REASM = 2, /* Not supported: refused by the agent. */
};

/* SET_CONFIG: fragment handling and the default max_len of table-miss
 * packet-ins. Applies to packets received after the call returns. */
void dp_set_config(struct dp *dp, enum dp_frag_mode frag, uint16_t miss_send_len);

/* Whether the INVALID_TTL packet-ins are wanted (async config, any
 * controller); otherwise such packets are only dropped and counted. */
void dp_set_invalid_ttl_to_controller(struct dp *dp, bool on);

/* Standalone fail mode: with no controller connected the dataplane forwards
 * as an L2 learning switch; the agent says when that applies. */
void dp_set_standalone(struct dp *dp, bool on);

/* ---- introspection ------------------------------------------------------------------------ */

/* Polls by duration: bucket 0 holds polls shorter than one unit (2^k TSC
 * cycles, the largest power of two not above a microsecond), bucket b
 * those of [2^(b-1), 2^b) units, the last every longer one. A packet that
 * arrives during a poll waits for its end: long polls are latency. */
#define DP_POLL_BUCKETS 16

struct dp_worker_stats {
    uint32_t lcore;
    uint64_t packets;     /* Received and processed. */
    uint64_t busy_cycles; /* TSC cycles in polls that had packets. */
    uint64_t busy_polls;  /* Polls that had packets: packets / busy_polls is the batch. */
    uint64_t idle_cycles; /* TSC cycles in empty polls. */
    uint64_t emc_hits;
    uint64_t cache_hits;
    uint64_t misses;                     /* Pipeline walks. */
    uint64_t miss_cycles;                /* TSC cycles spent in walks and installs. */
    uint64_t drops;                      /* Sum of the named drop reasons below. */
    uint64_t poll_hist[DP_POLL_BUCKETS]; /* Every poll, by its cycles. */
};

/* Per-worker counters; returns the number of workers. */
size_t dp_worker_stats(struct dp *dp, struct dp_worker_stats *out, size_t max);
void dp_worker_stats_clear(struct dp *dp);

/* Named drop counters ("parse_trunc_l3", "no_match", "tx_full", ...), summed
 * over workers: calls fn for each. Every packet (or copy) not sent is
 * counted under exactly one; dataplane/dp_counters.h lists them. */
void dp_drop_counters(struct dp *dp, void (*fn)(void *aux, const char *name, uint64_t n),
                      void *aux);

/* Named counters of events that are not drops ("setfield_absent": a
 * set-field whose header the packet lacks did nothing; "packet_in";
 * "meter_remark" ...), summed over workers. (Added by the dataplane.) */
void dp_note_counters(struct dp *dp, void (*fn)(void *aux, const char *name, uint64_t n),
                      void *aux);

/* The flow cache of each worker, as it published it (about every
 * millisecond): its counters and its busiest masks. */
#define DP_CACHE_MASKS 16

struct dp_cache_mask {
    struct ft_key mask;
    uint32_t entries;
    uint64_t hits; /* Recent (decaying) subtable hits. */
};

struct dp_cache_info {
    uint32_t lcore;
    struct ft_cache_stats st;
    uint16_t n_masks; /* Of the masks below, in probe order. */
    struct dp_cache_mask masks[DP_CACHE_MASKS];
};

/* Up to max workers' cache reports; returns the number of workers. */
size_t dp_cache_stats(struct dp *dp, struct dp_cache_info *out, size_t max);

/* The flow caches' stages (ft_cache.h): chosen by measurement
 * (automatic), or starting at the tables in fixed (NULL or none: one
 * stage). -EINVAL for more than FT_MAX_STAGES stages. The workers' caches
 * fold and start over when they take a new choice. */
int dp_set_stages(struct dp *dp, bool automatic, const struct ft_walk_stages *fixed);
void dp_get_stages(struct dp *dp, bool *automatic, struct ft_walk_stages *now);

/* Empty every worker's flow cache (counters folded first), as Open
 * vSwitch's dpctl/del-flows does: the next packets walk the pipeline
 * again. Returns once every worker took it, or -ETIMEDOUT. */
int dp_flush_caches(struct dp *dp);

/* The automatic choice samples the workers: call it every loop (cheap
 * between its once-a-second windows). */
void dp_stages_tick(struct dp *dp, uint64_t now_ns);

/* The packet buffer pools: the ports' (packets and their copies) and the
 * packet-ins'. In use = not in the pool (queues, rings, caches, packets
 * on their way). */
struct dp_mbuf_stats {
    uint32_t mbufs, mbufs_in_use;
    uint32_t pin_mbufs, pin_mbufs_in_use;
};
void dp_mbuf_stats(struct dp *dp, struct dp_mbuf_stats *out);

/* TSC frequency, for turning cycles into time. */
uint64_t dp_tsc_hz(struct dp *dp);
/* TSC cycles below which a poll falls in bucket b of poll_hist
 * (UINT64_MAX for the last). */
uint64_t dp_poll_bucket_cycles(struct dp *dp, unsigned b);

/* The clock of the rules' used_ns (ft_rule_add_stats): CLOCK_MONOTONIC in
 * nanoseconds. Pass it as now_ns to ft_pipeline_flow_mod/expire so idle
 * timeouts compare like with like. (Added by the dataplane.) */
uint64_t dp_now_ns(struct dp *dp);

#endif /* DP_CONTROL_H */
