/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End to end: what arrives broken or unusual (malformed, truncated, jumbo
 * and random frames, IP fragments), pops that reveal headers (the packet
 * is parsed again), the standalone L2 learning switch and output:NORMAL,
 * and the worker's polls by duration (pmd-perf).
 */
#include "dp_e2e.h"

static struct e2e e;

START_TEST(malformed_truncated_jumbo)
{
    e2e_start(&e, 2);
    uint8_t f[9100];
    uint32_t len = e2e_udp4(f, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, 1, 2, 64, 40, 0);
    e2e_input(&e, 0, f, 5);       /* trunc_l2 */
    e2e_input(&e, 0, f, 13);      /* trunc_l2: no type */
    e2e_input(&e, 0, f, 14 + 10); /* trunc_l3 */
    e2e_input(&e, 0, f, 14 + 24); /* UDP cut: trunc_l4 */
    uint8_t bad[64];
    memcpy(bad, f, 64);
    bad[14] = 0x43; /* IHL 3: bad_l3 */
    e2e_input(&e, 0, bad, 64);
    e2e_input(&e, 0, f, len); /* Fine. */
    /* A 9000-byte jumbo: several segments on the way through. */
    uint32_t jlen =
        e2e_udp4(f, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, 1, 2, 64, 9000 - 42, 3);
    e2e_input(&e, 0, f, jlen);
    /* Random bytes behind real Ethernet/IPv4 headers, random lengths. */
    uint64_t rs = test_seed();
    for (int i = 0; i < 300; i++) {
        uint8_t r[300];
        uint32_t rl = (uint32_t)(test_rand(&rs) % sizeof r);
        for (uint32_t k = 0; k < rl; k++)
            r[k] = (uint8_t)test_rand(&rs);
        if (rl > 14 && (i & 1)) {
            memcpy(r, f, 14); /* IPv4 ethertype, garbage after. */
            r[14] = (uint8_t)(0x40 | (r[14] & 0x0f));
        }
        if (rl)
            e2e_input(&e, 0, r, rl);
    }
    e2e_attach(&e);
    e2e_flow(&e, "priority=2,in_port=1,ip", "dec_ttl,set_field:7->ip_dscp,output:2");
    e2e_flow(&e, "priority=1,in_port=1", "output:2");
    e2e_run(&e);
    ck_assert_uint_ge(e2e_counter(&e, "parse_trunc_l2"), 2);
    ck_assert_uint_ge(e2e_counter(&e, "parse_trunc_l3"), 1);
    ck_assert_uint_ge(e2e_counter(&e, "parse_trunc_l4"), 1);
    ck_assert_uint_ge(e2e_counter(&e, "parse_bad_l3"), 1);
    struct dp_port_stats st;
    ck_assert_int_eq(dp_port_stats(e.dp, 1, &st), 0);
    struct dp_worker_stats ws;
    dp_worker_stats(e.dp, &ws, 1);
    ck_assert_uint_eq(ws.packets, st.rx_packets);
    e2e_detach(&e);
    /* The good frame and the jumbo came through, TTL 63, DSCP 7, whole. */
    size_t n_ok = 0;
    for (size_t j = 0; j < e.out[1].n; j++) {
        const uint8_t *o = e.out[1].data[j];
        if (e.out[1].len[j] == jlen) {
            ck_assert_uint_eq(o[22], 63);
            ck_assert_uint_eq(o[15] >> 2, 7);
            ck_assert_uint_eq(dp_csum_fold(dp_csum_words(o + 14, 20)), 0xffff);
            ck_assert(!memcmp(o + 42, f + 42, jlen - 42));
            n_ok++;
        }
    }
    ck_assert_uint_eq(n_ok, 1);
    ck_assert_uint_eq(ws.packets, e.out[1].n + ws.drops);
    e2e_finish(&e);
}
END_TEST

static uint32_t
fragment(uint8_t *f, uint16_t frag_field)
{
    uint32_t len = e2e_udp4(f, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, 1, 2, 64, 20, 0);
    f[20] = (uint8_t)(frag_field >> 8);
    f[21] = (uint8_t)frag_field;
    f[24] = f[25] = 0;
    ft_wr16(f + 24, (uint16_t)~dp_csum_fold(dp_csum_words(f + 14, 20)));
    return len;
}

