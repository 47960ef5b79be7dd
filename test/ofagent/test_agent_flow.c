/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Agent unit tests: flow mods (batched commit, barrier ordering), flow,
 * aggregate and table statistics with reply splitting and request
 * reassembly, FLOW_REMOVED for every reason.
 */
#include <stdio.h>

#include "agent_test_util.h"
#include "check_main.h"

static uint8_t raw[H_MAX_MSG];

/* Encode n flow mods (distinct ipv4 destinations) into b. */
static void
encode_flows(struct ofa_buf *b, int n, const char *actions)
{
    for (int i = 0; i < n; i++) {
        char spec[128];
        snprintf(spec, sizeof spec, "priority=100,ip,nw_dst=10.1.%d.%d", i / 256, i % 256);
        struct ofa_msg m;
        h_flow_msg(&m, (uint32_t)(1000 + i), FT_FC_ADD, spec, actions);
        ck_assert_int_eq(ofa_encode(b, &m), 0);
        h_flow_free(&m);
    }
}

static uint32_t
n_rules(struct harness *h)
{
    struct ft_table_stats st;
    ft_pipeline_table_stats(dp_pipeline(h->dp), 0, &st);
    return st.active_count;
}

START_TEST(one_commit_per_batch)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_buf b;
    ofa_buf_init(&b);
    encode_flows(&b, 400, "output:2");
    unsigned before = stub_dp_commits(h.dp);
    h_write(h.conns[c].fd, b.data, b.len); /* Fits the socket buffer: one read. */
    h_run(&h, 1);
    ck_assert_uint_eq(n_rules(&h), 400);
    /* 400 flow mods, one poll iteration, one commit. */
    ck_assert_uint_eq(stub_dp_commits(h.dp) - before, 1);
    ck_assert(!ft_pipeline_dirty(dp_pipeline(h.dp)));
    ofa_buf_free(&b);
    h_fini(&h);
}
END_TEST

START_TEST(barrier_orders_and_commits)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    /* A bad flow mod, a good one and a barrier in one write: the error
     * comes first, then the barrier reply, and by then the good flow is
     * what the dataplane forwards by. */
    struct ofa_buf b;
    ofa_buf_init(&b);
    struct ofa_msg m;
    h_flow_msg(&m, 21, FT_FC_ADD, "priority=5,in_port=1", "group:42");
    ck_assert_int_eq(ofa_encode(&b, &m), 0);
    size_t bad_len = b.len;
    uint8_t bad[256];
    memcpy(bad, b.data, bad_len);
    h_flow_free(&m);
    h_flow_msg(&m, 22, FT_FC_ADD, "priority=5,in_port=1", "output:3");
    ck_assert_int_eq(ofa_encode(&b, &m), 0);
    h_flow_free(&m);
    struct ofa_msg bar = {.type = OFA_BARRIER_REQUEST, .xid = 23};
    ck_assert_int_eq(ofa_encode(&b, &bar), 0);
    h_write(h.conns[c].fd, b.data, b.len);
    h_expect_error(&h, c, 21, FT_ERR_BAD_ACTION_BAD_OUT_GROUP, bad, bad_len);
    h_expect_type(&h, c, OFA_BARRIER_REPLY, 23);
    uint8_t f[60];
    size_t n = h_udp_frame(f, 0x0a000001, 0x0a000002, 64);
    ck_assert_int_eq(stub_dp_inject(h.dp, 1, f, n), 1);
    ck_assert_uint_eq(stub_dp_output(h.dp, 0)->port, 3);
    ofa_buf_free(&b);
    h_fini(&h);
}
END_TEST

