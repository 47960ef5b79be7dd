/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A memif peer's shared memory, as a worker sees it come and go.
 *
 * Going: DPDK 22.11's memif unmaps the port's shared memory from the EAL
 * interrupt thread as the peer disconnects, with no regard for a worker
 * inside rx_burst on it: the worker died of SIGSEGV (ofswitch, about 1 in
 * 150 peer kills under load). dp_port_maps.c makes that unmapping wait
 * for the polls under way.
 *
 * Coming: the same thread maps a new peer's regions; the worker's first
 * touch of each page was a page fault (in a virtual machine a trip to
 * the hypervisor: ~570 of them in the first milliseconds of a benchmark's
 * traffic, the worker saturated for 20 ms). dp_port_maps.c maps them
 * populated.
 *
 * One process, one worker (EAL -l 0-1): port 1 is a memif server the
 * dataplane polls, port 2 a null sink; the test's own memif client
 * connects and sends. A crash ends the executable (the test fails).
 */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dp_e2e.h"
#include "dp_int.h"

#define ROUNDS 300

static struct dp *dp;
static char dir[] = "/tmp/memif-test-XXXXXX";
static char sock[PATH_MAX];
static uint16_t client = UINT16_MAX;
static char client_name[64];

static void
stop(void)
{
    if (client != UINT16_MAX) {
        rte_eth_dev_stop(client);
        rte_eth_dev_close(client);
        rte_vdev_uninit(client_name);
        client = UINT16_MAX;
    }
    dp_destroy(dp);
    dp = NULL;
    unlink(sock);
    rmdir(dir);
}

/* Received by the worker (the port's own counters restart with each
 * connection). */
static uint64_t
worker_packets(void)
{
    struct dp_worker_stats ws;
    ck_assert_uint_eq(dp_worker_stats(dp, &ws, 1), 1);
    return ws.packets;
}

static bool
link_up(uint16_t port)
{
    struct rte_eth_link l;
    return rte_eth_link_get_nowait(port, &l) == 0 && l.link_status == RTE_ETH_LINK_UP;
}

/* Sends frames for about `us` microseconds (what the ring takes). */
static uint64_t
send_for(unsigned us)
{
    static const uint8_t frame[60] = {
        0x02, 0, 0,    0,  0, 0x02, 0x02, 0, 0,  0,  0, 0x01, 0x08, 0x00, /* Ethernet */
        0x45, 0, 0,    46, 0, 0,    0,    0, 64, 17, 0, 0,    198,  18,
        0,    1, 198,  19, 0, 1,             /* IPv4 */
        0x04, 0, 0x04, 1,  0, 26,   0,    0, /* UDP */
    };
    uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 1000000 * us, sent = 0;
    while (rte_rdtsc() < end) {
        struct rte_mbuf *m[32];
        for (int i = 0; i < 32; i++)
            m[i] = dp_test_mbuf(frame, sizeof frame);
        uint16_t n = rte_eth_tx_burst(client, 0, m, 32);
        sent += n;
        rte_pktmbuf_free_bulk(m + n, 32u - n);
    }
    return sent;
}

/* The dataplane with port 1 a memif server (vdev <name>_sv) and port 2
 * a null sink, in_port=1 taking `actions`, and the test's memif client
 * (<name>_cl) configured, not started. */
