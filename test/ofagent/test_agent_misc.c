/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Agent unit tests: groups, meters, ports, packet-out, table features
 * and queue requests, with their replies and errors.
 */
#include "agent_test_util.h"
#include "ft_alloc.h"
#include "check_main.h"

static uint8_t raw[H_MAX_MSG];

static void
group_msg(struct ofa_msg *g, uint32_t xid, uint16_t cmd, uint8_t type, uint32_t id,
          const struct ft_bucket *b, uint32_t n)
{
    memset(g, 0, sizeof *g);
    g->type = OFA_GROUP_MOD;
    g->xid = xid;
    g->u.group_mod.gm = (struct ft_group_mod){
        .command = cmd, .type = type, .group_id = id, .n_buckets = n, .buckets = b};
}

START_TEST(groups)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ft_action out2 = {.type = FT_AT_OUTPUT, .arg = 2},
                     out3 = {.type = FT_AT_OUTPUT, .arg = 3};
    struct ft_bucket b[2] = {
        {.n_actions = 1, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY, .actions = &out2},
        {.n_actions = 1, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY, .actions = &out3}};
    struct ofa_msg g, r;
    group_msg(&g, 1, FT_GC_ADD, FT_GT_ALL, 7, b, 2);
    h_send(&h, c, &g);
    h_send_expect_error(&h, c, &g, FT_ERR_GROUP_MOD_FAILED_GROUP_EXISTS);
    group_msg(&g, 2, FT_GC_MODIFY, FT_GT_ALL, 8, b, 1);
    h_send_expect_error(&h, c, &g, FT_ERR_GROUP_MOD_FAILED_UNKNOWN_GROUP);
    group_msg(&g, 3, FT_GC_ADD, FT_GT_INDIRECT, 9, b, 2);
    h_send_expect_error(&h, c, &g, FT_ERR_GROUP_MOD_FAILED_INVALID_GROUP);
    h_flow(&h, c, FT_FC_ADD, "priority=1,in_port=1", "group:7");
    h_barrier(&h, c);

    /* Traffic through the group counts on it and its buckets. */
    uint8_t f[60];
    size_t n = h_udp_frame(f, 1, 2, 64);
    ck_assert_int_eq(stub_dp_inject(h.dp, 1, f, n), 2);

    struct ofa_msg q;
    h_mp_msg(&q, 10, OFA_MP_GROUP_DESC);
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 1);
    ck_assert_uint_eq(r.u.mp.u.group_descs[0].group_id, 7);
    ck_assert_uint_eq(r.u.mp.u.group_descs[0].type, FT_GT_ALL);
    ck_assert_uint_eq(r.u.mp.u.group_descs[0].n_buckets, 2);
    ck_assert_uint_eq(r.u.mp.u.group_descs[0].buckets[1].actions[0].arg, 3);
    ofa_msg_free(&r);

    h_mp_msg(&q, 11, OFA_MP_GROUP);
    q.u.mp.u.group_id = FT_GROUP_ALL;
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 1);
    const struct ofa_group_stats *gs = &r.u.mp.u.group_stats[0];
    ck_assert_uint_eq(gs->group_id, 7);
    ck_assert_uint_eq(gs->ref_count, 1);
    ck_assert_uint_eq(gs->packet_count, 1);
    ck_assert_uint_eq(gs->byte_count, 60);
    ck_assert_uint_eq(gs->n_buckets, 2);
    ck_assert_uint_eq(gs->buckets[0].packet_count, 1);
    ofa_msg_free(&r);
    q.u.mp.u.group_id = 99; /* Unknown: an empty reply. */
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 0);
    ofa_msg_free(&r);

    h_mp_msg(&q, 12, OFA_MP_GROUP_FEATURES);
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.u.group_features.types, 0xf);
    ck_assert_uint_eq(r.u.mp.u.group_features.max_groups[0], 65536);
    ofa_msg_free(&r);

    /* A group in use by another group cannot go; deleting all can. */
    struct ft_action chain = {.type = FT_AT_GROUP, .arg = 7};
    struct ft_bucket cb = {
        .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY, .n_actions = 1, .actions = &chain};
    group_msg(&g, 13, FT_GC_ADD, FT_GT_INDIRECT, 20, &cb, 1);
    h_send(&h, c, &g);
    group_msg(&g, 14, FT_GC_DELETE, FT_GT_ALL, 7, NULL, 0);
    h_send_expect_error(&h, c, &g, FT_ERR_GROUP_MOD_FAILED_CHAINED_GROUP);
    group_msg(&g, 15, FT_GC_DELETE, FT_GT_ALL, FT_GROUP_ALL, NULL, 0);
    h_send(&h, c, &g);
    h_barrier(&h, c);
    h_mp_msg(&q, 16, OFA_MP_GROUP_DESC);
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 0);
    ofa_msg_free(&r);
    h_fini(&h);
}
END_TEST

