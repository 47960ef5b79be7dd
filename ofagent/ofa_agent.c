/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent loop: targets (listeners and dialled controllers with
 * backoff), one poll() over every socket, then the work that is done once
 * per iteration rather than per message — one pipeline commit for every
 * flow mod read, flow expiry, port events, packet-ins — and the fail mode.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ft_pipeline.h"
#include "ofa_handler_int.h"

#define MS_NS           1000000ull
#define EXPIRE_PERIOD   (1000 * MS_NS) /* Flow expiry: fold counters and expire once a second. */
#define LOG_BURST       50             /* Lines logged back to back... */
#define LOG_REFILL_NS   (100 * MS_NS)  /* ...then one per 100 ms. */
#define ACCEPT_PER_LOOP 16

uint64_t
ofa_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
ofa_log(struct ofa_agent *a, const char *fmt, ...)
{
    if (a->log_level < 3)
        return;
    /* A token bucket: a burst of LOG_BURST lines, refilled one per
     * LOG_REFILL_NS; what does not fit is counted and reported later. */
    uint64_t now = ofa_now_ns();
    struct ofa_ratelimit *rl = &a->rl;
    uint64_t refill = (now - rl->window_ns) / LOG_REFILL_NS;
    if (refill) {
        rl->tokens = refill >= LOG_BURST - rl->tokens ? LOG_BURST : rl->tokens + (unsigned)refill;
        rl->window_ns += refill * LOG_REFILL_NS;
        if (rl->suppressed && rl->tokens) {
            fprintf(stderr, "ofagent: %u log lines suppressed\n", rl->suppressed);
            rl->suppressed = 0;
        }
    }
    if (!rl->tokens) {
        rl->suppressed++;
        return;
    }
    rl->tokens--;
    va_list ap;
    va_start(ap, fmt);
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "ofagent: %s\n", line);
}

void
ofa_config_default(struct ofa_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->fail_mode = OFA_FAIL_SECURE;
    cfg->probe_interval_ms = 5000;
    cfg->min_backoff_ms = 250;
    cfg->max_backoff_ms = 8000;
    cfg->packet_in_rate = 1000;
    cfg->packet_in_burst = 250;
    cfg->stall_timeout_ms = 15000;
    cfg->log_level = 3;
}

int
ofa_commit(struct ofa_agent *a)
{
    if (!ft_pipeline_dirty(a->p))
        return 0;
    int rc = dp_commit(a->dp);
    if (rc)
        ofa_log(a, "dataplane commit failed: %s", strerror(-rc));
    return rc;
}

void
ofa_agent_update_dp_modes(struct ofa_agent *a)
{
    size_t n = 0;
    bool ttl = false;
    for (struct ofa_conn *c = a->conns; c; c = c->next) {
        if (c->state != OFA_CS_ACTIVE)
            continue;
        n++;
        if (ofa_async_wants(c, 0, OFA_PR_INVALID_TTL))
            ttl = true;
    }
    int sa = a->fail_mode == OFA_FAIL_STANDALONE && n == 0;
    if (sa != a->standalone) {
        dp_set_standalone(a->dp, sa);
        if (a->standalone != -1 || sa)
            ofa_log(a, "%s standalone (L2 learning) mode", sa ? "entering" : "leaving");
        a->standalone = sa;
    }
    if ((int)ttl != a->invalid_ttl_on) {
        dp_set_invalid_ttl_to_controller(a->dp, ttl);
        a->invalid_ttl_on = ttl;
    }
}

int
ofa_agent_listen_port(const struct ofa_agent *a, size_t i)
{
    if (i >= a->n_slots || !a->slots[i].t.passive)
        return -ENOENT;
    return a->slots[i].bound_port;
}

static void
set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void
addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        snprintf(buf, len, "%s:%u", host, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
        snprintf(buf, len, "[%s]:%u", host, port);
    } else {
        snprintf(buf, len, "?");
    }
}

static int
slot_listen(struct ofa_slot *s, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl;
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, s->t.host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons(s->t.port);
        sl = sizeof *in;
    } else if (inet_pton(AF_INET6, s->t.host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(s->t.port);
        sl = sizeof *in6;
    } else {
        snprintf(err, errlen, "%s: not an IP address", s->t.host);
        return -EINVAL;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto err;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0)
        goto err;
    sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        s->bound_port = ntohs(ss.ss_family == AF_INET ? in->sin_port : in6->sin6_port);
    s->listen_fd = fd;
    return 0;
err:;
    int e = errno;
    snprintf(err, errlen, "listen on %s port %u: %s", s->t.host, s->t.port, strerror(e));
    if (fd >= 0)
        close(fd);
    return -e;
}

