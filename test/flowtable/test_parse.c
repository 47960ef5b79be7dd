/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the packet parser. Each hand-built frame of parse_frames.h is
 * parsed from an exactly sized heap copy (so ASan sees any over-read) and
 * its whole key and layout compared with what the frame says; then every
 * frame is cut at every length and randomly mutated, and the results held
 * against the properties of parse_check.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "ft_parse.h"
#include "ft_proto.h"
#include "parse_check.h"
#include "parse_frames.h"

static const struct ft_port_meta meta = {
    .in_port = 7,
    .in_phy_port = 3,
    .tunnel_id = 0x1122334455667788ull,
};

static const uint8_t mac_a[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t mac_b[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
static const uint8_t v6_a[16] = {F_V6_A};
static const uint8_t v6_b[16] = {F_V6_B};
static const uint8_t v6_ll_2[16] = {F_LL_2};
static const uint8_t v6_sn_2[16] = {F_SN_2};

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* Port metadata and the MACs every frame carries. */
static void
want_base(struct ft_key *k, uint16_t eth_type)
{
    ft_key_zero(k);
    k->in_port = meta.in_port;
    k->in_phy_port = meta.in_phy_port;
    k->tunnel_id = meta.tunnel_id;
    memcpy(k->eth_dst, mac_a, 6);
    memcpy(k->eth_src, mac_b, 6);
    k->eth_type = eth_type;
}

static void
want_ipv6(struct ft_key *k, const uint8_t *src, const uint8_t *dst)
{
    want_base(k, 0x86dd);
    k->ip_dscp = 46;
    k->ip_ecn = 1;
    k->ipv6_flabel = 0x12345;
    memcpy(k->ipv6_src, src, 16);
    memcpy(k->ipv6_dst, dst, 16);
}

static struct ft_layout
want_l(uint16_t l2_5, uint16_t l3, uint16_t l4, uint16_t n_vlans, uint8_t ttl,
       enum ft_parse_stop stop)
{
    return (struct ft_layout){l2_5, l3, l4, n_vlans, ttl, (uint8_t)stop};
}

#define NONE FT_OFS_NONE

static void
hex(char *buf, const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        sprintf(buf + 2 * i, "%02x", p[i]);
}

/* Parse a heap copy of exactly len bytes. */
static enum ft_parse_stop
parse_copy(const uint8_t *data, size_t len, struct ft_key *k, struct ft_layout *l)
{
    /* malloc(0) too: any read of a zero-length frame must be caught. */
    uint8_t *buf = malloc(len);
    if (len) {
        ck_assert_ptr_nonnull(buf);
        memcpy(buf, data, len);
    }
    enum ft_parse_stop stop = ft_parse(buf, len, &meta, k, l);
    const char *bad = parse_check_invariants(buf, len, &meta, stop, k, l);
    ck_assert_msg(!bad, "invariant violated at len %zu: %s", len, bad);
    free(buf);
    return stop;
}

/* The whole key, field by field (so a failure names the field), and the
 * whole layout. */
static void
expect(const char *name, const uint8_t *data, size_t len, const struct ft_key *want,
       struct ft_layout want_lay)
{
    struct ft_key k;
    struct ft_layout l;
    enum ft_parse_stop stop = parse_copy(data, len, &k, &l);

    for (unsigned i = 0; i < PC_N_FIELDS; i++) {
        const struct pc_field *f = &pc_fields[i];
        char got[40], exp[40];
        hex(got, (const uint8_t *)&k + f->ofs, f->len);
        hex(exp, (const uint8_t *)want + f->ofs, f->len);
        ck_assert_msg(!strcmp(got, exp), "%s: %s is %s, want %s", name, f->name, got, exp);
    }
    ck_assert_msg(ft_key_equal(&k, want), "%s: key", name);
    ck_assert_msg(stop == want_lay.stop, "%s: stop %s, want %s", name, ft_parse_stop_name(stop),
                  ft_parse_stop_name(want_lay.stop));
    ck_assert_msg(l.l2_5 == want_lay.l2_5, "%s: l2_5 %u", name, l.l2_5);
    ck_assert_msg(l.l3 == want_lay.l3, "%s: l3 %u", name, l.l3);
    ck_assert_msg(l.l4 == want_lay.l4, "%s: l4 %u", name, l.l4);
    ck_assert_msg(l.n_vlans == want_lay.n_vlans, "%s: n_vlans %u", name, l.n_vlans);
    ck_assert_msg(l.ip_ttl == want_lay.ip_ttl, "%s: ip_ttl %u", name, l.ip_ttl);
    ck_assert_int_eq(l.stop, stop);
}

#define EXPECT(f, want, l)          expect(#f, frame_##f, sizeof frame_##f, (want), (l))
#define EXPECT_CUT(f, cut, want, l) expect(#f, frame_##f, (cut), (want), (l))

START_TEST(l2_untagged_and_8023)
{
    struct ft_key w;
    want_base(&w, 0x88cc);
    EXPECT(eth_lldp, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_DONE));
    want_base(&w, FT_ETH_TYPE_NONE);
    EXPECT(eth_8023, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_DONE));
}
END_TEST

