/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Forwarding benchmark: in_port=1 -> output:2 between two net_ring ports,
 * one worker lcore, the generator on the main lcore. The generator keeps
 * port 1's RX ring full and recycles what port 2 transmits, so the worker
 * never waits; the numbers come from the dataplane's own pmd stats
 * (dp_worker_stats), like ovs-appctl dpif-netdev/pmd-stats-show:
 *
 *   bench_dp_fwd [seconds [flows [l3|routes]]] [EAL options]
 *   (default: 3 s, 1 flow, -l 0-1 --no-huge)
 *
 * flows: UDP source ports 1..flows in turn, each packet its own flow when
 * flows >= 2048 (the packets in flight), all cached (the EMC's hits).
 * l3: a router's actions instead of the output alone (set_field eth_src,
 * set_field eth_dst, dec_ttl, output:2; tools/bench's scenario 3).
 * routes: those actions on 1,000 /32 routes (10.0.0.0 up), flow f going to
 * route f % 1000 from source 198.18.0.0 + f / 1000, flows up to 16M (each
 * recycled packet is given the next flow: scenario 3b's traffic).
 * vlan: routes that also push a VLAN tag (push_vlan:0x8100, set_field
 * vlan_vid=100, before the output: scenario 4's composed program).
 *
 * With one lcore (-l 0) the dataplane runs inline: one thread polls and
 * recycles in turn, the same instructions every run, for counting them
 * (BENCH_ROUNDS=N: N rounds of the generator for the warm-up and N for
 * the measured part instead of times; two runs with different N give the
 * instructions per packet as their difference over the packets'):
 *   BENCH_ROUNDS=20000 valgrind --tool=callgrind --toggle-collect=dp_worker_poll \
 *       bench_dp_fwd 1 -l 0 --no-huge ...
 *
 * Packets go through the worker's flow cache: "walk" is what a miss costs
 * (a pipeline walk and an install), "fast path" is the whole per-packet
 * cost including RX, parse, cache lookup, execution and TX.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_control.h"
#include "ft_action.h"
#include "ft_match.h"
#include "ft_pipeline.h"

#define N_PKTS 2048

static struct rte_ring *
ring(const char *name)
{
    struct rte_ring *r = rte_ring_create(name, 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (!r) {
        fprintf(stderr, "ring %s failed\n", name);
        exit(1);
    }
    return r;
}

#define N_ROUTES 1000

static void
add_flow(struct ft_pipeline *p, bool l3, bool vlan, int route)
{
    struct ft_flow_mod fm;
    memset(&fm, 0, sizeof fm);
    fm.command = FT_FC_ADD;
    fm.priority = 100;
    fm.out_port = FT_PORT_ANY;
    fm.out_group = FT_GROUP_ANY;
    char spec[64] = "in_port=1";
    if (route >= 0)
        snprintf(spec, sizeof spec, "ip,nw_dst=10.0.%d.%d", route >> 8, route & 255);
    if (ft_match_parse(&fm.match, spec, NULL) != FT_OK)
        exit(1);
    struct ft_insts *in = ft_insts_new(l3 ? 6 : 1, 0);
    in->present = FT_INST_BIT(FT_IT_APPLY_ACTIONS);
    unsigned n = 0;
    if (l3) {
        static const uint8_t src[6] = {2, 0xaa, 0, 0, 0, 1}, dst[6] = {2, 0xbb, 0, 0, 0, 2};
        in->actions[n] = (struct ft_action){.type = FT_AT_SET_FIELD, .field = FT_F_ETH_SRC};
        memcpy(in->actions[n++].value.bytes, src, 6);
        in->actions[n] = (struct ft_action){.type = FT_AT_SET_FIELD, .field = FT_F_ETH_DST};
        memcpy(in->actions[n++].value.bytes, dst, 6);
        in->actions[n++] = (struct ft_action){.type = FT_AT_DEC_NW_TTL};
    }
    if (vlan) {
        in->actions[n++] = (struct ft_action){.type = FT_AT_PUSH_VLAN, .ethertype = 0x8100};
        in->actions[n] = (struct ft_action){.type = FT_AT_SET_FIELD, .field = FT_F_VLAN_VID};
        in->actions[n++].value.u64 = 0x1000 | 100;
    }
    in->actions[n] = (struct ft_action){.type = FT_AT_OUTPUT, .arg = 2};
    fm.insts = in;
    if (ft_pipeline_flow_mod(p, &fm, 0) != FT_OK)
        exit(1);
    free(in);
}

int
main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    unsigned flows = 1;
    if (argc > 2 && argv[2][0] != '-') {
        flows = (unsigned)atoi(argv[2]);
        if (flows < 1 || flows > (1u << 24)) {
            fprintf(stderr, "flows: 1 to 16777216\n");
            return 1;
        }
        argv[2] = argv[1]; /* The EAL options follow. */
        argv++;
        argc--;
    }
    bool l3 = false, routes = false, vlan = false;
    if (argc > 2 &&
        (!strcmp(argv[2], "l3") || !strcmp(argv[2], "routes") || !strcmp(argv[2], "vlan"))) {
        l3 = true;
        vlan = !strcmp(argv[2], "vlan");
        routes = vlan || !strcmp(argv[2], "routes");
        argv[2] = argv[1];
        argv++;
        argc--;
    }
    char prefix[64];
    snprintf(prefix, sizeof prefix, "--file-prefix=ofs-bench-%ld", (long)getpid());
    char *def[] = {"bench",
                   "-l",
                   "0-1",
                   "--no-huge",
                   "-m",
                   "512",
                   "--no-pci",
                   "--no-shconf",
                   "--no-telemetry",
                   prefix,
                   "--log-level=warning"};
    int eal_argc = argc > 2 ? argc - 1 : (int)(sizeof def / sizeof def[0]);
    char **eal_argv = argc > 2 ? argv + 1 : def;
    if (rte_eal_init(eal_argc, eal_argv) < 0)
        return 1;

    struct rte_ring *rx1 = ring("b_rx1"), *rx2 = ring("b_rx2");
    struct rte_ring *tx1[2] = {ring("b_tx1a"), ring("b_tx1b")};
    struct rte_ring *tx2[2] = {ring("b_tx2a"), ring("b_tx2b")};
    if (rte_eth_from_rings("b1", &rx1, 1, tx1, 2, SOCKET_ID_ANY) < 0 ||
        rte_eth_from_rings("b2", &rx2, 1, tx2, 2, SOCKET_ID_ANY) < 0)
        return 1;

    struct dp_config cfg;
    dp_config_default(&cfg);
    cfg.n_mbufs = 8191;
    cfg.rxq = 1;
    struct dp *dp;
    char err[256];
    if (dp_create(&cfg, &dp, err, sizeof err)) {
        fprintf(stderr, "dp_create: %s\n", err);
        return 1;
    }
    bool inline_poll = dp_inline(dp);
    if (dp_port_add(dp, 1, "net_ring_b1", err, sizeof err) ||
        dp_port_add(dp, 2, "net_ring_b2", err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (!routes && flows > 65535) {
        fprintf(stderr, "flows: over 65,535 only with routes\n");
        return 1;
    }
    for (int r = 0; r < (routes ? N_ROUTES : 1); r++)
        add_flow(dp_pipeline(dp), l3, vlan, routes ? r : -1);
    dp_commit(dp);

    struct rte_mempool *pool =
        rte_pktmbuf_pool_create("b_pool", N_PKTS + 512, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    static const uint8_t frame[60] = {
        0x02, 0, 0,  0,  0, 0x0b, 0x02, 0, 0, 0, 0,  0x0a, 0x08, 0x00, 0x45, 0,    0, 46, 0, 0,
        0,    0, 64, 17, 0, 0,    10,   0, 0, 1, 10, 0,    0,    2,    0x13, 0x88, 0, 53, 0, 26,
    };
    for (int i = 0; i < N_PKTS; i++) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
        uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, sizeof frame);
        memcpy(d, frame, sizeof frame);
        uint16_t sport = (uint16_t)(1 + (unsigned)i % flows);
        d[34] = (uint8_t)(sport >> 8);
        d[35] = (uint8_t)sport;
        rte_ring_enqueue(rx1, m);
    }

    /* Recycle what comes out of port 2 into port 1. */
    uint64_t hz = rte_get_tsc_hz();
    unsigned next_flow = 0;
    /* BENCH_ROUNDS=N: N generator rounds per phase instead of a time (the
     * same work every run, for counting instructions). */
    const char *rounds_env = getenv("BENCH_ROUNDS");
    long rounds = rounds_env ? atol(rounds_env) : 0;
    for (int phase = 0; phase < 2; phase++) {
        uint64_t end = rte_rdtsc() + (uint64_t)((phase ? seconds : 0.5) * (double)hz);
        for (long round = 0; rounds ? round < rounds : rte_rdtsc() < end; round++) {
            if (inline_poll)
                dp_poll(dp);
            void *ms[64];
            for (int q = 0; q < 2; q++) {
                unsigned n = rte_ring_dequeue_burst(tx2[q], ms, 64, NULL);
                /* dec_ttl would reach 1 (a packet-in) after 63 rounds. */
                for (unsigned i = 0; l3 && i < n; i++) {
                    if (vlan) { /* Off with the tag the flow pushed. */
                        uint8_t *t = rte_pktmbuf_mtod((struct rte_mbuf *)ms[i], uint8_t *);
                        memmove(t + 4, t, 12);
                        rte_pktmbuf_adj(ms[i], 4);
                    }
                    uint8_t *d = rte_pktmbuf_mtod((struct rte_mbuf *)ms[i], uint8_t *);
                    d[22] = 64;
                    if (routes) {
                        uint32_t src = 0xc6120000u + next_flow / N_ROUTES;
                        uint32_t dst = 0x0a000000u + next_flow % N_ROUTES;
                        for (int b = 0; b < 4; b++) {
                            d[26 + b] = (uint8_t)(src >> (24 - 8 * b));
                            d[30 + b] = (uint8_t)(dst >> (24 - 8 * b));
                        }
                        d[34] = 0x13; /* The template's source port: the flow is f alone. */
                        d[35] = 0x88;
                        next_flow = next_flow + 1 == flows ? 0 : next_flow + 1;
                    }
                }
                if (n)
                    rte_ring_enqueue_bulk(rx1, ms, n, NULL);
            }
        }
        if (!phase)
            dp_worker_stats_clear(dp); /* Warm-up done. */
    }
    struct dp_worker_stats ws;
    dp_worker_stats(dp, &ws, 1);
    double pkts = (double)ws.packets;
    printf("%s -> %soutput:2, %u flow%s, net_ring, 1 worker (lcore %u%s), %.1f s:\n",
           routes ? "1,000 /32 routes" : "in_port=1",
           vlan ? "set eth_src, eth_dst, dec_ttl, push_vlan, set vlan_vid, "
           : l3 ? "set eth_src, eth_dst, dec_ttl, "
                : "",
           flows, flows > 1 ? "s" : "", ws.lcore, inline_poll ? ", inline with the generator" : "",
           seconds);
    printf("  %.0f packets, %.2f Mpps, %.0f%% busy, %.0f%% EMC hits\n", pkts, pkts / seconds / 1e6,
           100.0 * (double)ws.busy_cycles / (double)(ws.busy_cycles + ws.idle_cycles),
           100.0 * (double)ws.emc_hits / pkts);
    printf("  fast path: %.0f cycles/packet (busy cycles / packets)\n",
           (double)ws.busy_cycles / pkts);
    printf("  walk:      %.0f cycles/packet (%llu pipeline walks)\n",
           (double)ws.miss_cycles / (double)ws.misses, (unsigned long long)ws.misses);
    printf("  drops: %llu\n", (unsigned long long)ws.drops);

    dp_destroy(dp);
    rte_vdev_uninit("net_ring_b1");
    rte_vdev_uninit("net_ring_b2");
    struct rte_ring *rings[] = {rx1, rx2, tx1[0], tx1[1], tx2[0], tx2[1]};
    for (size_t i = 0; i < 6; i++) {
        void *m = NULL;
        while (!rte_ring_dequeue(rings[i], &m))
            rte_pktmbuf_free(m);
        rte_ring_free(rings[i]);
    }
    rte_mempool_free(pool);
    char dir[256];
    snprintf(dir, sizeof dir, "%s", rte_eal_get_runtime_dir());
    rte_eal_cleanup();
    rmdir(dir);
    return 0;
}
