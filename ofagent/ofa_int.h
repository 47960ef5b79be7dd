/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_int.h — the agent's internals shared by its files: targets,
 * connections, the agent object and the message handlers.
 *
 * Thread safety: everything here belongs to the agent's one thread.
 */
#ifndef OFA_INT_H
#define OFA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_control.h"
#include "ofa_agent.h"
#include "ofa_msg.h"

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

/* ---- TLS (ofa_tls.c) -------------------------------------------------------------------- */

struct ofa_tls;     /* The loaded key, certificate and CA (an SSL_CTX). */
struct ofa_tls_ses; /* One connection's TLS session (an SSL). */

struct ofa_tls *ofa_tls_create(const char *key, const char *cert, const char *ca, char *err,
                               size_t errlen);
void ofa_tls_destroy(struct ofa_tls *t);
/* A session on a connected socket; server selects the accept side. */
struct ofa_tls_ses *ofa_tls_ses_new(struct ofa_tls *t, int fd, bool server);
void ofa_tls_ses_free(struct ofa_tls_ses *s);
/* Progress the handshake: 0 done, -EAGAIN (see want_write), -EPROTO. */
int ofa_tls_handshake(struct ofa_tls_ses *s, char *err, size_t errlen);
/* Read/write like recv/send: bytes, -EAGAIN, 0 on close, or -errno. */
long ofa_tls_read(struct ofa_tls_ses *s, void *buf, size_t n);
long ofa_tls_write(struct ofa_tls_ses *s, const void *buf, size_t n);
/* Decrypted bytes wait inside the session (poll() cannot see them). */
bool ofa_tls_pending(const struct ofa_tls_ses *s);
/* The last -EAGAIN was waiting for the socket to become writable. */
bool ofa_tls_want_write(const struct ofa_tls_ses *s);

/* ---- connections (ofa_conn.c) ---------------------------------------------------------- */

enum ofa_conn_state {
    OFA_CS_CONNECTING, /* Non-blocking connect() in progress. */
    OFA_CS_TLS,        /* TLS handshake in progress. */
    OFA_CS_HELLO,      /* Our HELLO sent, waiting for the peer's. */
    OFA_CS_ACTIVE,     /* OpenFlow 1.3 negotiated. */
    OFA_CS_CLOSING,    /* Flushing what is queued, then closed. */
};

/* Default async configuration (OpenFlow 1.3.5 §7.3.10 / Open vSwitch):
 * master and equal get packet-ins for no-match and action, every port
 * status and every flow-removed reason; a slave only port status. */
#define OFA_ASYNC_PI_MASTER 0x3u
#define OFA_ASYNC_PS_ALL    0x7u
#define OFA_ASYNC_FR_MASTER 0xfu

struct ofa_conn {
    struct ofa_conn *next;
    struct ofa_agent *agent;
    int fd;
    int target;       /* Index of the target it came from. */
    bool from_active; /* Dialled by us (the target reconnects when it closes). */
    enum ofa_conn_state state;
    struct ofa_tls_ses *tls;
    char peer[64]; /* "127.0.0.1:43210", for logs. */

    /* Input: bytes received, not yet handled. */
    uint8_t *rx;
    size_t rx_len, rx_cap;
    /* Output: tx.data[tx_ofs..tx.len) is still to be sent. */
    struct ofa_buf tx;
    size_t tx_ofs;

    uint64_t last_rx_ns; /* Last time anything arrived. */
    bool probe_sent;     /* An inactivity ECHO_REQUEST is outstanding. */
    uint64_t closing_ns; /* When CLOSING began (bounded linger). */
    uint32_t next_xid;

    uint32_t role;             /* enum ofa_role_kind: EQUAL, MASTER or SLAVE. */
    struct ofa_async async;    /* [0] master/equal, [1] slave. */
    struct ofa_mp_reasm reasm; /* A multipart request arriving in parts. */

    /* Packet-in rate limit: time credit in ns, each packet-in costs
     * 1e9/rate, at most burst of them banked (a GCRA bucket). */
    uint64_t pin_credit_ns;
    uint64_t pin_credit_at;
    uint64_t stalled_since; /* Output waiting, none of it taken since (0: not). */
    struct ofa_conn_stats st;
};

