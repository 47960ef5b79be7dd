/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_client.h — the client side of the ofswitch-ctl protocol
 * (ofagent/ctl/include/ofa_ctl.h): one request line per connection,
 * answered "OK\n" and a body, or "ERROR <reason>\n", then closed.
 * libc only. Errors are one line for a human in err.
 */
#ifndef CTL_CLIENT_H
#define CTL_CLIENT_H

#include <stddef.h>

#define CTL_DEFAULT_SOCKET "/run/ofswitch/ofswitch.ctl"

/* A connected socket, or -1. */
int ctl_connect(const char *path, char *err, size_t errlen);

/* Write all of buf: 0, or -1. */
int ctl_send(int fd, const char *buf, size_t len, char *err, size_t errlen);

/*
 * One request (line without its newline), the whole answer: 0 with the
 * body in *body (malloc'd, NUL-terminated: free it); 1 when the switch
 * answered ERROR (its reason in err); 2 when there was no answer (no
 * switch, garbled, closed early). The values are ofswitch-ctl's exit
 * statuses.
 */
int ctl_call(const char *path, const char *line, char **body, char *err, size_t errlen);

/* ofswitch-ctl top (ctl_top.c): argv holds the arguments after "top".
 * Returns the exit status. */
int ctl_top(const char *path, int argc, char **argv);

#endif /* CTL_CLIENT_H */
