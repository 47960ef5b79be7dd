/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent under a packet-in flood: the per-connection rate limit holds
 * (within 10 %), a controller that stops reading costs a bounded amount of
 * memory (packet-ins past the backlog limit are dropped and counted), is
 * answered again once it reads, and is closed after the stall timeout if
 * it never does.
 */
#include <time.h>

#include "agent_test_util.h"
#include "check_main.h"

static double
now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One packet-in of len bytes from port 1, as a worker would queue it. */
static void
push_packet_in(struct harness *h, uint32_t len)
{
    static uint8_t buf[sizeof(struct dp_packet_in) + 2048];
    struct dp_packet_in *pin = (struct dp_packet_in *)buf;
    memset(pin, 0, sizeof *pin);
    pin->reason = 0;
    pin->max_len = 0xffff;
    pin->total_len = len;
    pin->in_port = 1;
    pin->in_phy_port = 1;
    pin->data_len = len;
    memset(pin->data, 0xab, len);
    ck_assert_int_eq(stub_dp_push_packet_in(h->dp, pin), 0);
}

/* Count the PACKET_INs waiting on controller c (reads what is there). */
static unsigned
drain_packet_ins(struct harness *h, int c)
{
    static uint8_t raw[H_MAX_MSG];
    unsigned n = 0;
    for (;;) {
        struct pollfd pfd = {.fd = h->conns[c].fd, .events = POLLIN};
        if (h->conns[c].rx_len < 8 && poll(&pfd, 1, 0) <= 0)
            return n;
        struct ofa_msg m;
        h_recv(h, c, &m, raw);
        if (m.type == OFA_PACKET_IN)
            n++;
        ofa_msg_free(&m);
    }
}

START_TEST(packet_in_rate_limit)
{
    struct harness h;
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    cfg.packet_in_rate = 200;
    cfg.packet_in_burst = 20;
    h_init_cfg(&h, 2, &cfg);
    int c = h_connect(&h);
    /* Far more than the rate for a second and a half. */
    double t0 = now_s(), t;
    unsigned got = 0;
    while ((t = now_s()) - t0 < 1.5) {
        for (int i = 0; i < 20; i++)
            push_packet_in(&h, 64);
        h_run(&h, 1);
        got += drain_packet_ins(&h, c);
        h_sleep_ms(1);
    }
    h_run(&h, 2);
    got += drain_packet_ins(&h, c);
    double want = 20 + 200 * (t - t0);
    ck_assert_msg(got >= 0.9 * want && got <= 1.1 * want, "%u packet-ins in %.2f s, want %.0f", got,
                  t - t0, want);
    struct ofa_conn_stats st;
    ofa_agent_conn_totals(h.a, &st);
    ck_assert_uint_eq(st.packet_ins, got);
    ck_assert_uint_gt(st.pin_rate_drops, 10 * got);
    h_fini(&h);
}
END_TEST

START_TEST(stalled_controller_is_bounded_and_answered_again)
{
    struct harness h;
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    cfg.packet_in_rate = 0; /* Only the backlog limit. */
    h_init_cfg(&h, 2, &cfg);
    int c = h_connect(&h);
    /* 40 MB of packet-ins that nobody reads. */
    for (int i = 0; i < 40000; i++) {
        push_packet_in(&h, 1000);
        if (i % 500 == 499)
            h_run(&h, 1);
    }
    h_run(&h, 4);
    struct ofa_conn_stats st;
    ofa_agent_conn_totals(h.a, &st);
    ck_assert_uint_le(st.backlog_bytes, 1024 * 1024 + 1100);
    ck_assert_uint_gt(st.pin_backlog_drops, 30000);
    ck_assert_uint_eq(ofa_agent_n_connected(h.a), 1);
    /* It reads again: an echo is answered after what was queued. */
    unsigned got = drain_packet_ins(&h, c);
    ck_assert_uint_gt(got, 100);
    struct ofa_msg e = {.type = OFA_ECHO_REQUEST, .xid = 4242};
    h_send(&h, c, &e);
    static uint8_t raw[H_MAX_MSG];
    struct ofa_msg r;
    uint8_t type;
    uint32_t xid;
    do {
        h_recv(&h, c, &r, raw);
        type = r.type;
        xid = r.xid;
        ofa_msg_free(&r);
        got += type == OFA_PACKET_IN;
    } while (type == OFA_PACKET_IN);
    ck_assert_int_eq(type, OFA_ECHO_REPLY);
    ck_assert_uint_eq(xid, 4242);
    ofa_agent_conn_totals(h.a, &st);
    ck_assert_uint_eq(st.packet_ins, got);
    h_fini(&h);
}
END_TEST

START_TEST(stalled_controller_is_closed)
{
    struct harness h;
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    cfg.packet_in_rate = 0;
    cfg.stall_timeout_ms = 200;
    cfg.probe_interval_ms = 0;
    h_init_cfg(&h, 2, &cfg);
    h_connect(&h);
    /* Enough to fill the socket and leave some queued. */
    for (int i = 0; i < 2000; i++) {
        push_packet_in(&h, 1000);
        if (i % 200 == 199)
            h_run(&h, 1);
    }
    double t0 = now_s();
    while (ofa_agent_n_connected(h.a) && now_s() - t0 < 3) {
        h_run(&h, 1);
        h_sleep_ms(10);
    }
    ck_assert_uint_eq(ofa_agent_n_connected(h.a), 0);
    ck_assert(now_s() - t0 >= 0.15); /* Not before the timeout. */
    h_fini(&h);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("agent_protect");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, packet_in_rate_limit);
    tcase_add_test(tc, stalled_controller_is_bounded_and_answered_again);
    tcase_add_test(tc, stalled_controller_is_closed);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
