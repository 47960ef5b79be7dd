/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofs-pktgen — a DPDK traffic generator for benchmarking switches.
 *
 *   ofs-pktgen [EAL options] -- --tx-port DEVARGS [options]
 *
 * Sends stamped frames over N flows on one port, receives them on the same
 * or another, and reports TX/RX Mpps, loss, latency percentiles and the
 * generator's cycles per packet. main() parses, sets up, launches the
 * roles (pg_tx.c, pg_rx.c), reports (pg_report.c) and takes everything down
 * again on every path out.
 *
 * Exit status: 0 after a report (also when interrupted), 1 on a runtime
 * failure, 2 on a bad command line.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "pg_flow.h"
#include "pg_lcore.h"
#include "pg_opts.h"
#include "pg_port.h"
#include "pg_report.h"

#define PG_NAME "ofs-pktgen"

/* The signal handler's only way in. */
static struct pg_ctl pg_ctl;

static void
pg_on_signal(int sig)
{
    (void)sig;
    int was = __atomic_load_n(&pg_ctl.stop, __ATOMIC_RELAXED);
    __atomic_store_n(&pg_ctl.stop, was == PG_RUN ? PG_STOP : PG_ABORT, __ATOMIC_RELAXED);
}

/* Everything main sets up, so one function can take it down. */
struct pg_app {
    struct pg_opts opts;
    struct pg_tmpl *tmpl;
    struct pg_flow *flows;
    struct rte_mempool *tx_pool;
    struct rte_mempool *rx_pool;
    uint16_t ports[2];
    uint32_t nports;
    uint16_t tx_port;
    uint16_t rx_port;
    struct pg_tx *tx[PG_QUEUES_MAX];
    struct pg_rx *rx[PG_QUEUES_MAX];
    uint32_t tx_lcore[PG_QUEUES_MAX];
    uint32_t rx_lcore[PG_QUEUES_MAX];
    bool shared_lcore;
    bool eal_up;
};

static void pg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
pg_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PG_NAME ": ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Which lcore runs which role: one lcore polls one TX and one RX role in
 * turn; otherwise every queue gets its own lcore, TX first. */
static int
pg_plan_lcores(struct pg_app *app)
{
    const struct pg_opts *o = &app->opts;
    unsigned n = rte_lcore_count();
    if (n == 1) {
        if (o->txq > 1 || o->rxq > 1) {
            pg_error("--txq %u --rxq %u need %u lcores (-l), one per queue", o->txq, o->rxq,
                     o->txq + o->rxq);
            return -EINVAL;
        }
        app->shared_lcore = true;
        app->tx_lcore[0] = app->rx_lcore[0] = rte_get_main_lcore();
        return 0;
    }
    if (n < o->txq + o->rxq) {
        pg_error("--txq %u --rxq %u need %u lcores (-l), one per queue; EAL has %u", o->txq, o->rxq,
                 o->txq + o->rxq, n);
        return -EINVAL;
    }
    unsigned i = 0, lc;
    RTE_LCORE_FOREACH(lc)
    {
        if (i < o->txq)
            app->tx_lcore[i] = lc;
        else if (i < o->txq + o->rxq)
            app->rx_lcore[i - o->txq] = lc;
        i++;
    }
    return 0;
}

static struct rte_mempool *
pg_pool(const char *name, uint32_t queues, uint32_t size)
{
    /* Room for every descriptor of every queue, the bursts in hand, and a
     * ring port's 1024 packets in flight. */
    uint32_t n = 4096 * queues + 4095;
    uint32_t room = RTE_PKTMBUF_HEADROOM + RTE_MAX(size, (uint32_t)RTE_MBUF_DEFAULT_DATAROOM);
    return rte_pktmbuf_pool_create(name, n, 256, 0, (uint16_t)room, SOCKET_ID_ANY);
}