START_TEST(fragments_dropped_in_frag_drop_mode)
{
    e2e_start(&e, 2);
    uint8_t f[128];
    e2e_input(&e, 0, f, fragment(f, 0x2000)); /* First fragment (MF). */
    e2e_input(&e, 0, f, fragment(f, 0x0010)); /* A later one. */
    e2e_input(&e, 0, f, fragment(f, 0x4000)); /* DF: not a fragment. */
    e2e_attach(&e);
    dp_set_config(e.dp, DP_FRAG_DROP, 128);
    e2e_flow(&e, "in_port=1", "output:2");
    e2e_run(&e);
    ck_assert_uint_eq(e2e_counter(&e, "frag"), 2);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 1);
    e2e_finish(&e);
}
END_TEST

/* The frames of a burst that repeat their neighbour's headers take its
 * parse (dp_worker.c, same_headers): every one of them must still be
 * classified as its own bytes say. */
START_TEST(neighbours_share_a_parse_only_when_their_headers_are_the_same)
{
    e2e_start(&e, 3);
    uint8_t a[64], a54[64], aid[64], acut[64], l[256], l2[256], l54[256];
    uint32_t alen = e2e_udp4(a, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, 7, 53, 64, 18, 0);
    memcpy(a54, a, alen);
    a54[37] = 54; /* Only the UDP destination port differs. */
    memcpy(aid, a, alen);
    aid[19] ^= 0x5a; /* The identification and the checksums: not read. */
    aid[25] ^= 0x5a;
    aid[41] = 0x77;
    memcpy(acut, a, alen);
    acut[17] = 24; /* The IP length ends inside the UDP header. */
    uint32_t llen = e2e_udp4(l, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, 7, 53, 64, 200, 0);
    memcpy(l2, l, llen);
    l2[150] ^= 0xff; /* The payload. */
    memcpy(l54, l, llen);
    l54[37] = 54;
    const struct {
        const uint8_t *f;
        uint32_t len;
        unsigned port; /* Output port index, or 0: dropped. */
    } seq[] = {
        {a, alen, 1},   {a, alen, 1},    {a, alen, 1},   {a, alen, 1},
        {a54, alen, 2}, {a, alen, 1},    {aid, alen, 1}, {a, 40, 0},
        {a, alen, 1},   {acut, alen, 0}, {a, alen, 1},   {l, llen, 1},
        {l2, llen, 1},  {l54, llen, 2},  {l54, llen, 2}, {a, alen, 1},
    };
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++)
        e2e_input(&e, 0, seq[i].f, seq[i].len); /* One burst. */
    e2e_attach(&e);
    e2e_flow(&e, "priority=2,in_port=1,udp,tp_dst=53", "output:2");
    e2e_flow(&e, "priority=1,in_port=1", "output:3");
    e2e_run(&e);
    ck_assert_uint_eq(e2e_counter(&e, "parse_trunc_l4"), 2); /* The cut frames. */
    e2e_detach(&e);
    size_t next[3] = {0, 0, 0};
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        unsigned p = seq[i].port;
        if (!p)
            continue;
        ck_assert_uint_lt(next[p], e.out[p].n);
        ck_assert_uint_eq(e.out[p].len[next[p]], seq[i].len);
        ck_assert_msg(!memcmp(e.out[p].data[next[p]], seq[i].f, seq[i].len), "frame %zu", i);
        next[p]++;
    }
    ck_assert_uint_eq(e.out[1].n, next[1]);
    ck_assert_uint_eq(e.out[2].n, next[2]);
    e2e_finish(&e);
}
END_TEST

static int
collect_rule(void *aux, const struct ft_rule *r)
{
    const struct ft_rule **rules = aux;
    for (int i = 0; i < 4; i++)
        if (!rules[i]) {
            rules[i] = r;
            break;
        }
    return 0;
}

/* A flow's packets in a row go as one run (dp_worker.c): classified once,
 * sent whole by a plain output, run one by one by any other program, and
 * counted packet by packet and byte by byte. */
