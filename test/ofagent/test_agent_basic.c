/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Agent unit tests: handshake, echo, features, config, the simple
 * requests and the errors that carry the offending bytes.
 */
#include "agent_test_util.h"
#include "check_main.h"

static uint8_t raw[H_MAX_MSG];

START_TEST(hello_negotiates_1_3)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    ck_assert_uint_eq(ofa_agent_n_connected(h.a), 1);
    struct ofa_msg f = {.type = OFA_FEATURES_REQUEST, .xid = 5}, r;
    h_send(&h, c, &f);
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_FEATURES_REPLY);
    ck_assert_uint_eq(r.xid, 5);
    ck_assert_uint_eq(r.u.features.datapath_id, 0x1234);
    ck_assert_uint_eq(r.u.features.n_buffers, 0);
    ck_assert_uint_eq(r.u.features.n_tables, 255);
    ck_assert_uint_eq(r.u.features.capabilities, 0xf);
    ofa_msg_free(&r);
    h_fini(&h);
}
END_TEST

START_TEST(hello_without_bitmap_higher_version)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_SECURE);
    int c = h_connect_nohello(&h);
    h_expect_type(&h, c, OFA_HELLO, 1);
    /* A 1.5 peer without a bitmap: the lower version, 1.3, is used. */
    const uint8_t hello15[] = {0x06, 0x00, 0x00, 0x08, 0, 0, 0, 9};
    h_send_raw(&h, c, hello15, sizeof hello15);
    h_run(&h, 2);
    ck_assert_uint_eq(ofa_agent_n_connected(h.a), 1);
    h_fini(&h);
}
END_TEST

START_TEST(hello_incompatible)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_SECURE);
    int c = h_connect_nohello(&h);
    h_expect_type(&h, c, OFA_HELLO, 1);
    /* Bitmap with only OpenFlow 1.0 (bit 1). */
    const uint8_t hello10[] = {0x04, 0x00, 0x00, 0x10, 0,    0,    0,    3,
                               0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02};
    h_send_raw(&h, c, hello10, sizeof hello10);
    h_expect_error(&h, c, 3, FT_ERR_HELLO_FAILED_INCOMPATIBLE, NULL, 0);
    h_run(&h, 3);
    ck_assert_uint_eq(ofa_agent_n_connected(h.a), 0);
    char b[8];
    ck_assert_int_eq(recv(h.conns[c].fd, b, sizeof b, 0), 0); /* Closed. */
    h_fini(&h);
}
END_TEST

START_TEST(first_message_not_hello)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_SECURE);
    int c = h_connect_nohello(&h);
    h_expect_type(&h, c, OFA_HELLO, 1);
    struct ofa_msg f = {.type = OFA_FEATURES_REQUEST, .xid = 5};
    h_send(&h, c, &f);
    h_expect_error(&h, c, 5, FT_ERR_HELLO_FAILED_INCOMPATIBLE, NULL, 0);
    h_fini(&h);
}
END_TEST

START_TEST(echo_both_ways)
{
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    cfg.probe_interval_ms = 100;
    struct harness h;
    h_init_cfg(&h, 2, &cfg);
    int c = h_connect(&h);
    const uint8_t payload[] = "ping";
    struct ofa_msg e = {.type = OFA_ECHO_REQUEST, .xid = 77}, r;
    e.u.echo.data = payload;
    e.u.echo.data_len = 4;
    h_send(&h, c, &e);
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_ECHO_REPLY);
    ck_assert_uint_eq(r.xid, 77);
    ck_assert_uint_eq(r.u.echo.data_len, 4);
    ck_assert_mem_eq(r.u.echo.data, payload, 4);
    ofa_msg_free(&r);

    /* Silence for a probe interval: the agent asks. */
    h_sleep_ms(120);
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_ECHO_REQUEST);
    struct ofa_msg rep = {.type = OFA_ECHO_REPLY, .xid = r.xid};
    ofa_msg_free(&r);
    h_send(&h, c, &rep);
    h_run(&h, 2);
    ck_assert_uint_eq(ofa_agent_n_connected(h.a), 1);

    /* No answer for two intervals: disconnected. */
    h_sleep_ms(120);
    h_expect_type(&h, c, OFA_ECHO_REQUEST, 3);
    h_sleep_ms(120);
    h_run(&h, 2);
    ck_assert_uint_eq(ofa_agent_n_connected(h.a), 0);
    h_fini(&h);
}
END_TEST

