/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_parse.c — frame bytes -> struct ft_key. See ft_parse.h for what is
 * parsed and for the decisions the spec leaves open.
 *
 * Every read is preceded by a length check against the end of the bytes
 * available to that header (the frame, or the IP packet inside it), with
 * the arithmetic done as "end - ofs < need" so it cannot wrap.
 */
#include <string.h>

#include "ft_parse.h"

#include "ft_proto.h"

/* Offsets are 16 bits wide and FT_OFS_NONE must stay unambiguous. */
#define PARSE_MAX_LEN 0xfffe

#define ARP_FIXED_LEN 8
#define IPV6_FRAG_LEN 8
#define ND_TARGET_END 24 /* ICMPv6 header, flags/reserved, target. */
#define ND_OPT_UNIT   8
#define ND_OPT_SLL    1
#define ND_OPT_TLL    2

#define IPV4_MF          0x2000
#define IPV4_OFFSET      0x1fff
#define IPV6_FRAG_OFFSET 0xfff8
#define IPV6_FRAG_M      0x0001

/* One parse: the frame and where its results go. */
struct parse {
    const uint8_t *pkt;
    size_t len; /* Frame bytes, at most PARSE_MAX_LEN. */
    struct ft_key *key;
    struct ft_layout *lay;
};

/* The VID/PCP encoding of vlan_vid and vlan2_vid. */
static inline uint16_t
tci_vid(uint16_t tci)
{
    return (uint16_t)(FT_VID_PRESENT | (tci & 0x0fff));
}

static inline uint8_t
tci_pcp(uint16_t tci)
{
    return (uint8_t)(tci >> 13);
}

static bool
is_vlan_tpid(uint16_t type, unsigned n_vlans)
{
    if (type == FT_ETH_TYPE_VLAN || type == FT_ETH_TYPE_QINQ)
        return true;
    /* The pre-802.1ad S-tag TPID only ever marks the service tag. */
    return type == FT_ETH_TYPE_QINQ_OLD && n_vlans == 0;
}

static enum ft_parse_stop
parse_nd(struct parse *ps, size_t ofs, size_t end, bool cut)
{
    struct ft_key *key = ps->key;
    const uint8_t *pkt = ps->pkt;

    if (end - ofs < ND_TARGET_END)
        return FT_STOP_TRUNC_ND;
    memcpy(key->nd_target, pkt + ofs + 8, sizeof key->nd_target);

    /* Only the link-layer address the message type defines counts. */
    uint8_t want = key->icmp_type == FT_ICMPV6_NS ? ND_OPT_SLL : ND_OPT_TLL;
    uint8_t *lla = want == ND_OPT_SLL ? key->nd_sll : key->nd_tll;
    bool found = false;
    size_t p = ofs + ND_TARGET_END;
    while (p < end) {
        if (end - p < 2)
            return cut ? FT_STOP_TRUNC_ND : FT_STOP_BAD_ND;
        size_t opt_len = (size_t)pkt[p + 1] * ND_OPT_UNIT;
        /* A zero length would never advance; RFC 4861 says discard. */
        if (opt_len == 0)
            return FT_STOP_BAD_ND;
        if (end - p < opt_len)
            return cut ? FT_STOP_TRUNC_ND : FT_STOP_BAD_ND;
        /* Length 1 (8 bytes) is the Ethernet form; others are other links. */
        if (pkt[p] == want && opt_len == ND_OPT_UNIT && !found) {
            memcpy(lla, pkt + p + 2, 6);
            found = true;
        }
        p += opt_len;
    }
    /* Options run to the end of the message: a cut frame may lack some. */
    return cut ? FT_STOP_TRUNC_ND : FT_STOP_DONE;
}

/* Bytes of the fixed L4 header the key and a checksum update need; 0 for
 * protocols the key does not model. ICMPv4 counts only inside IPv4 and
 * ICMPv6 only inside IPv6, as OpenFlow's prerequisites have it. */
static size_t
l4_header_len(uint8_t proto, bool ipv6)
{
    switch (proto) {
    case FT_PROTO_TCP:
        return FT_TCP_MIN_LEN;
    case FT_PROTO_UDP:
        return FT_UDP_LEN;
    case FT_PROTO_SCTP:
        return FT_SCTP_LEN;
    case FT_PROTO_ICMP:
        return ipv6 ? 0 : FT_ICMP_LEN;
    case FT_PROTO_ICMPV6:
        return ipv6 ? FT_ICMP_LEN : 0;
    default:
        return 0;
    }
}

