/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End to end: groups and meters. ALL on isolated copies, SELECT by weight
 * and flow, INDIRECT, FAST_FAILOVER following port liveness, chains,
 * group and bucket counters; a meter's drop band on real traffic.
 */
#include "dp_e2e.h"
#include "ft_group.h"
#include "ft_meter.h"

static struct e2e e;

struct bucket_spec {
    const char *actions;
    uint16_t weight;
    uint32_t watch_port;
};

static void
group_add(uint32_t id, uint8_t type, const struct bucket_spec *spec, uint32_t n)
{
    static struct ft_action acts[8][16];
    struct ft_bucket b[8];
    for (uint32_t i = 0; i < n; i++) {
        char text[256];
        snprintf(text, sizeof text, "%s", spec[i].actions);
        int k = tu_action_list(text, acts[i], 16);
        ck_assert_int_ge(k, 0);
        b[i] = (struct ft_bucket){
            .weight = spec[i].weight,
            .n_actions = (uint16_t)k,
            .watch_port = spec[i].watch_port ? spec[i].watch_port : FT_PORT_ANY,
            .watch_group = FT_GROUP_ANY,
            .actions = acts[i],
        };
    }
    struct ft_group_mod gm = {
        .command = FT_GC_ADD, .type = type, .group_id = id, .n_buckets = n, .buckets = b};
    ck_assert_int_eq(ft_pipeline_group_mod(dp_pipeline(e.dp), &gm, 0), FT_OK);
    ck_assert_int_eq(dp_commit(e.dp), 0);
}

static const struct ft_group *
group_find(uint32_t id)
{
    struct ft_pipeline *p = dp_pipeline(e.dp);
    return ft_pipeline_group_find(p, ft_pipeline_version(p), id);
}

START_TEST(all_buckets_on_isolated_copies)
{
    e2e_start(&e, 4);
    for (uint8_t i = 0; i < 3; i++)
        e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, i);
    e2e_attach(&e);
    const struct bucket_spec b[] = {
        {"set_field:02:00:00:00:00:99->eth_dst,output:2"},
        {"output:3"},
        {"push_vlan:0x8100,set_field:4101->vlan_vid,output:4"},
    };
    group_add(1, FT_GT_ALL, b, 3);
    /* The packet after the group is the packet before it: port 3's copy
     * and the final output:3 both see no bucket's edit. */
    e2e_flow(&e, "in_port=1,ip", "set_field:10.1.1.1->ipv4_src,group:1,output:3");
    e2e_run(&e);
    uint64_t pk, by;
    ft_group_stats(group_find(1), &pk, &by);
    ck_assert_uint_eq(pk, 3);
    for (uint32_t i = 0; i < 3; i++) {
        ft_group_bucket_stats(group_find(1), i, &pk, &by);
        ck_assert_uint_eq(pk, 3);
    }
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 3);
    ck_assert_uint_eq(e.out[2].n, 6);
    ck_assert_uint_eq(e.out[3].n, 3);
    for (size_t j = 0; j < 3; j++) {
        ck_assert_uint_eq(e.out[1].data[j][5], 0x99);
        ck_assert_uint_eq(ft_rd32(e.out[1].data[j] + 26), 0x0a010101);
        ck_assert(!memcmp(e.out[2].data[2 * j], e.out[2].data[2 * j + 1], e.out[2].len[j]));
        ck_assert(!memcmp(e.out[2].data[2 * j], e2e_mac_b, 6));
        ck_assert_uint_eq(ft_rd32(e.out[2].data[2 * j] + 26), 0x0a010101);
        ck_assert_uint_eq(e.out[3].len[j], e.in[0].len[j] + 4);
        ck_assert_uint_eq(ft_rd16(e.out[3].data[j] + 14) & 0xfff, 5);
    }
    e2e_finish(&e);
}
END_TEST

START_TEST(select_by_weight_and_flow)
{
    e2e_start(&e, 3);
    /* 400 flows (UDP source ports), each twice. */
    for (int round = 0; round < 2; round++)
        for (uint16_t f = 0; f < 400; f++)
            e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, (uint16_t)(10000 + f), 0);
    e2e_attach(&e);
    const struct bucket_spec b[] = {{"output:2", 1}, {"output:3", 3}};
    group_add(7, FT_GT_SELECT, b, 2);
    e2e_flow(&e, "in_port=1", "group:7");
    e2e_run(&e);
    e2e_detach(&e);
    size_t n2 = e.out[1].n, n3 = e.out[2].n;
    ck_assert_uint_eq(n2 + n3, 800);
    /* 1:3 by weight: 200 expected on port 2; allow for hashing. */
    ck_assert_msg(n2 > 120 && n2 < 280, "port 2 got %zu of 800", n2);
    /* A flow sticks to its bucket: both copies of a flow left by the
     * same port. */
    bool seen2[400] = {false};
    for (size_t j = 0; j < n2; j++)
        seen2[ft_rd16(e.out[1].data[j] + 34) - 10000] ^= true;
    for (int f = 0; f < 400; f++)
        ck_assert_msg(!seen2[f], "flow %d split between buckets", f);
    e2e_finish(&e);
}
END_TEST

