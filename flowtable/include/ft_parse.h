/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_parse.h — packet bytes + ingress metadata -> struct ft_key.
 *
 * The parser reads only the len bytes it is given: a truncated or
 * malformed header stops parsing, the key keeps every field parsed so far
 * (later fields stay zero) and the layout says where and why it stopped.
 * A header counts as parsed only when all of it is present: its fields are
 * set, and its layout offset recorded, all together or not at all.
 *
 * Handled: Ethernet II with any number of 802.1Q/802.1ad tags (0x8100,
 * 0x88a8; 0x9100 only as the outermost tag), MPLS and PBB (first label or
 * I-TAG only, nothing beyond), ARP, IPv4, IPv6 with its extension header
 * chain, TCP, UDP, SCTP, ICMPv4, ICMPv6 and neighbour discovery.
 *
 * Lengths inside the packet: the IPv4 total length and the IPv6 payload
 * length bound the headers that follow them, so Ethernet padding is never
 * read as a header. A length that claims more bytes than the frame holds
 * is taken to mean the frame was cut: the headers that are present are
 * parsed; the end of the frame bounds the rest.
 *
 * Decisions the OpenFlow spec leaves open:
 *  - an Ethernet type below 0x0600 is an 802.3 length, not a type:
 *    eth_type = FT_ETH_TYPE_NONE and nothing further is parsed;
 *  - a later fragment (IPv4 offset != 0, or an IPv6 fragment header with
 *    offset != 0) keeps ip_proto (for IPv6: the fragment header's next
 *    header) but has no L4 fields;
 *  - IPV6_EXTHDR follows OF 1.3.5 §7.2.3.8 literally: HOP only when the
 *    hop-by-hop header is the first extension header; UNSEQ when the chain
 *    is not a subsequence of RFC 2460's order (HBH, Dest, Routing,
 *    Fragment, AH, ESP, Dest); UNREP when a type occurs more often than
 *    that order allows (Dest twice, the others once). ESP ends the walk;
 *    ip_proto is then 50, and 59 after No Next Header;
 *  - ND (ICMPv6 135/136, any code): the target, then the first Ethernet
 *    link-layer address option of the kind the message may carry (SLL in
 *    a solicitation, TLL in an advertisement); later duplicates are
 *    ignored. A bad option keeps the target and any address found before.
 *
 * Thread safety: reentrant; touches only its arguments.
 */
#ifndef FT_PARSE_H
#define FT_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ft_key.h"

/* Where parsing stopped. "Truncated" means the header does not fit in the
 * bytes available to it: the frame or, inside an IP packet, the IP length. */
enum ft_parse_stop {
    FT_STOP_DONE = 0,     /* Every header the key models was parsed. */
    FT_STOP_TRUNC_L2,     /* Ethernet header or a VLAN tag truncated. */
    FT_STOP_TRUNC_L2_5,   /* MPLS label or PBB I-TAG truncated. */
    FT_STOP_TRUNC_L3,     /* IPv4 (with options)/IPv6/ARP header truncated. */
    FT_STOP_BAD_L3,       /* IP version, IPv4 IHL < 5 or total length < IHL:
                           * no L3 field is set. */
    FT_STOP_TRUNC_EXTHDR, /* IPv6 extension header truncated. */
    FT_STOP_TRUNC_L4,     /* TCP (20 bytes)/UDP (8)/SCTP (12)/ICMP (4) header
                           * truncated. */
    FT_STOP_TRUNC_ND,     /* ND target truncated, or the frame ends before
                           * the IPv6 payload length says the options end. */
    FT_STOP_BAD_ND,       /* ND option with length 0, or past the end of the
                           * message in a frame that holds all of it. */
    FT_PARSE_STOP_MAX
};

/* eth_type of an 802.3 frame, whose type field is a length (as OVS). */
#define FT_ETH_TYPE_NONE 0x05ff

/* Offsets of the headers found, in bytes from the start of the frame; a
 * value of FT_OFS_NONE means that layer is absent, was not reached or its
 * header is incomplete or invalid, so an action may rewrite any header
 * whose offset is set. Only the first 0xfffe bytes of a frame are looked
 * at, so every offset fits. */
#define FT_OFS_NONE 0xffff

struct ft_layout {
    uint16_t l2_5;    /* First MPLS label / PBB I-TAG, if any. */
    uint16_t l3;      /* IPv4/IPv6/ARP header. */
    uint16_t l4;      /* TCP/UDP/SCTP/ICMP header (after IPv6 ext headers);
                       * NONE for other protocols and later fragments. */
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
