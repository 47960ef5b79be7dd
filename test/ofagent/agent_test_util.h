/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_test_util.h — drive the agent over in-memory connections: an
 * agent on the stub dataplane, controllers attached through socketpairs,
 * raw OpenFlow messages written and read on the controller's end.
 *
 *   struct harness h; h_init(&h, 4, OFA_FAIL_SECURE);
 *   int c = h_connect(&h);                     // HELLO exchanged
 *   h_send(&h, c, &msg);  h_recv(&h, c, &reply, raw);
 *   h_expect_error(&h, c, xid, FT_ERR_..., sent_bytes, sent_len);
 *   h_fini(&h);
 */
#ifndef TEST_AGENT_TEST_UTIL_H
#define TEST_AGENT_TEST_UTIL_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ft_test_util.h"
#include "ofa_agent.h"
#include "ofa_msg.h"
#include "stub_dp.h"

#define H_MAX_MSG 70000

struct hconn {
    int fd;
    uint8_t rx[4 * H_MAX_MSG];
    size_t rx_len;
};

struct harness {
    struct dp *dp;
    struct ofa_agent *a;
    struct hconn conns[4];
    int n_conns;
    struct ofa_buf out; /* The last message sent, as bytes. */
};

static inline void
h_sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static inline void
h_run(struct harness *h, int rounds)
{
    for (int i = 0; i < rounds; i++)
        ck_assert_int_eq(ofa_agent_run_once(h->a, 0), 0);
}

static inline void
h_init_cfg(struct harness *h, unsigned n_ports, struct ofa_config *cfg)
{
    memset(h, 0, sizeof *h);
    h->dp = stub_dp_create(n_ports, NULL);
    ck_assert_ptr_nonnull(h->dp);
    char err[256] = "";
    h->a = ofa_agent_create(cfg, h->dp, err, sizeof err);
    ck_assert_msg(h->a != NULL, "agent: %s", err);
    ofa_buf_init(&h->out);
}

static inline void
h_init(struct harness *h, unsigned n_ports, enum ofa_fail_mode fm)
{
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    cfg.datapath_id = 0x1234;
    cfg.fail_mode = fm;
    h_init_cfg(h, n_ports, &cfg);
}

static inline void
h_fini(struct harness *h)
{
    ofa_agent_destroy(h->a);
    for (int i = 0; i < h->n_conns; i++)
        if (h->conns[i].fd >= 0)
            close(h->conns[i].fd);
    stub_dp_destroy(h->dp);
    ofa_buf_free(&h->out);
}

static inline void
h_write(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        ck_assert_msg(w > 0, "write: %s", strerror(errno));
        p += w;
        n -= (size_t)w;
    }
}

/* Write raw bytes on controller c, letting the agent run so that a large
 * write cannot deadlock on the socket buffer. */
static inline void
h_send_raw(struct harness *h, int c, const uint8_t *p, size_t n)
{
    int fd = h->conns[c].fd;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_DONTWAIT);
        if (w < 0) {
            ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK, "send: %s", strerror(errno));
            h_run(h, 1);
            continue;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Encode m and send it; the bytes stay in h->out for error checks. */
static inline void
h_send(struct harness *h, int c, const struct ofa_msg *m)
{
    ofa_buf_clear(&h->out);
    ck_assert_int_eq(ofa_encode(&h->out, m), 0);
    h_send_raw(h, c, h->out.data, h->out.len);
}

/* Next message from the agent on c (running the agent meanwhile): raw
 * bytes into raw (H_MAX_MSG), decoded into *m (free with ofa_msg_free;
 * payloads point into raw). Returns its length; fails after 3 s. */
static inline size_t
h_recv(struct harness *h, int c, struct ofa_msg *m, uint8_t *raw)
{
    struct hconn *hc = &h->conns[c];
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (hc->rx_len >= 8) {
            size_t len = ft_rd16(hc->rx + 2);
            ck_assert_uint_ge(len, 8);
            if (hc->rx_len >= len) {
                memcpy(raw, hc->rx, len);
                memmove(hc->rx, hc->rx + len, hc->rx_len - len);
                hc->rx_len -= len;
                enum ft_err err = ofa_decode(raw, len, m);
                ck_assert_msg(err == FT_OK, "agent sent undecodable type %u: %s", raw[1],
                              ft_err_name(err));
                return len;
            }
        }
        h_run(h, 1);
        ssize_t r = recv(hc->fd, hc->rx + hc->rx_len, sizeof hc->rx - hc->rx_len, MSG_DONTWAIT);
        if (r == 0)
            ck_abort_msg("agent closed the connection");
        if (r > 0) {
            hc->rx_len += (size_t)r;
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
        ck_assert_msg(t.tv_sec - t0.tv_sec < 3, "no message from the agent");
        struct pollfd pfd = {.fd = hc->fd, .events = POLLIN};
        poll(&pfd, 1, 1);
    }
}

/* Receive and check the type; the message is freed. */
static inline void
h_expect_type(struct harness *h, int c, uint8_t type, uint32_t xid)
{
    static uint8_t raw[H_MAX_MSG];
    struct ofa_msg m;
    h_recv(h, c, &m, raw);
    ck_assert_msg(m.type == type, "got type %u, want %u", m.type, type);
    ck_assert_uint_eq(m.xid, xid);
    ofa_msg_free(&m);
}

