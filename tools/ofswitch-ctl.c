/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch-ctl — inspect and control a running ofswitch through its control
 * socket (ofagent/ofa_ctl.h has the protocol, ctl_client.h our side).
 *
 *   ofswitch-ctl [-t SOCKET] [--json] COMMAND [ARG...]
 *   ofswitch-ctl [-t SOCKET] top [--interval SECONDS] [--once]
 *
 * SOCKET defaults to $OFSWITCH_CTL, then /run/ofswitch/ofswitch.ctl. top is
 * ours (ctl_top.c): a live view made of the switch's counters command.
 * Exit status: 0 done, 1 the switch refused the command (its one-line
 * reason on stderr), 2 usage or connection error.
 */
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_client.h"

static void
usage(void)
{
    fprintf(stderr, "usage: ofswitch-ctl [-t SOCKET] [--json] COMMAND [ARG...]\n"
                    "       ofswitch-ctl [-t SOCKET] top [--interval SECONDS] [--once]\n"
                    "       ofswitch-ctl help   (lists the switch's commands)\n");
    exit(2);
}

static int
to_stdout(void *aux, const char *data, size_t len)
{
    (void)aux;
    return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

/* The switch writes files in its own directory: send absolute paths. */
static const char *
absolute(const char *path, char *buf, size_t size)
{
    if (path[0] == '/')
        return path;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return path;
    snprintf(buf, size, "%s/%s", cwd, path);
    return buf;
}

int
main(int argc, char **argv)
{
    const char *path = getenv("OFSWITCH_CTL");
    bool json = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if ((!strcmp(argv[i], "-t") || !strcmp(argv[i], "--target")) && i + 1 < argc)
            path = argv[++i];
        else if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            usage();
        else
            break; /* A command argument such as --count. */
    }
    if (i >= argc)
        usage();
    if (!path || !*path)
        path = CTL_DEFAULT_SOCKET;
    if (!strcmp(argv[i], "top")) {
        if (json) {
            fprintf(stderr, "ofswitch-ctl: top has no --json output (--json counters has the "
                            "raw counters)\n");
            return 2;
        }
        return ctl_top(path, argc - i - 1, argv + i + 1);
    }

    char req[4096], abs[PATH_MAX + 64];
    size_t n = (size_t)snprintf(req, sizeof req, "%s", json ? "--json" : "");
    for (int k = i; k < argc; k++) {
        const char *arg = argv[k];
        if (strchr(arg, ' ') || strchr(arg, '\n')) {
            fprintf(stderr, "ofswitch-ctl: arguments cannot contain spaces: '%s'\n", arg);
            return 2;
        }
        /* capture PORT FILE, save FILE: the file is written by the switch. */
        if ((!strcmp(argv[i], "capture") && k == i + 2) || (!strcmp(argv[i], "save") && k == i + 1))
            arg = absolute(arg, abs, sizeof abs);
        n += (size_t)snprintf(req + n, n < sizeof req ? sizeof req - n : 0, "%s%s", n ? " " : "",
                              arg);
    }
    if (n + 1 >= sizeof req) {
        fprintf(stderr, "ofswitch-ctl: request too long\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char err[512];
    int rc = ctl_call(path, req, to_stdout, NULL, err, sizeof err);
    if (rc)
        fprintf(stderr, "ofswitch-ctl: %s\n", err);
    return rc;
}
