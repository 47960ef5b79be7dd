/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow cache: a differential test against fresh walks under random
 * pipeline churn, exact counters after a fold, bounded masks under mask
 * explosion, invalidation precision and idle expiry.
 */
#include <errno.h>

#include "cache_check.h"
#include "check_main.h"
#include "ft_alloc.h"
#include "ft_cache.h"
#include "ft_random.h"
#include "ft_test_util.h"

static void
sync(struct ft_pipeline *p, struct ft_cache *c)
{
    uint64_t v = ft_pipeline_commit(p);
    if (v != ft_cache_version(c)) {
        size_t n;
        const struct ft_change *chg = ft_pipeline_changes(p, &n);
        ft_cache_sync(c, v, chg, n, ft_pipeline_changes_lost(p));
    }
    /* The cache is the only reader and is at v: reclaim may run. */
    ft_pipeline_reclaim(p, v);
}

static void
settle(struct ft_pipeline *p, struct ft_cache *c)
{
    for (int i = 0; i < 4; i++)
        sync(p, c);
}

static struct ft_cache_result
lookup1(struct ft_cache *c, const struct ft_key *k, uint32_t len)
{
    struct ft_cache_result r;
    const struct ft_key *keys[1] = {k};
    ft_cache_lookup(c, keys, &len, 1, &r, 1);
    return r;
}

/* One random edit of the pipeline. */
static void
random_edit(struct ft_pipeline *p, uint64_t *s)
{
    switch (rnd(s, 8)) {
    case 0: { /* Flip a port's liveness (FF/select choices). */
        ft_pipeline_port_set(p, 1 + rnd(s, 3), rnd(s, 2), 0);
        break;
    }
    case 1: { /* Modify a group's buckets. */
        struct ft_action a[2];
        ck_assert(tu_action(rnd(s, 2) ? "output:1" : "output:3", &a[0]));
        ck_assert(tu_action("set_field:10.0.7.7->ipv4_dst", &a[1]));
        struct ft_bucket b = {.n_actions = (uint16_t)(1 + rnd(s, 2)),
                              .watch_port = FT_PORT_ANY,
                              .watch_group = FT_GROUP_ANY,
                              .actions = a};
        struct ft_group_mod gm = {.command = FT_GC_MODIFY,
                                  .type = FT_GT_INDIRECT,
                                  .group_id = 4,
                                  .n_buckets = 1,
                                  .buckets = &b};
        ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
        break;
    }
    default: { /* Flow mods of every kind in a random table. */
        static const uint8_t cmds[] = {FT_FC_ADD,          FT_FC_ADD,           FT_FC_ADD,
                                       FT_FC_MODIFY,       FT_FC_MODIFY_STRICT, FT_FC_DELETE,
                                       FT_FC_DELETE_STRICT};
        uint8_t t = (uint8_t)rnd(s, 4);
        struct ft_flow_mod fm = {.command = cmds[rnd(s, sizeof cmds)],
                                 .table_id = t,
                                 .priority = (uint16_t)rnd(s, 10),
                                 .out_port = FT_PORT_ANY,
                                 .out_group = FT_GROUP_ANY};
        rnd_match(s, &fm.match);
        struct ft_insts *in = rnd_insts(s, t);
        fm.insts = in;
        (void)ft_pipeline_flow_mod(p, &fm, 0);
        free(in);
        break;
    }
    }
}

