/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_conn_int.h — one controller connection: its state machine, buffers,
 * role, async configuration and packet-in admission.
 *
 * Thread safety: the agent's thread only.
 */
#ifndef OFA_CONN_INT_H
#define OFA_CONN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofa_agent.h"
#include "ofa_msg.h"
#include "ofa_tls_int.h"

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

#endif /* OFA_CONN_INT_H */