static void
start(const char *name, const char *actions)
{
    stop(); /* What a failed test before left. */
    dp_test_cleanup = stop;
    strcpy(dir, "/tmp/memif-test-XXXXXX"); /* A template again (mkdtemp fills it in). */
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sock, sizeof sock, "%s/m.sock", dir);
    snprintf(client_name, sizeof client_name, "%s_cl", name);
    struct dp_config cfg;
    dp_config_default(&cfg);
    cfg.n_mbufs = 4095;
    cfg.pin_ring_size = 64;
    cfg.l2_entries = 64;
    cfg.cache.max_entries = 1024;
    char err[256] = "", dev[PATH_MAX + 96];
    ck_assert_msg(dp_create(&cfg, &dp, err, sizeof err) == 0, "dp_create: %s", err);
    ck_assert(!dp_inline(dp));
    snprintf(dev, sizeof dev, "%s_sv,role=server,id=0,socket=%s,socket-abstract=no", name, sock);
    ck_assert_msg(dp_port_add(dp, 1, dev, err, sizeof err) == 0, "%s", err);
    snprintf(dev, sizeof dev, "net_null_%s,no-rx=1", name + 4); /* A sink only. */
    ck_assert_msg(dp_port_add(dp, 2, dev, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(tu_add(dp_pipeline(dp), "table=0,priority=5,in_port=1", actions), FT_OK);
    ck_assert_int_eq(dp_commit(dp), 0);

    char args[PATH_MAX + 64];
    snprintf(args, sizeof args, "role=client,id=0,socket=%s,socket-abstract=no", sock);
    ck_assert_int_eq(rte_vdev_init(client_name, args), 0);
    ck_assert_int_eq(rte_eth_dev_get_port_by_name(client_name, &client), 0);
    struct rte_eth_conf conf = {0};
    ck_assert_int_eq(rte_eth_dev_configure(client, 1, 1, &conf), 0);
    ck_assert_int_eq(rte_eth_rx_queue_setup(client, 0, 512, SOCKET_ID_ANY, NULL, dp_test_pool), 0);
    ck_assert_int_eq(rte_eth_tx_queue_setup(client, 0, 512, SOCKET_ID_ANY, NULL), 0);
}

/* Starts the client and waits for its link. */
static void
connect_client(int round)
{
    ck_assert_int_eq(rte_eth_dev_start(client), 0);
    uint64_t deadline = rte_rdtsc() + rte_get_tsc_hz() * 10;
    while (!link_up(client)) {
        ck_assert_msg(rte_rdtsc() < deadline, "round %d: no link in 10 s", round);
        rte_delay_us_sleep(100);
    }
}

START_TEST(peer_disconnects_under_load)
{
    start("net_memif_disc", "output:2");
    uint64_t rx0 = worker_packets(), sent = 0;
    for (int round = 0; round < ROUNDS; round++) {
        connect_client(round);
        /* The worker is inside rx_burst most of the time now. */
        sent += send_for(500 + (unsigned)(rand() % 1500));
        ck_assert_int_eq(rte_eth_dev_stop(client), 0); /* The server unmaps. */
    }
    uint64_t got = worker_packets() - rx0;
    /* The disconnects came while packets flowed. What was in a ring when
     * its peer went is lost, and a loaded machine (CI runs tests side by
     * side) holds the worker off for milliseconds: a third to a half
     * arrives there, more on an idle machine. */
    ck_assert_msg(got >= sent / 10, "sent %llu, the worker received %llu", (unsigned long long)sent,
                  (unsigned long long)got);
    stop();
}
END_TEST

/* The agent hears of a link's change when it looks (every 50 ms); the
 * PMD knows at once. A new peer's first packets go out although the
 * dataplane still holds the link down: tools/bench's latency runs lost
 * 0.4-1.5 % of their packets as link_down, the first milliseconds of
 * each generator's traffic. Here nothing polls the links at all. */
START_TEST(a_new_peer_s_first_packets_go_out)
{
    start("net_memif_new", "output:IN_PORT");
    connect_client(0);
    struct dp_port_info pi;
    ck_assert_int_eq(dp_port_get(dp, 1, &pi), 0);
    ck_assert_msg(pi.state & DP_PS_LINK_DOWN, "the dataplane looked at the link on its own");
    uint64_t sent = 0, back = 0, deadline = rte_rdtsc() + rte_get_tsc_hz() * 10;
    struct rte_mbuf *none[1];
    /* A client gives the server its ring's slots towards it as it receives. */
    ck_assert_uint_eq(rte_eth_rx_burst(client, 0, none, 1), 0);
    while (sent < 256)
        sent += send_for(1);
    while (back < sent) {
        ck_assert_msg(rte_rdtsc() < deadline,
                      "sent %llu, %llu came back in 10 s (link_down %llu, tx_full %llu)",
                      (unsigned long long)sent, (unsigned long long)back,
                      (unsigned long long)e2e_dp_counter(dp, "link_down"),
                      (unsigned long long)e2e_dp_counter(dp, "tx_full"));
        struct rte_mbuf *m[32];
        uint16_t n = rte_eth_rx_burst(client, 0, m, 32);
        back += n;
        rte_pktmbuf_free_bulk(m, n);
        if (!n)
            rte_delay_us_sleep(100);
    }
    ck_assert_uint_eq(e2e_dp_counter(dp, "link_down"), 0);
    stop();
}
END_TEST

/* The worker's first packets from and to a new peer touch every page of
 * the peer's rings and buffers the server mapped (the peer's memory:
 * memif's client makes the regions): none of those touches may fault.
 * The packets go back out of the port they came in by, so the worker
 * writes into every buffer of the ring towards the client (1,024 slots
 * of 2 KiB: 512 pages, each a write fault without the fix). Not under
 * ASan (its shadow of a new mapping faults in as it is checked). */
START_TEST(a_new_peer_s_memory_costs_the_worker_no_page_fault)
{
    start("net_memif_flt", "output:IN_PORT");
    connect_client(0);
    long before = dp_test_worker_page_faults();
    uint64_t back = 0, sent = 0, deadline = rte_rdtsc() + rte_get_tsc_hz() * 10;
    while (back < 4 * 1024) {
        ck_assert_msg(rte_rdtsc() < deadline, "sent %llu, %llu came back in 10 s",
                      (unsigned long long)sent, (unsigned long long)back);
        sent += send_for(20);
        struct rte_mbuf *m[32];
        for (uint16_t n; (n = rte_eth_rx_burst(client, 0, m, 32));) {
            back += n;
            rte_pktmbuf_free_bulk(m, n);
        }
    }
    long faults = dp_test_worker_page_faults() - before;
    if (!TEST_ASAN)
        ck_assert_msg(faults <= 16, "%ld page faults in the worker on a new peer's memory", faults);
    stop();
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("memif_peer");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_new_peer_s_memory_costs_the_worker_no_page_fault);
    tcase_add_test(tc, a_new_peer_s_first_packets_go_out);
    tcase_add_test(tc, peer_disconnects_under_load);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0-1")
