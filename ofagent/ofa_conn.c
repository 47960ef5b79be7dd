/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One OpenFlow connection: non-blocking socket (plain or TLS), framing of
 * the byte stream into messages, the HELLO handshake, the inactivity probe
 * and output buffering.
 *
 * Input is read in large chunks and every complete message is handled as
 * soon as it is framed, so a burst of flow mods is applied in one go and
 * committed once by the agent loop. Output is queued in one buffer and
 * written whenever the socket takes it; while more than OFA_TX_HIGH bytes
 * wait, the connection is not read (a peer that does not read its replies
 * cannot make the agent buffer without bound). Async messages are bounded
 * too: packet-ins by the connection's rate limit and, past
 * OFA_ASYNC_BACKLOG queued bytes, dropped (counted); port status and flow
 * removed past OFA_TX_HIGH. A peer that takes nothing of what waits for
 * stall_timeout is closed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ofa_int.h"

#define OFA_RX_CHUNK      (256 * 1024)
#define OFA_RX_BUDGET     (4 * 1024 * 1024) /* Bytes read per connection per iteration. */
#define OFA_TX_HIGH       (8 * 1024 * 1024)
#define OFA_ASYNC_BACKLOG (1024 * 1024) /* Packet-ins wait behind at most this much. */
#define OFA_HANDSHAKE_NS  (10 * 1000000000ull)
#define OFA_LINGER_NS     (2 * 1000000000ull)
#define OFA_REASM_MAX     (1024 * 1024) /* Bytes of one multipart request in parts. */
#define MS_NS             1000000ull

static void
conn_start_hello(struct ofa_conn *c)
{
    struct ofa_msg m = {.type = OFA_HELLO, .xid = c->next_xid++};
    m.u.hello.n_words = 1;
    m.u.hello.bitmap[0] = 1u << OFA_VERSION;
    ofa_conn_send(c, &m);
    c->state = OFA_CS_HELLO;
}

struct ofa_conn *
ofa_conn_new(struct ofa_agent *a, int fd, int target, bool from_active, bool connecting, bool tls,
             bool server, const char *peer)
{
    struct ofa_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return NULL;
    }
    c->agent = a;
    c->fd = fd;
    c->target = target;
    c->from_active = from_active;
    c->next_xid = 1;
    c->role = OFA_ROLE_EQUAL;
    c->async.packet_in_mask[0] = OFA_ASYNC_PI_MASTER;
    c->async.port_status_mask[0] = OFA_ASYNC_PS_ALL;
    c->async.port_status_mask[1] = OFA_ASYNC_PS_ALL;
    c->async.flow_removed_mask[0] = OFA_ASYNC_FR_MASTER;
    c->last_rx_ns = ofa_now_ns();
    snprintf(c->peer, sizeof c->peer, "%s", peer ? peer : "?");
    ofa_buf_init(&c->tx);
    ofa_mp_reasm_init(&c->reasm, OFA_REASM_MAX);
    if (tls) {
        c->tls = ofa_tls_ses_new(a->tls, fd, server);
        if (!c->tls) {
            ofa_conn_free(c);
            return NULL;
        }
    }
    if (connecting)
        c->state = OFA_CS_CONNECTING;
    else if (tls)
        c->state = OFA_CS_TLS;
    else
        conn_start_hello(c);
    return c;
}

void
ofa_conn_free(struct ofa_conn *c)
{
    if (!c)
        return;
    struct ofa_conn_stats *t = &c->agent->closed_st;
    t->packet_ins += c->st.packet_ins;
    t->pin_rate_drops += c->st.pin_rate_drops;
    t->pin_backlog_drops += c->st.pin_backlog_drops;
    t->async_drops += c->st.async_drops;
    ofa_tls_ses_free(c->tls);
    if (c->fd >= 0)
        close(c->fd);
    free(c->rx);
    ofa_buf_free(&c->tx);
    ofa_mp_reasm_reset(&c->reasm);
    free(c);
}

