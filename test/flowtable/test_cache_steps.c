/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow cache does its housekeeping a little at a time, so a worker
 * never stops forwarding for long (p99 latency while the cache fills):
 * subtables double their chain heads a few buckets per insert, and folds
 * (periodic or asked for) go in bounded steps. Counters stay exact when
 * entries are evicted in the middle of a fold.
 */
#include "check_main.h"
#include "ft_cache.h"
#include "ft_cache_int.h"
#include "ft_test_util.h"

#define STEP_MAX      256 /* Entries a fold step may take (ft_cache_fold.c). */
#define IDLE_STEP_MAX 32  /* And an idle step (ft_cache_fold_idle). */

static int
sum_packets(void *aux, const struct ft_rule *r)
{
    uint64_t pk;
    ft_rule_stats(r, &pk, NULL, NULL);
    *(uint64_t *)aux += pk;
    return 0;
}

static uint64_t
rule_packets(const struct ft_pipeline *p)
{
    struct ft_flow_filter f = {
        .table_id = FT_TABLE_ALL, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&f.match);
    uint64_t n = 0;
    ft_pipeline_rules_foreach(p, &f, sum_packets, &n);
    return n;
}

static struct ft_key
route_key(unsigned i)
{
    struct ft_key k;
    ft_key_zero(&k);
    k.eth_type = 0x0800;
    k.ipv4_dst = 0x0a000000u + i;
    return k;
}

/* n /32 routes, one rule each. */
static struct ft_pipeline *
routes(unsigned n)
{
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    for (unsigned i = 0; i < n; i++) {
        char spec[64];
        struct ft_key k = route_key(i);
        snprintf(spec, sizeof spec, "priority=1,ip,nw_dst=10.%u.%u.%u", (k.ipv4_dst >> 16) & 255,
                 (k.ipv4_dst >> 8) & 255, k.ipv4_dst & 255);
        ck_assert_int_eq(tu_add(p, spec, "output:1"), FT_OK);
    }
    ft_pipeline_commit(p);
    return p;
}

static uint8_t
lookup1(struct ft_cache *c, const struct ft_key *k)
{
    struct ft_cache_result r;
    const struct ft_key *keys[1] = {k};
    uint32_t len = 64;
    ft_cache_lookup(c, keys, &len, 1, &r, 1);
    return r.source;
}

/* One packet on each of the first n routes. */
static void
touch_routes(struct ft_cache *c, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct ft_key k = route_key(i);
        (void)lookup1(c, &k);
    }
}

/* The rules' packets after a fold step, which took at most STEP_MAX
 * entries since *before (updated). */
static uint64_t
after_step(const struct ft_pipeline *p, uint64_t *before)
{
    uint64_t now = rule_packets(p);
    ck_assert_uint_le(now - *before, STEP_MAX);
    *before = now;
    return now;
}