START_TEST(l2_vlan_tags)
{
    struct ft_key w;
    want_base(&w, 0x0800);
    w.vlan_vid = FT_VID_PRESENT | 100;
    w.vlan_pcp = 5;
    w.ip_dscp = 46;
    w.ip_ecn = 1;
    w.ip_proto = 17;
    w.ipv4_src = IP4(10, 0, 0, 1);
    w.ipv4_dst = IP4(192, 168, 1, 2);
    w.tp_src = 12345;
    w.tp_dst = 53;
    EXPECT(vlan_ipv4_udp, &w, want_l(NONE, 18, 38, 1, 64, FT_STOP_DONE));

    want_base(&w, 0x0800);
    w.vlan_vid = FT_VID_PRESENT | 200;
    w.vlan_pcp = 3;
    w.vlan2_vid = FT_VID_PRESENT | 300;
    w.vlan2_pcp = 1;
    w.ip_proto = 6;
    w.ipv4_src = IP4(172, 16, 0, 1);
    w.ipv4_dst = IP4(172, 16, 0, 2);
    w.tp_src = 49152;
    w.tp_dst = 443;
    EXPECT(qinq_ipv4_tcp, &w, want_l(NONE, 22, 42, 2, 128, FT_STOP_DONE));

    /* Three tags: the outer two are in the key, the count says three. */
    want_base(&w, 0x0800);
    w.vlan_vid = FT_VID_PRESENT | 10;
    w.vlan_pcp = 7;
    w.vlan2_vid = FT_VID_PRESENT | 20;
    w.ip_proto = 1;
    w.ipv4_src = IP4(1, 2, 3, 4);
    w.ipv4_dst = IP4(5, 6, 7, 8);
    w.icmp_type = 3;
    w.icmp_code = 3;
    EXPECT(three_tags_icmp, &w, want_l(NONE, 26, 46, 3, 255, FT_STOP_DONE));

    want_base(&w, 0x9100);
    w.vlan_vid = FT_VID_PRESENT | 5;
    EXPECT(vlan_then_9100, &w, want_l(NONE, NONE, NONE, 1, 0, FT_STOP_DONE));

    /* VID 0 (priority tag) is still a tag. */
    want_base(&w, 0x0806);
    w.vlan_vid = FT_VID_PRESENT;
    w.vlan_pcp = 7;
    w.arp_op = 2;
    memcpy(w.arp_sha, mac_a, 6);
    w.arp_spa = IP4(10, 0, 0, 2);
    memcpy(w.arp_tha, mac_b, 6);
    w.arp_tpa = IP4(10, 0, 0, 1);
    EXPECT(prio_arp_reply, &w, want_l(NONE, 18, NONE, 1, 0, FT_STOP_DONE));
}
END_TEST