START_TEST(differential_against_fresh_walks)
{
    uint64_t seed = test_seed() + (uint64_t)_i * 15485863, s = seed;
    static struct ft_walk_out fresh;
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    build_pipeline(p, &s);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    /* Small, so that capacity eviction, EMC replacement and mask merging
     * all happen; the EMC inserts every hit. */
    cfg.max_entries = 64 + rnd(&s, 256);
    cfg.max_masks = 4 + rnd(&s, 12);
    cfg.emc_entries = 16;
    cfg.emc_insert_inv_prob = 1 + rnd(&s, 2);
    cfg.sig_buckets = 64;
    cfg.index_after_scan = rnd(&s, 2) ? 0 : 8; /* Tables build key indexes early. */
    if (_i % 2) /* Staged: chains of stage entries must answer as the whole walk. */
        rnd_stages(&s, &cfg.stages);
    struct ft_cache *c = ft_cache_create(p, &cfg);
    ck_assert_ptr_nonnull(c);

    enum { N_FLOWS = 200 };
    static struct ft_key flows[N_FLOWS];
    for (int i = 0; i < N_FLOWS; i++)
        rnd_key(&s, &flows[i]);

    size_t checks = 0;
    for (int round = 0; round < 150; round++) {
        int edits = (int)rnd(&s, 6);
        for (int e = 0; e < edits; e++)
            random_edit(p, &s);
        sync(p, c);
        ck_assert_msg(cc_census_ok(c), "seed %llu round %d: census", (unsigned long long)seed,
                      round);
        for (int i = 0; i < 40; i++, checks++) {
            const struct ft_key *k = &flows[rnd(&s, N_FLOWS)];
            struct ft_cache_result r = lookup1(c, k, 64);
            ft_walk(p, ft_pipeline_version(p), k, &fresh);
            if (!cc_same(c, &r, &fresh)) {
                char a[2048], b[2048];
                cc_format(a, sizeof a, &r);
                ft_program_format(b, sizeof b, fresh.ops, fresh.n_ops);
                ck_abort_msg("seed %llu round %d: cache (source %d) says %s, fresh walk %s",
                             (unsigned long long)seed, round, r.source, a, b);
            }
        }
    }
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    ck_assert_uint_ge(checks, 6000);
    ck_assert_uint_gt(st.evict_invalidated, 0);
    ck_assert_uint_gt(st.emc_hits + st.sig_hits + st.megaflow_hits, checks / 4);
    ck_assert_uint_le(st.masks, cfg.max_masks + 1);
    ck_assert_uint_gt(st.index_builds, 0);
    ft_cache_destroy(c, 2);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

struct ref_counts {
    const struct ft_rule *rule;
    uint64_t packets, bytes;
};

/* Every rule's and table's counters after a fold equal those of fresh
 * walks of the same packets. RUNS: the packets go in bursts of runs
 * (ft_cache_lookup_runs: 1-5 packets of one key, bursts of 1-8 runs),
 * whose tallies must add up to the packets; else one at a time. */
static void
counters_exact(bool runs)
{
    uint64_t s = test_seed();
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    /* Three tables, every packet counted into one rule per table visited. */
    for (unsigned port = 1; port <= 4; port++) {
        char spec[64];
        snprintf(spec, sizeof spec, "table=0,priority=10,ip,in_port=%u", port);
        ck_assert_int_eq(tu_add(p, spec, "goto_table:1"), FT_OK);
    }
    ck_assert_int_eq(tu_add(p, "table=0,priority=0", "output:9"), FT_OK);
    for (unsigned x = 0; x < 8; x++) {
        char spec[64], out[32];
        snprintf(spec, sizeof spec, "table=1,priority=5,ip,nw_dst=10.0.%u.0/24", x);
        snprintf(out, sizeof out, "output:%u", x + 1);
        ck_assert_int_eq(tu_add(p, spec, out), FT_OK);
    }
    ck_assert_int_eq(tu_add(p, "table=1,priority=0", "goto_table:2"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=2,priority=1,tcp", "output:1"), FT_OK);
    ft_pipeline_commit(p);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.max_entries = 8; /* Capacity evictions fold too. */
    struct ft_cache *c = ft_cache_create(p, &cfg);
    static struct ft_walk_out fresh;
    static struct ref_counts ref[4096];
    size_t n_ref = 0;
    uint64_t table_lookups[4] = {0}, packets = 0, tallied = 0;

    for (int i = 0; i < 5000; i++) {
        struct ft_key ks[8];
        const struct ft_key *kp[8];
        uint16_t n_pk[8];
        uint32_t lens[8];
        struct ft_cache_result res[8];
        size_t n = runs ? 1 + rnd(&s, 8) : 1;
        for (size_t j = 0; j < n; j++) {
            rnd_key(&s, &ks[j]);
            kp[j] = &ks[j];
            n_pk[j] = (uint16_t)(runs ? 1 + rnd(&s, 5) : 1);
            lens[j] = 0;
            for (unsigned q = 0; q < n_pk[j]; q++)
                lens[j] += 60 + rnd(&s, 1400);
        }
        struct ft_cache_tally t = runs ? ft_cache_lookup_runs(c, kp, n_pk, lens, n, res, 1)
                                       : ft_cache_lookup(c, kp, lens, n, res, 1);
        tallied += t.emc + t.hits + t.misses;
        for (size_t j = 0; j < n; j++) {
            packets += n_pk[j];
            ft_walk(p, ft_pipeline_version(p), &ks[j], &fresh);
            for (uint16_t v = 0; v < fresh.n_visits; v++) {
                table_lookups[fresh.visits[v].table_id] += n_pk[j];
                const struct ft_rule *r = fresh.visits[v].rule;
                if (!r)
                    continue;
                size_t q = 0;
                while (q < n_ref && ref[q].rule != r)
                    q++;
                if (q == n_ref)
                    ref[n_ref++] = (struct ref_counts){r, 0, 0};
                ref[q].packets += n_pk[j];
                ref[q].bytes += lens[j];
            }
        }
        if (i % 700 == 0)
            ft_cache_maintain(c, 10000000ull * (uint64_t)i, 64);
    }
    ft_cache_fold(c, 5);
    ck_assert_uint_eq(tallied, packets);
    ck_assert_uint_ge(n_ref, 12);
    for (size_t j = 0; j < n_ref; j++) {
        uint64_t pk, by;
        ft_rule_stats(ref[j].rule, &pk, &by, NULL);
        ck_assert_uint_eq(pk, ref[j].packets);
        ck_assert_uint_eq(by, ref[j].bytes);
    }
    for (uint8_t t = 0; t < 3; t++) {
        struct ft_table_stats ts;
        ft_pipeline_table_stats(p, t, &ts);
        ck_assert_uint_eq(ts.lookup_count, table_lookups[t]);
    }
    ft_cache_destroy(c, 6);
    tu_settle(p);
    ft_pipeline_destroy(p);
}

START_TEST(counters_exact_after_fold)
{
    counters_exact(false);
}
END_TEST

START_TEST(runs_counted_as_their_packets)
{
    counters_exact(true);
}
END_TEST

static int
grab_rule(void *aux, const struct ft_rule *r)
{
    *(const struct ft_rule **)aux = r;
    return 0;
}

START_TEST(counters_follow_a_modify)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    ck_assert_int_eq(tu_add(p, "priority=1,ip", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=2,arp", "output:1"), FT_OK);
    ft_pipeline_commit(p);
    struct ft_cache *c = ft_cache_create(p, NULL);
    struct ft_key ip = tu_key("ip");
    for (int i = 0; i < 10; i++)
        (void)lookup1(c, &ip, 100);
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY_STRICT, "priority=1,ip", "output:2"), FT_OK);
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY_STRICT, "priority=2,arp", "output:2"), FT_OK);
    /* Not yet synced: packets still hit old entries. */
    for (int i = 0; i < 5; i++)
        (void)lookup1(c, &ip, 100);
    settle(p, c); /* Evicting folds the old rule's counts... */
    for (int i = 0; i < 3; i++)
        (void)lookup1(c, &ip, 100);
    ft_cache_fold(c, 9);
    ft_pipeline_commit(p);
    struct ft_flow_mod fm;
    tu_flow_mod_init(&fm, FT_FC_DELETE_STRICT, "priority=1,ip");
    struct ft_flow_filter f = {.table_id = 0,
                               .strict = true,
                               .priority = 1,
                               .out_port = FT_PORT_ANY,
                               .out_group = FT_GROUP_ANY,
                               .match = fm.match};
    const struct ft_rule *got = NULL;
    ft_pipeline_rules_foreach(p, &f, grab_rule, &got);
    ck_assert_ptr_nonnull(got);
    uint64_t pk, by;
    ft_rule_stats(got, &pk, &by, NULL);
    ck_assert_uint_eq(pk, 18); /* ...into the rule that replaced it. */
    ck_assert_uint_eq(by, 1800);
    ft_cache_destroy(c, 10);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

START_TEST(mask_explosion_is_bounded)
{
    /* Rule i matches nw_dst 10.1.0.i exactly and nw_src 0/i+1, priorities
     * falling with i: a packet to 10.1.0.j probes rules 0..j, so its
     * megaflow mask carries a j+1 bit source prefix — 32 distinct masks,
     * as crafted traffic could make. */
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    uint64_t s = test_seed();
    for (unsigned i = 0; i < 32; i++) {
        char spec[160];
        snprintf(spec, sizeof spec, "priority=%u,ip,nw_dst=10.1.0.%u,nw_src=0.0.0.0/%u", 1000 - i,
                 i, i + 1);
        ck_assert_int_eq(tu_add(p, spec, "output:1"), FT_OK);
    }
    ft_pipeline_commit(p);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.max_masks = 8;
    cfg.emc_entries = 0;
    cfg.sig_buckets = 0; /* Every hit goes through the subtables. */
    struct ft_cache *c = ft_cache_create(p, &cfg);
    static struct ft_walk_out fresh;
    for (int i = 0; i < 4000; i++) {
        struct ft_key k = tu_key("ip");
        k.ipv4_dst = 0x0a010000u | (uint32_t)(test_rand(&s) % 40);
        k.ipv4_src = (uint32_t)(test_rand(&s) & 0x3);
        struct ft_cache_result r = lookup1(c, &k, 64);
        ft_walk(p, ft_pipeline_version(p), &k, &fresh);
        ck_assert(cc_same(c, &r, &fresh));
    }
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    ck_assert_uint_le(st.masks, 9); /* 8, plus perhaps the exact one. */
    ck_assert_uint_gt(st.masks_merged, 0);
    /* Lookups stay bounded: never more probes than subtables. */
    ck_assert_uint_le(st.subtable_probes, 9 * (st.megaflow_hits + st.misses));
    ft_cache_destroy(c, 1);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

START_TEST(invalidation_is_precise)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,ip", "goto_table:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,arp", "output:9"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=5,ip,nw_dst=10.0.0.0/24", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=0", "output:2"), FT_OK);
    ft_pipeline_commit(p);
    struct ft_cache *c = ft_cache_create(p, NULL);
    struct ft_key keys[6] = {tu_key("ip,nw_dst=10.0.0.1"), tu_key("ip,nw_dst=10.0.0.2"),
                             tu_key("ip,nw_dst=10.1.0.1"), tu_key("ip,nw_dst=10.1.0.2"),
                             tu_key("ip,nw_dst=10.2.0.1"), tu_key("arp")};
    /* Table 1 consults nw_dst/24, so each /24 is one megaflow. */
    static const uint8_t first[6] = {FT_SRC_MISS,     FT_SRC_MEGAFLOW, FT_SRC_MISS,
                                     FT_SRC_MEGAFLOW, FT_SRC_MISS,     FT_SRC_MISS};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(lookup1(c, &keys[i], 64).source, first[i]);
    struct ft_cache_stats st0, st1;
    ft_cache_stats(c, &st0);
    ck_assert_uint_eq(st0.entries, 4);

    /* A more specific route for 10.1.0.1: only the entry covering it can
     * change (it also covers 10.1.0.2). */
    ck_assert_int_eq(tu_add(p, "table=1,priority=9,ip,nw_dst=10.1.0.1", "output:3"), FT_OK);
    sync(p, c);
    ft_cache_stats(c, &st1);
    ck_assert_uint_eq(st1.evict_invalidated - st0.evict_invalidated, 1);
    ck_assert_int_eq(lookup1(c, &keys[2], 64).source, FT_SRC_MISS);
    ck_assert_int_eq(lookup1(c, &keys[3], 64).source, FT_SRC_MISS);
    ck_assert_int_ne(lookup1(c, &keys[0], 64).source, FT_SRC_MISS);
    ck_assert_int_ne(lookup1(c, &keys[4], 64).source, FT_SRC_MISS);
    ck_assert_int_ne(lookup1(c, &keys[5], 64).source, FT_SRC_MISS);

    /* A rule in a table arp packets never reach touches none of them. */
    ft_cache_stats(c, &st0);
    ck_assert_int_eq(tu_add(p, "table=2,priority=9", "output:3"), FT_OK);
    sync(p, c);
    ft_cache_stats(c, &st1);
    ck_assert_uint_eq(st1.evict_invalidated, st0.evict_invalidated);

    /* Deleting the /24 evicts exactly the entry that used it. */
    ck_assert_int_eq(
        tu_flow(p, FT_FC_DELETE_STRICT, "table=1,priority=5,ip,nw_dst=10.0.0.0/24", NULL), FT_OK);
    sync(p, c);
    ft_cache_stats(c, &st0);
    ck_assert_uint_eq(st0.evict_invalidated - st1.evict_invalidated, 1);
    ck_assert_int_eq(lookup1(c, &keys[0], 64).source, FT_SRC_MISS);
    ck_assert_int_ne(lookup1(c, &keys[4], 64).source, FT_SRC_MISS);

    /* A modify to the instructions a rule already has changes nothing: no
     * entry is evicted. New instructions evict the rule's users. */
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY_STRICT, "table=1,priority=0", "output:2"), FT_OK);
    sync(p, c);
    ft_cache_stats(c, &st1);
    ck_assert_uint_eq(st1.evict_invalidated, st0.evict_invalidated);
    ck_assert_int_ne(lookup1(c, &keys[4], 64).source, FT_SRC_MISS);
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY_STRICT, "table=1,priority=0", "output:4"), FT_OK);
    sync(p, c);
    ft_cache_stats(c, &st1);
    ck_assert_uint_gt(st1.evict_invalidated, st0.evict_invalidated);
    ck_assert_int_eq(lookup1(c, &keys[4], 64).source, FT_SRC_MISS);

    ft_cache_destroy(c, 1);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

