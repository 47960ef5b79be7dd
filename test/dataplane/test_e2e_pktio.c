/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End to end: the controller's side of the dataplane. Packet-ins (reason,
 * table, cookie, metadata, max_len cut, NO_PACKET_IN, a full ring), TTL
 * expiry with and without INVALID_TTL packet-ins, and packet-outs
 * (direct outputs, IN_PORT, output to TABLE, to CONTROLLER).
 */
#include "dp_e2e.h"

static struct e2e e;

static size_t
pop_all(struct dp_packet_in **pins, size_t max)
{
    return dp_packet_in_pop(e.dp, pins, max);
}

static void
free_all(struct dp_packet_in **pins, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dp_packet_in_free(e.dp, pins[i]);
}

START_TEST(controller_action_fields_and_cut)
{
    e2e_start(&e, 2);
    uint32_t len = e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, 7);
    e2e_attach(&e);
    e2e_flow(&e, "in_port=1,cookie=0x1234", "write_metadata:0xab/0xff,goto_table:3");
    e2e_flow(&e, "table=3,priority=9,cookie=0x77,ip",
             "set_field:10.9.9.9->ipv4_dst,output:CONTROLLER:20,output:CONTROLLER,output:2");
    e2e_run(&e);
    struct dp_packet_in *pins[8];
    size_t n = pop_all(pins, 8);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(pins[0]->reason, FT_PR_ACTION);
    ck_assert_uint_eq(pins[0]->table_id, 3);
    ck_assert_uint_eq(pins[0]->cookie, 0x77);
    ck_assert_uint_eq(pins[0]->metadata, 0xab);
    ck_assert_uint_eq(pins[0]->in_port, 1);
    ck_assert_uint_eq(pins[0]->in_phy_port, 1);
    ck_assert_uint_eq(pins[0]->max_len, 20);
    ck_assert_uint_eq(pins[0]->total_len, len);
    ck_assert_uint_eq(pins[0]->data_len, 20);
    ck_assert(!memcmp(pins[0]->data, e.in[0].data[0], 20));
    /* The whole packet, as modified so far. */
    ck_assert_uint_eq(pins[1]->max_len, FT_CML_NO_BUFFER);
    ck_assert_uint_eq(pins[1]->data_len, len);
    ck_assert_uint_eq(ft_rd32(pins[1]->data + 30), 0x0a090909);
    free_all(pins, n);
    ck_assert_uint_eq(e2e_counter(&e, "packet_in"), 2);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 1);
    e2e_finish(&e);
}
END_TEST

START_TEST(table_miss_rule_is_no_match)
{
    e2e_start(&e, 1);
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, 7);
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1001, 7);
    e2e_attach(&e);
    e2e_flow(&e, "priority=0,cookie=0x5", "CONTROLLER:128");
    e2e_flow(&e, "priority=5,udp,udp_src=1001", "drop");
    e2e_run(&e);
    struct dp_packet_in *pins[8];
    size_t n = pop_all(pins, 8);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(pins[0]->reason, FT_PR_NO_MATCH);
    ck_assert_uint_eq(pins[0]->cookie, 0x5);
    ck_assert_uint_eq(pins[0]->data_len, e.in[0].len[0]); /* Shorter than 128. */
    free_all(pins, n);
    ck_assert_uint_eq(e2e_counter(&e, "action_drop"), 1);
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

START_TEST(no_packet_in_port)
{
    e2e_start(&e, 2);
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, 7);
    e2e_input_udp(&e, 1, e2e_mac_b, e2e_mac_a, 1000, 7);
    e2e_attach(&e);
    ck_assert_int_eq(dp_port_mod(e.dp, 1, NULL, FT_PC_NO_PACKET_IN, FT_PC_NO_PACKET_IN), 0);
    e2e_flow(&e, "priority=0", "CONTROLLER");
    e2e_run(&e);
    struct dp_packet_in *pins[8];
    size_t n = pop_all(pins, 8);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(pins[0]->in_port, 2);
    free_all(pins, n);
    ck_assert_uint_eq(e2e_counter(&e, "no_packet_in"), 1);
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

START_TEST(full_ring_counts)
{
    e2e_start(&e, 1);
    for (unsigned i = 0; i < 300; i++)
        e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, (uint8_t)i);
    e2e_attach(&e);
    e2e_flow(&e, "priority=0", "CONTROLLER");
    e2e_run(&e);
    /* The harness's rings hold 255 (a ring of 256 keeps one slot free). */
    ck_assert_uint_eq(e2e_counter(&e, "pin_ring_full"), 300 - 255);
    struct dp_packet_in *pins[512];
    size_t n = pop_all(pins, 512);
    ck_assert_uint_eq(n, 255);
    free_all(pins, n);
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

/* The virtual meters a controller sets on packet-ins: OFPM_CONTROLLER on
 * all of them, OFPM_SLOWPATH on table misses only. */