START_TEST(meters)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ft_meter_band band = {.type = FT_MBT_DROP, .rate = 1000, .burst_size = 100};
    struct ofa_msg m = {.type = OFA_METER_MOD, .xid = 1}, r;
    m.u.meter_mod.mm = (struct ft_meter_mod){.command = FT_MC_ADD,
                                             .flags = FT_MF_KBPS | FT_MF_STATS,
                                             .meter_id = 3,
                                             .n_bands = 1,
                                             .bands = &band};
    h_send(&h, c, &m);
    h_send_expect_error(&h, c, &m, FT_ERR_METER_MOD_FAILED_METER_EXISTS);
    m.u.meter_mod.mm.meter_id = 0;
    h_send_expect_error(&h, c, &m, FT_ERR_METER_MOD_FAILED_INVALID_METER);
    m.u.meter_mod.mm.meter_id = 4;
    m.u.meter_mod.mm.flags = FT_MF_KBPS | FT_MF_PKTPS;
    h_send_expect_error(&h, c, &m, FT_ERR_METER_MOD_FAILED_BAD_FLAGS);
    h_flow(&h, c, FT_FC_ADD, "priority=1,in_port=1", "meter:3,apply_actions(output:2)");
    h_barrier(&h, c);
    uint8_t f[60];
    size_t n = h_udp_frame(f, 1, 2, 64);
    stub_dp_inject(h.dp, 1, f, n);

    struct ofa_msg q;
    h_mp_msg(&q, 10, OFA_MP_METER);
    q.u.mp.u.meter_id = FT_METER_ALL;
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 1);
    ck_assert_uint_eq(r.u.mp.u.meter_stats[0].meter_id, 3);
    ck_assert_uint_eq(r.u.mp.u.meter_stats[0].flow_count, 1);
    ck_assert_uint_eq(r.u.mp.u.meter_stats[0].packet_in_count, 1);
    ck_assert_uint_eq(r.u.mp.u.meter_stats[0].byte_in_count, 60);
    ck_assert_uint_eq(r.u.mp.u.meter_stats[0].n_bands, 1);
    ofa_msg_free(&r);

    h_mp_msg(&q, 11, OFA_MP_METER_CONFIG);
    q.u.mp.u.meter_id = 3;
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 1);
    ck_assert_uint_eq(r.u.mp.u.meter_configs[0].flags, FT_MF_KBPS | FT_MF_STATS);
    ck_assert_uint_eq(r.u.mp.u.meter_configs[0].bands[0].rate, 1000);
    ofa_msg_free(&r);

    h_mp_msg(&q, 12, OFA_MP_METER_FEATURES);
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.u.meter_features.max_meter, 65536);
    ck_assert_uint_eq(r.u.mp.u.meter_features.max_bands, 8);
    ofa_msg_free(&r);

    /* Deleting the meter removes its flow. */
    m.u.meter_mod.mm = (struct ft_meter_mod){.command = FT_MC_DELETE, .meter_id = 3};
    h_send(&h, c, &m);
    h_barrier(&h, c);
    struct ft_table_stats st;
    ft_pipeline_table_stats(dp_pipeline(h.dp), 0, &st);
    ck_assert_uint_eq(st.active_count, 0);
    h_fini(&h);
}
END_TEST

