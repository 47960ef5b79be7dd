/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: match building and validation with the spec's errors. */
#include "check_main.h"
#include "ft_test_util.h"

static struct ft_match_entry
exact(unsigned f, uint64_t v)
{
    struct ft_match_entry e = {.field = (uint8_t)f};
    if (!ft_field_info(f)) { /* An id the spec does not define. */
        e.value.u64 = v;
        return e;
    }
    switch (ft_field_info(f)->key_len) {
    case 1:
        e.value.u8 = (uint8_t)v;
        break;
    case 2:
        e.value.u16 = (uint16_t)v;
        break;
    case 4:
        e.value.u32 = (uint32_t)v;
        break;
    default:
        e.value.u64 = v;
        break;
    }
    return e;
}

static struct ft_match_entry
masked(unsigned f, uint64_t v, uint64_t m)
{
    struct ft_match_entry e = exact(f, v), mk = exact(f, m);
    e.has_mask = true;
    e.mask = mk.value;
    return e;
}

static enum ft_err
build(const struct ft_match_entry *e, size_t n)
{
    struct ft_match m;
    return ft_match_from_entries(&m, e, n);
}

#define BUILD(...)                                                                                 \
    build((struct ft_match_entry[]){__VA_ARGS__},                                                  \
          sizeof((struct ft_match_entry[]){__VA_ARGS__}) / sizeof(struct ft_match_entry))

START_TEST(valid_matches)
{
    ck_assert_int_eq(BUILD(exact(FT_F_IN_PORT, 1)), FT_OK);
    ck_assert_int_eq(
        BUILD(exact(FT_F_ETH_TYPE, 0x800), exact(FT_F_IP_PROTO, 6), exact(FT_F_TCP_DST, 80)),
        FT_OK);
    /* Order does not matter for prerequisites. */
    ck_assert_int_eq(
        BUILD(exact(FT_F_TCP_DST, 80), exact(FT_F_IP_PROTO, 6), exact(FT_F_ETH_TYPE, 0x86dd)),
        FT_OK);
    ck_assert_int_eq(BUILD(exact(FT_F_ETH_TYPE, 0x86dd), exact(FT_F_IP_PROTO, 58),
                           exact(FT_F_ICMPV6_TYPE, 135), exact(FT_F_IPV6_ND_SLL, 0)),
                     FT_OK);
    ck_assert_int_eq(BUILD(exact(FT_F_VLAN_VID, FT_VID_PRESENT | 5), exact(FT_F_VLAN_PCP, 3)),
                     FT_OK);
    ck_assert_int_eq(
        BUILD(masked(FT_F_VLAN_VID, FT_VID_PRESENT, FT_VID_PRESENT), exact(FT_F_VLAN_PCP, 3)),
        FT_OK);
    ck_assert_int_eq(BUILD(exact(FT_F_IN_PORT, 1), exact(FT_F_IN_PHY_PORT, 1)), FT_OK);
    /* VID bits under a mask without OFPVID_PRESENT (OpenFlow 1.3.5, the
     * VLAN match table: the mask selects the bits that count). */
    ck_assert_int_eq(BUILD(masked(FT_F_VLAN_VID, 0x060, 0x0f0)), FT_OK);
    ck_assert_int_eq(BUILD(masked(FT_F_VLAN_VID, 0x064, 0x0fff)), FT_OK);
    ck_assert_int_eq(BUILD(exact(FT_F_ETH_TYPE, 0x88e7), masked(FT_F_PBB_ISID, 0x100, 0xf00)),
                     FT_OK);
    ck_assert_int_eq(BUILD(exact(FT_F_ETH_TYPE, 0x8847), exact(FT_F_MPLS_LABEL, 0xfffff),
                           exact(FT_F_MPLS_BOS, 1)),
                     FT_OK);
}
END_TEST

