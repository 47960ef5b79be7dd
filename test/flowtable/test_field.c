/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the OXM field table, value wire conversion and text forms. */
#include <string.h>

#include "check_main.h"
#include "ft_field.h"

START_TEST(ids_are_oxm_numbers)
{
    ck_assert_int_eq(FT_F_IN_PORT, 0);
    ck_assert_int_eq(FT_F_VLAN_VID, 6);
    ck_assert_int_eq(FT_F_IPV4_DST, 12);
    ck_assert_int_eq(FT_F_ARP_THA, 25);
    ck_assert_int_eq(FT_F_MPLS_LABEL, 34);
    ck_assert_int_eq(FT_F_IPV6_EXTHDR, 39);
    ck_assert_ptr_null(ft_field_info(FT_N_FIELDS));
    for (unsigned f = 0; f < FT_N_FIELDS; f++) {
        const struct ft_field_info *fi = ft_field_info(f);
        ck_assert_ptr_nonnull(fi);
        ck_assert_ptr_nonnull(fi->name);
        ck_assert_int_le(fi->key_ofs + fi->key_len, sizeof(struct ft_key));
        ck_assert_int_le(fi->n_bits, fi->key_len * 8);
        ck_assert_int_eq(ft_field_from_name(fi->name), (int)f);
    }
}
END_TEST

START_TEST(spec_maskability_and_prereqs)
{
    /* OF1.3.5 table 13 spot checks. */
    ck_assert(!ft_field_info(FT_F_IN_PORT)->maskable);
    ck_assert(ft_field_info(FT_F_METADATA)->maskable);
    ck_assert(!ft_field_info(FT_F_ETH_TYPE)->maskable);
    ck_assert(ft_field_info(FT_F_VLAN_VID)->maskable);
    ck_assert(!ft_field_info(FT_F_TCP_SRC)->maskable);
    ck_assert(ft_field_info(FT_F_IPV6_FLABEL)->maskable);
    ck_assert(ft_field_info(FT_F_PBB_ISID)->maskable);
    ck_assert_int_eq(ft_field_info(FT_F_PBB_ISID)->wire_len, 3);
    ck_assert_int_eq(ft_field_info(FT_F_VLAN_PCP)->prereq, FT_PRE_VLAN);
    ck_assert_int_eq(ft_field_info(FT_F_IPV6_ND_SLL)->prereq, FT_PRE_ND_SOL);
    ck_assert(!ft_field_info(FT_F_IN_PORT)->settable);
    ck_assert(!ft_field_info(FT_F_METADATA)->settable);
    ck_assert(ft_field_info(FT_F_TUNNEL_ID)->settable);
}
END_TEST

START_TEST(wire_roundtrip_every_field)
{
    uint8_t wire[16], back[16];
    for (unsigned f = 0; f < FT_N_FIELDS; f++) {
        const struct ft_field_info *fi = ft_field_info(f);
        for (unsigned i = 0; i < fi->wire_len; i++)
            wire[i] = (uint8_t)(0x11 * (i + 1) + f);
        union ft_value v;
        ft_field_value_from_wire(f, wire, &v);
        ft_field_value_to_wire(f, &v, back);
        ck_assert_mem_eq(wire, back, fi->wire_len);
    }
    /* PBB_ISID: 3 wire bytes, host u32. */
    const uint8_t isid[3] = {0x12, 0x34, 0x56};
    union ft_value v;
    ft_field_value_from_wire(FT_F_PBB_ISID, isid, &v);
    ck_assert_uint_eq(v.u32, 0x123456);
    ft_field_value_from_wire(FT_F_ETH_TYPE, (const uint8_t[]){0x86, 0xdd}, &v);
    ck_assert_uint_eq(v.u16, 0x86dd);
}
END_TEST

START_TEST(get_set_and_shared_storage)
{
    struct ft_key k;
    ft_key_zero(&k);
    union ft_value v = {.u32 = 0x0a000001};
    ft_field_set(&k, FT_F_IPV4_DST, &v);
    ck_assert_uint_eq(k.ipv4_dst, 0x0a000001);
    union ft_value got;
    ft_field_get(&k, FT_F_ARP_TPA, &got); /* Same storage by design. */
    ck_assert_uint_eq(got.u32, 0x0a000001);
    v.u16 = 443;
    ft_field_set(&k, FT_F_UDP_DST, &v);
    ck_assert_uint_eq(k.tp_dst, 443);

    struct ft_key m;
    ft_key_zero(&m);
    ft_field_mask_exact(&m, FT_F_VLAN_VID);
    ck_assert_uint_eq(m.vlan_vid, 0x1fff);
    ck_assert(ft_field_is_exact(&m, FT_F_VLAN_VID));
    ck_assert(ft_field_is_wild(&m, FT_F_ETH_DST));
    ft_field_mask_exact(&m, FT_F_IP_DSCP);
    ck_assert_uint_eq(m.ip_dscp, 0x3f);
}
END_TEST

