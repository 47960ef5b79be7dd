/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End to end: outputs and ports. Reserved ports (ALL, FLOOD, IN_PORT,
 * LOCAL), the ingress-port rule, PORT_MOD bits (PORT_DOWN, NO_RECV,
 * NO_FWD), port descriptions, statistics and PORT_STATUS events, and run
 * time port add/delete.
 */
#include "dp_e2e.h"

static struct e2e e;

static void
send_three(unsigned in)
{
    for (uint8_t i = 0; i < 3; i++)
        e2e_input_udp(&e, in, e2e_mac_b, e2e_mac_a, 1000, i);
}

static void
block_3_and_4(void)
{
    ck_assert_int_eq(dp_port_mod(e.dp, 3, NULL, FT_PC_NO_FWD, FT_PC_NO_FWD), 0);
    ck_assert_int_eq(dp_port_mod(e.dp, 4, NULL, FT_PC_PORT_DOWN, FT_PC_PORT_DOWN), 0);
}

/* Three packets for NO_FWD port 3 and three for PORT_DOWN port 4, each
 * counted under its reason and on the port; none sent there. */
static void
expect_three_blocked_each(void)
{
    ck_assert_uint_eq(e2e_counter(&e, "no_fwd"), 3);
    ck_assert_uint_eq(e2e_counter(&e, "port_down"), 3);
    struct dp_port_stats st;
    ck_assert_int_eq(dp_port_stats(e.dp, 3, &st), 0);
    ck_assert_uint_eq(st.tx_dropped, 3);
    ck_assert_uint_eq(st.tx_packets, 0);
    ck_assert_int_eq(dp_port_stats(e.dp, 4, &st), 0);
    ck_assert_uint_eq(st.tx_dropped, 3);
    ck_assert_uint_eq(st.tx_packets, 0);
}

START_TEST(output_all_and_flood)
{
    e2e_start(&e, 4);
    send_three(0);
    e2e_attach(&e);
    e2e_flow(&e, "in_port=1", "output:ALL");
    e2e_run(&e);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[0].n, 0); /* Never back to the ingress port. */
    for (unsigned p = 1; p < 4; p++)
        e2e_expect_same(&e, p, &e.in[0], "ALL");
    e2e_finish(&e);
}
END_TEST

START_TEST(flood_honours_no_fwd_and_port_down)
{
    e2e_start(&e, 4);
    send_three(0);
    e2e_attach(&e);
    block_3_and_4();
    e2e_flow(&e, "in_port=1", "output:FLOOD");
    e2e_run(&e);
    /* An explicit output to a NO_FWD or PORT_DOWN port is a counted drop. */
    ck_assert_uint_eq(e2e_counter(&e, "no_fwd"), 0);
    e2e_detach(&e);
    e2e_expect_same(&e, 1, &e.in[0], "FLOOD");
    ck_assert_uint_eq(e.out[2].n, 0);
    ck_assert_uint_eq(e.out[3].n, 0);
    e2e_finish(&e);
}
END_TEST

START_TEST(explicit_output_to_blocked_ports)
{
    e2e_start(&e, 4);
    send_three(0);
    e2e_attach(&e);
    block_3_and_4();
    e2e_flow(&e, "in_port=1", "output:3,output:4,output:2");
    e2e_run(&e);
    expect_three_blocked_each();
    e2e_detach(&e);
    e2e_expect_same(&e, 1, &e.in[0], "output:2 after blocked ports");
    e2e_finish(&e);
}
END_TEST

/* A program of one output takes the worker's shortcut to the TX buffer:
 * it must block, count and send exactly as the whole executor does. */
START_TEST(single_output_to_blocked_ports)
{
    e2e_start(&e, 4);
    send_three(0);
    send_three(1);
    send_three(2);
    e2e_attach(&e);
    block_3_and_4();
    e2e_flow(&e, "in_port=1", "output:3");
    e2e_flow(&e, "in_port=2", "output:4");
    e2e_flow(&e, "in_port=3", "output:2");
    e2e_run(&e);
    expect_three_blocked_each();
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[2].n, 0);
    ck_assert_uint_eq(e.out[3].n, 0);
    e2e_expect_same(&e, 1, &e.in[2], "from NO_FWD port 3 to 2");
    e2e_finish(&e);
}
END_TEST

START_TEST(ingress_port_only_through_in_port)
{
    e2e_start(&e, 2);
    send_three(0);
    send_three(1);
    e2e_attach(&e);
    e2e_flow(&e, "in_port=1", "output:1");
    e2e_flow(&e, "in_port=2", "output:IN_PORT");
    e2e_run(&e);
    ck_assert_uint_eq(e2e_counter(&e, "out_to_in_port"), 3);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[0].n, 0);
    e2e_expect_same(&e, 1, &e.in[1], "IN_PORT");
    e2e_finish(&e);
}
END_TEST