START_TEST(spec_errors)
{
    ck_assert_int_eq(BUILD(exact(40, 1)), FT_ERR_BAD_MATCH_BAD_FIELD);
    ck_assert_int_eq(BUILD(exact(FT_F_IN_PORT, 1), exact(FT_F_IN_PORT, 2)),
                     FT_ERR_BAD_MATCH_DUP_FIELD);
    ck_assert_int_eq(BUILD(masked(FT_F_IN_PORT, 1, 1)), FT_ERR_BAD_MATCH_BAD_MASK);
    ck_assert_int_eq(BUILD(masked(FT_F_ETH_TYPE, 0x800, 0xff00)), FT_ERR_BAD_MATCH_BAD_MASK);
    ck_assert_int_eq(BUILD(masked(FT_F_VLAN_VID, 0x1000, 0x3000)), FT_ERR_BAD_MATCH_BAD_MASK);
    ck_assert_int_eq(BUILD(exact(FT_F_VLAN_VID, 0x2000)), FT_ERR_BAD_MATCH_BAD_VALUE);
    ck_assert_int_eq(BUILD(exact(FT_F_VLAN_VID, 5)), FT_ERR_BAD_MATCH_BAD_VALUE);
    /* A VID under a mask that requires "no tag": no packet can match. */
    ck_assert_int_eq(BUILD(masked(FT_F_VLAN_VID, 0x060, 0x10f0)), FT_ERR_BAD_MATCH_BAD_VALUE);
    ck_assert_int_eq(BUILD(exact(FT_F_ETH_TYPE, 0x800), exact(FT_F_IP_DSCP, 64)),
                     FT_ERR_BAD_MATCH_BAD_VALUE);
    ck_assert_int_eq(BUILD(exact(FT_F_ETH_TYPE, 0x8847), exact(FT_F_MPLS_LABEL, 1 << 20)),
                     FT_ERR_BAD_MATCH_BAD_VALUE);
    ck_assert_int_eq(
        BUILD(exact(FT_F_ETH_TYPE, 0x800), masked(FT_F_IPV4_DST, 0x0a000001, 0xff000000)),
        FT_ERR_BAD_MATCH_BAD_WILDCARDS);
    ck_assert_int_eq(BUILD(exact(FT_F_TCP_DST, 80)), FT_ERR_BAD_MATCH_BAD_PREREQ);
    ck_assert_int_eq(BUILD(exact(FT_F_IP_PROTO, 6), exact(FT_F_TCP_DST, 80)),
                     FT_ERR_BAD_MATCH_BAD_PREREQ);
    ck_assert_int_eq(BUILD(exact(FT_F_ETH_TYPE, 0x806), exact(FT_F_IPV4_SRC, 1)),
                     FT_ERR_BAD_MATCH_BAD_PREREQ);
    ck_assert_int_eq(
        BUILD(exact(FT_F_ETH_TYPE, 0x800), exact(FT_F_IP_PROTO, 17), exact(FT_F_TCP_DST, 80)),
        FT_ERR_BAD_MATCH_BAD_PREREQ);
    ck_assert_int_eq(BUILD(exact(FT_F_VLAN_PCP, 1)), FT_ERR_BAD_MATCH_BAD_PREREQ);
    ck_assert_int_eq(BUILD(exact(FT_F_VLAN_VID, 0), exact(FT_F_VLAN_PCP, 1)),
                     FT_ERR_BAD_MATCH_BAD_PREREQ);
    ck_assert_int_eq(BUILD(exact(FT_F_IN_PHY_PORT, 1)), FT_ERR_BAD_MATCH_BAD_PREREQ);
    ck_assert_int_eq(BUILD(exact(FT_F_ETH_TYPE, 0x86dd), exact(FT_F_IP_PROTO, 58),
                           exact(FT_F_ICMPV6_TYPE, 136), exact(FT_F_IPV6_ND_SLL, 0)),
                     FT_ERR_BAD_MATCH_BAD_PREREQ);
    /* A masked prerequisite is not a prerequisite. */
    ck_assert_int_eq(BUILD(masked(FT_F_ETH_TYPE, 0x800, 0xffff), exact(FT_F_IP_PROTO, 6)),
                     FT_ERR_BAD_MATCH_BAD_MASK);
}
END_TEST

START_TEST(entries_round_trip_with_aliases)
{
    const char *texts[] = {
        "in_port=3,eth_type=0x0800,ip_proto=17,ipv4_src=10.0.0.0/255.0.0.0,udp_dst=53",
        "eth_type=0x0806,arp_op=1,arp_spa=10.0.0.1,arp_sha=00:11:22:33:44:55",
        "eth_type=0x86dd,ip_proto=132,sctp_src=9,ipv6_dst=2001:db8::/ffff:ffff::",
        ("eth_type=0x86dd,ip_proto=58,icmpv6_type=136,ipv6_nd_target=fe80::1,"
         "ipv6_nd_tll=aa:bb:cc:dd:ee:ff"),
        "eth_type=0x0800,ip_proto=1,icmpv4_type=8,icmpv4_code=0",
        "metadata=0x10/0xf0,vlan_vid=0x1000/0x1000,tunnel_id=0x5",
        "",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct ft_match m, back;
        ck_assert_int_eq(ft_match_parse(&m, texts[i], NULL), FT_OK);
        char buf[512];
        ft_match_format(buf, sizeof buf, &m);
        ck_assert_str_eq(buf, texts[i]);
        struct ft_match_entry e[FT_MATCH_MAX_ENTRIES];
        size_t n = ft_match_to_entries(&m, e);
        ck_assert_int_eq(ft_match_from_entries(&back, e, n), FT_OK);
        ck_assert(ft_match_equal(&m, &back));
    }
}
END_TEST

