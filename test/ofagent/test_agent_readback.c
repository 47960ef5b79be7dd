/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a controller writes reads back byte for byte (issue 13, class 1):
 * FLOW_MOD match and instructions in FLOW stats, GROUP_MOD buckets in
 * GROUP_DESC, METER_MOD bands in METER_CONFIG. The messages are written
 * as raw bytes here, not through our encoder, so the test checks the
 * whole decode -> pipeline -> encode path against the wire: every action
 * type (OUTPUT with the max_len a controller chose, also for normal
 * ports), every OXM field exact and, where the spec allows, masked.
 */
#include "agent_test_util.h"
#include "check_main.h"

static uint8_t raw[H_MAX_MSG];

/* ---- raw message builders ------------------------------------------------------------------ */

static void
put_hex(struct ofa_buf *b, const char *hex)
{
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        ck_assert(sscanf(hex, "%2x", &v) == 1);
        ofa_buf_put_u8(b, (uint8_t)v);
    }
}

static size_t
begin_msg(struct ofa_buf *b, uint8_t type, uint32_t xid)
{
    size_t at = b->len;
    ofa_buf_put_u8(b, 4);
    ofa_buf_put_u8(b, type);
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_be32(b, xid);
    return at;
}

static void
end_msg(struct ofa_buf *b, size_t at)
{
    ofa_buf_set_be16(b, at + 2, (uint16_t)(b->len - at));
}

/* OXM TLV: value and mask as hex (mask NULL: exact). */
static void
oxm(struct ofa_buf *b, unsigned field, const char *value, const char *mask)
{
    size_t vlen = strlen(value) / 2;
    ofa_buf_put_be32(b, 0x8000u << 16 | field << 9 | (mask ? 0x100u : 0) |
                            (unsigned)(mask ? 2 * vlen : vlen));
    put_hex(b, value);
    if (mask)
        put_hex(b, mask);
}

static size_t
begin_len(struct ofa_buf *b, uint16_t type)
{
    size_t at = b->len;
    ofa_buf_put_be16(b, type);
    ofa_buf_put_be16(b, 0);
    return at;
}

static void
end_len(struct ofa_buf *b, size_t at, bool pad)
{
    ofa_buf_set_be16(b, at + 2, (uint16_t)(b->len - at));
    if (pad)
        ofa_buf_pad8(b, at);
}

static void
a_output(struct ofa_buf *b, uint32_t port, uint16_t max_len)
{
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_be16(b, 16);
    ofa_buf_put_be32(b, port);
    ofa_buf_put_be16(b, max_len);
    ofa_buf_put_zeros(b, 6);
}

/* Actions with no argument, a TTL, an ethertype or a 32-bit argument. */
static void
a_plain(struct ofa_buf *b, uint16_t type)
{
    ofa_buf_put_be16(b, type);
    ofa_buf_put_be16(b, 8);
    ofa_buf_put_zeros(b, 4);
}

static void
a_u8(struct ofa_buf *b, uint16_t type, uint8_t v)
{
    ofa_buf_put_be16(b, type);
    ofa_buf_put_be16(b, 8);
    ofa_buf_put_u8(b, v);
    ofa_buf_put_zeros(b, 3);
}

static void
a_u16(struct ofa_buf *b, uint16_t type, uint16_t v)
{
    ofa_buf_put_be16(b, type);
    ofa_buf_put_be16(b, 8);
    ofa_buf_put_be16(b, v);
    ofa_buf_put_zeros(b, 2);
}

static void
a_u32(struct ofa_buf *b, uint16_t type, uint32_t v)
{
    ofa_buf_put_be16(b, type);
    ofa_buf_put_be16(b, 8);
    ofa_buf_put_be32(b, v);
}

static void
a_set(struct ofa_buf *b, unsigned field, const char *value)
{
    size_t at = begin_len(b, 25);
    oxm(b, field, value, NULL);
    ofa_buf_pad8(b, at); /* An action's length counts its padding, a match's does not. */
    end_len(b, at, false);
}

/* FLOW_MOD ADD in table `table` (priority 100, cookie 0x1234) with the
 * match and instructions the callbacks write; returns where the match
 * starts. */
