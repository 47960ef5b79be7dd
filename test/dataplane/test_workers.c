/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Worker lcores (EAL -l 0-2: two workers, the agent on the main lcore).
 * Ports are net_ring devices made from rings this test holds, so it feeds
 * RX queues and reads TX queues directly while the workers run.
 *
 *  - Per-packet consistency while flows change: every packet is forwarded
 *    by one version, never a mix, and after dp_commit returns every packet
 *    received is forwarded by the new version (BARRIER).
 *  - Ports added and removed while the other ports forward: nothing lost.
 *  - A meter shared by both workers; counters folded on request; pmd stats.
 *  - Workers fill their caches without page faults (their heaps warmed).
 *  - A worker's packet-in wakes the agent sleeping in poll().
 */
#include <poll.h>
#include <time.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ring.h>

#include "dp_e2e.h"

#define N_RXQ 2
#define N_TXQ 3

struct ring_port {
    char name[32];
    struct rte_ring *rx[N_RXQ];
    struct rte_ring *tx[N_TXQ];
};

static struct dp *dp;
static struct ring_port rp[3];

static void
ring_port_make(struct ring_port *p, const char *name)
{
    snprintf(p->name, sizeof p->name, "net_ring_%s", name);
    for (int q = 0; q < N_RXQ; q++) {
        char rn[RTE_RING_NAMESIZE];
        snprintf(rn, sizeof rn, "%s_rx%d", name, q);
        p->rx[q] = rte_ring_create(rn, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
        ck_assert_ptr_nonnull(p->rx[q]);
    }
    for (int q = 0; q < N_TXQ; q++) {
        char rn[RTE_RING_NAMESIZE];
        snprintf(rn, sizeof rn, "%s_tx%d", name, q);
        p->tx[q] = rte_ring_create(rn, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
        ck_assert_ptr_nonnull(p->tx[q]);
    }
    ck_assert_int_ge(rte_eth_from_rings(name, p->rx, N_RXQ, p->tx, N_TXQ, SOCKET_ID_ANY), 0);
}

static void
ring_port_free(struct ring_port *p)
{
    rte_vdev_uninit(p->name);
    for (int q = 0; q < N_RXQ; q++)
        rte_ring_free(p->rx[q]);
    for (int q = 0; q < N_TXQ; q++) {
        struct rte_mbuf *m;
        while (!rte_ring_dequeue(p->tx[q], (void **)&m))
            rte_pktmbuf_free(m);
        rte_ring_free(p->tx[q]);
    }
}

/* The dataplane configuration of these tests: small pools and tables. */
static void
small_config(struct dp_config *cfg)
{
    dp_config_default(cfg);
    cfg->n_mbufs = 4095;
    cfg->pin_ring_size = 256;
    cfg->l2_entries = 1024;
}

static void
setup(void)
{
    struct dp_config cfg;
    small_config(&cfg);
    char err[256];
    ck_assert_msg(!dp_create(&cfg, &dp, err, sizeof err), "%s", err);
    ck_assert(!dp_inline(dp));
    ring_port_make(&rp[0], "w1");
    ring_port_make(&rp[1], "w2");
    ck_assert_int_eq(dp_port_add(dp, 1, rp[0].name, err, sizeof err), 0);
    ck_assert_int_eq(dp_port_add(dp, 2, rp[1].name, err, sizeof err), 0);
}

static void
teardown(void)
{
    dp_destroy(dp); /* Stops the adopted ring ports, does not close them. */
    ring_port_free(&rp[0]);
    ring_port_free(&rp[1]);
}

/* Feed n UDP packets into port p's RX rings, alternating queues; flows
 * differ by source port so both workers' queues see traffic. */
static void
inject(const struct ring_port *p, unsigned n, uint16_t base)
{
    for (unsigned i = 0; i < n; i++) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(dp_test_pool);
        ck_assert_ptr_nonnull(m);
        uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, 60);
        e2e_udp4(d, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, (uint16_t)(base + i), 53, 64, 18,
                 (uint8_t)i);
        while (rte_ring_enqueue(p->rx[i % N_RXQ], m))
            rte_pause();
    }
}

/* Take up to max packets port p sent; calls check on each. */
static unsigned
drain(const struct ring_port *p, void (*check)(const uint8_t *, void *), void *aux)
{
    unsigned n = 0;
    for (int q = 0; q < N_TXQ; q++) {
        struct rte_mbuf *m;
        while (!rte_ring_dequeue(p->tx[q], (void **)&m)) {
            if (check)
                check(rte_pktmbuf_mtod(m, const uint8_t *), aux);
            rte_pktmbuf_free(m);
            n++;
        }
    }
    return n;
}