/* A pop that reveals headers the key never held ends the program with a
 * recirculation; the packet parsed again is looked up with the cache's
 * continuation in its key. Both lookups are cached, and each is evicted by
 * exactly what can change it. */
START_TEST(recirculation_cached_and_invalidated)
{
    static struct ft_walk_out fresh;
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,mpls", "pop_mpls:0x0800,goto_table:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=5,ip,nw_dst=10.0.0.0/24", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=1", "output:2"), FT_OK);
    ft_pipeline_commit(p);
    struct ft_cache *c = ft_cache_create(p, NULL);
    struct ft_key k1 = tu_key("in_port=1,mpls,mpls_label=5");
    k1.mpls_bos = 1;
    struct ft_key inner = tu_key("in_port=1,ip,nw_dst=10.0.0.7");

    struct ft_cache_result r1 = lookup1(c, &k1, 64);
    ck_assert_int_eq(r1.source, FT_SRC_MISS);
    ck_assert(r1.flags & FT_WALK_F_RECIRC);
    ft_walk(p, ft_pipeline_version(p), &k1, &fresh);
    ck_assert(cc_same(c, &r1, &fresh));
    struct ft_walk_cont cont = fresh.cont;
    struct ft_key k2 = cc_recirc_key(&r1, &inner);
    struct ft_cache_result r2 = lookup1(c, &k2, 64);
    ck_assert_int_eq(r2.source, FT_SRC_MISS);
    ft_walk_resume(p, ft_pipeline_version(p), &k2, &cont, &fresh);
    ck_assert(cc_same(c, &r2, &fresh));
    ck_assert_int_eq(lookup1(c, &k1, 64).source, FT_SRC_EMC);
    ck_assert_int_eq(lookup1(c, &k2, 64).source, FT_SRC_EMC);
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.conts, 1);

    /* A route in table 1 changes what follows the recirculation only. */
    ck_assert_int_eq(tu_add(p, "table=1,priority=9,ip,nw_dst=10.0.0.7", "output:3"), FT_OK);
    sync(p, c);
    ck_assert_int_ne(lookup1(c, &k1, 64).source, FT_SRC_MISS);
    r2 = lookup1(c, &k2, 64);
    ck_assert_int_eq(r2.source, FT_SRC_MISS);
    ft_walk_resume(p, ft_pipeline_version(p), &k2, &cont, &fresh);
    ck_assert(cc_same(c, &r2, &fresh));

    /* The popping rule changes: both go, and the continuation with them
     * (the next sync frees it; a key that still names it names nothing). */
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY_STRICT, "table=0,priority=1,mpls",
                             "pop_mpls:0x0800,set_field:4->ip_dscp,goto_table:1"),
                     FT_OK);
    sync(p, c);
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.conts, 0);
    ck_assert_int_eq(lookup1(c, &k2, 64).n_ops, 0); /* The old name: dropped. */
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.recirc_lost, 1);
    r1 = lookup1(c, &k1, 64);
    ck_assert_int_eq(r1.source, FT_SRC_MISS);
    ft_walk(p, ft_pipeline_version(p), &k1, &fresh);
    ck_assert(cc_same(c, &r1, &fresh));
    cont = fresh.cont;
    k2 = cc_recirc_key(&r1, &inner);
    r2 = lookup1(c, &k2, 64);
    ft_walk_resume(p, ft_pipeline_version(p), &k2, &cont, &fresh);
    ck_assert(cc_same(c, &r2, &fresh));
    ck_assert_int_eq(r2.n_ops, 2); /* set_field:4->ip_dscp,output:3 */

    ft_cache_destroy(c, 1);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

