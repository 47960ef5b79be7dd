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
    ft_wr16(frame + 24, (uint16_t)~dp_csum_fold(s));
    ft_wr16(frame + 34, 5000);
    ft_wr16(frame + 36, 53);
    ft_wr16(frame + 38, 9000 - 34);
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
    ck_assert_uint_eq(ft_rd16(p + 12), 0x8100);
    ck_assert_uint_eq(p[18 + 8], 63);
    ck_assert_uint_eq(dp_csum_fold(dp_csum_words(p + 18, 20)), 0xffff); /* Checksum valid. */
    uint8_t tail[16];
    const uint8_t *t = rte_pktmbuf_read(m, sizeof frame + 4 - 16, 16, tail);
    ck_assert(!memcmp(t, frame + sizeof frame - 16, 16));
    rte_pktmbuf_free(m);
}
END_TEST

/* The executor parses once and runs op after op on the same dp_hdr: a push
 * must copy the IP TTL the packet has then, not the one it arrived with. */
static const struct hv_case *
hv_find(const char *name)
{
    for (size_t i = 0; i < sizeof hv_cases / sizeof hv_cases[0]; i++)
        if (!strcmp(hv_cases[i].name, name))
            return &hv_cases[i];
    ck_abort_msg("no vector %s", name);
    return NULL;
}

START_TEST(push_mpls_after_ttl_ops)
{
    const struct hv_case *c = hv_find("push_mpls_ipv4_ttl"); /* UDP/IPv4, TTL 17. */
    ck_assert_uint_eq(c->in[14 + 8], 17);
    struct rte_mbuf *m = dp_test_mbuf(c->in, c->in_len);
    struct dp_hdr h;
    dp_hdr_parse(m, &h);
    ck_assert_int_eq(dp_dec_nw_ttl(m, &h), 0);
    ck_assert_int_eq(dp_push_mpls(m, &h, 0x8847), 0);
    const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
    ck_assert_uint_eq(p[14 + 3], 16); /* The label's TTL. */
    rte_pktmbuf_free(m);

    m = dp_test_mbuf(c->in, c->in_len);
    dp_hdr_parse(m, &h);
    ck_assert_int_eq(dp_set_nw_ttl(m, &h, 9), 0);
    ck_assert_int_eq(dp_push_mpls(m, &h, 0x8847), 0);
    p = rte_pktmbuf_mtod(m, const uint8_t *);
    ck_assert_uint_eq(p[14 + 3], 9);
    rte_pktmbuf_free(m);
}
END_TEST

/* The UDP checksum of an IPv4 frame, from scratch (RFC 768: a sum of 0 is
 * sent as 0xffff). */
static uint16_t
udp4_csum(const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + 14, *udp = ip + 20;
    uint16_t ulen = ft_rd16(udp + 4);
    ck_assert_uint_le(34u + ulen, len);
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = 17;
    ft_wr16(ph + 10, ulen);
    uint8_t u[1600] = {0};
    memcpy(u, udp, ulen);
    u[6] = u[7] = 0;
    uint32_t sum = dp_csum_words(ph, 12) + dp_csum_words(u, (ulen + 1u) & ~1u);
    uint16_t c = (uint16_t)~dp_csum_fold(sum);
    return c ? c : 0xffff;
}

/* Every destination address 10.0.x.y on a checksummed UDP frame: the
 * incremental update equals the checksum computed from scratch, including
 * the addresses whose sum comes out as 0 (sent as 0xffff, not "none"). */
START_TEST(udp_checksum_never_becomes_zero)
{
    const struct hv_case *c = hv_find("push_mpls_ipv4_ttl"); /* UDP/IPv4 with a checksum. */
    ck_assert_uint_ne(ft_rd16(c->in + 40), 0);
    unsigned zero_cases = 0;
    for (uint32_t low = 0; low <= 0xffff; low++) {
        struct rte_mbuf *m = dp_test_mbuf(c->in, c->in_len);
        struct dp_hdr h;
        dp_hdr_parse(m, &h);
        union ft_value v = {.u32 = 0x0a000000u | low};
        ck_assert_int_eq(dp_set_field(m, &h, FT_F_IPV4_DST, &v), 0);
        const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
        uint16_t want = udp4_csum(p, rte_pktmbuf_data_len(m));
        ck_assert_msg(ft_rd16(p + 40) == want, "10.0.%u.%u: checksum 0x%04x, want 0x%04x", low >> 8,
                      low & 0xff, ft_rd16(p + 40), want);
        zero_cases += want == 0xffff;
        rte_pktmbuf_free(m);
    }
    ck_assert_uint_gt(zero_cases, 0);
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
    tcase_add_test(tc, push_mpls_after_ttl_ops);
    tcase_add_test(tc, udp_checksum_never_becomes_zero);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