bool
ofa_conn_admit_packet_in(struct ofa_conn *c, uint64_t now_ns)
{
    struct ofa_agent *a = c->agent;
    if (a->pin_rate) {
        uint64_t cost = 1000000000ull / a->pin_rate, cap = cost * a->pin_burst;
        if (!c->pin_credit_at) { /* A new connection starts with a full bucket. */
            c->pin_credit_at = now_ns;
            c->pin_credit_ns = cap;
        }
        c->pin_credit_ns += now_ns - c->pin_credit_at;
        c->pin_credit_at = now_ns;
        if (c->pin_credit_ns > cap)
            c->pin_credit_ns = cap;
        if (c->pin_credit_ns < cost) {
            c->st.pin_rate_drops++;
            return false;
        }
        c->pin_credit_ns -= cost;
    }
    if (ofa_conn_backlog(c) > OFA_ASYNC_BACKLOG) {
        c->st.pin_backlog_drops++;
        return false;
    }
    c->st.packet_ins++;
    return true;
}

bool
ofa_conn_admit_async(struct ofa_conn *c)
{
    if (ofa_conn_backlog(c) <= OFA_TX_HIGH)
        return true;
    c->st.async_drops++;
    return false;
}

int
ofa_conn_send(struct ofa_conn *c, const struct ofa_msg *m)
{
    if (c->state == OFA_CS_CLOSING)
        return 0;
    size_t before = c->tx.len;
    int rc = ofa_encode(&c->tx, m);
    if (rc) {
        ofa_buf_truncate(&c->tx, before);
        c->tx.failed = false;
        ofa_log(c->agent, "%s: cannot encode message type %u: %s", c->peer, m->type, strerror(-rc));
    }
    return rc;
}

void
ofa_conn_send_error(struct ofa_conn *c, uint32_t xid, enum ft_err err, const uint8_t *raw,
                    size_t len)
{
    if (c->state == OFA_CS_CLOSING)
        return;
    size_t before = c->tx.len;
    if (ofa_encode_error(&c->tx, xid, err, raw, len)) {
        ofa_buf_truncate(&c->tx, before);
        c->tx.failed = false;
    }
}

void
ofa_conn_close_soon(struct ofa_conn *c, const char *why)
{
    if (c->state == OFA_CS_CLOSING)
        return;
    bool was_active = c->state == OFA_CS_ACTIVE;
    ofa_log(c->agent, "%s: closing: %s", c->peer, why);
    c->state = OFA_CS_CLOSING;
    c->closing_ns = ofa_now_ns();
    if (was_active)
        ofa_agent_update_dp_modes(c->agent);
}

short
ofa_conn_poll_events(const struct ofa_conn *c)
{
    bool tls_ww = c->tls && ofa_tls_want_write(c->tls);
    switch (c->state) {
    case OFA_CS_CONNECTING:
        return POLLOUT;
    case OFA_CS_TLS:
        return (short)(POLLIN | (tls_ww ? POLLOUT : 0));
    case OFA_CS_CLOSING:
        return (short)(ofa_conn_backlog(c) || tls_ww ? POLLOUT : 0);
    default:
        break;
    }
    short ev = 0;
    if (ofa_conn_backlog(c) < OFA_TX_HIGH)
        ev |= POLLIN;
    if (ofa_conn_backlog(c) || tls_ww)
        ev |= POLLOUT;
    return ev;
}

bool
ofa_conn_flush(struct ofa_conn *c)
{
    while (ofa_conn_backlog(c)) {
        const uint8_t *p = c->tx.data + c->tx_ofs;
        size_t n = ofa_conn_backlog(c);
        long w;
        if (c->tls) {
            w = ofa_tls_write(c->tls, p, n);
        } else {
            w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w < 0)
                w = errno == EWOULDBLOCK ? -EAGAIN : -errno;
        }
        if (w == -EAGAIN || w == -EINTR)
            return true;
        if (w <= 0) {
            ofa_log(c->agent, "%s: send: %s", c->peer, strerror(w ? (int)-w : EPIPE));
            return false;
        }
        c->tx_ofs += (size_t)w;
        c->stalled_since = 0; /* It takes something: not stalled. */
        /* A peer that always lags a little would never let the buffer
         * empty: move what waits to the front once the sent part dominates. */
        if (c->tx_ofs > OFA_RX_CHUNK && c->tx_ofs > ofa_conn_backlog(c)) {
            memmove(c->tx.data, c->tx.data + c->tx_ofs, ofa_conn_backlog(c));
            ofa_buf_truncate(&c->tx, ofa_conn_backlog(c));
            c->tx_ofs = 0;
        }
    }
    c->tx_ofs = 0;
    /* Keep a moderate buffer for the next replies; give a big one back. */
    if (c->tx.cap > 4 * OFA_RX_CHUNK)
        ofa_buf_free(&c->tx);
    else
        ofa_buf_clear(&c->tx);
    return true;
}

