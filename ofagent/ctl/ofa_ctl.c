/* SPDX-License-Identifier: Apache-2.0 */
/* The control socket: accepting, reading requests, writing answers. The
 * commands themselves are in ofa_ctl_cmds.c. */
#include "ofa_ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ofa_ctl_int.h"

#define MAX_CLIENTS 16
_Static_assert(OFA_CTL_POLLFDS == 1 + MAX_CLIENTS, "ofa_ctl_pollfds' bound");
#define MAX_REQUEST 4096

struct ctl_client {
    int fd;
    char in[MAX_REQUEST];
    size_t in_len;
    struct ofa_buf out; /* The answer, being written. */
    size_t out_ofs;
    bool answered;
    struct ofa_ctl_req *pending; /* A command still running (capture). */
};

struct ofa_ctl {
    struct ofa_agent *agent;
    struct ofa_ctl_hooks hooks;
    int listen_fd;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct ctl_client clients[MAX_CLIENTS];
};

static int
set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

/* Is someone already answering on path? */
static bool
path_in_use(const struct sockaddr_un *sa)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool used = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0;
    close(fd);
    return used;
}

static void
make_parent_dir(const char *path)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return;
    *slash = '\0';
    (void)mkdir(dir, 0750); /* EEXIST is fine; other errors show at bind(). */
}

struct ofa_ctl *
ofa_ctl_create(const char *path, struct ofa_agent *a, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path || !*path || strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "control socket path '%s' is empty or too long", path ? path : "");
        return NULL;
    }
    strcpy(sa.sun_path, path);
    if (path_in_use(&sa)) {
        snprintf(err, errlen, "control socket %s is in use by another switch", path);
        return NULL;
    }
    make_parent_dir(path);
    unlink(path); /* A stale socket from a switch that died. */

    struct ofa_ctl *ctl = calloc(1, sizeof *ctl);
    if (!ctl) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ctl->agent = a;
    snprintf(ctl->path, sizeof ctl->path, "%s", path);
    for (int i = 0; i < MAX_CLIENTS; i++)
        ctl->clients[i].fd = -1;
    ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ctl->listen_fd < 0 || bind(ctl->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        listen(ctl->listen_fd, 8) < 0 || set_nonblock(ctl->listen_fd) < 0) {
        snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
        if (ctl->listen_fd >= 0)
            close(ctl->listen_fd);
        free(ctl);
        return NULL;
    }
    return ctl;
}

void
ofa_ctl_set_hooks(struct ofa_ctl *ctl, const struct ofa_ctl_hooks *hooks)
{
    ctl->hooks = hooks ? *hooks : (struct ofa_ctl_hooks){0};
}

static void
client_close(struct ctl_client *cl)
{
    if (cl->pending) {
        ofa_ctl_req_cancel(cl->pending);
        cl->pending = NULL;
    }
    close(cl->fd);
    ofa_buf_free(&cl->out);
    cl->fd = -1;
}

void
ofa_ctl_destroy(struct ofa_ctl *ctl)
{
    if (!ctl)
        return;
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (ctl->clients[i].fd >= 0)
            client_close(&ctl->clients[i]);
    close(ctl->listen_fd);
    unlink(ctl->path);
    free(ctl);
}

/* Whether a client waits to be accepted. An accept() that finds none
 * still builds and tears down a socket and its file in the kernel: on the
 * agent's every turn (a thousand a second) that was two thirds of its
 * system calls' time, on the core it shares with the controllers. */
static bool
client_waiting(const struct ofa_ctl *ctl)
{
    struct pollfd pfd = {.fd = ctl->listen_fd, .events = POLLIN};
    return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
}

static void
accept_clients(struct ofa_ctl *ctl)
{
    if (!client_waiting(ctl))
        return;
    for (;;) {
        int fd = accept(ctl->listen_fd, NULL, NULL);
        if (fd < 0)
            return;
        struct ctl_client *cl = NULL;
        for (int i = 0; i < MAX_CLIENTS && !cl; i++)
            if (ctl->clients[i].fd < 0)
                cl = &ctl->clients[i];
        if (!cl || set_nonblock(fd) < 0) {
            static const char busy[] = "ERROR too many ofswitch-ctl clients at once\n";
            (void)!write(fd, busy, sizeof busy - 1);
            close(fd);
            continue;
        }
        memset(cl, 0, sizeof *cl);
        cl->fd = fd;
        ofa_buf_init(&cl->out);
    }
}

