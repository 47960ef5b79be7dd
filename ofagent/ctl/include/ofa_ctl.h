/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_ctl.h — the local control socket `ofswitch-ctl` talks to: inspection
 * and control of a running switch (show, ports, flows, groups, meters,
 * cache, pmd-stats, drops, counters, trace, add-port, del-port, capture,
 * log-level).
 *
 * Protocol (one request per connection, like ovs-appctl): the client sends
 * one line, "[--json] COMMAND [ARG...]\n"; the server answers "OK\n" and the
 * body, or "ERROR <one line>\n", then closes.
 *
 * Thread safety: everything runs on the agent's thread, from
 * ofa_ctl_run(), which never blocks.
 */
#ifndef OFA_CTL_H
#define OFA_CTL_H

#include <stddef.h>

struct ofa_agent;
struct ofa_ctl;

/* The default socket path: /run/ofswitch/ofswitch.ctl. */
#define OFA_CTL_DEFAULT_PATH "/run/ofswitch/ofswitch.ctl"

/* Listen on path (its directory is created if missing; a stale socket
 * nobody answers on is replaced). NULL with a message in err, e.g. when
 * another switch already serves that path. */
struct ofa_ctl *ofa_ctl_create(const char *path, struct ofa_agent *a, char *err, size_t errlen);

/* Accept, read and answer whatever is ready. Never blocks. */
void ofa_ctl_run(struct ofa_ctl *ctl);

/* Closes every client and removes the socket file. */
void ofa_ctl_destroy(struct ofa_ctl *ctl);

#endif /* OFA_CTL_H */