/* A pipeline of one rule that outputs every IP packet (one megaflow). */
static struct ft_pipeline *
ip_output_pipeline(void)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    ck_assert_int_eq(tu_add(p, "priority=1,ip", "output:1"), FT_OK);
    ft_pipeline_commit(p);
    return p;
}

START_TEST(emc_fills_free_slots_at_once)
{
    struct ft_pipeline *p = ip_output_pipeline();
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.emc_entries = 4;
    cfg.emc_insert_inv_prob = 1000;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    struct ft_key a = tu_key("ip,nw_src=1.1.1.1"), b = tu_key("ip,nw_src=2.2.2.2");
    ck_assert_int_eq(lookup1(c, &a, 64).source, FT_SRC_MISS);
    ck_assert_int_eq(lookup1(c, &a, 64).source, FT_SRC_EMC);
    ck_assert_int_ne(lookup1(c, &b, 64).source, FT_SRC_MISS); /* Same megaflow. */
    ck_assert_int_eq(lookup1(c, &b, 64).source, FT_SRC_EMC);

    /* The entry goes; the flows that had EMC slots get them back at once. */
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY_STRICT, "priority=1,ip", "output:2"), FT_OK);
    settle(p, c);
    ck_assert_int_eq(lookup1(c, &a, 64).source, FT_SRC_MISS);
    ck_assert_int_eq(lookup1(c, &a, 64).source, FT_SRC_EMC);
    ck_assert_int_ne(lookup1(c, &b, 64).source, FT_SRC_EMC);
    ck_assert_int_eq(lookup1(c, &b, 64).source, FT_SRC_EMC);

    /* With every slot live, a new flow takes one only now and then. */
    char buf[64];
    int emc = 0;
    for (int i = 0; i < 64; i++) {
        snprintf(buf, sizeof buf, "ip,nw_src=3.3.3.%d", i);
        struct ft_key k = tu_key(buf);
        (void)lookup1(c, &k, 64);
        emc += lookup1(c, &k, 64).source == FT_SRC_EMC;
    }
    ck_assert_int_lt(emc, 8);
    ft_cache_destroy(c, 1);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

/* A run is one lookup: one walk for its first packet, the rest hits on
 * the entry it installed; the EMC then serves the run whole. */
START_TEST(a_run_is_one_lookup)
{
    struct ft_pipeline *p = ip_output_pipeline();
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    struct ft_cache *c = ft_cache_create(p, &cfg);
    struct ft_key a = tu_key("ip,nw_src=1.1.1.1"), b = tu_key("ip,nw_src=2.2.2.2");
    const struct ft_key *kp[2] = {&a, &b};
    const uint16_t n_pk[2] = {5, 3};
    const uint32_t lens[2] = {5 * 100, 3 * 64};
    struct ft_cache_result res[2];
    struct ft_cache_tally t = ft_cache_lookup_runs(c, kp, n_pk, lens, 2, res, 1);
    ck_assert_int_eq(res[0].source, FT_SRC_MISS);
    ck_assert_int_ne(res[1].source, FT_SRC_MISS); /* The same megaflow. */
    ck_assert_uint_eq(res[0].n_ops, 1);
    ck_assert_uint_eq(res[1].n_ops, 1);
    ck_assert_uint_eq(t.misses, 1);
    ck_assert_uint_eq(t.emc + t.hits, 7);
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.misses, 1); /* One walk. */
    t = ft_cache_lookup_runs(c, kp, n_pk, lens, 2, res, 2);
    ck_assert_int_eq(res[0].source, FT_SRC_EMC);
    ck_assert_uint_eq(t.emc, 8);
    ft_cache_fold(c, 3);
    const struct ft_rule *r = NULL;
    struct ft_flow_filter ff = {.table_id = 0, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&ff.match);
    ft_pipeline_rules_foreach(p, &ff, grab_rule, &r);
    ck_assert_ptr_nonnull(r);
    uint64_t pk, by;
    ft_rule_stats(r, &pk, &by, NULL);
    ck_assert_uint_eq(pk, 16);
    ck_assert_uint_eq(by, 2 * (500 + 192));
    ft_cache_destroy(c, 4);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

/* Look up n keys from ks in bursts of 32, from *next on (cycling);
 * returns how many the signature index served. */