static void
set_meter(uint32_t id, uint32_t burst)
{
    struct ft_meter_band band = {.type = FT_MBT_DROP, .rate = 1, .burst_size = burst};
    struct ft_meter_mod mm = {.command = FT_MC_ADD,
                              .flags = FT_MF_PKTPS | FT_MF_BURST,
                              .meter_id = id,
                              .n_bands = 1,
                              .bands = &band};
    ck_assert_int_eq(ft_pipeline_meter_mod(dp_pipeline(e.dp), &mm, 0), FT_OK);
}

START_TEST(packet_in_meters)
{
    e2e_start(&e, 2);
    for (unsigned i = 0; i < 100; i++) {
        e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, (uint8_t)i); /* Misses. */
        e2e_input_udp(&e, 1, e2e_mac_b, e2e_mac_a, 1000, (uint8_t)i); /* CONTROLLER action. */
    }
    e2e_attach(&e);
    set_meter(FT_METER_SLOWPATH, 5);
    set_meter(FT_METER_CONTROLLER, 30);
    e2e_flow(&e, "priority=0", "CONTROLLER");
    e2e_flow(&e, "priority=5,in_port=2", "CONTROLLER");
    e2e_run(&e);
    struct dp_packet_in *pins[256];
    size_t n = pop_all(pins, 256);
    unsigned miss = 0, action = 0;
    for (size_t i = 0; i < n; i++) {
        miss += pins[i]->reason == FT_PR_NO_MATCH;
        action += pins[i]->reason == FT_PR_ACTION;
    }
    free_all(pins, n);
    /* A burst of 5 misses passes SLOWPATH (the rest are not charged to
     * CONTROLLER); CONTROLLER's 30 are shared by those and the action
     * packet-ins. At 1/s, the run adds at most one more to each. */
    ck_assert_uint_ge(miss, 5);
    ck_assert_uint_le(miss, 5 + 1);
    ck_assert_uint_ge(miss + action, 30);
    ck_assert_uint_le(miss + action, 30 + 2);
    ck_assert_uint_eq(e2e_counter(&e, "packet_in_meter"), 200 - n);
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

START_TEST(ttl_expiry)
{
    e2e_start(&e, 2);
    uint8_t f[128];
    for (uint8_t ttl = 0; ttl < 4; ttl++)
        e2e_input(&e, 0, f,
                  e2e_udp4(f, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, 1, 2, ttl, 10, 0));
    e2e_attach(&e);
    e2e_flow(&e, "table=0,in_port=1,ip,cookie=0x99", "goto_table:2");
    e2e_flow(&e, "table=2,ip,cookie=0x42", "dec_ttl,output:2");
    e2e_run(&e);
    /* TTL 0 and 1 expire: dropped, and no packet-in unless asked for. */
    ck_assert_uint_eq(e2e_counter(&e, "ttl_invalid"), 2);
    struct dp_packet_in *pins[8];
    ck_assert_uint_eq(pop_all(pins, 8), 0);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 2);
    ck_assert_uint_eq(e.out[1].data[0][22], 1); /* TTL 2 -> 1 */
    ck_assert_uint_eq(e.out[1].data[1][22], 2);
    e2e_finish(&e);

    e2e_start(&e, 2);
    e2e_input(&e, 0, f, e2e_udp4(f, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, 1, 2, 1, 10, 0));
    e2e_attach(&e);
    dp_set_invalid_ttl_to_controller(e.dp, true);
    dp_set_config(e.dp, DP_FRAG_NORMAL, 24);
    e2e_flow(&e, "table=0,in_port=1,ip,cookie=0x99", "write_metadata:0x7,goto_table:2");
    e2e_flow(&e, "table=2,ip,cookie=0x42", "dec_ttl,output:2");
    e2e_run(&e);
    size_t n = pop_all(pins, 8);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(pins[0]->reason, FT_PR_INVALID_TTL);
    ck_assert_uint_eq(pins[0]->table_id, 2);
    ck_assert_uint_eq(pins[0]->cookie, 0x42);
    ck_assert_uint_eq(pins[0]->metadata, 0x7);
    ck_assert_uint_eq(pins[0]->data_len, 24); /* miss_send_len */
    free_all(pins, n);
    ck_assert_uint_eq(e2e_counter(&e, "ttl_invalid"), 1);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 0);
    e2e_finish(&e);
}
END_TEST

