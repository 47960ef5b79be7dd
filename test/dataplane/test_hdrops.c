/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The header families (dp_hdrops.h) on crafted mbufs: each vector of
 * hdrops_vectors.h (generated with scapy, checksums computed from scratch)
 * runs one op and compares the bytes. Plus what vectors cannot show:
 * headroom exhaustion, multi-segment packets.
 */
#include <errno.h>

#include "dp_hdrops.h"
#include "dp_test.h"
#include "flowtable/ft_test_util.h"
#include "hdrops_vectors.h"

/* Run one action on m the way the executor does. */
static int
run_op(struct rte_mbuf *m, const struct ft_action *a)
{
    struct dp_hdr h;
    dp_hdr_parse(m, &h);
    switch (a->type) {
    case FT_AT_PUSH_VLAN:
        return dp_push_vlan(m, &h, a->ethertype);
    case FT_AT_POP_VLAN:
        return dp_pop_vlan(m, &h);
    case FT_AT_PUSH_MPLS:
        return dp_push_mpls(m, &h, a->ethertype);
    case FT_AT_POP_MPLS:
        return dp_pop_mpls(m, &h, a->ethertype);
    case FT_AT_PUSH_PBB:
        return dp_push_pbb(m, &h, a->ethertype);
    case FT_AT_POP_PBB:
        return dp_pop_pbb(m, &h);
    case FT_AT_SET_NW_TTL:
        return dp_set_nw_ttl(m, &h, a->ttl);
    case FT_AT_DEC_NW_TTL:
        return dp_dec_nw_ttl(m, &h);
    case FT_AT_SET_MPLS_TTL:
        return dp_set_mpls_ttl(m, &h, a->ttl);
    case FT_AT_DEC_MPLS_TTL:
        return dp_dec_mpls_ttl(m, &h);
    case FT_AT_COPY_TTL_OUT:
        return dp_copy_ttl_out(m, &h);
    case FT_AT_COPY_TTL_IN:
        return dp_copy_ttl_in(m, &h);
    case FT_AT_SET_FIELD:
        return dp_set_field(m, &h, a->field, &a->value);
    default:
        ck_abort_msg("unexpected action type %u", a->type);
        return -1;
    }
}

START_TEST(vector)
{
    const struct hv_case *c = &hv_cases[_i];
    struct ft_action a;
    ck_assert_msg(tu_action(c->op, &a), "%s: bad op text %s", c->name, c->op);
    struct rte_mbuf *m = dp_test_mbuf(c->in, c->in_len);
    int ret = run_op(m, &a);
    int want = c->expect == HV_OK ? 0 : c->expect == HV_NOENT ? -ENOENT : DP_TTL_EXPIRED;
    ck_assert_msg(ret == want, "%s (%s): returned %d, want %d", c->name, c->op, ret, want);
    ck_assert_msg(dp_test_mbuf_equal(m, c->out, c->out_len, c->name), "%s (%s): bytes differ",
                  c->name, c->op);
    rte_pktmbuf_free(m);
}
END_TEST

START_TEST(push_without_headroom)
{
    const struct hv_case *c = &hv_cases[0]; /* An untagged TCP frame. */
    struct rte_mbuf *m = dp_test_mbuf(c->in, c->in_len);
    /* Use up the headroom the way a stack of pushes would. */
    while (rte_pktmbuf_headroom(m) >= 4) {
        struct dp_hdr h;
        dp_hdr_parse(m, &h);
        ck_assert_int_eq(dp_push_vlan(m, &h, 0x8100), 0);
    }
    struct dp_hdr h;
    dp_hdr_parse(m, &h);
    uint32_t len = rte_pktmbuf_pkt_len(m);
    ck_assert_int_eq(dp_push_vlan(m, &h, 0x8100), -ENOSPC);
    ck_assert_int_eq(dp_push_mpls(m, &h, 0x8847), -ENOSPC);
    ck_assert_int_eq(dp_push_pbb(m, &h, 0x88e7), -ENOSPC);
    ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), len);
    rte_pktmbuf_free(m);
}
END_TEST

START_TEST(multi_segment_jumbo)
{
    /* A 9000-byte UDP/IPv4 frame in chained segments: header ops work on
     * the first segment and leave the payload where it is. */
    static uint8_t frame[9000];
    memcpy(frame, hv_cases[0].in, 14); /* Ethernet, IPv4 type. */
    const uint8_t ip[20] = {0x45, 0, 0x23, 0x1a, 0, 1, 0,  0, 64, 17,
                            0,    0, 10,   0,    0, 1, 10, 0, 0,  2};
    memcpy(frame + 14, ip, sizeof ip);
    uint32_t s = dp_csum_words(frame + 14, 20);
    dp_wr16(frame + 24, (uint16_t)~dp_csum_fold(s));
    dp_wr16(frame + 34, 5000);
    dp_wr16(frame + 36, 53);
    dp_wr16(frame + 38, 9000 - 34);
    for (size_t i = 42; i < sizeof frame; i++)
        frame[i] = (uint8_t)i;
    struct rte_mbuf *m = dp_test_mbuf(frame, sizeof frame);
    ck_assert_uint_gt(m->nb_segs, 1);
    struct ft_action a;
    ck_assert(tu_action("push_vlan:0x8100", &a));
    ck_assert_int_eq(run_op(m, &a), 0);
    ck_assert(tu_action("dec_ttl", &a));
    ck_assert_int_eq(run_op(m, &a), 0);
    ck_assert_uint_eq(rte_pktmbuf_pkt_len(m), sizeof frame + 4);
    uint8_t buf[64];
    const uint8_t *p = rte_pktmbuf_read(m, 0, 64, buf);
    ck_assert_uint_eq(dp_rd16(p + 12), 0x8100);
    ck_assert_uint_eq(p[18 + 8], 63);
    ck_assert_uint_eq(dp_csum_fold(dp_csum_words(p + 18, 20)), 0xffff); /* Checksum valid. */
    uint8_t tail[16];
    const uint8_t *t = rte_pktmbuf_read(m, sizeof frame + 4 - 16, 16, tail);
    ck_assert(!memcmp(t, frame + sizeof frame - 16, 16));
    rte_pktmbuf_free(m);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("hdrops");
    TCase *tc = tcase_create("hdrops");
    tcase_add_loop_test(tc, vector, 0, (int)(sizeof hv_cases / sizeof hv_cases[0]));
    tcase_add_test(tc, push_without_headroom);
    tcase_add_test(tc, multi_segment_jumbo);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
