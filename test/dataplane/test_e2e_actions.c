/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End to end, per action family: every header-op vector of
 * hdrops_vectors.h that changes the packet becomes a flow
 * "in_port=1,<its prerequisites> -> <op>,output:2"; the input frame goes
 * in on port 1 (net_pcap) and port 2 must send exactly the expected frame
 * — through RX, parse, pipeline walk, execution, TX buffering and TX.
 */
#include "dp_e2e.h"
#include "hdrops_vectors.h"

/* The match that gives the op its prerequisites, from the frame itself. */
static void
match_for(const uint8_t *frame, size_t len, char *buf, size_t size)
{
    struct ft_key k;
    ft_parse(frame, len, NULL, &k, NULL);
    int n = snprintf(buf, size, "in_port=1");
    if (k.vlan_vid & FT_VID_PRESENT)
        n += snprintf(buf + n, size - (size_t)n, ",vlan_vid=0x1000/0x1000");
    if (k.eth_type != FT_ETH_TYPE_NONE)
        n += snprintf(buf + n, size - (size_t)n, ",eth_type=0x%04x", k.eth_type);
    if (k.eth_type == 0x0800 || k.eth_type == 0x86dd)
        n += snprintf(buf + n, size - (size_t)n, ",ip_proto=%u", k.ip_proto);
    if (k.eth_type == 0x86dd && k.ip_proto == 58)
        snprintf(buf + n, size - (size_t)n, ",icmpv6_type=%u", k.icmp_type);
}

START_TEST(vector_through_switch)
{
    const struct hv_case *c = &hv_cases[_i];
    if (c->expect != HV_OK)
        return; /* No-ops and expiries have their own tests. */
    struct e2e e;
    e2e_start(&e, 2);
    e2e_input(&e, 0, c->in, c->in_len);
    e2e_attach(&e);
    char match[256], insts[256];
    match_for(c->in, c->in_len, match, sizeof match);
    snprintf(insts, sizeof insts, "%s,output:2", c->op);
    e2e_flow(&e, match, insts);
    ck_assert_uint_eq(e2e_run(&e), 1);
    e2e_detach(&e);
    ck_assert_msg(e.out[1].n == 1, "%s: port 2 sent %zu frames", c->name, e.out[1].n);
    ck_assert_uint_eq(e.out[0].n, 0);
    e2e_expect(&e, 1, 0, c->out, c->out_len, c->name);
    e2e_finish(&e);
}
END_TEST

START_TEST(program_of_many_ops)
{
    /* Several families in one program, in order: the later ops see the
     * packet the earlier ones made (push, then set the new tag's VID, then
     * route-like rewrites and a TTL decrement). */
    const struct hv_case *in = NULL;
    for (size_t i = 0; i < sizeof hv_cases / sizeof hv_cases[0]; i++)
        if (!strcmp(hv_cases[i].name, "dec_ttl_ipv4"))
            in = &hv_cases[i];
    ck_assert_ptr_nonnull(in);
    struct e2e e;
    e2e_start(&e, 2);
    e2e_input(&e, 0, in->in, in->in_len);
    e2e_attach(&e);
    e2e_flow(&e, "in_port=1,tcp",
             "push_vlan:0x8100,set_field:4196->vlan_vid,set_field:0a:0b:0c:0d:0e:0f->eth_dst,"
             "dec_ttl,set_field:99->tcp_dst,output:2");
    e2e_run(&e);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 1);
    const uint8_t *o = e.out[1].data[0];
    ck_assert_uint_eq(e.out[1].len[0], in->in_len + 4);
    static const uint8_t dst[6] = {0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
    ck_assert(!memcmp(o, dst, 6));
    ck_assert_uint_eq(ft_rd16(o + 12), 0x8100);
    ck_assert_uint_eq(ft_rd16(o + 14) & 0xfff, 100);
    ck_assert_uint_eq(o[18 + 8], 16);                                   /* TTL 17 - 1 */
    ck_assert_uint_eq(dp_csum_fold(dp_csum_words(o + 18, 20)), 0xffff); /* IPv4 checksum */
    ck_assert_uint_eq(ft_rd16(o + 38 + 2), 99);
    /* TCP checksum over the pseudo-header and segment. */
    uint32_t tcp_len = ft_rd16(o + 18 + 2) - 20;
    uint32_t s = dp_csum_words(o + 18 + 12, 8) + 6 + tcp_len + dp_csum_words(o + 38, tcp_len);
    ck_assert_uint_eq(dp_csum_fold(s), 0xffff);
    e2e_finish(&e);
}
END_TEST

/* A push_vlan in front of a tag: what later ops see is what a parse of
 * the new frame finds. An outer 802.1ad tag stays a tag when second (the
 * TTL decrement finds IPv4 behind both); the pre-standard 0x9100 is a tag
 * only when outermost, so behind the new one it is the frame's type and
 * the decrement finds no IP header (a counted no-op). */
static void
push_in_front_of(uint16_t outer_tpid, uint8_t want_ttl)
{
    const struct hv_case *in = NULL;
    for (size_t i = 0; i < sizeof hv_cases / sizeof hv_cases[0]; i++)
        if (!strcmp(hv_cases[i].name, "dec_ttl_ipv4"))
            in = &hv_cases[i];
    ck_assert_ptr_nonnull(in);
    uint8_t frame[256];
    ck_assert_uint_le(in->in_len + 4, sizeof frame);
    memcpy(frame, in->in, 12);
    ft_wr16(frame + 12, outer_tpid);
    ft_wr16(frame + 14, 5);
    memcpy(frame + 16, in->in + 12, in->in_len - 12);
    struct e2e e;
    e2e_start(&e, 2);
    e2e_input(&e, 0, frame, in->in_len + 4);
    e2e_attach(&e);
    e2e_flow(&e, "in_port=1", "push_vlan:0x8100,dec_ttl,output:2");
    e2e_run(&e);
    e2e_detach(&e);
    ck_assert_uint_eq(e.out[1].n, 1);
    const uint8_t *o = e.out[1].data[0];
    ck_assert_uint_eq(e.out[1].len[0], in->in_len + 8);
    ck_assert_uint_eq(ft_rd16(o + 12), 0x8100);
    ck_assert_uint_eq(ft_rd16(o + 16), outer_tpid);
    ck_assert_uint_eq(o[22 + 8], want_ttl);
    ck_assert_uint_eq(dp_csum_fold(dp_csum_words(o + 22, 20)), 0xffff); /* IPv4 checksum */
    e2e_finish(&e);
}

START_TEST(push_vlan_in_front_of_a_tag)
{
    push_in_front_of(0x88a8, 16);
    push_in_front_of(0x9100, 17);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("e2e_actions");
    TCase *tc = tcase_create("e2e_actions");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, vector_through_switch, 0, (int)(sizeof hv_cases / sizeof hv_cases[0]));
    tcase_add_test(tc, program_of_many_ops);
    tcase_add_test(tc, push_vlan_in_front_of_a_tag);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
