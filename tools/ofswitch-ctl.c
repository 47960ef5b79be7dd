/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch-ctl — inspect and control a running ofswitch through its control
 * socket (ofagent/ofa_ctl.h has the protocol).
 *
 *   ofswitch-ctl [-t SOCKET] [--json] COMMAND [ARG...]
 *
 * SOCKET defaults to $OFSWITCH_CTL, then /run/ofswitch/ofswitch.ctl.
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
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/ofswitch/ofswitch.ctl"

static void
usage(void)
{
    fprintf(stderr, "usage: ofswitch-ctl [-t SOCKET] [--json] COMMAND [ARG...]\n"
                    "       ofswitch-ctl help   (lists the commands)\n");
    exit(2);
}

static int
connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "ofswitch-ctl: socket path too long: %s\n", path);
        exit(2);
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fprintf(stderr, "ofswitch-ctl: cannot connect to %s: %s (is ofswitch running?)\n", path,
                strerror(errno));
        exit(2);
    }
    return fd;
}

static void
write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "ofswitch-ctl: sending the request: %s\n", strerror(errno));
            exit(2);
        }
        s += w;
        n -= (size_t)w;
    }
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
        path = DEFAULT_SOCKET;

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
    if (n + 2 >= sizeof req) {
        fprintf(stderr, "ofswitch-ctl: request too long\n");
        return 2;
    }
    req[n++] = '\n';
    signal(SIGPIPE, SIG_IGN);
    int fd = connect_to(path);
    write_all(fd, req, n);

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