static int
pg_setup(struct pg_app *app)
{
    const struct pg_opts *o = &app->opts;
    char err[256];
    int ret;

    ret = pg_plan_lcores(app);
    if (ret)
        return ret;

    app->tmpl = rte_malloc("pg_tmpl", sizeof *app->tmpl, 0);
    app->flows = rte_malloc("pg_flows", (size_t)o->flows * sizeof *app->flows, RTE_CACHE_LINE_SIZE);
    if (!app->tmpl || !app->flows) {
        /* Flow tables live in DPDK memory: with --no-huge, -m sets it. */
        pg_error("out of memory for %u flows (raise EAL's -m)", o->flows);
        return -ENOMEM;
    }
    if (pg_tmpl_init(app->tmpl, o)) {
        pg_error("cannot lay out a %u-byte frame", o->size);
        return -EINVAL;
    }
    pg_flows_build(o, app->tmpl, app->flows);

    app->tx_pool = pg_pool("pg_tx_pool", o->txq, o->size);
    app->rx_pool = pg_pool("pg_rx_pool", o->port_queues, o->size);
    if (!app->tx_pool || !app->rx_pool) {
        pg_error("cannot create mbuf pools: %s (raise EAL's -m)", rte_strerror(rte_errno));
        return -ENOMEM;
    }

    ret = pg_port_open(o->tx_port, &app->tx_port, err, sizeof err);
    if (ret)
        goto port_err;
    app->ports[app->nports++] = app->tx_port;
    app->rx_port = app->tx_port;
    if (o->rx_port) {
        ret = pg_port_open(o->rx_port, &app->rx_port, err, sizeof err);
        if (ret)
            goto port_err;
        if (app->rx_port != app->tx_port)
            app->ports[app->nports++] = app->rx_port;
    }
    /* Only the queues the roles use, unless --port-queues asks for more. */
    uint16_t pq = (uint16_t)o->port_queues;
    bool extra = pq > o->txq || pq > o->rxq;
    if (app->nports == 1) {
        ret = pg_port_setup(app->tx_port, extra ? pq : (uint16_t)o->rxq,
                            extra ? pq : (uint16_t)o->txq, app->rx_pool, o->size, err, sizeof err);
    } else {
        ret = pg_port_setup(app->tx_port, extra ? pq : 1, extra ? pq : (uint16_t)o->txq,
                            app->rx_pool, o->size, err, sizeof err);
        if (!ret)
            ret = pg_port_setup(app->rx_port, extra ? pq : (uint16_t)o->rxq, extra ? pq : 1,
                                app->rx_pool, o->size, err, sizeof err);
    }
    if (ret)
        goto port_err;
    for (uint32_t i = 0; i < app->nports; i++) {
        const char *devargs = i == 0 ? o->tx_port : o->rx_port;
        ret = pg_port_up(app->ports[i], devargs, o->link_timeout, &pg_ctl.stop);
        if (ret == -EINTR)
            return 0; /* the report says "interrupted" */
        if (ret) {
            pg_error("port %u (%s) %s after %.3g s (--link-timeout)", app->ports[i], devargs,
                     ret == -EIO ? "did not start" : "has no link", o->link_timeout);
            return ret;
        }
    }
    return 0;
port_err:
    pg_error("%s", err);
    return ret;
}

static int
pg_roles(struct pg_app *app)
{
    const struct pg_opts *o = &app->opts;
    /* Random per run, so packets a switch still holds from an earlier run
     * are not counted. Bit 7 marks warm-up. */
    uint8_t run = (uint8_t)(rte_rand() & 0x7f);

    for (uint32_t q = 0; q < o->txq; q++) {
        struct pg_tx *tx = rte_malloc("pg_tx", sizeof *tx, RTE_CACHE_LINE_SIZE);
        if (!tx)
            return -ENOMEM;
        app->tx[q] = tx;
        pg_tx_init(tx);
        /* Each queue walks a contiguous slice of the shuffled flows. */
        uint32_t lo = (uint32_t)((uint64_t)o->flows * q / o->txq);
        uint32_t hi = (uint32_t)((uint64_t)o->flows * (q + 1) / o->txq);
        tx->ctl = &pg_ctl;
        tx->tmpl = app->tmpl;
        tx->pool = app->tx_pool;
        tx->flows = app->flows + lo;
        tx->nflows = hi - lo;
        tx->port = app->tx_port;
        tx->queue = (uint16_t)q;
        tx->burst = (uint16_t)o->burst;
        tx->run = run;
        tx->size = o->size;
        tx->pkts_per_cycle = o->rate_mpps * 1e6 / o->txq / (double)pg_ctl.hz;
    }
    for (uint32_t q = 0; q < o->rxq; q++) {
        struct pg_rx *rx = rte_malloc("pg_rx", sizeof *rx, RTE_CACHE_LINE_SIZE);
        if (!rx)
            return -ENOMEM;
        app->rx[q] = rx;
        pg_rx_init(rx);
        rx->flows =
            rte_zmalloc("pg_rx_flows", (size_t)o->flows * sizeof *rx->flows, RTE_CACHE_LINE_SIZE);
        if (!rx->flows)
            return -ENOMEM;
        rx->ctl = &pg_ctl;
        rx->nflows = o->flows;
        rx->port = app->rx_port;
        rx->queue = rx->cur_queue = (uint16_t)q;
        rx->queue_step = (uint16_t)o->rxq;
        rx->port_queues = (uint16_t)o->port_queues;
        rx->burst = (uint16_t)o->burst;
        rx->run = run;
        pg_ctl.rx[q] = rx;
    }
    pg_ctl.nrx = o->rxq;
    return 0;
}

