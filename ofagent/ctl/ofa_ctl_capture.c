/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch-ctl capture PORT FILE [--count N]: the port's frames, both ways,
 * into a pcapng file, until N frames or until the client goes away (Ctrl-C).
 * The request stays open meanwhile; each ofa_ctl_run drains what the
 * workers copied.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ofa_ctl_int.h"
#include "ofa_pcapng_int.h"

struct capture {
    FILE *f;
    uint32_t port;
    uint64_t want; /* 0: until stopped. */
    uint64_t got;
    int64_t realtime_offset_ns; /* Wall clock minus CLOCK_MONOTONIC. */
    char path[1024];
    int write_err;
};

static uint64_t
clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
capture_end(struct ofa_ctl_req *req)
{
    struct capture *cap = req->state;
    dp_capture_stop(req->dp);
    if (cap->f && fclose(cap->f) && !cap->write_err)
        cap->write_err = -errno;
    cap->f = NULL;
}

static int
capture_poll(struct ofa_ctl_req *req)
{
    struct capture *cap = req->state;
    struct dp_captured *c[256];
    size_t n;
    while ((n = dp_capture_pop(req->dp, c, 256))) {
        for (size_t i = 0; i < n; i++) {
            if ((!cap->want || cap->got < cap->want) && !cap->write_err) {
                uint64_t ts = c[i]->ns + (uint64_t)cap->realtime_offset_ns;
                cap->write_err =
                    ofa_pcapng_frame(cap->f, ts, c[i]->len, c[i]->data, c[i]->caplen, c[i]->sent);
                cap->got++;
            }
            dp_capture_free(req->dp, c[i]);
        }
    }
    if (!cap->write_err && (!cap->want || cap->got < cap->want))
        return -EINPROGRESS;
    capture_end(req);
    if (cap->write_err)
        ofa_ctl_fail(req, "writing %s: %s", cap->path, strerror(-cap->write_err));
    else
        ofa_report_kv(&req->rep, "captured", "%" PRIu64 " frame(s) of port %u to %s", cap->got,
                      cap->port, cap->path);
    free(cap);
    req->state = NULL;
    return 0;
}

/* The client went away (Ctrl-C): the file keeps what was written. */
static void
capture_cancel(struct ofa_ctl_req *req)
{
    struct capture *cap = req->state;
    if (!cap)
        return;
    capture_poll(req); /* Write what is already copied... */
    if (req->state) {  /* ...and stop if it was not finished by that. */
        capture_end(req);
        free(cap);
        req->state = NULL;
    }
}

int
ofa_ctl_capture(struct ofa_ctl_req *req)
{
    if (req->argc != 3 && !(req->argc == 5 && !strcmp(req->argv[3], "--count")))
        return ofa_ctl_fail(req, "usage: capture PORT FILE.pcapng [--count N]");
    char *end;
    unsigned long port = strtoul(req->argv[1], &end, 0);
    if (*end || !port || port > UINT32_MAX)
        return ofa_ctl_fail(req, "bad port number '%s'", req->argv[1]);
    uint64_t want = 0;
    if (req->argc == 5) {
        want = strtoull(req->argv[4], &end, 0);
        if (*end || !want)
            return ofa_ctl_fail(req, "bad --count '%s' (a positive number)", req->argv[4]);
    }
    struct capture *cap = calloc(1, sizeof *cap);
    if (!cap)
        return ofa_ctl_fail(req, "out of memory");
    cap->port = (uint32_t)port;
    cap->want = want;
    snprintf(cap->path, sizeof cap->path, "%s", req->argv[2]);
    cap->realtime_offset_ns = (int64_t)(clock_ns(CLOCK_REALTIME) - dp_now_ns(req->dp));
    cap->f = fopen(cap->path, "wb");
    if (!cap->f) {
        int e = errno;
        free(cap);
        return ofa_ctl_fail(req, "cannot write %s: %s", req->argv[2], strerror(e));
    }
    char if_name[32];
    snprintf(if_name, sizeof if_name, "port %lu", port);
    int rc = ofa_pcapng_begin(cap->f, if_name);
    if (!rc)
        rc = dp_capture_start(req->dp, cap->port);
    if (rc) {
        fclose(cap->f);
        remove(cap->path);
        free(cap);
        if (rc == -ENOENT)
            return ofa_ctl_fail(req, "no such port %lu", port);
        if (rc == -EBUSY)
            return ofa_ctl_fail(req, "a capture is already running (one at a time)");
        return ofa_ctl_fail(req, "capture of port %lu: %s", port, strerror(-rc));
    }
    req->state = cap;
    req->poll = capture_poll;
    req->cancel = capture_cancel;
    return -EINPROGRESS;
}