START_TEST(config_get_set)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_msg g = {.type = OFA_GET_CONFIG_REQUEST, .xid = 1}, r;
    h_send(&h, c, &g);
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_GET_CONFIG_REPLY);
    ck_assert_uint_eq(r.u.config.flags, 0);
    ck_assert_uint_eq(r.u.config.miss_send_len, 128);
    ofa_msg_free(&r);

    struct ofa_msg s = {.type = OFA_SET_CONFIG, .xid = 2};
    s.u.config.flags = 1; /* FRAG_DROP */
    s.u.config.miss_send_len = 200;
    h_send(&h, c, &s);
    h_send(&h, c, &g);
    h_recv(&h, c, &r, raw);
    ck_assert_uint_eq(r.u.config.flags, 1);
    ck_assert_uint_eq(r.u.config.miss_send_len, 200);
    ofa_msg_free(&r);
    ck_assert_int_eq(stub_dp_frag(h.dp), DP_FRAG_DROP);
    ck_assert_uint_eq(stub_dp_miss_send_len(h.dp), 200);

    /* Reassembly is not supported; nothing changes. */
    s.xid = 3;
    s.u.config.flags = 2;
    h_send_expect_error(&h, c, &s, FT_ERR_SWITCH_CONFIG_FAILED_BAD_FLAGS);
    s.u.config.flags = 0x10;
    h_send_expect_error(&h, c, &s, FT_ERR_SWITCH_CONFIG_FAILED_BAD_FLAGS);
    ck_assert_int_eq(stub_dp_frag(h.dp), DP_FRAG_DROP);
    h_fini(&h);
}
END_TEST

START_TEST(errors_carry_offending_bytes)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    /* Experimenter message: BAD_EXPERIMENTER. */
    struct ofa_msg e = {.type = OFA_EXPERIMENTER, .xid = 11};
    uint8_t data[100];
    memset(data, 0xab, sizeof data);
    e.u.experimenter.experimenter = 0x2320;
    e.u.experimenter.data = data;
    e.u.experimenter.data_len = sizeof data;
    h_send_expect_error(&h, c, &e, FT_ERR_BAD_REQUEST_BAD_EXPERIMENTER);

    /* A reply type sent to the switch: BAD_TYPE. */
    struct ofa_msg fr = {.type = OFA_FEATURES_REPLY, .xid = 12};
    h_send_expect_error(&h, c, &fr, FT_ERR_BAD_REQUEST_BAD_TYPE);

    /* Unknown type 99. */
    const uint8_t t99[] = {0x04, 99, 0x00, 0x08, 0, 0, 0, 13};
    h_send_raw(&h, c, t99, sizeof t99);
    h_expect_error(&h, c, 13, FT_ERR_BAD_REQUEST_BAD_TYPE, t99, sizeof t99);

    /* Wrong version after the handshake. */
    const uint8_t v1[] = {0x01, 5, 0x00, 0x08, 0, 0, 0, 14};
    h_send_raw(&h, c, v1, sizeof v1);
    h_expect_error(&h, c, 14, FT_ERR_BAD_REQUEST_BAD_VERSION, v1, sizeof v1);

    /* A flow mod with a match missing its prerequisite (tcp_dst without
     * ip_proto): BAD_MATCH/BAD_PREREQ with the first 64 bytes. */
    uint8_t fm[] = {
        0x04, 0x0e, 0x00, 0x58, 0x00, 0x00, 0x00, 0x0f,                         /* header, len 88 */
        0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0, /* cookie, mask */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, /* table, ADD, timeouts, prio */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* buffer, out_port */
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* out_group, flags, pad */
        0x00, 0x01, 0x00, 0x0a, 0x80, 0x00, 0x1c, 0x02, /* match len 10: tcp_dst */
        0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* =80, pad */
        0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, /* apply_actions, empty */
        0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, /* clear_actions */
        0x00, 0x05, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, /* clear again (DUP_INST), never reached */
    };
    h_send_raw(&h, c, fm, sizeof fm);
    h_expect_error(&h, c, 15, FT_ERR_BAD_MATCH_BAD_PREREQ, fm, sizeof fm);

    /* The connection still works. */
    h_barrier(&h, c);
    h_fini(&h);
}
END_TEST

