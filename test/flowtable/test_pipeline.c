/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: flow-mod semantics and their errors, FLOW_REMOVED, timeouts,
 * counters across replacement, instructions checks, groups and meters.
 */
#include "check_main.h"
#include "ft_random.h"
#include "ft_test_util.h"

static struct ft_pipeline *p;
static struct ft_flow_removed removed[64];
static int n_removed;

static void
on_removed(void *aux, const struct ft_flow_removed *fr)
{
    (void)aux;
    ck_assert_int_lt(n_removed, 64);
    removed[n_removed++] = *fr;
}

static void
setup(void)
{
    struct ft_pipeline_config cfg;
    ft_pipeline_config_default(&cfg);
    cfg.table_capacity = 8;
    cfg.max_groups = 4;
    cfg.max_meters = 2;
    cfg.max_bands = 2;
    cfg.max_buckets = 3;
    p = ft_pipeline_create(&cfg);
    ck_assert_ptr_nonnull(p);
    ft_pipeline_set_flow_removed_cb(p, on_removed, NULL);
    n_removed = 0;
}

static void
teardown(void)
{
    ft_pipeline_destroy(p);
}

static uint32_t
active(uint8_t table)
{
    struct ft_table_stats st;
    ft_pipeline_table_stats(p, table, &st);
    return st.active_count;
}

struct found {
    const struct ft_rule *r;
    int n;
};

static int
grab(void *aux, const struct ft_rule *r)
{
    struct found *f = aux;
    f->r = r;
    f->n++;
    return 0;
}

/* The one rule matching spec strictly, or NULL. */
static const struct ft_rule *
find(const char *spec)
{
    struct ft_flow_mod fm;
    tu_flow_mod_init(&fm, FT_FC_DELETE_STRICT, spec);
    struct ft_flow_filter f = {.table_id = fm.table_id,
                               .strict = true,
                               .priority = fm.priority,
                               .out_port = FT_PORT_ANY,
                               .out_group = FT_GROUP_ANY,
                               .match = fm.match};
    struct found got = {NULL, 0};
    ft_pipeline_rules_foreach(p, &f, grab, &got);
    ck_assert_int_le(got.n, 1);
    return got.r;
}