START_TEST(runs_of_a_flow_counted_and_sent_in_order)
{
    e2e_start(&e, 3);
    /* A (UDP source 1000) to port 2 as it is, B (2000) with a DSCP to
     * port 3; runs of 5 A, 3 B, 2 A, 1 B, of various lengths. */
    static const struct {
        uint16_t sport;
        uint16_t payload;
    } seq[] = {{1000, 18}, {1000, 30}, {1000, 18}, {1000, 100}, {1000, 18}, {2000, 18},
               {2000, 50}, {2000, 18}, {1000, 18}, {1000, 64},  {2000, 18}};
    enum { N = sizeof seq / sizeof seq[0] };
    uint8_t f[N][192];
    uint32_t len[N];
    uint64_t bytes[2] = {0, 0}, packets[2] = {0, 0};
    for (unsigned i = 0; i < N; i++) {
        len[i] = e2e_udp4(f[i], e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000002, seq[i].sport, 53, 64,
                          seq[i].payload, (uint8_t)i);
        e2e_input(&e, 0, f[i], len[i]);
        packets[seq[i].sport == 2000] += 1;
        bytes[seq[i].sport == 2000] += len[i];
    }
    e2e_attach(&e);
    e2e_flow(&e, "priority=2,in_port=1,udp,udp_src=1000", "output:2");
    e2e_flow(&e, "priority=2,in_port=1,udp,udp_src=2000", "set_field:8->ip_dscp,output:3");
    ck_assert_uint_eq(e2e_run(&e), N);
    ck_assert_int_eq(dp_fold_counters(e.dp), 0);
    e2e_detach(&e);
    size_t next[3] = {0, 0, 0};
    for (unsigned i = 0; i < N; i++) {
        unsigned p = seq[i].sport == 2000 ? 2 : 1;
        ck_assert_uint_lt(next[p], e.out[p].n);
        const uint8_t *o = e.out[p].data[next[p]];
        ck_assert_uint_eq(e.out[p].len[next[p]], len[i]);
        ck_assert_uint_eq(o[15], p == 2 ? 8 << 2 : 0);
        ck_assert_msg(!memcmp(o + 34, f[i] + 34, len[i] - 34), "frame %u", i); /* UDP on. */
        next[p]++;
    }
    ck_assert_uint_eq(e.out[1].n, packets[0]);
    ck_assert_uint_eq(e.out[2].n, packets[1]);
    const struct ft_rule *rules[4] = {NULL};
    struct ft_flow_filter ff = {.table_id = 0, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&ff.match);
    ft_pipeline_rules_foreach(dp_pipeline(e.dp), &ff, collect_rule, rules);
    ck_assert_ptr_nonnull(rules[1]);
    uint64_t pk[2], by[2];
    ft_rule_stats(rules[0], &pk[0], &by[0], NULL);
    ft_rule_stats(rules[1], &pk[1], &by[1], NULL);
    unsigned a = pk[0] == packets[0] ? 0 : 1; /* Rule a is A's. */
    ck_assert_uint_eq(pk[a], packets[0]);
    ck_assert_uint_eq(by[a], bytes[0]);
    ck_assert_uint_eq(pk[!a], packets[1]);
    ck_assert_uint_eq(by[!a], bytes[1]);
    struct dp_worker_stats ws[2];
    ck_assert_uint_eq(dp_worker_stats(e.dp, ws, 2), 1);
    ck_assert_uint_eq(ws[0].packets, N);
    ck_assert_uint_eq(ws[0].misses, 2); /* A's first run and B's: a walk each. */
    ck_assert_uint_eq(ws[0].emc_hits + ws[0].cache_hits, N - 2);
    e2e_finish(&e);
}
END_TEST

/* An MPLS frame of n labels (the last one bottom of stack) over the UDP
 * frame in[0..len); returns the new length. */
static uint32_t
mpls_over(uint8_t *f, const uint8_t *in, uint32_t len, const uint32_t *labels, unsigned n)
{
    memcpy(f, in, 12);
    ft_wr16(f + 12, 0x8847);
    for (unsigned i = 0; i < n; i++)
        ft_wr32(f + 14 + 4 * i, labels[i] << 12 | (i + 1 == n ? 1u << 8 : 0) | 64);
    memcpy(f + 14 + 4 * n, in + 14, len - 14);
    return len + 4 * n;
}