static void
conn_link(struct ofa_agent *a, struct ofa_conn *c)
{
    c->next = a->conns;
    a->conns = c;
}

static void
slot_retry_later(struct ofa_agent *a, struct ofa_slot *s, uint64_t now)
{
    s->next_try_ns = now + s->backoff_ms * MS_NS;
    s->backoff_ms = s->backoff_ms * 2 > a->max_backoff_ms ? a->max_backoff_ms : s->backoff_ms * 2;
}

/* Dial an active target (non-blocking). */
static void
slot_dial(struct ofa_agent *a, size_t idx, uint64_t now)
{
    struct ofa_slot *s = &a->slots[idx];
    char port[8];
    snprintf(port, sizeof port, "%u", s->t.port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(s->t.host, port, &hints, &res);
    if (gai) {
        ofa_log(a, "%s: cannot resolve: %s", s->t.host, gai_strerror(gai));
        slot_retry_later(a, s, now);
        return;
    }
    char peer[64];
    addr_str(res->ai_addr, peer, sizeof peer);
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int rc = fd < 0 ? -1 : connect(fd, res->ai_addr, res->ai_addrlen);
    int e = errno;
    freeaddrinfo(res);
    if (fd < 0 || (rc < 0 && e != EINPROGRESS)) {
        ofa_log(a, "%s: connect: %s", peer, strerror(e));
        if (fd >= 0)
            close(fd);
        slot_retry_later(a, s, now);
        return;
    }
    set_nodelay(fd);
    struct ofa_conn *c = ofa_conn_new(a, fd, (int)idx, true, rc < 0, s->t.tls, false, peer);
    if (!c) {
        slot_retry_later(a, s, now);
        return;
    }
    s->conn = c;
    conn_link(a, c);
}

static void
slot_accept(struct ofa_agent *a, size_t idx)
{
    struct ofa_slot *s = &a->slots[idx];
    for (int i = 0; i < ACCEPT_PER_LOOP; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept(s->listen_fd, (struct sockaddr *)&ss, &sl);
        if (fd >= 0 && (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)) {
            close(fd);
            continue;
        }
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                ofa_log(a, "accept: %s", strerror(errno));
            return;
        }
        set_nodelay(fd);
        char peer[64];
        addr_str((struct sockaddr *)&ss, peer, sizeof peer);
        struct ofa_conn *c = ofa_conn_new(a, fd, (int)idx, false, false, s->t.tls, true, peer);
        if (!c)
            continue;
        conn_link(a, c);
        if (!c->tls)
            ofa_conn_flush(c); /* Our HELLO goes out now; errors show on the next poll. */
    }
}

int
ofa_agent_attach(struct ofa_agent *a, int fd)
{
    if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    struct ofa_conn *c = ofa_conn_new(a, fd, -1, false, false, false, false, "attached");
    if (!c)
        return -ENOMEM;
    conn_link(a, c);
    ofa_conn_flush(c);
    return 0;
}

/* Unlink and free a dead connection; its active target dials again later. */
static void
conn_drop(struct ofa_agent *a, struct ofa_conn **pp, uint64_t now)
{
    struct ofa_conn *c = *pp;
    *pp = c->next;
    bool was_active = c->state == OFA_CS_ACTIVE;
    if (c->from_active) {
        struct ofa_slot *s = &a->slots[c->target];
        s->conn = NULL;
        if (was_active || c->state == OFA_CS_CLOSING)
            s->backoff_ms = a->min_backoff_ms;
        slot_retry_later(a, s, now);
    }
    if (was_active)
        ofa_log(a, "%s: disconnected", c->peer);
    ofa_conn_free(c);
    ofa_agent_update_dp_modes(a);
}

