/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch — the composition root:
 *
 *   ofswitch [--config FILE] [EAL options] -- --port NUM=DEVARGS ...
 *
 * Reads the configuration file if one is given (ofswitch_conf.h), then
 * our options on top of it (ofswitch_opts.h) — before starting EAL, so a
 * typo costs nothing; EAL options on the command line replace the file's
 * eal lines. Then it
 * starts EAL, creates the dataplane (workers on the EAL worker lcores),
 * hot-plugs the ports, creates the control side (ofswitch_control.h) and
 * runs the main loop on the main lcore until SIGINT or SIGTERM: one turn
 * of the control side, plus one pass of the inline worker when EAL gave
 * no worker lcore. Every exit path releases the devices (dp_destroy) and
 * EAL (rte_eal_cleanup). Errors: one line on stderr, exit status 1 (2 for
 * usage errors).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "dp.h"
#include "dp_control.h"
#include "ofswitch_conf.h"
#include "ofswitch_control.h"
#include "ofswitch_opts.h"
#include "ofswitch_telemetry.h"

static volatile sig_atomic_t stop_signal;

/* EAL's runtime directory, removed at exit when it is empty (with
 * --no-shconf; otherwise EAL's shared config files keep it). Telemetry's
 * socket lives there too, and DPDK removes it only in an atexit handler
 * that rte_eal_init registers; handlers run in reverse order, so ours,
 * registered before, runs after it. */
static char runtime_dir[PATH_MAX];

static void
remove_runtime_dir(void)
{
    if (runtime_dir[0])
        rmdir(runtime_dir);
}

static void
on_signal(int sig)
{
    stop_signal = sig;
}

static void
install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The datapath id when none is given: the first port's MAC, as OVS does. */
static uint64_t
default_datapath_id(struct dp *dp)
{
    struct dp_port_info info[1];
    if (!dp_ports(dp, info, 1))
        return 0;
    uint64_t id = 0;
    for (int i = 0; i < 6; i++)
        id = id << 8 | info[0].hw_addr[i];
    return id;
}

static int
run(struct dp *dp, struct ofs_control *ctl)
{
    unsigned idle = 0;
    while (!stop_signal) {
        int work = 0;
        if (dp_inline(dp))
            work += (int)dp_poll(dp);
        int r = ofs_control_run(ctl, dp_now_ns(dp));
        if (r < 0) {
            fprintf(stderr, "ofswitch: control side stopped: %s\n", strerror(-r));
            return r;
        }
        work += r;
        /* The main lcore is the agent's: sleep when there is nothing to do
         * (shortly when it also forwards, inline). */
        idle = work ? 0 : idle + 1;
        if (idle > 16) {
            struct timespec ts = {0, dp_inline(dp) ? 50000 : 1000000};
            nanosleep(&ts, NULL);
        }
    }
    return 0;
}

static void
print_counter(void *aux, const char *name, uint64_t n)
{
    (void)aux;
    if (n)
        fprintf(stderr, "ofswitch:   %s %llu\n", name, (unsigned long long)n);
}

/* pmd-stats-show at exit: per worker packets, cycles per packet. */
static void
print_stats(struct dp *dp)
{
    struct dp_worker_stats ws[RTE_MAX_LCORE];
    size_t n = dp_worker_stats(dp, ws, RTE_MAX_LCORE);
    for (size_t i = 0; i < n; i++) {
        uint64_t total = ws[i].busy_cycles + ws[i].idle_cycles;
        fprintf(stderr,
                "ofswitch: worker %zu (lcore %u): %llu packets, %.1f%% busy, %.0f cycles/packet, "
                "%llu pipeline walks at %.0f cycles each, %llu drops\n",
                i, ws[i].lcore, (unsigned long long)ws[i].packets,
                total ? 100.0 * (double)ws[i].busy_cycles / (double)total : 0.0,
                ws[i].packets ? (double)ws[i].busy_cycles / (double)ws[i].packets : 0.0,
                (unsigned long long)ws[i].misses,
                ws[i].misses ? (double)ws[i].miss_cycles / (double)ws[i].misses : 0.0,
                (unsigned long long)ws[i].drops);
    }
    struct dp_port_info ports[64];
    size_t np = dp_ports(dp, ports, 64);
    for (size_t i = 0; i < np && i < 64; i++) {
        struct dp_port_stats st;
        if (!dp_port_stats(dp, ports[i].port_no, &st))
            fprintf(stderr,
                    "ofswitch: port %lu (%s): rx %llu tx %llu rx_dropped %llu tx_dropped %llu\n",
                    (unsigned long)ports[i].port_no, ports[i].name,
                    (unsigned long long)st.rx_packets, (unsigned long long)st.tx_packets,
                    (unsigned long long)st.rx_dropped, (unsigned long long)st.tx_dropped);
    }
    dp_drop_counters(dp, print_counter, NULL);
}