static unsigned
rx_pending(const struct ring_port *p)
{
    unsigned n = 0;
    for (int q = 0; q < N_RXQ; q++)
        n += rte_ring_count(p->rx[q]);
    return n;
}

/* Drain port p until want packets came out (or 2 s passed). */
static unsigned
drain_until(const struct ring_port *p, unsigned want, void (*check)(const uint8_t *, void *),
            void *aux)
{
    unsigned got = 0;
    uint64_t deadline = rte_rdtsc() + 2 * rte_get_tsc_hz();
    while (got < want && rte_rdtsc() < deadline) {
        unsigned n = drain(p, check, aux);
        if (!n) /* Let workers that share our CPU run. */
            nanosleep(&(struct timespec){0, 20000}, NULL);
        got += n;
    }
    return got;
}

static void
set_version_flows(unsigned k)
{
    char insts[128];
    struct ft_pipeline *p = dp_pipeline(dp);
    snprintf(insts, sizeof insts, "set_field:02:00:00:00:00:%02x->eth_src,goto_table:1", k & 0xff);
    ck_assert_int_eq(tu_add(p, "table=0,in_port=1,ip", insts), FT_OK);
    snprintf(insts, sizeof insts, "set_field:10.0.0.%u->ipv4_dst,output:2", k & 0xff);
    ck_assert_int_eq(tu_add(p, "table=1,ip", insts), FT_OK);
}

struct version_check {
    unsigned want; /* The version every packet must show (0: any). */
    unsigned mixed, stale, seen;
};

static void
check_version(const uint8_t *f, void *aux)
{
    struct version_check *vc = aux;
    unsigned a = f[11], b = f[33]; /* eth_src low byte, ipv4_dst low byte */
    vc->seen++;
    if (a != b)
        vc->mixed++;
    else if (vc->want && a != vc->want)
        vc->stale++;
}

START_TEST(one_version_per_packet_and_barrier)
{
    struct version_check vc = {0};
    unsigned sent = 0;
    for (unsigned k = 1; k <= 200; k++) {
        set_version_flows(k);
        ck_assert_int_eq(dp_commit(dp), 0);
        /* Committed: whatever arrives now must be forwarded by version k. */
        vc.want = k;
        inject(&rp[0], 64, (uint16_t)(k * 64));
        sent += 64;
        ck_assert_uint_eq(drain_until(&rp[1], 64, check_version, &vc), 64);
    }
    ck_assert_uint_eq(vc.seen, sent);
    ck_assert_uint_eq(vc.mixed, 0);
    ck_assert_uint_eq(vc.stale, 0);

    /* Now commit while packets are in flight: each still shows exactly one
     * version. */
    vc.want = 0;
    unsigned seen_before = vc.seen;
    for (unsigned k = 201; k <= 400; k++) {
        inject(&rp[0], 64, (uint16_t)(k * 64));
        set_version_flows(k);
        ck_assert_int_eq(dp_commit(dp), 0);
        drain(&rp[1], check_version, &vc);
    }
    drain_until(&rp[1], 200 * 64 - (vc.seen - seen_before), check_version, &vc);
    ck_assert_uint_eq(vc.seen - seen_before, 200 * 64);
    ck_assert_uint_eq(vc.mixed, 0);

    /* Both workers took part. */
    struct dp_worker_stats ws[4];
    ck_assert_uint_eq(dp_worker_stats(dp, ws, 4), 2);
    ck_assert_uint_gt(ws[0].packets, 0);
    ck_assert_uint_gt(ws[1].packets, 0);
    ck_assert_uint_eq(ws[0].packets + ws[1].packets, 400 * 64);
    ck_assert_uint_gt(ws[0].busy_cycles, 0);
    ck_assert_uint_gt(ws[0].idle_cycles, 0);
}
END_TEST

static void
print_counter(void *aux, const char *name, uint64_t n)
{
    (void)aux;
    if (n)
        fprintf(stderr, "  %s %llu\n", name, (unsigned long long)n);
}

