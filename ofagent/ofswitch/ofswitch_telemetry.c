/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch's DPDK telemetry commands (ofswitch_telemetry.h): a request
 * handed from DPDK's telemetry thread to the main lcore and back.
 */
#include "ofswitch_telemetry.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "dp_control.h"
#include "ft_pipeline.h"
#include "ofa_agent.h"

typedef int fill_fn(struct rte_tel_data *d, const char *params);

/* The hand-over. mu guards everything but pending, which lets the main
 * lcore skip the mutex while nothing waits. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* A request was answered, or the slot came free. */
    bool registered;
    struct dp *dp; /* Non-NULL while open (the main lcore answers). */
    struct ofa_agent *agent;
    /* The request in the slot: posted by a telemetry thread (busy), filled
     * by the main lcore (done), taken back by the poster (busy = false). */
    bool busy, done;
    fill_fn *fill;
    const char *params;
    struct rte_tel_data *d;
    int rc;
    _Atomic bool pending; /* busy && !done. */
} tel = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* ---- filling, on the main lcore ------------------------------------------------------------ */

static struct rte_tel_data *
dict_new(void)
{
    struct rte_tel_data *c = rte_tel_data_alloc();
    if (c && rte_tel_data_start_dict(c)) {
        rte_tel_data_free(c);
        return NULL;
    }
    return c;
}

/* d[name] = c; c is d's (or freed) afterwards. */
static int
add_dict(struct rte_tel_data *d, const char *name, struct rte_tel_data *c)
{
    if (!c)
        return -ENOMEM;
    int rc = rte_tel_data_add_dict_container(d, name, c, 0);
    if (rc)
        rte_tel_data_free(c);
    return rc;
}

/* d[number as a decimal key] = c. */
static int
add_dict_n(struct rte_tel_data *d, uint64_t key, struct rte_tel_data *c)
{
    char name[24];
    snprintf(name, sizeof name, "%llu", (unsigned long long)key);
    return add_dict(d, name, c);
}

static uint64_t
ratio(uint64_t num, uint64_t den, double scale)
{
    return den ? (uint64_t)(scale * (double)num / (double)den + 0.5) : 0;
}

static bool
no_params(const char *params)
{
    return !params || !*params;
}

static void
port_fill(struct rte_tel_data *c, const struct dp_port_info *pi, const struct dp_port_stats *st)
{
    rte_tel_data_add_dict_string(c, "name", pi->name);
    rte_tel_data_add_dict_string(c, "link", pi->state & DP_PS_LINK_DOWN ? "down" : "up");
    rte_tel_data_add_dict_u64(c, "rx_packets", st->rx_packets);
    rte_tel_data_add_dict_u64(c, "rx_bytes", st->rx_bytes);
    rte_tel_data_add_dict_u64(c, "rx_dropped", st->rx_dropped);
    rte_tel_data_add_dict_u64(c, "rx_errors", st->rx_errors);
    rte_tel_data_add_dict_u64(c, "tx_packets", st->tx_packets);
    rte_tel_data_add_dict_u64(c, "tx_bytes", st->tx_bytes);
    rte_tel_data_add_dict_u64(c, "tx_dropped", st->tx_dropped);
    rte_tel_data_add_dict_u64(c, "tx_errors", st->tx_errors);
}

/* Every port by number, or with a parameter that port alone (flat, as
 * DPDK's /ethdev/stats,ID). */
