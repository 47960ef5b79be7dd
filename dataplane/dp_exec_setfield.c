/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SET_FIELD on mbufs (dp_hdrops.h). Checksums are updated incrementally
 * (RFC 1624) from the words a change touched: the IPv4 header checksum,
 * and the TCP/UDP/ICMPv6 checksums whose pseudo-header holds the IP
 * addresses. SCTP's CRC32c is not linear in the ones'-complement sense, so
 * it is recomputed over the SCTP packet.
 */
#include <errno.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "dp_hdrops.h"

#define IPV4_CSUM_OFS 10
#define TCP_CSUM_OFS  16
#define UDP_CSUM_OFS  6
#define ICMP_CSUM_OFS 2
#define SCTP_CSUM_OFS 8
#define ND_TARGET_OFS 8
#define ND_OPTS_OFS   24
#define ND_OPT_UNIT   8
#define ND_OPT_SLL    1
#define ND_OPT_TLL    2
#define ICMPV6_NS     135
#define ICMPV6_NA     136
#define ARP_OP_OFS    6
#define ARP_SHA_OFS   8
#define ARP_SPA_OFS   14
#define ARP_THA_OFS   18
#define ARP_TPA_OFS   24

/* End of the IP packet (its own length, clipped to the first segment). */
static size_t
ip_end(struct rte_mbuf *m, const struct dp_hdr *h)
{
    const uint8_t *ip = dp_pkt_data(m) + h->lay.l3;
    size_t end = h->eth_type == FT_ETH_TYPE_IPV4
                     ? (size_t)h->lay.l3 + ft_rd16(ip + 2)
                     : (size_t)h->lay.l3 + FT_IPV6_LEN + ft_rd16(ip + 4);
    return end < dp_pkt_len(m) ? end : dp_pkt_len(m);
}

/* ---- L4 checksums ---------------------------------------------------------------- */

/* The L4 checksum field a pseudo-header change affects, or NULL (no L4
 * header in this packet or fragment, an unchecksummed IPv4 UDP packet,
 * or a protocol without a pseudo-header). *udp tells whether 0 must
 * become 0xffff. */
static uint8_t *
pseudo_csum(struct rte_mbuf *m, const struct dp_hdr *h, bool *udp)
{
    if (h->lay.l4 == FT_OFS_NONE)
        return NULL;
    uint8_t *l4 = dp_pkt_data(m) + h->lay.l4;
    *udp = false;
    switch (h->ip_proto) {
    case FT_PROTO_TCP:
        return l4 + TCP_CSUM_OFS;
    case FT_PROTO_UDP:
        /* IPv4 UDP checksum 0 means "none" (RFC 768): keep it so. */
        if (h->eth_type == FT_ETH_TYPE_IPV4 && !ft_rd16(l4 + UDP_CSUM_OFS))
            return NULL;
        *udp = true;
        return l4 + UDP_CSUM_OFS;
    case FT_PROTO_ICMPV6:
        return h->eth_type == FT_ETH_TYPE_IPV6 ? l4 + ICMP_CSUM_OFS : NULL;
    default:
        return NULL;
    }
}

static void
fix_l4(uint8_t *csum, bool udp, uint32_t old_sum, uint32_t new_sum)
{
    dp_csum_fix(csum, old_sum, new_sum);
    if (udp && !ft_rd16(csum))
        ft_wr16(csum, 0xffff);
}

/* Replace n bytes at p (an even offset into the checksummed data) with
 * val, fixing the checksums at c1 and c2 (either may be NULL). */
static void
replace(uint8_t *p, const void *val, size_t n, uint8_t *c1, uint8_t *c2, bool c2_udp)
{
    uint32_t old = dp_csum_words(p, n);
    memcpy(p, val, n);
    uint32_t new = dp_csum_words(p, n);
    if (c1)
        dp_csum_fix(c1, old, new);
    if (c2)
        fix_l4(c2, c2_udp, old, new);
}

/* CRC32c over bytes at any alignment (rte_hash_crc() loads 8 bytes
 * through a cast, which needs 8-byte alignment). */
static uint32_t
crc32c(const uint8_t *p, size_t n, uint32_t crc)
{
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        crc = rte_hash_crc_8byte(v, crc);
    }
    for (; n; p++, n--)
        crc = rte_hash_crc_1byte(*p, crc);
    return crc;
}