static size_t
flow_mod(struct ofa_buf *b, uint32_t xid, uint8_t table, void (*match)(struct ofa_buf *),
         void (*insts)(struct ofa_buf *))
{
    size_t at = begin_msg(b, 14, xid);
    ofa_buf_put_be64(b, 0x1234);
    ofa_buf_put_be64(b, 0);
    ofa_buf_put_u8(b, table);
    ofa_buf_put_u8(b, 0); /* ADD */
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_be16(b, 100);
    ofa_buf_put_be32(b, 0xffffffff);
    ofa_buf_put_be32(b, 0xffffffff);
    ofa_buf_put_be32(b, 0xffffffff);
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_zeros(b, 2);
    size_t m = begin_len(b, 1);
    match(b);
    end_len(b, m, true);
    insts(b);
    end_msg(b, at);
    return m - at;
}

/* ---- the flows: together they hold every field and every action ------------------------------ */

static void
m_ipv4_tcp(struct ofa_buf *b)
{
    oxm(b, 0, "00000001", NULL);                        /* in_port */
    oxm(b, 1, "00000001", NULL);                        /* in_phy_port */
    oxm(b, 2, "1234567800000000", "ffffffff00000000");  /* metadata */
    oxm(b, 3, "222222000000", "ffffff000000");          /* eth_dst */
    oxm(b, 4, "121111111111", NULL);                    /* eth_src */
    oxm(b, 5, "0800", NULL);                            /* eth_type */
    oxm(b, 6, "1064", NULL);                            /* vlan_vid */
    oxm(b, 7, "03", NULL);                              /* vlan_pcp */
    oxm(b, 8, "08", NULL);                              /* ip_dscp */
    oxm(b, 9, "01", NULL);                              /* ip_ecn */
    oxm(b, 10, "06", NULL);                             /* ip_proto */
    oxm(b, 11, "c0a80a00", "ffffff00");                 /* ipv4_src */
    oxm(b, 12, "c0a81414", NULL);                       /* ipv4_dst */
    oxm(b, 13, "2b67", NULL);                           /* tcp_src */
    oxm(b, 14, "08ae", NULL);                           /* tcp_dst */
    oxm(b, 38, "0000000000005500", "000000000000ff00"); /* tunnel_id */
}

static void
i_ipv4_tcp(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4); /* APPLY_ACTIONS */
    ofa_buf_put_zeros(b, 4);
    a_set(b, 3, "222222aaaaaa");
    a_set(b, 4, "aaaaaa111111");
    a_set(b, 6, "10c8");
    a_set(b, 7, "06");
    a_set(b, 8, "14");
    a_set(b, 9, "02");
    a_set(b, 11, "0a0a0a0a");
    a_set(b, 12, "0a141414");
    a_set(b, 13, "8235");
    a_set(b, 14, "115c");
    a_set(b, 38, "0000000000001234");
    a_u8(b, 23, 9);         /* set_nw_ttl */
    a_plain(b, 24);         /* dec_nw_ttl */
    a_u32(b, 21, 1);        /* set_queue */
    a_output(b, 2, 0xffe5); /* OFPCML_MAX on a normal port */
    a_output(b, 3, 0);      /* and 0 */
    a_output(b, 0xfffffffd, 128);
    a_output(b, 0xfffffffb, 0xffff);
    end_len(b, at, false);
    at = begin_len(b, 3); /* WRITE_ACTIONS */
    ofa_buf_put_zeros(b, 4);
    a_output(b, 2, 0x1234);
    end_len(b, at, false);
    at = begin_len(b, 2); /* WRITE_METADATA */
    ofa_buf_put_zeros(b, 4);
    ofa_buf_put_be64(b, 0xab);
    ofa_buf_put_be64(b, 0xff);
    end_len(b, at, false);
    at = begin_len(b, 1); /* GOTO_TABLE 1 */
    ofa_buf_put_u8(b, 1);
    ofa_buf_put_zeros(b, 3);
    end_len(b, at, false);
}

static void
m_ipv6_udp(struct ofa_buf *b)
{
    oxm(b, 5, "86dd", NULL);
    oxm(b, 10, "11", NULL);
    oxm(b, 15, "2b67", NULL); /* udp_src */
    oxm(b, 16, "08ae", NULL); /* udp_dst */
    oxm(b, 26, "00100000000000000000000000000000", "ffffffffffffffff0000000000000000");
    oxm(b, 27, "00200000000000000000000000000020", NULL); /* ipv6_dst */
    oxm(b, 28, "00000060", "000ffff0");                   /* ipv6_flabel */
    oxm(b, 39, "0040", "0040");                           /* ipv6_exthdr */
}

