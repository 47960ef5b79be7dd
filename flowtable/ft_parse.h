/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_parse.h — packet bytes + ingress metadata -> struct ft_key.
 *
 * The parser reads only the len bytes it is given: a truncated or
 * malformed header stops parsing, the key keeps every field parsed so far
 * (later fields stay zero) and the layout says where and why it stopped.
 *
 * Thread safety: reentrant; touches only its arguments.
 */
#ifndef FT_PARSE_H
#define FT_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ft_key.h"

/* Where parsing stopped. */
enum ft_parse_stop {
    FT_STOP_DONE = 0,     /* Every header the key models was parsed. */
    FT_STOP_TRUNC_L2,     /* Ethernet header or a VLAN tag truncated. */
    FT_STOP_TRUNC_L2_5,   /* MPLS label or PBB I-TAG truncated. */
    FT_STOP_TRUNC_L3,     /* IPv4/IPv6/ARP header truncated. */
    FT_STOP_BAD_L3,       /* IPv4 IHL/version/total length invalid. */
    FT_STOP_TRUNC_EXTHDR, /* IPv6 extension header truncated. */
    FT_STOP_TRUNC_L4,     /* TCP/UDP/SCTP/ICMP header truncated. */
    FT_STOP_TRUNC_ND,     /* Neighbour discovery target/option truncated. */
    FT_STOP_BAD_ND,       /* ND option with length 0 or past the end. */
    FT_PARSE_STOP_MAX
};

/* Offsets of the headers found, in bytes from the start of the frame; a
 * value of FT_OFS_NONE means that layer is absent or was not reached. */
#define FT_OFS_NONE 0xffff

struct ft_layout {
    uint16_t l2_5;    /* First MPLS label / PBB I-TAG, if any. */
    uint16_t l3;      /* IPv4/IPv6/ARP header. */
    uint16_t l4;      /* TCP/UDP/SCTP/ICMP header (after IPv6 ext headers). */
    uint16_t n_vlans; /* VLAN tags found (all of them, even beyond two). */
    uint8_t ip_ttl;   /* IPv4 TTL or IPv6 hop limit (0 if not IP). */
    uint8_t stop;     /* enum ft_parse_stop. */
};

/* Ingress metadata the packet does not carry itself. */
struct ft_port_meta {
    uint32_t in_port;
    uint32_t in_phy_port; /* Usually == in_port. */
    uint64_t tunnel_id;   /* 0 for non-tunnel ports. */
};

/*
 * Parse the frame pkt[0..len) into *key (fully overwritten, including
 * metadata = 0) and *layout (may be NULL). Never reads outside
 * pkt[0..len). Returns layout->stop (FT_STOP_DONE on a complete parse).
 */
enum ft_parse_stop ft_parse(const uint8_t *pkt, size_t len, const struct ft_port_meta *meta,
                            struct ft_key *key, struct ft_layout *layout);

/* Human name of a stop reason, for counters ("trunc_l3"). */
const char *ft_parse_stop_name(enum ft_parse_stop stop);

#endif /* FT_PARSE_H */