START_TEST(ports)
{
    struct harness h;
    h_init(&h, 3, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_msg pm = {.type = OFA_PORT_MOD, .xid = 1}, r;
    pm.u.port_mod.port_no = 7;
    h_send_expect_error(&h, c, &pm, FT_ERR_PORT_MOD_FAILED_BAD_PORT);
    pm.u.port_mod.port_no = 2;
    h_send_expect_error(&h, c, &pm, FT_ERR_PORT_MOD_FAILED_BAD_HW_ADDR);
    memcpy(pm.u.port_mod.hw_addr, (uint8_t[]){2, 0, 0, 0, 0, 2}, 6);
    pm.u.port_mod.mask = 1u << 3; /* OFPPC_NO_STP is not a 1.3 bit */
    h_send_expect_error(&h, c, &pm, FT_ERR_PORT_MOD_FAILED_BAD_CONFIG);
    pm.u.port_mod.mask = 0;
    pm.u.port_mod.advertise = 1u << 0; /* 10MB_HD: not supported */
    h_send_expect_error(&h, c, &pm, FT_ERR_PORT_MOD_FAILED_BAD_ADVERTISE);
    pm.u.port_mod.advertise = 0;
    pm.u.port_mod.config = FT_PC_PORT_DOWN;
    pm.u.port_mod.mask = FT_PC_PORT_DOWN;
    h_send(&h, c, &pm);
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_PORT_STATUS);
    ck_assert_uint_eq(r.u.port_status.port.config, FT_PC_PORT_DOWN);
    ofa_msg_free(&r);
    h_barrier(&h, c);
    struct ft_pipeline *p = dp_pipeline(h.dp);
    ck_assert(!ft_pipeline_port_live(p, ft_pipeline_version(p), 2));

    struct ofa_msg q;
    h_mp_msg(&q, 10, OFA_MP_PORT_DESC);
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 3);
    ck_assert_str_eq(r.u.mp.u.ports[1].name, "stub2");
    ck_assert_uint_eq(r.u.mp.u.ports[1].config, FT_PC_PORT_DOWN);
    ck_assert_uint_eq(r.u.mp.u.ports[2].curr_speed, 10000000);
    ofa_msg_free(&r);

    uint8_t f[60];
    size_t n = h_udp_frame(f, 1, 2, 64);
    stub_dp_inject(h.dp, 3, f, n);
    h_mp_msg(&q, 11, OFA_MP_PORT_STATS);
    q.u.mp.u.port_no = 3;
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 1);
    ck_assert_uint_eq(r.u.mp.u.port_stats[0].port_no, 3);
    ck_assert_uint_eq(r.u.mp.u.port_stats[0].rx_packets, 1);
    ck_assert_uint_eq(r.u.mp.u.port_stats[0].rx_bytes, 60);
    ofa_msg_free(&r);
    q.u.mp.u.port_no = FT_PORT_ANY;
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 3);
    ofa_msg_free(&r);

    h_mp_msg(&q, 12, OFA_MP_QUEUE);
    q.u.mp.u.queue_req.port_no = FT_PORT_ANY;
    q.u.mp.u.queue_req.queue_id = FT_QUEUE_ALL;
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 0);
    ofa_msg_free(&r);
    q.u.mp.u.queue_req.port_no = 9;
    h_send_expect_error(&h, c, &q, FT_ERR_QUEUE_OP_FAILED_BAD_PORT);
    q.u.mp.u.queue_req.port_no = 1;
    q.u.mp.u.queue_req.queue_id = 1;
    h_send_expect_error(&h, c, &q, FT_ERR_QUEUE_OP_FAILED_BAD_QUEUE);
    h_fini(&h);
}
END_TEST

