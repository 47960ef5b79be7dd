/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the agent as a whole: a sequence of OpenFlow
 * messages from one controller, over a socketpair, into an agent on the
 * stub dataplane (a real pipeline, no DPDK). The input is split into
 * messages by their header's length field (the bytes are the fuzzer's,
 * unchanged; a length below 8 ends the input) and follows a valid HELLO.
 * Each run starts from a fresh agent and pipeline.
 *
 * Checks, besides crashes, leaks and out-of-bounds access:
 *  - everything the agent sends is one well-formed OpenFlow 1.3 message
 *    after another (ofa_decode accepts each);
 *  - every request that must be answered (echo, features, get-config,
 *    barrier, role, get-async, queue-get-config, a multipart request's
 *    last part) gets a reply or an ERROR with its xid — unless the agent
 *    closed the connection, which it may do only after an ERROR (a
 *    broken handshake or length).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ofa_agent.h"
#include "ofa_msg.h"
#include "stub_dp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQS 512

struct request {
    uint32_t xid;
    uint8_t type;
};

/* OFPT_* that must be answered; multipart only on its last part. */
static bool
wants_answer(const uint8_t *m, size_t len)
{
    switch (m[1]) {
    case 2:  /* ECHO_REQUEST */
    case 5:  /* FEATURES_REQUEST */
    case 7:  /* GET_CONFIG_REQUEST */
    case 20: /* BARRIER_REQUEST */
    case 22: /* QUEUE_GET_CONFIG_REQUEST */
    case 24: /* ROLE_REQUEST */
    case 26: /* GET_ASYNC_REQUEST */
        return true;
    case 18: /* MULTIPART_REQUEST: flags at 10, REQ_MORE = 1 */
        return len < 12 || !(m[11] & 1);
    default:
        return false;
    }
}

static void
run(struct ofa_agent *a, int n)
{
    for (int i = 0; i < n; i++)
        if (ofa_agent_run_once(a, 0))
            abort();
}

/* Move what the agent wrote into out; false once it closed. */
static bool
collect(int fd, struct ofa_buf *out)
{
    for (;;) {
        uint8_t buf[65536];
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r > 0) {
            ofa_buf_put_bytes(out, buf, (size_t)r);
            continue;
        }
        return !(r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t hello[] = {4, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 8, 0, 0, 0, 0x10};
    struct request reqs[MAX_REQS];
    size_t n_reqs = 0, end = 0;
    while (end + 8 <= size) { /* The messages, and which want answers. */
        size_t len = (size_t)data[end + 2] << 8 | data[end + 3];
        if (len < 8 || end + len > size)
            break;
        if (wants_answer(data + end, len) && n_reqs < MAX_REQS)
            reqs[n_reqs++] = (struct request){.xid = (uint32_t)data[end + 4] << 24 |
                                                     (uint32_t)data[end + 5] << 16 |
                                                     (uint32_t)data[end + 6] << 8 | data[end + 7],
                                              .type = data[end + 1]};
        end += len;
    }

    struct dp *dp = stub_dp_create(4, NULL);
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    cfg.datapath_id = 0x42;
    cfg.log_level = 0; /* Thousands of runs a second: quiet. */
    char err[256];
    struct ofa_agent *a = dp ? ofa_agent_create(&cfg, dp, err, sizeof err) : NULL;
    int fds[2];
    if (!a || socketpair(AF_UNIX, SOCK_STREAM, 0, fds))
        abort();
    if (ofa_agent_attach(a, fds[0]))
        abort();
    struct ofa_buf in, out;
    ofa_buf_init(&in);
    ofa_buf_init(&out);
    ofa_buf_put_bytes(&in, hello, sizeof hello);
    ofa_buf_put_bytes(&in, data, end);

    /* Feed it all, running the agent whenever the socket is full, then
     * until it has read everything and stopped writing. */
    size_t sent = 0;
    bool open = true;
    int quiet = 0;
    while (open && (sent < in.len || quiet < 3)) {
        if (sent < in.len) {
            ssize_t w = send(fds[1], in.data + sent, in.len - sent, MSG_DONTWAIT);
            if (w > 0)
                sent += (size_t)w;
        }
        size_t before = out.len;
        run(a, 1);
        open = collect(fds[1], &out);
        int pending = 0;
        ioctl(fds[0], FIONREAD, &pending); /* What the agent has not read yet. */
        quiet = sent == in.len && !pending && out.len == before ? quiet + 1 : 0;
    }

    /* Well-formed, one after another; note the xids answered. */
    bool error_seen = false;
    uint32_t *answered = calloc(out.len / 8 + 1, sizeof *answered);
    size_t n_answered = 0;
    for (size_t at = 0; at + 8 <= out.len;) {
        struct ofa_header h;
        if (!ofa_peek_header(out.data + at, out.len - at, &h) || h.length < 8 ||
            at + h.length > out.len)
            abort();
        struct ofa_msg m;
        if (ofa_decode(out.data + at, h.length, &m) != FT_OK)
            abort(); /* The agent sent something it cannot itself decode. */
        ofa_msg_free(&m);
        error_seen |= h.type == OFA_ERROR;
        answered[n_answered++] = h.xid;
        at += h.length;
    }
    if (!open && !error_seen)
        abort(); /* Closed without saying why. */
    if (open) {
        for (size_t i = 0; i < n_reqs; i++) {
            bool found = false;
            for (size_t j = 0; j < n_answered && !found; j++)
                found = answered[j] == reqs[i].xid;
            if (!found)
                abort(); /* A request nobody answered. */
        }
    }
    free(answered);
    ofa_buf_free(&in);
    ofa_buf_free(&out);
    close(fds[1]);
    ofa_agent_destroy(a);
    stub_dp_destroy(dp);
    return 0;
}