/*
 * The L4 header at ofs, for ip_proto, in the IP payload that ends at end
 * (already clipped to the frame); cut tells whether the frame ends before
 * the IP length says the packet does.
 */
static enum ft_parse_stop
parse_l4(struct parse *ps, size_t ofs, size_t end, bool cut)
{
    struct ft_key *key = ps->key;
    const uint8_t *l4 = ps->pkt + ofs;
    size_t need = l4_header_len(key->ip_proto, key->eth_type == FT_ETH_TYPE_IPV6);

    if (!need)
        return FT_STOP_DONE;
    if (end - ofs < need)
        return FT_STOP_TRUNC_L4;
    ps->lay->l4 = (uint16_t)ofs;
    if (need == FT_ICMP_LEN) {
        key->icmp_type = l4[0];
        key->icmp_code = l4[1];
    } else {
        key->tp_src = ft_rd16(l4);
        key->tp_dst = ft_rd16(l4 + 2);
    }
    if (key->ip_proto == FT_PROTO_ICMPV6 &&
        (key->icmp_type == FT_ICMPV6_NS || key->icmp_type == FT_ICMPV6_NA))
        return parse_nd(ps, ofs, end, cut);
    return FT_STOP_DONE;
}

/* Index of each extension header type in the UNREP counters. */
enum exthdr_kind { EH_HOP, EH_DEST, EH_ROUTING, EH_FRAG, EH_AH, EH_ESP, EH_N_KINDS };

/* Walk state for the IPV6_EXTHDR flags. */
struct exthdr_walk {
    unsigned pos; /* Next usable slot of exthdr_order[]. */
    unsigned count[EH_N_KINDS];
};

/* RFC 2460 §4.1's recommended order; Dest may appear in two places. */
static const uint8_t exthdr_order[] = {
    EH_HOP, EH_DEST, EH_ROUTING, EH_FRAG, EH_AH, EH_ESP, EH_DEST,
};

static void
exthdr_note(struct exthdr_walk *w, uint16_t *flags, enum exthdr_kind kind)
{
    static const uint16_t present[EH_N_KINDS] = {
        [EH_HOP] = FT_IEH_HOP,   [EH_DEST] = FT_IEH_DEST, [EH_ROUTING] = FT_IEH_ROUTER,
        [EH_FRAG] = FT_IEH_FRAG, [EH_AH] = FT_IEH_AUTH,   [EH_ESP] = FT_IEH_ESP,
    };
    const unsigned n_slots = sizeof exthdr_order / sizeof exthdr_order[0];

    /* Greedy earliest slot: the chain is a subsequence of the order
     * exactly when every header finds a slot after the previous one. */
    unsigned i = w->pos;
    while (i < n_slots && exthdr_order[i] != kind)
        i++;
    if (i == n_slots) {
        *flags |= FT_IEH_UNSEQ;
    } else {
        w->pos = i + 1;
    }

    /* §7.2.3.8: HOP means hop-by-hop "as the first extension header";
     * slot 0 is reachable only by the first header. */
    if (kind != EH_HOP || i == 0)
        *flags |= present[kind];

    unsigned allowed = kind == EH_DEST ? 2 : 1;
    if (w->count[kind] < allowed) {
        w->count[kind]++;
    } else {
        *flags |= FT_IEH_UNREP;
    }
}

/*
 * The extension header chain from ofs, first header type nh, ending at end
 * (clipped to the frame). Sets ipv6_exthdr, ip_proto (once the upper layer
 * is known), ip_frag, then hands over to L4.
 */