/* SCTP: CRC32c (RFC 4960 appendix B) over the whole SCTP packet, every
 * segment of it, with the checksum field zero; stored little-endian. */
static void
sctp_recompute(struct rte_mbuf *m, const struct dp_hdr *h)
{
    uint8_t *sctp = dp_pkt_data(m) + h->lay.l4;
    memset(sctp + SCTP_CSUM_OFS, 0, 4);
    size_t first_end = ip_end(m, h);
    uint32_t crc = crc32c(sctp, first_end - h->lay.l4, 0xffffffff);
    /* Later segments hold payload only; the IP length bounds them. */
    if (first_end == dp_pkt_len(m)) {
        const uint8_t *ip = dp_pkt_data(m) + h->lay.l3;
        size_t total = h->eth_type == FT_ETH_TYPE_IPV4
                           ? (size_t)h->lay.l3 + ft_rd16(ip + 2)
                           : (size_t)h->lay.l3 + FT_IPV6_LEN + ft_rd16(ip + 4);
        size_t done = first_end;
        for (struct rte_mbuf *s = m->next; s && done < total; s = s->next) {
            size_t n = rte_pktmbuf_data_len(s);
            if (n > total - done)
                n = total - done;
            crc = crc32c(rte_pktmbuf_mtod(s, const uint8_t *), n, crc);
            done += n;
        }
    }
    crc = ~crc;
    sctp[SCTP_CSUM_OFS] = (uint8_t)crc;
    sctp[SCTP_CSUM_OFS + 1] = (uint8_t)(crc >> 8);
    sctp[SCTP_CSUM_OFS + 2] = (uint8_t)(crc >> 16);
    sctp[SCTP_CSUM_OFS + 3] = (uint8_t)(crc >> 24);
}

/* ---- L2, L2.5 -------------------------------------------------------------------- */

static int
set_vlan(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t keep, uint16_t bits)
{
    if (!h->lay.n_vlans)
        return -ENOENT;
    uint8_t *tci = dp_pkt_data(m) + FT_ETH_ADDRS_LEN + 2;
    ft_wr16(tci, (uint16_t)((ft_rd16(tci) & keep) | bits));
    return 0;
}

static int
set_mpls(struct rte_mbuf *m, const struct dp_hdr *h, uint32_t keep, uint32_t bits)
{
    if (!dp_hdr_is_mpls(h))
        return -ENOENT;
    uint8_t *lse = dp_pkt_data(m) + h->lay.l2_5;
    ft_wr32(lse, (ft_rd32(lse) & keep) | bits);
    return 0;
}

static int
set_isid(struct rte_mbuf *m, const struct dp_hdr *h, uint32_t isid)
{
    if (h->eth_type != FT_ETH_TYPE_PBB || h->lay.l2_5 == FT_OFS_NONE)
        return -ENOENT;
    uint8_t *itag = dp_pkt_data(m) + h->lay.l2_5;
    ft_wr32(itag, (ft_rd32(itag) & 0xff000000u) | (isid & 0x00ffffffu));
    return 0;
}

static int
set_eth_type(struct rte_mbuf *m, struct dp_hdr *h, uint16_t type)
{
    if (!h->eth_type)
        return -ENOENT;
    ft_wr16(dp_pkt_data(m) + dp_hdr_eth_type_ofs(h), type);
    h->eth_type = type;
    return 0;
}

/* ---- L3 ---------------------------------------------------------------------------- */

/* The byte holding the IP protocol: IPv4's, or the next-header field of
 * the last IPv6 header before the L4 header (the parser's chain). */
static uint8_t *
proto_byte(struct rte_mbuf *m, const struct dp_hdr *h)
{
    uint8_t *p = dp_pkt_data(m);
    if (dp_hdr_is_ipv4(h))
        return p + h->lay.l3 + 9;
    if (!dp_hdr_is_ipv6(h))
        return NULL;
    size_t nxt = (size_t)h->lay.l3 + 6, cur = (size_t)h->lay.l3 + FT_IPV6_LEN;
    if (h->lay.l4 == FT_OFS_NONE)
        return p[nxt] == h->ip_proto ? p + nxt : NULL;
    while (cur < h->lay.l4) {
        uint8_t type = p[nxt];
        nxt = cur;
        /* Fragment: 8 bytes; AH: (len + 2) * 4; the others (len + 1) * 8. */
        cur += type == 44   ? 8
               : type == 51 ? ((size_t)p[cur + 1] + 2) * 4
                            : ((size_t)p[cur + 1] + 1) * 8;
    }
    return cur == h->lay.l4 ? p + nxt : NULL;
}