START_TEST(bad_length_closes)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    const uint8_t bad[] = {0x04, 0x02, 0x00, 0x04, 0, 0, 0, 1};
    h_send_raw(&h, c, bad, sizeof bad);
    h_expect_error(&h, c, 1, FT_ERR_BAD_REQUEST_BAD_LEN, bad, sizeof bad);
    h_run(&h, 3);
    ck_assert_uint_eq(ofa_agent_n_connected(h.a), 0);
    h_fini(&h);
}
END_TEST

START_TEST(table_mod_and_queue_config)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_msg t = {.type = OFA_TABLE_MOD, .xid = 1};
    t.u.table_mod.table_id = 3;
    t.u.table_mod.config = 0;
    h_send(&h, c, &t);
    t.u.table_mod.config = 8;
    h_send_expect_error(&h, c, &t, FT_ERR_TABLE_MOD_FAILED_BAD_CONFIG);
    t.u.table_mod.config = 0;
    t.u.table_mod.table_id = 255;
    h_send(&h, c, &t);
    h_barrier(&h, c);

    struct ofa_msg q = {.type = OFA_QUEUE_GET_CONFIG_REQUEST, .xid = 2}, r;
    q.u.queue_config.port = 1;
    h_send(&h, c, &q);
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_QUEUE_GET_CONFIG_REPLY);
    ck_assert_uint_eq(r.u.queue_config.n_queues, 0);
    ofa_msg_free(&r);
    q.u.queue_config.port = 9;
    h_send_expect_error(&h, c, &q, FT_ERR_QUEUE_OP_FAILED_BAD_PORT);
    h_fini(&h);
}
END_TEST

START_TEST(desc_and_standalone)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_STANDALONE);
    /* No controller yet: the dataplane forwards on its own. */
    ck_assert(stub_dp_standalone(h.dp));
    int c = h_connect(&h);
    ck_assert(!stub_dp_standalone(h.dp));
    struct ofa_msg d, r;
    h_mp_msg(&d, 3, OFA_MP_DESC);
    h_send(&h, c, &d);
    h_recv(&h, c, &r, raw);
    ck_assert_int_eq(r.u.mp.type, OFA_MP_DESC);
    ck_assert_str_eq(r.u.mp.u.desc.dp_desc, "ofswitch datapath");
    ofa_msg_free(&r);
    close(h.conns[c].fd);
    h.conns[c].fd = -1;
    h_run(&h, 3);
    ck_assert(stub_dp_standalone(h.dp));
    h_fini(&h);

    h_init(&h, 2, OFA_FAIL_SECURE);
    ck_assert(!stub_dp_standalone(h.dp));
    h_fini(&h);
}
END_TEST

