/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flow cache benchmark. Prints, in one run:
 *   1. ns/packet and Mlookups/s: EMC hit; cache hit with 1, 16, 256 and
 *      1,000 masks (whole cache, and the megaflow subtables alone);
 *      miss + install;
 *   2. invalidation cost per flow mod with 100k cached entries;
 *   3. hit rate and entries used for 10k / 100k / 1M active flows over a
 *      4-table pipeline (ACL -> L2 -> L3 -> egress).
 * Usage: bench_cache [--quick]   (--quick skips the 1M-flow run)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ft_alloc.h"
#include "ft_cache.h"
#include "ft_group.h"
#include "ft_pipeline.h"

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static struct ft_insts *
insts_output(uint32_t port)
{
    struct ft_insts *in = ft_insts_new(1, 0);
    in->present = FT_INST_BIT(FT_IT_APPLY_ACTIONS);
    in->actions[0] = (struct ft_action){.type = FT_AT_OUTPUT, .arg = port};
    return in;
}

static struct ft_insts *
insts_goto(uint8_t table)
{
    struct ft_insts *in = ft_insts_new(0, 0);
    in->present = FT_INST_BIT(FT_IT_GOTO_TABLE);
    in->goto_table = table;
    return in;
}

static void
add(struct ft_pipeline *p, uint8_t table, uint16_t prio, const struct ft_match *m,
    struct ft_insts *in)
{
    struct ft_flow_mod fm = {.command = FT_FC_ADD,
                             .table_id = table,
                             .priority = prio,
                             .out_port = FT_PORT_ANY,
                             .out_group = FT_GROUP_ANY,
                             .match = *m,
                             .insts = in};
    enum ft_err err = ft_pipeline_flow_mod(p, &fm, 0);
    if (err) {
        fprintf(stderr, "flow mod: %s\n", ft_err_name(err));
        exit(1);
    }
    free(in);
}

/* Look keys up in bursts; returns ns per packet. */
static double
run_lookups(struct ft_cache *c, struct ft_key *keys, size_t n_keys, size_t n)
{
    const struct ft_key *burst[FT_CACHE_BURST];
    uint32_t lens[FT_CACHE_BURST];
    struct ft_cache_result res[FT_CACHE_BURST];
    for (int i = 0; i < FT_CACHE_BURST; i++)
        lens[i] = 64;
    uint64_t t0 = now_ns();
    for (size_t done = 0; done < n; done += FT_CACHE_BURST) {
        for (int i = 0; i < FT_CACHE_BURST; i++)
            burst[i] = &keys[(done + (size_t)i) % n_keys];
        ft_cache_lookup(c, burst, lens, FT_CACHE_BURST, res, done);
    }
    return (double)(now_ns() - t0) / (double)n;
}

/* Two tables whose stop points multiply: a x b megaflow masks. */
static struct ft_pipeline *
masks_pipeline(unsigned a, unsigned b)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    for (unsigned i = 0; i < a; i++) {
        struct ft_match m;
        ft_match_init_catchall(&m);
        m.mask.eth_type = 0xffff, m.key.eth_type = 0x0800;
        m.mask.ip_proto = 0xff, m.key.ip_proto = 6;
        m.mask.tp_src = 0xffff, m.key.tp_src = (uint16_t)i;
        m.mask.ipv4_src = UINT32_MAX << (31 - i);
        add(p, 0, (uint16_t)(1000 - i), &m, insts_goto(1));
    }
    for (unsigned j = 0; j < b; j++) {
        struct ft_match m;
        ft_match_init_catchall(&m);
        m.mask.eth_type = 0xffff, m.key.eth_type = 0x0800;
        m.mask.ip_proto = 0xff, m.key.ip_proto = 6;
        m.mask.tp_dst = 0xffff, m.key.tp_dst = (uint16_t)j;
        m.mask.ipv4_dst = UINT32_MAX << (31 - j);
        add(p, 1, (uint16_t)(1000 - j), &m, insts_output(1 + j % 4));
    }
    ft_pipeline_commit(p);
    return p;
}