static int
set_ip_proto(struct rte_mbuf *m, struct dp_hdr *h, uint8_t proto)
{
    uint8_t *pb = proto_byte(m, h);
    if (!pb)
        return -ENOENT;
    bool udp = false;
    uint8_t *l4csum = pseudo_csum(m, h, &udp); /* Of the L4 header that is there. */
    uint8_t old = *pb;
    if (dp_hdr_is_ipv4(h)) {
        uint8_t *ip = dp_pkt_data(m) + h->lay.l3;
        uint32_t before = dp_csum_words(ip + 8, 2);
        *pb = proto;
        dp_csum_fix(ip + IPV4_CSUM_OFS, before, dp_csum_words(ip + 8, 2));
    } else {
        *pb = proto;
    }
    /* The pseudo-header holds the protocol as the 16-bit word 0x00PP. */
    if (l4csum)
        fix_l4(l4csum, udp, old, proto);
    h->ip_proto = proto;
    return 0;
}

/* DSCP (6 bits) and ECN (2 bits) share the IPv4 TOS byte / IPv6 traffic
 * class: keep the bits in keep, or in bits. */
static int
set_tos(struct rte_mbuf *m, const struct dp_hdr *h, uint8_t keep, uint8_t bits)
{
    uint8_t *ip = dp_pkt_data(m) + h->lay.l3;
    if (dp_hdr_is_ipv4(h)) {
        uint32_t old = dp_csum_words(ip, 2);
        ip[1] = (uint8_t)((ip[1] & keep) | bits);
        dp_csum_fix(ip + IPV4_CSUM_OFS, old, dp_csum_words(ip, 2));
        return 0;
    }
    if (dp_hdr_is_ipv6(h)) {
        uint32_t vtf = ft_rd32(ip);
        uint8_t tc = (uint8_t)(((vtf >> 20) & keep) | bits);
        ft_wr32(ip, (vtf & 0xf00fffffu) | (uint32_t)tc << 20);
        return 0;
    }
    return -ENOENT;
}

static int
set_ipv4_addr(struct rte_mbuf *m, const struct dp_hdr *h, size_t ofs, uint32_t addr)
{
    if (!dp_hdr_is_ipv4(h))
        return -ENOENT;
    uint8_t *ip = dp_pkt_data(m) + h->lay.l3;
    uint8_t be[4];
    bool udp = false;
    ft_wr32(be, addr);
    uint8_t *l4_csum = pseudo_csum(m, h, &udp); /* Sets udp: not in the call's arguments. */
    replace(ip + ofs, be, 4, ip + IPV4_CSUM_OFS, l4_csum, udp);
    return 0;
}

static int
set_ipv6_addr(struct rte_mbuf *m, const struct dp_hdr *h, size_t ofs, const uint8_t *addr)
{
    if (!dp_hdr_is_ipv6(h))
        return -ENOENT;
    bool udp = false;
    uint8_t *l4_csum = pseudo_csum(m, h, &udp); /* Sets udp: not in the call's arguments. */
    replace(dp_pkt_data(m) + h->lay.l3 + ofs, addr, 16, NULL, l4_csum, udp);
    return 0;
}

static int
set_flabel(struct rte_mbuf *m, const struct dp_hdr *h, uint32_t label)
{
    if (!dp_hdr_is_ipv6(h))
        return -ENOENT;
    uint8_t *ip = dp_pkt_data(m) + h->lay.l3;
    ft_wr32(ip, (ft_rd32(ip) & 0xfff00000u) | (label & 0x000fffffu));
    return 0;
}

/* ARP: the op is always there; the addresses only in the Ethernet/IPv4
 * form the key models. */
static int
set_arp(struct rte_mbuf *m, const struct dp_hdr *h, size_t ofs, const void *val, size_t n)
{
    if (h->eth_type != FT_ETH_TYPE_ARP || h->lay.l3 == FT_OFS_NONE)
        return -ENOENT;
    uint8_t *arp = dp_pkt_data(m) + h->lay.l3;
    if (ofs != ARP_OP_OFS &&
        (ft_rd16(arp) != 1 || ft_rd16(arp + 2) != FT_ETH_TYPE_IPV4 || arp[4] != 6 || arp[5] != 4))
        return -ENOENT;
    memcpy(arp + ofs, val, n);
    return 0;
}