/* From EAL to the end, with the options final: 0 on a clean stop, 1 on
 * failure. run_eal[0..n_run_eal) are the EAL arguments, for save. */
static int
run_switch(int n_eal, char **eal_args, const struct ofs_opts *o, struct ofs_conf *conf,
           char **run_eal, int n_run_eal)
{
    char err[512] = "";
    install_signals();
    atexit(remove_runtime_dir);
    if (rte_eal_init(n_eal, eal_args) < 0) {
        fprintf(stderr, "ofswitch: cannot start EAL: %s\n", rte_strerror(rte_errno));
        return 1;
    }
    snprintf(runtime_dir, sizeof runtime_dir, "%s", rte_eal_get_runtime_dir());
    int trc = ofs_telemetry_register();
    if (trc) {
        fprintf(stderr, "ofswitch: cannot register telemetry commands: %s\n", strerror(-trc));
        rte_eal_cleanup();
        return 1;
    }
    int status = 1;
    struct dp *dp = NULL;
    struct ofs_control *ctl = NULL;
    struct dp_config cfg;
    dp_config_default(&cfg);
    cfg.rxq = (uint16_t)o->rxq;
    if (o->n_mbufs)
        cfg.n_mbufs = o->n_mbufs;
    if (o->cache_stages_fixed) {
        cfg.cache_stages_auto = false;
        cfg.cache.stages = o->cache_stages;
    }
    if (o->cache_entries) {
        cfg.cache.max_entries = o->cache_entries;
        uint32_t sig = 1024;
        while (sig < o->cache_entries)
            sig <<= 1;
        cfg.cache.sig_buckets = sig; /* Four ways each: room for every entry. */
    }
    if (dp_create(&cfg, &dp, err, sizeof err)) {
        fprintf(stderr, "ofswitch: %s\n", err);
        goto out;
    }
    /* No controller is connected yet: in standalone fail mode the ports
     * switch L2 from their first packet; the control side takes over. */
    if (o->fail_mode == OFS_FAIL_STANDALONE)
        dp_set_standalone(dp, true);
    for (size_t i = 0; i < o->n_ports && !stop_signal; i++) {
        if (dp_port_add(dp, o->ports[i].port_no, o->ports[i].devargs, err, sizeof err)) {
            fprintf(stderr, "ofswitch: port %lu: %s\n", (unsigned long)o->ports[i].port_no, err);
            goto out;
        }
    }
    uint64_t dpid = o->has_datapath_id ? o->datapath_id : default_datapath_id(dp);
    if (ofs_conf_start(conf, o, n_run_eal, run_eal, dpid)) {
        fprintf(stderr, "ofswitch: out of memory\n");
        goto out;
    }
    if (!stop_signal) {
        ctl = ofs_control_create(dp, o, dpid, conf, err, sizeof err);
        if (!ctl) {
            fprintf(stderr, "ofswitch: %s\n", err);
            goto out;
        }
        if (ofs_conf_path(conf))
            fprintf(stderr, "ofswitch: configuration %s, %zu port(s)\n", ofs_conf_path(conf),
                    o->n_ports);
        if (run(dp, ctl))
            goto out;
    }
    status = 0;
    if (stop_signal)
        fprintf(stderr, "ofswitch: %s, stopping\n", strsignal(stop_signal));
    print_stats(dp);
out:
    ofs_control_destroy(ctl);
    dp_destroy(dp); /* Detaches every device ofswitch attached. */
    rte_eal_cleanup();
    return status; /* remove_runtime_dir() runs at exit. */
}