/* The per-word masks the miss path uses are each field's exact mask. */
START_TEST(words_are_the_exact_mask)
{
    for (unsigned f = 0; f < FT_N_FIELDS; f++) {
        struct ft_key want, got;
        ft_key_zero(&want);
        ft_field_mask_exact(&want, (enum ft_field)f);
        ft_key_zero(&got);
        const struct ft_field_words *fw = ft_field_words((enum ft_field)f);
        ck_assert_uint_ge(fw->n, 1);
        ck_assert_uint_le(fw->n, 2);
        for (unsigned i = 0; i < fw->n; i++) {
            ck_assert_uint_lt(fw->word[i], FT_KEY_WORDS);
            got.w[fw->word[i]] |= fw->mask[i];
        }
        ck_assert_msg(ft_key_equal(&want, &got), "field %s", ft_field_info(f)->name);
    }
}
END_TEST

START_TEST(value_fits)
{
    union ft_value v = {.u16 = 0x1fff};
    ck_assert(ft_field_value_fits(FT_F_VLAN_VID, &v));
    v.u16 = 0x2000;
    ck_assert(!ft_field_value_fits(FT_F_VLAN_VID, &v));
    v = (union ft_value){.u8 = 64};
    ck_assert(!ft_field_value_fits(FT_F_IP_DSCP, &v));
    v = (union ft_value){.u32 = 1u << 20};
    ck_assert(!ft_field_value_fits(FT_F_MPLS_LABEL, &v));
    v = (union ft_value){.u32 = (1u << 24) - 1};
    ck_assert(ft_field_value_fits(FT_F_PBB_ISID, &v));
}
END_TEST

static void
check_text(enum ft_field f, const char *in, const char *want)
{
    union ft_value v, m;
    bool has_mask;
    char buf[128];
    ck_assert_msg(!ft_field_parse(f, in, &v, &m, &has_mask), "parse %s", in);
    ft_field_format(buf, sizeof buf, f, &v, has_mask ? &m : NULL);
    ck_assert_str_eq(buf, want);
}

START_TEST(text_forms)
{
    check_text(FT_F_IPV4_DST, "10.1.2.3", "ipv4_dst=10.1.2.3");
    check_text(FT_F_IPV4_SRC, "10.1.0.0/16", "ipv4_src=10.1.0.0/255.255.0.0");
    check_text(FT_F_ETH_DST, "00:11:22:aa:bb:cc", "eth_dst=00:11:22:aa:bb:cc");
    check_text(FT_F_ETH_TYPE, "0x800", "eth_type=0x0800");
    check_text(FT_F_TCP_DST, "8080", "tcp_dst=8080");
    check_text(FT_F_IPV6_SRC, "2001:db8::1", "ipv6_src=2001:db8::1");
    check_text(FT_F_IPV6_SRC, "::", "ipv6_src=::");
    check_text(FT_F_IPV6_DST, "fe80::/10", "ipv6_dst=fe80::/ffc0::");
    check_text(FT_F_IPV6_DST, "1:0:0:2:0:0:0:3", "ipv6_dst=1:0:0:2::3");
    check_text(FT_F_IPV6_DST, "::ffff:10.0.0.1", "ipv6_dst=::ffff:a00:1");
    check_text(FT_F_METADATA, "0x10/0xf0", "metadata=0x10/0xf0");

    union ft_value v, m;
    bool hm;
    ck_assert_int_ne(ft_field_parse(FT_F_IPV4_DST, "10.1.2", &v, &m, &hm), 0);
    ck_assert_int_ne(ft_field_parse(FT_F_IPV4_DST, "10.1.2.256", &v, &m, &hm), 0);
    ck_assert_int_ne(ft_field_parse(FT_F_ETH_DST, "00:11:22:33:44", &v, &m, &hm), 0);
    ck_assert_int_ne(ft_field_parse(FT_F_IPV6_DST, "1::2::3", &v, &m, &hm), 0);
    ck_assert_int_ne(ft_field_parse(FT_F_IPV6_DST, "1:2:3:4:5:6:7:8:9", &v, &m, &hm), 0);
    ck_assert_int_ne(ft_field_parse(FT_F_TCP_DST, "65536", &v, &m, &hm), 0);
    ck_assert_int_ne(ft_field_parse(FT_F_TCP_DST, "-1", &v, &m, &hm), 0);
    ck_assert_int_ne(ft_field_parse(FT_F_IPV4_DST, "10.0.0.0/33", &v, &m, &hm), 0);
    ck_assert_int_eq(ft_field_from_name("nw_dst"), FT_F_IPV4_DST);
    ck_assert_int_eq(ft_field_from_name("no_such_field"), -1);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("field");
    TCase *tc = tcase_create("field");
    tcase_add_test(tc, ids_are_oxm_numbers);
    tcase_add_test(tc, spec_maskability_and_prereqs);
    tcase_add_test(tc, wire_roundtrip_every_field);
    tcase_add_test(tc, get_set_and_shared_storage);
    tcase_add_test(tc, words_are_the_exact_mask);
    tcase_add_test(tc, value_fits);
    tcase_add_test(tc, text_forms);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