static void
pg_run(struct pg_app *app)
{
    const struct pg_opts *o = &app->opts;
    struct pg_pair pair = {app->tx[0], app->rx[0]};
    double hz = (double)pg_ctl.hz;

    pg_ctl.drain_cycles = (uint64_t)(o->drain * hz);
    pg_ctl.tx_running = o->txq;
    pg_ctl.t_start = rte_rdtsc();
    pg_ctl.t_warm_end = pg_ctl.t_start + (uint64_t)(o->warmup * hz);
    pg_ctl.t_meas_end = o->duration > 0 ? pg_ctl.t_warm_end + (uint64_t)(o->duration * hz) : 0;
    /* A harness times its own sampling (a switch's counters mid-run) from this line. */
    fprintf(stderr, PG_NAME ": sending: %.1f s warm-up, then %.1f s measured\n", o->warmup,
            o->duration);
    fflush(stderr);

    if (app->shared_lcore) {
        pg_pair_main(&pair);
        return;
    }
    lcore_function_t *main_fn = NULL;
    void *main_arg = NULL;
    unsigned main_lcore = rte_get_main_lcore();
    for (uint32_t q = 0; q < o->txq; q++) {
        if (app->tx_lcore[q] == main_lcore)
            main_fn = pg_tx_main, main_arg = app->tx[q];
        else
            rte_eal_remote_launch(pg_tx_main, app->tx[q], app->tx_lcore[q]);
    }
    for (uint32_t q = 0; q < o->rxq; q++) {
        if (app->rx_lcore[q] == main_lcore)
            main_fn = pg_rx_main, main_arg = app->rx[q];
        else
            rte_eal_remote_launch(pg_rx_main, app->rx[q], app->rx_lcore[q]);
    }
    if (main_fn)
        main_fn(main_arg);
    rte_eal_mp_wait_lcore();
}

static void
pg_report(struct pg_app *app)
{
    const struct pg_opts *o = &app->opts;
    struct pg_summary *s = malloc(sizeof *s);
    if (!s) {
        pg_error("out of memory for the report");
        return;
    }
    pg_report_collect(s, o, &pg_ctl, app->tx, app->rx);
    s->shared_lcore = app->shared_lcore;
    memcpy(s->tx_lcores, app->tx_lcore, sizeof s->tx_lcores);
    memcpy(s->rx_lcores, app->rx_lcore, sizeof s->rx_lcores);
    if (o->json) {
        pg_report_table(stderr, o, s);
        pg_report_json(stdout, o, s);
    } else {
        pg_report_table(stdout, o, s);
    }
    fflush(stdout);
    free(s);
}

/* Closing a memif port unmaps the shared rings under a peer that may still
 * poll them (DPDK 22.11's memif frees them without waiting for its polling
 * thread): --hold lets a harness stop the peer's polling before we leave. */
static void
pg_hold(void)
{
    char buf[256];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR && __atomic_load_n(&pg_ctl.stop, __ATOMIC_RELAXED) == PG_RUN)
            continue;
        return; /* end of file, an error, or SIGINT/SIGTERM */
    }
}

static void
pg_teardown(struct pg_app *app)
{
    for (uint32_t i = 0; i < app->nports; i++)
        pg_port_close(app->ports[i]);
    for (uint32_t q = 0; q < PG_QUEUES_MAX; q++) {
        if (app->rx[q])
            rte_free(app->rx[q]->flows);
        rte_free(app->rx[q]);
        rte_free(app->tx[q]);
    }
    rte_mempool_free(app->tx_pool);
    rte_mempool_free(app->rx_pool);
    rte_free(app->flows);
    rte_free(app->tmpl);
    if (app->eal_up) {
        /* EAL leaves its (empty, with --no-shconf) runtime directory. */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", rte_eal_get_runtime_dir());
        rte_eal_cleanup();
        rmdir(dir);
    }
}

int
main(int argc, char **argv)
{
    static struct pg_app app;
    char err[256];

    /* Ours are the arguments after "--"; without one, all of them. */
    int sep = 0;
    for (int i = 1; i < argc && !sep; i++)
        if (!strcmp(argv[i], "--"))
            sep = i;
    int eal_argc = sep ? sep : 1;
    if (pg_opts_parse(&app.opts, argc - (sep ? sep : 0), argv + (sep ? sep : 0), err, sizeof err)) {
        pg_error("%s", err);
        return 2;
    }
    if (app.opts.help) {
        pg_opts_usage(stdout);
        return 0;
    }

    struct sigaction sa = {.sa_handler = pg_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    char *eal_argv[eal_argc + 1];
    memcpy(eal_argv, argv, sizeof(char *) * (size_t)eal_argc);
    eal_argv[eal_argc] = NULL;
    if (rte_eal_init(eal_argc, eal_argv) < 0) {
        pg_error("EAL initialisation failed: %s", rte_strerror(rte_errno));
        return 1;
    }
    app.eal_up = true;
    pg_ctl.hz = rte_get_tsc_hz();

    int status = 1;
    if (pg_setup(&app) == 0) {
        if (pg_roles(&app) == 0) {
            if (__atomic_load_n(&pg_ctl.stop, __ATOMIC_RELAXED) == PG_RUN)
                pg_run(&app);
            pg_report(&app);
            if (app.opts.hold)
                pg_hold();
            status = 0;
        } else {
            pg_error("out of memory for %u queues' state (raise EAL's -m)",
                     app.opts.txq + app.opts.rxq);
        }
    }
    pg_teardown(&app);
    return status;
}