START_TEST(l2_truncated_tags)
{
    struct ft_key w;
    want_base(&w, 0);
    w.vlan_vid = FT_VID_PRESENT | 200;
    w.vlan_pcp = 3;
    /* Cut inside the C-tag's TCI: only the S-tag counts. */
    EXPECT_CUT(qinq_ipv4_tcp, 18, &w, want_l(NONE, NONE, NONE, 1, 0, FT_STOP_TRUNC_L2));
    /* Both tags, no type after them. */
    w.vlan2_vid = FT_VID_PRESENT | 300;
    w.vlan2_pcp = 1;
    EXPECT_CUT(qinq_ipv4_tcp, 21, &w, want_l(NONE, NONE, NONE, 2, 0, FT_STOP_TRUNC_L2));
    /* The MACs alone. */
    want_base(&w, 0);
    EXPECT_CUT(eth_lldp, 12, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_TRUNC_L2));
    ft_key_zero(&w);
    w.in_port = meta.in_port;
    w.in_phy_port = meta.in_phy_port;
    w.tunnel_id = meta.tunnel_id;
    EXPECT_CUT(eth_lldp, 11, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_TRUNC_L2));
    EXPECT_CUT(eth_lldp, 0, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_TRUNC_L2));
}
END_TEST

START_TEST(l2_5_mpls_pbb)
{
    struct ft_key w;
    want_base(&w, 0x8847);
    w.mpls_label = 0x12345;
    w.mpls_tc = 5;
    w.mpls_bos = 0;
    EXPECT(mpls2, &w, want_l(14, NONE, NONE, 0, 0, FT_STOP_DONE));
    want_base(&w, 0x8847);
    EXPECT_CUT(mpls2, 17, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_TRUNC_L2_5));

    want_base(&w, 0x88e7);
    w.vlan_vid = FT_VID_PRESENT | 5;
    w.pbb_isid = 0xabcdef;
    EXPECT(pbb, &w, want_l(18, NONE, NONE, 1, 0, FT_STOP_DONE));
    w.pbb_isid = 0;
    EXPECT_CUT(pbb, 21, &w, want_l(NONE, NONE, NONE, 1, 0, FT_STOP_TRUNC_L2_5));
}
END_TEST

START_TEST(l3_arp)
{
    struct ft_key w;
    want_base(&w, 0x0806);
    w.arp_op = 1;
    memcpy(w.arp_sha, mac_b, 6);
    w.arp_spa = IP4(10, 0, 0, 1);
    w.arp_tpa = IP4(10, 0, 0, 2);
    EXPECT(arp_request, &w, want_l(NONE, 14, NONE, 0, 0, FT_STOP_DONE));

    /* Other hardware: only the opcode is modelled. */
    want_base(&w, 0x0806);
    w.arp_op = 1;
    EXPECT(arp_ieee802, &w, want_l(NONE, 14, NONE, 0, 0, FT_STOP_DONE));

    want_base(&w, 0x0806);
    EXPECT_CUT(arp_request, 41, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_TRUNC_L3));
}
END_TEST

START_TEST(l3_ipv4)
{
    struct ft_key w;
    want_base(&w, 0x0800);
    w.ip_dscp = 4;
    w.ip_proto = 6;
    w.ipv4_src = IP4(10, 1, 1, 1);
    w.ipv4_dst = IP4(10, 2, 2, 2);
    w.tp_src = 80;
    w.tp_dst = 1024;
    EXPECT(ipv4_opts_tcp, &w, want_l(NONE, 14, 42, 0, 64, FT_STOP_DONE));
    /* Options cut: the header is incomplete, nothing of it counts. */
    want_base(&w, 0x0800);
    EXPECT_CUT(ipv4_opts_tcp, 40, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_TRUNC_L3));

    want_base(&w, 0x0800);
    w.ip_proto = 132;
    w.ipv4_src = IP4(10, 0, 0, 1);
    w.ipv4_dst = IP4(10, 0, 0, 2);
    w.tp_src = 2905;
    w.tp_dst = 2906;
    EXPECT(ipv4_sctp, &w, want_l(NONE, 14, 34, 0, 64, FT_STOP_DONE));

    /* Padding after the total length is not read. */
    w.ip_proto = 17;
    w.tp_src = 7;
    w.tp_dst = 9;
    EXPECT(ipv4_padded_udp, &w, want_l(NONE, 14, 34, 0, 1, FT_STOP_DONE));

    /* A total length that ends before the TCP header truncates it. */
    want_base(&w, 0x0800);
    w.ip_proto = 6;
    w.ipv4_src = IP4(10, 0, 0, 1);
    w.ipv4_dst = IP4(10, 0, 0, 2);
    EXPECT(ipv4_len_cuts_tcp, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_TRUNC_L4));

    w.ip_proto = 47;
    EXPECT(ipv4_gre, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_DONE));

    want_base(&w, 0x0800);
    EXPECT(ipv4_bad_ihl, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_BAD_L3));
    EXPECT(ipv4_bad_version, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_BAD_L3));
    EXPECT(ipv4_len_lt_hdr, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_BAD_L3));
}
END_TEST

