/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_ctl.h — the local control socket `ofswitch-ctl` talks to: inspection
 * and control of a running switch (show, ports, flows, groups, meters,
 * cache, cache-stages, cache-flush, pmd-stats, pmd-perf, drops, counters, trace,
 * add-port, del-port, save, capture, log-level).
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ofa_agent;
struct ofa_ctl;

/* What the switch's owner (the executable) does when a command changes or
 * writes its configuration: ofswitch keeps its running configuration and
 * writes the --config file. The control socket knows nothing of files.
 * Each hook returns 0, or -errno with a one-line reason in err; any may be
 * NULL. They run on the agent's thread, inside the command. */
struct ofa_ctl_hooks {
    void *aux;
    /* add-port attached the port. On failure add-port detaches it again
     * and fails with err. */
    int (*port_added)(void *aux, uint32_t port_no, const char *devargs, char *err, size_t errlen);
    /* del-port detached the port. On failure del-port fails with err (the
     * port stays detached). */
    int (*port_deleted)(void *aux, uint32_t port_no, char *err, size_t errlen);
    /* save [FILE]: write the running configuration to path (NULL: the
     * owner's own file) and name the file written in saved. Without this
     * hook, save fails. */
    int (*save)(void *aux, const char *path, char *saved, size_t savedlen, char *err,
                size_t errlen);
};

/* The default socket path: /run/ofswitch/ofswitch.ctl. */
#define OFA_CTL_DEFAULT_PATH "/run/ofswitch/ofswitch.ctl"

/* Listen on path (its directory is created if missing; a stale socket
 * nobody answers on is replaced). NULL with a message in err, e.g. when
 * another switch already serves that path. */
struct ofa_ctl *ofa_ctl_create(const char *path, struct ofa_agent *a, char *err, size_t errlen);

/* Register the owner's hooks (copied); NULL removes them. */
void ofa_ctl_set_hooks(struct ofa_ctl *ctl, const struct ofa_ctl_hooks *hooks);

/* Accept, read and answer whatever is ready. Never blocks. */
void ofa_ctl_run(struct ofa_ctl *ctl);

/* What ofa_ctl_run waits for, to poll it with the agent's sockets: the
 * socket and each client, at most max (OFA_CTL_POLLFDS is all). *busy:
 * a command still runs (a capture, whose frames ofa_ctl_run drains), so
 * run it again within a millisecond or so whatever poll() says. */
struct pollfd;
#define OFA_CTL_POLLFDS 17
size_t ofa_ctl_pollfds(const struct ofa_ctl *ctl, struct pollfd *out, size_t max, bool *busy);

/* Closes every client and removes the socket file. */
void ofa_ctl_destroy(struct ofa_ctl *ctl);

#endif /* OFA_CTL_H */
