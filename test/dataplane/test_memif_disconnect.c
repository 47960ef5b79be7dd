/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A memif peer that goes away while a worker receives from it. DPDK
 * 22.11's memif unmaps the port's shared memory from the EAL interrupt
 * thread as the peer disconnects, with no regard for a worker inside
 * rx_burst on it: the worker died of SIGSEGV (ofswitch, about 1 in 150
 * peer kills under load). dp_unmap_guard.c makes that unmapping wait for
 * the polls under way.
 *
 * One process, one worker (EAL -l 0-1): port 1 is a memif server the
 * dataplane polls, port 2 a null sink; the test's own memif client
 * connects, sends as fast as it can, and disconnects (device stop), round
 * after round. A crash ends the executable (the test fails); after the
 * rounds the switch still forwards.
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
static char dir[] = "/tmp/memif-disc-XXXXXX";
static char sock[PATH_MAX];
static uint16_t client = UINT16_MAX;

static void
stop(void)
{
    if (client != UINT16_MAX) {
        rte_eth_dev_stop(client);
        rte_eth_dev_close(client);
        rte_vdev_uninit("net_memif_disc_cl");
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

START_TEST(peer_disconnects_under_load)
{
    dp_test_cleanup = stop;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sock, sizeof sock, "%s/m.sock", dir);
    struct dp_config cfg;
    dp_config_default(&cfg);
    cfg.n_mbufs = 4095;
    cfg.pin_ring_size = 64;
    cfg.l2_entries = 64;
    cfg.cache.max_entries = 1024;
    char err[256] = "", dev[PATH_MAX + 96];
    ck_assert_msg(dp_create(&cfg, &dp, err, sizeof err) == 0, "dp_create: %s", err);
    ck_assert(!dp_inline(dp));
    snprintf(dev, sizeof dev, "net_memif_disc_sv,role=server,id=0,socket=%s,socket-abstract=no",
             sock);
    ck_assert_msg(dp_port_add(dp, 1, dev, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(dp_port_add(dp, 2, "net_null_disc", err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(tu_add(dp_pipeline(dp), "table=0,priority=5,in_port=1", "output:2"), FT_OK);
    ck_assert_int_eq(dp_commit(dp), 0);

    char args[PATH_MAX + 64];
    snprintf(args, sizeof args, "role=client,id=0,socket=%s,socket-abstract=no", sock);
    ck_assert_int_eq(rte_vdev_init("net_memif_disc_cl", args), 0);
    ck_assert_int_eq(rte_eth_dev_get_port_by_name("net_memif_disc_cl", &client), 0);
    struct rte_eth_conf conf = {0};
    ck_assert_int_eq(rte_eth_dev_configure(client, 1, 1, &conf), 0);
    ck_assert_int_eq(rte_eth_rx_queue_setup(client, 0, 512, SOCKET_ID_ANY, NULL, dp_test_pool), 0);
    ck_assert_int_eq(rte_eth_tx_queue_setup(client, 0, 512, SOCKET_ID_ANY, NULL), 0);

    uint64_t rx0 = worker_packets(), sent = 0;
    for (int round = 0; round < ROUNDS; round++) {
        ck_assert_int_eq(rte_eth_dev_start(client), 0);
        uint64_t deadline = rte_rdtsc() + rte_get_tsc_hz() * 10;
        while (!link_up(client)) {
            ck_assert_msg(rte_rdtsc() < deadline, "round %d: no link in 10 s", round);
            rte_delay_us_sleep(100);
        }
        /* The worker is inside rx_burst most of the time now. */
        sent += send_for(500 + (unsigned)(rand() % 1500));
        ck_assert_int_eq(rte_eth_dev_stop(client), 0); /* The server unmaps. */
    }
    uint64_t got = worker_packets() - rx0;
    /* Most of the time inside rx_burst, with packets: */
    ck_assert_msg(got > sent / 2, "sent %llu, the worker received %llu", (unsigned long long)sent,
                  (unsigned long long)got);
    stop();
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("memif_disconnect");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, peer_disconnects_under_load);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0-1")