/* Take "--config FILE" or "--config=FILE" out of argv[from..to), packing
 * the rest into out (*n words). 0, or -EINVAL with err. */
static int
take_config(char **argv, int from, int to, const char **config, char **out, int *n, char *err,
            size_t errlen)
{
    for (int i = from; i < to; i++) {
        const char *file = NULL;
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= to) {
                snprintf(err, errlen, "--config needs an argument");
                return -EINVAL;
            }
            file = argv[++i];
        } else if (!strncmp(argv[i], "--config=", 9)) {
            file = argv[i] + 9;
        } else {
            out[(*n)++] = argv[i];
            continue;
        }
        if (*config) {
            snprintf(err, errlen, "--config given twice");
            return -EINVAL;
        }
        if (!*file) {
            snprintf(err, errlen, "--config needs a file name");
            return -EINVAL;
        }
        *config = file;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    int sep = 1;
    while (sep < argc && strcmp(argv[sep], "--"))
        sep++;
    /* EAL's arguments (argv[0] first) and ours, without --config, which
     * either side may hold. */
    char **eal_args = calloc((size_t)argc + 1, sizeof *eal_args);
    char **our_args = calloc((size_t)argc + 1, sizeof *our_args);
    int n_eal = 1, n_ours = 0, status = 2;
    const char *config = NULL;
    char err[512] = "";
    struct ofs_opts opts;
    struct ofs_conf *conf = NULL;
    if (!eal_args || !our_args) {
        fprintf(stderr, "ofswitch: out of memory\n");
        goto out_args;
    }
    eal_args[0] = argv[0];
    if (take_config(argv, 1, sep, &config, eal_args, &n_eal, err, sizeof err) ||
        take_config(argv, sep + 1, argc, &config, our_args, &n_ours, err, sizeof err)) {
        fprintf(stderr, "ofswitch: %s\n", err);
        goto out_args;
    }
    /* "ofswitch --help" with no "--": ours, not EAL's, is what is meant. */
    if (sep == argc && n_eal == 2 && !strcmp(eal_args[1], "--help")) {
        fputs(ofs_opts_usage(), stdout);
        status = 0;
        goto out_args;
    }
    ofs_opts_init(&opts);
    conf = config ? ofs_conf_load(config, &opts, err, sizeof err) : ofs_conf_new();
    if (!conf) {
        fprintf(stderr, "ofswitch: %s\n", config ? err : "out of memory");
        goto out_args;
    }
    if (ofs_opts_args(&opts, n_ours, our_args, err, sizeof err) ||
        (!opts.help && ofs_opts_check(&opts, config != NULL, err, sizeof err))) {
        fprintf(stderr, "ofswitch: %s\n", err);
        goto out_args;
    }
    if (opts.help) {
        fputs(ofs_opts_usage(), stdout);
        status = 0;
        goto out_args;
    }
    /* EAL options on the command line replace the file's. */
    int n_file;
    char **file_eal = ofs_conf_eal(conf, &n_file);
    if (n_eal == 1 && n_file) {
        char **more = realloc(eal_args, (size_t)(1 + n_file + 1) * sizeof *eal_args);
        if (!more) {
            fprintf(stderr, "ofswitch: out of memory\n");
            goto out_args;
        }
        eal_args = more;
        for (int i = 0; i < n_file; i++)
            eal_args[n_eal++] = file_eal[i];
        eal_args[n_eal] = NULL;
    }
    /* What runs, for ofswitch-ctl save (rte_eal_init permutes its argv). */
    char **run_eal = calloc((size_t)n_eal, sizeof *run_eal);
    if (!run_eal) {
        fprintf(stderr, "ofswitch: out of memory\n");
        goto out_args;
    }
    memcpy(run_eal, eal_args + 1, (size_t)(n_eal - 1) * sizeof *run_eal);
    int rc = run_switch(n_eal, eal_args, &opts, conf, run_eal, n_eal - 1);
    free(run_eal);
    status = rc;
out_args:
    ofs_conf_free(conf);
    free(eal_args);
    free(our_args);
    return status;
}