START_TEST(pop_mpls_recirculates)
{
    /* After pop_mpls the packet is parsed again: later tables match the IP
     * header under the label (and, under two labels, pop the next one). */
    e2e_start(&e, 2);
    uint8_t udp[128], f[160], g[160];
    uint32_t len = e2e_udp4(udp, e2e_mac_b, e2e_mac_a, 1, 2, 3, 4, 64, 10, 0);
    const uint32_t one[1] = {100}, two[2] = {200, 100};
    e2e_input(&e, 0, f, mpls_over(f, udp, len, one, 1));
    e2e_input(&e, 0, g, mpls_over(g, udp, len, two, 2));
    udp[33] = 9; /* Another destination: table 1 misses. */
    e2e_input(&e, 0, f, mpls_over(f, udp, len, one, 1));
    udp[33] = 2;
    e2e_attach(&e);
    e2e_flow(&e, "in_port=1,mpls,mpls_bos=1", "pop_mpls:0x0800,goto_table:1");
    e2e_flow(&e, "in_port=1,mpls,mpls_bos=0", "pop_mpls:0x8847,goto_table:1");
    e2e_flow(&e, "table=1,priority=5,udp,nw_dst=0.0.0.2,tp_dst=4", "set_field:8->ip_dscp,output:2");
    e2e_flow(&e, "table=1,priority=1,mpls", "pop_mpls:0x0800,goto_table:2");
    e2e_flow(&e, "table=2,ip", "output:2");
    e2e_run(&e);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 2);
    /* One label: DSCP 8 set on the IP header found under it. */
    uint8_t want[128];
    memcpy(want, udp, len);
    want[15] = 8 << 2;
    ft_wr16(want + 24, 0);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(want[14 + i] << 8 | want[15 + i]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ft_wr16(want + 24, (uint16_t)~sum);
    e2e_expect(&e, 1, 0, want, len, "one label popped");
    /* Two labels: popped one after the other, the frame as it was inside. */
    e2e_expect(&e, 1, 1, udp, len, "two labels popped");
    ck_assert_uint_eq(e2e_counter(&e, "no_match"), 1);
    e2e_finish(&e);
}
END_TEST

START_TEST(set_queue_and_tunnel_id)
{
    /* SET_QUEUE only tags the mbuf (no queue scheduling); TUNNEL_ID has no
     * header and shows in the packet-in. */
    e2e_start(&e, 2);
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1, 0);
    e2e_attach(&e);
    e2e_flow(&e, "in_port=1", "set_queue:3,set_field:0x55->tunnel_id,output:2,CONTROLLER");
    e2e_run(&e);
    struct dp_packet_in *pin;
    ck_assert_uint_eq(dp_packet_in_pop(e.dp, &pin, 1), 1);
    ck_assert_uint_eq(pin->tunnel_id, 0x55);
    dp_packet_in_free(e.dp, pin);
    e2e_detach(&e);
    e2e_expect_same(&e, 1, &e.in[0], "set_queue");
    e2e_finish(&e);
}
END_TEST

START_TEST(standalone_learning_switch)
{
    e2e_start(&e, 3);
    /* A -> B (unknown: flood), then B -> A (learnt on port 1: only there),
     * A -> B (learnt on port 2), broadcast (flood), C -> A from port 1
     * where A lives too (same port: dropped). */
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1, 0);
    e2e_attach_one(&e, 0);
    e2e_attach_one(&e, 2);
    dp_set_standalone(e.dp, true);
    e2e_run(&e);
    e2e_detach_one(&e, 0);
    e2e_detach_one(&e, 2);
    ck_assert_uint_eq(e.out[2].n, 1); /* Flooded to port 3 (port 2 not yet there). */
    e2e_finish(&e);

    e2e_start(&e, 3);
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1, 0);
    e2e_attach(&e);
    dp_set_standalone(e.dp, true);
    e2e_run(&e); /* A on port 1 learnt; flooded to 2 and 3. */
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 1);
    ck_assert_uint_eq(e.out[2].n, 1);
    e2e_finish(&e);
}
END_TEST

START_TEST(standalone_forwards_learnt)
{
    /* One dataplane, inputs on two ports in one pass: port 2's frames are
     * read after port 1's within a poll, so B -> A finds A learnt. */
    e2e_start(&e, 3);
    e2e_input_udp(&e, 0, e2e_mac_b, e2e_mac_a, 1, 0);     /* A -> B: flood */
    e2e_input_udp(&e, 1, e2e_mac_a, e2e_mac_b, 2, 0);     /* B -> A: port 1 */
    e2e_input_udp(&e, 0, e2e_mac_bcast, e2e_mac_c, 3, 0); /* bcast: flood */
    e2e_input_udp(&e, 0, e2e_mac_c, e2e_mac_a, 4, 0);     /* A -> C (C on port 1): drop */
    e2e_attach(&e);
    dp_set_standalone(e.dp, true);
    e2e_run(&e);
    ck_assert_uint_eq(e2e_counter(&e, "l2_same_port"), 1);
    ck_assert_uint_eq(e2e_counter(&e, "l2_flood"), 2);
    e2e_detach(&e);
    /* Port 1: B -> A. Port 2: A -> B (flood), bcast. Port 3: both floods. */
    ck_assert_uint_eq(e.out[0].n, 1);
    e2e_expect(&e, 0, 0, e.in[1].data[0], e.in[1].len[0], "B -> A");
    ck_assert_uint_eq(e.out[1].n, 2);
    ck_assert_uint_eq(e.out[2].n, 2);
    e2e_finish(&e);
}
END_TEST