static int
fill_ports(struct rte_tel_data *d, const char *params)
{
    struct dp_port_info ports[256];
    struct dp_port_stats st;
    rte_tel_data_start_dict(d);
    if (!no_params(params)) {
        char *end;
        errno = 0;
        unsigned long port = strtoul(params, &end, 0);
        if (errno || *end || *params == '-' || port > UINT32_MAX)
            return -EINVAL;
        if (dp_port_get(tel.dp, (uint32_t)port, &ports[0]) ||
            dp_port_stats(tel.dp, (uint32_t)port, &st))
            return -ENOENT;
        rte_tel_data_add_dict_u64(d, "port", port);
        port_fill(d, &ports[0], &st);
        return 0;
    }
    size_t n = dp_ports(tel.dp, ports, 256);
    for (size_t i = 0; i < n && i < 256; i++) {
        if (dp_port_stats(tel.dp, ports[i].port_no, &st))
            continue;
        struct rte_tel_data *c = dict_new();
        if (c)
            port_fill(c, &ports[i], &st);
        if (add_dict_n(d, ports[i].port_no, c))
            return -ENOMEM;
    }
    return 0;
}

static int
fill_pmd(struct rte_tel_data *d, const char *params)
{
    if (!no_params(params))
        return -EINVAL;
    static struct dp_worker_stats ws[RTE_MAX_LCORE]; /* Main lcore only. */
    size_t n = dp_worker_stats(tel.dp, ws, RTE_MAX_LCORE);
    uint64_t hz = dp_tsc_hz(tel.dp);
    rte_tel_data_start_dict(d);
    for (size_t i = 0; i < n && i < RTE_MAX_LCORE; i++) {
        const struct dp_worker_stats *w = &ws[i];
        struct rte_tel_data *c = dict_new();
        if (c) {
            uint64_t total = w->busy_cycles + w->idle_cycles;
            rte_tel_data_add_dict_u64(c, "lcore", w->lcore);
            rte_tel_data_add_dict_u64(c, "packets", w->packets);
            rte_tel_data_add_dict_u64(c, "busy_cycles", w->busy_cycles);
            rte_tel_data_add_dict_u64(c, "idle_cycles", w->idle_cycles);
            rte_tel_data_add_dict_u64(c, "busy_polls", w->busy_polls);
            rte_tel_data_add_dict_u64(c, "busy_pct", ratio(w->busy_cycles, total, 100));
            rte_tel_data_add_dict_u64(c, "cycles_per_pkt", ratio(w->busy_cycles, w->packets, 1));
            rte_tel_data_add_dict_u64(c, "emc_hits", w->emc_hits);
            rte_tel_data_add_dict_u64(c, "cache_hits", w->cache_hits);
            rte_tel_data_add_dict_u64(c, "misses", w->misses);
            rte_tel_data_add_dict_u64(c, "miss_cycles", w->miss_cycles);
            rte_tel_data_add_dict_u64(c, "drops", w->drops);
            rte_tel_data_add_dict_u64(c, "tsc_hz", hz);
        }
        if (add_dict_n(d, i, c))
            return -ENOMEM;
    }
    return 0;
}

static int
fill_cache(struct rte_tel_data *d, const char *params)
{
    if (!no_params(params))
        return -EINVAL;
    enum { MAX_WORKERS = 64 };
    static struct dp_cache_info ci[MAX_WORKERS]; /* Main lcore only; 20 KB each. */
    size_t n = dp_cache_stats(tel.dp, ci, MAX_WORKERS);
    rte_tel_data_start_dict(d);
    for (size_t i = 0; i < n && i < MAX_WORKERS; i++) {
        const struct ft_cache_stats *st = &ci[i].st;
        struct rte_tel_data *c = dict_new();
        if (c) {
            rte_tel_data_add_dict_u64(c, "lcore", ci[i].lcore);
            rte_tel_data_add_dict_u64(c, "entries", st->entries);
            rte_tel_data_add_dict_u64(c, "masks", st->masks);
            rte_tel_data_add_dict_u64(c, "emc_enabled", st->emc_enabled);
            rte_tel_data_add_dict_u64(c, "emc_hits", st->emc_hits);
            rte_tel_data_add_dict_u64(c, "sig_enabled", st->sig_enabled);
            rte_tel_data_add_dict_u64(c, "sig_hits", st->sig_hits);
            rte_tel_data_add_dict_u64(c, "megaflow_hits", st->megaflow_hits);
            rte_tel_data_add_dict_u64(c, "misses", st->misses);
            rte_tel_data_add_dict_u64(c, "evict_invalidated", st->evict_invalidated);
            rte_tel_data_add_dict_u64(c, "evict_capacity", st->evict_capacity);
            rte_tel_data_add_dict_u64(c, "evict_idle", st->evict_idle);
        }
        if (add_dict_n(d, i, c))
            return -ENOMEM;
    }
    return 0;
}

