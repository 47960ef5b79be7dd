/* SPDX-License-Identifier: Apache-2.0 */
/* PUSH_MPLS and POP_MPLS on mbufs (dp_hdrops.h). */
#include <errno.h>
#include <string.h>

#include "dp_hdrops.h"

#define MPLS_BOS 0x00000100u

int
dp_push_mpls(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t ethertype)
{
    if (!h->eth_type)
        return -ENOENT;
    uint16_t e = dp_hdr_eth_type_ofs(h);
    uint32_t lse;
    if (h->eth_type == FT_ETH_TYPE_MPLS || h->eth_type == FT_ETH_TYPE_MPLS_MC) {
        if (!dp_hdr_is_mpls(h))
            return -ENOENT; /* The old top label is truncated: nothing to copy. */
        lse = ft_rd32(dp_pkt_data(m) + h->lay.l2_5) & ~MPLS_BOS;
    } else {
        /* OpenFlow 1.3.5, the push-tag table: MPLS_TTL copies an MPLS or
         * IP TTL — the TTL now, after any set_nw_ttl/dec_ttl before the
         * push; with neither (ARP, say) the new field is 0. */
        int ttl = dp_nw_ttl(m, h);
        lse = MPLS_BOS | (uint32_t)(ttl >= 0 ? ttl : 0);
    }
    uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, FT_MPLS_LEN);
    if (!p)
        return -ENOSPC;
    /* Addresses and tags move to the front; the type field and the new
     * label fill the gap before the old payload. */
    memmove(p, p + FT_MPLS_LEN, e);
    ft_wr16(p + e, ethertype);
    ft_wr32(p + e + 2, lse);
    return 0;
}

int
dp_pop_mpls(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t ethertype)
{
    if (!dp_hdr_is_mpls(h))
        return -ENOENT;
    uint16_t e = dp_hdr_eth_type_ofs(h);
    uint8_t *p = dp_pkt_data(m);
    ft_wr16(p + e, ethertype);
    memmove(p + FT_MPLS_LEN, p, (size_t)e + 2);
    rte_pktmbuf_adj(m, FT_MPLS_LEN);
    return 0;
}