/* The peer's HELLO: negotiate OpenFlow 1.3 or refuse. */
static void
conn_hello(struct ofa_conn *c, const uint8_t *raw, size_t len)
{
    struct ofa_header h;
    ofa_peek_header(raw, len, &h);
    struct ofa_msg m;
    if (h.type != OFA_HELLO) {
        ofa_conn_send_error(c, h.xid, FT_ERR_HELLO_FAILED_INCOMPATIBLE, raw, len);
        ofa_conn_close_soon(c, "first message is not HELLO");
        return;
    }
    if (ofa_decode(raw, len, &m) != FT_OK) {
        ofa_conn_send_error(c, h.xid, FT_ERR_HELLO_FAILED_INCOMPATIBLE, raw, len);
        ofa_conn_close_soon(c, "malformed HELLO");
        return;
    }
    /* With a bitmap the common versions decide; without one, the lower
     * of the two header versions (spec §6.3.1). */
    bool ok =
        m.u.hello.n_words ? (m.u.hello.bitmap[0] >> OFA_VERSION) & 1 : h.version >= OFA_VERSION;
    ofa_msg_free(&m);
    if (!ok) {
        ofa_conn_send_error(c, h.xid, FT_ERR_HELLO_FAILED_INCOMPATIBLE, raw, len);
        ofa_conn_close_soon(c, "peer does not speak OpenFlow 1.3");
        return;
    }
    c->state = OFA_CS_ACTIVE;
    ofa_log(c->agent, "%s: connected, OpenFlow 1.3", c->peer);
    ofa_agent_update_dp_modes(c->agent);
}

/* Handle every complete message in rx; keep a partial one. */
static bool
conn_process(struct ofa_conn *c, uint64_t now_ns)
{
    size_t pos = 0;
    while (c->state != OFA_CS_CLOSING && c->rx_len - pos >= OFA_HEADER_LEN) {
        struct ofa_header h;
        ofa_peek_header(c->rx + pos, c->rx_len - pos, &h);
        if (h.length < OFA_HEADER_LEN) {
            /* The stream cannot be framed any more. */
            ofa_conn_send_error(c, h.xid, FT_ERR_BAD_REQUEST_BAD_LEN, c->rx + pos, OFA_HEADER_LEN);
            ofa_conn_close_soon(c, "message length below 8");
            break;
        }
        if (c->rx_len - pos < h.length)
            break;
        c->last_rx_ns = now_ns;
        c->probe_sent = false;
        if (c->state == OFA_CS_HELLO)
            conn_hello(c, c->rx + pos, h.length);
        else
            ofa_handle(c, c->rx + pos, h.length);
        pos += h.length;
    }
    if (c->state == OFA_CS_CLOSING) {
        c->rx_len = 0;
        return true;
    }
    if (pos) {
        memmove(c->rx, c->rx + pos, c->rx_len - pos);
        c->rx_len -= pos;
    }
    return true;
}

/* Read what is available (up to a budget) and handle it. false: closed. */
static bool
conn_read(struct ofa_conn *c, uint64_t now_ns)
{
    size_t total = 0;
    while (total < OFA_RX_BUDGET && (c->state == OFA_CS_HELLO || c->state == OFA_CS_ACTIVE)) {
        if (c->rx_cap - c->rx_len < OFA_RX_CHUNK / 2) {
            size_t ncap = c->rx_len + OFA_RX_CHUNK;
            uint8_t *n = realloc(c->rx, ncap);
            if (!n) {
                ofa_log(c->agent, "%s: out of memory", c->peer);
                return false;
            }
            c->rx = n;
            c->rx_cap = ncap;
        }
        long r;
        size_t room = c->rx_cap - c->rx_len;
        if (c->tls) {
            r = ofa_tls_read(c->tls, c->rx + c->rx_len, room);
        } else {
            r = recv(c->fd, c->rx + c->rx_len, room, MSG_DONTWAIT);
            if (r < 0)
                r = errno == EWOULDBLOCK ? -EAGAIN : -errno;
        }
        if (r == -EAGAIN || r == -EINTR)
            break;
        if (r == 0) {
            ofa_log(c->agent, "%s: connection closed by peer", c->peer);
            return false;
        }
        if (r < 0) {
            ofa_log(c->agent, "%s: receive: %s", c->peer, strerror((int)-r));
            return false;
        }
        c->rx_len += (size_t)r;
        total += (size_t)r;
        conn_process(c, now_ns);
        if (ofa_conn_backlog(c) >= OFA_TX_HIGH)
            break;
        /* A short read drained the socket: skip the recv that would only
         * say EAGAIN (a request/reply peer pays one syscall less per round
         * trip). TLS may still hold decrypted bytes, so it reads on. */
        if (!c->tls && (size_t)r < room)
            break;
    }
    /* A large buffer left empty is given back. */
    if (c->rx_len == 0 && c->rx_cap > 2 * OFA_RX_CHUNK) {
        free(c->rx);
        c->rx = NULL;
        c->rx_cap = 0;
    }
    return true;
}