/* Active rules (the agent's view, as OFPMP_TABLE's active_count): the
 * total and each table that has any. */
static int
fill_flow_count(struct rte_tel_data *d, const char *params)
{
    if (!no_params(params))
        return -EINVAL;
    const struct ft_pipeline *p = dp_pipeline(tel.dp);
    struct rte_tel_data *tables = dict_new();
    uint64_t total = 0;
    for (unsigned t = 0; t < FT_N_TABLES && tables; t++) {
        struct ft_table_stats st;
        ft_pipeline_table_stats(p, (uint8_t)t, &st);
        total += st.active_count;
        if (st.active_count) {
            char name[8];
            snprintf(name, sizeof name, "%u", t);
            rte_tel_data_add_dict_u64(tables, name, st.active_count);
        }
    }
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_u64(d, "total", total);
    return add_dict(d, "tables", tables);
}

static void
drop_add(void *aux, const char *name, uint64_t n)
{
    rte_tel_data_add_dict_u64(aux, name, n);
}

/* Every reason, zeros too: a monitor sees the same keys each time. */
static int
fill_drops(struct rte_tel_data *d, const char *params)
{
    if (!no_params(params))
        return -EINVAL;
    rte_tel_data_start_dict(d);
    dp_drop_counters(tel.dp, drop_add, d);
    return 0;
}

static int
fill_controllers(struct rte_tel_data *d, const char *params)
{
    if (!no_params(params))
        return -EINVAL;
    static struct ofa_controller_status cs[64]; /* Main lcore only. */
    size_t n = ofa_agent_controllers(tel.agent, cs, 64);
    rte_tel_data_start_dict(d);
    for (size_t i = 0; i < n && i < 64; i++) {
        struct rte_tel_data *c = dict_new();
        if (c) {
            rte_tel_data_add_dict_string(c, "target", cs[i].target);
            rte_tel_data_add_dict_string(c, "state", cs[i].state);
            rte_tel_data_add_dict_string(c, "role", cs[i].role ? cs[i].role : "-");
            rte_tel_data_add_dict_string(c, "peer", cs[i].peer[0] ? cs[i].peer : "-");
            rte_tel_data_add_dict_u64(c, "packet_ins", cs[i].st.packet_ins);
            rte_tel_data_add_dict_u64(c, "pin_rate_drops", cs[i].st.pin_rate_drops);
            rte_tel_data_add_dict_u64(c, "pin_backlog_drops", cs[i].st.pin_backlog_drops);
            rte_tel_data_add_dict_u64(c, "async_drops", cs[i].st.async_drops);
            rte_tel_data_add_dict_u64(c, "backlog_bytes", cs[i].st.backlog_bytes);
        }
        if (add_dict_n(d, i, c))
            return -ENOMEM;
    }
    return 0;
}

static const struct {
    const char *name;
    fill_fn *fill;
    const char *help;
} commands[] = {
    /* Help texts under RTE_TEL_MAX_STRING_LEN (128): DPDK refuses longer ones. */
    {"/ofswitch/ports", fill_ports,
     "Per OpenFlow port: rx/tx packets, bytes, dropped, errors. Parameter: a port number."},
    {"/ofswitch/pmd", fill_pmd,
     "Per worker: packets, busy/idle cycles, busy_pct, cycles_per_pkt, cache hits, misses, drops."},
    {"/ofswitch/cache", fill_cache,
     "Per worker flow cache: entries, masks, emc/sig/megaflow hits, misses, evictions."},
    {"/ofswitch/flows/count", fill_flow_count, "Flow entries: total, and per table that has any."},
    {"/ofswitch/drops", fill_drops, "Packets dropped, by named reason (zeros included)."},
    {"/ofswitch/controllers", fill_controllers,
     "Controller targets: state, role, peer, packet-ins sent and dropped."},
};