START_TEST(flow_mod_commands)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    h_flow(&h, c, FT_FC_ADD, "priority=10,cookie=0x1,ip,nw_dst=10.0.0.1", "output:2");
    h_flow(&h, c, FT_FC_ADD, "priority=10,cookie=0x2,ip,nw_dst=10.0.0.2", "output:2");
    h_flow(&h, c, FT_FC_ADD, "table=1,priority=10,cookie=0x2,ip", "output:3");
    h_barrier(&h, c);
    ck_assert_uint_eq(n_rules(&h), 2);
    h_flow(&h, c, FT_FC_MODIFY, "table=0,cookie=0x2/0xff", "output:4");
    h_flow(&h, c, FT_FC_DELETE, "cookie=0x1/0xff", NULL);
    h_barrier(&h, c);
    ck_assert_uint_eq(n_rules(&h), 1);
    uint8_t f[60];
    size_t n = h_udp_frame(f, 1, 0x0a000002, 64);
    stub_dp_inject(h.dp, 1, f, n);
    ck_assert_uint_eq(stub_dp_output(h.dp, 0)->port, 4);
    /* Strict delete needs the exact priority. */
    h_flow(&h, c, FT_FC_DELETE_STRICT, "table=0,priority=9,ip,nw_dst=10.0.0.2", NULL);
    h_barrier(&h, c);
    ck_assert_uint_eq(n_rules(&h), 1);
    h_flow(&h, c, FT_FC_DELETE_STRICT, "table=0,priority=10,ip,nw_dst=10.0.0.2", NULL);
    h_barrier(&h, c);
    ck_assert_uint_eq(n_rules(&h), 0);

    /* A bad table id, an unknown command. */
    struct ofa_msg m;
    h_flow_msg(&m, 30, FT_FC_ADD, "table=255", "output:1");
    h_send_expect_error(&h, c, &m, FT_ERR_FLOW_MOD_FAILED_BAD_TABLE_ID);
    h_flow_free(&m);
    h_flow_msg(&m, 31, FT_FC_ADD, "priority=1", "output:1");
    m.u.flow_mod.fm.command = 9;
    h_send_expect_error(&h, c, &m, FT_ERR_FLOW_MOD_FAILED_BAD_COMMAND);
    h_flow_free(&m);

    /* A buffer id: the flow is added, the buffer is refused. */
    h_flow_msg(&m, 32, FT_FC_ADD, "priority=1", "output:1");
    m.u.flow_mod.buffer_id = 7;
    h_send_expect_error(&h, c, &m, FT_ERR_BAD_REQUEST_BUFFER_UNKNOWN);
    h_flow_free(&m);
    h_barrier(&h, c);
    ck_assert_uint_eq(n_rules(&h), 1);
    h_fini(&h);
}
END_TEST

/* Collect every part of a multipart reply; returns the item count. */
static size_t
recv_mp(struct harness *h, int c, uint32_t xid, uint16_t type, int *parts)
{
    size_t total = 0;
    *parts = 0;
    for (;;) {
        struct ofa_msg r;
        h_recv(h, c, &r, raw);
        ck_assert_int_eq(r.type, OFA_MULTIPART_REPLY);
        ck_assert_uint_eq(r.xid, xid);
        ck_assert_int_eq(r.u.mp.type, type);
        total += r.u.mp.n;
        (*parts)++;
        bool more = r.u.mp.flags & OFA_MPF_MORE;
        ofa_msg_free(&r);
        if (!more)
            return total;
    }
}

START_TEST(flow_stats_split_and_exact)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_buf b;
    ofa_buf_init(&b);
    encode_flows(&b, 1500, "output:2");
    h_send_raw(&h, c, b.data, b.len);
    h_barrier(&h, c);
    ofa_buf_free(&b);

    struct ofa_msg q;
    h_mp_msg(&q, 40, OFA_MP_FLOW);
    struct ft_flow_filter *f = &q.u.mp.u.flow_req;
    f->table_id = FT_TABLE_ALL;
    f->out_port = FT_PORT_ANY;
    f->out_group = FT_GROUP_ANY;
    ft_match_init_catchall(&f->match);
    h_send(&h, c, &q);
    int parts;
    ck_assert_uint_eq(recv_mp(&h, c, 40, OFA_MP_FLOW, &parts), 1500);
    ck_assert_int_gt(parts, 1); /* 1500 * 96 bytes do not fit 64 KiB. */

    /* Traffic counts exactly. */
    uint8_t fr[60];
    size_t n = h_udp_frame(fr, 1, 0x0a010005, 64);
    stub_dp_inject(h.dp, 1, fr, n);
    stub_dp_inject(h.dp, 1, fr, n);
    ft_match_parse(&f->match, "ip,nw_dst=10.1.0.5", NULL);
    q.xid = 41;
    h_send(&h, c, &q);
    struct ofa_msg r;
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 1);
    ck_assert_uint_eq(r.u.mp.u.flows[0].packet_count, 2);
    ck_assert_uint_eq(r.u.mp.u.flows[0].byte_count, 120);
    ck_assert_uint_eq(r.u.mp.u.flows[0].priority, 100);
    ofa_msg_free(&r);

    /* Aggregate over everything. */
    q.u.mp.type = OFA_MP_AGGREGATE;
    ft_match_init_catchall(&f->match);
    q.xid = 42;
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.u.aggregate.flow_count, 1500);
    ck_assert_uint_eq(r.u.mp.u.aggregate.packet_count, 2);
    ofa_msg_free(&r);

    /* Table statistics: every table, lookups counted. */
    h_mp_msg(&q, 43, OFA_MP_TABLE);
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.mp.n, 255);
    ck_assert_uint_eq(r.u.mp.u.tables[0].active_count, 1500);
    ck_assert_uint_eq(r.u.mp.u.tables[0].lookup_count, 2);
    ck_assert_uint_eq(r.u.mp.u.tables[0].matched_count, 2);
    ck_assert_uint_eq(r.u.mp.u.tables[254].table_id, 254);
    ofa_msg_free(&r);

    /* A bad table id in the request. */
    h_mp_msg(&q, 44, OFA_MP_FLOW);
    q.u.mp.u.flow_req.table_id = 254;
    q.u.mp.u.flow_req.out_port = FT_PORT_ANY;
    q.u.mp.u.flow_req.out_group = FT_GROUP_ANY;
    ft_match_init_catchall(&q.u.mp.u.flow_req.match);
    h_send(&h, c, &q);
    ck_assert_uint_eq(recv_mp(&h, c, 44, OFA_MP_FLOW, &parts), 0);
    h_fini(&h);
}
END_TEST