static uint64_t
sig_run(struct ft_cache *c, const struct ft_key *ks, size_t n_keys, size_t *next, size_t n)
{
    struct ft_cache_stats before, after;
    ft_cache_stats(c, &before);
    const struct ft_key *burst[FT_CACHE_BURST];
    uint32_t lens[FT_CACHE_BURST];
    struct ft_cache_result res[FT_CACHE_BURST];
    for (size_t done = 0; done < n; done += FT_CACHE_BURST) {
        for (unsigned i = 0; i < FT_CACHE_BURST; i++, *next = (*next + 1) % n_keys) {
            burst[i] = &ks[*next];
            lens[i] = 64;
        }
        ft_cache_lookup(c, burst, lens, FT_CACHE_BURST, res, 1);
    }
    ft_cache_stats(c, &after);
    return after.sig_hits - before.sig_hits;
}

/* Eight rules whose stop points differ (as in mask_explosion_is_bounded):
 * a packet to 10.1.0.j gets a mask with a j+1 bit source prefix, and
 * traffic spread over the eight destinations probes 4.5 subtables a hit. */
static struct ft_pipeline *
eight_masks_pipeline(void)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    for (unsigned i = 0; i < 8; i++) {
        char spec[160];
        snprintf(spec, sizeof spec, "priority=%u,ip,nw_dst=10.1.0.%u,nw_src=0.0.0.0/%u", 1000 - i,
                 i, i + 1);
        ck_assert_int_eq(tu_add(p, spec, "output:1"), FT_OK);
    }
    ft_pipeline_commit(p);
    return p;
}

/* Flow i of eight_masks_pipeline's traffic: source i (every rule's prefix
 * matches it), destination one of the eight. */
static struct ft_key *
eight_masks_keys(unsigned n)
{
    struct ft_key *ks = calloc(n, sizeof *ks);
    for (unsigned i = 0; i < n; i++) {
        ks[i] = tu_key("ip");
        ks[i].ipv4_dst = 0x0a010000u | (i & 7);
        ks[i].ipv4_src = i;
    }
    return ks;
}

/* Eight masks the subtables' hints cannot tell apart: rule i matches the
 * sources whose first i bits are 0 and the next 1, so a key's mask is
 * its source's first z + 1 bits (z: its leading zeros), and the only bit
 * every mask consults, the first, is 0 for seven of them. */
static struct ft_pipeline *
unhinted_masks_pipeline(void)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    for (unsigned i = 0; i < 8; i++) {
        char spec[160];
        uint32_t a = 1u << (31 - i);
        snprintf(spec, sizeof spec, "priority=%u,ip,nw_src=%u.%u.%u.%u/%u", 1000 - i, a >> 24,
                 a >> 16 & 255, a >> 8 & 255, a & 255, i + 1);
        ck_assert_int_eq(tu_add(p, spec, "output:1"), FT_OK);
    }
    ft_pipeline_commit(p);
    return p;
}

/* Flow i of unhinted_masks_pipeline's traffic: i % 8 leading zeros. */
static struct ft_key *
unhinted_masks_keys(unsigned n)
{
    struct ft_key *ks = calloc(n, sizeof *ks);
    for (unsigned i = 0; i < n; i++) {
        ks[i] = tu_key("ip");
        ks[i].ipv4_src = 1u << (31 - i % 8) | i >> 3;
    }
    return ks;
}

/* A cache over p with a signature index of 1,024 buckets (4,096 flows
 * at most) and emc_entries EMC slots, for the signature tests. */
static struct ft_cache *
sig_cache(struct ft_pipeline *p, uint32_t emc_entries)
{
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.emc_entries = emc_entries;
    cfg.sig_buckets = 1024;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    ck_assert_ptr_nonnull(c);
    return c;
}

static void
sig_done(struct ft_cache *c, struct ft_pipeline *p, struct ft_key *ks)
{
    free(ks);
    ft_cache_destroy(c, 1);
    tu_settle(p);
    ft_pipeline_destroy(p);
}

/* Each flow's packets further apart than the signature index keeps them:
 * it is switched off (lookups go to the subtables directly), and on again
 * once a sample of the keys shows flows repeat. Either way the answers
 * stay right. (Masks the hints cannot tell apart: where they can, the
 * index is not used at all; see below.) */
START_TEST(signature_index_off_while_it_does_not_pay)
{
    struct ft_pipeline *p = unhinted_masks_pipeline();
    struct ft_cache *c = sig_cache(p, 0);
    enum { MANY = 65536 };
    struct ft_key *ks = unhinted_masks_keys(MANY);
    struct ft_cache_stats st;
    size_t next = 0;
    (void)sig_run(c, ks, 512, &next, 8192); /* The masks are many: it is worth it. */
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.masks, 8);
    ck_assert(st.sig_enabled);
    next = 0;
    (void)sig_run(c, ks, MANY, &next, 2 * 8192); /* A window to judge it. */
    ft_cache_stats(c, &st);
    ck_assert(!st.sig_enabled);
    ck_assert_uint_eq(sig_run(c, ks, MANY, &next, 8192), 0);
    uint64_t mf = st.megaflow_hits;
    ft_cache_stats(c, &st);
    ck_assert_uint_ge(st.megaflow_hits - mf, 8192 - 32);

    /* Still many flows: the sample says it would not pay, it stays off. */
    for (int w = 0; w < 4; w++)
        (void)sig_run(c, ks, MANY, &next, 8192);
    ft_cache_stats(c, &st);
    ck_assert(!st.sig_enabled);

    /* Now 512 flows over and over: the sample hits, it comes back at once
     * (not after a blind timeout) and serves them. */
    next = 0;
    for (int w = 0; w < 3; w++)
        (void)sig_run(c, ks, 512, &next, 8192);
    ft_cache_stats(c, &st);
    ck_assert(st.sig_enabled);
    ck_assert_uint_gt(sig_run(c, ks, 512, &next, 8192), 8192 / 2);
    for (unsigned i = 0; i < 16; i++) {
        struct ft_cache_result r = lookup1(c, &ks[i], 64);
        ck_assert_int_eq(r.n_frags, 1);
        ck_assert_int_eq(r.frag[0].ops[0].type, FT_OP_OUTPUT);
    }
    sig_done(c, p, ks);
}
END_TEST

/* One megaflow subtable: a hit there costs one probe, no more than the
 * signature bucket, so flows that repeat are not indexed (no bucket read,
 * no insert), and the answers come from the subtable. */
