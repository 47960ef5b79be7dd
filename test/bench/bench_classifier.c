/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Classifier microbenchmark. Prints, in one run, for 1k / 100k / 1M rules
 * spread over 1 / 16 / 256 distinct masks:
 *   - rule insertion rate (flow mods/s, commit included),
 *   - bytes of heap per rule (mallinfo2 delta / rules),
 *   - lookup ns/packet (the classifier alone) and walk ns/packet (lookup
 *     plus composing the program), half the packets hitting a rule.
 * Usage: bench_classifier [--quick | RULES MASKS]
 *   --quick: 1k and 100k rules only; RULES MASKS: that one configuration.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ft_pipeline.h"
#include "ft_pipeline_int.h"
#include "ft_walk.h"

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd64(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static uint32_t
prefix(unsigned len)
{
    return len ? UINT32_MAX << (32 - len) : 0;
}

/* Mask i of n: IPv4 destination and source prefix lengths vary. */
static void
mask_for(unsigned i, unsigned n_masks, struct ft_match *m)
{
    unsigned dst_len = 32, src_len = 0;
    if (n_masks > 1) {
        dst_len = 32 - (i % 16);
        src_len = n_masks > 16 ? 32 - (i / 16) : 0;
    }
    ft_match_init_catchall(m);
    m->mask.eth_type = 0xffff;
    m->key.eth_type = 0x0800;
    m->mask.ipv4_dst = prefix(dst_len);
    m->mask.ipv4_src = prefix(src_len);
}

struct bench_rule {
    uint32_t dst, src;
    unsigned mask;
};

static size_t
heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static void
run(size_t n_rules, unsigned n_masks)
{
    struct ft_pipeline_config cfg;
    ft_pipeline_config_default(&cfg);
    cfg.table_capacity = 2000000;
    struct {
        struct bench_rule *r;
    } br = {calloc(n_rules, sizeof(struct bench_rule))};
    struct ft_insts *in = ft_insts_new(1, 0);
    in->present = FT_INST_BIT(FT_IT_APPLY_ACTIONS);
    in->actions[0] = (struct ft_action){.type = FT_AT_OUTPUT, .arg = 1};

    struct ft_pipeline *p = ft_pipeline_create(&cfg);
    size_t heap1 = heap_in_use();
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < n_rules; i++) {
        struct ft_flow_mod fm = {.command = FT_FC_ADD,
                                 .priority = (uint16_t)(rnd64() % 1000),
                                 .out_port = FT_PORT_ANY,
                                 .out_group = FT_GROUP_ANY,
                                 .insts = in};
        unsigned mi = (unsigned)(i % n_masks);
        mask_for(mi, n_masks, &fm.match);
        br.r[i] = (struct bench_rule){(uint32_t)rnd64(), (uint32_t)rnd64(), mi};
        fm.match.key.ipv4_dst = br.r[i].dst & fm.match.mask.ipv4_dst;
        fm.match.key.ipv4_src = br.r[i].src & fm.match.mask.ipv4_src;
        if (ft_pipeline_flow_mod(p, &fm, 0) != FT_OK) {
            fprintf(stderr, "insert failed at %zu\n", i);
            exit(1);
        }
    }
    ft_pipeline_commit(p);
    uint64_t t1 = now_ns();
    ft_pipeline_reclaim(p, ft_pipeline_version(p));
    size_t heap2 = heap_in_use();

    /* Packets: half derived from a rule (they hit), half random. */
    enum { N_KEYS = 4096 };
    static struct ft_key keys[N_KEYS];
    for (int i = 0; i < N_KEYS; i++) {
        ft_key_zero(&keys[i]);
        keys[i].eth_type = 0x0800;
        keys[i].ipv4_dst = (uint32_t)rnd64();
        keys[i].ipv4_src = (uint32_t)rnd64();
        if (i & 1) {
            const struct bench_rule *r = &br.r[rnd64() % n_rules];
            keys[i].ipv4_dst = r->dst;
            keys[i].ipv4_src = r->src;
        }
    }
    uint64_t v = ft_pipeline_version(p);
    size_t n_lookups = n_masks >= 256 ? 100000 : 1000000;
    const struct ft_table *t = &p->tables[0]; /* The classifier alone. */
    struct ft_key probed;
    size_t hits = 0;
    uint64_t t2 = now_ns();
    for (size_t i = 0; i < n_lookups; i++) {
        ft_key_zero(&probed);
        hits += ft_cls_lookup(t, v, &keys[i % N_KEYS], &probed) != NULL;
    }
    uint64_t t3 = now_ns();
    static struct ft_walk_out out;
    for (size_t i = 0; i < n_lookups; i++)
        ft_walk(p, v, &keys[i % N_KEYS], &out);
    uint64_t t4 = now_ns();

    printf("%9zu %6u %12.0f %10.0f %10.1f %10.1f %6.0f%%\n", n_rules, n_masks,
           n_rules / ((t1 - t0) / 1e9), (double)(heap2 - heap1) / (double)n_rules,
           (double)(t3 - t2) / (double)n_lookups, (double)(t4 - t3) / (double)n_lookups,
           100.0 * (double)hits / (double)n_lookups);
    ft_pipeline_destroy(p);
    free(in);
    free(br.r);
}

int
main(int argc, char **argv)
{
    bool quick = argc > 1 && !strcmp(argv[1], "--quick");
    if (argc == 3) {
        run(strtoul(argv[1], NULL, 0), (unsigned)strtoul(argv[2], NULL, 0));
        return 0;
    }
    printf("classifier benchmark (one table, random priorities, IPv4 src/dst prefixes)\n");
    printf("%9s %6s %12s %10s %10s %10s %7s\n", "rules", "masks", "inserts/s", "bytes/rule",
           "lookup ns", "walk ns", "hits");
    size_t sizes[] = {1000, 100000, 1000000};
    unsigned masks[] = {1, 16, 256};
    for (size_t s = 0; s < (quick ? 2u : 3u); s++)
        for (size_t m = 0; m < 3; m++)
            run(sizes[s], masks[m]);
    return 0;
}
