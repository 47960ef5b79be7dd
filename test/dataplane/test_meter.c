/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Meters on packets (dp_meter.h): bucket arithmetic with simulated time,
 * band choice, DSCP remarking, counters, runtime carry-over across tables,
 * and exact accounting when several threads charge one meter at once.
 */
#include <pthread.h>

#include <rte_cycles.h>

#include "dp_meter.h"
#include "dp_test.h"
#include "flowtable/ft_test_util.h"

static struct ft_pipeline *p;
static uint64_t hz;

static void
setup(void)
{
    p = ft_pipeline_create(NULL);
    ck_assert_ptr_nonnull(p);
    dp_meter_init();
    hz = rte_get_tsc_hz();
}

static void
teardown(void)
{
    ft_pipeline_destroy(p);
}

static void
add_meter(uint32_t id, uint16_t flags, const struct ft_meter_band *b, uint32_t n, uint16_t cmd)
{
    struct ft_meter_mod mm = {
        .command = cmd, .flags = flags, .meter_id = id, .n_bands = n, .bands = b};
    ck_assert_int_eq(ft_pipeline_meter_mod(p, &mm, 0), FT_OK);
    tu_settle(p);
}

static struct dp_meter_table *
table(const struct dp_meter_table *old)
{
    struct dp_meter_table *t = dp_meter_table_build(p, ft_pipeline_version(p), old, hz);
    ck_assert_ptr_nonnull(t);
    return t;
}

/* Meter time t seconds after some fixed start. */
static uint64_t
at(double t)
{
    return dp_meter_now(rte_rdtsc()) + (uint64_t)(t * (double)hz) * (1u << DP_METER_SHIFT);
}

static int
run_n(struct dp_meter_rt *rt, int n, uint32_t len, uint64_t now, enum dp_meter_verdict v)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        count += dp_meter_run(rt, NULL, NULL, len, now) == v;
    return count;
}

START_TEST(pktps_burst_then_rate)
{
    struct ft_meter_band b = {.type = FT_MBT_DROP, .rate = 10, .burst_size = 5};
    add_meter(1, FT_MF_PKTPS | FT_MF_BURST | FT_MF_STATS, &b, 1, FT_MC_ADD);
    struct dp_meter_table *t = table(NULL);
    struct dp_meter_rt *rt = dp_meter_lookup(t, 1);
    ck_assert_ptr_nonnull(rt);
    ck_assert_ptr_null(dp_meter_lookup(t, 2));
    uint64_t t0 = at(0);
    /* At one instant: the burst passes, the rest exceeds the band. */
    ck_assert_int_eq(run_n(rt, 20, 100, t0, DP_METER_PASS), 5);
    /* One second later ten more packets' worth of budget (10 pps), no more
     * than the burst at once. */
    ck_assert_int_eq(run_n(rt, 20, 100, t0 + (hz << DP_METER_SHIFT), DP_METER_PASS), 5);
    ck_assert_int_eq(run_n(rt, 20, 100, t0 + (3 * hz << DP_METER_SHIFT), DP_METER_PASS), 5);
    uint64_t pk, by;
    const struct ft_meter *m = ft_pipeline_meter_find(p, ft_pipeline_version(p), 1);
    ft_meter_stats(m, &pk, &by);
    ck_assert_uint_eq(pk, 60);
    ck_assert_uint_eq(by, 6000);
    ft_meter_band_stats(m, 0, &pk, &by);
    ck_assert_uint_eq(pk, 45);
    dp_meter_table_put(t);
}
END_TEST

START_TEST(pktps_steady_rate)
{
    /* 1000 pps, one packet every 1.5 ms: all conform; every 0.1 ms: about
     * one in ten conforms once the burst is spent. */
    struct ft_meter_band b = {.type = FT_MBT_DROP, .rate = 1000, .burst_size = 1};
    add_meter(1, FT_MF_PKTPS | FT_MF_BURST, &b, 1, FT_MC_ADD);
    struct dp_meter_table *t = table(NULL);
    struct dp_meter_rt *rt = dp_meter_lookup(t, 1);
    uint64_t t0 = at(0);
    int pass = 0;
    for (int i = 0; i < 1000; i++)
        pass += dp_meter_run(rt, NULL, NULL, 64, t0 + (uint64_t)(i * 0.0015 * (double)hz) * 16) ==
                DP_METER_PASS;
    ck_assert_int_eq(pass, 1000);
    pass = 0;
    uint64_t t1 = t0 + (2 * hz << DP_METER_SHIFT);
    for (int i = 0; i < 10000; i++)
        pass += dp_meter_run(rt, NULL, NULL, 64, t1 + (uint64_t)(i * 0.0001 * (double)hz) * 16) ==
                DP_METER_PASS;
    ck_assert_int_ge(pass, 999);
    ck_assert_int_le(pass, 1002);
    dp_meter_table_put(t);
}
END_TEST

