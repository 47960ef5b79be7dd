/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random pipelines over random packets, end to end: rules drawn from a pool
 * of every action family (push/pop of VLAN, MPLS and PBB, TTL ops,
 * set-fields, groups of every type, a meter, the controller), packets from
 * the header vectors and mutations of them, on three net_pcap ports. What
 * is checked is robustness: no crash, no sanitizer report, every packet
 * received is processed, and every frame the switch sends still parses
 * (the executor never emits a frame shorter than its Ethernet header).
 */
#include "dp_e2e.h"
#include "ft_group.h"
#include "ft_meter.h"
#include "hdrops_vectors.h"

static struct e2e e;

static const char *const pool[] = {
    "output:1",
    "output:2",
    "output:3",
    "output:IN_PORT",
    "output:ALL",
    "output:FLOOD",
    "output:LOCAL",
    "CONTROLLER:32",
    "set_field:10.0.1.1->ipv4_dst",
    "set_field:81->tcp_dst",
    "set_field:82->udp_src",
    "set_field:83->sctp_dst",
    "set_field:4097->vlan_vid",
    "set_field:5->vlan_pcp",
    "set_field:00:00:00:00:00:09->eth_dst",
    "set_field:12->ip_dscp",
    "set_field:2001:db8::9->ipv6_dst",
    "set_field:0x123->mpls_label",
    "set_field:3->mpls_tc",
    "set_field:0x77->pbb_isid",
    "set_field:2->arp_op",
    "set_field:0x9->tunnel_id",
    "push_vlan:0x8100",
    "push_vlan:0x88a8",
    "pop_vlan",
    "push_mpls:0x8847",
    "pop_mpls:0x0800",
    "pop_mpls:0x8847",
    "push_pbb:0x88e7",
    "pop_pbb",
    "set_mpls_ttl:9",
    "dec_mpls_ttl",
    "set_nw_ttl:3",
    "dec_ttl",
    "copy_ttl_out",
    "copy_ttl_in",
    "set_queue:1",
    "group:1",
    "group:2",
    "group:3",
    "group:4",
};
#define N_POOL (sizeof pool / sizeof pool[0])

static uint32_t
rnd(uint64_t *s, uint32_t n)
{
    return (uint32_t)(test_rand(s) % n);
}

static void
groups(struct ft_pipeline *p)
{
    struct ft_action a[4];
    ck_assert(tu_action("output:1", &a[0]));
    ck_assert(tu_action("push_mpls:0x8847", &a[1]));
    ck_assert(tu_action("output:2", &a[2]));
    ck_assert(tu_action("output:3", &a[3]));
    const uint8_t types[4] = {FT_GT_ALL, FT_GT_SELECT, FT_GT_FF, FT_GT_INDIRECT};
    for (uint32_t id = 1; id <= 4; id++) {
        struct ft_bucket b[3] = {
            {.n_actions = 1, .actions = &a[0]},
            {.n_actions = 2, .actions = &a[1]},
            {.n_actions = 1, .actions = &a[3]},
        };
        for (int i = 0; i < 3; i++) {
            b[i].watch_port = types[id - 1] == FT_GT_FF ? (uint32_t)i + 1 : FT_PORT_ANY;
            b[i].watch_group = FT_GROUP_ANY;
            b[i].weight = types[id - 1] == FT_GT_SELECT ? (uint16_t)(i + 1) : 0;
        }
        struct ft_group_mod gm = {.command = FT_GC_ADD,
                                  .type = types[id - 1],
                                  .group_id = id,
                                  .n_buckets = types[id - 1] == FT_GT_INDIRECT ? 1 : 3,
                                  .buckets = b};
        ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
    }
    struct ft_meter_band band = {.type = FT_MBT_DSCP_REMARK, .rate = 5, .prec_level = 1};
    struct ft_meter_mod mm = {
        .command = FT_MC_ADD, .flags = FT_MF_PKTPS, .meter_id = 1, .n_bands = 1, .bands = &band};
    ck_assert_int_eq(ft_pipeline_meter_mod(p, &mm, 0), FT_OK);
}

static void
random_rules(struct ft_pipeline *p, uint64_t *s)
{
    static const char *const matches[] = {
        "",
        "in_port=1",
        "in_port=2",
        "ip",
        "ipv6",
        "arp",
        "mpls",
        "tcp",
        "udp",
        "sctp",
        "vlan_vid=0x1000/0x1000",
        "icmp6",
        "eth_type=0x88e7",
    };
    for (uint8_t t = 0; t < 3; t++) {
        for (int i = 0; i < 12; i++) {
            char match[128], insts[512] = "";
            const char *m = matches[rnd(s, sizeof matches / sizeof matches[0])];
            snprintf(match, sizeof match, "table=%u,priority=%u%s%s", t, rnd(s, 8), *m ? "," : "",
                     m);
            if (t == 0 && rnd(s, 4) == 0)
                strcat(insts, "meter:1,");
            unsigned n = 1 + rnd(s, 5);
            for (unsigned k = 0; k < n; k++) {
                strcat(insts, pool[rnd(s, N_POOL)]);
                strcat(insts, ",");
            }
            if (t < 2 && rnd(s, 2))
                strcat(insts, "goto_table:2,");
            insts[strlen(insts) - 1] = '\0';
            /* Random actions may lack prerequisites: refused, fine. */
            (void)tu_add(p, match, insts);
        }
    }
}

START_TEST(random_pipelines)
{
    uint64_t s = test_seed() + (uint64_t)_i * 7919;
    e2e_start(&e, 3);
    size_t n_in = 0;
    for (int k = 0; k < 150; k++) {
        const struct hv_case *c = &hv_cases[rnd(&s, sizeof hv_cases / sizeof hv_cases[0])];
        uint8_t f[256];
        uint32_t len = c->in_len < sizeof f ? c->in_len : sizeof f;
        memcpy(f, c->in, len);
        if (rnd(&s, 3) == 0) /* Mutate a byte or two, or cut. */
            f[rnd(&s, len)] ^= (uint8_t)(1 + rnd(&s, 255));
        if (rnd(&s, 6) == 0)
            len = 1 + rnd(&s, len);
        e2e_input(&e, rnd(&s, 3), f, len);
        n_in++;
    }
    e2e_attach(&e);
    struct ft_pipeline *p = dp_pipeline(e.dp);
    groups(p);
    random_rules(p, &s);
    ck_assert_int_eq(dp_commit(e.dp), 0);
    ck_assert_uint_eq(e2e_run(&e), n_in);
    struct dp_packet_in *pins[512];
    size_t np = dp_packet_in_pop(e.dp, pins, 512);
    for (size_t i = 0; i < np; i++) {
        ck_assert_uint_le(pins[i]->data_len, 32);
        dp_packet_in_free(e.dp, pins[i]);
    }
    e2e_detach(&e);
    for (unsigned port = 0; port < 3; port++)
        for (size_t j = 0; j < e.out[port].n; j++) {
            struct ft_key k;
            ft_parse(e.out[port].data[j], e.out[port].len[j], NULL, &k, NULL);
            ck_assert_uint_ge(e.out[port].len[j], 12);
        }
    e2e_finish(&e);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("e2e_random");
    TCase *tc = tcase_create("e2e_random");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, random_pipelines, 0, 40);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