START_TEST(ports_come_and_go_under_traffic)
{
    char err[256];
    ck_assert_int_eq(tu_add(dp_pipeline(dp), "in_port=1", "output:2"), FT_OK);
    ck_assert_int_eq(dp_commit(dp), 0);
    unsigned got = 0;
    for (int round = 0; round < 40; round++) {
        inject(&rp[0], 64, (uint16_t)(round * 64));
        if (round % 2 == 0) {
            char devargs[32];
            snprintf(devargs, sizeof devargs, "net_null_w%d", round);
            ck_assert_int_eq(dp_port_add(dp, 3, devargs, err, sizeof err), 0);
        } else {
            ck_assert_int_eq(dp_port_del(dp, 3), 0);
        }
        got += drain(&rp[1], NULL, NULL);
    }
    got += drain_until(&rp[1], 40 * 64 - got, NULL, NULL);
    if (got != 40 * 64) {
        dp_drop_counters(dp, print_counter, NULL);
        fprintf(stderr, "rx pending %u\n", rx_pending(&rp[0]));
        struct dp_port_stats st;
        dp_port_stats(dp, 2, &st);
        fprintf(stderr, "port 2: tx %llu tx_dropped %llu\n", (unsigned long long)st.tx_packets,
                (unsigned long long)st.tx_dropped);
        for (int q = 0; q < N_TXQ; q++)
            fprintf(stderr, "txq %d count %u\n", q, rte_ring_count(rp[1].tx[q]));
    }
    ck_assert_uint_eq(got, 40 * 64);
    ck_assert_uint_eq(rx_pending(&rp[0]), 0);
}
END_TEST

START_TEST(meter_shared_by_workers)
{
    struct ft_meter_band band = {.type = FT_MBT_DROP, .rate = 1, .burst_size = 100};
    struct ft_meter_mod mm = {.command = FT_MC_ADD,
                              .flags = FT_MF_PKTPS | FT_MF_BURST,
                              .meter_id = 1,
                              .n_bands = 1,
                              .bands = &band};
    ck_assert_int_eq(ft_pipeline_meter_mod(dp_pipeline(dp), &mm, 0), FT_OK);
    ck_assert_int_eq(tu_add(dp_pipeline(dp), "in_port=1", "meter:1,apply_actions(output:2)"),
                     FT_OK);
    ck_assert_int_eq(dp_commit(dp), 0);
    uint64_t t0 = rte_rdtsc();
    unsigned got = 0;
    for (int round = 0; round < 30; round++) {
        inject(&rp[0], 64, (uint16_t)(round * 64));
        got += drain(&rp[1], NULL, NULL);
    }
    while (rx_pending(&rp[0]))
        got += drain(&rp[1], NULL, NULL);
    rte_delay_ms(10);
    got += drain(&rp[1], NULL, NULL);
    unsigned secs = (unsigned)((rte_rdtsc() - t0) / rte_get_tsc_hz());
    /* The burst of 100, plus one per second that passed, across both
     * workers' charges of the one bucket. */
    ck_assert_msg(got >= 100 && got <= 100 + secs + 1, "%u passed in %u s", got, secs);
}
END_TEST

static int
first_rule(void *aux, const struct ft_rule *r)
{
    *(const struct ft_rule **)aux = r;
    return 1;
}

START_TEST(fold_counters_exact)
{
    struct ft_pipeline *p = dp_pipeline(dp);
    ck_assert_int_eq(tu_add(p, "in_port=1", "output:2"), FT_OK);
    ck_assert_int_eq(dp_commit(dp), 0);
    inject(&rp[0], 500, 0);
    ck_assert_uint_eq(drain_until(&rp[1], 500, NULL, NULL), 500);
    ck_assert_int_eq(dp_fold_counters(dp), 0);
    struct ft_flow_filter ff = {.table_id = 0, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&ff.match);
    const struct ft_rule *r = NULL;
    ft_pipeline_rules_foreach(p, &ff, first_rule, &r);
    uint64_t pk, by, used;
    ft_rule_stats(r, &pk, &by, &used);
    ck_assert_uint_eq(pk, 500);
    ck_assert_uint_eq(by, 500 * 60);
}
END_TEST