START_TEST(l3_ipv4_fragments)
{
    struct ft_key w;
    want_base(&w, 0x0800);
    w.ip_proto = 17;
    w.ipv4_src = IP4(10, 0, 0, 1);
    w.ipv4_dst = IP4(10, 0, 0, 2);
    w.ip_frag = FT_FRAG_ANY;
    w.tp_src = 68;
    w.tp_dst = 67;
    EXPECT(ipv4_frag_first_udp, &w, want_l(NONE, 14, 34, 0, 32, FT_STOP_DONE));

    w.ip_frag = FT_FRAG_ANY | FT_FRAG_LATER;
    w.tp_src = 0;
    w.tp_dst = 0;
    EXPECT(ipv4_frag_later, &w, want_l(NONE, 14, NONE, 0, 32, FT_STOP_DONE));
}
END_TEST

START_TEST(l3_ipv6)
{
    struct ft_key w;
    want_ipv6(&w, v6_a, v6_b);
    w.ip_proto = 6;
    w.tp_src = 1024;
    w.tp_dst = 22;
    EXPECT(ipv6_tcp, &w, want_l(NONE, 14, 54, 0, 64, FT_STOP_DONE));

    want_ipv6(&w, v6_a, v6_b);
    w.ip_proto = 6;
    EXPECT(ipv6_len_cuts_tcp, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_TRUNC_L4));

    /* ICMPv4's number inside IPv6 is just a protocol number. */
    want_ipv6(&w, v6_a, v6_b);
    w.ip_proto = 1;
    EXPECT(ipv6_proto_icmpv4, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_DONE));

    want_base(&w, 0x86dd);
    EXPECT(ipv6_bad_version, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_BAD_L3));
    EXPECT_CUT(ipv6_tcp, 53, &w, want_l(NONE, NONE, NONE, 0, 0, FT_STOP_TRUNC_L3));
}
END_TEST