START_TEST(indirect_and_chain)
{
    e2e_start(&e, 3);
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, 0);
    e2e_attach(&e);
    const struct bucket_spec leaf[] = {{"output:3"}};
    group_add(2, FT_GT_INDIRECT, leaf, 1);
    const struct bucket_spec top[] = {{"output:2"}, {"group:2"}};
    group_add(1, FT_GT_ALL, top, 2);
    e2e_flow(&e, "in_port=1", "group:1");
    e2e_run(&e);
    uint64_t pk, by;
    ft_group_stats(group_find(2), &pk, &by);
    ck_assert_uint_eq(pk, 1);
    e2e_detach(&e);
    e2e_expect_same(&e, 1, &e.in[0], "ALL bucket 0");
    e2e_expect_same(&e, 2, &e.in[0], "via the chained INDIRECT group");
    e2e_finish(&e);
}
END_TEST

START_TEST(fast_failover_follows_liveness)
{
    e2e_start(&e, 3);
    for (uint8_t i = 0; i < 2; i++)
        e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, i);
    e2e_attach(&e);
    const struct bucket_spec b[] = {{"output:2", 0, 2}, {"output:3", 0, 3}};
    group_add(4, FT_GT_FF, b, 2);
    e2e_flow(&e, "in_port=1", "group:4");
    /* Port 2 administratively down: not live, the second bucket takes over. */
    ck_assert_int_eq(dp_port_mod(e.dp, 2, NULL, FT_PC_PORT_DOWN, FT_PC_PORT_DOWN), 0);
    e2e_run(&e);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 0);
    e2e_expect_same(&e, 2, &e.in[0], "FF second bucket");
    e2e_finish(&e);

    /* Neither live: no bucket, counted. */
    e2e_start(&e, 3);
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, 0);
    e2e_attach(&e);
    group_add(4, FT_GT_FF, b, 2);
    e2e_flow(&e, "in_port=1", "group:4");
    ck_assert_int_eq(dp_port_mod(e.dp, 2, NULL, FT_PC_PORT_DOWN, FT_PC_PORT_DOWN), 0);
    ck_assert_int_eq(dp_port_mod(e.dp, 3, NULL, FT_PC_PORT_DOWN, FT_PC_PORT_DOWN), 0);
    e2e_run(&e);
    ck_assert_uint_eq(e2e_counter(&e, "group_no_bucket"), 1);
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

START_TEST(meter_drop_band)
{
    e2e_start(&e, 2);
    for (uint8_t i = 0; i < 20; i++)
        e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, i);
    e2e_attach(&e);
    struct ft_meter_band band = {.type = FT_MBT_DROP, .rate = 1, .burst_size = 5};
    struct ft_meter_mod mm = {.command = FT_MC_ADD,
                              .flags = FT_MF_PKTPS | FT_MF_BURST | FT_MF_STATS,
                              .meter_id = 3,
                              .n_bands = 1,
                              .bands = &band};
    ck_assert_int_eq(ft_pipeline_meter_mod(dp_pipeline(e.dp), &mm, 0), FT_OK);
    e2e_flow(&e, "in_port=1", "meter:3,apply_actions(output:2)");
    e2e_run(&e);
    /* All 20 arrive within a second: the burst of 5 passes. */
    ck_assert_uint_eq(e2e_counter(&e, "meter_drop"), 15);
    struct ft_pipeline *p = dp_pipeline(e.dp);
    const struct ft_meter *m = ft_pipeline_meter_find(p, ft_pipeline_version(p), 3);
    uint64_t pk, by;
    ft_meter_stats(m, &pk, &by);
    ck_assert_uint_eq(pk, 20);
    ft_meter_band_stats(m, 0, &pk, &by);
    ck_assert_uint_eq(pk, 15);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 5);
    for (size_t j = 0; j < 5; j++)
        e2e_expect(&e, 1, j, e.in[0].data[j], e.in[0].len[j], "metered");
    e2e_finish(&e);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("e2e_groups");
    TCase *tc = tcase_create("e2e_groups");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, all_buckets_on_isolated_copies);
    tcase_add_test(tc, select_by_weight_and_flow);
    tcase_add_test(tc, indirect_and_chain);
    tcase_add_test(tc, fast_failover_follows_liveness);
    tcase_add_test(tc, meter_drop_band);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