START_TEST(packet_out)
{
    e2e_start(&e, 3);
    e2e_attach(&e);
    uint8_t f[128];
    uint32_t len = e2e_udp4(f, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, 1000, 53, 64, 18, 0);
    struct ft_action a[3];
    ck_assert(tu_action("set_field:10.7.7.7->ipv4_dst", &a[0]));
    ck_assert(tu_action("output:2", &a[1]));
    ck_assert_int_eq(dp_packet_out(e.dp, FT_PORT_CONTROLLER, a, 2, f, len), 0);
    /* IN_PORT sends back where the packet-out says it came from. */
    ck_assert(tu_action("output:IN_PORT", &a[0]));
    ck_assert_int_eq(dp_packet_out(e.dp, 3, a, 1, f, len), 0);
    /* TABLE runs the pipeline as if the packet arrived on in_port; the
     * rule counts it. */
    e2e_flow(&e, "in_port=1,udp", "output:3");
    ck_assert(tu_action("output:TABLE", &a[0]));
    ck_assert_int_eq(dp_packet_out(e.dp, 1, a, 1, f, len), 0);
    /* To the controller: a packet-in from the agent's own ring. */
    ck_assert(tu_action("output:CONTROLLER", &a[0]));
    ck_assert_int_eq(dp_packet_out(e.dp, FT_PORT_CONTROLLER, a, 1, f, len), 0);
    struct dp_packet_in *pins[4];
    size_t n = pop_all(pins, 4);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(pins[0]->in_port, FT_PORT_CONTROLLER);
    ck_assert_uint_eq(pins[0]->reason, FT_PR_ACTION);
    free_all(pins, n);
    /* An empty action list drops, counted. */
    ck_assert_int_eq(dp_packet_out(e.dp, 1, a, 0, f, len), 0);
    ck_assert_uint_eq(e2e_counter(&e, "action_drop"), 1);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 1);
    ck_assert_uint_eq(ft_rd32(e.out[1].data[0] + 30), 0x0a070707);
    ck_assert_uint_eq(e.out[2].n, 2);
    ck_assert(!memcmp(e.out[2].data[0], f, len));
    ck_assert(!memcmp(e.out[2].data[1], f, len));
    e2e_finish(&e);
}
END_TEST

static int
first_rule(void *aux, const struct ft_rule *r)
{
    *(const struct ft_rule **)aux = r;
    return 1;
}

START_TEST(rule_and_table_counters)
{
    e2e_start(&e, 2);
    uint32_t len = 0;
    for (uint8_t i = 0; i < 5; i++)
        len = e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, i);
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 2000, 0);
    e2e_attach(&e);
    e2e_flow(&e, "in_port=1,udp,udp_src=1000", "output:2");
    e2e_run(&e);
    ck_assert_int_eq(dp_fold_counters(e.dp), 0);
    struct ft_pipeline *p = dp_pipeline(e.dp);
    struct ft_flow_filter ff = {.table_id = 0, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&ff.match);
    const struct ft_rule *r = NULL;
    ft_pipeline_rules_foreach(p, &ff, first_rule, &r);
    ck_assert_ptr_nonnull(r);
    uint64_t pk, by, used;
    ft_rule_stats(r, &pk, &by, &used);
    ck_assert_uint_eq(pk, 5);
    ck_assert_uint_eq(by, 5 * len);
    ck_assert_uint_gt(used, 0);
    ck_assert_uint_le(used, dp_now_ns(e.dp));
    struct ft_table_stats ts;
    ft_pipeline_table_stats(p, 0, &ts);
    ck_assert_uint_eq(ts.lookup_count, 6);
    ck_assert_uint_eq(ts.matched_count, 5);
    ck_assert_uint_eq(e2e_counter(&e, "no_match"), 1);
    struct dp_worker_stats ws[2];
    ck_assert_uint_eq(dp_worker_stats(e.dp, ws, 2), 1);
    ck_assert_uint_eq(ws[0].packets, 6);
    /* Through the flow cache: one walk per megaflow (udp_src 1000, then
     * 2000), the other four packets hit what the first one installed. */
    ck_assert_uint_eq(ws[0].misses, 2);
    ck_assert_uint_eq(ws[0].emc_hits + ws[0].cache_hits, 4);
    ck_assert_uint_eq(ws[0].drops, 1);
    ck_assert_uint_gt(ws[0].busy_cycles, 0);
    ck_assert_uint_gt(ws[0].idle_cycles, 0);
    ck_assert_uint_gt(ws[0].miss_cycles, 0);
    dp_worker_stats_clear(e.dp);
    dp_worker_stats(e.dp, ws, 2);
    ck_assert_uint_eq(ws[0].packets, 0);
    ck_assert_uint_eq(ws[0].drops, 0);
    ck_assert_uint_gt(dp_tsc_hz(e.dp), 0);
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("e2e_pktio");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, controller_action_fields_and_cut);
    tcase_add_test(tc, table_miss_rule_is_no_match);
    tcase_add_test(tc, no_packet_in_port);
    tcase_add_test(tc, packet_in_meters);
    tcase_add_test(tc, ttl_expiry);
    tcase_add_test(tc, packet_out);
    tcase_add_test(tc, rule_and_table_counters);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, full_ring_counts);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