START_TEST(signature_index_unused_where_subtables_are_few)
{
    struct ft_pipeline *p = ip_output_pipeline();
    struct ft_cache *c = sig_cache(p, 0);
    struct ft_key *ks = eight_masks_keys(512);
    size_t next = 0;
    ck_assert_uint_eq(sig_run(c, ks, 512, &next, 4 * 8192), 0);
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.masks, 1);
    ck_assert(!st.sig_enabled);
    ck_assert_uint_ge(st.megaflow_hits, 4 * 8192 - 1);
    for (unsigned i = 0; i < 16; i++) {
        struct ft_cache_result r = lookup1(c, &ks[i], 64);
        ck_assert_int_eq(r.source, FT_SRC_MEGAFLOW);
        ck_assert_int_eq(r.frag[0].ops[0].type, FT_OP_OUTPUT);
    }
    sig_done(c, p, ks);
}
END_TEST

/* The EMC serves where a chain found in the stages probes three subtables
 * or more (eight masks and no signature index: 4.5 a hit); over one
 * subtable a lookup there costs less than an EMC hit, and the EMC (and
 * the index) stay out of the way. */
START_TEST(emc_off_where_chains_probe_few_subtables)
{
    struct ft_key *ks = eight_masks_keys(512);
    for (int many = 0; many < 2; many++) {
        struct ft_pipeline *p = many ? eight_masks_pipeline() : ip_output_pipeline();
        struct ft_cache_config cfg;
        ft_cache_config_default(&cfg);
        cfg.emc_entries = 1024;
        cfg.sig_buckets = many ? 0 : 1024;
        struct ft_cache *c = ft_cache_create(p, &cfg);
        size_t next = 0;
        (void)sig_run(c, ks, 512, &next, 2 * 8192); /* Judged. */
        struct ft_cache_stats st, st2;
        ft_cache_stats(c, &st);
        ck_assert_uint_eq(st.masks, many ? 8 : 1);
        ck_assert_int_eq(st.emc_enabled, many);
        ck_assert(!st.sig_enabled);
        (void)sig_run(c, ks, 512, &next, 8192);
        ft_cache_stats(c, &st2);
        if (many)
            ck_assert_uint_ge(st2.emc_hits - st.emc_hits, 8192 * 3 / 4);
        else
            ck_assert_uint_eq(st2.emc_hits, st.emc_hits);
        for (unsigned i = 0; i < 16; i++) {
            struct ft_cache_result r = lookup1(c, &ks[i], 64);
            ck_assert_int_eq(r.source, many ? FT_SRC_EMC : FT_SRC_MEGAFLOW);
            ck_assert_int_eq(r.frag[0].ops[0].type, FT_OP_OUTPUT);
        }
        ft_cache_destroy(c, 1);
        tu_settle(p);
        ft_pipeline_destroy(p);
    }
    free(ks);
}
END_TEST

START_TEST(idle_entries_expire)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    ck_assert_int_eq(tu_add(p, "priority=1,ip", "output:1"), FT_OK);
    ft_pipeline_commit(p);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.max_entries = 16;
    cfg.idle_ns = 1000;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    struct ft_key k = tu_key("ip");
    struct ft_cache_result r;
    const struct ft_key *keys[1] = {&k};
    uint32_t len = 64;
    ft_cache_lookup(c, keys, &len, 1, &r, 100);
    ft_cache_maintain(c, 500, 16);
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.entries, 1);
    ft_cache_maintain(c, 5000, 16);
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.entries, 0);
    ck_assert_uint_eq(st.evict_idle, 1);
    ft_cache_destroy(c, 6000);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

/* Scenario 5 of tools/bench: rule i of table 0 fixes UDP source port i
 * and the source address to i + 1 bits (goto 1), rule j of table 1 the
 * destination port j and the destination to j + 1 bits: 32 masks a
 * table, 1,024 for the whole walk. */
static const uint32_t ports_src = 0xc6120001u, ports_dst = 0xc6130001u; /* 198.18.0.1, .19. */

static struct ft_pipeline *
ports_pipeline(void)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    for (unsigned i = 0; i < 32; i++) {
        char spec[160];
        uint32_t m = UINT32_MAX << (31 - i), a = ports_src & m, b = ports_dst & m;
        snprintf(spec, sizeof spec, "table=0,priority=%u,udp,nw_src=%u.%u.%u.%u/%u,tp_src=%u",
                 1000 - i, a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, i + 1, i);
        ck_assert_int_eq(tu_add(p, spec, "goto_table:1"), FT_OK);
        snprintf(spec, sizeof spec, "table=1,priority=%u,udp,nw_dst=%u.%u.%u.%u/%u,tp_dst=%u",
                 1000 - i, b >> 24, b >> 16 & 255, b >> 8 & 255, b & 255, i + 1, i);
        ck_assert_int_eq(tu_add(p, spec, i % 2 ? "output:1" : "output:2"), FT_OK);
    }
    ft_pipeline_commit(p);
    return p;
}

/* Flow i of ports_pipeline's traffic: ports i % 32 and i / 32 % 32. */
static struct ft_key
ports_key(unsigned i)
{
    struct ft_key k = tu_key("udp");
    k.ipv4_src = ports_src;
    k.ipv4_dst = ports_dst;
    k.tp_src = (uint16_t)(i % 32);
    k.tp_dst = (uint16_t)(i / 32 % 32);
    k.eth_src[5] = (uint8_t)(i / 1024);
    return k;
}

/* ports_pipeline in two stages of 32 masks each. A stage's key is looked up in its own stage's
 * subtables only, and the subtable its port was last found in is probed
 * first: a flow's first packet costs one probe a stage, not the ~32 of
 * both stages' masks in hit order. While hints serve, the signature
 * index is not read (its bucket, a line from memory, costs more than the
 * hinted probe), alone or in bursts. Every answer as a fresh walk's. */