/* Nothing pending from the agent on c after it ran a while. */
static inline void
h_expect_silence(struct harness *h, int c)
{
    h_run(h, 5);
    uint8_t b[8];
    ck_assert_uint_eq(h->conns[c].rx_len, 0);
    ssize_t r = recv(h->conns[c].fd, b, sizeof b, MSG_DONTWAIT | MSG_PEEK);
    ck_assert_msg(r < 0, "unexpected message type %u from the agent", r >= 2 ? b[1] : 0);
}

/* An ERROR with xid and err whose data are the first 64 bytes of
 * sent[0..len). */
static inline void
h_expect_error(struct harness *h, int c, uint32_t xid, enum ft_err err, const uint8_t *sent,
               size_t len)
{
    static uint8_t raw[H_MAX_MSG];
    struct ofa_msg m;
    h_recv(h, c, &m, raw);
    ck_assert_msg(m.type == OFA_ERROR, "got type %u, want ERROR %s", m.type, ft_err_name(err));
    ck_assert_msg(m.u.error.err == err, "got %s, want %s", ft_err_name(m.u.error.err),
                  ft_err_name(err));
    ck_assert_uint_eq(m.xid, xid);
    if (sent) {
        size_t n = len < 64 ? len : 64;
        ck_assert_uint_eq(m.u.error.data_len, n);
        ck_assert_mem_eq(m.u.error.data, sent, n);
    }
    ofa_msg_free(&m);
}

/* Send m and expect err with m's first 64 bytes. */
static inline void
h_send_expect_error(struct harness *h, int c, const struct ofa_msg *m, enum ft_err err)
{
    h_send(h, c, m);
    uint8_t copy[H_MAX_MSG];
    size_t n = h->out.len;
    memcpy(copy, h->out.data, n);
    h_expect_error(h, c, m->xid, err, copy, n);
}

/* A controller on a socketpair; unless raw_hello, HELLO is exchanged. */
static inline int
h_connect_nohello(struct harness *h)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_lt(h->n_conns, 4);
    int c = h->n_conns++;
    h->conns[c].fd = sv[0];
    h->conns[c].rx_len = 0;
    ck_assert_int_eq(ofa_agent_attach(h->a, sv[1]), 0);
    return c;
}

static inline int
h_connect(struct harness *h)
{
    int c = h_connect_nohello(h);
    static uint8_t raw[H_MAX_MSG];
    struct ofa_msg m;
    h_recv(h, c, &m, raw);
    ck_assert_int_eq(m.type, OFA_HELLO);
    ck_assert_uint_eq(m.u.hello.bitmap[0], 1u << 4);
    ofa_msg_free(&m);
    struct ofa_msg hello = {.type = OFA_HELLO, .xid = 1};
    hello.u.hello.n_words = 1;
    hello.u.hello.bitmap[0] = 1u << 4;
    h_send(h, c, &hello);
    h_run(h, 2);
    return c;
}

/* Barrier round trip: everything before it was applied and committed. */
static inline void
h_barrier(struct harness *h, int c)
{
    struct ofa_msg b = {.type = OFA_BARRIER_REQUEST, .xid = 0xbabe};
    h_send(h, c, &b);
    h_expect_type(h, c, OFA_BARRIER_REPLY, 0xbabe);
}

/* A FLOW_MOD from text (see ft_test_util.h); insts freed by h_flow_free. */
static inline void
h_flow_msg(struct ofa_msg *m, uint32_t xid, uint8_t cmd, const char *spec, const char *insts)
{
    memset(m, 0, sizeof *m);
    m->type = OFA_FLOW_MOD;
    m->xid = xid;
    tu_flow_mod_init(&m->u.flow_mod.fm, cmd, spec);
    m->u.flow_mod.fm.insts = insts ? tu_insts(insts) : NULL;
    m->u.flow_mod.buffer_id = OFA_NO_BUFFER;
}

static inline void
h_flow_free(struct ofa_msg *m)
{
    free((void *)m->u.flow_mod.fm.insts);
    m->u.flow_mod.fm.insts = NULL;
}

/* Send a flow mod from text; no reply expected. */
static inline void
h_flow(struct harness *h, int c, uint8_t cmd, const char *spec, const char *insts)
{
    struct ofa_msg m;
    h_flow_msg(&m, 7, cmd, spec, insts);
    h_send(h, c, &m);
    h_flow_free(&m);
}

/* An Ethernet/IPv4/UDP frame of 60 bytes. */
static inline size_t
h_udp_frame(uint8_t *f, uint32_t src, uint32_t dst, uint8_t ttl)
{
    memset(f, 0, 60);
    const uint8_t hdr[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
                           0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00, 0x00, 0x2e,
                           0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00};
    memcpy(f, hdr, sizeof hdr);
    f[22] = ttl;
    ft_wr32(f + 26, src);
    ft_wr32(f + 30, dst);
    ft_wr16(f + 34, 1000);
    ft_wr16(f + 36, 2000);
    ft_wr16(f + 38, 26);
    return 60;
}

/* A multipart request of a type with an empty body. */
static inline void
h_mp_msg(struct ofa_msg *m, uint32_t xid, uint16_t type)
{
    memset(m, 0, sizeof *m);
    m->type = OFA_MULTIPART_REQUEST;
    m->xid = xid;
    m->u.mp.type = type;
}

#endif /* TEST_AGENT_TEST_UTIL_H */