START_TEST(l3_ipv6_exthdr)
{
    struct ft_key w;
    /* Every kind once (Dest twice), in the recommended order. */
    want_ipv6(&w, v6_a, v6_b);
    w.ipv6_exthdr = FT_IEH_HOP | FT_IEH_DEST | FT_IEH_ROUTER | FT_IEH_FRAG | FT_IEH_AUTH;
    w.ip_frag = FT_FRAG_ANY;
    w.ip_proto = 17;
    w.tp_src = 546;
    w.tp_dst = 547;
    EXPECT(ipv6_chain_udp, &w, want_l(NONE, 14, 134, 0, 64, FT_STOP_DONE));

    /* Hop-by-hop after Dest: out of order, and not "the first". */
    want_ipv6(&w, v6_a, v6_b);
    w.ipv6_exthdr = FT_IEH_DEST | FT_IEH_UNSEQ;
    w.ip_proto = 6;
    w.tp_src = 1024;
    w.tp_dst = 22;
    EXPECT(ipv6_hbh_late, &w, want_l(NONE, 14, 70, 0, 64, FT_STOP_DONE));

    /* Routing after Fragment; an atomic fragment is no fragment. */
    want_ipv6(&w, v6_a, v6_b);
    w.ipv6_exthdr = FT_IEH_FRAG | FT_IEH_ROUTER | FT_IEH_UNSEQ;
    w.ip_proto = 58;
    w.icmp_type = 128;
    EXPECT(ipv6_frag_routing, &w, want_l(NONE, 14, 70, 0, 64, FT_STOP_DONE));

    want_ipv6(&w, v6_a, v6_b);
    w.ipv6_exthdr = FT_IEH_HOP | FT_IEH_ROUTER | FT_IEH_UNREP | FT_IEH_UNSEQ;
    w.ip_proto = 17;
    w.tp_src = 5000;
    w.tp_dst = 5001;
    EXPECT(ipv6_routing_twice, &w, want_l(NONE, 14, 78, 0, 64, FT_STOP_DONE));

    want_ipv6(&w, v6_a, v6_b);
    w.ipv6_exthdr = FT_IEH_DEST | FT_IEH_UNREP | FT_IEH_UNSEQ | FT_IEH_NONEXT;
    w.ip_proto = 59;
    EXPECT(ipv6_dest_thrice, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_DONE));

    want_ipv6(&w, v6_a, v6_b);
    w.ipv6_exthdr = FT_IEH_DEST | FT_IEH_NONEXT;
    w.ip_proto = 59;
    EXPECT(ipv6_nonext, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_DONE));

    want_ipv6(&w, v6_a, v6_b);
    w.ipv6_exthdr = FT_IEH_HOP | FT_IEH_ESP;
    w.ip_proto = 50;
    EXPECT(ipv6_esp, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_DONE));

    /* A later fragment: the fragment header's next header, no L4. */
    want_ipv6(&w, v6_a, v6_b);
    w.ipv6_exthdr = FT_IEH_FRAG;
    w.ip_frag = FT_FRAG_ANY | FT_FRAG_LATER;
    w.ip_proto = 6;
    EXPECT(ipv6_frag_later, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_DONE));

    /* Truncated chains keep the flags of the complete headers. */
    want_ipv6(&w, v6_a, v6_b);
    EXPECT(ipv6_len_cuts_hbh, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_TRUNC_EXTHDR));
    w.ipv6_exthdr = FT_IEH_HOP | FT_IEH_DEST | FT_IEH_ROUTER;
    EXPECT_CUT(ipv6_chain_udp, 101, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_TRUNC_EXTHDR));
    w.ipv6_exthdr |= FT_IEH_FRAG;
    w.ip_frag = FT_FRAG_ANY;
    EXPECT_CUT(ipv6_chain_udp, 125, &w, want_l(NONE, 14, NONE, 0, 64, FT_STOP_TRUNC_EXTHDR));
}
END_TEST

START_TEST(l4_icmp_and_nd)
{
    struct ft_key w;
    want_ipv6(&w, v6_a, v6_b);
    w.ip_proto = 58;
    w.icmp_type = 129;
    EXPECT(icmpv6_echo, &w, want_l(NONE, 14, 54, 0, 64, FT_STOP_DONE));

    /* NS: the SLL after a nonce option; its TLL option is not for NS. */
    want_ipv6(&w, v6_a, v6_sn_2);
    w.ip_proto = 58;
    w.icmp_type = 135;
    memcpy(w.nd_target, v6_ll_2, 16);
    memcpy(w.nd_sll, mac_b, 6);
    EXPECT(nd_ns_sll, &w, want_l(NONE, 14, 54, 0, 255, FT_STOP_DONE));
    /* Option of length 0 after the SLL: target and SLL stay. */
    EXPECT(nd_ns_zero_opt, &w, want_l(NONE, 14, 54, 0, 255, FT_STOP_BAD_ND));
    /* Frame cut before the SLL option: the payload length says more. */
    memset(w.nd_sll, 0, 6);
    EXPECT_CUT(nd_ns_sll, 86, &w, want_l(NONE, 14, 54, 0, 255, FT_STOP_TRUNC_ND));
    EXPECT_CUT(nd_ns_sll, 90, &w, want_l(NONE, 14, 54, 0, 255, FT_STOP_TRUNC_ND));
    memset(w.nd_target, 0, 16);
    EXPECT_CUT(nd_ns_sll, 77, &w, want_l(NONE, 14, 54, 0, 255, FT_STOP_TRUNC_ND));

    want_ipv6(&w, v6_b, v6_a);
    w.ip_proto = 58;
    w.icmp_type = 136;
    memcpy(w.nd_target, v6_ll_2, 16);
    memcpy(w.nd_tll, mac_a, 6);
    EXPECT(nd_na_tll, &w, want_l(NONE, 14, 54, 0, 255, FT_STOP_DONE));
    memset(w.nd_tll, 0, 6);
    EXPECT(nd_na_opt_overrun, &w, want_l(NONE, 14, 54, 0, 255, FT_STOP_BAD_ND));
}
END_TEST

