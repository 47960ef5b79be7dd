/* SPDX-License-Identifier: Apache-2.0 */
/* The ofswitch-ctl protocol, client side (ctl_client.h). */
#include "ctl_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
ctl_connect(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "socket path too long: %s", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        snprintf(err, errlen, "cannot connect to %s: %s (is ofswitch running?)", path,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int
ctl_send(int fd, const char *buf, size_t len, char *err, size_t errlen)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "sending the request: %s", strerror(errno));
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

int
ctl_call(const char *path, const char *line, char **body, char *err, size_t errlen)
{
    *body = NULL;
    int fd = ctl_connect(path, err, errlen);
    if (fd < 0)
        return 2;
    size_t n = strlen(line);
    char *req = malloc(n + 2);
    if (!req) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return 2;
    }
    memcpy(req, line, n);
    req[n++] = '\n';
    int rc = ctl_send(fd, req, n, err, errlen);
    free(req);
    if (rc) {
        close(fd);
        return 2;
    }
    size_t have = 0, cap = 0;
    char *buf = NULL;
    for (;;) {
        if (cap - have < 4096) {
            char *nb = realloc(buf, cap ? cap * 2 : 65536);
            if (!nb) {
                free(buf);
                close(fd);
                snprintf(err, errlen, "out of memory");
                return 2;
            }
            buf = nb;
            cap = cap ? cap * 2 : 65536;
        }
        ssize_t r = read(fd, buf + have, cap - have - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        have += (size_t)r;
    }
    close(fd);
    buf[have] = '\0';
    char *nl = memchr(buf, '\n', have);
    if (!nl || (strncmp(buf, "OK\n", 3) && strncmp(buf, "ERROR ", 6))) {
        snprintf(err, errlen, have ? "garbled answer from %s" : "%s closed without answering",
                 path);
        free(buf);
        return 2;
    }
    if (buf[0] == 'E') {
        snprintf(err, errlen, "%.*s", (int)(nl - buf - 6), buf + 6);
        free(buf);
        return 1;
    }
    size_t head = (size_t)(nl - buf) + 1;
    memmove(buf, buf + head, have - head + 1);
    *body = buf;
    return 0;
}
