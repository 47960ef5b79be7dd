/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parse_check.h — properties every ft_parse() result must have, whatever
 * the input bytes; shared by the unit tests and the fuzz target so a fuzz
 * finding and a unit test speak the same language. Each check returns NULL
 * or a static description of the first violated property.
 *
 * Thread safety: pure functions.
 */
#ifndef TEST_PARSE_CHECK_H
#define TEST_PARSE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ft_parse.h"

/* Every key field, hidden ones included, by storage (shared storage is
 * listed once under one of its names). */
struct pc_field {
    const char *name;
    uint8_t ofs;
    uint8_t len;
};

/* clang-format off */
#define PC_F(f) {#f, offsetof(struct ft_key, f), sizeof(((struct ft_key *)0)->f)}
/* clang-format on */

static const struct pc_field pc_fields[] = {
    PC_F(metadata),  PC_F(tunnel_id), PC_F(in_port),    PC_F(in_phy_port), PC_F(eth_dst),
    PC_F(eth_type),  PC_F(eth_src),   PC_F(vlan_vid),   PC_F(ipv4_src),    PC_F(ipv4_dst),
    PC_F(tp_src),    PC_F(tp_dst),    PC_F(vlan_pcp),   PC_F(ip_dscp),     PC_F(ip_ecn),
    PC_F(ip_proto),  PC_F(icmp_type), PC_F(icmp_code),  PC_F(arp_op),      PC_F(ipv6_exthdr),
    PC_F(mpls_tc),   PC_F(mpls_bos),  PC_F(mpls_label), PC_F(pbb_isid),    PC_F(ipv6_flabel),
    PC_F(vlan2_vid), PC_F(vlan2_pcp), PC_F(ip_frag),    PC_F(ipv6_src),    PC_F(ipv6_dst),
    PC_F(nd_target), PC_F(nd_sll),    PC_F(recirc_id),  PC_F(nd_tll),      PC_F(recirc_gen),
};

#define PC_N_FIELDS (sizeof pc_fields / sizeof pc_fields[0])

static inline bool
pc_field_is_zero(const struct ft_key *k, const struct pc_field *f)
{
    const uint8_t *p = (const uint8_t *)k + f->ofs;
    for (unsigned i = 0; i < f->len; i++)
        if (p[i])
            return false;
    return true;
}

static inline bool
pc_field_equal(const struct ft_key *a, const struct ft_key *b, const struct pc_field *f)
{
    return !memcmp((const uint8_t *)a + f->ofs, (const uint8_t *)b + f->ofs, f->len);
}

static inline bool
pc_zero6(const uint8_t *p)
{
    return !(p[0] | p[1] | p[2] | p[3] | p[4] | p[5]);
}

static inline bool
pc_zero16(const uint8_t *p)
{
    uint8_t acc = 0;
    for (int i = 0; i < 16; i++)
        acc |= p[i];
    return !acc;
}

#define PC_FAIL_IF(cond)                                                                           \
    do {                                                                                           \
        if (cond)                                                                                  \
            return #cond;                                                                          \
    } while (0)

/*
 * Properties of one parse of pkt[0..len) that follow from the bytes alone:
 * value ranges, zero padding, fields present only under their OpenFlow
 * prerequisites, offsets inside the frame, and a few fields re-derived
 * straight from the bytes.
 */
static inline const char *
parse_check_invariants(const uint8_t *pkt, size_t len, const struct ft_port_meta *meta,
                       enum ft_parse_stop stop, const struct ft_key *k, const struct ft_layout *lay)
{
    uint16_t et = k->eth_type;
    bool v4 = et == 0x0800, v6 = et == 0x86dd, arp = et == 0x0806;
    bool mpls = et == 0x8847 || et == 0x8848, pbb = et == 0x88e7;
    bool l4_ports = k->ip_proto == 6 || k->ip_proto == 17 || k->ip_proto == 132;
    bool icmp = (v4 && k->ip_proto == 1) || (v6 && k->ip_proto == 58);
    bool nd = v6 && k->ip_proto == 58 && (k->icmp_type == 135 || k->icmp_type == 136);

    PC_FAIL_IF((unsigned)stop >= FT_PARSE_STOP_MAX);
    PC_FAIL_IF(lay->stop != stop);
    PC_FAIL_IF(ft_parse_stop_name(stop) == NULL);

    PC_FAIL_IF(k->metadata != 0);
    PC_FAIL_IF(k->in_port != meta->in_port || k->in_phy_port != meta->in_phy_port);
    PC_FAIL_IF(k->tunnel_id != meta->tunnel_id);
    PC_FAIL_IF(k->recirc_id != 0 || k->recirc_gen != 0);