START_TEST(flow_mod_command_errors)
{
    struct ft_flow_mod fm;
    tu_flow_mod_init(&fm, 9, "");
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_ERR_FLOW_MOD_FAILED_BAD_COMMAND);
    tu_flow_mod_init(&fm, FT_FC_ADD, "");
    fm.flags = 0x80;
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_ERR_FLOW_MOD_FAILED_BAD_FLAGS);
    ck_assert_int_eq(tu_add(p, "table=255", "output:1"), FT_ERR_FLOW_MOD_FAILED_BAD_TABLE_ID);
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY, "table=255", "output:1"),
                     FT_ERR_FLOW_MOD_FAILED_BAD_TABLE_ID);
    ck_assert_int_eq(tu_add(p, "table=3", "goto_table:3"), FT_ERR_BAD_INSTRUCTION_BAD_TABLE_ID);
    ck_assert_int_eq(tu_add(p, "table=3", "goto_table:1"), FT_ERR_BAD_INSTRUCTION_BAD_TABLE_ID);
    ck_assert_int_eq(tu_add(p, "table=254", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "", "output:0"), FT_ERR_BAD_ACTION_BAD_OUT_PORT);
    ck_assert_int_eq(tu_add(p, "", "output:ANY"), FT_ERR_BAD_ACTION_BAD_OUT_PORT);
    ck_assert_int_eq(tu_add(p, "", "group:9"), FT_ERR_BAD_ACTION_BAD_OUT_GROUP);
    ck_assert_int_eq(tu_add(p, "", "meter:9"), FT_ERR_METER_MOD_FAILED_UNKNOWN_METER);
    ck_assert_int_eq(tu_add(p, "", "meter:0"), FT_ERR_METER_MOD_FAILED_INVALID_METER);
    ck_assert_int_eq(tu_add(p, "", "push_vlan:0x0800"), FT_ERR_BAD_ACTION_BAD_ARGUMENT);
    ck_assert_int_eq(tu_add(p, "", "set_field:1->tcp_dst"), FT_ERR_BAD_ACTION_MATCH_INCONSISTENT);
    ck_assert_int_eq(tu_add(p, "tcp", "set_field:1->tcp_dst"), FT_OK);
    ck_assert_int_eq(tu_add(p, "udp", "set_field:1->tcp_dst"),
                     FT_ERR_BAD_ACTION_MATCH_INCONSISTENT);
    /* push_mpls makes the packet MPLS: IP fields are no longer settable. */
    ck_assert_int_eq(tu_add(p, "ip", "push_mpls:0x8847,set_field:1.2.3.4->ipv4_dst"),
                     FT_ERR_BAD_ACTION_MATCH_INCONSISTENT);
    ck_assert_int_eq(tu_add(p, "ip", "push_mpls:0x8847,set_field:7->mpls_label"), FT_OK);
    /* push_vlan satisfies VLAN_PCP's prerequisite. */
    ck_assert_int_eq(tu_add(p, "", "set_field:3->vlan_pcp"), FT_ERR_BAD_ACTION_MATCH_INCONSISTENT);
    ck_assert_int_eq(tu_add(p, "", "push_vlan:0x88a8,set_field:3->vlan_pcp"), FT_OK);
    /* ETH_TYPE, IP_PROTO and MPLS_BOS are header fields a switch can set
     * (issue 13, class 3), with their prerequisites; what they set is
     * what later actions may rely on. */
    ck_assert_int_eq(tu_add(p, "table=2,priority=11,mpls", "set_field:0x8848->eth_type"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=2,priority=12,tcp", "set_field:17->ip_proto"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=2,priority=13,mpls", "set_field:0->mpls_bos"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=2,priority=14", "set_field:17->ip_proto"),
                     FT_ERR_BAD_ACTION_MATCH_INCONSISTENT);
    ck_assert_int_eq(
        tu_add(p, "table=2,priority=15,ip", "set_field:0x8847->eth_type,set_field:5->mpls_label"),
        FT_OK);
    ck_assert_int_eq(
        tu_add(p, "table=2,priority=16,ip", "set_field:17->ip_proto,set_field:53->udp_dst"), FT_OK);
    /* In an action set the push runs before the set-field, whatever the order written. */
    ck_assert_int_eq(
        tu_add(p, "priority=9", "write_actions(set_field:3->vlan_pcp,push_vlan:0x8100)"), FT_OK);
    struct ft_insts *in = tu_insts("output:1");
    in->actions[0].type = 99;
    tu_flow_mod_init(&fm, FT_FC_ADD, "");
    fm.insts = in;
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_ERR_BAD_ACTION_BAD_TYPE);
    in->actions[0] = (struct ft_action){.type = FT_AT_SET_FIELD, .field = FT_F_IN_PORT};
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_ERR_BAD_ACTION_BAD_SET_TYPE);
    /* Fields that are metadata or a summary of the packet cannot be set. */
    in->actions[0] = (struct ft_action){.type = FT_AT_SET_FIELD, .field = FT_F_METADATA};
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_ERR_BAD_ACTION_BAD_SET_TYPE);
    in->actions[0] = (struct ft_action){.type = FT_AT_SET_FIELD, .field = FT_F_IPV6_EXTHDR};
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_ERR_BAD_ACTION_BAD_SET_TYPE);
    in->actions[0] =
        (struct ft_action){.type = FT_AT_SET_FIELD, .field = FT_F_VLAN_VID, .value.u16 = 0x2000};
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_ERR_BAD_ACTION_BAD_SET_ARGUMENT);
    free(in);
    tu_settle(p);
}
END_TEST