/* Whether fd becomes readable within ms. */
static bool
readable_within(int fd, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

START_TEST(a_packet_in_wakes_the_sleeping_agent)
{
    ck_assert_int_eq(tu_add(dp_pipeline(dp), "in_port=1", "CONTROLLER:64"), FT_OK);
    ck_assert_int_eq(dp_commit(dp), 0);
    int fd = dp_agent_wake_fd(dp);
    ck_assert_int_ge(fd, 0);
    for (int round = 0; round < 3; round++) {
        ck_assert(dp_agent_may_sleep(dp)); /* Nothing queued. */
        inject(&rp[0], 1, (uint16_t)round);
        /* A worker's packet-in writes the eventfd (without it: 5 s, red). */
        ck_assert_msg(readable_within(fd, 5000), "round %d: the agent was not woken", round);
        dp_agent_awake(dp);
        ck_assert(!readable_within(fd, 0)); /* Drained. */
        /* With a packet-in queued it may not sleep; popped, it may. */
        ck_assert(!dp_agent_may_sleep(dp));
        dp_agent_awake(dp);
        struct dp_packet_in *pin;
        ck_assert_uint_eq(dp_packet_in_pop(dp, &pin, 1), 1);
        dp_packet_in_free(dp, pin);
    }
    /* Awake, a packet-in does not touch the eventfd. */
    inject(&rp[0], 1, 99);
    struct dp_packet_in *pin = NULL;
    uint64_t deadline = rte_rdtsc() + 5 * rte_get_tsc_hz();
    while (!dp_packet_in_pop(dp, &pin, 1) && rte_rdtsc() < deadline)
        nanosleep(&(struct timespec){0, 20000}, NULL);
    ck_assert_ptr_nonnull(pin);
    dp_packet_in_free(dp, pin);
    ck_assert(!readable_within(fd, 0));
}
END_TEST

START_TEST(port_down_under_load)
{
    ck_assert_int_eq(tu_add(dp_pipeline(dp), "in_port=1", "output:2"), FT_OK);
    ck_assert_int_eq(dp_commit(dp), 0);
    ck_assert_int_eq(dp_port_mod(dp, 1, NULL, FT_PC_PORT_DOWN, FT_PC_PORT_DOWN), 0);
    inject(&rp[0], 100, 0);
    rte_delay_ms(20);
    ck_assert_uint_eq(drain(&rp[1], NULL, NULL), 0);
    ck_assert_uint_eq(rx_pending(&rp[0]), 100); /* Not polled. */
    ck_assert_int_eq(dp_port_mod(dp, 1, NULL, 0, FT_PC_PORT_DOWN), 0);
    ck_assert_uint_eq(drain_until(&rp[1], 100, NULL, NULL), 100);
}
END_TEST

static uint64_t
drop_count(const char *name)
{
    struct e2e_counter c = {name, 0};
    dp_drop_counters(dp, e2e_counter_cb, &c);
    return c.n;
}

/* A TX peer that stops draining while packets and their copies arrive: the
 * packets' pool runs dry (copies that find no buffer are dropped, counted
 * as nomem), nothing is lost or leaked, and once the peer drains again
 * every buffer comes back and forwarding resumes. */
START_TEST(mbuf_exhaustion_and_recovery)
{
    /* The frames come from a small pool without per-lcore caches, so its
     * count is exact; copies come from the same pool. */
    struct rte_mempool *small =
        rte_pktmbuf_pool_create("small_pool", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ck_assert_ptr_nonnull(small);
    ck_assert_int_eq(tu_add(dp_pipeline(dp), "in_port=1", "output:2,output:2"), FT_OK);
    ck_assert_int_eq(dp_commit(dp), 0);
    /* Nobody takes what port 2 sends: feed until the pool is empty. */
    unsigned fed = 0;
    for (int spins = 0; spins < 2000 && rte_mempool_avail_count(small); spins++) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(small);
        if (!m)
            break;
        uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, 60);
        e2e_udp4(d, e2e_mac_b, e2e_mac_a, 1, 2, (uint16_t)fed, 53, 64, 18, 0);
        while (rte_ring_enqueue(rp[0].rx[fed % N_RXQ], m))
            rte_pause();
        fed++;
        nanosleep(&(struct timespec){0, 50000}, NULL);
    }
    uint64_t deadline = rte_rdtsc() + 2 * rte_get_tsc_hz();
    while (rx_pending(&rp[0]) && rte_rdtsc() < deadline)
        nanosleep(&(struct timespec){0, 100000}, NULL);
    ck_assert_uint_eq(rte_mempool_avail_count(small), 0);
    ck_assert_uint_gt(drop_count("nomem"), 0); /* Copies that found no buffer. */
    /* The peer drains: every buffer is back (nothing leaked), and the
     * switch forwards again. */
    unsigned got = drain(&rp[1], NULL, NULL);
    ck_assert_uint_gt(got, 0);
    ck_assert_uint_eq(rte_mempool_avail_count(small), 511);
    struct rte_mbuf *m = rte_pktmbuf_alloc(small);
    uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, 60);
    e2e_udp4(d, e2e_mac_b, e2e_mac_a, 1, 2, 7, 53, 64, 18, 0);
    ck_assert_int_eq(rte_ring_enqueue(rp[0].rx[0], m), 0);
    ck_assert_uint_eq(drain_until(&rp[1], 2, NULL, NULL), 2);
    ck_assert_uint_eq(rte_mempool_avail_count(small), 511);
    rte_mempool_free(small);
}
END_TEST

