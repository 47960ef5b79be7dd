/* SPDX-License-Identifier: Apache-2.0 */
/* PUSH_PBB and POP_PBB on mbufs (dp_hdrops.h): IEEE 802.1ah without a
 * B-tag; the walk models exactly that (no VLAN after a push). */
#include <errno.h>
#include <string.h>

#include "dp_hdrops.h"

#define PBB_ENCAP_LEN (DP_ETH_ADDRS_LEN + 2 + DP_PBB_ITAG_LEN)

int
dp_push_pbb(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t ethertype)
{
    if (!h->eth_type)
        return -ENOENT;
    /* The push-tag table: PBB_ISID copies an existing I-SID (a push on a
     * PBB frame), else 0; I-PCP/DEI/UCA have no source and are 0. */
    uint32_t isid = 0;
    if (h->eth_type == DP_ETH_TYPE_PBB && h->lay.l2_5 != FT_OFS_NONE)
        isid = dp_rd32(dp_pkt_data(m) + h->lay.l2_5) & 0x00ffffffu;
    uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, PBB_ENCAP_LEN);
    if (!p)
        return -ENOSPC;
    memcpy(p, p + PBB_ENCAP_LEN, DP_ETH_ADDRS_LEN); /* B-DA, B-SA := C-DA, C-SA */
    dp_wr16(p + DP_ETH_ADDRS_LEN, ethertype);
    dp_wr32(p + DP_ETH_ADDRS_LEN + 2, isid);
    return 0;
}

int
dp_pop_pbb(struct rte_mbuf *m, const struct dp_hdr *h)
{
    if (h->eth_type != DP_ETH_TYPE_PBB || h->lay.l2_5 == FT_OFS_NONE)
        return -ENOENT;
    uint16_t strip = (uint16_t)(h->lay.l2_5 + DP_PBB_ITAG_LEN);
    /* The customer frame must at least hold its addresses. */
    if (dp_pkt_len(m) < strip + DP_ETH_ADDRS_LEN)
        return -ENOENT;
    rte_pktmbuf_adj(m, strip);
    return 0;
}
