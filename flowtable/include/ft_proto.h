/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_proto.h — protocol facts, once: ethertypes, IP protocol numbers,
 * header sizes and big-endian byte access. The parser, the walk, the
 * match and action validation, the dataplane's executors and the codec
 * all take them from here.
 *
 * Thread safety: constants and pure functions.
 */
#ifndef FT_PROTO_H
#define FT_PROTO_H

#include <stdint.h>

/* Ethertypes. */
#define FT_ETH_TYPE_MIN      0x0600 /* Below: an 802.3 length. */
#define FT_ETH_TYPE_IPV4     0x0800
#define FT_ETH_TYPE_ARP      0x0806
#define FT_ETH_TYPE_VLAN     0x8100 /* 802.1Q C-tag. */
#define FT_ETH_TYPE_IPV6     0x86dd
#define FT_ETH_TYPE_MPLS     0x8847
#define FT_ETH_TYPE_MPLS_MC  0x8848
#define FT_ETH_TYPE_QINQ     0x88a8 /* 802.1ad S-tag. */
#define FT_ETH_TYPE_PBB      0x88e7 /* 802.1ah I-TAG. */
#define FT_ETH_TYPE_QINQ_OLD 0x9100 /* Pre-standard S-tag (outermost only). */

/* IP protocol numbers (and IPv6 extension headers). */
#define FT_PROTO_HOPOPTS  0
#define FT_PROTO_ICMP     1
#define FT_PROTO_TCP      6
#define FT_PROTO_UDP      17
#define FT_PROTO_ROUTING  43
#define FT_PROTO_FRAGMENT 44
#define FT_PROTO_ESP      50
#define FT_PROTO_AH       51
#define FT_PROTO_ICMPV6   58
#define FT_PROTO_NONE     59
#define FT_PROTO_DSTOPTS  60
#define FT_PROTO_SCTP     132

/* ICMPv6 neighbour discovery. */
#define FT_ICMPV6_NS 135
#define FT_ICMPV6_NA 136

/* Header sizes in bytes. */
#define FT_ETH_ADDRS_LEN 12 /* Destination and source MAC. */
#define FT_ETH_HDR_LEN   14
#define FT_VLAN_LEN      4
#define FT_MPLS_LEN      4
#define FT_PBB_ITAG_LEN  4
#define FT_PBB_LEN       18 /* I-TAG, customer addresses, type. */
#define FT_IPV4_MIN_LEN  20
#define FT_IPV6_LEN      40
#define FT_TCP_MIN_LEN   20
#define FT_UDP_LEN       8
#define FT_SCTP_LEN      12
#define FT_ICMP_LEN      4

/* The IP TTL a push writes when there is none to copy (OF 1.3.5 §B.12.9:
 * MPLS TTL from the IP TTL "if any"; without one, 0). */
#define FT_NO_TTL 0

/* Big-endian (network order) access at any alignment. */
static inline uint16_t
ft_rd16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
ft_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
ft_rd64(const uint8_t *p)
{
    return (uint64_t)ft_rd32(p) << 32 | ft_rd32(p + 4);
}

static inline void
ft_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void
ft_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void
ft_wr64(uint8_t *p, uint64_t v)
{
    ft_wr32(p, (uint32_t)(v >> 32));
    ft_wr32(p + 4, (uint32_t)v);
}

#endif /* FT_PROTO_H */