START_TEST(null_layout_and_meta)
{
    for (unsigned i = 0; i < N_TEST_FRAMES; i++) {
        const struct test_frame *f = &test_frames[i];
        struct ft_key a, b;
        struct ft_layout l;
        enum ft_parse_stop s = ft_parse(f->data, f->len, &meta, &a, &l);
        ck_assert_int_eq(ft_parse(f->data, f->len, &meta, &b, NULL), s);
        ck_assert_msg(ft_key_equal(&a, &b), "%s", f->name);

        ck_assert_int_eq(ft_parse(f->data, f->len, NULL, &b, NULL), s);
        a.in_port = a.in_phy_port = 0;
        a.tunnel_id = 0;
        ck_assert_msg(ft_key_equal(&a, &b), "%s", f->name);
    }
}
END_TEST

START_TEST(stop_names)
{
    ck_assert_str_eq(ft_parse_stop_name(FT_STOP_DONE), "done");
    ck_assert_str_eq(ft_parse_stop_name(FT_STOP_TRUNC_L3), "trunc_l3");
    ck_assert_str_eq(ft_parse_stop_name(FT_STOP_BAD_ND), "bad_nd");
    ck_assert_str_eq(ft_parse_stop_name(FT_PARSE_STOP_MAX), "invalid");
    for (int s = 0; s < FT_PARSE_STOP_MAX; s++) {
        const char *n = ft_parse_stop_name((enum ft_parse_stop)s);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_ne(n, "invalid");
        for (int t = 0; t < s; t++)
            ck_assert_str_ne(n, ft_parse_stop_name((enum ft_parse_stop)t));
    }
}
END_TEST

/* Frames longer than the 16-bit offsets reach: only their start counts. */
START_TEST(huge_frames)
{
    size_t len = 70000;
    uint8_t *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, frame_eth_lldp, 12);
    for (size_t i = 12; i + 4 <= len; i += 4)
        memcpy(buf + i, (const uint8_t[]){0x81, 0x00, 0x00, 0x01}, 4);
    struct ft_key k;
    struct ft_layout l;
    ck_assert_int_eq(ft_parse(buf, len, &meta, &k, &l), FT_STOP_TRUNC_L2);
    ck_assert_uint_eq(l.n_vlans, (0xfffe - 12) / 4);
    ck_assert_ptr_null(parse_check_invariants(buf, len, &meta, l.stop, &k, &l));

    memset(buf, 0, len);
    memcpy(buf, frame_vlan_ipv4_udp, sizeof frame_vlan_ipv4_udp);
    ck_assert_int_eq(ft_parse(buf, len, &meta, &k, &l), FT_STOP_DONE);
    ck_assert_uint_eq(l.l4, 38);
    ck_assert_uint_eq(k.tp_dst, 53);
    free(buf);
}
END_TEST