static void
bench_masks(unsigned a, unsigned b)
{
    struct ft_pipeline *p = masks_pipeline(a, b);
    enum { N_KEYS = 8192 };
    static struct ft_key keys[N_KEYS];
    for (int i = 0; i < N_KEYS; i++) {
        ft_key_zero(&keys[i]);
        keys[i].eth_type = 0x0800;
        keys[i].ip_proto = 6;
        keys[i].tp_src = (uint16_t)(rnd() % a);
        keys[i].tp_dst = (uint16_t)(rnd() % b);
        keys[i].eth_src[5] = (uint8_t)i, keys[i].eth_src[4] = (uint8_t)(i >> 8);
    }
    double ns[2];
    unsigned masks = 0;
    for (int mode = 0; mode < 2; mode++) {
        struct ft_cache_config cfg;
        ft_cache_config_default(&cfg);
        cfg.emc_entries = 0;  /* Hits here are wildcard-cache hits. */
        cfg.max_masks = 2048; /* Measure the masks, do not merge them. */
        if (mode == 1)
            cfg.sig_buckets = 0; /* The subtables alone. */
        struct ft_cache *c = ft_cache_create(p, &cfg);
        run_lookups(c, keys, N_KEYS, 4 * N_KEYS); /* Warm up: install. */
        ns[mode] = run_lookups(c, keys, N_KEYS, 2000000);
        struct ft_cache_stats st;
        ft_cache_stats(c, &st);
        masks = st.masks;
        ft_cache_destroy(c, 0);
    }
    printf("  cache hit, %4u masks        %8.1f ns  %6.1f Mlookups/s   (subtables alone: %8.1f "
           "ns)\n",
           masks, ns[0], 1000.0 / ns[0], ns[1]);
    ft_pipeline_destroy(p);
}

/* Scenario 5 of tools/bench: two stages of 32 masks, 102,400 flows,
 * looked up `burst` at a time (1: one packet a poll, the latency runs;
 * 32: full speed). The first pass is the cache filling (a flow's first
 * packet finds no signature and probes the subtables); the others, the
 * steady state. */
static void
bench_staged_flows(unsigned burst, bool staged)
{
    struct ft_pipeline *p = masks_pipeline(32, 32);
    enum { N_FLOWS = 102400 };
    static struct ft_key keys[N_FLOWS];
    static const struct ft_key *kp[N_FLOWS];
    static uint32_t lens[FT_CACHE_BURST];
    static struct ft_cache_result res[FT_CACHE_BURST];
    for (uint32_t i = 0; i < N_FLOWS; i++) {
        ft_key_zero(&keys[i]);
        keys[i].eth_type = 0x0800;
        keys[i].ip_proto = 6;
        keys[i].tp_src = (uint16_t)(i % 32);
        keys[i].tp_dst = (uint16_t)(i / 32 % 32);
        keys[i].eth_src[5] = (uint8_t)(i / 1024);
        kp[i] = &keys[i];
    }
    for (unsigned i = 0; i < FT_CACHE_BURST; i++)
        lens[i] = 64;
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    if (staged)
        cfg.stages.starts[0] = 1u << 1;
    ft_alloc_keep();
    ft_alloc_warm(ft_cache_fill_bytes(&cfg));
    struct ft_cache *c = ft_cache_create(p, &cfg);
    for (int pass = 0; pass < 3; pass++) {
        struct ft_cache_stats st0, st;
        ft_cache_stats(c, &st0);
        uint64_t t0 = now_ns();
        for (uint32_t i = 0; i < N_FLOWS; i += burst)
            ft_cache_lookup(c, &kp[i], lens, burst, res, t0);
        double ns = (double)(now_ns() - t0) / N_FLOWS;
        ft_cache_stats(c, &st);
        uint64_t mf = st.megaflow_hits - st0.megaflow_hits;
        printf("  %s 2 x 32 masks, %s: %7.1f ns a packet, %.1f subtable probes a "
               "megaflow lookup, %llu signature hits, %llu misses\n",
               staged ? "staged   " : "one stage", pass ? "again     " : "first pass", ns,
               mf ? (double)(st.subtable_probes - st0.subtable_probes) / (double)mf : 0.0,
               (unsigned long long)(st.sig_hits - st0.sig_hits),
               (unsigned long long)(st.misses - st0.misses));
    }
    /* A change of stages flushes the worker's cache while its traffic
     * waits: the flush's cost is the worker's stall. */
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    struct ft_walk_stages other;
    memset(&other, 0, sizeof other);
    if (!staged)
        other.starts[0] = 1u << 1;
    uint64_t t0 = now_ns();
    ft_cache_set_stages(c, &other, t0);
    printf("  %s fold and flush of %u entries (%u max): %.1f us\n",
           staged ? "staged   " : "one stage", st.entries, cfg.max_entries,
           (double)(now_ns() - t0) / 1000.0);
    ft_cache_destroy(c, 0);
    ft_pipeline_destroy(p);
}