START_TEST(kbps_bytes)
{
    /* 8 kb/s = 1000 bytes/s, burst 8 kb = 1000 bytes: ten 100-byte
     * packets at once, then four 250-byte packets a second later. */
    struct ft_meter_band b = {.type = FT_MBT_DROP, .rate = 8, .burst_size = 8};
    add_meter(7, FT_MF_KBPS | FT_MF_BURST, &b, 1, FT_MC_ADD);
    struct dp_meter_table *t = table(NULL);
    struct dp_meter_rt *rt = dp_meter_lookup(t, 7);
    uint64_t t0 = at(0);
    ck_assert_int_eq(run_n(rt, 30, 100, t0, DP_METER_PASS), 10);
    ck_assert_int_eq(run_n(rt, 30, 250, t0 + (hz << DP_METER_SHIFT), DP_METER_PASS), 4);
    /* A packet larger than the burst never conforms. */
    ck_assert_int_eq(run_n(rt, 1, 1001, t0 + (100 * hz << DP_METER_SHIFT), DP_METER_PASS), 0);
    dp_meter_table_put(t);
}
END_TEST

START_TEST(highest_exceeded_band_applies)
{
    /* 10 pps remark and 20 pps drop, bursts of 10 and 20: at one instant
     * packets 1-10 pass, 11-20 exceed only the 10 pps band (remark), 21+
     * exceed both (the 20 pps band, drop). */
    struct ft_meter_band b[2] = {
        {.type = FT_MBT_DSCP_REMARK, .rate = 10, .burst_size = 10, .prec_level = 1},
        {.type = FT_MBT_DROP, .rate = 20, .burst_size = 20},
    };
    add_meter(3, FT_MF_PKTPS | FT_MF_BURST, b, 2, FT_MC_ADD);
    struct dp_meter_table *t = table(NULL);
    struct dp_meter_rt *rt = dp_meter_lookup(t, 3);
    uint64_t t0 = at(0);
    enum dp_meter_verdict v[30];
    for (int i = 0; i < 30; i++)
        v[i] = dp_meter_run(rt, NULL, NULL, 64, t0);
    for (int i = 0; i < 30; i++)
        ck_assert_int_eq(v[i], i < 10 ? DP_METER_PASS : i < 20 ? DP_METER_REMARKED : DP_METER_DROP);
    dp_meter_table_put(t);
}
END_TEST

static struct rte_mbuf *
ipv4_with_dscp(uint8_t dscp)
{
    uint8_t f[34] = {0};
    f[12] = 0x08;
    f[14] = 0x45;
    f[15] = (uint8_t)(dscp << 2 | 1); /* ECN 1 must survive. */
    f[17] = 20;
    f[22] = 64;
    ft_wr16(f + 24, (uint16_t)~dp_csum_fold(dp_csum_words(f + 14, 20)));
    return dp_test_mbuf(f, sizeof f);
}

START_TEST(dscp_remark_af_only)
{
    struct ft_meter_band b = {
        .type = FT_MBT_DSCP_REMARK, .rate = 1, .burst_size = 1, .prec_level = 1};
    add_meter(4, FT_MF_PKTPS | FT_MF_BURST, &b, 1, FT_MC_ADD);
    struct dp_meter_table *t = table(NULL);
    struct dp_meter_rt *rt = dp_meter_lookup(t, 4);
    uint64_t t0 = at(0);
    ck_assert_int_eq(dp_meter_run(rt, NULL, NULL, 34, t0), DP_METER_PASS); /* Burst. */
    static const uint8_t cases[][2] = {
        {10, 12}, /* AF11 -> AF12 */
        {14, 14}, /* AF13 stays: already the highest precedence. */
        {34, 36}, /* AF41 -> AF42 */
        {46, 46}, /* EF: not AF, untouched. */
        {0, 0},   /* Best effort: untouched. */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rte_mbuf *m = ipv4_with_dscp(cases[i][0]);
        struct dp_hdr h;
        dp_hdr_parse(m, &h);
        ck_assert_int_eq(dp_meter_run(rt, m, &h, 34, t0), DP_METER_REMARKED);
        const uint8_t *ip = dp_pkt_data(m) + 14;
        ck_assert_uint_eq(ip[1] >> 2, cases[i][1]);
        ck_assert_uint_eq(ip[1] & 3, 1);
        ck_assert_uint_eq(dp_csum_fold(dp_csum_words(ip, 20)), 0xffff);
        rte_pktmbuf_free(m);
    }
    dp_meter_table_put(t);
}
END_TEST