START_TEST(packet_out)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    uint8_t f[60];
    size_t n = h_udp_frame(f, 1, 0x0a000009, 64);
    struct ft_action act = {.type = FT_AT_OUTPUT, .arg = 3};
    struct ofa_msg po = {.type = OFA_PACKET_OUT, .xid = 1};
    po.u.packet_out = (struct ofa_packet_out){.buffer_id = OFA_NO_BUFFER,
                                              .in_port = 1,
                                              .n_actions = 1,
                                              .actions = &act,
                                              .data = f,
                                              .data_len = n};
    h_send(&h, c, &po);
    h_barrier(&h, c);
    ck_assert_uint_eq(stub_dp_packet_outs(h.dp), 1);
    ck_assert_uint_eq(stub_dp_n_outputs(h.dp), 1);
    ck_assert_uint_eq(stub_dp_output(h.dp, 0)->port, 3);
    ck_assert(stub_dp_output(h.dp, 0)->packet_out);

    /* Output to TABLE sees a flow mod sent just before (no barrier). */
    h_flow(&h, c, FT_FC_ADD, "priority=5,ip,nw_dst=10.0.0.9", "output:4");
    act.arg = FT_PORT_TABLE;
    h_send(&h, c, &po);
    h_barrier(&h, c);
    ck_assert_uint_eq(stub_dp_n_outputs(h.dp), 2);
    ck_assert_uint_eq(stub_dp_output(h.dp, 1)->port, 4);

    po.u.packet_out.buffer_id = 3;
    h_send_expect_error(&h, c, &po, FT_ERR_BAD_REQUEST_BUFFER_UNKNOWN);
    po.u.packet_out.buffer_id = OFA_NO_BUFFER;
    po.u.packet_out.data_len = 10;
    h_send_expect_error(&h, c, &po, FT_ERR_BAD_REQUEST_BAD_PACKET);
    po.u.packet_out.data_len = n;
    act.type = FT_AT_GROUP;
    act.arg = 5;
    h_send_expect_error(&h, c, &po, FT_ERR_BAD_ACTION_BAD_OUT_GROUP);
    act = (struct ft_action){.type = FT_AT_OUTPUT, .arg = 2};
    po.u.packet_out.in_port = 0;
    h_send_expect_error(&h, c, &po, FT_ERR_BAD_REQUEST_BAD_PORT);
    ck_assert_uint_eq(stub_dp_packet_outs(h.dp), 2);
    h_fini(&h);
}
END_TEST

START_TEST(table_features)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_msg q, r;
    h_mp_msg(&q, 1, OFA_MP_TABLE_FEATURES);
    h_send(&h, c, &q);
    size_t total = 0;
    int parts = 0;
    for (;;) {
        h_recv(&h, c, &r, raw);
        ck_assert_int_eq(r.type, OFA_MULTIPART_REPLY);
        for (size_t i = 0; i < r.u.mp.n; i++) {
            const struct ofa_table_features *tf = &r.u.mp.u.table_features[i];
            ck_assert_uint_eq(tf->table_id, total + i);
            ck_assert_uint_eq(tf->max_entries, 1u << 20);
            ck_assert_uint_eq(tf->props, OFA_TFP_ALL);
            bool has_goto = tf->tf[0].instructions & FT_INST_BIT(FT_IT_GOTO_TABLE);
            ck_assert(has_goto == (tf->table_id < 254));
            ck_assert(tf->match & (1ull << FT_F_IPV6_EXTHDR));
            ck_assert(tf->tf[0].apply_setfield & (1ull << FT_F_IPV4_DST));
        }
        total += r.u.mp.n;
        parts++;
        bool more = r.u.mp.flags & OFA_MPF_MORE;
        ofa_msg_free(&r);
        if (!more)
            break;
    }
    ck_assert_uint_eq(total, 255);
    ck_assert_int_gt(parts, 1);

    struct ofa_table_features tf = {.table_id = 0, .max_entries = 10};
    q.xid = 2;
    q.u.mp.n = 1;
    q.u.mp.u.table_features = &tf;
    h_send_expect_error(&h, c, &q, FT_ERR_TABLE_FEATURES_FAILED_EPERM);

    h_mp_msg(&q, 3, OFA_MP_EXPERIMENTER);
    struct ofa_buf b;
    ofa_buf_init(&b);
    /* Experimenter multipart, raw (the encoder has no model for it). */
    const uint8_t exp[] = {0x04, 0x12, 0x00, 0x18, 0, 0, 0,    3,    0xff, 0xff, 0, 0,
                           0,    0,    0,    0,    0, 0, 0x23, 0x20, 0,    0,    0, 1};
    h_send_raw(&h, c, exp, sizeof exp);
    h_expect_error(&h, c, 3, FT_ERR_BAD_REQUEST_BAD_EXPERIMENTER, exp, sizeof exp);
    ofa_buf_free(&b);
    h_fini(&h);
}
END_TEST