struct ofa_agent *
ofa_agent_create(const struct ofa_config *cfg, struct dp *dp, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    struct ofa_agent *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->dp = dp;
    a->p = dp_pipeline(dp);
    a->datapath_id = cfg->datapath_id;
    a->fail_mode = cfg->fail_mode;
    a->probe_ms = cfg->probe_interval_ms;
    a->pin_rate = cfg->packet_in_rate;
    a->pin_burst = cfg->packet_in_burst ? cfg->packet_in_burst : 1;
    a->stall_ms = cfg->stall_timeout_ms;
    a->min_backoff_ms = cfg->min_backoff_ms ? cfg->min_backoff_ms : 250;
    a->max_backoff_ms = cfg->max_backoff_ms ? cfg->max_backoff_ms : 8000;
    if (a->max_backoff_ms < a->min_backoff_ms)
        a->max_backoff_ms = a->min_backoff_ms;
    snprintf(a->dp_desc, sizeof a->dp_desc, "%s",
             cfg->dp_desc ? cfg->dp_desc : "ofswitch datapath");
    a->miss_send_len = 128; /* OFP_DEFAULT_MISS_SEND_LEN */
    a->standalone = -1;
    a->invalid_ttl_on = -1;
    a->start_ns = ofa_now_ns();
    a->rl.window_ns = a->start_ns;
    a->rl.tokens = LOG_BURST;
    a->log_level = cfg->log_level;
    a->next_expire_ns = a->start_ns + EXPIRE_PERIOD;

    a->slots = calloc(cfg->n_targets ? cfg->n_targets : 1, sizeof *a->slots);
    if (!a->slots) {
        snprintf(err, errlen, "out of memory");
        goto err;
    }
    bool need_tls = false;
    for (size_t i = 0; i < cfg->n_targets; i++) {
        struct ofa_slot *s = &a->slots[i];
        s->listen_fd = -1;
        if (ofa_target_parse(cfg->targets[i], &s->t, err, errlen))
            goto err;
        a->n_slots = i + 1;
        need_tls |= s->t.tls;
        s->backoff_ms = a->min_backoff_ms;
    }
    if (need_tls) {
        a->tls = ofa_tls_create(cfg->tls_key, cfg->tls_cert, cfg->tls_ca, err, errlen);
        if (!a->tls)
            goto err;
    }
    for (size_t i = 0; i < a->n_slots; i++)
        if (a->slots[i].t.passive && slot_listen(&a->slots[i], err, errlen))
            goto err;

    /* The pipeline knows the dataplane's ports (liveness for FLOOD and
     * fast failover); events keep it in step from here on. */
    enum { MAX_PORTS = 1024 };
    struct dp_port_info *ports = calloc(MAX_PORTS, sizeof *ports);
    if (!ports) {
        snprintf(err, errlen, "out of memory");
        goto err;
    }
    size_t n = dp_ports(dp, ports, MAX_PORTS);
    for (size_t i = 0; i < n && i < MAX_PORTS; i++)
        ft_pipeline_port_set(a->p, ports[i].port_no, !(ports[i].state & DP_PS_LINK_DOWN),
                             ports[i].config);
    free(ports);
    ft_pipeline_set_flow_removed_cb(a->p, ofa_flow_removed_cb, a);
    dp_set_config(dp, DP_FRAG_NORMAL, a->miss_send_len);
    ofa_commit(a);
    ofa_agent_update_dp_modes(a);
    return a;
err:
    ofa_agent_destroy(a);
    return NULL;
}

void
ofa_agent_destroy(struct ofa_agent *a)
{
    if (!a)
        return;
    if (a->p)
        ft_pipeline_set_flow_removed_cb(a->p, NULL, NULL);
    while (a->conns) {
        struct ofa_conn *c = a->conns;
        a->conns = c->next;
        ofa_conn_flush(c);
        ofa_conn_free(c);
    }
    for (size_t i = 0; i < a->n_slots; i++)
        if (a->slots[i].listen_fd >= 0)
            close(a->slots[i].listen_fd);
    free(a->slots);
    ofa_tls_destroy(a->tls);
    free(a);
}

/* How long poll may sleep: the caller's bound, the next dial, the next
 * expiry, and a short tick while connections have timers running. */
static int
poll_timeout(const struct ofa_agent *a, int timeout_ms, uint64_t now)
{
    uint64_t until = a->next_expire_ns;
    for (size_t i = 0; i < a->n_slots; i++) {
        const struct ofa_slot *s = &a->slots[i];
        if (!s->t.passive && !s->conn && s->next_try_ns < until)
            until = s->next_try_ns;
    }
    int t = until <= now ? 0 : (int)((until - now + MS_NS - 1) / MS_NS);
    if (a->conns && t > 100)
        t = 100;
    if (timeout_ms >= 0 && timeout_ms < t)
        t = timeout_ms;
    return t;
}