static enum ft_parse_stop
parse_ipv6_chain(struct parse *ps, size_t ofs, size_t end, uint8_t nh, bool cut)
{
    struct ft_key *key = ps->key;
    const uint8_t *pkt = ps->pkt;
    struct exthdr_walk w = {0};
    uint16_t flags = 0;
    enum ft_parse_stop stop = FT_STOP_DONE;

    for (;;) {
        enum exthdr_kind kind;
        switch (nh) {
        case FT_PROTO_HOPOPTS:
            kind = EH_HOP;
            break;
        case FT_PROTO_DSTOPTS:
            kind = EH_DEST;
            break;
        case FT_PROTO_ROUTING:
            kind = EH_ROUTING;
            break;
        case FT_PROTO_FRAGMENT:
            kind = EH_FRAG;
            break;
        case FT_PROTO_AH:
            kind = EH_AH;
            break;
        case FT_PROTO_ESP:
            /* Everything after the SPI is encrypted. */
            exthdr_note(&w, &flags, EH_ESP);
            key->ip_proto = nh;
            goto out;
        case FT_PROTO_NONE:
            flags |= FT_IEH_NONEXT;
            key->ip_proto = nh;
            goto out;
        default:
            key->ip_proto = nh;
            key->ipv6_exthdr = flags;
            return parse_l4(ps, ofs, end, cut);
        }

        if (end - ofs < 2) {
            stop = FT_STOP_TRUNC_EXTHDR;
            goto out;
        }
        size_t hlen;
        if (kind == EH_FRAG) {
            hlen = IPV6_FRAG_LEN;
        } else if (kind == EH_AH) {
            hlen = ((size_t)pkt[ofs + 1] + 2) * 4; /* RFC 4302: 4-byte units. */
        } else {
            hlen = ((size_t)pkt[ofs + 1] + 1) * 8;
        }
        if (end - ofs < hlen) {
            stop = FT_STOP_TRUNC_EXTHDR;
            goto out;
        }
        exthdr_note(&w, &flags, kind);
        nh = pkt[ofs];
        if (kind == EH_FRAG) {
            uint16_t offlg = ft_rd16(pkt + ofs + 2);
            if (offlg & (IPV6_FRAG_OFFSET | IPV6_FRAG_M))
                key->ip_frag |= FT_FRAG_ANY;
            if (offlg & IPV6_FRAG_OFFSET) {
                /* A later fragment's payload is a slice of the original
                 * one: it holds neither further headers nor L4. */
                key->ip_frag |= FT_FRAG_LATER;
                key->ip_proto = nh;
                goto out;
            }
        }
        ofs += hlen;
    }
out:
    key->ipv6_exthdr = flags;
    return stop;
}

static enum ft_parse_stop
parse_ipv6(struct parse *ps, size_t ofs)
{
    struct ft_key *key = ps->key;
    const uint8_t *ip = ps->pkt + ofs;

    if (ps->len - ofs < FT_IPV6_LEN)
        return FT_STOP_TRUNC_L3;
    if (ip[0] >> 4 != 6)
        return FT_STOP_BAD_L3;

    uint32_t vtf = ft_rd32(ip);
    uint8_t tc = (uint8_t)(vtf >> 20);
    key->ip_dscp = tc >> 2;
    key->ip_ecn = tc & 3;
    key->ipv6_flabel = vtf & 0xfffff;
    memcpy(key->ipv6_src, ip + 8, 16);
    memcpy(key->ipv6_dst, ip + 24, 16);
    ps->lay->l3 = (uint16_t)ofs;
    ps->lay->ip_ttl = ip[7];

    /* Jumbograms (payload length 0, RFC 2675) cannot occur on Ethernet. */
    size_t claimed = ofs + FT_IPV6_LEN + ft_rd16(ip + 4);
    bool cut = claimed > ps->len;
    size_t end = cut ? ps->len : claimed;
    return parse_ipv6_chain(ps, ofs + FT_IPV6_LEN, end, ip[6], cut);
}

static enum ft_parse_stop
parse_ipv4(struct parse *ps, size_t ofs)
{
    struct ft_key *key = ps->key;
    const uint8_t *ip = ps->pkt + ofs;

    if (ps->len - ofs < FT_IPV4_MIN_LEN)
        return FT_STOP_TRUNC_L3;
    size_t hlen = (size_t)(ip[0] & 0x0f) * 4;
    if (ip[0] >> 4 != 4 || hlen < FT_IPV4_MIN_LEN)
        return FT_STOP_BAD_L3;
    if (ps->len - ofs < hlen)
        return FT_STOP_TRUNC_L3;
    size_t tot_len = ft_rd16(ip + 2);
    /* OVS drops such packets' L3 fields too: nothing in them is sure. */
    if (tot_len < hlen)
        return FT_STOP_BAD_L3;

    key->ip_dscp = ip[1] >> 2;
    key->ip_ecn = ip[1] & 3;
    key->ip_proto = ip[9];
    key->ipv4_src = ft_rd32(ip + 12);
    key->ipv4_dst = ft_rd32(ip + 16);
    ps->lay->l3 = (uint16_t)ofs;
    ps->lay->ip_ttl = ip[8];

    uint16_t frag = ft_rd16(ip + 6);
    if (frag & (IPV4_MF | IPV4_OFFSET))
        key->ip_frag |= FT_FRAG_ANY;
    if (frag & IPV4_OFFSET) {
        key->ip_frag |= FT_FRAG_LATER;
        return FT_STOP_DONE;
    }

    bool cut = ofs + tot_len > ps->len;
    size_t end = cut ? ps->len : ofs + tot_len;
    return parse_l4(ps, ofs + hlen, end, cut);
}