static void
i_ipv6_udp(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4);
    ofa_buf_put_zeros(b, 4);
    a_set(b, 15, "8235");
    a_set(b, 16, "115c");
    a_set(b, 26, "00300000000000000000000000000030");
    a_set(b, 27, "00400000000000000000000000000040");
    a_set(b, 28, "000abcde");
    a_u16(b, 19, 0x8847); /* push_mpls */
    a_set(b, 34, "00000064");
    a_set(b, 35, "03");
    a_u8(b, 15, 7);       /* set_mpls_ttl */
    a_plain(b, 16);       /* dec_mpls_ttl */
    a_plain(b, 11);       /* copy_ttl_out */
    a_plain(b, 12);       /* copy_ttl_in */
    a_u16(b, 20, 0x86dd); /* pop_mpls */
    a_u16(b, 17, 0x88a8); /* push_vlan */
    a_plain(b, 18);       /* pop_vlan */
    a_u16(b, 26, 0x88e7); /* push_pbb */
    a_set(b, 37, "0000c8");
    a_plain(b, 27); /* pop_pbb */
    a_output(b, 2, 0);
    end_len(b, at, false);
}

static void
m_nd_ns(struct ofa_buf *b)
{
    oxm(b, 5, "86dd", NULL);
    oxm(b, 10, "3a", NULL);
    oxm(b, 29, "87", NULL);                               /* icmpv6_type */
    oxm(b, 30, "00", NULL);                               /* icmpv6_code */
    oxm(b, 31, "00200000000000000000000000000020", NULL); /* nd_target */
    oxm(b, 32, "121111111111", NULL);                     /* nd_sll */
}

static void
i_nd_ns(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4);
    ofa_buf_put_zeros(b, 4);
    a_set(b, 31, "00300000000000000000000000000030");
    a_set(b, 32, "aaaaaa111111");
    a_set(b, 30, "01");
    a_output(b, 2, 0xffe5);
    end_len(b, at, false);
}

static void
m_nd_na(struct ofa_buf *b)
{
    oxm(b, 5, "86dd", NULL);
    oxm(b, 10, "3a", NULL);
    oxm(b, 29, "88", NULL);
    oxm(b, 33, "222222222222", NULL); /* nd_tll */
}

static void
i_nd_na(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4);
    ofa_buf_put_zeros(b, 4);
    a_set(b, 33, "bbbbbb222222");
    a_set(b, 29, "88");
    a_output(b, 2, 0xffe5);
    end_len(b, at, false);
}

static void
m_arp(struct ofa_buf *b)
{
    oxm(b, 5, "0806", NULL);
    oxm(b, 21, "0001", NULL);
    oxm(b, 22, "c0a80a00", "ffffff00");
    oxm(b, 23, "c0a81400", "ffffff00");
    oxm(b, 24, "121111000000", "ffffff000000");
    oxm(b, 25, "222222000000", "ffffff000000");
}

static void
i_arp(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4);
    ofa_buf_put_zeros(b, 4);
    a_set(b, 21, "0002");
    a_set(b, 22, "0a0a0a0a");
    a_set(b, 23, "0a141414");
    a_set(b, 24, "aaaaaa111111");
    a_set(b, 25, "bbbbbb222222");
    a_output(b, 2, 0xffe5);
    end_len(b, at, false);
}

static void
m_mpls(struct ofa_buf *b)
{
    oxm(b, 5, "8847", NULL);
    oxm(b, 34, "00000064", NULL);
    oxm(b, 35, "03", NULL);
    oxm(b, 36, "01", NULL);
}

static void
i_mpls(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4);
    ofa_buf_put_zeros(b, 4);
    a_set(b, 34, "0000012c");
    a_set(b, 35, "06");
    a_output(b, 2, 0xffe5);
    end_len(b, at, false);
}

static void
m_pbb(struct ofa_buf *b)
{
    oxm(b, 5, "88e7", NULL);
    oxm(b, 37, "000000", "ffff00");
}

static void
i_pbb(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4);
    ofa_buf_put_zeros(b, 4);
    a_set(b, 37, "0000c8");
    a_u32(b, 22, 7); /* group 7 (installed first) */
    end_len(b, at, false);
}

static void
m_sctp_icmp(struct ofa_buf *b)
{
    oxm(b, 5, "0800", NULL);
    oxm(b, 10, "84", NULL);
    oxm(b, 17, "2b67", NULL);
    oxm(b, 18, "08ae", NULL);
}