static void
expire_flows(struct ofa_agent *a, uint64_t now)
{
    if (now < a->next_expire_ns)
        return;
    a->next_expire_ns = now + EXPIRE_PERIOD;
    /* Idle timeouts need each rule's last use, which workers fold in; a
     * fold of every used cache entry holds a worker up for a while, so
     * none when no rule can expire. */
    if (!ft_pipeline_has_timeouts(a->p))
        return;
    int rc = dp_fold_counters(a->dp);
    if (rc)
        ofa_log(a, "fold counters: %s", strerror(-rc));
    ft_pipeline_expire(a->p, now);
}

int
ofa_agent_run_once(struct ofa_agent *a, int timeout_ms)
{
    return ofa_agent_run_watching(a, timeout_ms, NULL, 0);
}

int
ofa_agent_run_watching(struct ofa_agent *a, int timeout_ms, struct pollfd *extra, size_t n_extra)
{
    uint64_t now = ofa_now_ns();
    for (size_t i = 0; i < a->n_slots; i++) {
        struct ofa_slot *s = &a->slots[i];
        if (!s->t.passive && !s->conn && now >= s->next_try_ns)
            slot_dial(a, i, now);
    }

    size_t n_conns = 0;
    for (struct ofa_conn *c = a->conns; c; c = c->next)
        n_conns++;
    size_t n_fds = a->n_slots + n_conns;
    struct pollfd *pfd = calloc(n_fds + n_extra ? n_fds + n_extra : 1, sizeof *pfd);
    if (!pfd)
        return -ENOMEM;
    for (size_t i = 0; i < a->n_slots; i++) {
        pfd[i].fd = a->slots[i].listen_fd;
        pfd[i].events = POLLIN;
    }
    size_t k = a->n_slots;
    int wait_ms = poll_timeout(a, timeout_ms, now);
    for (struct ofa_conn *c = a->conns; c; c = c->next, k++) {
        pfd[k].fd = c->fd;
        pfd[k].events = ofa_conn_poll_events(c);
        if (c->tls && c->state == OFA_CS_ACTIVE && ofa_tls_pending(c->tls))
            wait_ms = 0; /* Input is ready that poll() cannot see. */
    }
    for (size_t i = 0; i < n_extra; i++)
        pfd[n_fds + i] = (struct pollfd){.fd = extra[i].fd, .events = extra[i].events};
    int rc = poll(pfd, n_fds + n_extra, wait_ms);
    if (rc < 0 && errno != EINTR) {
        rc = -errno;
        free(pfd);
        return rc;
    }
    for (size_t i = 0; i < n_extra; i++)
        extra[i].revents = rc > 0 ? pfd[n_fds + i].revents : 0;
    now = ofa_now_ns();

    /* Connections first (the list as polled), then new ones are linked
     * in front by accept and get their turn next time. */
    k = a->n_slots;
    for (struct ofa_conn **pp = &a->conns; *pp; k++) {
        struct ofa_conn *c = *pp;
        short rev = k < n_fds ? pfd[k].revents : 0;
        bool alive = true;
        if (rev || (c->tls && (c->state == OFA_CS_TLS || ofa_tls_pending(c->tls))))
            alive = ofa_conn_run(c, rev, now);
        if (alive)
            alive = ofa_conn_timers(c, now);
        if (!alive)
            conn_drop(a, pp, now);
        else
            pp = &c->next;
    }
    for (size_t i = 0; i < a->n_slots; i++)
        if (a->slots[i].listen_fd >= 0 && (pfd[i].revents & POLLIN))
            slot_accept(a, i);
    free(pfd);

    expire_flows(a, now);
    ofa_commit(a);
    ofa_send_port_status(a);
    ofa_send_packet_ins(a);
    for (struct ofa_conn **pp = &a->conns; *pp;) {
        struct ofa_conn *c = *pp;
        if (ofa_conn_backlog(c) && c->state != OFA_CS_CONNECTING && c->state != OFA_CS_TLS &&
            !ofa_conn_flush(c))
            conn_drop(a, pp, now);
        else
            pp = &c->next;
    }
    return 0;
}
