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
#include <errno.h>
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
        /* capture PORT FILE: the file is written by the switch. */
        if (!strcmp(argv[i], "capture") && k == i + 2)
            arg = absolute(arg, abs, sizeof abs);
        n += (size_t)snprintf(req + n, n < sizeof req ? sizeof req - n : 0, "%s%s", n ? " " : "",
                              arg);
    }
    if (n + 2 >= sizeof req) {
        fprintf(stderr, "ofswitch-ctl: request too long\n");
        return 2;
    }
    req[n++] = '\n';
    signal(SIGPIPE, SIG_IGN);
    char err[512];
    int fd = ctl_connect(path, err, sizeof err);
    if (fd < 0 || ctl_send(fd, req, n, err, sizeof err)) {
        fprintf(stderr, "ofswitch-ctl: %s\n", err);
        return 2;
    }

    /* The answer: "OK\n" + body, or "ERROR reason\n". */
    static char buf[1 << 16];
    size_t have = 0;
    bool header = true, ok = false;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        have += (size_t)r;
        if (header) {
            char *nl = memchr(buf, '\n', have);
            if (!nl && have < sizeof buf)
                continue;
            if (!nl || (strncmp(buf, "OK\n", 3) && strncmp(buf, "ERROR ", 6))) {
                fprintf(stderr, "ofswitch-ctl: garbled answer from %s\n", path);
                return 2;
            }
            header = false;
            ok = buf[0] == 'O';
            size_t head = (size_t)(nl - buf) + 1;
            if (!ok) {
                fprintf(stderr, "ofswitch-ctl: %.*s\n", (int)(head - 7), buf + 6);
                return 1;
            }
            memmove(buf, buf + head, have - head);
            have -= head;
        }
        fwrite(buf, 1, have, stdout);
        have = 0;
    }
    close(fd);
    if (header) {
        fprintf(stderr, "ofswitch-ctl: %s closed without answering\n", path);
        return 2;
    }
    return 0;
}