    /* Ranges. */
    PC_FAIL_IF(k->vlan_vid != 0 && (k->vlan_vid & 0xf000) != FT_VID_PRESENT);
    PC_FAIL_IF(k->vlan2_vid != 0 && (k->vlan2_vid & 0xf000) != FT_VID_PRESENT);
    PC_FAIL_IF(k->vlan_pcp > 7 || k->vlan2_pcp > 7);
    PC_FAIL_IF(k->ip_dscp > 63 || k->ip_ecn > 3);
    PC_FAIL_IF(k->mpls_label >= 1u << 20 || k->mpls_tc > 7 || k->mpls_bos > 1);
    PC_FAIL_IF(k->pbb_isid >= 1u << 24);
    PC_FAIL_IF(k->ipv6_flabel >= 1u << 20);
    PC_FAIL_IF(k->ipv6_exthdr >= 1u << 9);
    PC_FAIL_IF(k->ip_frag > (FT_FRAG_ANY | FT_FRAG_LATER));
    PC_FAIL_IF((k->ip_frag & FT_FRAG_LATER) && !(k->ip_frag & FT_FRAG_ANY));

    /* VLAN tags: the key holds the first two of n_vlans. */
    PC_FAIL_IF((lay->n_vlans >= 1) != (k->vlan_vid != 0));
    PC_FAIL_IF((lay->n_vlans >= 2) != (k->vlan2_vid != 0));
    PC_FAIL_IF(!k->vlan_vid && k->vlan_pcp);
    PC_FAIL_IF(!k->vlan2_vid && k->vlan2_pcp);
    PC_FAIL_IF(lay->n_vlans > len / 4);

    /* Fields only under their prerequisites. */
    PC_FAIL_IF(!mpls && (k->mpls_label || k->mpls_tc || k->mpls_bos));
    PC_FAIL_IF(!pbb && k->pbb_isid);
    PC_FAIL_IF(!v4 && !v6 && (k->ip_dscp || k->ip_ecn || k->ip_proto || k->ip_frag));
    PC_FAIL_IF(!v4 && !v6 && lay->ip_ttl);
    PC_FAIL_IF(!v4 && !arp && (k->ipv4_src || k->ipv4_dst));
    PC_FAIL_IF(!v6 && (k->ipv6_flabel || k->ipv6_exthdr));
    PC_FAIL_IF(!v6 && (!pc_zero16(k->ipv6_src) || !pc_zero16(k->ipv6_dst)));
    PC_FAIL_IF(!arp && k->arp_op);
    PC_FAIL_IF(!l4_ports && (k->tp_src || k->tp_dst));
    PC_FAIL_IF(!icmp && (k->icmp_type || k->icmp_code));
    PC_FAIL_IF(!nd && !pc_zero16(k->nd_target));
    PC_FAIL_IF(!nd && !arp && (!pc_zero6(k->nd_sll) || !pc_zero6(k->nd_tll)));
    PC_FAIL_IF(nd && k->icmp_type == 135 && !pc_zero6(k->nd_tll));
    PC_FAIL_IF(nd && k->icmp_type == 136 && !pc_zero6(k->nd_sll));

    /* Offsets: complete headers inside the frame, in order. */
    PC_FAIL_IF(lay->l2_5 != FT_OFS_NONE && (!(mpls || pbb) || (size_t)lay->l2_5 + 4 > len));
    PC_FAIL_IF(lay->l3 != FT_OFS_NONE && !(v4 || v6 || arp));
    PC_FAIL_IF(lay->l3 != FT_OFS_NONE && (size_t)lay->l3 + (v6 ? 40 : v4 ? 20 : 8) > len);
    PC_FAIL_IF(lay->l2_5 != FT_OFS_NONE && lay->l2_5 != 14 + 4 * (size_t)lay->n_vlans);
    PC_FAIL_IF(lay->l3 != FT_OFS_NONE && lay->l3 != 14 + 4 * (size_t)lay->n_vlans);
    PC_FAIL_IF(lay->l4 != FT_OFS_NONE && (lay->l3 == FT_OFS_NONE || lay->l4 <= lay->l3));
    PC_FAIL_IF(lay->l4 != FT_OFS_NONE && (size_t)lay->l4 + 4 > len);
    PC_FAIL_IF(lay->l4 != FT_OFS_NONE && !(l4_ports || icmp));
    PC_FAIL_IF(lay->l4 == FT_OFS_NONE && (k->tp_src || k->tp_dst || k->icmp_type));
    PC_FAIL_IF(lay->l4 != FT_OFS_NONE && (k->ip_frag & FT_FRAG_LATER));
    PC_FAIL_IF(lay->l3 == FT_OFS_NONE && (lay->ip_ttl || k->ip_proto || k->arp_op));
    PC_FAIL_IF(lay->l3 == FT_OFS_NONE && (k->ip_dscp || k->ip_ecn || k->ipv4_src || k->ipv4_dst));
    PC_FAIL_IF(lay->l3 == FT_OFS_NONE && (!pc_zero16(k->ipv6_src) || k->ipv6_flabel));
    PC_FAIL_IF(stop == FT_STOP_DONE && (v4 || v6 || arp) && lay->l3 == FT_OFS_NONE);
    PC_FAIL_IF(stop == FT_STOP_DONE && (mpls || pbb) && lay->l2_5 == FT_OFS_NONE);
    PC_FAIL_IF(stop == FT_STOP_DONE && (l4_ports || icmp) && !(k->ip_frag & FT_FRAG_LATER) &&
               lay->l4 == FT_OFS_NONE);

