/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random pipelines over random packets, end to end: rules drawn from a pool
 * of every action family (push/pop of VLAN, MPLS and PBB, TTL ops,
 * set-fields, groups of every type, a meter, the controller), packets from
 * the header vectors (IPv4, IPv6, ARP, MPLS, PBB, TCP, UDP, SCTP, ICMP,
 * ND...) and mutations of them, on three net_pcap ports.
 *
 * What is checked, for every frame the switch sends or packs into a
 * packet-in:
 *  - robustness: no crash, no sanitizer report, every packet received is
 *    processed, no frame shorter than its Ethernet header;
 *  - origin: each input's Ethernet source (and a PBB frame's inner one)
 *    is overwritten with a tag saying whether the frame is intact (a
 *    vector as generated, every checksum valid) or not (mutated, cut, or
 *    with a checksum already wrong), and no action of the pool writes it:
 *    every copy must carry one of the two tags;
 *  - checksums: a copy of an intact frame, re-parsed (ft_parse), must have
 *    a valid IPv4 header checksum and a valid TCP, UDP, ICMP, ICMPv6 or
 *    SCTP checksum wherever its segment is whole in the frame — after any
 *    composition of set-fields, TTL ops, pushes and pops the pool makes
 *    (and the meter's DSCP remarks).
 * What a frame becomes byte for byte is not predicted here: that is
 * test_e2e_diff's job (the walk's program run by an interpreter of the
 * test's own), on the IPv4/TCP/UDP/ARP/VLAN/MPLS traffic it models; this
 * suite adds IPv6, PBB, SCTP, ICMP and malformed frames, for which the
 * checks above are what can be stated without an interpreter.
 */
#include "dp_e2e.h"
#include "e2e_interp.h"
#include "ft_group.h"
#include "ft_meter.h"
#include "ft_parse.h"
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
#define N_POOL  (sizeof pool / sizeof pool[0])
#define N_LOOPS 40

static uint32_t
rnd(uint64_t *s, uint32_t n)
{
    return (uint32_t)(test_rand(s) % n);
}

/* ---- checksums, from the RFCs (no dataplane code) -------------------------------- */

/* CRC32c (Castagnoli, reflected), bit by bit. */
static uint32_t
crc32c(const uint8_t *p, size_t n, uint32_t crc)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return crc;
}

/* RFC 4960 appendix B: CRC32c over the packet with its checksum field
 * zero, stored least significant byte first. */
static bool
sctp_ok(const uint8_t *l4, size_t n)
{
    static const uint8_t zero[4];
    uint32_t c = crc32c(l4, 8, 0xffffffffu);
    c = crc32c(zero, 4, c);
    c = ~crc32c(l4 + 12, n - 12, c);
    return c == ((uint32_t)l4[8] | (uint32_t)l4[9] << 8 | (uint32_t)l4[10] << 16 |
                 (uint32_t)l4[11] << 24);
}

static struct {
    uint64_t ip4, l4; /* Checksums verified on copies of intact frames. */
} checked;

/*
 * Whether every checksum frame f carries is valid: the IPv4 header's, and
 * the TCP/UDP/ICMP/ICMPv6/SCTP one when the whole segment is in the frame
 * (not for a fragment, a cut frame, or an IPv6 routing header, whose
 * pseudo-header holds the final destination). UDP over IPv4 may carry 0
 * (none). *why names the first bad one; *n_ip4, *n_l4 count the checked.
 */
static bool
csums_ok(const uint8_t *f, size_t len, const char **why, uint64_t *n_ip4, uint64_t *n_l4)
{
    struct ft_key k;
    struct ft_layout lay;
    ft_parse(f, len, NULL, &k, &lay);
    if (lay.l3 == FT_OFS_NONE)
        return true;
    const uint8_t *ip = f + lay.l3;
    size_t end;
    uint32_t pseudo;
    bool v4 = k.eth_type == 0x0800;
    if (v4) {
        *why = "IPv4 header";
        if (ei_fold(ei_sum(ip, (ip[0] & 0xfu) * 4u, 0)) != 0xffff)
            return false;
        ++*n_ip4;
        if (ei_rd16(ip + 6) & 0x3fff) /* A fragment: the segment is not whole. */
            return true;
        end = lay.l3 + (size_t)ei_rd16(ip + 2);
        pseudo = ei_sum(ip + 12, 8, 0);
    } else if (k.eth_type == 0x86dd) {
        if (k.ipv6_exthdr & (FT_IEH_ROUTER | FT_IEH_FRAG))
            return true;
        end = lay.l3 + 40 + (size_t)ei_rd16(ip + 4);
        pseudo = ei_sum(ip + 8, 32, 0);
    } else {
        return true; /* ARP. */
    }
    if (lay.l4 == FT_OFS_NONE || end > len)
        return true;
    const uint8_t *l4 = f + lay.l4;
    size_t n = end - lay.l4;
    switch (k.ip_proto) {
    case 6:
    case 17:
    case 58:
        *why = k.ip_proto == 6 ? "TCP" : k.ip_proto == 17 ? "UDP" : "ICMPv6";
        if (v4 && k.ip_proto == 17 && ei_rd16(l4 + 6) == 0)
            return true;
        if (v4 && k.ip_proto == 58)
            return true;
        if (ei_fold(ei_sum(l4, n, pseudo + k.ip_proto + (uint32_t)n)) != 0xffff)
            return false;
        break;
    case 1:
        *why = "ICMP";
        if (!v4)
            return true;
        if (ei_fold(ei_sum(l4, n, 0)) != 0xffff)
            return false;
        break;
    case 132:
        *why = "SCTP";
        if (!sctp_ok(l4, n))
            return false;
        break;
    default:
        return true;
    }
    ++*n_l4;
    return true;
}