START_TEST(add_replaces_identical_and_keeps_counters)
{
    ck_assert_int_eq(tu_add(p, "priority=5,cookie=0x1,ip", "output:1"), FT_OK);
    tu_settle(p);
    const struct ft_rule *r = find("priority=5,ip");
    ft_rule_add_stats(r, 10, 1000, 5);
    ck_assert_int_eq(tu_add(p, "priority=5,cookie=0x2,ip", "output:2"), FT_OK);
    ck_assert_uint_eq(active(0), 1);
    const struct ft_rule *r2 = find("priority=5,ip");
    ck_assert_ptr_ne(r, r2);
    ck_assert_uint_eq(ft_rule_cookie(r2), 2);
    uint64_t pk, by;
    ft_rule_stats(r2, &pk, &by, NULL);
    ck_assert_uint_eq(pk, 10); /* Carried over... */
    /* ...and late folds into the old rule (a worker behind) still count. */
    ft_rule_add_stats(r, 1, 100, 6);
    ft_rule_stats(r2, &pk, &by, NULL);
    ck_assert_uint_eq(pk, 11);
    ck_assert_uint_eq(by, 1100);
    tu_settle(p); /* The old rule is freed; its counts were folded in. */
    ft_rule_stats(r2, &pk, &by, NULL);
    ck_assert_uint_eq(pk, 11);
    ck_assert_int_eq(n_removed, 0); /* A replacement is not a removal. */
    ck_assert_int_eq(tu_add(p, "priority=5,reset_counts,ip", "output:3"), FT_OK);
    ft_rule_stats(find("priority=5,ip"), &pk, &by, NULL);
    ck_assert_uint_eq(pk, 0);
    tu_settle(p);
}
END_TEST

START_TEST(check_overlap_and_table_full)
{
    ck_assert_int_eq(tu_add(p, "priority=5,ip,nw_dst=10.0.0.0/8", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=5,check_overlap,ip,nw_src=1.1.1.1", "output:1"),
                     FT_ERR_FLOW_MOD_FAILED_OVERLAP);
    ck_assert_int_eq(tu_add(p, "priority=6,check_overlap,ip,nw_src=1.1.1.1", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=5,check_overlap,ip,nw_dst=11.0.0.0/8", "output:1"), FT_OK);
    for (int i = 0; i < 5; i++) {
        char spec[64];
        snprintf(spec, sizeof spec, "priority=%d", 100 + i);
        ck_assert_int_eq(tu_add(p, spec, "output:1"), FT_OK);
    }
    ck_assert_uint_eq(active(0), 8);
    ck_assert_int_eq(tu_add(p, "priority=200", "output:1"), FT_ERR_FLOW_MOD_FAILED_TABLE_FULL);
    /* Replacing an identical rule needs no room. */
    ck_assert_int_eq(tu_add(p, "priority=100", "output:2"), FT_OK);
    /* Capacity is per table. */
    ck_assert_int_eq(tu_add(p, "table=1,priority=200", "output:1"), FT_OK);
    tu_settle(p);
}
END_TEST

START_TEST(modify_and_delete_selection)
{
    ck_assert_int_eq(tu_add(p, "priority=1,cookie=0x11,ip,nw_dst=10.0.0.1", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=2,cookie=0x12,ip,nw_dst=10.0.0.2", "output:2"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=3,cookie=0x21,ip", "output:3"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=3,cookie=0x22,ip", "group:1"),
                     FT_ERR_BAD_ACTION_BAD_OUT_GROUP);
    ck_assert_int_eq(tu_add(p, "table=1,priority=3,cookie=0x22,ip", "output:2"), FT_OK);
    tu_settle(p);
    /* MODIFY by cookie mask touches only 0x1? cookies, and keeps their cookies. */
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY, "cookie=0x10/0xf0", "output:9"), FT_OK);
    char buf[128];
    ft_insts_format(buf, sizeof buf, ft_rule_insts(find("priority=1,ip,nw_dst=10.0.0.1")));
    ck_assert_str_eq(buf, "apply_actions(output:9)");
    ck_assert_uint_eq(ft_rule_cookie(find("priority=2,ip,nw_dst=10.0.0.2")), 0x12);
    ft_insts_format(buf, sizeof buf, ft_rule_insts(find("table=0,priority=3,ip")));
    ck_assert_str_eq(buf, "apply_actions(output:3)");
    /* MODIFY with no match adds nothing (OF1.1+). */
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY, "ipv6", "output:9"), FT_OK);
    ck_assert_uint_eq(active(0), 3);
    /* MODIFY_STRICT needs the exact priority. */
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY_STRICT, "priority=4,ip", "output:7"), FT_OK);
    ft_insts_format(buf, sizeof buf, ft_rule_insts(find("table=0,priority=3,ip")));
    ck_assert_str_eq(buf, "apply_actions(output:3)");
    /* DELETE by out_port across all tables. */
    ck_assert_int_eq(tu_flow(p, FT_FC_DELETE, "out_port=2", NULL), FT_OK);
    ck_assert_uint_eq(active(1), 0);
    ck_assert_uint_eq(active(0), 3); /* Rule 0x12 outputs to 9 now. */
    /* Non-strict DELETE takes every rule at least as specific. */
    ck_assert_int_eq(tu_flow(p, FT_FC_DELETE, "table=0,ip,nw_dst=10.0.0.0/24", NULL), FT_OK);
    ck_assert_uint_eq(active(0), 1);
    ck_assert_int_eq(tu_flow(p, FT_FC_DELETE_STRICT, "table=0,priority=2,ip", NULL), FT_OK);
    ck_assert_uint_eq(active(0), 1);
    ck_assert_int_eq(tu_flow(p, FT_FC_DELETE_STRICT, "table=0,priority=3,ip", NULL), FT_OK);
    ck_assert_uint_eq(active(0), 0);
    tu_settle(p);
}
END_TEST

