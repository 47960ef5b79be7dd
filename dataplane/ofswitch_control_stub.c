/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control side until the OpenFlow agent plugs in (ofswitch_control.h):
 * no controller connection, so it only drains what the dataplane hands the
 * agent — packet-ins (freed) and port events — and logs them (packet-ins
 * at most once a second, with counts). With no controller ever connected,
 * standalone fail mode (set by main before the ports came up) stays on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_control.h"
#include "ofswitch_control.h"

#define LOG_INTERVAL_NS 1000000000ull

struct ofs_control {
    struct dp *dp;
    uint64_t datapath_id;
    uint64_t pins, pins_logged, pin_log_ns;
    uint64_t stats_log_ns;
};

struct ofs_control *
ofs_control_create(struct dp *dp, const struct ofs_opts *opts, uint64_t datapath_id, char *err,
                   size_t errlen)
{
    struct ofs_control *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->dp = dp;
    c->datapath_id = datapath_id;
    if (opts->n_controllers)
        fprintf(stderr,
                "ofswitch: %zu controller(s) configured; no OpenFlow agent in this "
                "build yet, not connecting\n",
                opts->n_controllers);
    fprintf(stderr, "ofswitch: datapath %016llx, fail mode %s\n", (unsigned long long)datapath_id,
            opts->fail_mode == OFS_FAIL_STANDALONE ? "standalone" : "secure");
    return c;
}

static const char *
reason_name(uint8_t r)
{
    return r == DP_PORT_ADD ? "added" : r == DP_PORT_DELETE ? "deleted" : "modified";
}

int
ofs_control_run(struct ofs_control *c, uint64_t now_ns)
{
    int work = 0;
    struct dp_packet_in *pins[64];
    size_t n = dp_packet_in_pop(c->dp, pins, 64);
    for (size_t i = 0; i < n; i++)
        dp_packet_in_free(c->dp, pins[i]);
    c->pins += n;
    work += (int)n;
    if (c->pins != c->pins_logged && now_ns - c->pin_log_ns >= LOG_INTERVAL_NS) {
        fprintf(stderr, "ofswitch: %llu packet-in(s) dropped (no controller)\n",
                (unsigned long long)(c->pins - c->pins_logged));
        c->pins_logged = c->pins;
        c->pin_log_ns = now_ns;
    }

    struct dp_port_event ev[16];
    size_t ne = dp_port_events(c->dp, ev, 16);
    for (size_t i = 0; i < ne; i++)
        fprintf(stderr, "ofswitch: port %lu (%s) %s, link %s%s\n",
                (unsigned long)ev[i].port.port_no, ev[i].port.name, reason_name(ev[i].reason),
                ev[i].port.state & DP_PS_LINK_DOWN ? "down" : "up",
                ev[i].port.config & 1 ? ", PORT_DOWN" : "");
    work += (int)ne;
    return work;
}

void
ofs_control_destroy(struct ofs_control *c)
{
    free(c);
}
