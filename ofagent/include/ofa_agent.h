/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_agent.h — the OpenFlow 1.3 agent as the switch binary uses it:
 * configure, create against a dataplane, call run_once in a loop, destroy.
 *
 * The agent owns its controller connections (active tcp:/tls: targets it
 * dials with exponential backoff, passive ptcp:/ptls: listeners), speaks
 * OpenFlow 1.3 on them, and is the only writer of the dataplane's
 * pipeline (dp_pipeline()). Everything it does to the dataplane goes
 * through dataplane/include/dp_control.h.
 *
 * Thread safety: an agent belongs to one thread (the thread that may call
 * dp_control.h functions); none of these functions may be called
 * concurrently on the same agent. ofa_target_validate is pure.
 */
#ifndef OFA_AGENT_H
#define OFA_AGENT_H

#include <stddef.h>
#include <stdint.h>

struct dp;
struct ofa_agent;
struct pollfd;

/* What to do while no controller is connected. */
enum ofa_fail_mode {
    OFA_FAIL_SECURE = 0,     /* Keep the flows, drop table misses. */
    OFA_FAIL_STANDALONE = 1, /* The dataplane forwards as an L2 learning switch. */
};

#define OFA_DEFAULT_PORT 6653

struct ofa_config {
    /* Controller targets as Open vSwitch writes them: tcp:HOST[:PORT],
     * tls:HOST[:PORT], ptcp:[PORT][:IP], ptls:[PORT][:IP] (default port
     * 6653; passive ones bind 127.0.0.1 unless an IP is given; ptcp:0
     * binds an ephemeral port, see ofa_agent_listen_port). Borrowed
     * during ofa_agent_create only. */
    const char *const *targets;
    size_t n_targets;
    uint64_t datapath_id;
    enum ofa_fail_mode fail_mode;
    /* PEM files for tls:/ptls: targets (required when one is used): our
     * private key and certificate, and the CA certificate the peer's
     * certificate must chain to. Borrowed during create only. */
    const char *tls_key;
    const char *tls_cert;
    const char *tls_ca;
    /* Inactivity probe: after this long without a message from a peer,
     * send an ECHO_REQUEST; after as long again, drop the connection.
     * 0 disables. Default 5000 (as Open vSwitch). */
    uint32_t probe_interval_ms;
    /* Reconnection backoff of active targets: starts at min, doubles up to
     * max. Defaults 250 and 8000. */
    uint32_t min_backoff_ms;
    uint32_t max_backoff_ms;
    /* DESC reply's dp_desc; NULL: "ofswitch datapath". Borrowed during create. */
    const char *dp_desc;
    /* Packet-ins per second to each controller connection, and the burst
     * above that rate it may take at once (Open vSwitch's
     * controller_rate_limit and controller_burst_limit); the rest are
     * dropped and counted. rate 0: no limit. Defaults 1000 and 250. */
    uint32_t packet_in_rate;
    uint32_t packet_in_burst;
    /* A connection whose peer takes none of what is queued for this long
     * is closed (it would hold its queue forever). 0: never. Default 15000. */
    uint32_t stall_timeout_ms;
    /* Log lines on stderr: 0 none, 1 errors, 2 warnings, 3 information
     * (default), 4 debugging; ofswitch-ctl log-level changes it later. */
    int log_level;
};

/* Fill cfg with the defaults above (no targets, datapath id 0, secure). */
void ofa_config_default(struct ofa_config *cfg);

/*
 * Check one --controller value. Returns 0, or -EINVAL with one line for a
 * human in err ("tcp:: missing host", "ptcp:70000: port out of range").
 */
int ofa_target_validate(const char *target, char *err, size_t errlen);

/*
 * Create the agent: validate the config, load TLS files, open the passive
 * listeners, mirror the dataplane's ports into the pipeline and apply the
 * fail mode. Active targets are dialled from the first run_once. Returns
 * NULL with a message in err on failure. The dataplane must outlive the
 * agent.
 */
struct ofa_agent *ofa_agent_create(const struct ofa_config *cfg, struct dp *dp, char *err,
                                   size_t errlen);