/* Every frame cut at every length, each cut in its own exact heap copy. */
START_TEST(truncation_sweep)
{
    for (unsigned i = 0; i < N_TEST_FRAMES; i++) {
        const struct test_frame *f = &test_frames[i];
        struct ft_key full, k;
        struct ft_layout full_l, l;
        parse_copy(f->data, f->len, &full, &full_l);

        for (size_t cut = 0; cut <= f->len; cut++) {
            enum ft_parse_stop s = parse_copy(f->data, cut, &k, &l);
            const char *bad = parse_check_prefix(&k, &l, &full, &full_l);
            ck_assert_msg(!bad, "%s cut at %zu: %s", f->name, cut, bad);
            if (cut < f->hdr_end) {
                ck_assert_msg(s != FT_STOP_DONE, "%s cut at %zu parsed as complete", f->name, cut);
            } else {
                ck_assert_msg(ft_key_equal(&k, &full) && !memcmp(&l, &full_l, sizeof l),
                              "%s cut at %zu after its headers parsed differently", f->name, cut);
            }
            /* Headers wholly inside the prefix give the whole frame's fields. */
            if (cut >= 12)
                ck_assert(!memcmp(k.eth_dst, full.eth_dst, 6) &&
                          !memcmp(k.eth_src, full.eth_src, 6));
            if (l.n_vlans >= 1)
                ck_assert(k.vlan_vid == full.vlan_vid && k.vlan_pcp == full.vlan_pcp);
            if (l.n_vlans >= 2)
                ck_assert(k.vlan2_vid == full.vlan2_vid && k.vlan2_pcp == full.vlan2_pcp);
            if (l.l3 != FT_OFS_NONE)
                ck_assert_msg(k.ipv4_src == full.ipv4_src && k.ip_dscp == full.ip_dscp &&
                                  !memcmp(k.ipv6_dst, full.ipv6_dst, 16) &&
                                  k.arp_op == full.arp_op && l.ip_ttl == full_l.ip_ttl,
                              "%s cut at %zu: L3 fields", f->name, cut);
            if (l.l4 != FT_OFS_NONE)
                ck_assert_msg(k.tp_src == full.tp_src && k.tp_dst == full.tp_dst &&
                                  k.icmp_type == full.icmp_type,
                              "%s cut at %zu: L4 fields", f->name, cut);
        }
    }
}
END_TEST

/* Random byte changes and cuts: the properties hold for any bytes. */
START_TEST(random_mutations)
{
    static const uint8_t interesting[] = {0x00, 0x01, 0x02, 0x06, 0x08, 0x11, 0x2b, 0x2c,
                                          0x32, 0x33, 0x3a, 0x3b, 0x3c, 0x45, 0x60, 0x81,
                                          0x84, 0x86, 0x87, 0x88, 0x91, 0xa8, 0xdd, 0xff};
    uint64_t rng = test_seed();
    for (unsigned i = 0; i < N_TEST_FRAMES; i++) {
        const struct test_frame *f = &test_frames[i];
        for (int iter = 0; iter < 400; iter++) {
            uint8_t *buf = malloc(f->len);
            ck_assert_ptr_nonnull(buf);
            memcpy(buf, f->data, f->len);
            int n_mut = 1 + (int)(test_rand(&rng) % 4);
            for (int m = 0; m < n_mut; m++) {
                uint64_t r = test_rand(&rng);
                buf[r % f->len] = (r >> 32) & 1 ? (uint8_t)(r >> 40)
                                                : interesting[(r >> 40) % sizeof interesting];
            }
            struct ft_key full, k;
            struct ft_layout full_l, l;
            parse_copy(buf, f->len, &full, &full_l);
            size_t cut = test_rand(&rng) % (f->len + 1);
            parse_copy(buf, cut, &k, &l);
            const char *bad = parse_check_prefix(&k, &l, &full, &full_l);
            ck_assert_msg(!bad, "%s mutated, cut at %zu: %s", f->name, cut, bad);
            free(buf);
        }
    }
}
END_TEST

/* A tagged frame parses as the untagged one but for the tag: it differs in
 * its VLAN fields only, its headers 4 bytes further on. Untagged IPv4
 * TCP/UDP frames take the parser's plain path and their tagged twins the
 * general one, so the two paths are held to one result. */
static void
untag(struct ft_key *k, struct ft_layout *l)
{
    k->vlan_vid = 0;
    k->vlan_pcp = 0;
    l->n_vlans--;
    if (l->l2_5 != FT_OFS_NONE)
        l->l2_5 -= FT_VLAN_LEN;
    if (l->l3 != FT_OFS_NONE)
        l->l3 -= FT_VLAN_LEN;
    if (l->l4 != FT_OFS_NONE)
        l->l4 -= FT_VLAN_LEN;
}

