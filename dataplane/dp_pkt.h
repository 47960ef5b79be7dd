/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_pkt.h — what the action executors know about one packet: where its
 * headers are now (struct dp_hdr), big-endian byte access, and the
 * ones'-complement checksum arithmetic they share.
 *
 * Thread safety: inline helpers on the buffers they are given; a struct
 * dp_hdr belongs to the thread executing its packet.
 *
 * Headers are read and written in the first segment of an mbuf only: the
 * parser looks at that segment, and with the default 2 KiB data room every
 * header OpenFlow can touch lies there (a jumbo frame's later segments hold
 * payload only). A header not wholly in the first segment counts as absent.
 */
#ifndef DP_PKT_H
#define DP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "ft_key.h"
#include "ft_parse.h"
#include "ft_proto.h"

/*
 * Where the headers of a packet are, as the parser found them, plus the
 * few key fields that say which header a field lives in. Executors that
 * move bytes (push/pop) leave it stale: the caller re-parses before the
 * next op that needs it (dp_hdr_parse), so it always describes the packet
 * as it is now — the same packet the pipeline walk modelled.
 */
struct dp_hdr {
    struct ft_layout lay;
    uint16_t eth_type; /* Innermost ethertype after the VLAN tags; 0 if the
                        * Ethernet header is incomplete. */
    uint8_t ip_proto;
    uint8_t icmp_type;
    uint8_t ip_frag; /* enum ft_ip_frag. */
};

static inline uint8_t *
dp_pkt_data(struct rte_mbuf *m)
{
    return rte_pktmbuf_mtod(m, uint8_t *);
}

/* Bytes of the first segment: all the executors may touch. */
static inline uint16_t
dp_pkt_len(const struct rte_mbuf *m)
{
    return rte_pktmbuf_data_len(m);
}

static inline void
dp_hdr_from_key(struct dp_hdr *h, const struct ft_key *k, const struct ft_layout *lay)
{
    h->lay = *lay;
    h->eth_type = lay->stop == FT_STOP_TRUNC_L2 ? 0 : k->eth_type;
    h->ip_proto = k->ip_proto;
    h->icmp_type = k->icmp_type;
    h->ip_frag = k->ip_frag;
}

/* Parse the packet as it is now (after a push or pop). */
static inline void
dp_hdr_parse(struct rte_mbuf *m, struct dp_hdr *h)
{
    struct ft_key k;
    struct ft_layout lay;
    ft_parse(dp_pkt_data(m), dp_pkt_len(m), NULL, &k, &lay);
    dp_hdr_from_key(h, &k, &lay);
}

/* Offset of the (innermost) ethertype field; valid when h->eth_type != 0. */
static inline uint16_t
dp_hdr_eth_type_ofs(const struct dp_hdr *h)
{
    return (uint16_t)(FT_ETH_ADDRS_LEN + FT_VLAN_LEN * h->lay.n_vlans);
}

static inline bool
dp_hdr_is_mpls(const struct dp_hdr *h)
{
    return (h->eth_type == FT_ETH_TYPE_MPLS || h->eth_type == FT_ETH_TYPE_MPLS_MC) &&
           h->lay.l2_5 != FT_OFS_NONE;
}

static inline bool
dp_hdr_is_ipv4(const struct dp_hdr *h)
{
    return h->eth_type == FT_ETH_TYPE_IPV4 && h->lay.l3 != FT_OFS_NONE;
}

static inline bool
dp_hdr_is_ipv6(const struct dp_hdr *h)
{
    return h->eth_type == FT_ETH_TYPE_IPV6 && h->lay.l3 != FT_OFS_NONE;
}

/* ---- checksums (RFC 1071 sums, RFC 1624 incremental updates) ------------------------ */

/* Sum of the 16-bit big-endian words of p[0..n), n even, not yet folded.
 * Callers pass spans that start at an even offset from the start of the
 * checksummed data, so the words line up with the checksum's. */
static inline uint32_t
dp_csum_words(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += ft_rd16(p + i);
    return s;
}

static inline uint16_t
dp_csum_fold(uint32_t s)
{
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

/* The checksum at field after covered words summing to old_sum now sum to
 * new_sum: HC' = ~(~HC + ~m + m') (RFC 1624 eqn. 3). */
static inline void
dp_csum_fix(uint8_t *field, uint32_t old_sum, uint32_t new_sum)
{
    uint32_t acc = (uint16_t)~ft_rd16(field);
    acc += (uint16_t)~dp_csum_fold(old_sum);
    acc += dp_csum_fold(new_sum);
    ft_wr16(field, (uint16_t)~dp_csum_fold(acc));
}

#endif /* DP_PKT_H */