START_TEST(stage_lookups_probe_the_hinted_subtable)
{
    struct ft_pipeline *p = ports_pipeline();
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.stages.starts[0] = 1u << 1;
    cfg.sig_buckets = 1u << 14;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    ck_assert_ptr_nonnull(c);
    enum { FLOWS = 32 * 32 * 8 };
    struct ft_key *ks = calloc(FLOWS, sizeof *ks);
    for (unsigned i = 0; i < FLOWS; i++)
        ks[i] = ports_key(i);
    static struct ft_walk_out fresh;
    struct ft_cache_stats st0, st;
    for (int pass = 0; pass < 3; pass++) {
        ft_cache_stats(c, &st0);
        for (unsigned i = 0; i < FLOWS; i++) {
            struct ft_cache_result r = lookup1(c, &ks[i], 64);
            ft_walk(p, ft_pipeline_version(p), &ks[i], &fresh);
            ck_assert(cc_same(c, &r, &fresh));
        }
        ft_cache_stats(c, &st);
        ck_assert_uint_eq(st.n_stages, 2);
        ck_assert_uint_eq(st.masks, 64);
        uint64_t looked = st.megaflow_hits - st0.megaflow_hits;
        ck_assert_uint_ge(looked, 2 * FLOWS - 2 * 32); /* Two stages; misses; no EMC hits. */
        uint64_t probes = st.subtable_probes - st0.subtable_probes;
        if (pass) /* The first pass's first 32 flows teach the hints. */
            ck_assert_uint_le(probes, looked + looked / 16);
        ck_assert_uint_le(probes, 2 * looked);
        ck_assert_uint_eq(st.sig_hits, 0);
    }
    /* In bursts too: the hints serve, the index is not read. */
    const struct ft_key *burst[FT_CACHE_BURST];
    uint32_t lens[FT_CACHE_BURST];
    struct ft_cache_result res[FT_CACHE_BURST];
    for (unsigned round = 0; round < 16; round++) {
        for (unsigned i = 0; i < FLOWS; i += FT_CACHE_BURST) {
            for (unsigned j = 0; j < FT_CACHE_BURST; j++) {
                burst[j] = &ks[(i + j * 97u) % FLOWS];
                lens[j] = 64;
            }
            ft_cache_lookup(c, burst, lens, FT_CACHE_BURST, res, 2);
            if (round % 4)
                continue;
            for (unsigned j = 0; j < FT_CACHE_BURST; j++) {
                ft_walk(p, ft_pipeline_version(p), burst[j], &fresh);
                ck_assert(cc_same(c, &res[j], &fresh));
            }
        }
    }
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.sig_hits, 0);
    ck_assert(!st.sig_enabled);
    ck_assert_uint_le(st.subtable_probes - st0.subtable_probes,
                      (st.megaflow_hits - st0.megaflow_hits) * 17 / 16);
    free(ks);
    ft_cache_destroy(c, 3);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

/* One stage of ports_pipeline's 1,024 masks, every walk's its own
 * subtable. A flow's first packet is a miss the census answers: no entry
 * has its ports, so it probes no subtable, where it probed every one. Every
 * answer as a fresh walk's. */