START_TEST(device_wanting_equal_queue_counts)
{
    /* net_tap wants as many RX as TX queues; with two workers we ask for
     * 2 RX and 3 TX and must fall back to 3 and 3. Needs /dev/net/tun and
     * CAP_NET_ADMIN: skipped (said so) without them. */
    if (access("/dev/net/tun", R_OK | W_OK) || geteuid() != 0) {
        fprintf(stderr,
                "device_wanting_equal_queue_counts: skipped (no /dev/net/tun or not root)\n");
        return;
    }
    char err[256];
    int r = dp_port_add(dp, 5, "net_tap_ofst0,iface=ofstest0", err, sizeof err);
    ck_assert_msg(r == 0, "net_tap: %s", err);
    struct dp_port_info info;
    ck_assert_int_eq(dp_port_get(dp, 5, &info), 0);
    ck_assert_int_eq(dp_port_del(dp, 5), 0);
}
END_TEST

/* Each worker warmed its heap when it started: 4,000 new flows, each a
 * miss and a cache entry, take its thread no page fault (in a virtual
 * machine each is a trip to the hypervisor; a fill's thousands made the
 * worker's polls long). First in the suite: nothing else has touched the
 * workers' heaps yet. Not under ASan (freed memory is not handed out again). */
START_TEST(workers_fill_their_caches_without_page_faults)
{
    enum { N = 4000 };
    struct ft_pipeline *p = dp_pipeline(dp);
    for (unsigned i = 0; i < N; i++) {
        char spec[64];
        snprintf(spec, sizeof spec, "in_port=1,udp,tp_src=%u", 1000 + i);
        ck_assert_int_eq(tu_add(p, spec, "output:2"), FT_OK);
    }
    ck_assert_int_eq(dp_commit(dp), 0);
    inject(&rp[0], 64, 1000); /* The rings' and mbufs' first touches. */
    ck_assert_uint_eq(drain_until(&rp[1], 64, NULL, NULL), 64);
    long before = dp_test_worker_page_faults();
    unsigned got = 0;
    for (unsigned k = 64; k < N; k += 500) {
        unsigned n = N - k < 500 ? N - k : 500;
        inject(&rp[0], n, (uint16_t)(1000 + k));
        got += drain_until(&rp[1], n, NULL, NULL);
    }
    long faults = dp_test_worker_page_faults() - before;
    ck_assert_uint_eq(got, N - 64);
    struct dp_worker_stats ws[2];
    ck_assert_uint_eq(dp_worker_stats(dp, ws, 2), 2);
    ck_assert_uint_eq(ws[0].misses + ws[1].misses, N);
    if (!TEST_ASAN)
        ck_assert_msg(faults <= 16, "%ld page faults in the workers filling %d entries", faults, N);
}
END_TEST

/* dp_create's deadline is for a worker's thread to start; the heap
 * warm-up after it (here 2M entries' worth, some 300 MB: longer than the
 * 100 ms deadline) is finite work it waits out. */
START_TEST(a_long_warm_up_is_no_timeout)
{
    struct dp_config cfg;
    small_config(&cfg);
    cfg.commit_timeout_ms = 100;
    cfg.cache.max_entries = 1u << 21;
    cfg.cache.sig_buckets = 1024;
    char err[256] = "";
    struct dp *big = NULL;
    ck_assert_msg(!dp_create(&cfg, &big, err, sizeof err), "%s", err);
    ck_assert(!dp_inline(big));
    dp_destroy(big);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("workers");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, workers_fill_their_caches_without_page_faults);
    tcase_add_test(tc, one_version_per_packet_and_barrier);
    tcase_add_test(tc, ports_come_and_go_under_traffic);
    tcase_add_test(tc, meter_shared_by_workers);
    tcase_add_test(tc, fold_counters_exact);
    tcase_add_test(tc, port_down_under_load);
    tcase_add_test(tc, device_wanting_equal_queue_counts);
    tcase_add_test(tc, a_packet_in_wakes_the_sleeping_agent);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, mbuf_exhaustion_and_recovery);
    suite_add_tcase(s, tc);
    tc = tcase_create("startup");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_long_warm_up_is_no_timeout);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0-2")