START_TEST(tagged_parses_as_untagged)
{
    static const uint8_t interesting[] = {0x00, 0x01, 0x05, 0x06, 0x08, 0x11, 0x14,
                                          0x1c, 0x20, 0x28, 0x2a, 0x3f, 0x40, 0x44,
                                          0x45, 0x46, 0x55, 0x84, 0x86, 0xdd, 0xff};
    enum { N = sizeof frame_ipv4_padded_udp };
    uint64_t rng = test_seed();
    unsigned plain = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t frame[N], tagged[N + FT_VLAN_LEN];
        memcpy(frame, frame_ipv4_padded_udp, N);
        if (iter & 1) { /* TCP, the padding its header. */
            frame[23] = FT_PROTO_TCP;
            frame[17] = 40;
        }
        int n_mut = iter % 8 ? (int)(test_rand(&rng) % 3) : 0;
        for (int m = 0; m < n_mut; m++) {
            uint64_t r = test_rand(&rng);
            size_t at = FT_ETH_ADDRS_LEN + r % 40;
            frame[at] =
                (r >> 32) & 1 ? (uint8_t)(r >> 40) : interesting[(r >> 40) % sizeof interesting];
        }
        uint16_t type = ft_rd16(frame + FT_ETH_ADDRS_LEN);
        if (type == FT_ETH_TYPE_VLAN || type == FT_ETH_TYPE_QINQ || type == FT_ETH_TYPE_QINQ_OLD)
            continue; /* Tagged twice, it would differ in its inner tag. */
        memcpy(tagged, frame, FT_ETH_ADDRS_LEN);
        memcpy(tagged + FT_ETH_ADDRS_LEN, (const uint8_t[]){0x81, 0x00, 0xa0, 0x64}, FT_VLAN_LEN);
        memcpy(tagged + FT_ETH_HDR_LEN + 2, frame + FT_ETH_ADDRS_LEN, N - FT_ETH_ADDRS_LEN);
        size_t cut = FT_ETH_HDR_LEN + test_rand(&rng) % (N - FT_ETH_HDR_LEN + 1);

        struct ft_key k, tk;
        struct ft_layout l, tl;
        enum ft_parse_stop stop = parse_copy(frame, cut, &k, &l);
        enum ft_parse_stop tstop = parse_copy(tagged, cut + FT_VLAN_LEN, &tk, &tl);
        ck_assert_uint_eq(tk.vlan_vid, FT_VID_PRESENT | 100);
        untag(&tk, &tl);
        for (unsigned i = 0; i < PC_N_FIELDS; i++)
            ck_assert_msg(pc_field_equal(&k, &tk, &pc_fields[i]), "iteration %d cut %zu: %s", iter,
                          cut, pc_fields[i].name);
        ck_assert_msg(stop == tstop && !memcmp(&l, &tl, sizeof l), "iteration %d cut %zu: layout",
                      iter, cut);
        plain += stop == FT_STOP_DONE && l.l4 == FT_ETH_HDR_LEN + FT_IPV4_MIN_LEN;
    }
    /* Most frames stay plain TCP/UDP: the comparison covered the plain path. */
    ck_assert_uint_gt(plain, 3000);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("ft_parse");
    TCase *tc = tcase_create("frames");
    tcase_add_test(tc, l2_untagged_and_8023);
    tcase_add_test(tc, l2_vlan_tags);
    tcase_add_test(tc, l2_truncated_tags);
    tcase_add_test(tc, l2_5_mpls_pbb);
    tcase_add_test(tc, l3_arp);
    tcase_add_test(tc, l3_ipv4);
    tcase_add_test(tc, l3_ipv4_fragments);
    tcase_add_test(tc, l3_ipv6);
    tcase_add_test(tc, l3_ipv6_exthdr);
    tcase_add_test(tc, l4_icmp_and_nd);
    tcase_add_test(tc, null_layout_and_meta);
    tcase_add_test(tc, stop_names);
    tcase_add_test(tc, huge_frames);
    suite_add_tcase(s, tc);

    TCase *props = tcase_create("properties");
    tcase_add_test(props, truncation_sweep);
    tcase_add_test(props, random_mutations);
    tcase_add_test(props, tagged_parses_as_untagged);
    suite_add_tcase(s, props);
    return s;
}

CHECK_MAIN(make_suite)
