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

static int
connect_to(const char *path, char *err, size_t errlen)
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

static int
send_all(int fd, const char *buf, size_t len, char *err, size_t errlen)
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

/* The answer: its first line (OK or ERROR), then the body to the sink. */
static int
read_answer(int fd, const char *path, ctl_sink_fn *sink, void *aux, char *err, size_t errlen)
{
    static char buf[1 << 16];
    size_t have = 0;
    bool header = true;
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
                snprintf(err, errlen, "garbled answer from %s", path);
                return 2;
            }
            size_t head = (size_t)(nl - buf) + 1;
            if (buf[0] == 'E') {
                snprintf(err, errlen, "%.*s", (int)(head - 7), buf + 6);
                return 1;
            }
            header = false;
            memmove(buf, buf + head, have - head);
            have -= head;
        }
        if (have && sink(aux, buf, have)) {
            snprintf(err, errlen, "cannot take the answer: %s", strerror(errno));
            return 2;
        }
        have = 0;
    }
    if (header) {
        snprintf(err, errlen, "%s closed without answering", path);
        return 2;
    }
    return 0;
}

int
ctl_call(const char *path, const char *line, ctl_sink_fn *sink, void *aux, char *err, size_t errlen)
{
    int fd = connect_to(path, err, errlen);
    if (fd < 0)
        return 2;
    int rc = send_all(fd, line, strlen(line), err, errlen) || send_all(fd, "\n", 1, err, errlen)
                 ? 2
                 : read_answer(fd, path, sink, aux, err, errlen);
    close(fd);
    return rc;
}

struct membuf {
    char *data;
    size_t len, cap;
};

static int
to_memory(void *aux, const char *data, size_t len)
{
    struct membuf *m = aux;
    if (m->len + len + 1 > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        while (cap < m->len + len + 1)
            cap *= 2;
        char *nd = realloc(m->data, cap);
        if (!nd)
            return -1;
        m->data = nd;
        m->cap = cap;
    }
    memcpy(m->data + m->len, data, len);
    m->len += len;
    m->data[m->len] = '\0';
    return 0;
}

int
ctl_call_buf(const char *path, const char *line, char **body, char *err, size_t errlen)
{
    struct membuf m = {0};
    int rc = ctl_call(path, line, to_memory, &m, err, errlen);
    if (!rc && !m.data && to_memory(&m, "", 0)) { /* An empty body. */
        snprintf(err, errlen, "out of memory");
        rc = 2;
    }
    if (rc) {
        free(m.data);
        m.data = NULL;
    }
    *body = m.data;
    return rc;
}