static void
i_sctp(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4);
    ofa_buf_put_zeros(b, 4);
    a_set(b, 17, "8235");
    a_set(b, 18, "115c");
    a_output(b, 2, 0xffe5);
    end_len(b, at, false);
}

static void
m_icmp(struct ofa_buf *b)
{
    oxm(b, 5, "0800", NULL);
    oxm(b, 10, "01", NULL);
    oxm(b, 19, "08", NULL);
    oxm(b, 20, "00", NULL);
}

static void
i_icmp(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4);
    ofa_buf_put_zeros(b, 4);
    a_set(b, 19, "00");
    a_set(b, 20, "01");
    a_output(b, 2, 0xffe5);
    end_len(b, at, false);
}

/* VLAN_VID bits without OFPVID_PRESENT (issue 13, class 5). */
static void
m_vid_bits(struct ofa_buf *b)
{
    oxm(b, 6, "0060", "00f0");
}

static void
i_out(struct ofa_buf *b)
{
    size_t at = begin_len(b, 4);
    ofa_buf_put_zeros(b, 4);
    a_output(b, 2, 0xffe5);
    end_len(b, at, false);
}

static const struct {
    const char *name;
    void (*match)(struct ofa_buf *);
    void (*insts)(struct ofa_buf *);
} flows[] = {
    {"ipv4/tcp", m_ipv4_tcp, i_ipv4_tcp},
    {"ipv6/udp", m_ipv6_udp, i_ipv6_udp},
    {"nd_ns", m_nd_ns, i_nd_ns},
    {"nd_na", m_nd_na, i_nd_na},
    {"arp", m_arp, i_arp},
    {"mpls", m_mpls, i_mpls},
    {"pbb", m_pbb, i_pbb},
    {"sctp", m_sctp_icmp, i_sctp},
    {"icmp", m_icmp, i_icmp},
    {"vid_bits", m_vid_bits, i_out},
};

/* ---- requests and replies ------------------------------------------------------------------- */

/* Send raw bytes; an ERROR in answer fails with its name. */
static void
send_ok(struct harness *h, int c, const struct ofa_buf *b, const char *what)
{
    h_send_raw(h, c, b->data, b->len);
    struct ofa_msg m = {.type = OFA_BARRIER_REQUEST, .xid = 0xbabe};
    h_send(h, c, &m);
    struct ofa_msg r;
    h_recv(h, c, &r, raw);
    ck_assert_msg(r.type != OFA_ERROR, "%s refused: %s", what, ft_err_name(r.u.error.err));
    ck_assert_int_eq(r.type, OFA_BARRIER_REPLY);
    ofa_msg_free(&r);
}

/* A multipart request with a body given as hex; the reply's raw bytes. */
static size_t
multipart(struct harness *h, int c, uint16_t type, const char *body)
{
    struct ofa_buf b;
    ofa_buf_init(&b);
    size_t at = begin_msg(&b, 18, 77);
    ofa_buf_put_be16(&b, type);
    ofa_buf_put_be16(&b, 0);
    ofa_buf_put_zeros(&b, 4);
    put_hex(&b, body);
    end_msg(&b, at);
    h_send_raw(h, c, b.data, b.len);
    ofa_buf_free(&b);
    struct ofa_msg r;
    size_t n = h_recv(h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_MULTIPART_REPLY);
    ofa_msg_free(&r);
    return n;
}

static void
hexdiff(const uint8_t *want, size_t wn, const uint8_t *got, size_t gn, const char *what)
{
    if (wn == gn && !memcmp(want, got, wn))
        return;
    char w[2048] = "", g[2048] = "";
    size_t first = 0;
    while (first < wn && first < gn && want[first] == got[first])
        first++;
    for (size_t i = first & ~7u; i < wn && i < (first & ~7u) + 24; i++)
        snprintf(w + strlen(w), sizeof w - strlen(w), "%02x", want[i]);
    for (size_t i = first & ~7u; i < gn && i < (first & ~7u) + 24; i++)
        snprintf(g + strlen(g), sizeof g - strlen(g), "%02x", got[i]);
    ck_abort_msg("%s: read back differs at byte %zu (lengths %zu, %zu):\n wrote %s\n  read %s",
                 what, first, wn, gn, w, g);
}

