/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_hdrops.h — the header manipulations of the program ops (ft_walk.h),
 * one family per file: dp_exec_vlan.c, dp_exec_mpls.c, dp_exec_pbb.c,
 * dp_exec_ttl.c, dp_exec_setfield.c. Each works on one mbuf whose headers
 * h describes (dp_pkt.h) and knows nothing of ports, workers or versions,
 * so each is unit-tested on crafted mbufs.
 *
 * Thread safety: the caller owns the mbuf (refcount 1, direct) and h.
 *
 * Returns: 0 when done; -ENOENT when the header the op needs is absent or
 * truncated (the op is a no-op, the caller counts it); -ENOSPC when a push
 * finds no headroom (the caller drops the packet, counted); DP_TTL_EXPIRED
 * from the TTL decrements. After a push or pop h is stale: re-parse.
 */
#ifndef DP_HDROPS_H
#define DP_HDROPS_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp_pkt.h"
#include "ft_field.h"

/* A decrement found TTL 0 or 1: the packet must be dropped (and may go to
 * the controller with reason INVALID_TTL). Nothing was changed. */
#define DP_TTL_EXPIRED 1

/* VLAN (dp_exec_vlan.c). The new outer tag copies the old outer tag's TCI
 * (VID, PCP and DEI), or is 0 when the packet was untagged. */
int dp_push_vlan(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t tpid);
int dp_pop_vlan(struct rte_mbuf *m, const struct dp_hdr *h);

/* MPLS (dp_exec_mpls.c). push: the label goes after the VLAN tags; label,
 * TC and TTL copy the old top label, else label 0, TC 0 and the TTL of the
 * IP header (0 if not IP); BOS is set only on the first label. pop: the
 * ethertype field takes the given value. */
int dp_push_mpls(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t ethertype);
int dp_pop_mpls(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t ethertype);

/* PBB (dp_exec_pbb.c). push: B-DA/B-SA copied from C-DA/C-SA, the given
 * ethertype, an I-TAG with PCP/DEI/UCA 0 and the I-SID of an existing
 * I-TAG (else 0), then the customer frame from its C-DA on. pop: strips everything up to the
 * customer frame. */
int dp_push_pbb(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t ethertype);
int dp_pop_pbb(struct rte_mbuf *m, const struct dp_hdr *h);

/* TTLs (dp_exec_ttl.c). The IPv4 checksum follows every change. copy_ttl_out
 * copies from the next-to-outermost header to the outermost (second MPLS
 * label or the IP header after the bottom of stack, into the top label);
 * copy_ttl_in the other way. */
int dp_set_mpls_ttl(struct rte_mbuf *m, const struct dp_hdr *h, uint8_t ttl);
int dp_dec_mpls_ttl(struct rte_mbuf *m, const struct dp_hdr *h);
/* The IP TTL (hop limit) the packet carries now, or -ENOENT (not IP). */
int dp_nw_ttl(struct rte_mbuf *m, const struct dp_hdr *h);
int dp_set_nw_ttl(struct rte_mbuf *m, const struct dp_hdr *h, uint8_t ttl);
int dp_dec_nw_ttl(struct rte_mbuf *m, const struct dp_hdr *h);
int dp_copy_ttl_out(struct rte_mbuf *m, const struct dp_hdr *h);
int dp_copy_ttl_in(struct rte_mbuf *m, const struct dp_hdr *h);

/*
 * Set-field (dp_exec_setfield.c) on every settable field but TUNNEL_ID
 * (no header: the caller keeps it), with IPv4, TCP, UDP, ICMPv4, ICMPv6
 * checksums updated incrementally and the SCTP CRC32c recomputed. v is in
 * the field's key form (ft_field.h). VLAN_VID takes the low 12 bits. h is
 * updated where the change matters to later ops (ICMPv6 type). ETH_TYPE
 * (after the VLAN tags), IP_PROTO (the L4 checksum follows its
 * pseudo-header) and MPLS_BOS change how the rest parses: the caller
 * re-parses h before the next op (dp_set_field_reparses()).
 * -EINVAL for a field that is not settable.
 */
int dp_set_field(struct rte_mbuf *m, struct dp_hdr *h, enum ft_field f, const union ft_value *v);

static inline bool
dp_set_field_reparses(enum ft_field f)
{
    return f == FT_F_ETH_TYPE || f == FT_F_IP_PROTO || f == FT_F_MPLS_BOS;
}

#endif /* DP_HDROPS_H */