START_TEST(invalid_ttl_packet_in)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_msg sa = {.type = OFA_SET_ASYNC, .xid = 1}, r;
    sa.u.async.packet_in_mask[0] = 0x7;
    h_send(&h, c, &sa);
    h_flow(&h, c, FT_FC_ADD, "priority=1,ip", "dec_ttl,output:2");
    h_barrier(&h, c);
    uint8_t f[60];
    size_t n = h_udp_frame(f, 1, 2, 1);
    stub_dp_inject(h.dp, 1, f, n);
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_PACKET_IN);
    ck_assert_uint_eq(r.u.packet_in.reason, OFA_PR_INVALID_TTL);
    ck_assert_uint_eq(r.u.packet_in.data_len, 60); /* miss_send_len 128 > 60 */
    ofa_msg_free(&r);
    h_fini(&h);
}
END_TEST

/* A reply that cannot list what it answers about (out of memory) is an
 * error, never an empty list that looks like "no flows/groups/meters". */
START_TEST(listing_out_of_memory)
{
    if (!ft_fault_available())
        return; /* Built without -Dfault_injection. */
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ft_action out2 = {.type = FT_AT_OUTPUT, .arg = 2};
    struct ft_bucket b = {
        .n_actions = 1, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY, .actions = &out2};
    struct ofa_msg g, q, r;
    for (uint32_t id = 1; id <= 2; id++) {
        group_msg(&g, id, FT_GC_ADD, FT_GT_ALL, id, &b, 1);
        h_send(&h, c, &g);
        struct ofa_msg m = {.type = OFA_METER_MOD, .xid = 10 + id};
        struct ft_meter_band band = {.type = FT_MBT_DROP, .rate = 1000, .burst_size = 100};
        m.u.meter_mod.mm = (struct ft_meter_mod){.command = FT_MC_ADD,
                                                 .flags = FT_MF_PKTPS,
                                                 .meter_id = id,
                                                 .n_bands = 1,
                                                 .bands = &band};
        h_send(&h, c, &m);
    }
    h_flow(&h, c, FT_FC_ADD, "priority=1,in_port=1", "output:2");
    h_flow(&h, c, FT_FC_ADD, "priority=2,in_port=2", "output:1");
    h_barrier(&h, c);

    const uint16_t types[] = {OFA_MP_FLOW,       OFA_MP_AGGREGATE, OFA_MP_GROUP,
                              OFA_MP_GROUP_DESC, OFA_MP_METER,     OFA_MP_METER_CONFIG};
    const size_t want[] = {2, 2, 2,
                           2, 2, 2}; /* Flows, the aggregate's flow_count, groups, meters. */
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        h_mp_msg(&q, (uint32_t)(100 + i), types[i]);
        if (types[i] == OFA_MP_FLOW || types[i] == OFA_MP_AGGREGATE) {
            q.u.mp.u.flow_req.table_id = FT_TABLE_ALL;
            q.u.mp.u.flow_req.out_port = FT_PORT_ANY;
            q.u.mp.u.flow_req.out_group = FT_GROUP_ANY;
            ft_match_init_catchall(&q.u.mp.u.flow_req.match);
        } else if (types[i] == OFA_MP_GROUP) {
            q.u.mp.u.group_id = FT_GROUP_ALL;
        } else if (types[i] != OFA_MP_GROUP_DESC) {
            q.u.mp.u.meter_id = FT_METER_ALL;
        }
        ft_fault_arm(0, UINT64_MAX); /* Every allocation of the pipeline fails. */
        h_send_expect_error(&h, c, &q, OFA_ERR_NOMEM);
        ft_fault_disarm();
        h_send(&h, c, &q); /* The same request, with memory: the whole list. */
        h_recv(&h, c, &r, raw);
        ck_assert_msg(types[i] == OFA_MP_AGGREGATE ? r.u.mp.u.aggregate.flow_count == want[i]
                                                   : r.u.mp.n == want[i],
                      "multipart type %u: wrong count after the fault (%zu)", types[i],
                      (size_t)r.u.mp.n);
        ofa_msg_free(&r);
    }
    h_fini(&h);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("ofagent_misc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, groups);
    tcase_add_test(tc, meters);
    tcase_add_test(tc, ports);
    tcase_add_test(tc, packet_out);
    tcase_add_test(tc, table_features);
    tcase_add_test(tc, invalid_ttl_packet_in);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, listing_out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