START_TEST(output_normal_uses_l2)
{
    /* Flow mods refuse output:NORMAL today (ft_actions_check); a program
     * that has it runs the L2 switch. Packet-outs reach it unchecked. */
    e2e_start(&e, 3);
    e2e_attach(&e);
    uint8_t ab[128], ba[128];
    uint32_t l1 = e2e_udp4(ab, e2e_mac_b, e2e_mac_a, 1, 2, 3, 4, 64, 10, 0);
    uint32_t l2 = e2e_udp4(ba, e2e_mac_a, e2e_mac_b, 2, 1, 4, 3, 64, 10, 0);
    struct ft_action normal = {.type = FT_AT_OUTPUT, .arg = FT_PORT_NORMAL};
    ck_assert_int_eq(dp_packet_out(e.dp, 1, &normal, 1, ab, l1), 0); /* Flood. */
    ck_assert_int_eq(dp_packet_out(e.dp, 2, &normal, 1, ba, l2), 0); /* To port 1. */
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[0].n, 1);
    e2e_expect(&e, 0, 0, ba, l2, "NORMAL to the learnt port");
    ck_assert_uint_eq(e.out[1].n, 1);
    ck_assert_uint_eq(e.out[2].n, 1);
    e2e_finish(&e);
}
END_TEST

START_TEST(polls_by_duration_add_up_to_the_cycles)
{
    /* Every poll lands in the bucket of its cycles: bucket b >= 1 holds
     * [bound(b - 1), bound(b)), so the polls' lower bounds sum to at most
     * the cycles busy and idle polls took (the same t1 - t0), and their
     * upper bounds to more. One bucket off either way breaks one side. */
    e2e_start(&e, 2);
    uint8_t f[128];
    for (uint32_t i = 0; i < 3000; i++) { /* Misses (longer polls) and hits. */
        uint32_t len =
            e2e_udp4(f, e2e_mac_b, e2e_mac_a, 0x0a000001, 0x0a000000 + i % 1500, 1, 2, 64, 20, 0);
        e2e_input(&e, 0, f, len);
    }
    e2e_attach(&e);
    e2e_flow(&e, "priority=1,in_port=1,ip", "dec_ttl,output:2");
    dp_worker_stats_clear(e.dp);
    e2e_run(&e);
    struct dp_worker_stats ws;
    ck_assert_uint_eq(dp_worker_stats(e.dp, &ws, 1), 1);
    uint64_t polls = 0, cycles = ws.busy_cycles + ws.idle_cycles;
    double lower = 0, upper = 0;
    for (unsigned b = 0; b < DP_POLL_BUCKETS; b++) {
        polls += ws.poll_hist[b];
        lower += (double)ws.poll_hist[b] * (double)(b ? dp_poll_bucket_cycles(e.dp, b - 1) : 0);
        upper += (double)ws.poll_hist[b] * (double)dp_poll_bucket_cycles(e.dp, b);
    }
    ck_assert_uint_eq(ws.packets, 3000);
    ck_assert_uint_gt(polls, ws.busy_polls); /* Idle ones too. */
    ck_assert(lower <= (double)cycles);
    ck_assert(upper > (double)cycles);
    /* A unit is the largest power of two of cycles not above 1 us. */
    uint64_t unit = dp_poll_bucket_cycles(e.dp, 0);
    ck_assert_uint_le(unit, dp_tsc_hz(e.dp) / 1000000);
    ck_assert_uint_gt(2 * unit, dp_tsc_hz(e.dp) / 1000000);
    e2e_detach(&e);
    e2e_finish(&e);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("e2e_misc");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fragments_dropped_in_frag_drop_mode);
    tcase_add_test(tc, neighbours_share_a_parse_only_when_their_headers_are_the_same);
    tcase_add_test(tc, runs_of_a_flow_counted_and_sent_in_order);
    tcase_add_test(tc, pop_mpls_recirculates);
    tcase_add_test(tc, set_queue_and_tunnel_id);
    tcase_add_test(tc, standalone_learning_switch);
    tcase_add_test(tc, standalone_forwards_learnt);
    tcase_add_test(tc, output_normal_uses_l2);
    tcase_add_test(tc, polls_by_duration_add_up_to_the_cycles);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, malformed_truncated_jumbo);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