/* ---- the hand-over --------------------------------------------------------------------------- */

/* On a telemetry thread. */
static int
on_request(const char *cmd, const char *params, struct rte_tel_data *d)
{
    fill_fn *fill = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            fill = commands[i].fill;
    if (!fill)
        return -EINVAL;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += OFS_TELEMETRY_WAIT_MS / 1000;
    until.tv_nsec += (long)(OFS_TELEMETRY_WAIT_MS % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&tel.mu);
    int w = 0;
    while (tel.dp && tel.busy && w != ETIMEDOUT) /* Another client's request. */
        w = pthread_cond_timedwait(&tel.cv, &tel.mu, &until);
    if (!tel.dp || tel.busy) {
        int rc = tel.dp ? -EBUSY : -EAGAIN;
        pthread_mutex_unlock(&tel.mu);
        return rc;
    }
    tel.busy = true;
    tel.done = false;
    tel.fill = fill;
    tel.params = params;
    tel.d = d;
    atomic_store_explicit(&tel.pending, true, memory_order_release);
    dp_agent_wake(tel.dp); /* It may sleep in poll(). */
    w = 0;
    while (tel.dp && !tel.done && w != ETIMEDOUT)
        w = pthread_cond_timedwait(&tel.cv, &tel.mu, &until);
    /* Not done: the main lcore never touches d again (it fills under mu). */
    int rc = tel.done ? tel.rc : tel.dp ? -ETIMEDOUT : -EAGAIN;
    tel.busy = false;
    tel.d = NULL;
    tel.params = NULL;
    atomic_store_explicit(&tel.pending, false, memory_order_relaxed);
    pthread_cond_broadcast(&tel.cv); /* The slot is free. */
    pthread_mutex_unlock(&tel.mu);
    return rc;
}

int
ofs_telemetry_register(void)
{
    if (tel.registered)
        return 0;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&tel.cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc)
        return -rc;
    tel.registered = true;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        rc = rte_telemetry_register_cmd(commands[i].name, on_request, commands[i].help);
        if (rc)
            return rc;
    }
    return 0;
}

void
ofs_telemetry_open(struct dp *dp, struct ofa_agent *agent)
{
    pthread_mutex_lock(&tel.mu);
    tel.dp = dp;
    tel.agent = agent;
    pthread_mutex_unlock(&tel.mu);
}

bool
ofs_telemetry_pending(void)
{
    return atomic_load_explicit(&tel.pending,
                                memory_order_relaxed); /* After dp_agent_may_sleep's fence. */
}

int
ofs_telemetry_serve(void)
{
    if (!atomic_load_explicit(&tel.pending, memory_order_acquire))
        return 0;
    int served = 0;
    pthread_mutex_lock(&tel.mu);
    if (tel.dp && tel.busy && !tel.done) {
        tel.rc = tel.fill(tel.d, tel.params);
        tel.done = true;
        atomic_store_explicit(&tel.pending, false, memory_order_relaxed);
        pthread_cond_broadcast(&tel.cv);
        served = 1;
    }
    pthread_mutex_unlock(&tel.mu);
    return served;
}

void
ofs_telemetry_close(void)
{
    pthread_mutex_lock(&tel.mu);
    tel.dp = NULL;
    tel.agent = NULL;
    if (tel.registered)
        pthread_cond_broadcast(&tel.cv);
    pthread_mutex_unlock(&tel.mu);
}