START_TEST(text_shorthands_and_errors)
{
    struct ft_match m;
    const char *bad = NULL;
    ck_assert_int_eq(ft_match_parse(&m, "tcp,tp_dst=80", NULL), FT_OK);
    ck_assert_uint_eq(m.key.ip_proto, 6);
    ck_assert_uint_eq(m.key.tp_dst, 80);
    ck_assert_int_eq(ft_match_parse(&m, "udp6,tp_src=53", NULL), FT_OK);
    ck_assert_uint_eq(m.key.eth_type, 0x86dd);
    ck_assert_int_eq(ft_match_parse(&m, "dl_vlan=7", NULL), FT_OK);
    ck_assert_uint_eq(m.key.vlan_vid, FT_VID_PRESENT | 7);
    ck_assert_int_eq(ft_match_parse(&m, "ip,nw_dst=10.0.0.1,bogus=1", &bad),
                     FT_ERR_BAD_MATCH_BAD_FIELD);
    ck_assert_str_eq(bad, "bogus=1");
    ck_assert_int_eq(ft_match_parse(&m, "ip,nw_dst=10.0.0.300", &bad), FT_ERR_BAD_MATCH_BAD_VALUE);
    ck_assert_int_eq(ft_match_parse(&m, "nw_dst=10.0.0.1", NULL), FT_ERR_BAD_MATCH_BAD_PREREQ);
    ck_assert_int_eq(ft_match_parse(&m, "ip,ip", NULL), FT_ERR_BAD_MATCH_DUP_FIELD);
}
END_TEST

START_TEST(overlap_and_cover)
{
    struct ft_match a, b, c, all;
    ft_match_init_catchall(&all);
    ck_assert_int_eq(ft_match_parse(&a, "ip,nw_dst=10.0.0.0/8", NULL), FT_OK);
    ck_assert_int_eq(ft_match_parse(&b, "ip,nw_dst=10.1.0.0/16,nw_src=1.1.1.1", NULL), FT_OK);
    ck_assert_int_eq(ft_match_parse(&c, "ip,nw_dst=11.0.0.0/8", NULL), FT_OK);
    ck_assert(ft_match_overlaps(&a, &b));
    ck_assert(!ft_match_overlaps(&a, &c));
    ck_assert(ft_match_overlaps(&all, &c));
    ck_assert(ft_match_covers(&a, &b));
    ck_assert(!ft_match_covers(&b, &a));
    ck_assert(ft_match_covers(&all, &a));
    ck_assert(ft_match_covers(&a, &a));
    ck_assert(!ft_match_covers(&a, &c));
}
END_TEST

START_TEST(mask_text)
{
    struct ft_key m;
    char buf[256];
    ft_key_zero(&m);
    ft_mask_format(buf, sizeof buf, &m);
    ck_assert_str_eq(buf, "(none)");
    m.in_port = UINT32_MAX;
    m.eth_type = 0xffff;
    m.ipv4_dst = 0xffffff00;
    m.tp_dst = 0xffff; /* Shared by TCP/UDP/SCTP: named once. */
    m.vlan2_vid = 0x1fff;
    ft_mask_format(buf, sizeof buf, &m);
    ck_assert_str_eq(buf, "in_port,eth_type,ipv4_dst/255.255.255.0,tcp_dst,inner_vlan");
}
END_TEST

/* Every prerequisite of the table, through ft_match_requires: each listed
 * value (with the parents' first values) satisfies it, a value off the list
 * or a field not matched exactly does not. The walk reads the same table. */
START_TEST(prerequisite_table)
{
    for (int pr = FT_PRE_IP; pr <= FT_PRE_PBB; pr++) {
        const struct ft_prereq_rule *rule = ft_prereq_rule((enum ft_prereq)pr);
        ck_assert_uint_gt(rule->n_values, 0);
        for (unsigned i = 0; i <= rule->n_values; i++) {
            struct ft_match m;
            ft_match_init_catchall(&m);
            /* The chain, innermost first: this rule's value i, its parents' first. */
            for (const struct ft_prereq_rule *r = rule; r->n_values;
                 r = ft_prereq_rule(r->parent)) {
                union ft_value v = {0}, ones = {0};
                unsigned k = r == rule ? i : 0;
                uint16_t x = k < r->n_values ? r->values[k] : 0x1234; /* Off the list. */
                if (ft_field_info(r->field)->key_len == 1) {
                    v.u8 = (uint8_t)x;
                    ones.u8 = 0xff;
                } else {
                    v.u16 = x;
                    ones.u16 = 0xffff;
                }
                ft_field_set(&m.key, r->field, &v);
                ft_field_set(&m.mask, r->field, &ones);
            }
            bool want = i < rule->n_values;
            ck_assert_msg(ft_match_requires(&m.key, &m.mask, (enum ft_prereq)pr) == want,
                          "prerequisite %d value %u", pr, i);
            /* The same values, not matched exactly: not a prerequisite. */
            union ft_value half = {.u16 = 0x00ff};
            if (ft_field_info(rule->field)->key_len == 1)
                half.u8 = 0x0f;
            ft_field_set(&m.mask, rule->field, &half);
            ck_assert(!ft_match_requires(&m.key, &m.mask, (enum ft_prereq)pr));
        }
    }
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("match");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, valid_matches);
    tcase_add_test(tc, entries_round_trip_with_aliases);
    tcase_add_test(tc, text_shorthands_and_errors);
    tcase_add_test(tc, overlap_and_cover);
    tcase_add_test(tc, mask_text);
    tcase_add_test(tc, prerequisite_table);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, spec_errors);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