/*
 * One iteration of the agent loop: wait up to timeout_ms (0: do not wait;
 * negative: until the agent's own next timer, at most 100 ms while any
 * connection exists) for socket activity, read and apply every complete
 * message available, commit the pipeline once (and at each barrier or
 * packet-out that needs it), send packet-ins, port status and flow-removed
 * messages, run echo probes, reconnections and flow expiry (about once a
 * second). Returns 0, or -errno when the loop itself failed (poll).
 * Packet-ins and port events are picked up when run_once runs: pass a
 * short timeout (a few ms) for prompt packet-ins, or wait on the
 * dataplane's wake-up descriptor with ofa_agent_run_watching
 * (dp_agent_may_sleep in dp_control.h).
 */
int ofa_agent_run_once(struct ofa_agent *a, int timeout_ms);

/* ofa_agent_run_once, its poll() also waiting on the owner's n_extra
 * descriptors (fd and events set; revents written back, 0 when poll()
 * returned nothing): the owner's sockets and wake-ups end the wait too. */
int ofa_agent_run_watching(struct ofa_agent *a, int timeout_ms, struct pollfd *extra,
                           size_t n_extra);

/* Close every connection and listener and release the agent. The pipeline
 * keeps its flows. NULL is a no-op. */
void ofa_agent_destroy(struct ofa_agent *a);

/* The TCP port passive target i (index in cfg->targets) listens on, or
 * -ENOENT if target i is not passive. Useful with ptcp:0. */
int ofa_agent_listen_port(const struct ofa_agent *a, size_t i);

/* Adopt an already connected stream socket (a socketpair end, a socket
 * a supervisor passed in) as a controller connection: plain OpenFlow, no
 * reconnection. The agent owns fd from now on (closed on error too).
 * Returns 0 or -errno. */
int ofa_agent_attach(struct ofa_agent *a, int fd);

/* Connections that completed the OpenFlow handshake. */
size_t ofa_agent_n_connected(const struct ofa_agent *a);

/* What one controller connection was sent and what it was not. */
struct ofa_conn_stats {
    uint64_t packet_ins;        /* Queued for the peer. */
    uint64_t pin_rate_drops;    /* Over the packet-in rate limit. */
    uint64_t pin_backlog_drops; /* The peer was too far behind. */
    uint64_t async_drops;       /* Port status / flow removed, peer too far behind. */
    uint64_t backlog_bytes;     /* Queued, not yet taken by the peer. */
};

/* Sum of every connection's counters, including closed ones'. */
void ofa_agent_conn_totals(const struct ofa_agent *a, struct ofa_conn_stats *out);

/* ---- introspection (ofswitch-ctl reads the agent through these) ------------ */

struct ft_pipeline;

struct ofa_agent_status {
    uint64_t datapath_id;
    enum ofa_fail_mode fail_mode;
    int log_level;                /* As ofa_config.log_level. */
    struct dp *dp;                /* The dataplane it drives (borrowed). */
    struct ft_pipeline *pipeline; /* The agent is its writer: reads on the
                                     agent's thread see the staged view. */
};

void ofa_agent_status(const struct ofa_agent *a, struct ofa_agent_status *out);

/* One controller target, with one of its connections, or none. */
struct ofa_controller_status {
    char target[300];  /* As Open vSwitch writes it: "tcp:127.0.0.1:6653",
                          "ptcp:6653:127.0.0.1" (the port a ptcp:0 bound). */
    const char *state; /* "connecting", "tls-handshake", "hello", "connected",
                          "closing"; without a connection "listening" or
                          "backoff". Static strings. */
    const char *role;  /* "master", "slave", "equal"; NULL without one. */
    char peer[64];     /* "127.0.0.1:43210"; empty without one. */
    struct ofa_conn_stats st;
};

/* Each target's connections (a target without one: one entry for it), up
 * to max into out, in target order. Returns how many there are. */
size_t ofa_agent_controllers(const struct ofa_agent *a, struct ofa_controller_status *out,
                             size_t max);

/* The log level (0..4, as ofa_config.log_level); -EINVAL outside it. */
int ofa_agent_set_log_level(struct ofa_agent *a, int level);

#endif /* OFA_AGENT_H */