bool
ofa_conn_run(struct ofa_conn *c, short revents, uint64_t now_ns)
{
    char err[256];
    if (c->state == OFA_CS_CONNECTING) {
        if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
            return true;
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
            soerr = errno;
        if (soerr) {
            ofa_log(c->agent, "%s: connect: %s", c->peer, strerror(soerr));
            return false;
        }
        c->last_rx_ns = now_ns;
        if (c->tls) {
            c->state = OFA_CS_TLS;
        } else {
            conn_start_hello(c);
        }
        revents = POLLOUT;
    }
    if (c->state == OFA_CS_TLS) {
        int rc = ofa_tls_handshake(c->tls, err, sizeof err);
        if (rc == -EAGAIN)
            return true;
        if (rc) {
            ofa_log(c->agent, "%s: %s", c->peer, err);
            return false;
        }
        conn_start_hello(c);
        revents |= POLLIN | POLLOUT; /* TLS may hold decrypted bytes already. */
    }
    /* TLS: a read may have waited for writability, or left decrypted
     * bytes behind when the read budget ran out. */
    bool tls_more = c->tls && ((revents & POLLOUT) || ofa_tls_pending(c->tls));
    if (c->state != OFA_CS_CLOSING && ((revents & (POLLIN | POLLHUP | POLLERR)) || tls_more)) {
        if (!conn_read(c, now_ns))
            return false;
    }
    if (ofa_conn_backlog(c) && !ofa_conn_flush(c))
        return false;
    if (c->state == OFA_CS_CLOSING && !ofa_conn_backlog(c))
        return false;
    return true;
}

bool
ofa_conn_timers(struct ofa_conn *c, uint64_t now_ns)
{
    struct ofa_agent *a = c->agent;
    uint64_t idle = now_ns - c->last_rx_ns;
    switch (c->state) {
    case OFA_CS_CLOSING:
        return ofa_conn_backlog(c) && now_ns - c->closing_ns < OFA_LINGER_NS;
    case OFA_CS_CONNECTING:
    case OFA_CS_TLS:
    case OFA_CS_HELLO:
        if (idle > OFA_HANDSHAKE_NS) {
            ofa_log(a, "%s: handshake timed out", c->peer);
            return false;
        }
        return true;
    case OFA_CS_ACTIVE:
        break;
    }
    if (ofa_conn_backlog(c) && a->stall_ms) {
        if (!c->stalled_since)
            c->stalled_since = now_ns;
        else if (now_ns - c->stalled_since > a->stall_ms * MS_NS) {
            ofa_log(a, "%s: took none of %zu queued bytes in %u ms, disconnecting", c->peer,
                    ofa_conn_backlog(c), a->stall_ms);
            return false;
        }
    } else {
        c->stalled_since = 0;
    }
    if (!a->probe_ms)
        return true;
    uint64_t probe = a->probe_ms * MS_NS;
    if (idle >= 2 * probe) {
        ofa_log(a, "%s: no response to inactivity probe after %u ms, disconnecting", c->peer,
                2 * a->probe_ms);
        return false;
    }
    if (idle >= probe && !c->probe_sent) {
        struct ofa_msg m = {.type = OFA_ECHO_REQUEST, .xid = c->next_xid++};
        ofa_conn_send(c, &m);
        c->probe_sent = true;
        if (!ofa_conn_flush(c))
            return false;
    }
    return true;
}