START_TEST(a_miss_over_many_masks_probes_none)
{
    struct ft_pipeline *p = ports_pipeline();
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.emc_entries = 0;
    cfg.sig_buckets = 0; /* Every lookup goes to the subtables. */
    cfg.max_masks = 2048;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    ck_assert_ptr_nonnull(c);
    static struct ft_walk_out fresh;
    struct ft_cache_stats st0, st;
    for (int half = 0; half < 2; half++) { /* Source ports 0-15, then 16-31. */
        ft_cache_stats(c, &st0);
        for (unsigned i = 0; i < 1024; i++) {
            if ((i % 32 >= 16) != half)
                continue;
            struct ft_key k = ports_key(i);
            struct ft_cache_result r = lookup1(c, &k, 64);
            ck_assert_int_eq(r.source, FT_SRC_MISS);
            ft_walk(p, ft_pipeline_version(p), &k, &fresh);
            ck_assert(cc_same(c, &r, &fresh));
        }
        ft_cache_stats(c, &st);
        ck_assert_uint_eq(st.misses - st0.misses, 512);
        if (!half)
            continue;
        /* Half the masks were there: 512 probes a miss without the census.
         * A slot its ports share with an entry's (hash collisions) costs a
         * probe, or all of them where entries of several masks share it. */
        ck_assert_uint_ge(st.masks, 1024);
        ck_assert_uint_ge(st.census_misses - st0.census_misses, 512 * 3 / 4);
        ck_assert_uint_le(st.subtable_probes - st0.subtable_probes, 512 * 16);
    }
    for (unsigned i = 0; i < 1024; i += 7) { /* All there now, at a probe or so each. */
        struct ft_key k = ports_key(i + 2048);
        struct ft_cache_result r = lookup1(c, &k, 64);
        ck_assert_int_eq(r.source, FT_SRC_MEGAFLOW);
        ft_walk(p, ft_pipeline_version(p), &k, &fresh);
        ck_assert(cc_same(c, &r, &fresh));
    }
    ck_assert(cc_census_ok(c));
    ft_cache_destroy(c, 1);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

/* A mask without some of the bits all the others consult narrows what the
 * census hashes: a part of few entries is counted again, one of more than
 * a poll can count is suspended (its lookups probe as without it) until
 * it empties. Answers stay a fresh walk's throughout. */
START_TEST(census_follows_masks_that_narrow)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    for (unsigned d = 0; d < 600; d++) {
        char spec[96];
        snprintf(spec, sizeof spec, "priority=100,tcp,nw_dst=10.0.%u.%u", d / 256, d % 256);
        ck_assert_int_eq(tu_add(p, spec, "output:1"), FT_OK);
    }
    ck_assert_int_eq(tu_add(p, "priority=200,udp,tp_dst=53", "output:2"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=1,ip", "output:3"), FT_OK);
    ft_pipeline_commit(p);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.emc_entries = 0;
    cfg.sig_buckets = 0;
    static struct ft_walk_out fresh;
    struct ft_cache *c = NULL;
    for (unsigned n = 8; n <= 600; n += 592) { /* A few entries, then many. */
        if (c)
            ft_cache_destroy(c, 1);
        c = ft_cache_create(p, &cfg);
        ck_assert(c->parts[0].census && cc_census_ok(c));
        for (unsigned d = 0; d < n; d++) {
            struct ft_key k = tu_key("tcp");
            k.ipv4_dst = 0x0a000000u | d;
            struct ft_cache_result r = lookup1(c, &k, 64);
            ft_walk(p, ft_pipeline_version(p), &k, &fresh);
            ck_assert(cc_same(c, &r, &fresh));
        }
        ck_assert(c->parts[0].census && cc_census_ok(c));
        struct ft_key u = tu_key("udp,tp_dst=53"); /* Its walk never looks at nw_dst. */
        struct ft_cache_result r = lookup1(c, &u, 64);
        ft_walk(p, ft_pipeline_version(p), &u, &fresh);
        ck_assert(cc_same(c, &r, &fresh));
        ck_assert_uint_eq(c->parts[0].census, n <= 512);
        ck_assert(cc_census_ok(c));
        for (unsigned d = 0; d < n; d += 5) {
            struct ft_key k = tu_key("tcp");
            k.ipv4_dst = 0x0a000000u | d;
            r = lookup1(c, &k, 64);
            ck_assert_int_eq(r.source, FT_SRC_MEGAFLOW);
            ft_walk(p, ft_pipeline_version(p), &k, &fresh);
            ck_assert(cc_same(c, &r, &fresh));
        }
    }
    ft_cache_flush(c); /* Emptied, the suspended part counts again. */
    ck_assert(c->parts[0].census && cc_census_ok(c));
    struct ft_key k = tu_key("tcp");
    k.ipv4_dst = 0x0a000001u;
    ck_assert_int_eq(lookup1(c, &k, 64).source, FT_SRC_MISS);
    ck_assert_int_eq(lookup1(c, &k, 64).source, FT_SRC_MEGAFLOW);
    ck_assert(cc_census_ok(c));
    ft_cache_destroy(c, 1);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

/* Where the bits every mask consults do not tell the subtable (here the
 * masks differ in fields each packet varies), a hint is as often wrong
 * as right: it costs a probe, never an answer, and the probes stay
 * bounded by the subtables. */
START_TEST(wrong_hints_cost_no_answer)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    ck_assert_int_eq(tu_add(p, "priority=200,ip,nw_src=10.0.0.0/8", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=150,ip,nw_dst=10.1.0.0/16", "output:2"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=100,ip,nw_proto=17", "output:3"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=50,ip,ip_ecn=1", "output:4"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=40,ip,dl_src=02:00:00:00:00:01", "output:5"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=1,ip", "output:6"), FT_OK);
    ft_pipeline_commit(p);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.emc_entries = 0;
    cfg.sig_buckets = 0; /* Every hit goes through the subtables. */
    struct ft_cache *c = ft_cache_create(p, &cfg);
    uint64_t s = test_seed();
    static struct ft_walk_out fresh;
    for (int i = 0; i < 20000; i++) {
        struct ft_key k = tu_key("ip,nw_src=11.0.0.1");
        k.ipv4_dst = test_rand(&s) % 2 ? 0x0a010001u : 0x0a020001u;
        k.ip_proto = test_rand(&s) % 2 ? 17 : 6;
        k.ip_ecn = (uint8_t)(test_rand(&s) % 2);
        k.eth_src[5] = (uint8_t)(test_rand(&s) % 2);
        struct ft_cache_result r = lookup1(c, &k, 64);
        ft_walk(p, ft_pipeline_version(p), &k, &fresh);
        ck_assert(cc_same(c, &r, &fresh));
    }
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    ck_assert_uint_ge(st.masks, 4);
    ck_assert_uint_le(st.subtable_probes, (uint64_t)st.masks * (st.megaflow_hits + st.misses));
    ft_cache_destroy(c, 1);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

START_TEST(stages_are_checked)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.stages.starts[0] = 0xf << 1; /* Tables 1..4: five stages, one too many. */
    ck_assert_ptr_null(ft_cache_create(p, &cfg));
    cfg.stages.starts[0] = 0x7 << 1;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    ck_assert_ptr_nonnull(c);
    struct ft_walk_stages st = {.starts = {0xf << 1}};
    ck_assert_int_eq(ft_cache_set_stages(c, &st, 0), -EINVAL);
    st.starts[0] = 1u << 5;
    ck_assert_int_eq(ft_cache_set_stages(c, &st, 0), 0);
    struct ft_cache_stats cs;
    ft_cache_stats(c, &cs);
    ck_assert_uint_eq(cs.n_stages, 2);
    ft_cache_destroy(c, 0);
    ft_pipeline_destroy(p);
}
END_TEST

/* A cache filled by a thread that warmed its heap first (as a worker does)
 * takes no page faults for its entries: in a virtual machine each is a
 * trip to the hypervisor, and a fill's thousands of them made the
 * worker's polls long. Not under ASan: its allocator keeps what is freed
 * aside instead of handing it out again. */
START_TEST(a_warm_thread_fills_without_page_faults)
{
    enum { N = 4096 };
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    struct ft_key *ks = calloc(N, sizeof *ks);
    for (unsigned i = 0; i < N; i++) {
        char spec[64];
        snprintf(spec, sizeof spec, "ip,nw_dst=10.0.%u.%u", i >> 8, i & 255);
        ck_assert_int_eq(tu_add(p, spec, "output:1"), FT_OK);
        ks[i] = tu_key("ip");
        ks[i].ipv4_dst = 0x0a000000u | i;
    }
    ft_pipeline_commit(p);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.max_entries = 2 * N;
    cfg.emc_entries = 0;
    cfg.sig_buckets = 0;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    ck_assert_ptr_nonnull(c);
    ft_alloc_keep();
    ft_alloc_warm(ft_cache_fill_bytes(&cfg));
    long before = test_page_faults();
    size_t next = 0;
    (void)sig_run(c, ks, N, &next, N);
    long faults = test_page_faults() - before;
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.entries, N);
    if (!TEST_ASAN)
        ck_assert_msg(faults <= 16, "%ld page faults filling %d entries", faults, N);
    for (unsigned i = 0; i < N; i += 97)
        ck_assert_int_eq(lookup1(c, &ks[i], 64).source, FT_SRC_MEGAFLOW);
    sig_done(c, p, ks);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, differential_against_fresh_walks, 0, 8);
    tcase_add_test(tc, counters_exact_after_fold);
    tcase_add_test(tc, runs_counted_as_their_packets);
    tcase_add_test(tc, a_run_is_one_lookup);
    tcase_add_test(tc, counters_follow_a_modify);
    tcase_add_test(tc, invalidation_is_precise);
    tcase_add_test(tc, recirculation_cached_and_invalidated);
    tcase_add_test(tc, idle_entries_expire);
    tcase_add_test(tc, emc_fills_free_slots_at_once);
    tcase_add_test(tc, signature_index_off_while_it_does_not_pay);
    tcase_add_test(tc, signature_index_unused_where_subtables_are_few);
    tcase_add_test(tc, emc_off_where_chains_probe_few_subtables);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, mask_explosion_is_bounded);
    tcase_add_test(tc, stage_lookups_probe_the_hinted_subtable);
    tcase_add_test(tc, wrong_hints_cost_no_answer);
    tcase_add_test(tc, a_miss_over_many_masks_probes_none);
    tcase_add_test(tc, census_follows_masks_that_narrow);
    tcase_add_test(tc, a_warm_thread_fills_without_page_faults);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, stages_are_checked);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
