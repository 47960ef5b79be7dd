/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_ctl_int.h (internal) — one ofswitch-ctl request and the commands that
 * answer it. Agent thread only.
 */
#ifndef OFA_CTL_INT_H
#define OFA_CTL_INT_H

#include <stdbool.h>

#include "dp_control.h"
#include "ofa_agent.h"
#include "ofa_ctl.h"
#include "ofa_report_int.h"

#define OFA_CTL_MAX_ARGS 32

struct ofa_ctl_req {
    struct ofa_agent *agent;
    struct dp *dp;                     /* The agent's (ofa_agent_status). */
    struct ft_pipeline *p;             /* The agent's: reads see the staged view. */
    const struct ofa_ctl_hooks *hooks; /* The owner's (ofa_ctl_set_hooks); never NULL. */
    int argc;
    char *argv[OFA_CTL_MAX_ARGS]; /* Point into line. */
    char line[4096];
    bool json;
    struct ofa_report rep;
    char error[256]; /* Non-empty: the request failed, with this one line. */
    /* A command that runs on (capture) keeps its state here. */
    void *state;
    int (*poll)(struct ofa_ctl_req *req); /* 0 done, -EINPROGRESS. */
    void (*cancel)(struct ofa_ctl_req *req);
};

/* Split the request line; NULL on allocation failure. hooks stay the
 * caller's. */
struct ofa_ctl_req *ofa_ctl_req_new(struct ofa_agent *a, const struct ofa_ctl_hooks *hooks,
                                    const char *line);
void ofa_ctl_req_free(struct ofa_ctl_req *req);

/* Run the command: 0 when answered (req->error or req->rep), -EINPROGRESS
 * when it runs on (poll it until it is not). */
int ofa_ctl_execute(struct ofa_ctl_req *req);
int ofa_ctl_req_poll(struct ofa_ctl_req *req);
void ofa_ctl_req_cancel(struct ofa_ctl_req *req);

/* cache, cache-stages [auto|whole|T,...], cache-flush (ofa_ctl_cache.c). */
int ofa_ctl_cache(struct ofa_ctl_req *req);
int ofa_ctl_cache_stages(struct ofa_ctl_req *req);
int ofa_ctl_cache_flush(struct ofa_ctl_req *req);
/* capture PORT FILE [--count N] (ofa_ctl_capture.c): runs on. */
int ofa_ctl_capture(struct ofa_ctl_req *req);

/* Fail the request with one line. Returns 0 (handlers `return fail(...)`). */
int ofa_ctl_fail(struct ofa_ctl_req *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* OFA_CTL_INT_H */
