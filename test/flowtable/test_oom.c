/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Out of memory in the pipeline's edits (-Dfault_injection): each edit is
 * run again and again with its first, second, third... allocation failing,
 * until it runs with none failing. Every time, the pipeline must answer
 * either as before the edit (the edit reported an error) or as after it
 * done without failures (it reported success) — never in between, never a
 * rule committed that lookups cannot find, never a rule left using a
 * group or meter that is gone. Compared by walking a set of packets on
 * three pipelines built alike: one before, one after, one under test.
 */
#include "check_main.h"
#include "ft_alloc.h"
#include "ft_test_util.h"

static struct ft_walk_out w_a, w_b;

/* The pipeline every case starts from. */
static void
setup(struct ft_pipeline *p)
{
    struct ft_action out1, out2;
    ck_assert(tu_action("output:1", &out1));
    ck_assert(tu_action("output:2", &out2));
    struct ft_bucket b[2] = {
        {.n_actions = 1, .actions = &out1, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY},
        {.n_actions = 1, .actions = &out2, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY},
    };
    struct ft_group_mod gm = {
        .command = FT_GC_ADD, .type = FT_GT_ALL, .group_id = 7, .n_buckets = 2, .buckets = b};
    ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
    struct ft_meter_band band = {.type = FT_MBT_DROP, .rate = 100};
    struct ft_meter_mod mm = {
        .command = FT_MC_ADD, .flags = FT_MF_PKTPS, .meter_id = 3, .n_bands = 1, .bands = &band};
    ck_assert_int_eq(ft_pipeline_meter_mod(p, &mm, 0), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=5,ip,nw_dst=10.0.0.0/24", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=4,ip,nw_dst=10.0.1.0/24", "group:7"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=3,ip,nw_dst=10.0.2.0/24", "meter:3,output:2"),
                     FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=2,arp", "goto_table:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=1,arp,arp_op=1", "output:3"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=0", "CONTROLLER:64"), FT_OK);
    tu_settle(p);
}

static const char *const packets[] = {
    "in_port=1,ip,nw_dst=10.0.0.1", "in_port=1,ip,nw_dst=10.0.0.9", "in_port=1,ip,nw_dst=10.0.1.1",
    "in_port=1,ip,nw_dst=10.0.2.1", "in_port=1,ip,nw_dst=10.0.3.1", "in_port=1,arp,arp_op=1",
    "in_port=1,arp,arp_op=2",       "in_port=2,ip,nw_dst=10.0.0.1",
};

/* Do two pipelines answer every packet alike? */
static bool
same_answers(struct ft_pipeline *a, struct ft_pipeline *b, const char **which)
{
    for (size_t i = 0; i < sizeof packets / sizeof packets[0]; i++) {
        struct ft_key k = tu_key(packets[i]);
        ft_walk(a, ft_pipeline_version(a), &k, &w_a);
        ft_walk(b, ft_pipeline_version(b), &k, &w_b);
        if (w_a.n_ops != w_b.n_ops || w_a.flags != w_b.flags ||
            memcmp(w_a.ops, w_b.ops, w_a.n_ops * sizeof w_a.ops[0])) {
            *which = packets[i];
            return false;
        }
    }
    return true;
}

struct edit {
    const char *name;
    enum ft_err (*run)(struct ft_pipeline *p);
};

/* Which allocation of the pipeline call to fail, or -1: armed only around
 * that call, never the test's own allocations. */
static int64_t fail_at = -1;

static void
arm(void)
{
    if (fail_at >= 0)
        ft_fault_arm((uint64_t)fail_at, 1);
}

static enum ft_err
flow(struct ft_pipeline *p, uint8_t cmd, const char *spec, const char *insts)
{
    struct ft_flow_mod fm;
    tu_flow_mod_init(&fm, cmd, spec);
    struct ft_insts *in = insts ? tu_insts(insts) : NULL;
    fm.insts = in;
    arm();
    enum ft_err err = ft_pipeline_flow_mod(p, &fm, 0);
    ft_fault_disarm();
    free(in);
    return err;
}

static enum ft_err
add_above_in_same_subtable(struct ft_pipeline *p)
{
    /* Raises the subtable's priority bound (the vector lookups follow). */
    return flow(p, FT_FC_ADD, "table=0,priority=9,ip,nw_dst=10.0.0.0/24", "output:4");
}

