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

/* Takes the body as it arrives, in pieces; 0 to go on. */
typedef int ctl_sink_fn(void *aux, const char *data, size_t len);

/*
 * One request (line, without its newline): the body goes to sink. Returns
 * 0 when answered OK; 1 when the switch answered ERROR (its reason in
 * err); 2 when there was no answer (no switch, garbled, closed early, the
 * sink refused). The values are ofswitch-ctl's exit statuses.
 */
int ctl_call(const char *path, const char *line, ctl_sink_fn *sink, void *aux, char *err,
             size_t errlen);

/* The same, the whole body in *body (malloc'd, NUL-terminated; free it)
 * when it returns 0. */
int ctl_call_buf(const char *path, const char *line, char **body, char *err, size_t errlen);

/* ofswitch-ctl top (ctl_top.c): argv holds the arguments after "top".
 * Returns the exit status. */
int ctl_top(const char *path, int argc, char **argv);

#endif /* CTL_CLIENT_H */
