/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch's control side: the OpenFlow agent (ofagent/ofa_agent.h) over
 * the dataplane's control interface, and the ofswitch-ctl socket
 * (ofagent/ofa_ctl.h), and the answers to DPDK telemetry's /ofswitch/
 * commands (ofswitch_telemetry.h). Part of the executable, not of the
 * dataplane library, which knows nothing of OpenFlow.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "dp_control.h"
#include "ofa_agent.h"
#include "ofa_ctl.h"
#include "ofswitch_control.h"
#include "ofswitch_telemetry.h"
#include "ft_alloc.h"

#define IDLE_WAIT_MS 50 /* Port events are looked at every 50 ms (dp_port_events). */
#define BUSY_WAIT_MS 1  /* Packet-ins queued, a capture running: look again soon. */

struct ofs_control {
    struct dp *dp;
    struct ofa_agent *agent;
    struct ofa_ctl *ctl;
    const char *targets[OFS_MAX_CONTROLLERS];
};

/* The control socket's hooks into the running configuration. */
static int
hook_port_added(void *aux, uint32_t port_no, const char *devargs, char *err, size_t errlen)
{
    return ofs_conf_port_added(aux, port_no, devargs, err, errlen);
}

static int
hook_port_deleted(void *aux, uint32_t port_no, char *err, size_t errlen)
{
    return ofs_conf_port_deleted(aux, port_no, err, errlen);
}

static int
hook_save(void *aux, const char *path, char *saved, size_t savedlen, char *err, size_t errlen)
{
    return ofs_conf_save(aux, path, saved, savedlen, err, errlen);
}

struct ofs_control *
ofs_control_create(struct dp *dp, const struct ofs_opts *opts, uint64_t datapath_id,
                   struct ofs_conf *conf, char *err, size_t errlen)
{
    struct ofs_control *c = ft_calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->dp = dp;
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    for (size_t i = 0; i < opts->n_controllers; i++)
        c->targets[i] = opts->controllers[i].target;
    cfg.targets = c->targets;
    cfg.n_targets = opts->n_controllers;
    cfg.datapath_id = datapath_id;
    cfg.fail_mode = opts->fail_mode == OFS_FAIL_STANDALONE ? OFA_FAIL_STANDALONE : OFA_FAIL_SECURE;
    cfg.tls_key = opts->private_key;
    cfg.tls_cert = opts->certificate;
    cfg.tls_ca = opts->ca_cert;
    if (opts->has_packet_in_rate) {
        cfg.packet_in_rate = opts->packet_in_rate;
        cfg.packet_in_burst = opts->packet_in_burst;
    }
    if (opts->has_stall_timeout)
        cfg.stall_timeout_ms = opts->stall_timeout_s * 1000;
    c->agent = ofa_agent_create(&cfg, dp, err, errlen);
    if (!c->agent) {
        free(c);
        return NULL;
    }
    ofs_telemetry_open(dp, c->agent); /* Answered in ofs_control_run. */

    /* An explicit --ctl-socket must work; the default is a convenience:
     * without it (no /run write access, say) the switch still runs. */
    const char *path = opts->ctl_socket ? opts->ctl_socket : OFA_CTL_DEFAULT_PATH;
    char why[256];
    c->ctl = ofa_ctl_create(path, c->agent, why, sizeof why);
    if (!c->ctl && opts->ctl_socket) {
        snprintf(err, errlen, "%s", why);
        ofs_control_destroy(c);
        return NULL;
    }
    if (c->ctl)
        ofa_ctl_set_hooks(c->ctl, &(struct ofa_ctl_hooks){.aux = conf,
                                                          .port_added = hook_port_added,
                                                          .port_deleted = hook_port_deleted,
                                                          .save = hook_save});
    fprintf(stderr, "ofswitch: datapath %016llx, fail mode %s, %zu controller target(s), %s%s\n",
            (unsigned long long)datapath_id,
            opts->fail_mode == OFS_FAIL_STANDALONE ? "standalone" : "secure", opts->n_controllers,
            c->ctl ? "ofswitch-ctl on " : "no ofswitch-ctl: ", c->ctl ? path : why);
    return c;
}

int
ofs_control_run(struct ofs_control *c, uint64_t now_ns)
{
    dp_stages_tick(c->dp, now_ns);
    /* Inline, this thread also forwards, so it must not block; the main
     * loop naps when idle instead. */
    if (dp_inline(c->dp)) {
        int rc = ofa_agent_run_once(c->agent, 0);
        if (rc)
            return rc;
        if (c->ctl)
            ofa_ctl_run(c->ctl);
        return ofs_telemetry_serve();
    }
    /* With workers the main lcore is the agent's. Idle, it sleeps until a
     * socket, a packet-in, a telemetry request or its own next timer wakes
     * it (at most IDLE_WAIT_MS, for port events): waking every millisecond
     * cost the core it shares (the benchmark's generator waited 26-37 ms a
     * second for it). */
    struct pollfd pfd[1 + OFA_CTL_POLLFDS];
    size_t n = 0;
    pfd[n++] = (struct pollfd){.fd = dp_agent_wake_fd(c->dp), .events = POLLIN};
    bool ctl_busy = false;
    if (c->ctl)
        n += ofa_ctl_pollfds(c->ctl, pfd + n, OFA_CTL_POLLFDS, &ctl_busy);
    bool sleep = dp_agent_may_sleep(c->dp) && !ctl_busy && !ofs_telemetry_pending();
    int rc = ofa_agent_run_watching(c->agent, sleep ? IDLE_WAIT_MS : BUSY_WAIT_MS, pfd, n);
    dp_agent_awake(c->dp);
    if (rc)
        return rc;
    if (c->ctl)
        ofa_ctl_run(c->ctl);
    ofs_telemetry_serve();
    return 1;
}

void
ofs_control_destroy(struct ofs_control *c)
{
    if (!c)
        return;
    ofs_telemetry_close();
    ofa_ctl_destroy(c->ctl);
    ofa_agent_destroy(c->agent);
    free(c);
}