static enum ft_err
add_in_new_subtable(struct ft_pipeline *p)
{
    return flow(p, FT_FC_ADD, "table=0,priority=9,ip,nw_dst=10.0.0.1", "output:5");
}

static enum ft_err
modify_instructions(struct ft_pipeline *p)
{
    return flow(p, FT_FC_MODIFY, "table=0,ip", "output:6");
}

static enum ft_err
delete_group_with_rules(struct ft_pipeline *p)
{
    struct ft_group_mod gm = {.command = FT_GC_DELETE, .group_id = 7};
    arm();
    enum ft_err err = ft_pipeline_group_mod(p, &gm, 0);
    ft_fault_disarm();
    return err;
}

static enum ft_err
delete_meter_with_rules(struct ft_pipeline *p)
{
    struct ft_meter_mod mm = {.command = FT_MC_DELETE, .meter_id = 3};
    arm();
    enum ft_err err = ft_pipeline_meter_mod(p, &mm, 0);
    ft_fault_disarm();
    return err;
}

static enum ft_err
retype_group(struct ft_pipeline *p)
{
    struct ft_action out3;
    ck_assert(tu_action("output:3", &out3));
    struct ft_bucket b = {
        .n_actions = 1, .actions = &out3, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY};
    struct ft_group_mod gm = {.command = FT_GC_MODIFY,
                              .type = FT_GT_INDIRECT,
                              .group_id = 7,
                              .n_buckets = 1,
                              .buckets = &b};
    arm();
    enum ft_err err = ft_pipeline_group_mod(p, &gm, 0);
    ft_fault_disarm();
    return err;
}

static enum ft_err
delete_table_flows(struct ft_pipeline *p)
{
    return flow(p, FT_FC_DELETE, "table=1", NULL);
}

static const struct edit edits[] = {
    {"add above in the same subtable", add_above_in_same_subtable},
    {"add in a new subtable", add_in_new_subtable},
    {"modify instructions", modify_instructions},
    {"delete a group that rules use", delete_group_with_rules},
    {"delete a meter that rules use", delete_meter_with_rules},
    {"retype a group", retype_group},
    {"delete a table's flows", delete_table_flows},
};

START_TEST(each_allocation_failing_in_turn)
{
    if (!ft_fault_available()) {
        fprintf(stderr, "skipped: build with -Dfault_injection=true\n");
        return;
    }
    const struct edit *e = &edits[_i];
    struct ft_pipeline *before = ft_pipeline_create(NULL), *after = ft_pipeline_create(NULL);
    setup(before);
    setup(after);
    ck_assert_int_eq(e->run(after), FT_OK);
    tu_settle(after);
    const char *which = "";
    ck_assert_msg(!same_answers(before, after, &which), "%s changes no answer", e->name);

    unsigned errors = 0;
    for (uint64_t k = 0;; k++) {
        ck_assert_uint_lt(k, 1000);
        struct ft_pipeline *p = ft_pipeline_create(NULL);
        setup(p);
        fail_at = (int64_t)k;
        enum ft_err err = e->run(p);
        fail_at = -1;
        uint64_t failed = ft_fault_failed();
        /* Compared as readers see the version just committed: before a
         * reclaim, which could repair what the commit got wrong unnoticed
         * by the flow caches that already walked it. */
        ft_pipeline_commit(p);
        if (err) {
            errors++;
            ck_assert_msg(failed, "%s: error %s without a failed allocation", e->name,
                          ft_err_name(err));
            ck_assert_msg(same_answers(p, before, &which),
                          "%s, allocation %llu failing: error %s, but %s is not answered as "
                          "before",
                          e->name, (unsigned long long)k, ft_err_name(err), which);
        } else {
            ck_assert_msg(same_answers(p, after, &which),
                          "%s, allocation %llu failing: success, but %s is not answered as "
                          "after it",
                          e->name, (unsigned long long)k, which);
        }
        tu_settle(p);
        ft_pipeline_destroy(p);
        if (!failed)
            break; /* Ran with every allocation it needs. */
    }
    ck_assert_msg(errors > 0, "%s: no allocation failure reached it", e->name);
    ft_pipeline_destroy(before);
    ft_pipeline_destroy(after);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("oom");
    TCase *tc = tcase_create("errors");
    tcase_add_loop_test(tc, each_allocation_failing_in_turn, 0, sizeof edits / sizeof edits[0]);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