/* ---- L4 ----------------------------------------------------------------------------- */

static int
set_port(struct rte_mbuf *m, const struct dp_hdr *h, uint8_t proto, size_t ofs, uint16_t port)
{
    if (h->lay.l4 == FT_OFS_NONE || h->ip_proto != proto)
        return -ENOENT;
    uint8_t *l4 = dp_pkt_data(m) + h->lay.l4;
    uint8_t be[2];
    ft_wr16(be, port);
    if (proto == FT_PROTO_SCTP) {
        memcpy(l4 + ofs, be, 2);
        sctp_recompute(m, h);
        return 0;
    }
    bool udp = proto == FT_PROTO_UDP;
    uint8_t *csum = l4 + (udp ? UDP_CSUM_OFS : TCP_CSUM_OFS);
    if (udp && h->eth_type == FT_ETH_TYPE_IPV4 && !ft_rd16(csum))
        csum = NULL;
    replace(l4 + ofs, be, 2, NULL, csum, udp);
    return 0;
}

/* ICMPv4 / ICMPv6 type (ofs 0) or code (ofs 1); they share a word. */
static int
set_icmp(struct rte_mbuf *m, struct dp_hdr *h, bool v6, size_t ofs, uint8_t val)
{
    uint8_t proto = v6 ? FT_PROTO_ICMPV6 : FT_PROTO_ICMP;
    uint16_t eth_type = v6 ? FT_ETH_TYPE_IPV6 : FT_ETH_TYPE_IPV4;
    if (h->lay.l4 == FT_OFS_NONE || h->ip_proto != proto || h->eth_type != eth_type)
        return -ENOENT;
    uint8_t *l4 = dp_pkt_data(m) + h->lay.l4;
    uint32_t old = dp_csum_words(l4, 2);
    l4[ofs] = val;
    dp_csum_fix(l4 + ICMP_CSUM_OFS, old, dp_csum_words(l4, 2));
    if (ofs == 0)
        h->icmp_type = val; /* Whether ND fields exist now. */
    return 0;
}

static bool
is_nd(struct rte_mbuf *m, const struct dp_hdr *h)
{
    return h->eth_type == FT_ETH_TYPE_IPV6 && h->ip_proto == FT_PROTO_ICMPV6 &&
           h->lay.l4 != FT_OFS_NONE && (h->icmp_type == ICMPV6_NS || h->icmp_type == ICMPV6_NA) &&
           ip_end(m, h) >= (size_t)h->lay.l4 + ND_OPTS_OFS;
}

static int
set_nd_target(struct rte_mbuf *m, const struct dp_hdr *h, const uint8_t *target)
{
    if (!is_nd(m, h))
        return -ENOENT;
    uint8_t *l4 = dp_pkt_data(m) + h->lay.l4;
    replace(l4 + ND_TARGET_OFS, target, 16, NULL, l4 + ICMP_CSUM_OFS, false);
    return 0;
}

/* The first Ethernet link-layer address option of the kind the message
 * carries (SLL in a solicitation, TLL in an advertisement), as the parser
 * picks it. */
static int
set_nd_lla(struct rte_mbuf *m, const struct dp_hdr *h, uint8_t type, const uint8_t *mac)
{
    if (!is_nd(m, h) || h->icmp_type != (type == ND_OPT_SLL ? ICMPV6_NS : ICMPV6_NA))
        return -ENOENT;
    uint8_t *p = dp_pkt_data(m);
    size_t end = ip_end(m, h);
    for (size_t o = (size_t)h->lay.l4 + ND_OPTS_OFS; end - o >= 2;) {
        size_t opt_len = (size_t)p[o + 1] * ND_OPT_UNIT;
        if (!opt_len || end - o < opt_len)
            return -ENOENT;
        if (p[o] == type && opt_len == ND_OPT_UNIT) {
            replace(p + o + 2, mac, 6, NULL, p + h->lay.l4 + ICMP_CSUM_OFS, false);
            return 0;
        }
        o += opt_len;
    }
    return -ENOENT;
}