START_TEST(targets)
{
    char err[128];
    const char *good[] = {"tcp:127.0.0.1",
                          "tcp:127.0.0.1:6633",
                          "tls:ctl.example:1",
                          "tcp:[::1]:6653",
                          "ptcp:",
                          "ptcp:6653",
                          "ptcp:0",
                          "ptcp:6653:0.0.0.0",
                          "ptls:6654:[::1]",
                          "ptcp::10.0.0.1"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(ofa_target_validate(good[i], err, sizeof err) == 0, "%s: %s", good[i], err);
    const char *bad[] = {
        "",       "tcp:",           "tcp::6653",  "tcp:1.2.3.4:0", "udp:1.2.3.4",    "tcp:h:70000",
        "ptcp:x", "ptcp:1:notanip", "ptcp:6653:", "tcp:[::1",      "tcp:1.2.3.4:66a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        ck_assert_msg(ofa_target_validate(bad[i], err, sizeof err) == -EINVAL, "%s accepted",
                      bad[i]);
        ck_assert_msg(err[0] && !strchr(err, '\n'), "one line for %s", bad[i]);
    }
    /* The agent refuses a bad target with the same message. */
    struct dp *dp = stub_dp_create(1, NULL);
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    const char *t[] = {"ptcp:0", "bogus"};
    cfg.targets = t;
    cfg.n_targets = 2;
    ck_assert_ptr_null(ofa_agent_create(&cfg, dp, err, sizeof err));
    ck_assert_msg(strstr(err, "bogus"), "%s", err);
    /* TLS without files. */
    const char *t2[] = {"ptls:0"};
    cfg.targets = t2;
    cfg.n_targets = 1;
    ck_assert_ptr_null(ofa_agent_create(&cfg, dp, err, sizeof err));
    stub_dp_destroy(dp);
}
END_TEST