START_TEST(local_port_and_bad_port)
{
    e2e_start(&e, 3);
    send_three(0);
    e2e_attach_one(&e, 0);
    e2e_attach_one(&e, 1);
    e2e_flow(&e, "in_port=1", "output:LOCAL,output:77");
    e2e_run(&e);
    /* No LOCAL port yet: counted. Port 77 does not exist: counted. */
    ck_assert_uint_eq(e2e_counter(&e, "no_local_port"), 3);
    ck_assert_uint_eq(e2e_counter(&e, "bad_port"), 3);
    e2e_detach(&e);
    e2e_finish(&e);

    /* The LOCAL port is a device like any other, numbered OFPP_LOCAL. */
    e2e_start(&e, 2);
    send_three(0);
    e.port_no[1] = FT_PORT_LOCAL;
    e2e_attach(&e);
    struct dp_port_info info;
    ck_assert_int_eq(dp_port_get(e.dp, FT_PORT_LOCAL, &info), 0);
    e2e_flow(&e, "in_port=1", "output:LOCAL");
    e2e_run(&e);
    e2e_detach(&e);
    e2e_expect_same(&e, 1, &e.in[0], "LOCAL");
    e2e_finish(&e);
}
END_TEST

START_TEST(no_recv_drops_received)
{
    e2e_start(&e, 2);
    send_three(0);
    e2e_attach(&e);
    ck_assert_int_eq(dp_port_mod(e.dp, 1, NULL, FT_PC_NO_RECV, FT_PC_NO_RECV), 0);
    e2e_flow(&e, "in_port=1", "output:2");
    ck_assert_uint_eq(e2e_run(&e), 3);
    ck_assert_uint_eq(e2e_counter(&e, "no_recv"), 3);
    struct dp_port_stats st;
    ck_assert_int_eq(dp_port_stats(e.dp, 1, &st), 0);
    ck_assert_uint_eq(st.rx_packets, 3);
    ck_assert_uint_eq(st.rx_dropped, 3);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 0);
    e2e_finish(&e);
}
END_TEST

START_TEST(port_down_stops_rx)
{
    e2e_start(&e, 2);
    send_three(0);
    e2e_attach(&e);
    ck_assert_int_eq(dp_port_mod(e.dp, 1, NULL, FT_PC_PORT_DOWN, FT_PC_PORT_DOWN), 0);
    e2e_flow(&e, "in_port=1", "output:2");
    ck_assert_uint_eq(e2e_run(&e), 0); /* Not even polled. */
    ck_assert_int_eq(dp_port_mod(e.dp, 1, NULL, 0, FT_PC_PORT_DOWN), 0);
    ck_assert_uint_eq(e2e_run(&e), 3);
    e2e_detach(&e);
    e2e_expect_same(&e, 1, &e.in[0], "after PORT_DOWN is cleared");
    e2e_finish(&e);
}
END_TEST