START_TEST(runtime_carried_until_modified)
{
    struct ft_meter_band b = {.type = FT_MBT_DROP, .rate = 10, .burst_size = 2};
    add_meter(1, FT_MF_PKTPS | FT_MF_BURST, &b, 1, FT_MC_ADD);
    add_meter(2, FT_MF_PKTPS | FT_MF_BURST, &b, 1, FT_MC_ADD);
    struct dp_meter_table *t1 = table(NULL);
    uint64_t t0 = at(0);
    ck_assert_int_eq(run_n(dp_meter_lookup(t1, 1), 5, 64, t0, DP_METER_PASS), 2);
    ck_assert_int_eq(run_n(dp_meter_lookup(t1, 2), 5, 64, t0, DP_METER_PASS), 2);
    /* Modify meter 2 only: meter 1 keeps its spent bucket, 2 starts full. */
    add_meter(2, FT_MF_PKTPS | FT_MF_BURST, &b, 1, FT_MC_MODIFY);
    struct dp_meter_table *t2 = table(t1);
    ck_assert_ptr_eq(dp_meter_lookup(t2, 1), dp_meter_lookup(t1, 1));
    ck_assert_ptr_ne(dp_meter_lookup(t2, 2), dp_meter_lookup(t1, 2));
    dp_meter_table_put(t1);
    ck_assert_int_eq(run_n(dp_meter_lookup(t2, 1), 5, 64, t0, DP_METER_PASS), 0);
    ck_assert_int_eq(run_n(dp_meter_lookup(t2, 2), 5, 64, t0, DP_METER_PASS), 2);
    /* Deleted meters leave the table. */
    struct ft_meter_mod mm = {.command = FT_MC_DELETE, .meter_id = 1};
    ck_assert_int_eq(ft_pipeline_meter_mod(p, &mm, 0), FT_OK);
    tu_settle(p);
    struct dp_meter_table *t3 = table(t2);
    ck_assert_ptr_null(dp_meter_lookup(t3, 1));
    ck_assert_ptr_eq(dp_meter_lookup(t3, 2), dp_meter_lookup(t2, 2));
    dp_meter_table_put(t2);
    dp_meter_table_put(t3);
}
END_TEST

struct hammer {
    struct dp_meter_rt *rt;
    uint64_t now;
    int pass;
};

static void *
hammer(void *arg)
{
    struct hammer *h = arg;
    for (int i = 0; i < 200000; i++)
        h->pass += dp_meter_run(h->rt, NULL, NULL, 64, h->now) == DP_METER_PASS;
    return NULL;
}

START_TEST(shared_by_threads_exact)
{
    /* Four threads charge one band at one instant: exactly the burst
     * passes in total, however the CAS races go. */
    struct ft_meter_band b = {.type = FT_MBT_DROP, .rate = 1000, .burst_size = 777};
    add_meter(9, FT_MF_PKTPS | FT_MF_BURST, &b, 1, FT_MC_ADD);
    struct dp_meter_table *t = table(NULL);
    struct hammer h[4];
    pthread_t th[4];
    uint64_t now = at(0);
    for (int i = 0; i < 4; i++) {
        h[i] = (struct hammer){.rt = dp_meter_lookup(t, 9), .now = now};
        ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, &h[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        total += h[i].pass;
    }
    ck_assert_int_eq(total, 777);
    uint64_t pk, by;
    ft_meter_stats(ft_pipeline_meter_find(p, ft_pipeline_version(p), 9), &pk, &by);
    ck_assert_uint_eq(pk, 800000);
    dp_meter_table_put(t);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("meter");
    TCase *tc = tcase_create("meter");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pktps_burst_then_rate);
    tcase_add_test(tc, pktps_steady_rate);
    tcase_add_test(tc, kbps_bytes);
    tcase_add_test(tc, highest_exceeded_band_applies);
    tcase_add_test(tc, dscp_remark_af_only);
    tcase_add_test(tc, runtime_carried_until_modified);
    tcase_add_test(tc, shared_by_threads_exact);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