static void
bench_emc_and_miss(void)
{
    struct ft_pipeline *p = masks_pipeline(4, 4);
    enum { N_KEYS = 1024 };
    static struct ft_key keys[N_KEYS];
    for (int i = 0; i < N_KEYS; i++) {
        ft_key_zero(&keys[i]);
        keys[i].eth_type = 0x0800;
        keys[i].ip_proto = 6;
        keys[i].tp_src = (uint16_t)(i % 4);
        keys[i].tp_dst = (uint16_t)(i / 4 % 4);
        keys[i].eth_src[5] = (uint8_t)i, keys[i].eth_src[4] = (uint8_t)(i >> 8);
    }
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.emc_insert_inv_prob = 1;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    run_lookups(c, keys, N_KEYS, 8 * N_KEYS);
    double ns = run_lookups(c, keys, N_KEYS, 4000000);
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    printf("  EMC hit                      %8.1f ns  %6.1f Mlookups/s   (%.0f%% EMC)\n", ns,
           1000.0 / ns,
           100.0 * (double)st.emc_hits /
               (double)(st.emc_hits + st.sig_hits + st.megaflow_hits + st.misses));
    ft_cache_destroy(c, 0);

    /* Miss + install: every key new, exact-ish megaflows (nw_dst/32 rules). */
    ft_pipeline_destroy(p);
    p = ft_pipeline_create(NULL);
    enum { N_ROUTES = 100000 };
    for (uint32_t r = 0; r < N_ROUTES; r++) {
        struct ft_match m;
        ft_match_init_catchall(&m);
        m.mask.eth_type = 0xffff, m.key.eth_type = 0x0800;
        m.mask.ipv4_dst = UINT32_MAX, m.key.ipv4_dst = 0x0a000000u + r;
        add(p, 0, 10, &m, insts_output(1 + r % 8));
    }
    ft_pipeline_commit(p);
    ft_cache_config_default(&cfg);
    cfg.max_entries = 1u << 17;
    /* As a worker starts (dp_worker_warm): the fill's memory touched
     * once before, so a miss costs its work, not page faults. */
    ft_alloc_keep();
    ft_alloc_warm(ft_cache_fill_bytes(&cfg));
    c = ft_cache_create(p, &cfg);
    static struct ft_key fresh[N_ROUTES];
    for (uint32_t r = 0; r < N_ROUTES; r++) {
        ft_key_zero(&fresh[r]);
        fresh[r].eth_type = 0x0800;
        fresh[r].ipv4_dst = 0x0a000000u + r;
    }
    ns = run_lookups(c, fresh, N_ROUTES, N_ROUTES);
    ft_cache_stats(c, &st);
    printf("  miss + install               %8.1f ns  %6.2f Mlookups/s   (%llu misses)\n", ns,
           1000.0 / ns, (unsigned long long)st.misses);

    /* Invalidation with 100k entries cached (one per route). */
    uint64_t evicted0 = st.evict_invalidated;
    const int n_mods = 1000;
    uint64_t spent = 0;
    for (int i = 0; i < n_mods; i++) {
        struct ft_match m;
        ft_match_init_catchall(&m);
        m.mask.eth_type = 0xffff, m.key.eth_type = 0x0800;
        m.mask.ipv4_dst = UINT32_MAX, m.key.ipv4_dst = 0x0a000000u + (uint32_t)(rnd() % N_ROUTES);
        struct ft_flow_mod fm = {.command = FT_FC_MODIFY_STRICT,
                                 .priority = 10,
                                 .out_port = FT_PORT_ANY,
                                 .out_group = FT_GROUP_ANY,
                                 .match = m,
                                 .insts = insts_output(7)};
        ft_pipeline_flow_mod(p, &fm, 0);
        free((void *)fm.insts);
        uint64_t v = ft_pipeline_commit(p);
        size_t n;
        const struct ft_change *chg = ft_pipeline_changes(p, &n);
        uint64_t s0 = now_ns();
        ft_cache_sync(c, v, chg, n, false);
        spent += now_ns() - s0;
        ft_pipeline_reclaim(p, v);
    }
    ft_cache_stats(c, &st);
    printf("  invalidation, modify of one of 100k routes: %7.1f us/flow mod, %.2f entries "
           "evicted each\n",
           (double)spent / n_mods / 1000.0, (double)(st.evict_invalidated - evicted0) / n_mods);

    /* Adding a more specific rule in the same table: the worst case scans
     * every visitor of the table that matched at or below its priority. */
    evicted0 = st.evict_invalidated;
    spent = 0;
    for (int i = 0; i < 100; i++) {
        struct ft_match m;
        ft_match_init_catchall(&m);
        m.mask.eth_type = 0xffff, m.key.eth_type = 0x0800;
        m.mask.ipv4_dst = UINT32_MAX, m.key.ipv4_dst = 0x0b000000u + (uint32_t)i;
        add(p, 0, 10, &m, insts_output(3));
        uint64_t v = ft_pipeline_commit(p);
        size_t n;
        const struct ft_change *chg = ft_pipeline_changes(p, &n);
        uint64_t s0 = now_ns();
        ft_cache_sync(c, v, chg, n, false);
        spent += now_ns() - s0;
        ft_pipeline_reclaim(p, v);
    }
    ft_cache_stats(c, &st);
    printf("  invalidation, add of a route beside 100k:   %7.1f us/flow mod, %.2f entries "
           "evicted each\n",
           (double)spent / 100 / 1000.0, (double)(st.evict_invalidated - evicted0) / 100);
    ft_cache_destroy(c, 0);
    ft_pipeline_destroy(p);
}