START_TEST(multipart_request_reassembly)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    h_flow(&h, c, FT_FC_ADD, "priority=3,ip", "output:2");
    h_barrier(&h, c);
    struct ofa_msg q;
    h_mp_msg(&q, 50, OFA_MP_FLOW);
    q.u.mp.u.flow_req.table_id = FT_TABLE_ALL;
    q.u.mp.u.flow_req.out_port = FT_PORT_ANY;
    q.u.mp.u.flow_req.out_group = FT_GROUP_ANY;
    ft_match_init_catchall(&q.u.mp.u.flow_req.match);
    struct ofa_buf b;
    ofa_buf_init(&b);
    ck_assert_int_eq(ofa_encode(&b, &q), 0);
    /* Split the body after 20 bytes into two messages, REQ_MORE on the first. */
    size_t body = b.len - 16, cut = 20;
    uint8_t p1[64], p2[128];
    memcpy(p1, b.data, 16 + cut);
    ft_wr16(p1 + 2, (uint16_t)(16 + cut));
    ft_wr16(p1 + 10, OFA_MPF_MORE);
    memcpy(p2, b.data, 16);
    memcpy(p2 + 16, b.data + 16 + cut, body - cut);
    ft_wr16(p2 + 2, (uint16_t)(16 + body - cut));
    h_send_raw(&h, c, p1, 16 + cut);
    h_expect_silence(&h, c); /* Nothing to answer before the last part. */
    h_send_raw(&h, c, p2, 16 + body - cut);
    int parts;
    ck_assert_uint_eq(recv_mp(&h, c, 50, OFA_MP_FLOW, &parts), 1);

    /* A part of another xid while one is pending: BAD_MULTIPART. */
    h_send_raw(&h, c, p1, 16 + cut);
    ft_wr32(p2 + 4, 51);
    h_send_raw(&h, c, p2, 16 + body - cut);
    h_expect_error(&h, c, 51, FT_ERR_BAD_REQUEST_BAD_MULTIPART, p2, 16 + body - cut);
    ofa_buf_free(&b);
    h_fini(&h);
}
END_TEST

/* Next FLOW_REMOVED on c. */
static void
expect_removed(struct harness *h, int c, uint64_t cookie, uint8_t reason)
{
    struct ofa_msg r;
    h_recv(h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_FLOW_REMOVED);
    ck_assert_uint_eq(r.u.flow_removed.cookie, cookie);
    ck_assert_uint_eq(r.u.flow_removed.reason, reason);
    ofa_msg_free(&r);
}