START_TEST(subtables_grow_a_few_buckets_per_insert)
{
    /* Doubling the heads of a subtable of 65,536 entries at once moved
     * every one of them in one insert: ~7 million cycles, a stall of
     * milliseconds. Now an insert moves at most 4 old buckets, and every
     * entry is found at every moment of the move. */
    enum { N = 24000 }; /* Past half of the last doubling's move (16,385 + 4,096). */
    struct ft_pipeline *p = routes(N);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.emc_entries = 0; /* Every hit goes through the subtable. */
    cfg.sig_buckets = 0;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    ck_assert_ptr_nonnull(c);
    unsigned grows = 0, checked = 0;
    uint32_t mask = 0, moved = 0;
    for (unsigned i = 0; i < N; i++) {
        struct ft_key k = route_key(i);
        ck_assert_int_eq(lookup1(c, &k), FT_SRC_MISS);
        ck_assert_uint_eq(c->n_subs, 1);
        const struct ft_csub *st = &c->subs[0];
        if (!mask) {
            mask = st->head_mask;           /* The subtable's first heads. */
        } else if (st->head_mask != mask) { /* This insert began a doubling. */
            ck_assert_uint_eq(st->head_mask, mask * 2 + 1);
            ck_assert_ptr_nonnull(st->old_heads); /* Not done at once. */
            ck_assert_uint_le(st->moved, 4);
            mask = st->head_mask;
            grows++;
        } else if (st->old_heads) {
            ck_assert_uint_le(st->moved - moved, 4);
            if (st->moved > (st->old_mask + 1) / 2 && checked < grows) {
                checked++; /* Half moved: every entry so far is found. */
                for (unsigned j = 0; j <= i; j++) {
                    struct ft_key kj = route_key(j);
                    ck_assert_int_eq(lookup1(c, &kj), FT_SRC_MEGAFLOW);
                }
            }
        }
        moved = st->old_heads ? st->moved : 0;
    }
    ck_assert_uint_ge(grows, 5); /* 128 .. 65,536 heads (half full at most). */
    ck_assert_uint_eq(checked, grows);
    for (unsigned j = 0; j < N; j++) {
        struct ft_key kj = route_key(j);
        ck_assert_int_eq(lookup1(c, &kj), FT_SRC_MEGAFLOW);
    }
    ft_cache_destroy(c, 1);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

START_TEST(periodic_fold_goes_in_steps)
{
    /* 20,000 entries (one per route) with a packet each. The periodic fold
     * takes at most STEP_MAX of them per maintenance call (a fiftieth of
     * the list, 400 here, held a worker ~200 us with 100,000). */
    enum { N = 24000 }; /* Past half of the last doubling's move (16,385 + 4,096). */
    struct ft_pipeline *p = routes(N);
    struct ft_cache *c = ft_cache_create(p, NULL);
    touch_routes(c, N);
    struct ft_cache_stats st;
    ft_cache_stats(c, &st);
    ck_assert_uint_eq(st.misses, N); /* Every route missed once. */
    uint64_t t = 1000000000ull;      /* Well past the fold interval. */
    ck_assert_uint_eq(rule_packets(p), 0);
    ft_cache_maintain(c, t, 0);
    uint64_t before = rule_packets(p);
    ck_assert_uint_gt(before, 0);
    ck_assert_uint_le(before, STEP_MAX);
    /* A packet counted mid-fold waits for the next fold: this one ends. */
    struct ft_key k0 = route_key(0);
    (void)lookup1(c, &k0);
    unsigned calls = 1;
    while (before < N && calls < N) {
        ft_cache_maintain(c, t, 0);
        (void)after_step(p, &before);
        calls++;
    }
    ck_assert_uint_eq(rule_packets(p), N);
    ck_assert_uint_le(calls, N / STEP_MAX + 2);
    for (int i = 0; i < 60; i++)
        ft_cache_maintain(c, t, 0); /* Next fold not due yet. */
    ck_assert_uint_eq(rule_packets(p), N);
    ft_cache_maintain(c, t + 200000000ull, 0);
    ck_assert_uint_eq(rule_packets(p), N + 1);
    ft_cache_destroy(c, t);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

START_TEST(asked_for_fold_goes_in_steps)
{
    /* A fold asked for (a stats request) in steps: not done until every
     * entry used before the request is in its rule, and never more than
     * STEP_MAX entries a step. */
    enum { N = 5000 };
    struct ft_pipeline *p = routes(N);
    struct ft_cache *c = ft_cache_create(p, NULL);
    touch_routes(c, N);
    ck_assert(ft_cache_fold_step(c, 1)); /* Nothing asked for: done. */
    ck_assert_uint_eq(rule_packets(p), 0);
    ft_cache_fold_request(c);
    uint64_t before = 0;
    unsigned steps = 0;
    bool done = false;
    while (!done) {
        done = ft_cache_fold_step(c, 2);
        steps++;
        uint64_t now = after_step(p, &before);
        ck_assert(done || now < N);
    }
    ck_assert_uint_eq(rule_packets(p), N);
    ck_assert_uint_ge(steps, N / STEP_MAX);
    /* A request while a fold runs takes what was used since, too. */
    touch_routes(c, N);
    ft_cache_fold_request(c);
    ck_assert(!ft_cache_fold_step(c, 3));
    struct ft_key k0 = route_key(0), k1 = route_key(N - 1);
    (void)lookup1(c, &k0); /* Folded already: dirty again. */
    (void)lookup1(c, &k1); /* Not folded yet: one more packet to take. */
    ft_cache_fold_request(c);
    while (!ft_cache_fold_step(c, 4))
        ;
    ck_assert_uint_eq(rule_packets(p), 2 * N + 2);
    ft_cache_destroy(c, 5);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

/* Each route's packets, by its rule's destination. */
static int
per_route(void *aux, const struct ft_rule *r)
{
    struct ft_match m;
    uint64_t pk;
    ft_rule_match(r, &m);
    ft_rule_stats(r, &pk, NULL, NULL);
    ((uint64_t *)aux)[m.key.ipv4_dst - 0x0a000000u] = pk;
    return 0;
}

START_TEST(counters_exact_when_entries_go_mid_fold)
{
    /* 64 entries for 600 routes: capacity evictions all the time, in the
     * middle of periodic and asked-for folds. Each evicted entry leaves
     * the dirty list (its slot taken by the last one); no packet may be
     * lost or counted twice. */
    enum { N = 600 };
    uint64_t s = test_seed();
    struct ft_pipeline *p = routes(N);
    struct ft_cache_config cfg;
    ft_cache_config_default(&cfg);
    cfg.max_entries = 64;
    struct ft_cache *c = ft_cache_create(p, &cfg);
    static uint64_t sent[N];
    memset(sent, 0, sizeof sent);
    uint64_t t = 1000000000ull;
    for (int i = 0; i < 200000; i++) {
        unsigned r = (unsigned)test_rand(&s) % N;
        struct ft_key k = route_key(r % 2 ? r : r % 100); /* Some hot, most cold. */
        (void)lookup1(c, &k);
        sent[r % 2 ? r : r % 100]++;
        switch (test_rand(&s) % 64) {
        case 0:
            t += 50000000ull;
            ft_cache_maintain(c, t, (unsigned)(test_rand(&s) % 8));
            break;
        case 1:
            ft_cache_fold_request(c);
            break;
        case 2:
            (void)ft_cache_fold_step(c, t);
            break;
        }
        ck_assert_uint_le(c->dirty_tail - c->dirty_head, cfg.max_entries);
    }
    ft_cache_fold(c, t);
    static uint64_t got[N];
    memset(got, 0, sizeof got);
    struct ft_flow_filter f = {
        .table_id = FT_TABLE_ALL, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&f.match);
    ft_pipeline_rules_foreach(p, &f, per_route, got);
    uint64_t total = 0;
    for (unsigned r = 0; r < N; r++) {
        ck_assert_uint_eq(got[r], sent[r]);
        total += sent[r];
    }
    ck_assert_uint_eq(total, 200000);
    ft_cache_destroy(c, t);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

START_TEST(idle_steps_fold_a_few_dozen_entries)
{
    /* A worker with no packets folds in steps of at most IDLE_STEP_MAX
     * entries (a packet arriving meanwhile waits a few microseconds; the
     * 256-entry steps of maintenance held packets 25-100 us with 100,000
     * entries). Nothing is folded while no fold runs, and the steps carry
     * on a periodic fold and an asked-for one alike, exactly. */
    enum { N = 5000 };
    struct ft_pipeline *p = routes(N);
    struct ft_cache *c = ft_cache_create(p, NULL);
    touch_routes(c, N);
    for (int i = 0; i < 10; i++)
        ck_assert(ft_cache_fold_idle(c, 1)); /* No fold running. */
    ck_assert_uint_eq(rule_packets(p), 0);
    uint64_t t = 1000000000ull;
    ft_cache_maintain(c, t, 0); /* Starts the periodic fold: one step. */
    uint64_t before = rule_packets(p);
    ck_assert_uint_le(before, STEP_MAX);
    unsigned calls = 0;
    bool done = false;
    while (!done) {
        done = ft_cache_fold_idle(c, t);
        uint64_t now = rule_packets(p);
        ck_assert_uint_le(now - before, IDLE_STEP_MAX);
        ck_assert(done || now < N);
        before = now;
        calls++;
    }
    ck_assert_uint_eq(rule_packets(p), N);
    ck_assert_uint_ge(calls, (N - STEP_MAX) / IDLE_STEP_MAX);
    touch_routes(c, N);
    ft_cache_fold_request(c);
    while (!ft_cache_fold_idle(c, t + 1)) {
        uint64_t now = rule_packets(p);
        ck_assert_uint_le(now - before, IDLE_STEP_MAX);
        before = now;
    }
    ck_assert_uint_eq(rule_packets(p), 2 * N);
    ft_cache_destroy(c, t);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("cache_steps");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, subtables_grow_a_few_buckets_per_insert);
    tcase_add_test(tc, periodic_fold_goes_in_steps);
    tcase_add_test(tc, asked_for_fold_goes_in_steps);
    tcase_add_test(tc, idle_steps_fold_a_few_dozen_entries);
    tcase_add_test(tc, counters_exact_when_entries_go_mid_fold);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
