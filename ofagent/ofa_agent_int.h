/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_agent_int.h — the agent object shared by its files: controller
 * targets and their slots, switch-wide configuration, roles, logging.
 *
 * Thread safety: the agent's thread only.
 */
#ifndef OFA_AGENT_INT_H
#define OFA_AGENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_control.h"
#include "ofa_agent.h"
#include "ofa_conn_int.h"

/* ---- targets (ofa_target.c) ----------------------------------------------------- */

#define OFA_HOST_LEN 256

struct ofa_target {
    bool passive;
    bool tls;
    char host[OFA_HOST_LEN]; /* Active: name or address; passive: the IP to bind. */
    uint16_t port;
};

/* Parse a target string; 0 or -EINVAL with a message in err. */
int ofa_target_parse(const char *s, struct ofa_target *t, char *err, size_t errlen);

/* ---- logging (ofa_agent.c) ---------------------------------------------------------- */

/* Control-side log lines to stderr, rate-limited (a burst of 50, then ten
 * a second, with a count of what was suppressed). */
void ofa_log(struct ofa_agent *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- the agent (ofa_agent.c) ---------------------------------------------------------------- */

struct ofa_slot {
    struct ofa_target t;
    int listen_fd;         /* Passive: the listener (-1 for active). */
    uint16_t bound_port;   /* Passive: the port actually bound. */
    struct ofa_conn *conn; /* Active: the current connection or NULL. */
    uint64_t next_try_ns;  /* Active: when to dial again. */
    uint32_t backoff_ms;   /* Active: the next wait after a failure. */
};

struct ofa_ratelimit {
    uint64_t window_ns; /* Time of the last refill. */
    unsigned tokens;
    unsigned suppressed;
};

struct ofa_agent {
    struct dp *dp;
    struct ft_pipeline *p;
    uint64_t datapath_id;
    enum ofa_fail_mode fail_mode;
    uint32_t probe_ms, min_backoff_ms, max_backoff_ms;
    char dp_desc[OFA_DESC_STR_LEN + 1];
    struct ofa_tls *tls;

    struct ofa_slot *slots;
    size_t n_slots;
    struct ofa_conn *conns; /* Every connection, any state. */

    /* Switch-wide configuration (SET_CONFIG). */
    uint16_t frag_flags;
    uint16_t miss_send_len;

    /* Roles: the highest generation_id seen with MASTER/SLAVE requests. */
    bool gen_valid;
    uint64_t gen_id;

    int standalone;     /* Last value given to dp_set_standalone (-1: never). */
    int invalid_ttl_on; /* Last value given to dp_set_invalid_ttl_to_controller. */
    uint64_t next_expire_ns;
    uint64_t start_ns;
    uint32_t pin_rate, pin_burst; /* Per connection (ofa_config). */
    uint32_t stall_ms;
    struct ofa_conn_stats closed_st; /* Counters of connections gone. */
    struct ofa_ratelimit rl;
    int log_level; /* 0 off, 1 err, 2 warn, 3 info (ofa_log), 4 debug. */
};

/* CLOCK_MONOTONIC in ns: the time base of everything given to the pipeline. */
uint64_t ofa_now_ns(void);

/* Commit staged pipeline edits now (barrier, packet-out, replies that
 * must see them). Returns 0 or -errno. */
int ofa_commit(struct ofa_agent *a);

/* Standalone and INVALID_TTL settings follow the connections' state. */
void ofa_agent_update_dp_modes(struct ofa_agent *a);

#endif /* OFA_AGENT_INT_H */