START_TEST(port_mod_checks_and_description)
{
    e2e_start(&e, 2);
    e2e_attach(&e);
    struct dp_port_info ports[4];
    ck_assert_uint_eq(dp_ports(e.dp, ports, 4), 2);
    ck_assert_uint_eq(ports[0].port_no, 1);
    ck_assert_uint_eq(ports[1].port_no, 2);
    ck_assert(!strncmp(ports[0].name, "net_pcap_e2e", 12));
    ck_assert_uint_eq(ports[0].state, DP_PS_LIVE);
    uint8_t wrong[6] = {0xde, 0xad, 0, 0, 0, 1};
    ck_assert_int_eq(dp_port_mod(e.dp, 1, wrong, FT_PC_NO_FWD, FT_PC_NO_FWD), -EINVAL);
    ck_assert_int_eq(dp_port_mod(e.dp, 9, NULL, FT_PC_NO_FWD, FT_PC_NO_FWD), -ENOENT);
    ck_assert_int_eq(dp_port_mod(e.dp, 1, ports[0].hw_addr, FT_PC_PORT_DOWN, FT_PC_PORT_DOWN), 0);
    ck_assert_int_eq(dp_port_get(e.dp, 1, &ports[0]), 0);
    ck_assert_uint_eq(ports[0].config, FT_PC_PORT_DOWN);
    ck_assert_uint_eq(ports[0].state, 0); /* Link up, but not live. */
    ck_assert_int_eq(dp_port_get(e.dp, 3, &ports[0]), -ENOENT);
    /* The pipeline knows the config too (FAST_FAILOVER liveness). */
    struct ft_pipeline *p = dp_pipeline(e.dp);
    ck_assert(!ft_pipeline_port_live(p, ft_pipeline_version(p), 1));
    ck_assert(ft_pipeline_port_live(p, ft_pipeline_version(p), 2));
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

START_TEST(port_events_add_modify_delete)
{
    e2e_start(&e, 2);
    e2e_attach(&e);
    struct dp_port_event ev[8];
    size_t n = dp_port_events(e.dp, ev, 8);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(ev[0].reason, DP_PORT_ADD);
    ck_assert_uint_eq(ev[0].port.port_no, 1);
    ck_assert_uint_eq(ev[1].port.port_no, 2);
    ck_assert_uint_eq(dp_port_events(e.dp, ev, 8), 0);
    ck_assert_int_eq(dp_port_mod(e.dp, 2, NULL, FT_PC_NO_PACKET_IN, FT_PC_NO_PACKET_IN), 0);
    ck_assert_int_eq(dp_port_mod(e.dp, 2, NULL, FT_PC_NO_PACKET_IN, FT_PC_NO_PACKET_IN), 0);
    e2e_detach_one(&e, 0);
    n = dp_port_events(e.dp, ev, 8);
    ck_assert_uint_eq(n, 2); /* An unchanged PORT_MOD is no event. */
    ck_assert_uint_eq(ev[0].reason, DP_PORT_MODIFY);
    ck_assert_uint_eq(ev[0].port.config, FT_PC_NO_PACKET_IN);
    ck_assert_uint_eq(ev[1].reason, DP_PORT_DELETE);
    ck_assert_uint_eq(ev[1].port.port_no, 1);
    ck_assert_int_eq(dp_port_del(e.dp, 1), -ENOENT);
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

START_TEST(add_errors)
{
    e2e_start(&e, 1);
    e2e_attach(&e);
    char err[256] = "";
    ck_assert_int_eq(dp_port_add(e.dp, 1, "net_null9", err, sizeof err), -EEXIST);
    ck_assert_int_eq(dp_port_add(e.dp, 0, "net_null9", err, sizeof err), -EINVAL);
    ck_assert_int_eq(dp_port_add(e.dp, FT_PORT_FLOOD, "net_null9", err, sizeof err), -EINVAL);
    err[0] = '\0';
    ck_assert_int_lt(dp_port_add(e.dp, 5, "net_nosuchdriver0", err, sizeof err), 0);
    ck_assert_msg(strstr(err, "net_nosuchdriver0"), "error names the device: %s", err);
    ck_assert_int_lt(
        dp_port_add(e.dp, 5, "net_pcap_bad0,rx_pcap=/nonexistent/x.pcap", err, sizeof err), 0);
    /* The same device twice. */
    ck_assert_int_eq(dp_port_add(e.dp, 6, "net_null7", err, sizeof err), 0);
    ck_assert_int_eq(dp_port_add(e.dp, 7, "net_null7", err, sizeof err), -EBUSY);
    ck_assert_int_eq(dp_port_del(e.dp, 6), 0);
    /* Its name is free again: a new device can take it. */
    ck_assert_int_eq(dp_port_add(e.dp, 6, "net_null7", err, sizeof err), 0);
    ck_assert_int_eq(dp_port_del(e.dp, 6), 0);
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

START_TEST(add_and_delete_while_forwarding)
{
    /* Port 3 comes and goes between polls; 1 -> 2 forwarding is never
     * interrupted and loses nothing. */
    e2e_start(&e, 3);
    for (unsigned i = 0; i < 200; i++)
        e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1000, (uint8_t)i);
    e2e_attach_one(&e, 0);
    e2e_attach_one(&e, 1);
    e2e_flow(&e, "in_port=1", "output:2,output:3");
    char err[256];
    for (int round = 0; round < 20; round++) {
        dp_poll(e.dp); /* net_null receives packets of its own: no_match. */
        if (round % 2 == 0) {
            char devargs[64];
            snprintf(devargs, sizeof devargs, "net_null_hp%d", round);
            ck_assert_int_eq(dp_port_add(e.dp, 3, devargs, err, sizeof err), 0);
        } else {
            ck_assert_int_eq(dp_port_del(e.dp, 3), 0);
        }
    }
    e2e_run(&e);
    struct dp_port_stats st;
    ck_assert_int_eq(dp_port_stats(e.dp, 1, &st), 0);
    ck_assert_uint_eq(st.rx_packets, 200);
    ck_assert_int_eq(dp_port_stats(e.dp, 2, &st), 0);
    ck_assert_uint_eq(st.tx_packets, 200);
    e2e_detach(&e);
    e2e_expect_same(&e, 1, &e.in[0], "port 2 while port 3 came and went");
    e2e_finish(&e);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("e2e_ports");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, output_all_and_flood);
    tcase_add_test(tc, flood_honours_no_fwd_and_port_down);
    tcase_add_test(tc, explicit_output_to_blocked_ports);
    tcase_add_test(tc, single_output_to_blocked_ports);
    tcase_add_test(tc, ingress_port_only_through_in_port);
    tcase_add_test(tc, no_recv_drops_received);
    tcase_add_test(tc, port_down_stops_rx);
    tcase_add_test(tc, port_events_add_modify_delete);
    tcase_add_test(tc, add_and_delete_while_forwarding);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, local_port_and_bad_port);
    tcase_add_test(tc, port_mod_checks_and_description);
    tcase_add_test(tc, add_errors);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
