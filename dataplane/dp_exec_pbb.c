/* SPDX-License-Identifier: Apache-2.0 */
/* PUSH_PBB and POP_PBB on mbufs (dp_hdrops.h): IEEE 802.1ah without a
 * B-tag; the walk models exactly that (no VLAN after a push). */
#include <errno.h>
#include <string.h>

#include "dp_hdrops.h"

int
dp_push_pbb(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t ethertype)
{
    if (!h->eth_type)
        return -ENOENT;
    /* The push-tag table: PBB_ISID copies an existing I-SID (a push on a
     * PBB frame), else 0; I-PCP/DEI/UCA have no source and are 0. */
    uint32_t isid = 0;
    if (h->eth_type == FT_ETH_TYPE_PBB && h->lay.l2_5 != FT_OFS_NONE)
        isid = ft_rd32(dp_pkt_data(m) + h->lay.l2_5) & 0x00ffffffu;
    uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, FT_PBB_LEN);
    if (!p)
        return -ENOSPC;
    memcpy(p, p + FT_PBB_LEN, FT_ETH_ADDRS_LEN); /* B-DA, B-SA := C-DA, C-SA */
    ft_wr16(p + FT_ETH_ADDRS_LEN, ethertype);
    ft_wr32(p + FT_ETH_ADDRS_LEN + 2, isid);
    return 0;
}

int
dp_pop_pbb(struct rte_mbuf *m, const struct dp_hdr *h)
{
    if (h->eth_type != FT_ETH_TYPE_PBB || h->lay.l2_5 == FT_OFS_NONE)
        return -ENOENT;
    uint16_t strip = (uint16_t)(h->lay.l2_5 + FT_PBB_ITAG_LEN);
    /* The customer frame must at least hold its addresses. */
    if (dp_pkt_len(m) < strip + FT_ETH_ADDRS_LEN)
        return -ENOENT;
    rte_pktmbuf_adj(m, strip);
    return 0;
}