int
dp_set_field(struct rte_mbuf *m, struct dp_hdr *h, enum ft_field f, const union ft_value *v)
{
    uint8_t be[4];
    switch (f) {
    case FT_F_ETH_DST:
    case FT_F_ETH_SRC:
        if (dp_pkt_len(m) < FT_ETH_ADDRS_LEN)
            return -ENOENT;
        memcpy(dp_pkt_data(m) + (f == FT_F_ETH_DST ? 0 : 6), v->bytes, 6);
        return 0;
    case FT_F_ETH_TYPE:
        return set_eth_type(m, h, v->u16);
    case FT_F_IP_PROTO:
        return set_ip_proto(m, h, v->u8);
    case FT_F_MPLS_BOS:
        return set_mpls(m, h, ~0x00000100u, (uint32_t)(v->u8 & 1) << 8);
    case FT_F_VLAN_VID:
        return set_vlan(m, h, 0xf000, v->u16 & 0x0fff);
    case FT_F_VLAN_PCP:
        return set_vlan(m, h, 0x1fff, (uint16_t)((v->u8 & 7) << 13));
    case FT_F_IP_DSCP:
        return set_tos(m, h, 0x03, (uint8_t)((v->u8 & 0x3f) << 2));
    case FT_F_IP_ECN:
        return set_tos(m, h, 0xfc, v->u8 & 0x03);
    case FT_F_IPV4_SRC:
        return set_ipv4_addr(m, h, 12, v->u32);
    case FT_F_IPV4_DST:
        return set_ipv4_addr(m, h, 16, v->u32);
    case FT_F_TCP_SRC:
    case FT_F_TCP_DST:
        return set_port(m, h, FT_PROTO_TCP, f == FT_F_TCP_SRC ? 0 : 2, v->u16);
    case FT_F_UDP_SRC:
    case FT_F_UDP_DST:
        return set_port(m, h, FT_PROTO_UDP, f == FT_F_UDP_SRC ? 0 : 2, v->u16);
    case FT_F_SCTP_SRC:
    case FT_F_SCTP_DST:
        return set_port(m, h, FT_PROTO_SCTP, f == FT_F_SCTP_SRC ? 0 : 2, v->u16);
    case FT_F_ICMPV4_TYPE:
    case FT_F_ICMPV4_CODE:
        return set_icmp(m, h, false, f == FT_F_ICMPV4_TYPE ? 0 : 1, v->u8);
    case FT_F_ICMPV6_TYPE:
    case FT_F_ICMPV6_CODE:
        return set_icmp(m, h, true, f == FT_F_ICMPV6_TYPE ? 0 : 1, v->u8);
    case FT_F_ARP_OP:
        ft_wr16(be, v->u16);
        return set_arp(m, h, ARP_OP_OFS, be, 2);
    case FT_F_ARP_SPA:
    case FT_F_ARP_TPA:
        ft_wr32(be, v->u32);
        return set_arp(m, h, f == FT_F_ARP_SPA ? ARP_SPA_OFS : ARP_TPA_OFS, be, 4);
    case FT_F_ARP_SHA:
    case FT_F_ARP_THA:
        return set_arp(m, h, f == FT_F_ARP_SHA ? ARP_SHA_OFS : ARP_THA_OFS, v->bytes, 6);
    case FT_F_IPV6_SRC:
    case FT_F_IPV6_DST:
        return set_ipv6_addr(m, h, f == FT_F_IPV6_SRC ? 8 : 24, v->bytes);
    case FT_F_IPV6_FLABEL:
        return set_flabel(m, h, v->u32);
    case FT_F_IPV6_ND_TARGET:
        return set_nd_target(m, h, v->bytes);
    case FT_F_IPV6_ND_SLL:
    case FT_F_IPV6_ND_TLL:
        return set_nd_lla(m, h, f == FT_F_IPV6_ND_SLL ? ND_OPT_SLL : ND_OPT_TLL, v->bytes);
    case FT_F_MPLS_LABEL:
        return set_mpls(m, h, 0x00000fffu, (v->u32 & 0xfffff) << 12);
    case FT_F_MPLS_TC:
        return set_mpls(m, h, ~0x00000e00u, (uint32_t)(v->u8 & 7) << 9);
    case FT_F_PBB_ISID:
        return set_isid(m, h, v->u32);
    default:
        return -EINVAL;
    }
}