START_TEST(flow_removed_reasons_and_counts)
{
    ck_assert_int_eq(
        tu_add(p, "priority=7,cookie=0xab,send_flow_rem,idle_timeout=10,ip", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=8,send_flow_rem,hard_timeout=5,arp", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=9,ipv6", "output:1"), FT_OK); /* No flag. */
    tu_settle(p);
    const uint64_t s = 1000000000ull;
    ft_rule_add_stats(find("priority=7,ip"), 3, 300, 4 * s);
    ck_assert_uint_eq(ft_pipeline_expire(p, 6 * s), 1); /* Hard timeout at 5 s. */
    tu_settle(p);
    ck_assert_int_eq(n_removed, 1);
    ck_assert_int_eq(removed[0].reason, FT_RR_HARD_TIMEOUT);
    ck_assert_uint_eq(removed[0].priority, 8);
    ck_assert_uint_eq(removed[0].duration_ns, 6 * s);
    ck_assert_uint_eq(ft_pipeline_expire(p, 13 * s), 0); /* Used at 4 s: idle until 14 s. */
    ck_assert_uint_eq(ft_pipeline_expire(p, 14 * s), 1);
    tu_settle(p);
    ck_assert_int_eq(n_removed, 2);
    ck_assert_int_eq(removed[1].reason, FT_RR_IDLE_TIMEOUT);
    ck_assert_uint_eq(removed[1].cookie, 0xab);
    ck_assert_uint_eq(removed[1].packet_count, 3);
    ck_assert_uint_eq(removed[1].byte_count, 300);
    char buf[128];
    ft_match_format(buf, sizeof buf, &removed[1].match);
    ck_assert_str_eq(buf, "eth_type=0x0800");
    ck_assert_int_eq(tu_flow(p, FT_FC_DELETE, "", NULL), FT_OK);
    tu_settle(p);
    ck_assert_int_eq(n_removed, 2); /* The ipv6 rule did not ask. */
    /* A delete reports DELETE. */
    ck_assert_int_eq(tu_add(p, "priority=1,send_flow_rem", "output:1"), FT_OK);
    ck_assert_int_eq(tu_flow(p, FT_FC_DELETE, "", NULL), FT_OK);
    tu_settle(p);
    ck_assert_int_eq(n_removed, 3);
    ck_assert_int_eq(removed[2].reason, FT_RR_DELETE);
}
END_TEST

static struct ft_bucket
bucket(const struct ft_action *a, uint16_t n)
{
    return (struct ft_bucket){
        .n_actions = n, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY, .actions = a};
}

static enum ft_err
group_mod(uint16_t cmd, uint8_t type, uint32_t id, const struct ft_bucket *b, uint32_t n)
{
    struct ft_group_mod gm = {
        .command = cmd, .type = type, .group_id = id, .n_buckets = n, .buckets = b};
    return ft_pipeline_group_mod(p, &gm, 0);
}