START_TEST(flow_removed_reasons)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    /* DELETE, only with SEND_FLOW_REM. */
    h_flow(&h, c, FT_FC_ADD, "priority=1,cookie=0x11,in_port=1,send_flow_rem", "output:2");
    h_flow(&h, c, FT_FC_ADD, "priority=1,cookie=0x12,in_port=2", "output:1");
    h_flow(&h, c, FT_FC_DELETE, "", NULL);
    h_send(&h, c, &(struct ofa_msg){.type = OFA_BARRIER_REQUEST, .xid = 59});
    expect_removed(&h, c, 0x11, FT_RR_DELETE);
    h_expect_type(&h, c, OFA_BARRIER_REPLY, 59);
    h_expect_silence(&h, c);

    /* GROUP_DELETE. */
    struct ofa_msg g = {.type = OFA_GROUP_MOD, .xid = 60};
    struct ft_action out = {.type = FT_AT_OUTPUT, .arg = 2};
    struct ft_bucket bk = {
        .n_actions = 1, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY, .actions = &out};
    g.u.group_mod.gm = (struct ft_group_mod){.command = FT_GC_ADD,
                                             .type = FT_GT_INDIRECT,
                                             .group_id = 5,
                                             .n_buckets = 1,
                                             .buckets = &bk};
    h_send(&h, c, &g);
    h_flow(&h, c, FT_FC_ADD, "priority=1,cookie=0x13,send_flow_rem", "group:5");
    h_barrier(&h, c);
    g.u.group_mod.gm.command = FT_GC_DELETE;
    g.u.group_mod.gm.n_buckets = 0;
    h_send(&h, c, &g);
    /* Delivered with the commit, so before the barrier's reply. */
    h_send(&h, c, &(struct ofa_msg){.type = OFA_BARRIER_REQUEST, .xid = 61});
    expect_removed(&h, c, 0x13, FT_RR_GROUP_DELETE);
    h_expect_type(&h, c, OFA_BARRIER_REPLY, 61);

    /* HARD timeout: expiry runs about once a second. */
    h_flow(&h, c, FT_FC_ADD, "priority=1,cookie=0x14,hard_timeout=1,send_flow_rem", "output:2");
    h_barrier(&h, c);
    struct ofa_msg r;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        ofa_agent_run_once(h.a, 50);
        uint8_t hdr[8];
        if (recv(h.conns[c].fd, hdr, sizeof hdr, MSG_PEEK | MSG_DONTWAIT) == 8)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        ck_assert_msg(t.tv_sec - t0.tv_sec < 4, "no FLOW_REMOVED after the hard timeout");
    }
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_FLOW_REMOVED);
    ck_assert_uint_eq(r.u.flow_removed.cookie, 0x14);
    ck_assert_uint_eq(r.u.flow_removed.reason, FT_RR_HARD_TIMEOUT);
    ck_assert_uint_eq(r.u.flow_removed.hard_timeout, 1);
    ck_assert_uint_ge(r.u.flow_removed.duration_ns, 1000000000ull);
    ofa_msg_free(&r);
    h_fini(&h);
}
END_TEST

/* IDLE timeout: a rule in use stays; once unused for its idle time it is
 * removed (the expiry reads the last use the dataplane folded in). */
START_TEST(idle_timeout)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    h_flow(&h, c, FT_FC_ADD, "priority=1,cookie=0x21,idle_timeout=1,send_flow_rem,in_port=1",
           "output:2");
    h_barrier(&h, c);
    uint8_t f[60];
    size_t n = h_udp_frame(f, 1, 2, 64);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* 1.6 s of traffic every 200 ms: never idle for a second. */
    do {
        stub_dp_inject(h.dp, 1, f, n);
        for (int i = 0; i < 4; i++)
            ofa_agent_run_once(h.a, 50);
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 1600);
    h_expect_silence(&h, c);
    /* Then silence: removed within about two seconds. */
    for (;;) {
        ofa_agent_run_once(h.a, 50);
        uint8_t hdr[8];
        if (recv(h.conns[c].fd, hdr, sizeof hdr, MSG_PEEK | MSG_DONTWAIT) == 8)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        ck_assert_msg(t.tv_sec - t0.tv_sec < 6, "no FLOW_REMOVED after the idle timeout");
    }
    struct ofa_msg r;
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_FLOW_REMOVED);
    ck_assert_uint_eq(r.u.flow_removed.cookie, 0x21);
    ck_assert_uint_eq(r.u.flow_removed.reason, FT_RR_IDLE_TIMEOUT);
    ck_assert_uint_ge(r.u.flow_removed.packet_count, 8);
    ck_assert_uint_ge(r.u.flow_removed.duration_ns, 2000000000ull);
    ofa_msg_free(&r);
    h_fini(&h);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("ofagent_flow");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, one_commit_per_batch);
    tcase_add_test(tc, barrier_orders_and_commits);
    tcase_add_test(tc, flow_mod_commands);
    tcase_add_test(tc, multipart_request_reassembly);
    tcase_add_test(tc, flow_removed_reasons);
    tcase_add_test(tc, idle_timeout);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, flow_stats_split_and_exact);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