    /* Straight from the bytes. */
    if (len < 12) {
        PC_FAIL_IF(stop != FT_STOP_TRUNC_L2);
    } else {
        PC_FAIL_IF(memcmp(k->eth_dst, pkt, 6) || memcmp(k->eth_src, pkt + 6, 6));
    }
    if (lay->n_vlans >= 1) {
        uint16_t tci = (uint16_t)(pkt[14] << 8 | pkt[15]);
        PC_FAIL_IF(k->vlan_vid != (FT_VID_PRESENT | (tci & 0xfff)) || k->vlan_pcp != tci >> 13);
    }
    if (lay->l3 != FT_OFS_NONE && v4) {
        const uint8_t *ip = pkt + lay->l3;
        PC_FAIL_IF(ip[0] >> 4 != 4 || (ip[0] & 15) < 5 || k->ip_proto != ip[9]);
        PC_FAIL_IF(lay->ip_ttl != ip[8] || k->ip_dscp != ip[1] >> 2);
    }
    if (lay->l3 != FT_OFS_NONE && v6) {
        const uint8_t *ip = pkt + lay->l3;
        PC_FAIL_IF(ip[0] >> 4 != 6 || lay->ip_ttl != ip[7]);
        PC_FAIL_IF(memcmp(k->ipv6_src, ip + 8, 16) || memcmp(k->ipv6_dst, ip + 24, 16));
    }
    if (lay->l4 != FT_OFS_NONE && l4_ports) {
        const uint8_t *l4 = pkt + lay->l4;
        PC_FAIL_IF(k->tp_src != (l4[0] << 8 | l4[1]) || k->tp_dst != (l4[2] << 8 | l4[3]));
    }
    return NULL;
}

/*
 * A parse of a prefix pkt[0..cut) against the parse of the whole frame:
 * every field is the whole frame's value or zero (the IPV6_EXTHDR and
 * ip_frag flags a subset), every offset the same or absent, and a prefix that parses
 * differently must say it stopped early.
 */
static inline const char *
parse_check_prefix(const struct ft_key *pk, const struct ft_layout *pl, const struct ft_key *fk,
                   const struct ft_layout *fl)
{
    for (unsigned i = 0; i < PC_N_FIELDS; i++) {
        const struct pc_field *f = &pc_fields[i];
        /* Flags accumulate along the header chain (two fragment headers
         * can make ip_frag grow): those must be a subset. */
        if (f->ofs == offsetof(struct ft_key, ipv6_exthdr) ||
            f->ofs == offsetof(struct ft_key, ip_frag))
            continue;
        if (!pc_field_equal(pk, fk, f) && !pc_field_is_zero(pk, f))
            return f->name;
    }
    PC_FAIL_IF((pk->ipv6_exthdr & fk->ipv6_exthdr) != pk->ipv6_exthdr);
    PC_FAIL_IF((pk->ip_frag & fk->ip_frag) != pk->ip_frag);
    PC_FAIL_IF(pl->l2_5 != FT_OFS_NONE && pl->l2_5 != fl->l2_5);
    PC_FAIL_IF(pl->l3 != FT_OFS_NONE && pl->l3 != fl->l3);
    PC_FAIL_IF(pl->l4 != FT_OFS_NONE && pl->l4 != fl->l4);
    PC_FAIL_IF(pl->n_vlans > fl->n_vlans);
    PC_FAIL_IF(pl->ip_ttl && pl->ip_ttl != fl->ip_ttl);

    bool same = ft_key_equal(pk, fk) && pl->l2_5 == fl->l2_5 && pl->l3 == fl->l3 &&
                pl->l4 == fl->l4 && pl->n_vlans == fl->n_vlans && pl->ip_ttl == fl->ip_ttl;
    PC_FAIL_IF(!same && pl->stop == FT_STOP_DONE);
    return NULL;
}

#endif /* TEST_PARSE_CHECK_H */