START_TEST(group_mod_semantics)
{
    struct ft_action out1 = {.type = FT_AT_OUTPUT, .arg = 1};
    struct ft_action to[4];
    for (int i = 0; i < 4; i++)
        to[i] = (struct ft_action){.type = FT_AT_GROUP, .arg = (uint32_t)i + 1};
    struct ft_bucket b1 = bucket(&out1, 1);
    ck_assert_int_eq(group_mod(7, FT_GT_ALL, 1, &b1, 1), FT_ERR_GROUP_MOD_FAILED_BAD_COMMAND);
    ck_assert_int_eq(group_mod(FT_GC_ADD, 9, 1, &b1, 1), FT_ERR_GROUP_MOD_FAILED_BAD_TYPE);
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_ALL, FT_GROUP_ALL, &b1, 1),
                     FT_ERR_GROUP_MOD_FAILED_INVALID_GROUP);
    ck_assert_int_eq(group_mod(FT_GC_MODIFY, FT_GT_ALL, 1, &b1, 1),
                     FT_ERR_GROUP_MOD_FAILED_UNKNOWN_GROUP);
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_ALL, 1, &b1, 1), FT_OK);
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_ALL, 1, &b1, 1),
                     FT_ERR_GROUP_MOD_FAILED_GROUP_EXISTS);
    struct ft_bucket two[2] = {b1, b1};
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_INDIRECT, 2, two, 2),
                     FT_ERR_GROUP_MOD_FAILED_INVALID_GROUP);
    struct ft_bucket four[4] = {b1, b1, b1, b1};
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_ALL, 2, four, 4),
                     FT_ERR_GROUP_MOD_FAILED_OUT_OF_BUCKETS);
    struct ft_bucket weighted = b1;
    weighted.weight = 5;
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_ALL, 2, &weighted, 1),
                     FT_ERR_GROUP_MOD_FAILED_BAD_BUCKET);
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_FF, 2, &b1, 1), FT_ERR_GROUP_MOD_FAILED_BAD_WATCH);
    struct ft_bucket self = bucket(&to[1], 1); /* group 2 -> group 2 */
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_INDIRECT, 2, &self, 1),
                     FT_ERR_GROUP_MOD_FAILED_LOOP);
    struct ft_bucket to9 = bucket(&(struct ft_action){.type = FT_AT_GROUP, .arg = 9}, 1);
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_INDIRECT, 2, &to9, 1),
                     FT_ERR_BAD_ACTION_BAD_OUT_GROUP);
    /* Chain 3 -> 2 -> 1, then make 1 point at 3: a loop. */
    struct ft_bucket to1 = bucket(&to[0], 1), to2 = bucket(&to[1], 1), to3 = bucket(&to[2], 1);
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_INDIRECT, 2, &to1, 1), FT_OK);
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_INDIRECT, 3, &to2, 1), FT_OK);
    ck_assert_int_eq(group_mod(FT_GC_MODIFY, FT_GT_INDIRECT, 1, &to3, 1),
                     FT_ERR_GROUP_MOD_FAILED_LOOP);
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_ALL, 4, &b1, 1), FT_OK);
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_ALL, 5, &b1, 1),
                     FT_ERR_GROUP_MOD_FAILED_OUT_OF_GROUPS);
    /* Group 1 is chained from 2: refused. Deleting 3 is fine. */
    ck_assert_int_eq(group_mod(FT_GC_DELETE, 0, 1, NULL, 0), FT_ERR_GROUP_MOD_FAILED_CHAINED_GROUP);
    ck_assert_int_eq(group_mod(FT_GC_DELETE, 0, 3, NULL, 0), FT_OK);
    ck_assert_int_eq(group_mod(FT_GC_DELETE, 0, 3, NULL, 0), FT_OK); /* Unknown: no-op. */

    /* Deleting a group removes the flows using it, with GROUP_DELETE. */
    ck_assert_int_eq(tu_add(p, "priority=1,send_flow_rem", "group:4"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=2", "write_actions(group:4)"), FT_OK);
    tu_settle(p);
    const struct ft_group *g = ft_pipeline_group_find(p, ft_pipeline_version(p), 4);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(ft_group_ref_count(g), 2);
    ck_assert_int_eq(group_mod(FT_GC_DELETE, 0, FT_GROUP_ALL, NULL, 0), FT_OK);
    ck_assert_uint_eq(active(0), 0);
    tu_settle(p);
    ck_assert_int_eq(n_removed, 1);
    ck_assert_int_eq(removed[0].reason, FT_RR_GROUP_DELETE);
    ck_assert_ptr_null(ft_pipeline_group_find(p, ft_pipeline_version(p), 2));
}
END_TEST

START_TEST(group_counters_all_and_select)
{
    struct ft_action out1 = {.type = FT_AT_OUTPUT, .arg = 1};
    struct ft_bucket b[2] = {bucket(&out1, 1), bucket(&out1, 1)};
    ck_assert_int_eq(group_mod(FT_GC_ADD, FT_GT_ALL, 1, b, 2), FT_OK);
    tu_settle(p);
    const struct ft_group *g = ft_pipeline_group_find(p, ft_pipeline_version(p), 1);
    ck_assert_ptr_nonnull(g);
    /* One packet through an ALL group: the group counts it once, each
     * bucket once. */
    ft_group_add_stats(g, UINT32_MAX, 1, 100);
    ft_group_add_bucket_stats(g, 0, 1, 100);
    ft_group_add_bucket_stats(g, 1, 1, 100);
    ft_group_add_bucket_stats(g, 2, 1, 100); /* No such bucket: ignored. */
    uint64_t pk, by;
    ft_group_stats(g, &pk, &by);
    ck_assert_uint_eq(pk, 1);
    ck_assert_uint_eq(by, 100);
    for (uint32_t i = 0; i < 2; i++) {
        ft_group_bucket_stats(g, i, &pk, &by);
        ck_assert_uint_eq(pk, 1);
        ck_assert_uint_eq(by, 100);
    }
    /* SELECT-style: group and bucket together. */
    ft_group_add_stats(g, 1, 2, 50);
    ft_group_stats(g, &pk, &by);
    ck_assert_uint_eq(pk, 3);
    ft_group_bucket_stats(g, 1, &pk, &by);
    ck_assert_uint_eq(pk, 3);
    ck_assert_uint_eq(by, 150);
}
END_TEST

static enum ft_err
meter_mod(uint16_t cmd, uint16_t flags, uint32_t id, const struct ft_meter_band *b, uint32_t n)
{
    struct ft_meter_mod mm = {
        .command = cmd, .flags = flags, .meter_id = id, .n_bands = n, .bands = b};
    return ft_pipeline_meter_mod(p, &mm, 0);
}

START_TEST(meter_mod_semantics)
{
    struct ft_meter_band drop = {.type = FT_MBT_DROP, .rate = 1000};
    struct ft_meter_band remark = {.type = FT_MBT_DSCP_REMARK, .rate = 100, .prec_level = 1};
    ck_assert_int_eq(meter_mod(5, FT_MF_KBPS, 1, &drop, 1), FT_ERR_METER_MOD_FAILED_BAD_COMMAND);
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS, 0, &drop, 1),
                     FT_ERR_METER_MOD_FAILED_INVALID_METER);
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS, FT_METER_MAX + 1, &drop, 1),
                     FT_ERR_METER_MOD_FAILED_INVALID_METER);
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS, FT_METER_ALL, &drop, 1),
                     FT_ERR_METER_MOD_FAILED_INVALID_METER);
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS | FT_MF_PKTPS, 1, &drop, 1),
                     FT_ERR_METER_MOD_FAILED_BAD_FLAGS);
    ck_assert_int_eq(meter_mod(FT_MC_ADD, 0x80 | FT_MF_KBPS, 1, &drop, 1),
                     FT_ERR_METER_MOD_FAILED_BAD_FLAGS);
    struct ft_meter_band zero = drop;
    zero.rate = 0;
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS, 1, &zero, 1),
                     FT_ERR_METER_MOD_FAILED_BAD_RATE);
    struct ft_meter_band exp = drop;
    exp.type = FT_MBT_EXPERIMENTER;
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS, 1, &exp, 1),
                     FT_ERR_METER_MOD_FAILED_BAD_BAND);
    struct ft_meter_band bad_prec = remark;
    bad_prec.prec_level = 0;
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS, 1, &bad_prec, 1),
                     FT_ERR_METER_MOD_FAILED_BAD_BAND_VALUE);
    struct ft_meter_band three[3] = {drop, drop, drop};
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS, 1, three, 3),
                     FT_ERR_METER_MOD_FAILED_OUT_OF_BANDS);
    ck_assert_int_eq(meter_mod(FT_MC_MODIFY, FT_MF_KBPS, 1, &drop, 1),
                     FT_ERR_METER_MOD_FAILED_UNKNOWN_METER);
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS | FT_MF_STATS, 1, &drop, 1), FT_OK);
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS, 1, &drop, 1),
                     FT_ERR_METER_MOD_FAILED_METER_EXISTS);
    struct ft_meter_band both[2] = {drop, remark};
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_PKTPS | FT_MF_BURST, 2, both, 2), FT_OK);
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_KBPS, 3, &drop, 1),
                     FT_ERR_METER_MOD_FAILED_OUT_OF_METERS);
    ck_assert_int_eq(meter_mod(FT_MC_MODIFY, FT_MF_PKTPS, 1, both, 2), FT_OK);
    tu_settle(p);
    const struct ft_meter *m = ft_pipeline_meter_find(p, ft_pipeline_version(p), 1);
    ck_assert_uint_eq(ft_meter_n_bands(m), 2);
    ck_assert_uint_eq(ft_meter_flags(m), FT_MF_PKTPS);

    ck_assert_int_eq(tu_add(p, "priority=1,send_flow_rem", "meter:2,output:1"), FT_OK);
    tu_settle(p);
    ck_assert_uint_eq(ft_meter_flow_count(ft_pipeline_meter_find(p, ft_pipeline_version(p), 2)), 1);
    ck_assert_int_eq(meter_mod(FT_MC_DELETE, 0, FT_METER_ALL, NULL, 0), FT_OK);
    tu_settle(p);
    ck_assert_uint_eq(active(0), 0);
    ck_assert_int_eq(n_removed, 1);
    ck_assert_int_eq(removed[0].reason, FT_RR_METER_DELETE);

    /* The virtual meters on packet-ins can be set (a meter without bands
     * too: it counts and never drops); rules cannot name them. */
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_PKTPS, FT_METER_CONTROLLER, NULL, 0), FT_OK);
    ck_assert_int_eq(meter_mod(FT_MC_ADD, FT_MF_PKTPS, FT_METER_SLOWPATH, &drop, 1), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=1", "meter:4294967294,output:1"),
                     FT_ERR_METER_MOD_FAILED_INVALID_METER);
    ck_assert_int_eq(meter_mod(FT_MC_DELETE, 0, FT_METER_CONTROLLER, NULL, 0), FT_OK);
    tu_settle(p);
    ck_assert_ptr_null(ft_pipeline_meter_find(p, ft_pipeline_version(p), FT_METER_CONTROLLER));
}
END_TEST