/* ---- where a copy came from -------------------------------------------------------- */

/* Ethernet sources of the inputs: intact ones (every checksum valid) and
 * the rest. No action of the pool writes eth_src; push_pbb copies it. */
static const uint8_t tag_intact[6] = {0x02, 0xe2, 0xe0, 0x00, 0x00, 0xaa};
static const uint8_t tag_other[6] = {0x02, 0xe2, 0xe0, 0x00, 0x00, 0xbb};

static void
tag_frame(uint8_t *f, uint32_t len, const uint8_t tag[6])
{
    if (len < 12)
        return;
    memcpy(f + 6, tag, 6);
    struct ft_key k;
    struct ft_layout lay;
    ft_parse(f, len, NULL, &k, &lay);
    /* PBB: the customer frame's source too (what pop_pbb uncovers), as
     * much of it as the frame holds. */
    size_t c_sa = lay.l2_5 + 4u + 6u;
    if (k.eth_type == 0x88e7 && lay.l2_5 != FT_OFS_NONE && c_sa < len)
        memcpy(f + c_sa, tag, len - c_sa < 6 ? len - c_sa : 6);
}

/* Check one copy; what names it in a failure. */
static void
check_copy(const uint8_t *f, uint32_t len, const char *what)
{
    ck_assert_msg(len >= 12, "%s: %u bytes", what, len);
    bool intact = !memcmp(f + 6, tag_intact, 6);
    if (!intact && memcmp(f + 6, tag_other, 6)) {
        ei_hex(stderr, "  copy: ", f, len);
        ck_abort_msg("%s: Ethernet source %02x:%02x:%02x:%02x:%02x:%02x is no input's", what, f[6],
                     f[7], f[8], f[9], f[10], f[11]);
    }
    const char *why = "";
    if (intact && !csums_ok(f, len, &why, &checked.ip4, &checked.l4)) {
        ei_hex(stderr, "  copy: ", f, len);
        ck_abort_msg("%s: copy of an intact frame with a bad %s checksum", what, why);
    }
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
        bool intact = len == c->in_len;
        if (rnd(&s, 3) == 0) { /* Mutate a byte or two, or cut. */
            f[rnd(&s, len)] ^= (uint8_t)(1 + rnd(&s, 255));
            intact = false;
        }
        if (rnd(&s, 6) == 0) {
            uint32_t cut = 1 + rnd(&s, len);
            intact = intact && cut == len;
            len = cut;
        }
        const char *why;
        uint64_t n_ip4 = 0, n_l4 = 0;
        intact = intact && len >= 12 && csums_ok(f, len, &why, &n_ip4, &n_l4);
        tag_frame(f, len, intact ? tag_intact : tag_other);
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
        /* Cut to 32 bytes: the tag is in, the segment is not whole. */
        if (pins[i]->data_len >= 12)
            check_copy(pins[i]->data, pins[i]->data_len, "packet-in");
        dp_packet_in_free(e.dp, pins[i]);
    }
    e2e_detach(&e);
    for (unsigned port = 0; port < 3; port++)
        for (size_t j = 0; j < e.out[port].n; j++) {
            char what[64];
            snprintf(what, sizeof what, "seed %llu loop %d: port %u frame %zu",
                     (unsigned long long)test_seed(), _i, port + 1, j);
            check_copy(e.out[port].data[j], e.out[port].len[j], what);
        }
    e2e_finish(&e);
    /* Not vacuous: over the loops, copies of intact frames carried
     * checksums that were verified. */
    if (_i == N_LOOPS - 1) {
        fprintf(stderr, "e2e_random: %llu IPv4 header and %llu L4 checksums verified\n",
                (unsigned long long)checked.ip4, (unsigned long long)checked.l4);
        ck_assert_uint_gt(checked.ip4, 0);
        ck_assert_uint_gt(checked.l4, 0);
    }
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("e2e_random");
    TCase *tc = tcase_create("e2e_random");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, random_pipelines, 0, N_LOOPS);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