static enum ft_parse_stop
parse_arp(struct parse *ps, size_t ofs)
{
    struct ft_key *key = ps->key;
    const uint8_t *arp = ps->pkt + ofs;
    size_t avail = ps->len - ofs;

    if (avail < ARP_FIXED_LEN)
        return FT_STOP_TRUNC_L3;
    uint16_t htype = ft_rd16(arp), ptype = ft_rd16(arp + 2);
    uint8_t hlen = arp[4], plen = arp[5];
    if (avail < ARP_FIXED_LEN + 2 * ((size_t)hlen + plen))
        return FT_STOP_TRUNC_L3;

    key->arp_op = ft_rd16(arp + 6);
    ps->lay->l3 = (uint16_t)ofs;
    /* The address fields model only Ethernet hardware / IPv4 protocol. */
    if (htype != 1 || ptype != FT_ETH_TYPE_IPV4 || hlen != 6 || plen != 4)
        return FT_STOP_DONE;
    memcpy(key->arp_sha, arp + 8, 6);
    key->arp_spa = ft_rd32(arp + 14);
    memcpy(key->arp_tha, arp + 18, 6);
    key->arp_tpa = ft_rd32(arp + 24);
    return FT_STOP_DONE;
}

static enum ft_parse_stop
parse_frame(struct parse *ps)
{
    struct ft_key *key = ps->key;
    struct ft_layout *lay = ps->lay;
    const uint8_t *pkt = ps->pkt;
    size_t len = ps->len;

    if (len < FT_ETH_ADDRS_LEN)
        return FT_STOP_TRUNC_L2;
    memcpy(key->eth_dst, pkt, 6);
    memcpy(key->eth_src, pkt + 6, 6);

    size_t ofs = FT_ETH_ADDRS_LEN;
    uint16_t type;
    for (;;) {
        if (len - ofs < 2)
            return FT_STOP_TRUNC_L2;
        type = ft_rd16(pkt + ofs);
        if (!is_vlan_tpid(type, lay->n_vlans))
            break;
        if (len - ofs < FT_VLAN_LEN)
            return FT_STOP_TRUNC_L2;
        uint16_t tci = ft_rd16(pkt + ofs + 2);
        if (lay->n_vlans == 0) {
            key->vlan_vid = tci_vid(tci);
            key->vlan_pcp = tci_pcp(tci);
        } else if (lay->n_vlans == 1) {
            key->vlan2_vid = tci_vid(tci);
            key->vlan2_pcp = tci_pcp(tci);
        }
        lay->n_vlans++;
        ofs += FT_VLAN_LEN;
    }
    ofs += 2;

    if (type < FT_ETH_TYPE_MIN) {
        key->eth_type = FT_ETH_TYPE_NONE;
        return FT_STOP_DONE;
    }
    key->eth_type = type;

    switch (type) {
    case FT_ETH_TYPE_IPV4:
        return parse_ipv4(ps, ofs);
    case FT_ETH_TYPE_IPV6:
        return parse_ipv6(ps, ofs);
    case FT_ETH_TYPE_ARP:
        return parse_arp(ps, ofs);
    case FT_ETH_TYPE_MPLS:
    case FT_ETH_TYPE_MPLS_MC: {
        if (len - ofs < FT_MPLS_LEN)
            return FT_STOP_TRUNC_L2_5;
        uint32_t lse = ft_rd32(pkt + ofs);
        key->mpls_label = lse >> 12;
        key->mpls_tc = (lse >> 9) & 7;
        key->mpls_bos = (lse >> 8) & 1;
        lay->l2_5 = (uint16_t)ofs;
        return FT_STOP_DONE;
    }
    case FT_ETH_TYPE_PBB:
        if (len - ofs < FT_PBB_ITAG_LEN)
            return FT_STOP_TRUNC_L2_5;
        key->pbb_isid = ft_rd32(pkt + ofs) & 0xffffff;
        lay->l2_5 = (uint16_t)ofs;
        return FT_STOP_DONE;
    default:
        return FT_STOP_DONE;
    }
}