START_TEST(no_counts_flags)
{
    struct ft_flow_mod fm;
    tu_flow_mod_init(&fm, FT_FC_ADD, "priority=1,ip");
    fm.flags = FT_FF_NO_PKT_COUNTS;
    struct ft_insts *in = tu_insts("output:1");
    fm.insts = in;
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_OK);
    tu_flow_mod_init(&fm, FT_FC_ADD, "priority=1,arp");
    fm.flags = FT_FF_NO_BYT_COUNTS | FT_FF_SEND_FLOW_REM;
    fm.insts = in;
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_OK);
    free(in);
    tu_settle(p);
    const struct ft_rule *ip = find("priority=1,ip"), *arp = find("priority=1,arp");
    ft_rule_add_stats(ip, 5, 500, 1);
    ft_rule_add_stats(arp, 7, 700, 1);
    uint64_t pk, by;
    ft_rule_stats(ip, &pk, &by, NULL);
    ck_assert_uint_eq(pk, UINT64_MAX); /* "Not counted": all ones, as the spec says. */
    ck_assert_uint_eq(by, 500);
    ft_rule_stats(arp, &pk, &by, NULL);
    ck_assert_uint_eq(pk, 7);
    ck_assert_uint_eq(by, UINT64_MAX);
    ck_assert_int_eq(tu_flow(p, FT_FC_DELETE, "arp", NULL), FT_OK);
    tu_settle(p);
    ck_assert_int_eq(n_removed, 1);
    ck_assert_uint_eq(removed[0].packet_count, 7);
    ck_assert_uint_eq(removed[0].byte_count, UINT64_MAX);
}
END_TEST