/* Queue the answer of a finished request. */
static void
answer(struct ctl_client *cl, struct ofa_ctl_req *req)
{
    if (req->error[0]) {
        char line[sizeof req->error + 8];
        int n = snprintf(line, sizeof line, "ERROR %s\n", req->error);
        ofa_buf_put_bytes(&cl->out, line, (size_t)n);
    } else {
        ofa_buf_put_bytes(&cl->out, "OK\n", 3);
        ofa_buf_put_bytes(&cl->out, req->rep.out.data, req->rep.out.len);
    }
    cl->answered = true;
    ofa_ctl_req_free(req);
}

static void
handle_line(struct ofa_ctl *ctl, struct ctl_client *cl)
{
    struct ofa_ctl_req *req = ofa_ctl_req_new(ctl->agent, &ctl->hooks, cl->in);
    if (!req) {
        static const char oom[] = "ERROR out of memory\n";
        ofa_buf_put_bytes(&cl->out, oom, sizeof oom - 1);
        cl->answered = true;
        return;
    }
    if (ofa_ctl_execute(req) == -EINPROGRESS) {
        cl->pending = req; /* Answered when it finishes (or the client goes). */
        return;
    }
    answer(cl, req);
}

/* Read: false once the client is gone (or sent garbage). */
static bool
client_read(struct ofa_ctl *ctl, struct ctl_client *cl)
{
    if (cl->answered || cl->pending) {
        char drain[256];
        ssize_t n = read(cl->fd, drain, sizeof drain);
        return !(n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR));
    }
    ssize_t n = read(cl->fd, cl->in + cl->in_len, sizeof cl->in - 1 - cl->in_len);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return false;
    if (n < 0)
        return true;
    cl->in_len += (size_t)n;
    cl->in[cl->in_len] = '\0';
    char *nl = strchr(cl->in, '\n');
    if (nl) {
        *nl = '\0';
        handle_line(ctl, cl);
    } else if (cl->in_len == sizeof cl->in - 1) {
        static const char big[] = "ERROR request longer than 4095 bytes\n";
        ofa_buf_put_bytes(&cl->out, big, sizeof big - 1);
        cl->answered = true;
    }
    return true;
}

/* Write what is queued: false once done or the client is gone. */
static bool
client_write(struct ctl_client *cl)
{
    while (cl->out_ofs < cl->out.len) {
        ssize_t n = write(cl->fd, cl->out.data + cl->out_ofs, cl->out.len - cl->out_ofs);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR;
        cl->out_ofs += (size_t)n;
    }
    return !cl->answered; /* Everything written: close. */
}

size_t
ofa_ctl_pollfds(const struct ofa_ctl *ctl, struct pollfd *out, size_t max, bool *busy)
{
    size_t n = 0;
    *busy = false;
    if (n < max)
        out[n++] = (struct pollfd){.fd = ctl->listen_fd, .events = POLLIN};
    for (int i = 0; i < MAX_CLIENTS; i++) {
        const struct ctl_client *cl = &ctl->clients[i];
        if (cl->fd < 0)
            continue;
        *busy |= cl->pending != NULL;
        if (n < max)
            out[n++] = (struct pollfd){
                .fd = cl->fd,
                .events = (short)(POLLIN | (cl->out_ofs < cl->out.len ? POLLOUT : 0))};
    }
    return n;
}

void
ofa_ctl_run(struct ofa_ctl *ctl)
{
    accept_clients(ctl);
    for (int i = 0; i < MAX_CLIENTS; i++) {
        struct ctl_client *cl = &ctl->clients[i];
        if (cl->fd < 0)
            continue;
        bool alive = client_read(ctl, cl);
        if (alive && cl->pending && ofa_ctl_req_poll(cl->pending) != -EINPROGRESS) {
            answer(cl, cl->pending);
            cl->pending = NULL;
        }
        if (alive)
            alive = client_write(cl);
        if (!alive)
            client_close(cl);
    }
}