/* ACL (1k wildcard rules) -> L2 (MAC) -> L3 (routes) -> egress (VLAN push). */
static struct ft_pipeline *
four_table_pipeline(void)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    for (unsigned i = 0; i < 1000; i++) { /* ACL: drop some sources/ports. */
        struct ft_match m;
        ft_match_init_catchall(&m);
        m.mask.eth_type = 0xffff, m.key.eth_type = 0x0800;
        m.mask.ip_proto = 0xff, m.key.ip_proto = 6;
        m.mask.tp_dst = 0xffff, m.key.tp_dst = (uint16_t)(20000 + i);
        m.mask.ipv4_src = 0xffffff00u, m.key.ipv4_src = 0xc0a80000u + (i << 8);
        add(p, 0, 100, &m, ft_insts_new(0, 0));
    }
    struct ft_match all;
    ft_match_init_catchall(&all);
    add(p, 0, 0, &all, insts_goto(1));
    for (unsigned mac = 0; mac < 256; mac++) { /* L2: our router MACs and hosts. */
        struct ft_match m;
        ft_match_init_catchall(&m);
        memset(m.mask.eth_dst, 0xff, 6);
        m.key.eth_dst[0] = 0x02, m.key.eth_dst[5] = (uint8_t)mac;
        add(p, 1, 10, &m, insts_goto(2));
    }
    add(p, 1, 0, &all, ft_insts_new(0, 0));
    for (uint32_t r = 0; r < 20000; r++) { /* L3: /32 hosts... */
        struct ft_match m;
        ft_match_init_catchall(&m);
        m.mask.eth_type = 0xffff, m.key.eth_type = 0x0800;
        m.mask.ipv4_dst = UINT32_MAX, m.key.ipv4_dst = 0x0a000000u + r;
        struct ft_insts *in = ft_insts_new(1, 0);
        in->present = FT_INST_BIT(FT_IT_WRITE_METADATA) | FT_INST_BIT(FT_IT_GOTO_TABLE) |
                      FT_INST_BIT(FT_IT_APPLY_ACTIONS);
        in->actions[0] = (struct ft_action){.type = FT_AT_DEC_NW_TTL};
        in->metadata = 1 + r % 16, in->metadata_mask = 0xff, in->goto_table = 3;
        add(p, 2, 32, &m, in);
    }
    for (uint32_t r = 0; r < 1000; r++) { /* ...and 1k /24 prefixes. */
        struct ft_match m;
        ft_match_init_catchall(&m);
        m.mask.eth_type = 0xffff, m.key.eth_type = 0x0800;
        m.mask.ipv4_dst = 0xffffff00u, m.key.ipv4_dst = 0x14000000u + (r << 8);
        struct ft_insts *in = ft_insts_new(0, 0);
        in->present = FT_INST_BIT(FT_IT_WRITE_METADATA) | FT_INST_BIT(FT_IT_GOTO_TABLE);
        in->metadata = 1 + r % 16, in->metadata_mask = 0xff, in->goto_table = 3;
        add(p, 2, 24, &m, in);
    }
    for (uint64_t port = 1; port <= 16; port++) { /* Egress: tag and send. */
        struct ft_match m;
        ft_match_init_catchall(&m);
        m.mask.metadata = 0xff, m.key.metadata = port;
        struct ft_insts *in = ft_insts_new(3, 0);
        in->present = FT_INST_BIT(FT_IT_APPLY_ACTIONS);
        in->actions[0] = (struct ft_action){.type = FT_AT_PUSH_VLAN, .ethertype = 0x8100};
        in->actions[1] = (struct ft_action){.type = FT_AT_SET_FIELD,
                                            .field = FT_F_VLAN_VID,
                                            .value.u16 = (uint16_t)(0x1000 | port)};
        in->actions[2] = (struct ft_action){.type = FT_AT_OUTPUT, .arg = (uint32_t)port};
        add(p, 3, 10, &m, in);
    }
    ft_pipeline_commit(p);
    return p;
}