static int
note_goto(void *aux, const struct ft_rule *r)
{
    uint64_t *bits = aux;
    const struct ft_insts *in = ft_rule_insts(r);
    if (in && (in->present & FT_INST_BIT(FT_IT_GOTO_TABLE)))
        bits[in->goto_table >> 6] |= 1ull << (in->goto_table & 63);
    return 0;
}

/* The goto targets the pipeline keeps are those a scan of its rules finds,
 * through adds, replacing adds, modifies, deletes and expiry. */
START_TEST(goto_targets_follow_the_rules)
{
    static const char *const insts[] = {"goto_table:1", "goto_table:2", "goto_table:9", "output:1",
                                        "apply_actions(output:2),goto_table:3"};
    uint64_t s = 7;
    char spec[128];
    for (int step = 0; step < 600; step++) {
        unsigned tbl = (unsigned)rnd(&s, 3), k = (unsigned)rnd(&s, 6);
        const char *in = insts[rnd(&s, 5)];
        snprintf(spec, sizeof spec, "table=%u,priority=%u,ip,nw_dst=10.0.0.%u%s", tbl, 10 + k, k,
                 rnd(&s, 8) ? "" : ",hard_timeout=1");
        switch (rnd(&s, 5)) {
        case 0:
        case 1:
            (void)tu_add(p, spec, in); /* Full tables refuse: fine. */
            break;
        case 2:
            (void)tu_flow(p, FT_FC_MODIFY_STRICT, spec, in);
            break;
        case 3:
            snprintf(spec, sizeof spec, "table=%u,ip,nw_dst=10.0.0.%u", tbl, k);
            (void)tu_flow(p, FT_FC_DELETE, spec, NULL);
            break;
        default:
            (void)ft_pipeline_expire(p, (uint64_t)step * 100000000ull);
            break;
        }
        ft_pipeline_commit(p);
        uint64_t kept[4], scanned[4] = {0};
        ft_pipeline_goto_targets(p, kept);
        struct ft_flow_filter f = {
            .table_id = FT_TABLE_ALL, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
        ft_match_init_catchall(&f.match);
        ck_assert_int_eq(ft_pipeline_rules_foreach(p, &f, note_goto, scanned), 0);
        ck_assert_msg(!memcmp(kept, scanned, sizeof kept), "step %d: kept %llx scanned %llx", step,
                      (unsigned long long)kept[0], (unsigned long long)scanned[0]);
    }
}
END_TEST

START_TEST(interning_shares_instructions)
{
    ck_assert_int_eq(tu_add(p, "priority=1,ip,nw_dst=1.1.1.1", "output:3"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=1,ip,nw_dst=1.1.1.2", "output:3"), FT_OK);
    ck_assert_ptr_eq(ft_rule_insts(find("priority=1,ip,nw_dst=1.1.1.1")),
                     ft_rule_insts(find("priority=1,ip,nw_dst=1.1.1.2")));
    tu_settle(p);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, add_replaces_identical_and_keeps_counters);
    tcase_add_test(tc, modify_and_delete_selection);
    tcase_add_test(tc, flow_removed_reasons_and_counts);
    tcase_add_test(tc, group_counters_all_and_select);
    tcase_add_test(tc, interning_shares_instructions);
    tcase_add_test(tc, goto_targets_follow_the_rules);
    tcase_add_test(tc, no_counts_flags);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, check_overlap_and_table_full);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, flow_mod_command_errors);
    tcase_add_test(tc, group_mod_semantics);
    tcase_add_test(tc, meter_mod_semantics);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