START_TEST(passive_listener_and_active_reconnect)
{
    /* Agent A listens on an ephemeral port; agent B dials it. */
    struct dp *dpa = stub_dp_create(1, NULL), *dpb = stub_dp_create(1, NULL);
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    const char *ta[] = {"ptcp:0"};
    cfg.targets = ta;
    cfg.n_targets = 1;
    char err[256];
    struct ofa_agent *a = ofa_agent_create(&cfg, dpa, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    int port = ofa_agent_listen_port(a, 0);
    ck_assert_int_gt(port, 0);
    char tb[64];
    snprintf(tb, sizeof tb, "tcp:127.0.0.1:%d", port);
    const char *tbs[] = {tb};
    cfg.targets = tbs;
    cfg.min_backoff_ms = 10;
    struct ofa_agent *b = ofa_agent_create(&cfg, dpb, err, sizeof err);
    ck_assert_msg(b != NULL, "%s", err);
    ck_assert_int_eq(ofa_agent_listen_port(b, 0), -ENOENT);
    for (int i = 0; i < 200 && (ofa_agent_n_connected(a) < 1 || ofa_agent_n_connected(b) < 1);
         i++) {
        ofa_agent_run_once(a, 5);
        ofa_agent_run_once(b, 5);
    }
    /* Both see an OpenFlow 1.3 connection (each speaks as a switch, which
     * is enough for the handshake). */
    ck_assert_uint_eq(ofa_agent_n_connected(a), 1);
    ck_assert_uint_eq(ofa_agent_n_connected(b), 1);
    /* A goes away; B notices, then reconnects to a new A on the same port. */
    ofa_agent_destroy(a);
    for (int i = 0; i < 50 && ofa_agent_n_connected(b); i++)
        ofa_agent_run_once(b, 5);
    ck_assert_uint_eq(ofa_agent_n_connected(b), 0);
    char tp[64];
    snprintf(tp, sizeof tp, "ptcp:%d", port);
    const char *tps[] = {tp};
    cfg.targets = tps;
    a = ofa_agent_create(&cfg, dpa, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    for (int i = 0; i < 400 && ofa_agent_n_connected(b) < 1; i++) {
        ofa_agent_run_once(a, 5);
        ofa_agent_run_once(b, 5);
    }
    ck_assert_uint_eq(ofa_agent_n_connected(b), 1);
    ofa_agent_destroy(a);
    ofa_agent_destroy(b);
    stub_dp_destroy(dpa);
    stub_dp_destroy(dpb);
}
END_TEST

/* Random and mutated messages: the agent answers or closes, never
 * crashes or leaks (the sanitizer build checks), and a connection that
 * survives still answers a barrier. */
START_TEST(garbage_in)
{
    uint64_t rnd = test_seed();
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    struct ofa_buf valid;
    ofa_buf_init(&valid);
    struct ofa_msg m;
    h_flow_msg(&m, 1, FT_FC_ADD, "priority=5,tcp,tp_dst=80",
               "set_field:10.0.0.1->ipv4_dst,output:2");
    ck_assert_int_eq(ofa_encode(&valid, &m), 0);
    h_flow_free(&m);
    size_t flow_len = valid.len;
    struct ofa_msg q;
    h_mp_msg(&q, 2, OFA_MP_FLOW);
    q.u.mp.u.flow_req.table_id = FT_TABLE_ALL;
    q.u.mp.u.flow_req.out_port = FT_PORT_ANY;
    q.u.mp.u.flow_req.out_group = FT_GROUP_ANY;
    ft_match_init_catchall(&q.u.mp.u.flow_req.match);
    ck_assert_int_eq(ofa_encode(&valid, &q), 0);

    for (int round = 0; round < 20; round++) {
        int c = h_connect(&h);
        uint8_t buf[512];
        for (int i = 0; i < 50; i++) {
            size_t n;
            if (test_rand(&rnd) % 2) {
                /* A valid message with a few bytes flipped (not the length). */
                bool flow = test_rand(&rnd) % 2;
                n = flow ? flow_len : valid.len - flow_len;
                memcpy(buf, valid.data + (flow ? 0 : flow_len), n);
                for (int k = 0; k < 3; k++) {
                    size_t at = 4 + test_rand(&rnd) % (n - 4);
                    buf[at] ^= (uint8_t)(1u << (test_rand(&rnd) % 8));
                }
            } else {
                /* Random bytes behind a well-formed header. */
                n = 8 + test_rand(&rnd) % 200;
                for (size_t k = 0; k < n; k++)
                    buf[k] = (uint8_t)test_rand(&rnd);
                buf[0] = 4;
                buf[1] = (uint8_t)(test_rand(&rnd) % 32);
                ft_wr16(buf + 2, (uint16_t)n);
            }
            if (buf[1] == OFA_HELLO || buf[1] == OFA_ECHO_REPLY)
                buf[1] = OFA_ECHO_REQUEST;
            if (send(h.conns[c].fd, buf, n, MSG_NOSIGNAL) < 0)
                break; /* Closed by the agent. */
            h_run(&h, 1);
        }
        h_run(&h, 5);
        /* Drain whatever came back; if still open, it must still work. */
        uint8_t sink[65536];
        while (recv(h.conns[c].fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
            ;
        h.conns[c].rx_len = 0;
        close(h.conns[c].fd);
        h.conns[c].fd = -1;
        h.n_conns = 0;
    }
    int c = h_connect(&h);
    h_barrier(&h, c);
    ofa_buf_free(&valid);
    h_fini(&h);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("ofagent_basic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, hello_negotiates_1_3);
    tcase_add_test(tc, hello_without_bitmap_higher_version);
    tcase_add_test(tc, echo_both_ways);
    tcase_add_test(tc, config_get_set);
    tcase_add_test(tc, table_mod_and_queue_config);
    tcase_add_test(tc, desc_and_standalone);
    tcase_add_test(tc, targets);
    tcase_add_test(tc, passive_listener_and_active_reconnect);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, hello_incompatible);
    tcase_add_test(tc, first_message_not_hello);
    tcase_add_test(tc, errors_carry_offending_bytes);
    tcase_add_test(tc, bad_length_closes);
    tcase_add_test(tc, garbage_in);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