/* Whether c may take one more packet-in now (rate limit, then backlog),
 * counting the refusal. */
bool ofa_conn_admit_packet_in(struct ofa_conn *c, uint64_t now_ns);
/* Whether c may take one more async message (port status, flow removed):
 * false (counted) when its peer is that far behind. */
bool ofa_conn_admit_async(struct ofa_conn *c);

/* Queue an encoded message (or several: a split multipart reply). On an
 * encoding failure the connection gets nothing and -errno is returned. */
int ofa_conn_send(struct ofa_conn *c, const struct ofa_msg *m);
/* Queue an OFPT_ERROR for the offending message. */
void ofa_conn_send_error(struct ofa_conn *c, uint32_t xid, enum ft_err err, const uint8_t *raw,
                         size_t len);
/* Start closing: flush what is queued (bounded), then close. */
void ofa_conn_close_soon(struct ofa_conn *c, const char *why);
/* Bytes queued and not yet written. */
static inline size_t
ofa_conn_backlog(const struct ofa_conn *c)
{
    return c->tx.len - c->tx_ofs;
}

/* A new connection on a connected (or connecting) socket; NULL on ENOMEM
 * (the fd is then closed). */
struct ofa_conn *ofa_conn_new(struct ofa_agent *a, int fd, int target, bool from_active,
                              bool connecting, bool tls, bool server, const char *peer);
void ofa_conn_free(struct ofa_conn *c);
/* poll() events the connection wants. */
short ofa_conn_poll_events(const struct ofa_conn *c);
/* Handle poll() results: connect completion, TLS, read and handle
 * messages, write. Returns false once the connection is dead (the caller
 * frees it). */
bool ofa_conn_run(struct ofa_conn *c, short revents, uint64_t now_ns);
/* Write what is queued (non-blocking). false: the connection is dead. */
bool ofa_conn_flush(struct ofa_conn *c);
/* Inactivity probe and closing linger; false: drop the connection. */
bool ofa_conn_timers(struct ofa_conn *c, uint64_t now_ns);

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

/* ---- message dispatch (ofa_handler.c) ------------------------------------------------------- */

/* Handle one complete message received on an ACTIVE connection (raw is
 * the whole message). Errors are answered on c. */
void ofa_handle(struct ofa_conn *c, const uint8_t *raw, size_t len);

/* May a connection in this role receive an async message of this kind
 * and reason? kind: 0 packet-in, 1 port status, 2 flow removed. */
bool ofa_async_wants(const struct ofa_conn *c, int kind, unsigned reason);

/* Handlers: each returns FT_OK or the error to answer with. */
enum ft_err ofa_h_flow_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_group_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_meter_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_port_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_table_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_features(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_get_config(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_set_config(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_queue_get_config(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_packet_out(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_role(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_get_async(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_set_async(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_multipart(struct ofa_conn *c, const struct ofa_msg *m);

/* Multipart bodies, by family. */
enum ft_err ofa_mp_desc(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_table(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_table_features(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_flow(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_aggregate(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_port_stats(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_port_desc(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_queue(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_group(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_group_desc(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_group_features(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_meter(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_meter_config(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_meter_features(struct ofa_conn *c, const struct ofa_msg *m);

/* Async messages to every connection that wants them. */
void ofa_send_packet_ins(struct ofa_agent *a);
void ofa_send_port_status(struct ofa_agent *a);
void ofa_flow_removed_cb(void *aux, const struct ft_flow_removed *fr);

/* A multipart reply header for request m (type and xid copied). */
void ofa_mp_reply_init(struct ofa_msg *r, const struct ofa_msg *req);
/* Duration since a creation time, as sec + nsec. */
void ofa_duration(uint64_t created_ns, uint64_t now_ns, uint32_t *sec, uint32_t *nsec);
/* A dp port as the wire model carries it. */
void ofa_port_from_dp(const struct dp_port_info *in, struct ofa_port *out);

#endif /* OFA_INT_H */
