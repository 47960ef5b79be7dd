/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The automatic choice of flow-cache stages (dp_stages_decide), fed the
 * counters a dataplane would show at the end of each one-second window.
 * The shapes are the benchmark's: scenario 4 (a four-table pipeline whose
 * one-stage cache fits: stages cut its entries but cost three times the
 * cycles), scenario 8 (a cross product that thrashes one stage: stages
 * win on every count), scenario 5 (masks whose product explodes one
 * stage's entries, but one lookup costs less than two). And the dataplane's side of it
 * (dp_stages_tick): what it costs the agent's core when one stage is all there is.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dp_int.h"
#include "flowtable/ft_test_util.h"

#define SEC 1000000000ull

/* Counters grow window by window, as the workers' do. */
struct feed {
    struct dp_stage_auto a;
    struct dp_stage_sample cum;
    uint64_t now;
};

static enum dp_stages_step
window(struct feed *f, uint32_t entries, uint64_t lookups, uint64_t misses, uint64_t cpp)
{
    f->cum.lookups += lookups;
    f->cum.misses += misses;
    f->cum.packets += lookups;
    f->cum.busy_cycles += lookups * cpp;
    f->cum.entries = entries;
    f->now += SEC;
    return dp_stages_decide(&f->a, &f->cum, f->now);
}

/* A trial from a fresh state: one stage's window (ONE_ENTRIES, no misses,
 * ONE_CPP cycles a packet) starts it, the stages fill for a window, and
 * the step their window (ENTRIES, MISSES, CPP) decides is returned. */
static enum dp_stages_step
trial(struct feed *f, uint32_t one_entries, uint64_t one_cpp, uint32_t entries, uint64_t misses,
      uint64_t cpp)
{
    memset(f, 0, sizeof *f);
    ck_assert_int_eq(window(f, one_entries, 1000000, 0, one_cpp), DP_STAGES_STEP_TRY);
    ck_assert_int_eq(window(f, entries, 1000000, entries, 2 * cpp), DP_STAGES_STEP_NONE);
    return window(f, entries, 1000000, misses, cpp);
}

START_TEST(dearer_stages_revert)
{
    struct feed f;
    memset(&f, 0, sizeof f);
    /* One stage: 4,000 entries, no misses, 561 cycles a packet. */
    ck_assert_int_eq(window(&f, 4000, 1000000, 0, 561), DP_STAGES_STEP_TRY);
    ck_assert_int_eq(window(&f, 1006, 1000000, 1006, 2000), DP_STAGES_STEP_NONE); /* Filling. */
    /* Staged: a quarter of the entries, but 1,846 cycles a packet. */
    ck_assert_int_eq(window(&f, 1006, 1000000, 0, 1846), DP_STAGES_STEP_REVERT);
    ck_assert_int_eq(f.a.phase, DP_STAGES_ONE);
    ck_assert_uint_gt(f.a.retry_ns, f.now);
    /* It does not try again before the backoff ends, */
    ck_assert_int_eq(window(&f, 4000, 1000000, 0, 561), DP_STAGES_STEP_NONE);
    /* nor after it while the load is the one it tried (a trial flushes
     * the caches twice), */
    f.now = f.a.retry_ns;
    for (int i = 0; i < 5; i++) /* A refill's misses (0.4 %) are not growth. */
        ck_assert_int_eq(window(&f, 7999, 1000000, i % 2 ? 4000 : 999, 561), DP_STAGES_STEP_NONE);
    ck_assert_int_eq(f.a.phase, DP_STAGES_ONE);
    /* but once it doubled (entries, or misses). */
    ck_assert_int_eq(window(&f, 8000, 1000000, 0, 561), DP_STAGES_STEP_TRY);
    ck_assert_int_eq(window(&f, 1006, 1000000, 1006, 2000), DP_STAGES_STEP_NONE);
    ck_assert_int_eq(window(&f, 1006, 1000000, 0, 1846), DP_STAGES_STEP_REVERT);
    f.now = f.a.retry_ns;
    ck_assert_int_eq(window(&f, 8000, 1000000, 0, 561), DP_STAGES_STEP_NONE);
    ck_assert_int_eq(window(&f, 8000, 1000000, 9999, 561), DP_STAGES_STEP_NONE);
    ck_assert_int_eq(window(&f, 8000, 1000000, 10000, 561), DP_STAGES_STEP_TRY);
}
END_TEST

START_TEST(thrashing_cross_product_keeps_stages)
{
    struct feed f;
    memset(&f, 0, sizeof f);
    /* One stage full at 262,144 entries, a third of lookups missing. */
    ck_assert_int_eq(window(&f, 262144, 1000000, 340000, 3134), DP_STAGES_STEP_TRY);
    ck_assert_int_eq(window(&f, 2000, 1000000, 2000, 900), DP_STAGES_STEP_NONE);
    ck_assert_int_eq(window(&f, 2000, 1000000, 0, 697), DP_STAGES_STEP_NONE);
    ck_assert_int_eq(f.a.phase, DP_STAGES_KEPT);
    ck_assert_int_eq(window(&f, 2000, 1000000, 0, 697), DP_STAGES_STEP_FOLLOW);
}
END_TEST

START_TEST(fewer_entries_at_the_same_cost_keeps_stages)
{
    struct feed f;
    ck_assert_int_eq(trial(&f, 40000, 500, 400, 0, 540), DP_STAGES_STEP_NONE); /* +8 %. */
    ck_assert_int_eq(f.a.phase, DP_STAGES_KEPT);
}
END_TEST

/* Scenario 5: 32 x 32 masks. One stage fits (no misses) but needs 2,608
 * entries over 257 masks; two stages need 64, at a third more cycles a
 * packet (a second lookup). Entries alone do not keep stages: back to
 * one stage. At the same cost they stay. */
START_TEST(exploded_combinations_dearer_revert)
{
    struct feed f;
    ck_assert_int_eq(trial(&f, 2608, 316, 64, 0, 425), DP_STAGES_STEP_REVERT); /* +34 %. */
    ck_assert_int_eq(f.a.phase, DP_STAGES_ONE);
    ck_assert_int_eq(trial(&f, 2608, 316, 64, 0, 330), DP_STAGES_STEP_NONE); /* +4 %. */
    ck_assert_int_eq(f.a.phase, DP_STAGES_KEPT);
}
END_TEST

/* Twice the cycles, or a product that did not shrink (a quarter of the
 * entries, +34 %), or fewer entries but more misses than one stage: one
 * stage again. */
START_TEST(dearer_or_missing_more_reverts)
{
    struct feed f;
    ck_assert_int_eq(trial(&f, 2608, 316, 50, 0, 632), DP_STAGES_STEP_REVERT);
    ck_assert_int_eq(trial(&f, 2608, 316, 652, 0, 425), DP_STAGES_STEP_REVERT);
    ck_assert_int_eq(trial(&f, 2608, 316, 50, 5000, 330), DP_STAGES_STEP_REVERT);
}
END_TEST

START_TEST(no_pressure_or_no_traffic_changes_nothing)
{
    struct feed f;
    memset(&f, 0, sizeof f);
    /* A small cache that hits: one stage stays. */
    ck_assert_int_eq(window(&f, 100, 1000000, 10, 300), DP_STAGES_STEP_NONE);
    ck_assert_int_eq(f.a.phase, DP_STAGES_ONE);
    /* A big one, but too few lookups in the window to judge. */
    ck_assert_int_eq(window(&f, 100000, 100, 50, 300), DP_STAGES_STEP_NONE);
    ck_assert_int_eq(f.a.phase, DP_STAGES_ONE);
}
END_TEST

/* n one-second windows of a million EMC hits at 500 cycles each. */
static void
busy_windows(struct dp *dp, struct dp_worker *w, uint64_t *now, int n)
{
    for (int sec = 0; sec < n; sec++, *now += SEC) {
        w->c.packets += 1000000;
        w->c.emc_hits += 1000000;
        w->c.busy_cycles += 500000000;
        dp_stages_tick(dp, *now);
    }
}

START_TEST(a_pipeline_without_gotos_is_scanned_once_per_version)
{
    /* A single table of 20,000 rules, a worker whose one-stage cache is
     * big: every window asks to try stages. Scanning every rule for a goto
     * each second (on the agent's core, which the generator shares in the
     * benchmark) cut scenario 9's rate from 6.1 to 3.4 Mpps; the answer
     * cannot change until the pipeline does. */
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    for (unsigned i = 0; i < 20000; i++) {
        char spec[64];
        snprintf(spec, sizeof spec, "priority=1,ip,nw_dst=10.0.%u.%u", i / 256, i % 256);
        ck_assert_int_eq(tu_add(p, spec, "output:1"), FT_OK);
    }
    ft_pipeline_commit(p);
    struct dp *dp = calloc(1, sizeof *dp);
    struct dp_worker *w = calloc(1, sizeof *w);
    ck_assert(dp && w);
    dp->p = p;
    dp->workers = &w;
    dp->n_workers = 1;
    ck_assert_int_eq(dp_set_stages(dp, true, NULL), 0);
    w->cache_pub.st.entries = 20000;
    uint64_t now = SEC;
    busy_windows(dp, w, &now, 10);
    ck_assert_uint_eq(dp->sa.scans, 1);
    ck_assert_int_eq(dp->sa.phase, DP_STAGES_ONE);
    /* A new version may have gotos: looked at again, once. */
    ck_assert_int_eq(tu_add(p, "priority=0", "output:2"), FT_OK);
    ft_pipeline_commit(p);
    busy_windows(dp, w, &now, 5);
    ck_assert_uint_eq(dp->sa.scans, 2);
    free(w);
    free(dp);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("stages");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, dearer_stages_revert);
    tcase_add_test(tc, thrashing_cross_product_keeps_stages);
    tcase_add_test(tc, fewer_entries_at_the_same_cost_keeps_stages);
    tcase_add_test(tc, exploded_combinations_dearer_revert);
    tcase_add_test(tc, dearer_or_missing_more_reverts);
    tcase_add_test(tc, no_pressure_or_no_traffic_changes_nothing);
    tcase_add_test(tc, a_pipeline_without_gotos_is_scanned_once_per_version);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(make_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