static void
group_mod_7(struct ofa_buf *b)
{
    size_t at = begin_msg(b, 15, 5);
    ofa_buf_put_be16(b, 0); /* ADD */
    ofa_buf_put_u8(b, 1);   /* SELECT */
    ofa_buf_put_u8(b, 0);
    ofa_buf_put_be32(b, 7);
    /* Two buckets: weights, a watch port, every kind of action. */
    size_t bk = b->len;
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_be16(b, 3);
    ofa_buf_put_be32(b, 2);
    ofa_buf_put_be32(b, 0xffffffff);
    ofa_buf_put_zeros(b, 4);
    a_set(b, 3, "222222aaaaaa");
    a_u16(b, 17, 0x8100);
    a_output(b, 2, 0xffe5);
    ofa_buf_set_be16(b, bk, (uint16_t)(b->len - bk));
    bk = b->len;
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_be16(b, 1);
    ofa_buf_put_be32(b, 3);
    ofa_buf_put_be32(b, 0xffffffff);
    ofa_buf_put_zeros(b, 4);
    a_plain(b, 24);
    a_output(b, 3, 0);
    ofa_buf_set_be16(b, bk, (uint16_t)(b->len - bk));
    end_msg(b, at);
}

static void
meter_mod_3(struct ofa_buf *b)
{
    size_t at = begin_msg(b, 29, 6);
    ofa_buf_put_be16(b, 0);         /* ADD */
    ofa_buf_put_be16(b, 1 | 4 | 8); /* KBPS | BURST | STATS */
    ofa_buf_put_be32(b, 3);
    ofa_buf_put_be16(b, 1); /* DROP */
    ofa_buf_put_be16(b, 16);
    ofa_buf_put_be32(b, 5000);
    ofa_buf_put_be32(b, 100);
    ofa_buf_put_zeros(b, 4);
    ofa_buf_put_be16(b, 2); /* DSCP_REMARK */
    ofa_buf_put_be16(b, 16);
    ofa_buf_put_be32(b, 1000);
    ofa_buf_put_be32(b, 50);
    ofa_buf_put_u8(b, 2);
    ofa_buf_put_zeros(b, 3);
    end_msg(b, at);
}

START_TEST(flow_reads_back_as_written)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_buf b;
    ofa_buf_init(&b);
    group_mod_7(&b);
    send_ok(&h, c, &b, "group 7");
    ofa_buf_clear(&b);
    size_t mat = flow_mod(&b, 11, 0, flows[_i].match, flows[_i].insts);
    send_ok(&h, c, &b, flows[_i].name);
    /* FLOW stats of table 0 (table_id, pad, out_port, out_group, pad,
     * cookie, cookie_mask, an empty match): one entry, whose match
     * starts at 16 + 48. */
    size_t n = multipart(&h, c, 1,
                         "00000000"
                         "ffffffff"
                         "ffffffff"
                         "00000000"
                         "0000000000000000"
                         "0000000000000000"
                         "00010004"
                         "00000000");
    ck_assert_uint_ge(n, 64);
    size_t elen = ft_rd16(raw + 16);
    ck_assert_uint_eq(16 + elen, n); /* exactly one flow */
    hexdiff(b.data + mat, b.len - mat, raw + 64, elen - 48, flows[_i].name);
    ofa_buf_free(&b);
    h_fini(&h);
}
END_TEST

START_TEST(group_and_meter_read_back_as_written)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_buf b;
    ofa_buf_init(&b);
    group_mod_7(&b);
    send_ok(&h, c, &b, "group 7");
    /* GROUP_DESC entry: length(2) type(1) pad(1) group_id(4) buckets ==
     * the GROUP_MOD body from its type on, after command(2). */
    size_t n = multipart(&h, c, 7, "");
    ck_assert_uint_eq(ft_rd16(raw + 16), n - 16);
    hexdiff(b.data + 10, b.len - 10, raw + 18, n - 18, "group desc");

    ofa_buf_clear(&b);
    meter_mod_3(&b);
    send_ok(&h, c, &b, "meter 3");
    /* METER_CONFIG entry: length(2) flags(2) meter_id(4) bands == the
     * METER_MOD body after command(2). */
    n = multipart(&h, c, 10, "ffffffff00000000");
    ck_assert_uint_eq(ft_rd16(raw + 16), n - 16);
    hexdiff(b.data + 10, b.len - 10, raw + 18, n - 18, "meter config");
    ofa_buf_free(&b);
    h_fini(&h);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("agent_readback");
    TCase *tc = tcase_create("readback");
    tcase_add_loop_test(tc, flow_reads_back_as_written, 0, (int)(sizeof flows / sizeof flows[0]));
    tcase_add_test(tc, group_and_meter_read_back_as_written);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(suite)