/*
 * The frame nearly every packet is, untagged IPv4 without options or
 * fragmentation carrying a whole TCP or UDP header, in one straight pass
 * (a third of the general path's instructions). Returns false, having
 * written nothing, for any other frame: the general path then gives the
 * key it always gave. test_parse's tagged_parses_as_untagged holds the two
 * paths to the same result.
 */
static bool
parse_plain_ipv4(const uint8_t *pkt, size_t len, struct ft_key *key, struct ft_layout *lay)
{
    const uint8_t *ip = pkt + FT_ETH_HDR_LEN;
    const size_t l4 = FT_ETH_HDR_LEN + FT_IPV4_MIN_LEN;

    if (len < l4 + FT_UDP_LEN || ft_rd16(pkt + FT_ETH_ADDRS_LEN) != FT_ETH_TYPE_IPV4 ||
        ip[0] != 0x45 || (ft_rd16(ip + 6) & (IPV4_MF | IPV4_OFFSET)))
        return false;
    size_t need = ip[9] == FT_PROTO_TCP ? FT_TCP_MIN_LEN : ip[9] == FT_PROTO_UDP ? FT_UDP_LEN : 0;
    /* The L4 header must fit in both the frame and the IP packet (so the
     * total length covers the IP header too). */
    size_t ip_end = FT_ETH_HDR_LEN + (size_t)ft_rd16(ip + 2);
    size_t end = ip_end < len ? ip_end : len;
    if (!need || end < l4 + need)
        return false;

    memcpy(key->eth_dst, pkt, 6);
    memcpy(key->eth_src, pkt + 6, 6);
    key->eth_type = FT_ETH_TYPE_IPV4;
    key->ip_dscp = ip[1] >> 2;
    key->ip_ecn = ip[1] & 3;
    key->ip_proto = ip[9];
    key->ipv4_src = ft_rd32(ip + 12);
    key->ipv4_dst = ft_rd32(ip + 16);
    key->tp_src = ft_rd16(pkt + l4);
    key->tp_dst = ft_rd16(pkt + l4 + 2);
    lay->l3 = FT_ETH_HDR_LEN;
    lay->l4 = (uint16_t)l4;
    lay->ip_ttl = ip[8];
    return true;
}

/* Out of line, so that the plain path needs no saved registers. */
static __attribute__((noinline)) enum ft_parse_stop
parse_general(const uint8_t *pkt, size_t len, struct ft_key *key, struct ft_layout *lay)
{
    struct parse ps = {.pkt = pkt, .len = len, .key = key, .lay = lay};
    return parse_frame(&ps);
}

enum ft_parse_stop
ft_parse(const uint8_t *pkt, size_t len, const struct ft_port_meta *meta, struct ft_key *key,
         struct ft_layout *layout)
{
    struct ft_layout scratch;
    struct ft_layout *lay = layout ? layout : &scratch;

    ft_key_zero(key);
    *lay = (struct ft_layout){.l2_5 = FT_OFS_NONE, .l3 = FT_OFS_NONE, .l4 = FT_OFS_NONE};
    if (meta) {
        key->in_port = meta->in_port;
        key->in_phy_port = meta->in_phy_port;
        key->tunnel_id = meta->tunnel_id;
    }

    if (len > PARSE_MAX_LEN)
        len = PARSE_MAX_LEN;
    enum ft_parse_stop stop =
        parse_plain_ipv4(pkt, len, key, lay) ? FT_STOP_DONE : parse_general(pkt, len, key, lay);
    lay->stop = (uint8_t)stop;
    return stop;
}

const char *
ft_parse_stop_name(enum ft_parse_stop stop)
{
    static const char *const names[FT_PARSE_STOP_MAX] = {
        [FT_STOP_DONE] = "done",
        [FT_STOP_TRUNC_L2] = "trunc_l2",
        [FT_STOP_TRUNC_L2_5] = "trunc_l2_5",
        [FT_STOP_TRUNC_L3] = "trunc_l3",
        [FT_STOP_BAD_L3] = "bad_l3",
        [FT_STOP_TRUNC_EXTHDR] = "trunc_exthdr",
        [FT_STOP_TRUNC_L4] = "trunc_l4",
        [FT_STOP_TRUNC_ND] = "trunc_nd",
        [FT_STOP_BAD_ND] = "bad_nd",
    };
    if ((unsigned)stop >= FT_PARSE_STOP_MAX)
        return "invalid";
    return names[stop];
}