static size_t
heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static void
bench_flows(struct ft_pipeline *p, size_t n_flows, uint32_t max_entries, bool emc)
{
    struct ft_key *keys = calloc(n_flows, sizeof *keys);
    for (size_t i = 0; i < n_flows; i++) {
        struct ft_key *k = &keys[i];
        k->in_port = 1 + (uint32_t)(rnd() % 4);
        k->eth_type = 0x0800;
        k->eth_dst[0] = 0x02, k->eth_dst[5] = (uint8_t)(rnd() % 256);
        k->eth_src[0] = 0x04, k->eth_src[5] = (uint8_t)i;
        k->ip_proto = 6;
        k->ipv4_src = 0xc0a80000u + (uint32_t)(rnd() % 65536);
        k->ipv4_dst = rnd() % 2 ? 0x0a000000u + (uint32_t)(rnd() % 20000)
                                : 0x14000000u + (uint32_t)(rnd() % (1000 << 8));
        k->tp_src = (uint16_t)(1024 + rnd() % 60000);
        k->tp_dst = (uint16_t)(rnd() % 4 ? 80 + rnd() % 4 : 20000 + rnd() % 2000);
    }
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.max_entries = max_entries;
    if (!emc)
        cfg.emc_entries = 0;
    size_t heap0 = heap_in_use();
    struct ft_cache *c = ft_cache_create(p, &cfg);
    /* Every flow sends a packet in turn (the worst order for a cache that
     * is too small), 5 rounds. */
    size_t warm = n_flows, measured = 4 * n_flows;
    run_lookups(c, keys, n_flows, warm - warm % FT_CACHE_BURST);
    struct ft_cache_stats st0, st1;
    ft_cache_stats(c, &st0);
    double ns = run_lookups(c, keys, n_flows, measured - measured % FT_CACHE_BURST);
    ft_cache_stats(c, &st1);
    uint64_t lookups = (st1.emc_hits + st1.sig_hits + st1.megaflow_hits + st1.misses) -
                       (st0.emc_hits + st0.sig_hits + st0.megaflow_hits + st0.misses);
    uint64_t misses = st1.misses - st0.misses;
    size_t heap = heap_in_use() - heap0;
    printf("  %8zu flows, %7u max entries, EMC %-3s: hit rate %6.2f%%, %7u entries used, "
           "%3u masks, %6.1f ns/packet, %4.0f MB (%zu B/entry)%s\n",
           n_flows, max_entries,
           !emc              ? "no"
           : st1.emc_enabled ? "on"
                             : "off",
           100.0 - 100.0 * (double)misses / (double)lookups, st1.entries, st1.masks, ns,
           (double)heap / 1e6, st1.entries ? heap / st1.entries : 0,
           st1.thrashing ? " (thrash defense on)" : "");
    ft_cache_destroy(c, 0);
    free(keys);
}

int
main(int argc, char **argv)
{
    bool quick = argc > 1 && !strcmp(argv[1], "--quick");
    printf("flow cache benchmark (one worker, bursts of %d)\n", FT_CACHE_BURST);
    bench_emc_and_miss();
    bench_masks(1, 1);
    bench_masks(4, 4);
    bench_masks(16, 16);
    bench_masks(32, 32);
    printf("one packet a lookup, 102,400 flows:\n");
    bench_staged_flows(1, true);
    bench_staged_flows(1, false);
    printf("bursts of 32, 102,400 flows:\n");
    bench_staged_flows(32, true);
    bench_staged_flows(32, false);
    printf("4-table pipeline (ACL 1k -> L2 256 MACs -> L3 20k /32 + 1k /24 -> egress VLAN):\n");
    struct ft_pipeline *p = four_table_pipeline();
    struct ft_cache_config dflt;
    ft_cache_config_default(&dflt);
    bench_flows(p, 10000, dflt.max_entries, true);
    bench_flows(p, 100000, dflt.max_entries, true);
    if (!quick) {
        bench_flows(p, 1000000, dflt.max_entries, true);
        bench_flows(p, 1000000, 1u << 20, true);
        bench_flows(p, 1000000, 1u << 20, false); /* The EMC must not cost here. */
    }
    ft_pipeline_destroy(p);
    return 0;
}
